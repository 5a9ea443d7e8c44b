package io.cellforge.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.analysis.Evaluator;
import io.cellforge.app.search.RunRow;
import io.cellforge.app.search.SearchViewModel;
import io.cellforge.search.CostTerm;
import io.cellforge.search.RunFiles;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A one-shot search from the run panel under a budget (the CLI's --constraint and --cost-weight on a DARTS-family
 * search): refused where it cannot apply, kept with the run, and pulling the search's weights under it.
 */
@ExtendWith(ApplicationExtension.class)
class OneShotBudgetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private MainViewModel vm;
    private SearchViewModel search;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("cellforge-budget");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        MainWindow window = new MainWindow(vm, stage);
        search = window.search();
        stage.setScene(window.scene());
        stage.sizeToScene();
        vm.documents().openZoo("darts-mini");
        stage.show();
    }

    private RunRow runAndWait(FxRobot robot) throws Exception {
        int before = search.runTable().size();
        robot.clickOn("#run-start");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> !search.runningProperty().get() && search.runTable().size() > before);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", search.messageProperty().get());
        return search.runTable().stream().max(Comparator.comparing(RunRow::name)).orElseThrow();
    }

    /** The expected multiply-adds under a finished run's final weights, by core's own cost term. */
    private static double expectedMacs(Path run) throws Exception {
        SearchSpace s = RunFiles.read(run).space();
        CostTerm t = new CostTerm("macs", s, a -> Evaluator.evaluate(s, a).macs(), 1, 1);
        JsonNode w = JSON.readTree(run.resolve(RunFiles.RESULT).toFile()).get("weights");
        Map<String, double[]> weights = new LinkedHashMap<>();
        w.fields().forEachRemaining(e -> weights.put(e.getKey(), JSON.convertValue(e.getValue(), double[].class)));
        return t.expected(weights);
    }

    @Test
    void aBudgetIsRefusedWhereItCannotApplyAndOtherwiseReachesTheSearch(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        robot.interact(() -> {
            search.epochsProperty().set(1);
            search.channelsProperty().set(4);
            search.layersProperty().set(3);
            search.seedProperty().set(2);
        });

        // A lower bound means nothing to a cost term; SPOS has no weights for one to pull.
        robot.interact(() -> search.budgetProperty().set("macs>=5"));
        robot.clickOn("#run-start");
        List<String> listed = search.problems().stream().map(Problem::toString).toList();
        assertEquals(1, listed.size(), listed.toString());
        assertTrue(listed.get(0).contains("SCORE<=X"), listed.toString());
        robot.interact(() -> {
            search.budgetProperty().set("macs<=2e5");
            search.strategyProperty().set("spos");
        });
        robot.clickOn("#run-start");
        listed = search.problems().stream().map(Problem::toString).toList();
        assertTrue(listed.size() == 1 && listed.get(0).contains("spos has no architecture weights"), listed.toString());
        assertTrue(search.runTable().isEmpty(), "nothing ran");

        // The same search without and with a budget far below every architecture's multiply-adds.
        robot.interact(() -> {
            search.strategyProperty().set("darts");
            search.budgetProperty().set("");
        });
        RunRow free = runAndWait(robot);
        assertFalse(Files.exists(free.dir().resolve("budget.json")));
        robot.clickOn("#tab-search");
        robot.interact(() -> {
            search.budgetProperty().set("macs<=1000");
            search.costWeightProperty().set(10);
        });
        RunRow held = runAndWait(robot);

        // The run keeps its budget and how it fared; the runs table and the end of the search name it.
        JsonNode kept = JSON.readTree(held.dir().resolve("budget.json").toFile());
        assertEquals("[\"macs<=1000\"]", kept.get("budgets").toString());
        assertEquals(10.0, kept.get("cost_weight").asDouble());
        assertEquals(expectedMacs(held.dir()), kept.get("expected").get("macs").asDouble(), 1e-6);
        assertEquals("macs<=1000 (weight 10)", held.settings().get("budget"));
        assertTrue(search.progressTextProperty().get().contains("macs expected"), search.progressTextProperty().get());
        assertTrue(search.endingProperty().get().text().contains("budget 1000"), search.endingProperty().get().text());

        // The term reached the architecture loss: the weights moved towards cheaper candidates than without it.
        double without = expectedMacs(free.dir());
        double with = expectedMacs(held.dir());
        assertTrue(with < without, "expected multiply-adds with the budget " + with + ", without " + without);
    }
}

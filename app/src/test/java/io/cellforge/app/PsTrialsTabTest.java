package io.cellforge.app;

import io.cellforge.app.search.RunRow;
import io.cellforge.app.search.SearchViewModel;
import io.cellforge.space.Problem;
import io.cellforge.trial.Scores;
import io.cellforge.trial.TrialLog;
import io.cellforge.trial.TrialRunFiles;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Search tab's progressive-shrinking estimator (Once-for-All): refused on a space that is not elastic, before
 * anything runs; on ofa-mini, the elastic network trained once on digits and every trial scored from its weights.
 * And the chained estimators: a supernet run after a DefaultEstimator's warm-up.
 */
@ExtendWith(ApplicationExtension.class)
class PsTrialsTabTest {
    private MainViewModel vm;
    private SearchViewModel search;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("cellforge-ps-trials");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        MainWindow window = new MainWindow(vm, stage);
        search = window.search();
        stage.setScene(window.scene());
        stage.sizeToScene();
        vm.documents().openZoo("darts-mini");
        stage.show();
    }

    private static void waitFor(int seconds, java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void settings(FxRobot robot) {
        robot.clickOn("#tab-search");
        robot.clickOn("#run-strategy");
        robot.clickOn("rea");
        robot.clickOn("#run-estimator");
        robot.clickOn("ps");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#run-ps-epochs").query().isVisible());
        robot.interact(() -> {
            search.useDigits();
            search.trials().psEpochsProperty().set(1);
            search.trials().trainBatchProperty().set(32);
            search.trials().budgetProperty().set(3);
            search.seedProperty().set(4);
        });
    }

    @Test
    void aSpaceThatIsNotElasticIsRefusedBeforeStartNamingWhy(FxRobot robot) {
        settings(robot);
        robot.clickOn("#run-start");
        assertFalse(search.runningProperty().get());
        List<String> listed = search.problems().stream().map(Problem::toString).toList();
        assertEquals(1, listed.size(), listed.toString());
        assertTrue(listed.get(0).contains("elastic") && listed.get(0).contains("LayerChoice"), listed.toString());
        assertTrue(search.runTable().isEmpty(), "no run folder was made");
    }

    @Test
    void onOfaMiniTheElasticNetworkTrainsOnceAndEachTrialIsScoredFromIt(FxRobot robot) throws Exception {
        robot.interact(() -> vm.documents().openZoo("ofa-mini"));
        waitFor(60, () -> "ofa-mini".equals(vm.state().spaceProperty().get().name()));
        settings(robot);
        robot.clickOn("#run-start");
        assertTrue(search.problems().isEmpty(), search.problems().toString());
        waitFor(900, () -> !search.runningProperty().get() && !search.runTable().isEmpty());
        assertEquals("", search.messageProperty().get());
        RunRow run = search.runTable().stream().max(Comparator.comparing(RunRow::name)).orElseThrow();
        assertEquals("finished", run.state());
        Map<String, Object> kept = TrialRunFiles.settings(run.dir()).orElseThrow();
        assertEquals("ps", kept.get("estimator"));
        assertEquals(1, kept.get("ps_epochs"));
        var logged = TrialLog.read(run.dir().resolve(TrialLog.FILE));
        assertEquals(3, logged.size());
        for (var t : logged) {
            assertTrue(t.scores().accuracy() > 0 && t.scores().accuracy() <= 1, t.scores().toString());
            assertTrue(t.scores().get(Scores.PARAMS).orElseThrow() > 0 && t.scores().get(Scores.MACS).orElseThrow() > 0, t.scores().toString());
        }
        assertEquals(3, search.trials().points().size());
    }

    @Test
    void aSupernetRunWarmsUpFirstWhenAsked(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        robot.clickOn("#run-strategy");
        robot.clickOn("random");
        robot.clickOn("#run-estimator");
        robot.clickOn("supernet");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#run-warmup-epochs").query().isVisible());
        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> {
            search.useDigits();
            search.trials().supernetEpochsProperty().set(1);
            search.trials().warmupEpochsProperty().set(1);
            search.trials().trainBatchProperty().set(64);
            search.trials().budgetProperty().set(2);
            search.seedProperty().set(4);
            search.progressTextProperty().addListener((o, a, b) -> said.add(String.valueOf(b)));
        });
        robot.clickOn("#run-start");
        assertTrue(search.problems().isEmpty(), search.problems().toString());
        waitFor(900, () -> !search.runningProperty().get() && !search.runTable().isEmpty());
        assertEquals("", search.messageProperty().get());
        RunRow run = search.runTable().stream().max(Comparator.comparing(RunRow::name)).orElseThrow();
        assertEquals("finished", run.state());
        assertEquals(1, TrialRunFiles.settings(run.dir()).orElseThrow().get("warmup"), "kept as the CLI's --warmup keeps it");
        assertTrue(said.stream().anyMatch(t -> t.startsWith("Warming up the supernet: epoch 1/1")), said.toString());
        int warm = said.indexOf(said.stream().filter(t -> t.startsWith("Warming up")).findFirst().orElseThrow());
        int train = said.indexOf(said.stream().filter(t -> t.startsWith("Training the supernet:")).findFirst().orElseThrow());
        assertTrue(warm < train, "the warm-up comes first: " + said);
        assertEquals(2, TrialLog.read(run.dir().resolve(TrialLog.FILE)).size());
    }
}

package io.cellforge.app;

import io.cellforge.analysis.Evaluator;
import io.cellforge.app.search.ResultView;
import io.cellforge.app.search.ResultViewModel;
import io.cellforge.app.search.RunRow;
import io.cellforge.app.search.SearchViewModel;
import io.cellforge.app.search.TrialsView;
import io.cellforge.app.search.TrialsViewModel;
import io.cellforge.arch.Architecture;
import io.cellforge.search.RunFiles;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.Objective;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.TrialLog;
import io.cellforge.trial.TrialRunFiles;
import io.cellforge.trial.TrialStrategy;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Search tab's multi-trial runs with the estimators that train (subnet, supernet) on the bundled digits, with
 * darts-mini: the run panel's settings and their refusals, a subnet run's live views, Stop and Resume, constraints and
 * latency, retraining the best trial; and a one-shot search under a budget.
 */
@ExtendWith(ApplicationExtension.class)
class TrainedTrialsTabTest {
    private MainViewModel vm;
    private MainWindow window;
    private SearchViewModel search;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("cellforge-trained-trials");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
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

    private void choose(FxRobot robot, String combo, String item) {
        robot.clickOn(combo);
        robot.clickOn(item);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static boolean shown(FxRobot robot, String id) {
        for (javafx.scene.Node p = robot.lookup(id).query(); p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private RunRow row(Path dir) {
        return search.runTable().stream().filter(r -> r.dir().equals(dir)).findFirst().orElseThrow();
    }

    private RunRow newest() {
        return search.runTable().stream().max(Comparator.comparing(RunRow::name)).orElseThrow();
    }

    private void selectRun(FxRobot robot, Path dir) throws Exception {
        robot.clickOn("#search-runs");
        TableView<RunRow> table = window.searchPane().runsView().table();
        waitFor(30, () -> table.getItems().stream().anyMatch(r -> r.dir().equals(dir)));
        robot.interact(() -> table.getSelectionModel().clearAndSelect(table.getItems().indexOf(
                table.getItems().stream().filter(r -> r.dir().equals(dir)).findFirst().orElseThrow())));
    }

    private ResultViewModel resultTab(Path dir) {
        return window.tabs().getTabs().stream().map(Tab::getContent).filter(c -> c instanceof ResultView rv && rv.viewModel().dir().equals(dir))
                .map(c -> ((ResultView) c).viewModel()).findFirst().orElse(null);
    }

    @Test
    void theSubnetEstimatorsSettingsShowAndWhatDoesNotFitIsRefusedBeforeStart(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        choose(robot, "#run-strategy", "random");
        assertFalse(shown(robot, "#run-data"), "a table reads no data");
        assertTrue(shown(robot, "#run-table"));
        choose(robot, "#run-estimator", "subnet");
        for (String id : List.of("#run-data", "#run-child-epochs", "#run-cluster", "#run-train-batch", "#run-latency", "#run-constraints", "#run-objective",
                "#run-objective-2", "#run-penalty", "#run-parallel")) {
            assertTrue(shown(robot, id), id + " is shown for subnet");
        }
        for (String id : List.of("#run-table", "#run-arch-column", "#run-supernet-epochs", "#run-epochs")) {
            assertFalse(shown(robot, id), id + " is hidden for subnet");
        }
        choose(robot, "#run-estimator", "supernet");
        assertTrue(shown(robot, "#run-supernet-epochs"));
        assertFalse(shown(robot, "#run-child-epochs"));
        assertFalse(shown(robot, "#run-cluster"), "only subnet trials run on a cluster");

        // No data, a latency bound without latency measured, an objective twice: each listed, nothing run.
        robot.interact(() -> {
            search.dataProperty().set("");
            search.trials().constraintsProperty().set("latency_ms<=5");
            search.trials().objectiveProperty().set(Scores.PARAMS);
            search.trials().secondObjectiveProperty().set(Scores.PARAMS);
        });
        robot.clickOn("#run-start");
        assertFalse(search.runningProperty().get());
        List<String> listed = search.problems().stream().map(Problem::toString).toList();
        assertEquals(3, listed.size(), listed.toString());
        assertTrue(listed.stream().anyMatch(p -> p.contains("trains on data")), listed.toString());
        assertTrue(listed.stream().anyMatch(p -> p.contains("latency_ms<=5") && p.contains("Measure latency")), listed.toString());
        assertTrue(listed.stream().anyMatch(p -> p.contains("both 'params'")), listed.toString());
        assertEquals(listed, robot.lookup("#run-problems .run-problem").queryAll().stream().map(n -> ((Label) n).getText()).toList());
        assertTrue(search.runTable().isEmpty(), "no run folder was made");
    }

    @Test
    void aClusterTypedInThePanelWithoutTheClusterModuleSaysHowToGetItAndRunsNothing(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        choose(robot, "#run-strategy", "random");
        choose(robot, "#run-estimator", "subnet");
        robot.interact(search::useDigits);
        // Typed into the panel's field, so the field's binding is what is tested.
        robot.interact(() -> robot.lookup("#run-cluster").queryTextInputControl().setText("spark://127.0.0.1:7077"));
        assertEquals("spark://127.0.0.1:7077", search.trials().clusterProperty().get());
        robot.clickOn("#run-start");
        assertFalse(search.runningProperty().get());
        List<String> listed = search.problems().stream().map(Problem::toString).toList();
        assertEquals(1, listed.size(), listed.toString());
        assertTrue(listed.get(0).contains("Cluster spark://127.0.0.1:7077: this Cellforge has no cluster runner") && listed.get(0).contains("-Pspark"),
                listed.toString());
        assertEquals(listed, robot.lookup("#run-problems .run-problem").queryAll().stream().map(n -> ((Label) n).getText()).toList());
        assertTrue(search.runTable().isEmpty(), "no run folder was made");
    }

    @Test
    void aSubnetRunOnDigitsStopsResumesFillsTheViewsAndItsBestTrialRetrains(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        choose(robot, "#run-strategy", "rea");
        choose(robot, "#run-estimator", "subnet");
        robot.interact(() -> {
            search.useDigits();
            search.trials().childEpochsProperty().set(1);
            search.trials().trainBatchProperty().set(32);
            search.trials().budgetProperty().set(4);
            search.trials().parallelProperty().set(2);
            search.seedProperty().set(3);
        });

        // Paused as it starts, then stopped: no trial began; the run folder says it can be resumed.
        robot.interact(() -> {
            search.start(vm.state().spaceProperty().get(), null);
            search.pause();
        });
        assertTrue(search.runningProperty().get());
        robot.clickOn("#run-stop");
        waitFor(120, () -> !search.runningProperty().get() && !search.runTable().isEmpty());
        assertEquals("", search.messageProperty().get());
        RunRow stopped = newest();
        assertEquals("stopped", stopped.state());
        assertEquals(new RunRow.Trials(0, 4), stopped.trials());

        // Resumed from the runs table: four trials, two at a time, each a child trained an epoch on digits.
        selectRun(robot, stopped.dir());
        robot.clickOn("#run-resume");
        robot.clickOn("#search-live");
        waitFor(600, () -> !search.runningProperty().get() && "finished".equals(row(stopped.dir()).state()));
        assertEquals("", search.messageProperty().get());
        Map<String, Object> settings = TrialRunFiles.settings(stopped.dir()).orElseThrow();
        assertEquals("subnet", settings.get("estimator"));
        assertEquals("digits", settings.get("data"));
        assertEquals(2, settings.get("parallel"));
        var logged = TrialLog.read(stopped.dir().resolve(TrialLog.FILE));
        assertEquals(4, logged.size());
        for (var t : logged) {
            assertTrue(t.scores().accuracy() > 0 && t.scores().accuracy() <= 1, t.scores().toString());
            assertTrue(t.scores().get(Scores.PARAMS).orElseThrow() > 0 && t.scores().get(Scores.MACS).orElseThrow() > 0, t.scores().toString());
        }

        // The live views: a point per trial, the best so far, the front, the histogram and the frequencies.
        TrialsView view = window.searchPane().trialsView();
        TrialsViewModel tv = search.trials();
        assertTrue(shown(robot, "#trials-view"));
        assertEquals(4, tv.points().size());
        assertEquals(4, view.bestSoFar().size());
        assertEquals(4, view.trialPoints().size());
        assertFalse(view.frontPoints().isEmpty());
        assertEquals(4, view.histogramBars().stream().mapToInt(b -> b.getYValue().intValue()).sum());
        assertEquals(DecisionSpace.of(vm.state().spaceProperty().get()).keys().size(), view.frequencies().keys().size());
        double top = logged.stream().mapToDouble(t -> t.scores().accuracy()).max().orElseThrow();
        assertEquals(top, tv.best().accuracy(), 1e-12);
        assertEquals(tv.best(), tv.selectedProperty().get(), "the best trial's cell is shown");
        assertNotNull(view.shownCell());

        // The best trial retrained from scratch, as a one-shot result retrains: the run's data, batch and seed.
        selectRun(robot, stopped.dir());
        robot.clickOn("#run-open");
        waitFor(30, () -> resultTab(stopped.dir()) != null);
        ResultViewModel result = resultTab(stopped.dir());
        assertEquals(tv.best().decisions().size(), result.architecture().choices().size());
        robot.clickOn("#retrain-start");
        waitFor(600, () -> result.testAccuracy() != null || !result.trainingProperty().get()
                && robot.lookup("#retrain-status").queryAs(Label.class).getText().contains("failed"));
        assertNotNull(result.testAccuracy(), robot.lookup("#retrain-status").queryAs(Label.class).getText());
        assertTrue(result.testAccuracy() > 0.1, "test accuracy " + result.testAccuracy());
        assertEquals(result.testAccuracy(), RunFiles.read(stopped.dir()).testAccuracy());
    }

    @Test
    void aSupernetRunWithLatencyNeverReturnsATrialThatBreaksItsConstraint(FxRobot robot) throws Exception {
        // The bound: the median parameters of the eight architectures random search proposes at this seed.
        SearchSpace space = vm.state().spaceProperty().get();
        TrialStrategy proposals = Strategies.create("random", DecisionSpace.of(space), Objective.of(Scores.ACCURACY), 5);
        List<Long> params = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Architecture a = proposals.propose().orElseThrow();
            params.add(Evaluator.evaluate(Retrain.finalNetwork(space), a).params());
        }
        long bound = params.stream().sorted().toList().get(3);

        robot.clickOn("#tab-search");
        choose(robot, "#run-strategy", "random");
        choose(robot, "#run-estimator", "supernet");
        robot.interact(() -> {
            search.useDigits();
            search.trials().supernetEpochsProperty().set(1);
            search.trials().trainBatchProperty().set(32);
            search.trials().budgetProperty().set(8);
            search.trials().parallelProperty().set(1);
            search.trials().latencyProperty().set(true);
            search.trials().constraintsProperty().set("params<=" + bound);
            search.trials().secondObjectiveProperty().set(Scores.LATENCY);
            search.seedProperty().set(5);
        });
        robot.clickOn("#run-start");
        waitFor(600, () -> !search.runningProperty().get() && !search.runTable().isEmpty());
        assertEquals("", search.messageProperty().get());
        RunRow run = newest();
        assertEquals("finished", run.state());

        TrialsViewModel tv = search.trials();
        assertEquals(8, tv.points().size());
        assertEquals(params, tv.points().stream().map(p -> p.score(Scores.PARAMS).longValue()).toList(), "the trials are the proposals");
        assertTrue(tv.points().stream().allMatch(p -> p.score(Scores.LATENCY) != null && p.score(Scores.LATENCY) > 0), "latency measured");
        assertEquals(Scores.LATENCY, tv.axisProperty().get(), "the second objective is the chart's axis");
        assertTrue(tv.points().stream().anyMatch(p -> !p.feasible()), "some trial breaks the constraint");
        TrialsViewModel.TrialPoint best = tv.best();
        assertNotNull(best);
        assertTrue(best.feasible() && best.score(Scores.PARAMS) <= bound, best.toString());
        double bestFeasible = tv.points().stream().filter(TrialsViewModel.TrialPoint::feasible).mapToDouble(TrialsViewModel.TrialPoint::accuracy)
                .max().orElseThrow();
        assertEquals(bestFeasible, best.accuracy(), 0);
        // The run's result agrees: its best meets the bound, its front is of accuracy and latency.
        String resultJson = Files.readString(run.dir().resolve(RunFiles.RESULT));
        assertTrue(resultJson.contains("\"pareto_front\"") && resultJson.contains("latency_ms"), resultJson);
        assertTrue(Evaluator.evaluate(Retrain.finalNetwork(space), RunFiles.read(run.dir()).architecture()).params() <= bound);

        // A trial picked (one that breaks the bound) opens as a result of its own and retrains; the run keeps no figure of it.
        TrialsViewModel.TrialPoint other = tv.points().stream().filter(p -> !p.feasible()).findFirst().orElseThrow();
        robot.interact(() -> tv.select(other.index()));
        robot.clickOn("#trial-open");
        waitFor(30, () -> window.tabs().getSelectionModel().getSelectedItem().getContent() instanceof ResultView);
        ResultViewModel trial = ((ResultView) window.tabs().getSelectionModel().getSelectedItem().getContent()).viewModel();
        assertEquals(run.name() + " trial " + (other.index() + 1), trial.name());
        assertEquals(TrialLog.read(run.dir().resolve(TrialLog.FILE)).stream().filter(t -> t.index() == other.index()).findFirst()
                .orElseThrow().architecture(), trial.architecture());
        robot.interact(() -> trial.retrain(1));
        waitFor(600, () -> trial.testAccuracy() != null || !trial.trainingProperty().get()
                && robot.lookup("#retrain-status").queryAs(Label.class).getText().contains("failed"));
        assertNotNull(trial.testAccuracy(), robot.lookup("#retrain-status").queryAs(Label.class).getText());
        assertFalse(Files.exists(run.dir().resolve(RunFiles.RETRAIN)), "the run's retraining figure is its best's");
    }

    @Test
    void aTableRunsBestTrialRetrainsOnThePanelsData(FxRobot robot) throws Exception {
        Path table = Path.of("").toAbsolutePath().getParent().resolveSibling("shared/data/nas-bench-201-test-accuracy.csv");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(table), "the NAS-Bench-201 table is not at " + table);
        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        robot.clickOn("#tab-search");
        choose(robot, "#run-strategy", "rea");
        robot.interact(() -> {
            search.trials().chooseTable(table, vm.state().spaceProperty().get());
            search.trials().budgetProperty().set(5);
            search.useDigits();
        });
        robot.clickOn("#run-start");
        waitFor(120, () -> !search.runningProperty().get() && !search.runTable().isEmpty());
        RunRow run = newest();
        assertEquals("finished", run.state());
        selectRun(robot, run.dir());
        robot.clickOn("#run-open");
        waitFor(30, () -> resultTab(run.dir()) != null);
        ResultViewModel result = resultTab(run.dir());
        // The table trained nothing: the child is trained on the run panel's digits, its input fitted to them.
        robot.interact(() -> result.retrain(1));
        waitFor(600, () -> result.testAccuracy() != null || !result.trainingProperty().get()
                && robot.lookup("#retrain-status").queryAs(Label.class).getText().contains("failed"));
        assertNotNull(result.testAccuracy(), robot.lookup("#retrain-status").queryAs(Label.class).getText());
        assertEquals(result.testAccuracy(), RunFiles.read(run.dir()).testAccuracy());
    }
}

package io.cellforge.app;

import io.cellforge.app.search.RunRow;
import io.cellforge.app.search.SearchViewModel;
import io.cellforge.app.search.TrialsView;
import io.cellforge.app.search.TrialsViewModel;
import io.cellforge.arch.Fixing;
import io.cellforge.io.LoadException;
import io.cellforge.search.RunFiles;
import io.cellforge.space.Problem;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Search tab running multi-trial strategies on the NAS-Bench-201 table (skipped where the table is absent: the
 * project never bundles it): the run panel's settings, the live views a run fills, picking a trial, Stop and
 * Resume, and the runs table.
 */
@ExtendWith(ApplicationExtension.class)
class MultiTrialTabTest {
    /** {@code ../shared/data/} beside the project (the tests run in app/). */
    private static final Path NB201 = Path.of("").toAbsolutePath().getParent().resolveSibling("shared/data/nas-bench-201-test-accuracy.csv");

    private MainViewModel vm;
    private MainWindow window;
    private SearchViewModel search;
    private Path dir;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("cellforge-multi-trial");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        search = window.search();
        search.setDataSource(spec -> {
            throw new LoadException(spec, "a multi-trial search on a table reads no data");
        });
        stage.setScene(window.scene());
        stage.sizeToScene();
        vm.documents().openZoo("nas-bench-201");
        stage.show();
    }

    private static Path table() {
        Assumptions.assumeTrue(Files.isRegularFile(NB201), "the NAS-Bench-201 table is not at " + NB201);
        return NB201;
    }

    private void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static boolean shown(FxRobot robot, String id) {
        Node n = robot.lookup(id).query();
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    private void chooseRea(FxRobot robot) {
        robot.clickOn("#tab-search");
        robot.clickOn("#run-strategy");
        robot.clickOn("rea");
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** REA, {@code budget} trials of seed {@code seed} on the table: settings as a person gives them. */
    private void settings(FxRobot robot, int budget, int seed) {
        Path t = table(); // on the test's thread: without the table the test is skipped, not failed inside interact
        chooseRea(robot);
        robot.interact(() -> {
            search.trials().chooseTable(t, vm.state().spaceProperty().get());
            search.trials().budgetProperty().set(budget);
            search.seedProperty().set(seed);
        });
    }

    private RunRow runAndWait(FxRobot robot) throws Exception {
        int before = search.runTable().size();
        robot.clickOn("#run-start");
        waitFor(() -> !search.runningProperty().get() && search.runTable().size() > before);
        assertEquals("", search.messageProperty().get());
        return newest();
    }

    private RunRow newest() {
        return search.runTable().stream().max(Comparator.comparing(RunRow::name)).orElseThrow();
    }

    @Test
    void choosingReaShowsTheMultiTrialSettingsAndRefusesIncompleteOnes(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        assertTrue(shown(robot, "#run-epochs"));
        assertFalse(shown(robot, "#run-budget"));
        chooseRea(robot);
        assertTrue(search.multiTrialProperty().get());
        for (String id : List.of("#run-budget", "#run-parallel", "#run-estimator", "#run-table", "#run-table-choose", "#run-arch-column",
                "#run-score-column", "#run-constraints", "#run-seed")) {
            assertTrue(shown(robot, id), id + " is shown for rea");
        }
        for (String id : List.of("#run-epochs", "#run-lr", "#run-arch-lr", "#run-batch", "#run-data")) {
            assertFalse(shown(robot, id), id + " is hidden for rea");
        }

        // No table yet, and a constraint that does not read: refused before anything runs, each problem listed.
        robot.interact(() -> search.trials().constraintsProperty().set("params<=lots"));
        robot.clickOn("#run-start");
        assertFalse(search.runningProperty().get());
        List<String> listed = search.problems().stream().map(Problem::toString).toList();
        assertEquals(2, listed.size(), listed.toString());
        assertTrue(listed.stream().anyMatch(p -> p.contains("needs a table")), listed.toString());
        assertTrue(listed.stream().anyMatch(p -> p.contains("params<=lots")), listed.toString());
        assertEquals(listed, robot.lookup("#run-problems .run-problem").queryAll().stream().map(n -> ((Label) n).getText()).toList());
        assertTrue(search.runTable().isEmpty(), "no run folder was made");

        // The NAS-Bench-201 table chosen for the nas-bench-201 space fills in its columns.
        Path t = table();
        robot.interact(() -> {
            search.trials().scoreColumnProperty().set("");
            search.trials().constraintsProperty().set("");
            search.trials().chooseTable(t, vm.state().spaceProperty().get());
        });
        assertEquals("ArchitectureString", robot.lookup("#run-arch-column").queryTextInputControl().getText());
        assertEquals("CIFAR10TestAccuracy200Epochs", robot.lookup("#run-score-column").queryTextInputControl().getText());
        assertEquals(t.toString(), robot.lookup("#run-table").queryTextInputControl().getText());

        // Back to a one-shot strategy: its settings come back.
        robot.clickOn("#run-strategy");
        robot.clickOn("darts");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(shown(robot, "#run-epochs"));
        assertFalse(shown(robot, "#run-budget"));
    }

    @Test
    void aThirtyTrialReaRunFillsTheViewsAndAClickedPointShowsItsCell(FxRobot robot) throws Exception {
        settings(robot, 30, 7);
        RunRow row = runAndWait(robot);
        TrialsView view = window.searchPane().trialsView();
        assertTrue(shown(robot, "#trials-view"), "the trial views replace the weights");
        assertEquals(search.trials().best(), search.trials().selectedProperty().get(), "the best trial's cell is shown first");
        TrialsViewModel tv = search.trials();
        assertEquals(30, tv.points().size());
        assertEquals(1.0, search.progressProperty().get(), 1e-9);

        // Best so far: one point per trial, never going down, ending at the run's best.
        List<XYChart.Data<Number, Number>> best = view.bestSoFar();
        assertEquals(30, best.size());
        for (int i = 1; i < best.size(); i++) {
            assertTrue(best.get(i).getYValue().doubleValue() >= best.get(i - 1).getYValue().doubleValue(), "best so far at trial " + (i + 1));
        }
        double top = tv.points().stream().mapToDouble(TrialsViewModel.TrialPoint::accuracy).max().orElseThrow();
        assertEquals(top, best.get(29).getYValue().doubleValue(), 1e-12);

        // Every trial a point of accuracy against parameters; the front's points dominated by none.
        List<XYChart.Data<Number, Number>> points = view.trialPoints();
        assertEquals(30, points.size());
        List<XYChart.Data<Number, Number>> front = view.frontPoints();
        assertFalse(front.isEmpty());
        for (XYChart.Data<Number, Number> f : front) {
            double fx = f.getXValue().doubleValue();
            double fy = f.getYValue().doubleValue();
            for (XYChart.Data<Number, Number> p : points) {
                double x = p.getXValue().doubleValue();
                double y = p.getYValue().doubleValue();
                assertFalse(x <= fx && y >= fy && (x < fx || y > fy), "(" + fx + ", " + fy + ") on the front is dominated by (" + x + ", " + y + ")");
            }
        }
        // ... and every non-dominated trial is on it.
        for (XYChart.Data<Number, Number> p : points) {
            double x = p.getXValue().doubleValue();
            double y = p.getYValue().doubleValue();
            boolean dominated = points.stream().anyMatch(q -> q.getXValue().doubleValue() <= x && q.getYValue().doubleValue() >= y
                    && (q.getXValue().doubleValue() < x || q.getYValue().doubleValue() > y));
            if (!dominated) {
                assertTrue(front.stream().anyMatch(f -> f.getXValue().doubleValue() == x && f.getYValue().doubleValue() == y), "(" + x + ", " + y + ")");
            }
        }
        // The x axis can be the multiply-adds instead.
        robot.interact(() -> tv.axisProperty().set("macs"));
        assertEquals(tv.points().get(0).score("macs"), view.trialPoints().get(0).getXValue().doubleValue(), 0);
        robot.interact(() -> tv.axisProperty().set("params"));

        // The histogram counts every trial; each key's frequencies sum to one.
        assertEquals(30, view.histogramBars().stream().mapToInt(b -> b.getYValue().intValue()).sum());
        Map<String, double[]> freq = tv.frequencies();
        assertEquals(6, freq.size(), freq.keySet().toString()); // NAS-Bench-201: six edges
        for (double[] f : freq.values()) {
            assertEquals(1.0, java.util.Arrays.stream(f).sum(), 1e-9);
        }
        assertEquals(List.copyOf(freq.keySet()), view.frequencies().keys());

        // A click on a trial's point (one no other point covers) shows that trial's cell, fixed.
        XYChart.Data<Number, Number> target = null;
        for (XYChart.Data<Number, Number> p : view.trialPoints()) {
            Bounds b = p.getNode().localToScene(p.getNode().getBoundsInLocal());
            Point2D c = new Point2D(b.getCenterX(), b.getCenterY());
            boolean alone = view.trialPoints().stream().filter(q -> q != p)
                    .noneMatch(q -> q.getNode().localToScene(q.getNode().getBoundsInLocal()).contains(c));
            if (alone && (Integer) p.getExtraValue() != tv.best().index()) {
                target = p;
                break;
            }
        }
        assertNotNull(target, "some point stands alone");
        int index = (Integer) target.getExtraValue();
        robot.clickOn(target.getNode());
        waitFor(() -> tv.selectedProperty().get() != null && tv.selectedProperty().get().index() == index);
        Trial trial = TrialLog.read(row.dir().resolve(TrialLog.FILE)).get(index);
        assertEquals(Fixing.fix(vm.state().spaceProperty().get(), trial.architecture()).cells().get("cell"), view.shownCell());
        assertTrue(robot.lookup("#trial-picked").queryLabeled().getText().startsWith("Trial " + (index + 1) + ":"),
                robot.lookup("#trial-picked").queryLabeled().getText());
    }

    @Test
    void stopThenResumeEndsWithTheBestOfAnUninterruptedRunAndTheRunsTableListsIt(FxRobot robot) throws Exception {
        settings(robot, 30, 11);
        RunRow whole = runAndWait(robot);
        List<Trial> wholeTrials = TrialLog.read(whole.dir().resolve(TrialLog.FILE));
        TrialsViewModel.TrialPoint wholeBest = search.trials().best();

        // The runs table: strategy, trials of the budget, best accuracy, parameters, duration; Open result works.
        robot.clickOn("#search-runs");
        TableView<RunRow> table = window.searchPane().runsView().table();
        waitFor(() -> table.getItems().stream().anyMatch(r -> r.dir().equals(whole.dir())));
        RunRow listed = table.getItems().stream().filter(r -> r.dir().equals(whole.dir())).findFirst().orElseThrow();
        assertEquals("rea", listed.strategy());
        assertEquals("finished", listed.state());
        assertEquals(new RunRow.Trials(30, 30), listed.trials());
        assertEquals(wholeBest.accuracy(), listed.bestAccuracy(), 1e-12);
        assertEquals(wholeBest.score("params").longValue(), listed.params());
        assertNotNull(listed.duration());
        robot.clickOn(robot.lookup("#col-run").queryAll().stream().filter(n -> n instanceof javafx.scene.control.TableCell<?, ?> c
                && whole.name().equals(c.getText())).findFirst().orElseThrow());
        robot.clickOn("#run-open");
        waitFor(() -> window.tabs().getSelectionModel().getSelectedItem().getId().equals("tab-result"));
        robot.clickOn("#tab-search");

        // Stopped: paused as it starts, then stopped; the log keeps what was done.
        robot.clickOn("#search-live");
        int before = search.runTable().size();
        robot.interact(() -> {
            search.start(vm.state().spaceProperty().get(), null);
            search.pause(); // before its first round ends: writing the run folder comes first
        });
        robot.clickOn("#run-stop");
        waitFor(() -> !search.runningProperty().get() && search.runTable().size() > before);
        RunRow stopped = newest();
        assertEquals("stopped", stopped.state());
        int done = stopped.trials().done();
        assertTrue(done < 30, done + " trials");
        assertEquals(done, TrialLog.read(stopped.dir().resolve(TrialLog.FILE)).size());
        resumeFromTable(robot, stopped);
        assertSameRun(wholeTrials, wholeBest, stopped.dir());

        // Cut off after 12 trials, as a crash leaves it (no result): Resume goes on from the 13th.
        Path cut = whole.dir().resolveSibling(whole.name() + "-cut");
        copy(whole.dir(), cut);
        List<String> lines = Files.readAllLines(cut.resolve(TrialLog.FILE), StandardCharsets.UTF_8);
        Files.write(cut.resolve(TrialLog.FILE), lines.subList(0, 12), StandardCharsets.UTF_8);
        Files.delete(cut.resolve(RunFiles.RESULT));
        robot.interact(search::refreshRuns);
        RunRow crashed = search.runTable().stream().filter(r -> r.dir().equals(cut)).findFirst().orElseThrow();
        assertEquals("stopped", crashed.state());
        assertEquals(new RunRow.Trials(12, 30), crashed.trials());
        resumeFromTable(robot, crashed);
        assertSameRun(wholeTrials, wholeBest, cut);
    }

    private void resumeFromTable(FxRobot robot, RunRow row) throws Exception {
        robot.clickOn("#search-runs");
        TableView<RunRow> table = window.searchPane().runsView().table();
        waitFor(() -> table.getItems().stream().anyMatch(r -> r.dir().equals(row.dir())));
        robot.interact(() -> table.getSelectionModel().clearAndSelect(table.getItems().indexOf(
                table.getItems().stream().filter(r -> r.dir().equals(row.dir())).findFirst().orElseThrow())));
        robot.clickOn("#run-resume");
        waitFor(() -> !search.runningProperty().get() && search.runTable().stream()
                .anyMatch(r -> r.dir().equals(row.dir()) && r.state().equals("finished")));
        assertEquals("", search.messageProperty().get());
    }

    private void assertSameRun(List<Trial> wholeTrials, TrialsViewModel.TrialPoint wholeBest, Path resumed) throws Exception {
        List<Trial> trials = TrialLog.read(resumed.resolve(TrialLog.FILE));
        assertEquals(wholeTrials.stream().map(Trial::architecture).toList(), trials.stream().map(Trial::architecture).toList());
        assertEquals(30, search.trials().points().size(), "the resumed run shows every trial, the replayed ones too");
        assertEquals(wholeBest.index(), search.trials().best().index());
        assertEquals(wholeBest.accuracy(), search.trials().best().accuracy(), 0);
        RunRow row = search.runTable().stream().filter(r -> r.dir().equals(resumed)).findFirst().orElseThrow();
        assertEquals(wholeBest.accuracy(), row.bestAccuracy(), 0);
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().equals("lock")) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }
}

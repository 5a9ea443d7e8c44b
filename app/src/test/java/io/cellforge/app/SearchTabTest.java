package io.cellforge.app;

import io.cellforge.space.Problem;
import io.cellforge.app.search.SearchPane;
import io.cellforge.data.Datasets;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceYaml;
import io.cellforge.search.RunFiles;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListCell;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Search tab's guard rails and its fixes, each as a person meets it; no test here runs a search. */
@ExtendWith(ApplicationExtension.class)
class SearchTabTest {
    private MainViewModel vm;
    private MainWindow window;
    private Path dir;
    /** Every data set the tab asked for: a search refused before it starts reads none. */
    private final AtomicInteger loads = new AtomicInteger();

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("cellforge-search-tab");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        window.search().setDataSource(spec -> {
            loads.incrementAndGet();
            throw new LoadException(spec, "this test reads no data");
        });
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("darts-mini");
        stage.show();
        window.search().loadPreview(); // with this test's data source
    }

    private void waitFor(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private List<Label> problemLabels(FxRobot robot) {
        return robot.lookup("#run-problems .run-problem").queryAll().stream().map(n -> (Label) n).toList();
    }

    @Test
    void anInvalidSpaceIsRefusedBeforeAnyDataIsReadWithEveryProblemListedAndClickable(FxRobot robot) throws Exception {
        String yaml = SpaceYaml.write(Zoo.get("darts-mini").orElseThrow())
                .replace("{key: normal_n2_switch, n_chosen: 2", "{key: normal_n2_switch, n_chosen: 5");
        Path f = Files.writeString(dir.resolve("broken.yaml"), yaml);
        robot.interact(() -> vm.documents().openFile(f));
        robot.clickOn("#tab-search");
        waitFor(() -> robot.lookup("#data-counts").queryLabeled().getText().startsWith("Cannot read"));
        int before = loads.get();

        robot.interact(() -> window.search().start(vm.state().spaceProperty().get(), null));
        assertFalse(window.search().runningProperty().get());
        assertEquals(before, loads.get(), "no data was read");
        List<Problem> listed = window.search().problems();
        assertFalse(listed.isEmpty());
        Problem p = listed.get(0);
        assertTrue(p.toString().contains("normal") && p.toString().contains("n2"), p.toString());
        assertTrue(window.search().messageProperty().get().startsWith("Not started"), window.search().messageProperty().get());
        List<Label> shown = problemLabels(robot);
        assertEquals(listed.stream().map(Problem::toString).toList(), shown.stream().map(Label::getText).toList());
        Label cell = shown.get(0);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(p.toString(), ((javafx.scene.text.Text) cell.lookup(".text")).getText(), "the whole problem as drawn, not cut");

        // A click shows its place in the designer.
        robot.clickOn(cell);
        waitFor(() -> window.tabs().getSelectionModel().getSelectedItem().getId().equals("tab-design"));
        assertEquals("normal", vm.state().cell().name());
        assertTrue(vm.state().selectionProperty().get().nodes().contains("n2"), vm.state().selectionProperty().get().toString());
        assertEquals(before, loads.get());
    }

    @Test
    void runSettingsThatDoNotFitTheSpaceAreRefusedBeforeAnyDataIsRead(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        waitFor(() -> robot.lookup("#data-counts").queryLabeled().getText().startsWith("Cannot read"));
        int before = loads.get();
        robot.interact(() -> {
            // The largest sizes the run panel offers: far more than any machine holds for this supernet.
            window.search().channelsProperty().set(512);
            window.search().layersProperty().set(64);
            window.search().batchProperty().set(4096);
            window.search().start(vm.state().spaceProperty().get(), null);
        });
        assertFalse(window.search().runningProperty().get());
        assertEquals(before, loads.get(), "no data was read");
        List<Problem> listed = window.search().problems();
        assertEquals(1, listed.size(), listed.toString());
        assertEquals(listed.get(0).toString(), problemLabels(robot).get(0).getText());
        assertTrue(listed.get(0).toString().startsWith("network: at the run's size (512 channels, 64 cells), batch 4096: "
                + "a training run of this network with batch size 4096 needs about"), listed.toString());

        robot.interact(() -> {
            window.search().apply(io.cellforge.app.search.SearchViewModel.Preset.QUICK_LOOK);
            window.search().lrProperty().set(-1);
            window.search().start(vm.state().spaceProperty().get(), null);
        });
        assertEquals(before, loads.get());
        assertTrue(window.search().problems().get(0).toString().startsWith("run settings: "), window.search().problems().toString());
    }

    /** A search that failed: the bar stops, determinate; another document clears the failure and the cell shown. */
    @Test
    void aFailureStopsTheProgressBarAndAnotherDocumentStartsTheTabAfresh(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        // A past run of this document in view: its cell is shown.
        SearchSpace s = vm.state().spaceProperty().get();
        Path run = vm.documents().runsRoot().resolve("r1");
        RunFiles.start(run, s, SearchConfig.builder("darts").epochs(1).build(), Datasets.DIGITS);
        robot.interact(() -> {
            window.search().setRunsRoot(vm.documents().runsRoot());
            window.search().show(window.search().runs().get(0));
        });
        @SuppressWarnings("unchecked")
        ComboBox<String> cell = robot.lookup("#live-cell").queryAs(ComboBox.class);
        assertEquals("normal", cell.getValue());

        robot.interact(() -> window.search().start(s, null)); // the data cannot be read: it fails after it started
        waitFor(() -> !window.search().runningProperty().get());
        assertTrue(window.search().messageProperty().get().startsWith("The search failed"), window.search().messageProperty().get());
        ProgressBar bar = robot.lookup("#run-progress").queryAs(ProgressBar.class);
        assertFalse(bar.isIndeterminate(), "an indeterminate bar animates for ever");
        assertTrue(window.search().endingProperty().get().failed());
        // A notification says so, wherever the person is.
        waitFor(() -> robot.lookup(".notification-bar").tryQuery().isPresent());

        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        assertEquals("", window.search().messageProperty().get());
        assertNull(window.search().searchedProperty().get());
        assertTrue(cell.getItems().isEmpty(), cell.getItems().toString());
        assertTrue(window.search().steps().isEmpty());
        assertEquals("Not started", window.search().progressTextProperty().get());
    }

    /** A run another window (or process) is running holds its lock: it is marked running and not resumed here. */
    @Test
    void aLiveRunOfAnotherWindowIsNotResumedHere(FxRobot robot) throws Exception {
        SearchSpace s = vm.state().spaceProperty().get();
        Path run = vm.documents().runsRoot().resolve("r1");
        RunFiles.start(run, s, SearchConfig.builder("darts").epochs(1).build(), Datasets.DIGITS);
        Files.createDirectories(run.resolve(RunFiles.CHECKPOINT));
        try (FileChannel ch = FileChannel.open(run.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            robot.interact(() -> window.search().setRunsRoot(vm.documents().runsRoot()));
            RunFiles.Run r = window.search().runs().get(0);
            assertTrue(r.isLive());
            int before = loads.get();
            robot.interact(() -> window.search().start(r.space(), r));
            assertFalse(window.search().runningProperty().get());
            assertTrue(window.search().messageProperty().get().contains("is running"), window.search().messageProperty().get());
            assertEquals(before, loads.get());
            assertEquals("running", window.search().runTable().get(0).state(), "the runs table says so");
            robot.clickOn("#tab-search");
            robot.clickOn("#search-runs");
            robot.interact(() -> window.searchPane().runsView().table().getSelectionModel().select(0));
            assertTrue(robot.lookup("#run-resume").queryButton().isDisabled(), "and does not offer to resume it");
        }
        assertFalse(RunFiles.read(run).isLive(), "free again once the run ended");
    }

    /** A run stopped in its first epoch is plotted at its real epochs: 2 of 11 steps are 2/11 of an epoch, not 1. */
    @Test
    void aReplayedRunIsPlottedAtItsRealEpochs(FxRobot robot) throws Exception {
        SearchSpace s = vm.state().spaceProperty().get();
        Path run = vm.documents().runsRoot().resolve("r1");
        RunFiles.start(run, s, SearchConfig.builder("darts").epochs(2).build(), Datasets.DIGITS);
        Files.writeString(run.resolve(RunFiles.EVENTS), """
                {"type":"start","epochs":2,"steps_per_epoch":11}
                {"type":"step","epoch":0,"step":0,"train_loss":2.3,"train_accuracy":0.1,"valid_loss":2.3,"images_per_s":10,"weights":{}}
                {"type":"step","epoch":0,"step":1,"train_loss":2.2,"train_accuracy":0.2,"valid_loss":2.2,"images_per_s":10,"weights":{}}
                """);
        robot.interact(() -> {
            window.search().setRunsRoot(vm.documents().runsRoot());
            window.search().show(window.search().runs().get(0));
        });
        SearchPane pane = window.searchPane();
        List<Double> xs = pane.series().get(0).getData().stream().map(d -> d.getXValue().doubleValue()).toList();
        assertEquals(List.of(1 / 11.0, 2 / 11.0), xs);
    }

    /** At the default window size every chart shows its legend, inside the chart. */
    @Test
    void chartLegendsShowAtTheDefaultWindowSize(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1280, window.searchPane().getScene().getWidth(), 0);
        for (String id : List.of("#loss-chart", "#accuracy-chart")) {
            LineChart<?, ?> chart = robot.lookup(id).queryAs(LineChart.class);
            Node legend = chart.lookup(".chart-legend");
            assertTrue(legend.isVisible(), id);
            Bounds b = legend.localToScene(legend.getLayoutBounds());
            Bounds c = chart.localToScene(chart.getLayoutBounds());
            assertTrue(b.getHeight() > 10 && b.getWidth() > 10, id + " legend " + b);
            assertTrue(c.contains(b), id + ": legend " + b + " outside the chart " + c);
        }
    }

    /** A finished run written as the run service writes one, without searching. */
    private static void finishedRun(Path dir, SearchSpace s, String strategy, int epochs, double accuracy, String op) throws Exception {
        RunFiles.start(dir, s, SearchConfig.builder(strategy).epochs(epochs).build(), Datasets.DIGITS);
        io.cellforge.arch.Architecture a = io.cellforge.search.Derivation.derive(s, java.util.Map.of());
        a = a.with("normal_n2_p0", new io.cellforge.arch.Decision.Op(op));
        List<io.cellforge.search.SearchEvents.Epoch> ep = new java.util.ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            ep.add(new io.cellforge.search.SearchEvents.Epoch(e, epochs, 1.0, 0.5, 1.1, accuracy, java.util.Map.of(), a, 30));
        }
        try (RunFiles.EventLog log = new RunFiles.EventLog(dir.resolve(RunFiles.EVENTS), false)) {
            ep.forEach(log::epoch);
        }
        RunFiles.writeResult(s, new io.cellforge.search.SearchResult(a, java.util.Map.of(), ep, true, "test"), dir);
    }

    @Test
    void theRunsTableSortsAndComparesTwoRunsSideBySide(FxRobot robot) throws Exception {
        SearchSpace s = vm.state().spaceProperty().get();
        finishedRun(vm.documents().runsRoot().resolve("a-run"), s, "darts", 2, 0.61, "sep_conv_3x3");
        finishedRun(vm.documents().runsRoot().resolve("b-run"), s, "gdas", 3, 0.55, "max_pool_3x3");
        robot.clickOn("#tab-search");
        robot.clickOn("#search-runs");
        waitFor(() -> window.searchPane().runsView().table().getItems().size() == 2);
        var table = window.searchPane().runsView().table();
        assertEquals(List.of("a-run", "b-run"), table.getItems().stream().map(r -> r.name()).toList());
        assertTrue(table.getItems().get(0).params() > 0, "the found network's parameters");
        assertEquals(60, table.getItems().get(0).seconds(), 1e-9);

        // Sorted by accuracy (ascending, then descending) with a click on its header.
        robot.clickOn((Node) robot.lookup("#col-accuracy").query());
        WaitForAsyncUtils.waitForFxEvents();
        if (!table.getSortOrder().isEmpty() && table.getItems().get(0).name().equals("a-run")) {
            robot.clickOn((Node) robot.lookup("#col-accuracy").query());
        }
        waitFor(() -> table.getItems().get(0).name().equals("b-run"));

        // Two runs chosen (Ctrl+click): their settings, figures and decisions side by side, differences in bold.
        List<Node> rows = robot.lookup("#runs .table-row-cell").queryAll().stream()
                .filter(c -> ((javafx.scene.control.TableRow<?>) c).getItem() != null).toList();
        robot.clickOn(rows.get(0));
        robot.press(javafx.scene.input.KeyCode.CONTROL).clickOn(rows.get(1)).release(javafx.scene.input.KeyCode.CONTROL);
        waitFor(() -> table.getSelectionModel().getSelectedItems().size() == 2);
        List<String> texts = window.searchPane().runsView().comparison().getChildren().stream()
                .map(n -> ((javafx.scene.control.Label) n).getText()).toList();
        assertTrue(texts.containsAll(List.of("a-run", "b-run", "strategy", "darts", "gdas", "valid accuracy", "0.6100", "0.5500",
                "decision normal_n2_p0", "sep_conv_3x3", "max_pool_3x3")), texts.toString());
        long differing = window.searchPane().runsView().comparison().getChildren().stream()
                .filter(n -> n.getStyleClass().contains("run-differs")).count();
        assertTrue(differing >= 3 * 5, "strategy, epochs, valid accuracy, duration and one decision differ: " + differing);
    }
}

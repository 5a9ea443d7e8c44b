package io.cellforge.app;

import io.cellforge.app.search.ResultView;
import io.cellforge.app.search.ResultViewModel;
import io.cellforge.search.RunFiles;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.SearchSpace;
import javafx.scene.control.Label;
import javafx.scene.control.Tab;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A search run from the run panel as a person runs it, headless: tiny settings so that it takes seconds. */
@ExtendWith(ApplicationExtension.class)
class SearchPaneTest {
    private MainViewModel vm;
    private MainWindow window;
    private Path dir;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("cellforge-search");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        window.setFilePicker(new MainWindow.FilePicker() {
            @Override
            public Optional<Path> open(String title, List<javafx.stage.FileChooser.ExtensionFilter> filters) {
                return Optional.empty();
            }

            @Override
            public Optional<Path> save(String title, String initialName, List<javafx.stage.FileChooser.ExtensionFilter> filters) {
                return Optional.of(dir.resolve(initialName));
            }
        });
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("darts-mini");
        stage.show();
    }

    /** Types a value into a spinner's editor as a person does. */
    private void set(FxRobot robot, String id, String value) {
        robot.doubleClickOn(id + " .text-field").eraseText(8).write(value).push(KeyCode.ENTER);
    }

    private void tinySettings(FxRobot robot, int epochs) throws Exception {
        robot.clickOn("#tab-search");
        // The bundled digits are chosen, with a preview of a few images and the class counts.
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#data-counts").queryAs(Label.class).getText().contains("10 classes"));
        assertEquals(12, robot.lookup("#data-preview").queryAs(javafx.scene.layout.FlowPane.class).getChildren().size());
        set(robot, "#run-epochs", String.valueOf(epochs));
        set(robot, "#run-channels", "4");
        set(robot, "#run-layers", "3");
        assertEquals(epochs, window.search().epochsProperty().get());
        assertEquals(4, window.search().channelsProperty().get());
        assertEquals(3, window.search().layersProperty().get());
    }

    private ResultViewModel resultTab() {
        return window.tabs().getTabs().stream().map(Tab::getContent).filter(c -> c instanceof ResultView)
                .map(c -> ((ResultView) c).viewModel()).findFirst().orElse(null);
    }

    @Test
    void aTinySearchFromTheRunPanelFillsEveryViewOpensTheResultAndRetrains(FxRobot robot) throws Exception {
        tinySettings(robot, 1);
        robot.clickOn("#run-start");
        assertTrue(window.search().runningProperty().get());
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> resultTab() != null);
        WaitForAsyncUtils.waitForFxEvents();

        // The charts received a point per step (and the valid accuracy one per epoch).
        int steps = window.search().steps().size();
        assertTrue(steps >= 5, "steps: " + steps);
        var series = window.searchPane().series();
        assertEquals(steps, series.get(0).getData().size(), "train loss per step");
        assertEquals(steps, series.get(2).getData().size(), "train accuracy per step");
        assertEquals(1, series.get(3).getData().size(), "valid accuracy per epoch");

        // The weights view and the heatmap show every choice that has weights: every LayerChoice of the space.
        SearchSpace searched = window.search().searchedProperty().get();
        List<String> layerChoices = searched.mutablesByKey().values().stream().filter(m -> m instanceof LayerChoice)
                .map(Mutable::key).toList();
        assertEquals(28, layerChoices.size());
        assertEquals(layerChoices, window.searchPane().weightsView().keys());
        assertEquals(28, robot.lookup(".weight-spark").queryAll().size());
        assertTrue(window.searchPane().weightsView().heatmap().getHeight() > 28 * 15);

        // The animated cell: each LayerChoice edge names its leading op and its probability.
        List<String> labels = robot.lookup("#live-canvas .canvas-label").queryAll().stream()
                .flatMap(n -> ((javafx.scene.Group) n).getChildren().stream()).filter(t -> t instanceof Text)
                .map(t -> ((Text) t).getText()).toList();
        assertEquals(14, labels.stream().filter(t -> t.matches("\\S+ 0\\.\\d\\d")).count(), labels.toString());

        // The derived architecture opened in its own tab as a fixed network; the run is in the list.
        ResultViewModel rv = resultTab();
        assertTrue(rv.fixed().isFixed());
        assertEquals(Path.of(dir.resolve("home/runs/darts-mini").toString()), rv.run().dir().getParent());
        assertTrue(Files.exists(rv.run().dir().resolve(RunFiles.RESULT)));
        assertTrue(Files.exists(rv.run().dir().resolve("architecture.genotype")));
        assertEquals(1, window.search().runs().size());

        // The timeline replays the search from its first step.
        // (The cursor's path is recorded, not sampled: on a loaded machine the replay may be over before a look.)
        robot.interact(() -> window.tabs().getSelectionModel().select(1));
        List<Integer> cursors = new java.util.concurrent.CopyOnWriteArrayList<>();
        window.search().cursorProperty().addListener((o, a, b) -> cursors.add(b.intValue()));
        robot.clickOn("#play");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> window.search().cursorProperty().get() == steps - 1
                && window.search().followProperty().get());
        assertEquals(0, cursors.get(0), "replay starts over: " + cursors);
        assertTrue(cursors.size() > 1, "and moves on to the end: " + cursors);

        // Reopening the document lists the run; choosing it shows its history again.
        robot.interact(() -> vm.documents().openZoo("darts-mini"));
        assertEquals(1, window.search().runs().size());
        robot.interact(() -> window.search().steps().clear());
        robot.interact(() -> window.search().show(window.search().runs().get(0)));
        assertEquals(steps, window.search().steps().size());
        assertEquals(steps, series.get(0).getData().size());

        // Retrain from scratch: one epoch, a test accuracy reported and kept with the run.
        robot.interact(() -> rv.retrain(1));
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> rv.testAccuracy() != null || !rv.trainingProperty().get()
                && robot.lookup("#retrain-status").queryAs(Label.class).getText().contains("failed"));
        assertNotNull(rv.testAccuracy(), robot.lookup("#retrain-status").queryAs(Label.class).getText());
        assertTrue(rv.testAccuracy() > 0.1, "test accuracy " + rv.testAccuracy());
        assertEquals(rv.testAccuracy(), RunFiles.read(rv.run().dir()).testAccuracy());

        // The retrained network is kept with the run, and the result's Export menu writes it as ONNX.
        assertEquals(rv.testAccuracy(), io.cellforge.model.ModelFile.read(rv.run().dir().resolve(io.cellforge.model.ModelFile.IN_RUN))
                .testAccuracy(), 0.0);
        robot.interact(() -> window.tabs().getSelectionModel().select(window.tabs().getTabs().stream()
                .filter(t -> t.getContent() instanceof ResultView).findFirst().orElseThrow()));
        robot.clickOn("#result-export");
        robot.clickOn("ONNX (retrained network)...");
        Path exported = dir.resolve(rv.fixed().name() + ".onnx");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> Files.exists(exported));
        onnx.Onnx.ModelProto m = onnx.Onnx.ModelProto.parseFrom(Files.readAllBytes(exported));
        assertEquals(13, m.getOpsetImport(0).getVersion());
        assertEquals("pixels", m.getGraph().getInput(0).getName());
        assertTrue(robot.lookup("#retrain-status").queryAs(Label.class).getText().startsWith("Wrote " + exported.getFileName() + ": ONNX opset 13"),
                robot.lookup("#retrain-status").queryAs(Label.class).getText());
    }

    @Test
    void quittingDuringASearchStopsItWithACheckpoint(FxRobot robot) throws Exception {
        tinySettings(robot, 2);
        robot.clickOn("#run-start");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> window.search().steps().size() >= 2);
        // What the quit confirmation does once the person says OK.
        robot.interact(() -> window.search().stopAndWait(java.time.Duration.ofSeconds(60)));
        Path run;
        try (var l = Files.list(vm.documents().runsRoot())) {
            run = l.findFirst().orElseThrow();
        }
        assertTrue(Files.exists(run.resolve(RunFiles.CHECKPOINT)), "checkpoint written before the search thread ended");
        assertTrue(RunFiles.read(run).hasCheckpoint());
    }

    @Test
    void aStoppedSearchResumesFromItsCheckpoint(FxRobot robot) throws Exception {
        tinySettings(robot, 2);
        robot.clickOn("#run-start");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> window.search().steps().size() >= 3);
        robot.clickOn("#run-pause");
        assertTrue(window.search().pausedProperty().get());
        // (That a paused search takes no step is tested in core: OneShotSearchTest.)
        robot.clickOn("#run-stop");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !window.search().runningProperty().get());
        assertEquals(null, resultTab());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, window.search().runs().size(), window.search().messageProperty().get());
        RunFiles.Run stopped = window.search().runs().get(0);
        assertTrue(stopped.hasCheckpoint());
        assertEquals(null, stopped.architecture());

        // In the runs table.
        robot.clickOn("#search-runs");
        robot.clickOn(robot.lookup("#runs .table-row-cell").queryAll().stream()
                .filter(c -> ((javafx.scene.control.TableRow<?>) c).getItem() != null).findFirst().orElseThrow());
        robot.clickOn("#run-resume");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> resultTab() != null);
        RunFiles.Run done = RunFiles.read(stopped.dir());
        assertEquals(2, done.epochs().size());
        assertNotNull(done.architecture());
        assertFalse(window.search().runningProperty().get());
    }

    @Test
    void aChoicePinnedFromTheHeatmapStaysPinnedInTheRunItsReplayAndItsResult(FxRobot robot) throws Exception {
        tinySettings(robot, 2);
        robot.clickOn("#run-start");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> window.search().steps().size() >= 2);
        robot.clickOn("#run-pause");
        WaitForAsyncUtils.waitForFxEvents();
        var view = window.searchPane().weightsView();
        String key = view.keys().stream().filter(k -> window.search().canSteer(k)).findFirst().orElseThrow();
        var heat = view.heatmap();
        // a right-click on the cell (sent to the heatmap as the scene sends it: the cell may be scrolled out of view)
        javafx.geometry.Point2D at = view.centreOf(key, "skip_connect");
        robot.interact(() -> {
            javafx.geometry.Point2D screen = heat.localToScreen(at);
            javafx.geometry.Point2D scene = heat.localToScene(at); // the event's own coordinates are the scene's
            heat.fireEvent(new javafx.scene.input.ContextMenuEvent(javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, scene.getX(),
                    scene.getY(), screen.getX(), screen.getY(), false, null));
        });
        DesignerFixesTest.clickMenu(robot, "Pin " + key + " to skip_connect");
        robot.clickOn("#run-pause"); // reads Resume while paused
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> !window.search().steering().isEmpty());
        io.cellforge.search.Steer applied = window.search().steering().get(0);
        assertEquals(io.cellforge.search.Steer.pin(key, "skip_connect").at(applied.epoch(), applied.step()), applied);
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> resultTab() != null);
        // every step from the steer on has the choice on skip_connect alone; the result keeps it
        int skip = window.search().searchedProperty().get().mutablesByKey().get(key) instanceof io.cellforge.space.LayerChoice lc
                ? lc.indexOf("skip_connect") : -1;
        for (var st : window.search().steps()) {
            boolean after = st.epoch() > applied.epoch() || st.epoch() == applied.epoch() && st.step() >= applied.step();
            if (after) {
                assertEquals(1.0, st.weights().get(key)[skip], 0.0, "step " + st.epoch() + "/" + st.step());
            }
        }
        Path run;
        try (var l = Files.list(vm.documents().runsRoot())) {
            run = l.findFirst().orElseThrow();
        }
        RunFiles.Run done = RunFiles.read(run);
        assertEquals(List.of(applied), done.steering(), "the event log holds the steer");
        assertEquals(new io.cellforge.arch.Decision.Op("skip_connect"), done.architecture().get(key).orElseThrow());
        assertTrue(Files.readString(run.resolve(RunFiles.RESULT)).contains("\"steering\""), "result.json records it");
        // replayed: the heatmap crosses the other candidates out from the steer's step on
        robot.interact(() -> window.search().show(done));
        robot.interact(() -> window.search().cursorProperty().set(window.search().steps().size() - 1));
        assertEquals(7, window.search().prunedAtCursor().get(key).size());
        // the live cell's menu for that choice: the other candidates read as pruned, the pinned one can be neither
        // pruned (the last one left) nor pinned again, and nothing is enabled once the search is over
        var items = window.search().steerItems(key);
        assertEquals(7, items.stream().filter(i -> i.text().endsWith(" (pruned)")).count(), items.toString());
        assertTrue(items.stream().anyMatch(i -> i.text().equals("Prune skip_connect")), items.toString());
        assertTrue(items.stream().anyMatch(i -> i.text().equals("Restore every candidate of " + key)), items.toString());
        assertTrue(items.stream().noneMatch(io.cellforge.app.search.SearchViewModel.SteerItem::enabled), items.toString());
        robot.interact(() -> window.search().cursorProperty().set(0));
        assertTrue(window.search().prunedAtCursor().isEmpty(), "before the steer nothing was out");
    }

    @Test
    void aLayerChoiceEdgeOfTheLiveCellPrunesACandidateOfTheRunningSearch(FxRobot robot) throws Exception {
        tinySettings(robot, 2);
        robot.clickOn("#run-start");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> window.search().steps().size() >= 2);
        robot.clickOn("#run-pause");
        WaitForAsyncUtils.waitForFxEvents();
        // The label of a LayerChoice edge of the live cell, found where it is drawn.
        var canvas = robot.lookup("#live-canvas").queryAs(io.cellforge.app.canvas.CellCanvas.class);
        String cell = String.valueOf(robot.lookup("#live-cell").queryAs(javafx.scene.control.ComboBox.class).getValue());
        javafx.geometry.Point2D at = null;
        String key = null;
        for (javafx.scene.Node label : robot.lookup("#live-canvas .canvas-label").queryAll()) {
            javafx.geometry.Bounds b = label.localToScene(label.getBoundsInLocal());
            javafx.geometry.Point2D centre = new javafx.geometry.Point2D(b.getCenterX(), b.getCenterY());
            Optional<String> k = window.search().choiceOn(cell, canvas.edgeAt(canvas.sceneToModel(centre.getX(), centre.getY())));
            if (k.isPresent()) {
                at = centre;
                key = k.get();
                break;
            }
        }
        assertNotNull(key, "a LayerChoice edge is drawn in the live cell");
        javafx.geometry.Point2D scene = at;
        robot.interact(() -> {
            javafx.geometry.Point2D screen = canvas.localToScreen(canvas.sceneToLocal(scene));
            canvas.fireEvent(new javafx.scene.input.ContextMenuEvent(javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, scene.getX(),
                    scene.getY(), screen.getX(), screen.getY(), false, null));
        });
        // The menu shown by the edge: a row per candidate with its Prune and Pin buttons.
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#steer-prune-skip_connect").tryQuery()
                .filter(javafx.scene.Node::isVisible).isPresent());
        robot.clickOn("#steer-prune-skip_connect");
        robot.clickOn("#run-pause"); // reads Resume while paused
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> !window.search().steering().isEmpty());
        io.cellforge.search.Steer applied = window.search().steering().get(0);
        assertEquals(io.cellforge.search.Steer.prune(key, "skip_connect").at(applied.epoch(), applied.step()), applied);
        // The menu now reads the candidate as out, and offers to restore the choice.
        String k = key;
        List<String> texts = new java.util.ArrayList<>();
        robot.interact(() -> window.search().steerItems(k).forEach(i -> texts.add(i.text())));
        assertTrue(texts.contains("skip_connect (pruned)") && !texts.contains("Prune skip_connect"), texts.toString());
        assertTrue(texts.contains("Restore every candidate of " + key), texts.toString());
        robot.clickOn("#run-stop");
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, () -> !window.search().runningProperty().get());
    }
}

package io.cellforge.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.data.DataBundle;
import io.cellforge.data.DataReport;
import io.cellforge.data.Dataset;
import io.cellforge.ops.Shape;
import io.cellforge.space.Param;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
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
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bringing other data to the Search tab: a sample of them, Quick look sized to them, the open space adapted to them. */
@ExtendWith(ApplicationExtension.class)
class AppDataTest {
    private MainViewModel vm;
    private MainWindow window;
    private javafx.scene.Parent root;
    /** The data the tab reads (any name it gives), and how many times it read them. */
    private volatile DataBundle given = grey(16, 256, 32);
    private final AtomicInteger loads = new AtomicInteger();

    /** Grey images of {@code side} x {@code side} random pixels, in 10 classes. */
    private static DataBundle grey(int side, int train, int test) {
        Shape shape = new Shape(1, side, side);
        List<String> names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Random r = new Random(5);
        Dataset[] sets = new Dataset[2];
        int[] sizes = {train, test};
        for (int k = 0; k < 2; k++) {
            byte[] x = new byte[sizes[k] * side * side];
            int[] y = new int[sizes[k]];
            r.nextBytes(x);
            for (int i = 0; i < y.length; i++) {
                y[i] = i % 10;
            }
            sets[k] = new Dataset(k == 0 ? "grey train" : "grey test", shape, names, x, Dataset.EIGHT_BIT, y);
        }
        return new DataBundle(sets[0], sets[1], "grey " + side + "x" + side);
    }

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("cellforge-app-data");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        window.search().setDataSource(spec -> {
            loads.incrementAndGet();
            return given;
        });
        stage.setScene(window.scene());
        root = stage.getScene().getRoot();
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("darts-mini");
        stage.show();
    }

    private void waitFor(Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The Search tab with the data previewed. */
    private void preview(FxRobot robot, String shape) throws Exception {
        robot.clickOn("#tab-search");
        robot.interact(() -> window.search().loadPreview());
        waitFor(() -> window.search().previewTextProperty().get().contains(shape));
    }

    private void small(FxRobot robot) {
        robot.interact(() -> {
            window.search().epochsProperty().set(1);
            window.search().batchProperty().set(16);
            window.search().channelsProperty().set(4);
            window.search().layersProperty().set(3);
        });
    }

    private void stopAndWait(FxRobot robot) throws Exception {
        robot.interact(() -> window.search().stop());
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !window.search().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Presses a button of the run panel (it may be scrolled out of view). */
    private void fire(FxRobot robot, String id) {
        Button b = robot.from(root).lookup(id).queryButton();
        assertTrue(b.isVisible() && !b.isDisabled(), id + " can be pressed");
        robot.interact(b::fire);
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** The input the inspector's network section shows, once it shows {@code expected} (or after the wait, whatever it shows). */
    private String inspectorInput(FxRobot robot, String expected) throws Exception {
        Callable<String> shown = () -> robot.from(root).lookup("#insp-input").tryQuery()
                .map(n -> ((javafx.scene.control.TextInputControl) n).getText()).orElse("no input field in the inspector");
        try {
            waitFor(() -> shown.call().equals(expected));
        } catch (java.util.concurrent.TimeoutException e) {
            // the assertion says what it shows
        }
        return shown.call();
    }

    /** The fake step timer's wait for the test to let it return. */
    private static void await(java.util.concurrent.CountDownLatch l) {
        try {
            l.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Label label(FxRobot robot, String id) {
        return robot.from(root).lookup(id).queryAs(Label.class);
    }

    @Test
    void theSampleTypedInTheRunPanelIsWhatTheRunSearchesAndItsFolderRecordsIt(FxRobot robot) throws Exception {
        preview(robot, "1x16x16");
        small(robot);
        // Typed into the run panel's fields (below the fold of the panel, so set on the fields themselves).
        robot.interact(() -> {
            robot.from(root).lookup("#run-train-subset").queryTextInputControl().setText("100");
            robot.from(root).lookup("#run-test-subset").queryTextInputControl().setText("20");
        });
        robot.interact(() -> window.search().seedProperty().set(7));
        robot.clickOn(robot.from(root).lookup("#run-start").queryButton());
        Path runs = window.search().runsRoot();
        AtomicReference<Path> report = new AtomicReference<>();
        waitFor(() -> {
            try (Stream<Path> dirs = Files.list(runs)) {
                dirs.map(d -> d.resolve(DataReport.FILE)).filter(Files::isRegularFile).findFirst().ifPresent(report::set);
            }
            return report.get() != null || !window.search().runningProperty().get();
        });
        assertTrue(report.get() != null, "no data.json: " + window.search().messageProperty().get());
        JsonNode sample = new ObjectMapper().readTree(report.get().toFile()).path("sample");
        assertEquals(100, sample.path("train").asInt());
        assertEquals(256, sample.path("train_of").asInt());
        assertEquals(20, sample.path("test").asInt());
        assertEquals(32, sample.path("test_of").asInt());
        assertEquals(7, sample.path("seed").asInt(), "drawn with the run's seed");
        // The search steps through the sample: 50 images to train on, batches of 16.
        waitFor(() -> !window.search().steps().isEmpty() || !window.search().runningProperty().get());
        assertFalse(window.search().steps().isEmpty(), window.search().messageProperty().get());
        assertEquals(3, window.search().steps().get(0).stepsPerEpoch());
        stopAndWait(robot);
    }

    @Test
    void aSampleLargerThanTheDataIsRefusedBeforeStart(FxRobot robot) throws Exception {
        preview(robot, "1x16x16");
        int read = loads.get();
        robot.interact(() -> {
            window.search().trainSubsetProperty().set("1000");
            window.search().start(vm.state().spaceProperty().get(), null);
        });
        assertFalse(window.search().runningProperty().get());
        assertEquals(List.of("Training images 1000: the data have 256 training images; give 1..256"),
                window.search().problems().stream().map(Problem::message).toList());
        robot.interact(() -> {
            window.search().trainSubsetProperty().set("");
            window.search().testSubsetProperty().set("a few");
            window.search().start(vm.state().spaceProperty().get(), null);
        });
        assertFalse(window.search().runningProperty().get());
        assertEquals(List.of("Test images 'a few': give a whole number of at least 1, or leave it empty for all"),
                window.search().problems().stream().map(Problem::message).toList());
        assertEquals(read, loads.get(), "no data read for a refused start");
    }

    @Test
    void quickLookSizesTheSampleFromTheStepTimedOnTheNetworkStartWouldSearch(FxRobot robot) throws Exception {
        given = grey(16, 20_000, 100);
        preview(robot, "1x16x16");
        AtomicReference<SearchSpace> timed = new AtomicReference<>();
        window.search().setStepTimer((space, data, cfg, cancel) -> {
            timed.set(space);
            return 2.0;
        });
        robot.interact(() -> window.search().channelsProperty().set(16));
        fire(robot, "#preset-quick");
        assertEquals(8, window.search().channelsProperty().get(), "the small sizes at once");
        waitFor(() -> window.search().quickLookTextProperty().get().startsWith("Quick look"));
        // 2 s a step, 2 epochs of 75 steps, each half of the sample holding 75 batches of 64.
        assertEquals("Quick look: 2 epochs on 9,600 of 20,000 training images, about 5 min (a step took 2.0 s here)",
                label(robot, "#quick-look-text").getText());
        assertEquals("9600", window.search().trainSubsetProperty().get());
        assertEquals(new Shape(1, 16, 16), timed.get().network().input(), "the network adapted to the data, as Start builds it");
        assertEquals(8, timed.get().network().channels());
        // A search started after the timing ended leaves what it found (it stops only a timing under way).
        robot.interact(() -> window.search().start(vm.state().spaceProperty().get(), null));
        assertTrue(window.search().quickLookTextProperty().get().startsWith("Quick look: 2 epochs on 9,600"),
                window.search().quickLookTextProperty().get());
        stopAndWait(robot);

        // Data that end in time whole are not sampled.
        window.search().setStepTimer((space, data, cfg, cancel) -> 0.05);
        fire(robot, "#preset-quick");
        waitFor(() -> window.search().quickLookTextProperty().get().startsWith("Quick look: 2 epochs on all"));
        assertEquals("Quick look: 2 epochs on all 20,000 training images, under a minute (a step took 50 ms here)",
                window.search().quickLookTextProperty().get());
        assertEquals("", window.search().trainSubsetProperty().get());
    }

    @Test
    void aQuickLookOvertakenByThePaperPresetOrOtherDataSizesNothing(FxRobot robot) throws Exception {
        given = grey(16, 20_000, 100);
        preview(robot, "1x16x16");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean returned = new java.util.concurrent.atomic.AtomicBoolean();
        window.search().setStepTimer((space, data, cfg, cancel) -> {
            await(release);
            returned.set(true);
            return 2.0;
        });
        fire(robot, "#preset-quick");
        assertTrue(window.search().quickLookTextProperty().get().startsWith("Timing a step"));
        robot.interact(() -> window.search().apply(io.cellforge.app.search.SearchViewModel.Preset.PAPER));
        release.countDown();
        waitFor(returned::get);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", window.search().trainSubsetProperty().get(), "the paper's setting takes all the images");
        assertEquals("", window.search().quickLookTextProperty().get());
        assertEquals(50, window.search().epochsProperty().get());

        java.util.concurrent.CountDownLatch again = new java.util.concurrent.CountDownLatch(1);
        returned.set(false);
        window.search().setStepTimer((space, data, cfg, cancel) -> {
            await(again);
            returned.set(true);
            return 2.0;
        });
        fire(robot, "#preset-quick");
        robot.interact(() -> window.search().dataProperty().set("other"));
        again.countDown();
        waitFor(returned::get);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", window.search().trainSubsetProperty().get(), "a count of the old data is not applied to the new");
        assertEquals("Quick look: not sized (other data were chosen; press it again)", window.search().quickLookTextProperty().get());
    }

    @Test
    void dataOfAnotherShapeOfferToAdaptTheOpenSpaceAsOneUndoableEdit(FxRobot robot) throws Exception {
        preview(robot, "1x16x16");
        Label shape = label(robot, "#data-shape");
        Button adapt = robot.from(root).lookup("#data-adapt").queryButton();
        assertEquals("The network takes 1x8x8, 10 classes; the data are 1x16x16, 10 classes", shape.getText());
        assertTrue(adapt.isVisible());
        SearchSpace before = vm.state().spaceProperty().get();

        fire(robot, "#data-adapt");
        assertEquals(new Shape(1, 16, 16), vm.state().spaceProperty().get().network().input());
        assertEquals("The network takes 1x16x16, 10 classes, as the data", shape.getText());
        assertFalse(adapt.isVisible());
        robot.clickOn("#tab-design");
        robot.interact(() -> vm.state().select(DocumentState.NETWORK)); // the network stack, its settings in the inspector
        assertEquals("1x16x16", inspectorInput(robot, "1x16x16"), "the designer shows the new input");

        robot.press(KeyCode.CONTROL, KeyCode.Z).release(KeyCode.Z, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before, vm.state().spaceProperty().get(), "one undo restores the space");
        assertEquals("1x8x8", inspectorInput(robot, "1x8x8"));
        assertTrue(adapt.isVisible());
        robot.interact(() -> vm.edits().redo());
        assertEquals(new Shape(1, 16, 16), vm.state().spaceProperty().get().network().input());

        // Data no network of the space can take: Adaptation's reason, and nothing to click.
        given = grey(2, 64, 16);
        robot.clickOn("#tab-search");
        preview(robot, "1x2x2");
        assertTrue(shape.getText().startsWith("The network takes 1x16x16, 10 classes; the data are 1x2x2, 10 classes: space 'darts-mini' cannot take"),
                shape.getText());
        assertFalse(adapt.isVisible());
    }

    @Test
    void retrainingAResultTakesItsOwnSampleIsFedAsTheSearchWasAndShowsItsSteps(FxRobot robot) throws Exception {
        preview(robot, "1x16x16");
        small(robot);
        robot.interact(() -> window.search().trainSubsetProperty().set("64")); // a quick look's sample in the run panel
        robot.clickOn(robot.from(root).lookup("#run-start").queryButton());
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> window.search().finishedProperty().get() != null
                || !window.search().runningProperty().get() && !window.search().messageProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(window.search().finishedProperty().get() != null, window.search().messageProperty().get());
        io.cellforge.app.search.ResultViewModel rv = window.search().result(window.search().finishedProperty().get());

        List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Double> bar = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> {
            rv.statusProperty().addListener((o, a, b) -> said.add(b));
            rv.progressProperty().addListener((o, a, b) -> bar.add(b.doubleValue()));
            rv.trainImagesProperty().set("48");
            rv.retrain(1);
        });
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> rv.testAccuracy() != null || !rv.trainingProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(rv.testAccuracy() != null, rv.statusProperty().get());
        // The tab's 48, not the panel's 64; the search's normalisation (its data.json) read back.
        assertTrue(said.stream().anyMatch(t -> t.startsWith("Retraining 1 epoch on 48 of 256 training images")
                && t.contains("normalised as the search")), said.toString());
        // Three steps of 16: the first is always shown, within the epoch, with its ETA.
        assertTrue(said.stream().anyMatch(t -> t.startsWith("Epoch 1/1, step 1/3: train loss ") && t.contains(" ETA ")), said.toString());
        assertTrue(bar.stream().anyMatch(p -> p > 0 && p < 1), "the bar moves within the epoch: " + bar);
    }

    @Test
    void nasBench201StartsAtTheAppsDefaultSize(FxRobot robot) throws Exception {
        robot.interact(() -> vm.documents().openZoo("nas-bench-201"));
        preview(robot, "1x16x16");
        SearchSpace nb201 = vm.state().spaceProperty().get();
        assertEquals(8, window.search().channelsProperty().get());
        assertEquals(5, window.search().layersProperty().get());
        assertEquals(List.of(), window.search().refusals(nb201, null), "was: none cannot change channels (16 -> 8)");
        robot.interact(() -> {
            window.search().epochsProperty().set(1);
            window.search().batchProperty().set(8);
            window.search().start(nb201, null);
        });
        assertTrue(window.search().problems().isEmpty(), window.search().problems().toString());
        waitFor(() -> window.search().searchedProperty().get() != null || !window.search().runningProperty().get());
        SearchSpace searched = window.search().searchedProperty().get();
        assertTrue(searched != null, window.search().messageProperty().get());
        assertEquals(8, searched.network().channels());
        assertEquals(Param.of(8), searched.network().stem().get(0).get(0).params().get("out"), "the stem follows the run's width");
        stopAndWait(robot);
        assertFalse(window.search().messageProperty().get().startsWith("The search failed"), window.search().messageProperty().get());
    }
}

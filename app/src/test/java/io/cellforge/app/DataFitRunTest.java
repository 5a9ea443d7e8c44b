package io.cellforge.app;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.ops.Shape;
import javafx.scene.control.Label;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data of another shape than the open space's: the run's network takes them, and the run panel says what changed. */
@ExtendWith(ApplicationExtension.class)
class DataFitRunTest {
    private MainViewModel vm;
    private MainWindow window;
    private javafx.scene.Parent root;

    /** Grey 16x16 images of random pixels in 10 classes: another size than darts-mini's 8x8. */
    private static DataBundle grey16(int train, int test) {
        Shape shape = new Shape(1, 16, 16);
        List<String> names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        Random r = new Random(5);
        Dataset[] sets = new Dataset[2];
        int[] sizes = {train, test};
        for (int k = 0; k < 2; k++) {
            byte[] x = new byte[sizes[k] * 256];
            int[] y = new int[sizes[k]];
            r.nextBytes(x);
            for (int i = 0; i < y.length; i++) {
                y[i] = i % 10;
            }
            sets[k] = new Dataset(k == 0 ? "grey16 train" : "grey16 test", shape, names, x, Dataset.EIGHT_BIT, y);
        }
        return new DataBundle(sets[0], sets[1], "grey16");
    }

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("cellforge-data-fit");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        window.search().setDataSource(spec -> grey16(256, 32));
        stage.setScene(window.scene());
        root = stage.getScene().getRoot();
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("darts-mini");
        stage.show();
        window.search().loadPreview(); // with this test's data source
    }

    @Test
    void dataOfAnotherSizeAreTakenByTheRunsNetworkAndTheRunPanelSaysSo(FxRobot robot) throws Exception {
        robot.clickOn("#tab-search");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> window.search().previewTextProperty().get().contains("1x16x16"));
        Label fit = robot.from(root).lookup("#data-fit").queryAs(Label.class);
        assertFalse(fit.isVisible(), "nothing said before a run");
        robot.interact(() -> {
            window.search().epochsProperty().set(1);
            window.search().batchProperty().set(16);
            window.search().channelsProperty().set(4);
            window.search().layersProperty().set(3);
        });
        robot.clickOn(robot.from(root).lookup("#run-start").queryButton());
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> window.search().searchedProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("input 1x8x8 -> 1x16x16 from the data", fit.getText());
        assertTrue(fit.isVisible());
        assertEquals(new Shape(1, 16, 16), window.search().searchedProperty().get().network().input());
        // The document is the template it was: only the run's copy takes the data.
        assertEquals(new Shape(1, 8, 8), vm.state().spaceProperty().get().network().input());
        // It searches: steps are taken on 16x16 images.
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !window.search().steps().isEmpty()
                || !window.search().runningProperty().get());
        assertTrue(!window.search().steps().isEmpty(), window.search().messageProperty().get());
        robot.interact(() -> window.search().stop());
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !window.search().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
    }
}

package io.cellforge.app;

import io.cellforge.data.Datasets;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A space of dynamic convolutions searched in the app on the bundled strokes, with their context (issue 17). */
@ExtendWith(ApplicationExtension.class)
class DynamicSearchAppTest {
    private MainViewModel vm;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path dir = Files.createTempDirectory("cellforge-app-dynamic");
        vm = new MainViewModel(new Workspace(dir.resolve("home")));
        window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        stage.show();
    }

    @Test
    void aSpaceWhoseGeneratorsReadAContextSearchesTheStrokesAndShowsItsDynamicChoices(FxRobot robot) throws Exception {
        assertEquals(Datasets.DIGITS, window.search().dataProperty().get(), "the app starts on the digits");
        assertFalse(window.search().strokesOfferedProperty().get(), "no space open reads a context");
        robot.interact(() -> vm.documents().openZoo("dynamic-strokes"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> Datasets.STROKES.equals(window.search().dataProperty().get()));
        // Digits chosen by hand stay chosen, with the strokes offered beside them.
        robot.interact(() -> window.search().useDigits());
        assertTrue(window.search().strokesOfferedProperty().get());
        robot.interact(() -> window.search().useStrokes());
        assertFalse(window.search().strokesOfferedProperty().get());
        robot.clickOn("#tab-search");
        robot.interact(() -> {
            window.search().epochsProperty().set(1);
            window.search().batchProperty().set(32);
            window.search().trainSubsetProperty().set("256");
            window.search().testSubsetProperty().set("64");
            window.search().start(vm.state().spaceProperty().get(), null);
        });
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !window.search().steps().isEmpty() || !window.search().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(window.search().steps().isEmpty(), window.search().messageProperty().get() + " "
                + window.search().problems());
        assertEquals(Set.of("n1_p0", "n2_p0", "n2_p1"), window.search().steps().get(0).weights().keySet());
        robot.interact(() -> window.search().stop());
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> !window.search().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(window.search().problems().isEmpty(), window.search().problems()::toString);
    }
}

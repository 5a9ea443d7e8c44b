package io.cellforge.app;

import io.cellforge.space.Cell;
import io.cellforge.space.OpCall;
import javafx.scene.Node;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The searchable pickers (ControlsFX): the palette's clearable search and the quick op picker on the canvas. */
@ExtendWith(ApplicationExtension.class)
class PickersTest {
    private MainViewModel vm;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        vm = new MainViewModel(new Workspace(Files.createTempDirectory("cellforge-pickers")));
        window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("darts-eval"); // fixed ops on every edge
        stage.show();
    }

    private List<String> entries(FxRobot robot) {
        return robot.lookup(".palette-entry").queryAll().stream().map(n -> ((javafx.scene.control.Label) n).getText()).toList();
    }

    private String op(String from, String to) {
        Cell c = vm.state().cell();
        return ((OpCall) c.edge(from, to).orElseThrow().op()).label();
    }

    @Test
    void thePaletteSearchFiltersAndItsCrossClearsIt(FxRobot robot) throws Exception {
        int all = entries(robot).size();
        robot.push(KeyCode.CONTROL, KeyCode.F); // Ctrl+F still focuses the search
        WaitForAsyncUtils.waitForFxEvents();
        TextField search = robot.lookup("#palette-search").queryAs(TextField.class);
        assertTrue(search.isFocused());
        robot.write("dil_conv");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> entries(robot).size() < all);
        assertEquals(List.of("dil_conv_3x3", "dil_conv_5x5", "dyn_dil_conv_3x3", "dyn_dil_conv_5x5"), entries(robot),
                "DARTS's two, then the Dynamic group's");
        // ControlsFX's clear button, shown while there is text.
        Node cross = robot.from(search).lookup(".clear-button").query();
        robot.clickOn(cross);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> entries(robot).size() == all);
        assertEquals("", search.getText());
    }

    @Test
    void theOpPickerSetsTheOpOfTwoSelectedEdgesInOneUndoStep(FxRobot robot) throws Exception {
        assertEquals("sep_conv_3x3", op("in0", "n2"));
        assertEquals("sep_conv_3x3", op("in1", "n2"));
        robot.clickOn(window.canvas(), javafx.scene.input.MouseButton.MIDDLE); // focus the canvas, as a person's click does
        robot.interact(() -> vm.state().setSelection(new Selection(Set.of(), Set.of(List.of("in0", "n2"), List.of("in1", "n2")))));
        robot.push(KeyCode.O);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> robot.lookup("#op-picker").tryQuery().filter(Node::isVisible).isPresent());
        // The search field of the open list has the focus: type, pick the match with Enter.
        robot.write("dil_conv_5x5");
        WaitForAsyncUtils.waitForFxEvents();
        robot.push(KeyCode.ENTER);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> op("in0", "n2").equals("dil_conv_5x5"));
        assertEquals("dil_conv_5x5", op("in1", "n2"));
        assertEquals("sep_conv_3x3", op("in0", "n3")); // not selected
        robot.interact(vm.edits()::undo);
        assertEquals("sep_conv_3x3", op("in0", "n2"));
        assertEquals("sep_conv_3x3", op("in1", "n2"));
    }
}

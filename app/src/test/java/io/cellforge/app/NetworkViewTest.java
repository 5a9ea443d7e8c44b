package io.cellforge.app;

import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.diagram.DiagramView;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import javafx.css.PseudoClass;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network view of spaces without cells (issue 13): the stack fits, and every block is selectable, inspectable, editable. */
@ExtendWith(ApplicationExtension.class)
class NetworkViewTest {
    private MainViewModel vm;
    private MainWindow window;

    @Start
    void start(javafx.stage.Stage stage) throws Exception {
        vm = new MainViewModel(new Workspace(Files.createTempDirectory("cellforge-network")));
        window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("mobilenetv2-imagenet");
        stage.show();
    }

    private SearchSpace space() {
        return vm.state().spaceProperty().get();
    }

    private Stage stage(String name) {
        return space().network().stages().stream().filter(s -> name.equals(s.name())).findFirst().orElseThrow();
    }

    private static DiagramView view(FxRobot robot) {
        return robot.lookup("#network").queryAs(DiagramView.class);
    }

    private static List<Node> all(Node n) {
        List<Node> out = new ArrayList<>();
        out.add(n);
        if (n instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> out.addAll(all(c)));
        }
        return out;
    }

    private static double screenScale(Node n) {
        return n.localToScene(0, 1).getY() - n.localToScene(0, 0).getY();
    }

    /** At fit in the default window: every box inside the view, no two overlapping, every text at least the legible size. */
    private List<String> fitProblems(FxRobot robot, String zoo, int boxes) {
        robot.interact(() -> vm.documents().openZoo(zoo));
        robot.clickOn("#tool-fit");
        WaitForAsyncUtils.waitForFxEvents();
        DiagramView v = view(robot);
        Bounds visible = v.localToScene(v.getLayoutBounds());
        List<String> problems = new ArrayList<>();
        List<Node> drawn = robot.lookup(".diagram-box").queryAll().stream().filter(n -> v.equals(n.getParent().getParent())).toList();
        if (drawn.size() != boxes) {
            problems.add(zoo + ": " + drawn.size() + " boxes, expected " + boxes);
        }
        List<Bounds> b = drawn.stream().map(n -> n.localToScene(n.getBoundsInLocal())).toList();
        for (int i = 0; i < b.size(); i++) {
            if (!visible.contains(b.get(i))) {
                problems.add(zoo + ": " + drawn.get(i).getId() + " at " + b.get(i) + " is outside the view " + visible);
            }
            for (int j = i + 1; j < b.size(); j++) {
                if (b.get(i).intersects(b.get(j))) {
                    problems.add(zoo + ": " + drawn.get(i).getId() + " covers " + drawn.get(j).getId());
                }
            }
            for (Node t : all(drawn.get(i))) {
                if (t instanceof Text text && !text.getText().isEmpty()) {
                    double px = text.getFont().getSize() * screenScale(text);
                    if (px < CellCanvas.MIN_TEXT_PX - 0.01) {
                        problems.add(zoo + ": '" + text.getText() + "' at " + Math.round(px * 10) / 10.0 + " px");
                    }
                }
            }
        }
        return problems;
    }

    @Test
    void longStacksFitTheDefaultWindowLegiblyWithoutOverlaps(FxRobot robot) {
        List<String> problems = new ArrayList<>();
        // input, stem, 17 blocks, head; and input, stem, 4 stages, head.
        problems.addAll(fitProblems(robot, "mobilenetv2-imagenet", 20));
        problems.addAll(fitProblems(robot, "resnet50", 7));
        assertEquals(List.of(), problems);
    }

    @Test
    void fitAndZoomActOnTheNetworkView(FxRobot robot) {
        DiagramView v = view(robot);
        double fitted = v.zoom();
        robot.clickOn("#tool-zoomIn");
        assertEquals(fitted * 1.25, v.zoom(), 1e-9);
        robot.clickOn("#tool-zoomOut");
        robot.clickOn("#tool-zoomOut");
        assertEquals(fitted * 1.25 * 0.8 * 0.8, v.zoom(), 1e-9);
        robot.clickOn("#tool-fit");
        assertEquals(fitted, v.zoom(), 1e-9);
    }

    @Test
    void clickSelectsABlockShiftAddsEscapeClears(FxRobot robot) {
        PseudoClass selected = PseudoClass.getPseudoClass("selected");
        robot.clickOn("#box-b0");
        assertEquals(Set.of("b0"), vm.network().selectionProperty().get());
        assertTrue(robot.lookup("#box-b0").query().getPseudoClassStates().contains(selected));
        assertEquals("Block b0", robot.lookup("#insp-title").queryAs(Label.class).getText());
        robot.press(KeyCode.SHIFT).clickOn("#box-b1").release(KeyCode.SHIFT);
        assertEquals(Set.of("b0", "b1"), vm.network().selectionProperty().get());
        robot.clickOn("#box-b2");
        assertEquals(Set.of("b2"), vm.network().selectionProperty().get(), "a plain click selects the box alone");
        assertFalse(robot.lookup("#box-b0").query().getPseudoClassStates().contains(selected));
        robot.type(KeyCode.ESCAPE);
        assertEquals(Set.of(), vm.network().selectionProperty().get());
        assertEquals("Network", robot.lookup("#insp-title").queryAs(Label.class).getText());
    }

    private static String shownTooltip() {
        return Window.getWindows().stream().filter(w -> w instanceof Tooltip t && t.isShowing())
                .map(w -> ((Tooltip) w).getText()).findFirst().orElse("");
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    @Test
    void hoveringABlockShowsItsShapesParametersAndMultiplyAdds(FxRobot robot) throws Exception {
        // b0 is MB3E1 (expansion 1: no expanding conv) from the stem's 32x112x112 to 16 channels, stride 1:
        // a depthwise 3x3 conv on 32 channels, BN, ReLU6, a 1x1 conv to 16, BN (BN: a scale and a shift per channel).
        long params = 32 * 3 * 3 + 2 * 32 + 32 * 16 + 2 * 16;
        long macs = 112L * 112 * (32 * 3 * 3) + 112L * 112 * (32 * 16);
        robot.moveTo("#box-b0");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shownTooltip().contains("multiply-adds"));
        String tip = shownTooltip();
        assertTrue(tip.startsWith("b0: MB3E1"), tip);
        assertTrue(tip.contains("input   32×112×112"), tip);
        assertTrue(tip.contains("output  16×112×112"), tip);
        assertTrue(tip.contains("channels 16   stride 1   repeat 1"), tip);
        assertTrue(tip.contains("residual set, but no shortcut: the block changes width"), tip);
        assertTrue(tip.contains("parameters     " + count(params)), tip);
        assertTrue(tip.contains("multiply-adds  " + count(macs)), tip);

        // b1 chooses among six; MB3E3 expands 16 to 48, a depthwise 3x3 with stride 2 to 56x56, then 1x1 to 24.
        long p3 = 16 * 48 + 2 * 48 + 48 * 9 + 2 * 48 + 48 * 24 + 2 * 24;
        long m3 = 112L * 112 * 16 * 48 + 56L * 56 * 48 * 9 + 56L * 56 * 48 * 24;
        robot.moveTo("#box-head").moveTo("#box-b1");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shownTooltip().startsWith("b1: LayerChoice b1, 6 candidates"));
        String choice = shownTooltip();
        assertTrue(choice.contains("output  24×56×56"), choice);
        assertTrue(choice.matches("(?s).*\\nMB3E3 +" + count(p3) + " +" + count(m3) + "\\n.*"), choice);
        assertTrue(choice.contains("parameters " + count(p3) + " .. "), "MB3E3 is the smallest: " + choice);
    }

    private void commit(FxRobot robot, String field, String text) {
        robot.interact(() -> {
            TextField f = robot.lookup(field).queryAs(TextField.class);
            f.requestFocus();
            f.setText(text);
        });
        robot.type(KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void editingAStageFromTheInspectorIsOneUndoStepEach(FxRobot robot) throws Exception {
        robot.clickOn("#box-b0");
        commit(robot, "#insp-stage-stride", "2");
        assertEquals(Param.of(2), stage("b0").stride());
        vm.network().drain();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> vm.network().describe("b0").contains("output  16×56×56"));
        robot.interact(vm.edits()::undo);
        assertEquals(Param.of(1), stage("b0").stride());
        robot.interact(vm.edits()::redo);
        assertEquals(Param.of(2), stage("b0").stride());

        robot.clickOn("#box-b1");
        commit(robot, "#insp-stage-op", "MB3E3, MB5E3");
        assertEquals(List.of("MB3E3", "MB5E3"), ((LayerChoice) stage("b1").op()).labels());
        assertEquals("b1", ((LayerChoice) stage("b1").op()).key());
        robot.interact(vm.edits()::undo);
        assertEquals(6, ((LayerChoice) stage("b1").op()).candidates().size());
        robot.interact(vm.edits()::redo);
        assertEquals(2, ((LayerChoice) stage("b1").op()).candidates().size());
        assertEquals(Set.of("b1"), vm.network().selectionProperty().get(), "the selection outlives the edits");
    }

    @Test
    void anImpossibleStageValueIsRefusedWithAMessageNamingTheStage(FxRobot robot) {
        robot.clickOn("#box-b3");
        commit(robot, "#insp-stage-stride", "0");
        assertEquals(Param.of(2), stage("b3").stride(), "the field refuses it before any edit");
        assertFalse(robot.lookup("#insp-stage-stride-error").queryAs(Label.class).getText().isEmpty());
        robot.interact(() -> assertFalse(vm.network().setStride("b3", Param.of(100))));
        assertTrue(vm.state().messageProperty().get().contains("b3"), vm.state().messageProperty().get());
        assertEquals(Param.of(2), stage("b3").stride());
    }
}

package io.cellforge.app;

import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.diagram.Diagram;
import io.cellforge.app.diagram.DiagramView;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The designer of a space with dynamic convolutions (issue 17, zoo dynamic-strokes): the context and the weight
 * generator drawn above the stack and feeding the cells, the weight port on the dynamic edges, the generator's
 * figures in the status bar, and the context edited from the inspector, undoably.
 */
@ExtendWith(ApplicationExtension.class)
class DynamicDesignerTest {
    private MainViewModel vm;

    @Start
    void start(javafx.stage.Stage stage) throws Exception {
        vm = new MainViewModel(new Workspace(Files.createTempDirectory("cellforge-dynamic")));
        MainWindow window = new MainWindow(vm, stage);
        stage.setScene(window.scene());
        stage.sizeToScene(); // the primary stage is shared: not the size another test class left it at
        vm.documents().openZoo("dynamic-strokes");
        stage.show();
    }

    private SearchSpace space() {
        return vm.state().spaceProperty().get();
    }

    private DiagramView network(FxRobot robot, String zoo) {
        robot.interact(() -> {
            vm.documents().openZoo(zoo);
            vm.state().select(DocumentState.NETWORK);
        });
        robot.clickOn("#tool-fit");
        WaitForAsyncUtils.waitForFxEvents();
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

    private static List<Node> drawn(FxRobot robot, DiagramView v, String styleClass) {
        return robot.lookup(styleClass).queryAll().stream().filter(n -> all(v).contains(n)).toList();
    }

    @Test
    void theNetworkViewDrawsTheContextAndTheGeneratorFeedingEachDynamicCell(FxRobot robot) {
        DiagramView v = network(robot, "dynamic-strokes");
        Diagram d = v.diagram();
        Diagram.Box context = d.box("context").orElseThrow();
        assertEquals(Diagram.Kind.CONTEXT, context.kind());
        assertEquals("4 values", context.badge());
        List<Diagram.Box> layers = d.boxes().stream().filter(b -> b.kind() == Diagram.Kind.GENERATOR).toList();
        assertEquals(List.of("linear", "relu"), layers.stream().map(Diagram.Box::label).toList());
        assertEquals("out=16", layers.get(0).badge());
        assertEquals(List.of("generator g"), d.frames().stream().map(Diagram.Frame::label).toList());
        assertTrue(d.arrows().stream().anyMatch(a -> a.from().equals("context") && a.to().equals(layers.get(0).id())),
                "the context feeds the generator");
        assertEquals(Set.of("cell 0", "cell 1"), d.arrows().stream().filter(d::feedsWeights).map(Diagram.Arrow::to).collect(Collectors.toSet()),
                "the generator's kernels go into both cells, whose edges choose dynamic ops");
        assertTrue(d.arrows().stream().filter(d::feedsWeights).allMatch(a -> a.from().equals(layers.get(1).id())));

        // As drawn at fit: two dashed connectors, one frame, and 5 boxes of the stack with 3 of the band, all inside
        // the view, none covering another, every text legible.
        assertEquals(2, drawn(robot, v, ".diagram-weights").size());
        assertEquals(1, drawn(robot, v, ".diagram-frame").size());
        List<Node> boxes = drawn(robot, v, ".diagram-box");
        assertEquals(8, boxes.size());
        Bounds visible = v.localToScene(v.getLayoutBounds());
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            Bounds b = boxes.get(i).localToScene(boxes.get(i).getBoundsInLocal());
            if (!visible.contains(b)) {
                problems.add(boxes.get(i).getId() + " is outside the view");
            }
            for (int j = i + 1; j < boxes.size(); j++) {
                if (b.intersects(boxes.get(j).localToScene(boxes.get(j).getBoundsInLocal()))) {
                    problems.add(boxes.get(i).getId() + " covers " + boxes.get(j).getId());
                }
            }
        }
        for (Node t : all(v)) {
            if (t instanceof Text text && !text.getText().isEmpty()) {
                double px = text.getFont().getSize() * (text.localToScene(0, 1).getY() - text.localToScene(0, 0).getY());
                if (px < CellCanvas.MIN_TEXT_PX - 0.01) {
                    problems.add("'" + text.getText() + "' at " + px + " px");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void aSpaceWithoutAContextDrawsNoGenerator(FxRobot robot) {
        DiagramView v = network(robot, "mobilenetv2-imagenet");
        Diagram d = v.diagram();
        assertTrue(d.boxes().stream().allMatch(b -> b.kind() == Diagram.Kind.STAGE), "the stack alone");
        assertEquals(List.of(), d.frames());
        assertEquals(List.of(), drawn(robot, v, ".diagram-weights"));
        assertEquals(List.of(), drawn(robot, v, ".diagram-frame"));
        assertEquals(20, drawn(robot, v, ".diagram-box").size());
    }

    /** The text of the tooltip showing that starts so (another view's may still be showing), or "". */
    private static String shownTooltip(String start) {
        return Window.getWindows().stream().filter(w -> w instanceof Tooltip t && t.isShowing())
                .map(w -> ((Tooltip) w).getText()).filter(t -> t.startsWith(start)).findFirst().orElse("");
    }

    @Test
    void hoveringTheGeneratorShowsItsLayersAndCounts(FxRobot robot) throws Exception {
        network(robot, "dynamic-strokes");
        vm.network().drain();
        robot.moveTo(robot.lookup(n -> n.getUserData() instanceof Diagram.Box b && b.label().equals("relu")).queryAs(Node.class));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> shownTooltip("generator g").contains("multiply-adds"));
        String tip = shownTooltip("generator g");
        assertTrue(tip.startsWith("generator g: linear(out=16), relu\n"), tip);
        // linear 4 -> 16 with a bias: 4 * 16 + 16 parameters, 4 * 16 multiply-adds.
        assertTrue(tip.contains("parameters     80\n"), tip);
        assertTrue(tip.contains("multiply-adds  64\n"), tip);
        assertTrue(tip.contains("kernels of   cell 0, cell 1\n"), tip);
        // Each candidate's heads over both cells, as stats lists them: dyn_conv_3x3's 3x3 kernels for 8 -> 8 channels
        // are 576 outputs of a head on 16 values (16 * 576 + 576 = 9,792 parameters a cell).
        assertTrue(tip.matches("(?s).*\nn1_p0 dyn_conv_3x3 +19,584 +313,344\n.*"), tip);
        assertTrue(tip.matches("(?s).*\nn2_p1 dyn_dil_conv_3x3 +4,624 +73,984$"), tip);
        // Clicked, the inspector gives the same figures under the generator's name.
        robot.clickOn(robot.lookup(n -> n.getUserData() instanceof Diagram.Box b && b.label().equals("relu")).queryAs(Node.class));
        assertEquals("Generator g", robot.lookup("#insp-title").queryAs(Label.class).getText());
        assertTrue(robot.lookup("#insp-figures").queryAs(Label.class).getText().contains("parameters     80\n"));
        robot.moveTo("#outline"); // the tooltip goes, and leaves the next test's hovering alone
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shownTooltip("generator g").isEmpty());
    }

    @Test
    void theDynamicEdgesOfTheCellShowTheirWeightPort(FxRobot robot) throws Exception {
        robot.interact(() -> vm.state().select("cell"));
        WaitForAsyncUtils.waitForFxEvents();
        CellCanvas canvas = robot.lookup("#canvas").queryAs(CellCanvas.class);
        // Three LayerChoices with dynamic candidates; the edges into the output are identities, with no label.
        assertEquals(3, robot.lookup(".weight-port").queryAll().stream().filter(n -> all(canvas).contains(n)).count());
        robot.moveTo("#label-in0-n1");
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> !shownTooltip("w ←").isEmpty());
        assertEquals("w ← generator g: kernels of dyn_conv_3x3, dyn_sep_conv_3x3, dyn_dil_conv_3x3, per sample", shownTooltip("w ←"));
        // Opened on hover: a port on each of the three dynamic candidates' lines.
        assertEquals(3, robot.lookup("#label-in0-n1 .weight-port").queryAll().size());
        robot.interact(() -> vm.state().setSelection(Selection.edge("in0", "n1")));
        assertEquals("Its dynamic candidates take their kernels from generator g, made per sample from the context.",
                robot.lookup("#insp-weights").queryAs(Label.class).getText());

        robot.interact(() -> {
            vm.documents().openZoo("darts-mini");
            vm.state().select("normal");
        });
        assertEquals(0, robot.lookup(".weight-port").queryAll().stream().filter(n -> all(canvas).contains(n)).count());
    }

    @Test
    void theStatusBarGivesTheGeneratorAndEachDynamicCandidate(FxRobot robot) throws Exception {
        // As stats lists them: the generator's 80 parameters; each dynamic candidate's heads over the two cells,
        // dyn_sep_conv_3x3's and dyn_dil_conv_3x3's 4,624 parameters and 73,984 multiply-adds, dyn_conv_3x3's 19,584
        // and 313,344.
        String figures = "   generator g 80 params   heads 4,624\u201319,584 params, 73,984\u2013313,344 mult-adds";
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.problems().statusProperty().get().endsWith(figures));
        assertTrue(robot.lookup("#status").queryAs(Label.class).getText().endsWith(figures));
        robot.interact(() -> vm.documents().openZoo("darts-mini"));
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.problems().statusProperty().get().startsWith("darts-mini: "));
        assertFalse(vm.problems().statusProperty().get().contains("generator"), vm.problems().statusProperty().get());
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

    private void undoByKey(FxRobot robot) {
        robot.interact(() -> robot.lookup("#network").queryAs(DiagramView.class).requestFocus());
        robot.push(KeyCode.CONTROL, KeyCode.Z);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void theContextAndTheGeneratorAreEditedFromTheInspectorAndUndone(FxRobot robot) {
        DiagramView v = network(robot, "dynamic-strokes");
        commit(robot, "#insp-context", "6");
        assertEquals(6, space().network().context().features());
        assertEquals("6 values", v.diagram().box("context").orElseThrow().badge());
        undoByKey(robot);
        assertEquals(4, space().network().context().features(), "Ctrl+Z restores the context");
        assertEquals("4 values", v.diagram().box("context").orElseThrow().badge());
        assertEquals("4", robot.lookup("#insp-context").queryAs(TextField.class).getText());

        commit(robot, "#insp-generator-g", "linear(out=32), relu, linear(out=8)");
        assertEquals(List.of(OpCall.of("linear", "out", 32), OpCall.of("relu"), OpCall.of("linear", "out", 8)),
                space().network().context().generators().get("g"));
        assertEquals(3, v.diagram().boxes().stream().filter(b -> b.kind() == Diagram.Kind.GENERATOR).count());
        undoByKey(robot);
        assertEquals(List.of(OpCall.of("linear", "out", 16), OpCall.of("relu")), space().network().context().generators().get("g"));

        commit(robot, "#insp-generator-g", "lineer(out=32)");
        assertTrue(robot.lookup("#insp-generator-g-error").queryAs(Label.class).getText().contains("did you mean linear?"));
        assertEquals(List.of(OpCall.of("linear", "out", 16), OpCall.of("relu")), space().network().context().generators().get("g"));

        // The cells still take kernels from g: the context stays, and the message says where.
        robot.clickOn("#insp-remove-context");
        assertTrue(space().network().context().present());
        assertTrue(vm.state().messageProperty().get().contains("cell cell, edge in0 -> n1"), vm.state().messageProperty().get());
    }

    @Test
    void aContextIsAddedToASpaceWithoutOneAndRemoved(FxRobot robot) {
        DiagramView v = network(robot, "darts-mini");
        assertEquals("", robot.lookup("#insp-context").queryAs(TextField.class).getText());
        commit(robot, "#insp-context", "3");
        Network.Context cx = space().network().context();
        assertEquals(3, cx.features());
        assertEquals(Map.of("g", List.of(OpCall.of("linear", "out", 16), OpCall.of("relu"))), cx.generators());
        assertEquals(Optional.of("3 values"), v.diagram().box("context").map(Diagram.Box::badge));
        assertEquals(List.of(), v.diagram().arrows().stream().filter(v.diagram()::feedsWeights).toList(), "no op takes its kernels yet");
        robot.clickOn("#insp-remove-context");
        assertFalse(space().network().context().present());
        assertTrue(v.diagram().box("context").isEmpty());
        undoByKey(robot);
        assertEquals(3, space().network().context().features());
    }

    @Test
    void aGeneratorsLayersReadAsTheInspectorWritesThem() {
        assertEquals(Optional.of(List.of(OpCall.of("linear", "out", 16), OpCall.of("relu"))), Inspector.opSequence("linear(out=16), relu"));
        assertEquals(Optional.of(List.of(new OpCall("linear", Map.of("out", io.cellforge.space.Param.ref("w"))))),
                Inspector.opSequence(" linear( out = $w ) "));
        assertEquals(Optional.empty(), Inspector.opSequence("linear(out=16"));
        assertEquals(Optional.empty(), Inspector.opSequence("linear(out), relu"));
        assertEquals(Optional.empty(), Inspector.opSequence("relu,"));
    }

    @Test
    void thePaletteOpensItsDynamicGroupForASpaceWithAContext(FxRobot robot) {
        javafx.scene.control.TitledPane dynamic = robot.lookup("#group-Dynamic").queryAs(javafx.scene.control.TitledPane.class);
        assertEquals("Dynamic  (7)", dynamic.getText());
        assertTrue(dynamic.isExpanded());
        robot.interact(() -> vm.documents().openZoo("darts-mini"));
        assertFalse(robot.lookup("#group-Dynamic").queryAs(javafx.scene.control.TitledPane.class).isExpanded());
    }
}

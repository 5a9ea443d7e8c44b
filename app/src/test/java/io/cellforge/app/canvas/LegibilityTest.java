package io.cellforge.app.canvas;

import io.cellforge.app.Selection;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.app.diagram.KeyPalette;
import io.cellforge.space.Cell;
import io.cellforge.space.LayerChoice;
import javafx.scene.Scene;
import javafx.scene.layout.StackPane;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The first screen of every zoo space in the default window: every text drawn readable, nothing covering anything. */
@ExtendWith(ApplicationExtension.class)
class LegibilityTest {
    /** The canvas's size in the designer of a 1280 x 800 window, and the live cell's in the Search tab. */
    static final double[] DESIGNER = {776, 512};
    static final double[] LIVE = {536, 250};

    private CellCanvas canvas;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        canvas = new CellCanvas();
        stage.setScene(new Scene(new StackPane(canvas), DESIGNER[0], DESIGNER[1]));
        stage.show();
    }

    private static List<Node> all(Node n) {
        List<Node> out = new ArrayList<>();
        out.add(n);
        if (n instanceof Parent p) {
            p.getChildrenUnmodifiable().forEach(c -> out.addAll(all(c)));
        }
        return out;
    }

    private static boolean shown(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** The height on screen of one unit of a node's own coordinates (the canvas's zoom times any scale of its own). */
    private static double screenScale(Node n) {
        return n.localToScene(0, 1).getY() - n.localToScene(0, 0).getY();
    }

    private void resize(FxRobot robot, double[] size) {
        robot.interact(() -> {
            stage.setWidth(size[0]);
            stage.setHeight(size[1]);
            stage.getScene().getRoot().resize(size[0], size[1]);
        });
    }

    private List<String> check(FxRobot robot, double[] size, boolean searching) {
        resize(robot, size);
        List<String> problems = new ArrayList<>();
        for (Zoo.Entry e : Zoo.entries()) {
            SearchSpace s = e.builder().get();
            for (Cell cell : s.cells().values()) {
                Map<String, double[]> w = new HashMap<>();
                if (searching) {
                    // Mid-search weights: the widest badges, every LayerChoice naming a leading op.
                    s.mutablesByKey().forEach((k, m) -> {
                        if (m instanceof LayerChoice lc) {
                            double[] p = new double[lc.candidates().size()];
                            java.util.Arrays.fill(p, 0.5 / p.length);
                            p[p.length - 1] += 0.5;
                            w.put(k, p);
                        }
                    });
                }
                robot.interact(() -> {
                    canvas.setKeys(KeyPalette.keys(s));
                    canvas.show(cell, DiagramLayout.positions(cell), Selection.NONE);
                    canvas.setWeights(w, null);
                    canvas.fit();
                });
                WaitForAsyncUtils.waitForFxEvents();
                String where = e.name() + "/" + cell.name() + (searching ? " (search)" : "");
                for (Node n : all(canvas.content())) {
                    if (n instanceof Text t && shown(t) && !t.getText().isEmpty()) {
                        double px = t.getFont().getSize() * screenScale(t);
                        if (px < CellCanvas.MIN_TEXT_PX - 0.01) {
                            problems.add(where + ": '" + t.getText() + "' at " + Math.round(px * 10) / 10.0 + " px");
                        }
                    }
                }
                List<String> names = new ArrayList<>();
                List<Bounds> drawn = new ArrayList<>();
                robot.lookup(".canvas-node").queryAll().forEach(n -> {
                    names.add(n.getId());
                    drawn.add(n.localToScene(n.getBoundsInLocal()));
                });
                robot.lookup(".canvas-label").queryAll().forEach(n -> {
                    names.add(n.getId());
                    drawn.add(n.localToScene(n.getBoundsInLocal()));
                });
                for (int i = 0; i < drawn.size(); i++) {
                    for (int j = i + 1; j < drawn.size(); j++) {
                        Bounds a = drawn.get(i);
                        Bounds b = drawn.get(j);
                        // Less a hair for the strokes, drawn half outside the shapes.
                        double h = 1.5;
                        if (a.getMinX() + h < b.getMaxX() && b.getMinX() + h < a.getMaxX() && a.getMinY() + h < b.getMaxY() && b.getMinY() + h < a.getMaxY()) {
                            problems.add(where + ": " + names.get(i) + " covers " + names.get(j));
                        }
                    }
                }
            }
        }
        return problems;
    }

    @Test
    void everyZooCellAtFitInTheDesignerShowsOnlyReadableTextAndNothingCovered(FxRobot robot) {
        assertEquals(List.of(), check(robot, DESIGNER, false));
    }

    @Test
    void everyZooCellAtFitInTheSearchTabShowsOnlyReadableTextAndNothingCovered(FxRobot robot) {
        assertEquals(List.of(), check(robot, LIVE, true));
    }

    @Test
    void enasMacroAtFitInTheDesignerNamesEveryNodeReadably(FxRobot robot) {
        // 39 nodes and 104 edges: laid out as one strip it was drawn at 15% and no name could be shown.
        SearchSpace s = Zoo.get("enas-macro").orElseThrow();
        Cell cell = s.cells().get("macro");
        resize(robot, DESIGNER);
        robot.interact(() -> {
            canvas.setKeys(KeyPalette.keys(s));
            canvas.show(cell, DiagramLayout.positions(cell), Selection.NONE);
            canvas.fit();
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(canvas.zoom() >= 0.35, "fit at " + canvas.zoom());
        List<String> unreadable = new ArrayList<>();
        int whole = 0;
        for (io.cellforge.space.Node n : cell.nodes()) {
            javafx.scene.layout.StackPane box = robot.lookup("#node-" + n.name()).queryAs(javafx.scene.layout.StackPane.class);
            Text name = all(box).stream().filter(t -> t instanceof Text).map(t -> (Text) t).findFirst().orElseThrow();
            double px = name.getFont().getSize() * screenScale(name);
            if (!shown(name) || name.getText().length() < 2 || px < CellCanvas.MIN_TEXT_PX - 0.01
                    || !n.name().startsWith(name.getText().replace("…", ""))) {
                unreadable.add(n.name() + " as '" + name.getText() + "' at " + Math.round(px * 10) / 10.0 + " px");
            }
            whole += name.getText().equals(n.name()) ? 1 : 0;
        }
        assertEquals(List.of(), unreadable);
        // The layers and their skip connections in full; the 14 factorized reductions' names, the longest, shortened.
        assertTrue(whole >= 25, whole + " of " + cell.nodes().size() + " names in full");
    }

    private static List<String> texts(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(javafx.scene.Group.class).getChildren().stream().filter(t -> t instanceof Text)
                .map(t -> ((Text) t).getText()).toList();
    }

    private static void hover(FxRobot robot, javafx.event.EventType<javafx.scene.input.MouseEvent> type) {
        javafx.scene.Node label = robot.lookup("#label-in0-n2").query();
        robot.interact(() -> label.fireEvent(new javafx.scene.input.MouseEvent(type, 1, 1, 1, 1, javafx.scene.input.MouseButton.NONE, 0,
                false, false, false, false, false, false, false, false, false, false, null)));
    }

    /**
     * A trial's NAS-Bench-201 cell in the trial view's size is drawn below the label size: each edge still names its op
     * at the smallest readable size (cut short with an ellipsis where its badge is narrow), not an empty badge.
     */
    @Test
    void aFixedCellDrawnSmallStillNamesItsOps(FxRobot robot) throws Exception {
        SearchSpace s = Zoo.get("nas-bench-201").orElseThrow();
        io.cellforge.trial.DecisionSpace ds = io.cellforge.trial.DecisionSpace.of(s);
        int[] options = new int[ds.keys().size()];
        java.util.Arrays.fill(options, 3); // nor_conv_3x3 on every edge
        Cell cell = io.cellforge.arch.Fixing.fix(s, ds.architecture(options)).cells().values().iterator().next();
        resize(robot, new double[] {520, 200});
        robot.interact(() -> {
            canvas.show(cell, DiagramLayout.positions(cell, 520, 200), Selection.NONE);
            canvas.fit();
        });
        assertTrue(io.cellforge.app.diagram.TextMetrics.LABEL.getSize() * canvas.zoom() < CellCanvas.MIN_TEXT_PX, "drawn small: " + canvas.zoom());
        for (io.cellforge.space.Edge e : cell.edges()) {
            Text t = robot.lookup("#label-" + e.from() + "-" + e.to()).queryAs(javafx.scene.Group.class).getChildren().stream()
                    .filter(n -> n instanceof Text).map(n -> (Text) n).findFirst().orElseThrow();
            String op = ((io.cellforge.space.OpCall) e.op()).op();
            assertTrue(shown(t) && t.getText().length() > 4 && op.startsWith(t.getText().replace("…", "")), t.getText() + " for " + op);
            assertTrue(t.getFont().getSize() * screenScale(t) >= CellCanvas.MIN_TEXT_PX - 0.01, t.getText() + " readable");
        }
    }

    @Test
    void aBadgeOpensToItsKeyAndCandidatesWhileThePointerIsOnItReadableZoomedOut(FxRobot robot) throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        Cell cell = s.cells().get("normal");
        resize(robot, DESIGNER);
        robot.interact(() -> {
            canvas.setKeys(KeyPalette.keys(s));
            canvas.show(cell, DiagramLayout.positions(cell), Selection.NONE);
            canvas.fit();
        });
        assertEquals(List.of("8 ops"), texts(robot, "#label-in0-n2"));
        // The pointer's entering and leaving, sent to the badge (as the scene does when the pointer crosses it).
        hover(robot, javafx.scene.input.MouseEvent.MOUSE_ENTERED);
        WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS, () -> texts(robot, "#label-in0-n2").size() == 9);
        assertEquals("normal_n2_p0", texts(robot, "#label-in0-n2").get(0));
        // The opened list is readable though the cell is drawn small.
        Text key = robot.lookup("#label-in0-n2").queryAs(javafx.scene.Group.class).getChildren().stream()
                .filter(t -> t instanceof Text).map(t -> (Text) t).findFirst().orElseThrow();
        assertTrue(canvas.zoom() < 0.8 && key.getFont().getSize() * screenScale(key) >= 11, canvas.zoom() + "");
        hover(robot, javafx.scene.input.MouseEvent.MOUSE_EXITED);
        WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS, () -> texts(robot, "#label-in0-n2").size() == 1);
    }

    @Test
    void automaticLayoutIsTheLayoutThatCoversNothing(FxRobot robot) throws Exception {
        io.cellforge.app.MainViewModel vm = new io.cellforge.app.MainViewModel(
                new io.cellforge.app.Workspace(java.nio.file.Files.createTempDirectory("cellforge-home")));
        robot.interact(() -> {
            vm.documents().openZoo("nas-bench-201");
            vm.layout().move(Map.of("n1", vm.layout().positions().get("n2").clone())); // n1 dropped on n2, as a drag does
            vm.layout().layOut(); // what Ctrl+Shift+L calls
        });
        Cell c = vm.state().cell();
        Map<String, double[]> laid = DiagramLayout.positions(c);
        laid.forEach((n, p) -> assertEquals(List.of(p[0], p[1]), List.of(vm.layout().positions().get(n)[0], vm.layout().positions().get(n)[1]), n));
        assertEquals(List.of(), io.cellforge.app.diagram.CellGeometry.of(c, vm.layout().positions()).overlaps());
    }

    @Test
    void noTwoKeysOfAnyZooSpaceShareAColour() {
        for (Zoo.Entry e : Zoo.entries()) {
            List<String> keys = KeyPalette.keys(e.builder().get());
            Set<String> colours = new HashSet<>();
            for (String k : keys) {
                colours.add(Theme.LIGHT.keyColour(keys, k).toString());
            }
            assertEquals(keys.size(), colours.size(), e.name());
        }
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add("k" + i);
        }
        for (Theme t : List.of(Theme.LIGHT, Theme.DARK)) {
            Set<String> colours = new HashSet<>();
            many.forEach(k -> colours.add(t.keyColour(many, k).toString()));
            assertEquals(300, colours.size());
        }
    }
}

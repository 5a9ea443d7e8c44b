package io.cellforge.app.diagram;

import io.cellforge.ops.OpCatalog;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The layout of every zoo cell and of hand-drawn cells: no box or label covers another, each label on its own edge. */
class CellLayoutTest {

    /**
     * A derived DARTS cell is wrapped into rows for the designer's canvas, but in the trial and result views (wide and
     * low) its strip draws larger: there it is laid out as a strip, every edge left to right.
     */
    @Test
    void aWideLowViewGetsTheStripOfACellTheDesignerWraps() throws Exception {
        // darts-mini's normal cell as trials fix it (the trial view drew one in two rows, small)
        SearchSpace mini = Zoo.get("darts-mini").orElseThrow();
        io.cellforge.trial.DecisionSpace ds = io.cellforge.trial.DecisionSpace.of(mini);
        Random r = new Random(3);
        int strips = 0;
        for (int t = 0; t < 20; t++) {
            int[] options = new int[ds.keys().size()];
            for (int k = 0; k < options.length; k++) {
                options[k] = r.nextInt(ds.keys().get(k).size());
            }
            Cell c = io.cellforge.arch.Fixing.fix(mini, ds.architecture(options)).cells().get("normal");
            Map<String, double[]> designer = DiagramLayout.positions(c);
            Map<String, double[]> wide = DiagramLayout.positions(c, 760, 300);
            assertTrue(fit(c, wide, 760, 300) >= fit(c, designer, 760, 300) - 1e-9, "no smaller than the designer's layout there");
            if (!sameLayout(designer, wide)) {
                strips++;
                for (Edge e : c.edges()) {
                    assertTrue(wide.get(e.from())[0] < wide.get(e.to())[0], e.from() + " -> " + e.to() + " runs left to right");
                }
            }
            // A view shaped like the designer's keeps the designer's choice.
            assertTrue(sameLayout(designer, DiagramLayout.positions(c, 716, 452)));
        }
        assertTrue(strips > 0, "some of these cells are drawn larger as a strip in a wide low view than in the designer's rows");
    }

    private static boolean sameLayout(Map<String, double[]> a, Map<String, double[]> b) {
        return a.keySet().equals(b.keySet()) && a.keySet().stream().allMatch(n -> java.util.Arrays.equals(a.get(n), b.get(n)));
    }

    /** The scale at which the node boxes at these positions fit a view (labels aside). */
    private static double fit(Cell c, Map<String, double[]> pos, double w, double h) {
        double x0 = Double.MAX_VALUE, y0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
        for (Node n : c.nodes()) {
            double[] p = pos.get(n.name());
            double[] size = DiagramLayout.boxSize(n.name(), DiagramLayout.badge(c, n));
            x0 = Math.min(x0, p[0]);
            y0 = Math.min(y0, p[1]);
            x1 = Math.max(x1, p[0] + size[0]);
            y1 = Math.max(y1, p[1] + size[1]);
        }
        return Math.min(w / (x1 - x0), h / (y1 - y0));
    }

    private static List<Cell> zooCells() {
        List<Cell> cells = new ArrayList<>();
        for (Zoo.Entry e : Zoo.entries()) {
            SearchSpace s = e.builder().get();
            cells.addAll(s.cells().values());
        }
        return cells;
    }

    /** A random DAG as a person draws it: 2 inputs, 4-8 intermediate nodes, LayerChoice and fixed-op edges, an output. */
    static Cell randomCell(long seed) {
        Random r = new Random(seed);
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0"), Node.input("in1")));
        int k = 4 + r.nextInt(5);
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            String name = "n" + i;
            List<String> before = nodes.stream().map(Node::name).toList();
            int fanIn = 1 + r.nextInt(Math.min(3, before.size()));
            List<String> from = new ArrayList<>(before);
            java.util.Collections.shuffle(from, r);
            for (String f : from.subList(0, fanIn)) {
                edges.add(Edge.of(f, name, r.nextInt(3) == 0 ? OpCall.of(r.nextBoolean() ? "sep_conv_3x3" : "identity")
                        : LayerChoice.of("c" + seed + "_" + f + "_" + name, OpCatalog.DARTS_PRIMITIVES.subList(0, 2 + r.nextInt(7)))));
            }
            Node n = Node.intermediate(name);
            if (fanIn > 1 && r.nextBoolean()) {
                n = n.withInputChoice(new InputChoice(name + "_switch", 1, Reduction.SUM, false));
            }
            nodes.add(n);
        }
        nodes.add(Node.output("out", Reduction.CONCAT));
        for (int i = 0; i < k; i++) {
            String name = "n" + i;
            if (edges.stream().noneMatch(e -> e.from().equals(name))) {
                edges.add(Edge.of(name, "out", OpCall.of("identity")));
            }
        }
        return new Cell("drawn" + seed, nodes, edges, Preprocess.NONE);
    }

    private static List<Cell> allCells() {
        List<Cell> cells = zooCells();
        for (long seed = 1; seed <= 40; seed++) {
            cells.add(randomCell(seed));
        }
        return cells;
    }

    @Test
    void noBoxOrLabelCoversAnotherInAnyZooOrDrawnCell() {
        List<String> found = new ArrayList<>();
        for (Cell c : allCells()) {
            CellGeometry g = CellGeometry.of(c, DiagramLayout.positions(c));
            g.overlaps().forEach(o -> found.add(c.name() + ": " + o));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theLiveCellsWiderBadgesStillCoverNothing() {
        // During a search every LayerChoice names its leading op ("dil_conv_5x5 0.42"), wider than "8 ops".
        List<String> found = new ArrayList<>();
        for (Cell c : allCells()) {
            CellGeometry g = CellGeometry.of(c, DiagramLayout.positions(c), e -> {
                if (e.op() instanceof LayerChoice lc) {
                    double[] w = new double[lc.candidates().size()];
                    w[w.length - 1] = 1;
                    return EdgeLabel.leading(lc, w);
                }
                return EdgeLabel.of(e);
            });
            g.overlaps().forEach(o -> found.add(c.name() + ": " + o));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void everyLabelSitsOnItsOwnEdge() {
        for (Cell c : allCells()) {
            CellGeometry g = CellGeometry.of(c, DiagramLayout.positions(c));
            g.edges().forEach((id, r) -> {
                if (r.labelBox() != null) {
                    CellGeometry.Rect b = r.labelBox();
                    assertTrue(r.sample().stream().anyMatch(p -> p[0] >= b.x() && p[0] <= b.x() + b.w() && p[1] >= b.y() && p[1] <= b.y() + b.h()),
                            c.name() + " " + id + " label off its edge");
                }
            });
        }
    }

    @Test
    void everyEdgeIsRoutedByTheLayoutAtTheLayoutsPositions() {
        for (Cell c : zooCells()) {
            CellGeometry g = CellGeometry.of(c, DiagramLayout.positions(c));
            g.edges().forEach((id, r) -> assertFalse(r.curve(), c.name() + " " + id));
        }
    }

    @Test
    void aMovedNodesLabelsFindFreePlaces() {
        for (long seed = 1; seed <= 20; seed++) {
            Cell c = randomCell(seed);
            Map<String, double[]> pos = new HashMap<>(DiagramLayout.positions(c));
            // Drop n0 on top of n1: the boxes overlap (the person put them there), but no label covers a box or a label.
            double[] n1 = pos.get("n1");
            pos.put("n0", new double[] {n1[0] + 10, n1[1] + 8});
            CellGeometry g = CellGeometry.of(c, pos);
            List<String> o = g.overlaps().stream().filter(s -> !s.equals("node n0 / node n1") && !s.equals("node n1 / node n0")).toList();
            assertEquals(List.of(), o, c.name());
        }
    }

    @Test
    void boxesAreAsWideAsTheirTextInTheCanvasFont() {
        double[] s = DiagramLayout.boxSize("a_rather_long_node_name", "choose 2 of 5, sum");
        assertTrue(s[0] >= TextMetrics.width("a_rather_long_node_name", TextMetrics.NAME) + 8, s[0] + "");
        assertTrue(new EdgeLabel("sep_conv_3x3 0.42", "k", List.of()).width() > TextMetrics.width("sep_conv_3x3 0.42", TextMetrics.LABEL));
    }
}

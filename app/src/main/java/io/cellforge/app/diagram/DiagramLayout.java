package io.cellforge.app.diagram;

import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeLabelPlacement;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.options.PortConstraints;
import org.eclipse.elk.core.options.PortSide;
import org.eclipse.elk.alg.layered.options.WrappingStrategy;
import org.eclipse.elk.alg.layered.options.OrderingStrategy;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkLabel;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.ElkPort;
import org.eclipse.elk.graph.util.ElkGraphUtil;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out cells with ELK's layered algorithm (Sugiyama), left to right. Every node is as
 * large as the text drawn in it (measured in the canvas's fonts) and has an input port on its left and an output
 * port on its right, where the canvas draws them; every edge label is an ELK label of its real size placed inline
 * on its edge, so ELK keeps boxes and labels apart and each label sits on its own edge.
 */
public final class DiagramLayout {
    static final double LINE_H = 16;
    /** The radius of the port circles on a node's sides; the layout keeps room for them. */
    public static final double PORT_R = 5.5;
    /** A cell wider than this many times its height is wrapped into rows of about a screen's shape (ENAS micro). */
    private static final double WRAP_ABOVE = 3;
    /** The designer's canvas in the default window, less the margins of a fit. */
    private static final double VIEW_W = 716;
    private static final double VIEW_H = 452;
    private static final double ASPECT = 1.6;
    /**
     * Bundled rows (orthogonal routes, tighter spacing) are taken only where they draw a cell at least this much
     * larger at fit than its strip: ENAS macro 2.4 times; DARTS's cells 1.3 and 1.6, which read better as a strip.
     */
    private static final double BUNDLED_GAIN = 2;

    /** How a cell is laid out: one strip, rows as ELK wraps them, or rows with bundled orthogonal routes. */
    private enum Wrap { NONE, ROWS, BUNDLED }

    static {
        LayoutMetaDataService.getInstance().registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
    }

    private DiagramLayout() {
    }

    /**
     * One box per node, one arrow per edge, with its route and its label's place. A cell much wider than high
     * (a long chain) is wrapped into rows to fit a screen; where ELK's rows are unsound, into rows with bundled
     * routes if that draws the cell much larger (ENAS macro).
     */
    public static Diagram cell(Cell cell) {
        return cell(cell, cell(cell, Wrap.NONE));
    }

    /** {@link #cell(Cell)} given the cell's strip {@code d}. */
    private static Diagram cell(Cell cell, Diagram d) {
        if (d.width() <= WRAP_ABOVE * d.height()) {
            return d;
        }
        // ELK's wrapping can end a route away from its port or leave a label off its edge; such a layout is not taken.
        Diagram w = cell(cell, Wrap.ROWS);
        if (sound(w)) {
            return w;
        }
        Diagram b = cell(cell, Wrap.BUNDLED);
        return sound(b) && fitScale(b) >= BUNDLED_GAIN * fitScale(d) ? b : d;
    }

    private static boolean sound(Diagram d) {
        return d.arrows().stream().allMatch(a -> labelOnRoute(a) && meetsPorts(d, a));
    }

    /** The scale at which a diagram fits the default view (never above 100%, as the canvas fits). */
    private static double fitScale(Diagram d) {
        return Math.min(1, Math.min(VIEW_W / d.width(), VIEW_H / d.height()));
    }

    private static boolean meetsPorts(Diagram d, Diagram.Arrow a) {
        if (a.points().size() < 2) {
            return false;
        }
        Diagram.Box from = d.boxes().stream().filter(b -> b.id().equals(a.from())).findFirst().orElseThrow();
        Diagram.Box to = d.boxes().stream().filter(b -> b.id().equals(a.to())).findFirst().orElseThrow();
        double[] s = a.points().get(0);
        double[] e = a.points().get(a.points().size() - 1);
        return Math.abs(s[0] - (from.x() + from.w() + PORT_R)) <= 1 && Math.abs(s[1] - (from.y() + from.h() / 2)) <= 1
                && Math.abs(e[0] - (to.x() - PORT_R)) <= 1 && Math.abs(e[1] - (to.y() + to.h() / 2)) <= 1;
    }

    /** Whether an arrow's route passes through the middle of its label (or it has none). */
    static boolean labelOnRoute(Diagram.Arrow a) {
        if (a.label() == null) {
            return true;
        }
        for (int i = 1; i < a.points().size(); i++) {
            double[] p = a.points().get(i - 1);
            double[] q = a.points().get(i);
            for (int j = 0; j <= 32; j++) {
                double x = p[0] + (q[0] - p[0]) * j / 32;
                double y = p[1] + (q[1] - p[1]) * j / 32;
                if (Math.abs(x - (a.labelX() + a.labelW() / 2)) <= a.labelW() / 4 && y >= a.labelY() && y <= a.labelY() + a.labelH()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Diagram cell(Cell cell, Wrap wrap) {
        ElkNode root = root();
        if (wrap != Wrap.NONE) {
            root.setProperty(LayeredOptions.WRAPPING_STRATEGY, WrappingStrategy.MULTI_EDGE);
            root.setProperty(CoreOptions.ASPECT_RATIO, ASPECT);
        }
        if (wrap == Wrap.BUNDLED) {
            // Orthogonal routes: the edges leaving or entering one port share their segments (a bundle, not a fan of
            // lines), and the rows pack tighter than with polylines (ENAS macro, wrapped, at fit: 0.36 instead of 0.31).
            root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
            root.setProperty(CoreOptions.SPACING_NODE_NODE, 12.0);
            root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 20.0);
        }
        // The file's order of nodes and edges (in0 above in1, ...) is kept where it costs no crossing.
        root.setProperty(LayeredOptions.CONSIDER_MODEL_ORDER_STRATEGY, OrderingStrategy.NODES_AND_EDGES);
        Map<String, ElkNode> nodes = new LinkedHashMap<>();
        Map<String, ElkPort[]> ports = new LinkedHashMap<>();
        Map<ElkNode, Diagram.Box> proto = new LinkedHashMap<>();
        for (Node n : cell.nodes()) {
            String badge = badge(cell, n);
            double[] size = boxSize(n.name(), badge);
            ElkNode e = ElkGraphUtil.createNode(root);
            // The ports' circles stick out of the box: the ELK node is wider by them.
            e.setDimensions(size[0] + 2 * PORT_R, size[1]);
            e.setProperty(CoreOptions.PORT_CONSTRAINTS, PortConstraints.FIXED_POS);
            ElkPort in = ElkGraphUtil.createPort(e);
            in.setProperty(CoreOptions.PORT_SIDE, PortSide.WEST);
            in.setLocation(0, size[1] / 2);
            ElkPort out = ElkGraphUtil.createPort(e);
            out.setProperty(CoreOptions.PORT_SIDE, PortSide.EAST);
            out.setLocation(size[0] + 2 * PORT_R, size[1] / 2);
            nodes.put(n.name(), e);
            ports.put(n.name(), new ElkPort[] {in, out});
            proto.put(e, new Diagram.Box(n.name(), n.name(), badge, kind(n), 0, 0, 0, 0));
        }
        List<Diagram.Arrow> arrows = new ArrayList<>();
        List<Runnable> read = new ArrayList<>();
        for (Edge e : cell.edges()) {
            if (!nodes.containsKey(e.from()) || !nodes.containsKey(e.to())) {
                continue; // a dangling edge is a validation problem, shown in the problems list
            }
            ElkPort from = ports.get(e.from())[1];
            ElkPort to = ports.get(e.to())[0];
            EdgeLabel label = EdgeLabel.of(e);
            if (wrap == Wrap.BUNDLED && label != null) {
                // ELK's wrapping drops the part of a labelled edge's route after a row's end; a label made a node of
                // its size, between two plain edges, is routed in full and kept on its edge (what ELK does inside).
                ElkNode ln = ElkGraphUtil.createNode(root);
                ln.setDimensions(label.width(), label.height());
                ln.setProperty(CoreOptions.PORT_CONSTRAINTS, PortConstraints.FIXED_POS);
                ElkPort in = ElkGraphUtil.createPort(ln);
                in.setProperty(CoreOptions.PORT_SIDE, PortSide.WEST);
                in.setLocation(0, label.height() / 2);
                ElkPort out = ElkGraphUtil.createPort(ln);
                out.setProperty(CoreOptions.PORT_SIDE, PortSide.EAST);
                out.setLocation(label.width(), label.height() / 2);
                ElkEdge a = ElkGraphUtil.createSimpleEdge(from, in);
                ElkEdge b = ElkGraphUtil.createSimpleEdge(out, to);
                read.add(() -> {
                    List<double[]> pts = route(a);
                    pts.addAll(route(b));
                    arrows.add(new Diagram.Arrow(e.from(), e.to(), pts, label, ln.getX(), ln.getY(), ln.getWidth(), ln.getHeight()));
                });
                continue;
            }
            ElkEdge ee = ElkGraphUtil.createSimpleEdge(from, to);
            if (label != null) {
                ElkLabel l = ElkGraphUtil.createLabel(label.text(), ee);
                l.setDimensions(label.width(), label.height());
                l.setProperty(CoreOptions.EDGE_LABELS_PLACEMENT, EdgeLabelPlacement.CENTER);
                l.setProperty(CoreOptions.EDGE_LABELS_INLINE, true);
            }
            read.add(() -> {
                ElkLabel l = ee.getLabels().isEmpty() ? null : ee.getLabels().get(0);
                arrows.add(new Diagram.Arrow(e.from(), e.to(), route(ee), label, l == null ? 0 : l.getX(), l == null ? 0 : l.getY(),
                        l == null ? 0 : l.getWidth(), l == null ? 0 : l.getHeight()));
            });
        }
        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());
        List<Diagram.Box> boxes = new ArrayList<>();
        proto.forEach((n, b) -> boxes.add(new Diagram.Box(b.id(), b.label(), b.badge(), b.kind(), n.getX() + PORT_R, n.getY(),
                n.getWidth() - 2 * PORT_R, n.getHeight())));
        read.forEach(Runnable::run);
        return new Diagram(cell.name(), boxes, arrows, root.getWidth(), root.getHeight());
    }

    /** An edge's route: a wrapped edge has a section per row it crosses, together they are its route. */
    private static List<double[]> route(ElkEdge e) {
        List<double[]> pts = new ArrayList<>();
        for (ElkEdgeSection s : e.getSections()) {
            pts.add(new double[] {s.getStartX(), s.getStartY()});
            for (ElkBendPoint bp : s.getBendPoints()) {
                pts.add(new double[] {bp.getX(), bp.getY()});
            }
            pts.add(new double[] {s.getEndX(), s.getEndY()});
        }
        return pts;
    }

    /**
     * The top-left corner of each node of a cell laid out by ELK, in the canvas's coordinates (the margin the
     * diagram view keeps around a drawing), in whole pixels. What the designer, the search view, a result tab
     * and automatic layout start from.
     */
    public static Map<String, double[]> positions(Cell cell) {
        return positions(cell(cell));
    }

    /**
     * As {@link #positions(Cell)}, for a view of this size (a search's or a result's cell, wide and low): the cell in
     * rows only where that draws it larger there than its strip (a derived DARTS cell in rows filled a quarter of the
     * trial view, its op labels too small to draw).
     */
    public static Map<String, double[]> positions(Cell cell, double viewW, double viewH) {
        Diagram strip = cell(cell, Wrap.NONE);
        Diagram chosen = cell(cell, strip);
        if (chosen != strip && viewW > 0 && viewH > 0) {
            double s = Math.min(viewW / strip.width(), viewH / strip.height());
            double r = Math.min(viewW / chosen.width(), viewH / chosen.height());
            chosen = r > s ? chosen : strip;
        }
        return positions(chosen);
    }

    private static Map<String, double[]> positions(Diagram d) {
        Map<String, double[]> pos = new java.util.HashMap<>();
        for (Diagram.Box b : d.boxes()) {
            pos.put(b.id(), new double[] {Math.round(b.x() + DiagramView.MARGIN), Math.round(b.y() + DiagramView.MARGIN)});
        }
        return pos;
    }

    /** The line under a node's name: its InputChoice ("choose 2 of 3, sum"), or how the output merges. */
    public static String badge(Cell cell, Node n) {
        String badge = n.inputChoice() == null ? (n.looseEnds() ? "loose ends, " + n.reduction().yamlName() : "")
                : "choose " + (n.inputChoice().nChosen() < 0 ? "any" : n.inputChoice().nChosen()) + " of "
                + cell.incoming(n.name()).size() + ", " + n.reduction().yamlName();
        if (n.kind() == NodeKind.OUTPUT && badge.isEmpty()) {
            badge = n.reduction().yamlName();
        }
        return badge;
    }

    public static Diagram.Kind kind(Node n) {
        return switch (n.kind()) {
            case INPUT -> Diagram.Kind.INPUT;
            case OUTPUT -> Diagram.Kind.OUTPUT;
            default -> n.inputChoice() != null ? Diagram.Kind.CHOICE_NODE : Diagram.Kind.INTERMEDIATE;
        };
    }

    /** The size of a node's box: its name and badge in the canvas's fonts, with a margin. */
    public static double[] boxSize(String name, String badge) {
        double w = Math.max(64, Math.max(TextMetrics.width(name, TextMetrics.NAME) + 24, TextMetrics.width(badge, TextMetrics.BADGE) + 16));
        return new double[] {Math.ceil(w), badge.isEmpty() ? 32 : 46};
    }

    private static ElkNode root() {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.POLYLINE);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 28.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 8.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_EDGE_BETWEEN_LAYERS, 6.0);
        root.setProperty(CoreOptions.SPACING_NODE_NODE, 20.0);
        root.setProperty(CoreOptions.SPACING_EDGE_NODE, 8.0);
        root.setProperty(CoreOptions.SPACING_EDGE_EDGE, 6.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_LABEL, 3.0);
        return root;
    }

    private static List<Diagram.Arrow> arrows(List<ElkEdge> edges, List<EdgeLabel> labels,
                                              java.util.function.Function<org.eclipse.elk.graph.ElkConnectableShape, String> id) {
        List<Diagram.Arrow> arrows = new ArrayList<>();
        for (int i = 0; i < edges.size(); i++) {
            ElkEdge e = edges.get(i);
            List<double[]> pts = new ArrayList<>();
            // A wrapped edge has a section per row it crosses; together they are its route.
            for (ElkEdgeSection s : e.getSections()) {
                pts.add(new double[] {s.getStartX(), s.getStartY()});
                for (ElkBendPoint bp : s.getBendPoints()) {
                    pts.add(new double[] {bp.getX(), bp.getY()});
                }
                pts.add(new double[] {s.getEndX(), s.getEndY()});
            }
            ElkLabel l = e.getLabels().isEmpty() ? null : e.getLabels().get(0);
            arrows.add(new Diagram.Arrow(id.apply(e.getSources().get(0)), id.apply(e.getTargets().get(0)), pts, labels.get(i),
                    l == null ? 0 : l.getX(), l == null ? 0 : l.getY(), l == null ? 0 : l.getWidth(), l == null ? 0 : l.getHeight()));
        }
        return arrows;
    }
}

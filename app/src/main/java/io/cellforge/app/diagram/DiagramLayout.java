package io.cellforge.app.diagram;

import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeLabelPlacement;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkLabel;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lays out cells and network stacks with ELK's layered algorithm (Sugiyama), left to right. */
public final class DiagramLayout {
    static final double CHAR_W = 7.2;
    static final double LINE_H = 16;

    static {
        LayoutMetaDataService.getInstance().registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
    }

    private DiagramLayout() {
    }

    /** One box per node, one arrow per edge; a LayerChoice edge lists its key and (some of) its candidates. */
    public static Diagram cell(Cell cell) {
        return cell(cell, false);
    }

    /**
     * {@code compact}: a LayerChoice's label is two lines (its key and one op), as the search view draws it,
     * so that the layout is not spread for stacked candidate lists.
     */
    public static Diagram cell(Cell cell, boolean compact) {
        ElkNode root = root();
        Map<String, ElkNode> nodes = new LinkedHashMap<>();
        Map<ElkNode, Diagram.Box> proto = new LinkedHashMap<>();
        for (Node n : cell.nodes()) {
            String badge = badge(cell, n);
            Diagram.Kind kind = kind(n);
            ElkNode e = box(root, n.name(), badge);
            nodes.put(n.name(), e);
            proto.put(e, new Diagram.Box(n.name(), n.name(), badge, kind, 0, 0, 0, 0));
        }
        List<ElkEdge> edges = new ArrayList<>();
        List<Edge> model = new ArrayList<>();
        for (Edge e : cell.edges()) {
            ElkNode a = nodes.get(e.from());
            ElkNode b = nodes.get(e.to());
            if (a == null || b == null) {
                continue; // a dangling edge is a validation problem, shown in the problems list
            }
            ElkEdge ee = ElkGraphUtil.createSimpleEdge(a, b);
            List<String> label = compact && e.op() instanceof LayerChoice lc ? List.of(lc.key(), "sep_conv_3x3 0.00") : edgeLabel(e);
            if (!label.isEmpty()) {
                ElkLabel l = ElkGraphUtil.createLabel(String.join("\n", label), ee);
                l.setDimensions(labelWidth(label), labelHeight(label));
                l.setProperty(CoreOptions.EDGE_LABELS_PLACEMENT, EdgeLabelPlacement.CENTER);
            }
            edges.add(ee);
            model.add(e);
        }
        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());
        return collect(cell.name(), root, proto, edges, model.stream().map(DiagramLayout::edgeLabel).toList(),
                model.stream().map(e -> e.op() instanceof LayerChoice).toList(),
                model.stream().map(e -> e.op() instanceof LayerChoice lc ? String.join("\n", lc.labels()) : "").toList());
    }

    /**
     * The top-left corner of each node of a cell laid out by ELK, in the canvas's coordinates (the margin the
     * diagram view keeps around a drawing). What the designer, the search view and a result tab start from.
     */
    public static Map<String, double[]> positions(Cell cell, boolean compact) {
        Map<String, double[]> pos = new java.util.HashMap<>();
        for (Diagram.Box b : cell(cell, compact).boxes()) {
            pos.put(b.id(), new double[] {b.x() + DiagramView.MARGIN, b.y() + DiagramView.MARGIN});
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

    /** The size of a node's box: wide enough for its name and badge. */
    public static double[] boxSize(String name, String badge) {
        double w = Math.max(64, Math.max(name.length() * CHAR_W + 24, badge.length() * CHAR_W * 0.9 + 16));
        return new double[] {w, badge.isEmpty() ? 32 : 46};
    }

    /** The stack of a network: stem, stages and head as a chain of boxes. */
    public static Diagram network(Network net) {
        ElkNode root = root();
        Map<ElkNode, Diagram.Box> proto = new LinkedHashMap<>();
        List<ElkNode> chain = new ArrayList<>();
        List<String[]> items = new ArrayList<>();
        items.add(new String[] {"input", net.input().toString()});
        if (!net.stem().isEmpty()) {
            items.add(new String[] {"stem", net.stem().size() + " sequence" + (net.stem().size() > 1 ? "s" : "")});
        }
        for (Stage s : net.stages()) {
            String what = s.kind() == StageKind.CELL ? "cell " + s.cell()
                    : s.op() instanceof LayerChoice lc ? "choice " + lc.key() + " (" + lc.candidates().size() + ")"
                    : ((OpCall) s.op()).label();
            String times = s.repeat() == null ? "" : " x" + s.repeat();
            items.add(new String[] {s.name(), what + times + param(" c=", s.channels()) + param(" s=", s.stride())});
        }
        items.add(new String[] {"head", net.classes() + " classes"});
        for (String[] it : items) {
            ElkNode n = box(root, it[0], it[1]);
            chain.add(n);
            proto.put(n, new Diagram.Box(it[0], it[0], it[1], Diagram.Kind.STAGE, 0, 0, 0, 0));
        }
        List<ElkEdge> edges = new ArrayList<>();
        for (int i = 1; i < chain.size(); i++) {
            edges.add(ElkGraphUtil.createSimpleEdge(chain.get(i - 1), chain.get(i)));
        }
        root.setProperty(CoreOptions.DIRECTION, Direction.DOWN);
        new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());
        return collect("network", root, proto, edges, edges.stream().map(e -> List.<String>of()).toList(),
                edges.stream().map(e -> false).toList(), edges.stream().map(e -> "").toList());
    }

    private static String param(String prefix, Param p) {
        return p == null ? "" : prefix + p;
    }

    /** At most this many candidates are stacked on a LayerChoice edge; the rest are counted, and all are in the tooltip. */
    public static final int STACKED = 8;

    /** An edge's label lines: its op, or a LayerChoice's key over its candidates, stacked. */
    public static List<String> edgeLabel(Edge e) {
        List<String> l = new ArrayList<>();
        if (e.op() instanceof LayerChoice lc) {
            l.add(lc.key());
            List<String> labels = lc.labels();
            int shown = labels.size() > STACKED ? STACKED - 1 : labels.size();
            l.addAll(labels.subList(0, shown));
            if (shown < labels.size()) {
                l.add("+" + (labels.size() - shown) + " more");
            }
        } else {
            String op = ((OpCall) e.op()).label();
            if (!op.equals("identity")) {
                l.add(op);
            }
        }
        if (e.stride() != 1 && !l.isEmpty()) {
            l.set(0, l.get(0) + "  /" + e.stride());
        }
        return l;
    }

    public static double labelWidth(List<String> lines) {
        return textWidth(lines) + 10;
    }

    public static double labelHeight(List<String> lines) {
        return lines.size() * LINE_H + 4;
    }

    private static ElkNode root() {
        ElkNode root = ElkGraphUtil.createGraph();
        root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
        root.setProperty(CoreOptions.DIRECTION, Direction.RIGHT);
        root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.POLYLINE);
        root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 40.0);
        root.setProperty(CoreOptions.SPACING_NODE_NODE, 24.0);
        root.setProperty(LayeredOptions.SPACING_EDGE_LABEL, 4.0);
        return root;
    }

    private static ElkNode box(ElkNode root, String name, String badge) {
        ElkNode n = ElkGraphUtil.createNode(root);
        double[] size = boxSize(name, badge);
        n.setDimensions(size[0], size[1]);
        return n;
    }

    static double textWidth(List<String> lines) {
        return lines.stream().mapToDouble(s -> s.length() * CHAR_W).max().orElse(0);
    }

    private static Diagram collect(String title, ElkNode root, Map<ElkNode, Diagram.Box> proto, List<ElkEdge> edges,
                                   List<List<String>> labels, List<Boolean> choice, List<String> details) {
        List<Diagram.Box> boxes = new ArrayList<>();
        proto.forEach((n, b) -> boxes.add(new Diagram.Box(b.id(), b.label(), b.badge(), b.kind(), n.getX(), n.getY(),
                n.getWidth(), n.getHeight())));
        List<Diagram.Arrow> arrows = new ArrayList<>();
        for (int i = 0; i < edges.size(); i++) {
            ElkEdge e = edges.get(i);
            List<double[]> pts = new ArrayList<>();
            if (!e.getSections().isEmpty()) {
                ElkEdgeSection s = e.getSections().get(0);
                pts.add(new double[] {s.getStartX(), s.getStartY()});
                for (ElkBendPoint bp : s.getBendPoints()) {
                    pts.add(new double[] {bp.getX(), bp.getY()});
                }
                pts.add(new double[] {s.getEndX(), s.getEndY()});
            }
            ElkLabel l = e.getLabels().isEmpty() ? null : e.getLabels().get(0);
            String from = proto.get((ElkNode) e.getSources().get(0)).id();
            String to = proto.get((ElkNode) e.getTargets().get(0)).id();
            arrows.add(new Diagram.Arrow(from, to, pts, labels.get(i), details.get(i), choice.get(i), l == null ? 0 : l.getX(),
                    l == null ? 0 : l.getY(), l == null ? 0 : l.getWidth(), l == null ? 0 : l.getHeight()));
        }
        return new Diagram(title, boxes, arrows, root.getWidth(), root.getHeight());
    }
}

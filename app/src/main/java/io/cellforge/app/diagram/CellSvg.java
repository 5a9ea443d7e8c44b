package io.cellforge.app.diagram;

import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cell as an SVG picture, drawn as the canvas draws it (same boxes, curves and labels) so that an exported
 * figure looks like the editor; plain text, no JavaFX, so it is exact at any size.
 */
public final class CellSvg {
    private static final double PORT = 5.5;

    private CellSvg() {
    }

    /** {@code positions}: each node's top-left corner, as on the canvas. */
    public static String write(Cell cell, Map<String, double[]> positions) {
        double x0 = Double.MAX_VALUE;
        double y0 = Double.MAX_VALUE;
        double x1 = -Double.MAX_VALUE;
        double y1 = -Double.MAX_VALUE;
        StringBuilder edges = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        StringBuilder nodes = new StringBuilder();
        for (Node n : cell.nodes()) {
            double[] p = positions.getOrDefault(n.name(), new double[2]);
            String badge = DiagramLayout.badge(cell, n);
            double[] s = DiagramLayout.boxSize(n.name(), badge);
            x0 = Math.min(x0, p[0] - PORT);
            y0 = Math.min(y0, p[1]);
            x1 = Math.max(x1, p[0] + s[0] + PORT);
            y1 = Math.max(y1, p[1] + s[1]);
            String fill = n.kind() == NodeKind.INPUT ? "#dbeafe" : n.kind() == NodeKind.OUTPUT ? "#dcfce7" : n.inputChoice() != null ? "#fef3c7" : "#ffffff";
            nodes.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                    p[0], p[1], s[0], s[1], fill, n.inputChoice() != null ? "#d97706" : "#475569", n.inputChoice() != null ? 2.0 : 1.2));
            double cy = badge.isEmpty() ? p[1] + s[1] / 2 + 4.5 : p[1] + 19;
            nodes.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"sans-serif\" font-weight=\"bold\" font-size=\"13\">%s</text>\n",
                    p[0] + s[0] / 2, cy, esc(n.name())));
            if (!badge.isEmpty()) {
                nodes.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#334155\">%s</text>\n",
                        p[0] + s[0] / 2, p[1] + 36, esc(badge)));
            }
        }
        for (Edge e : cell.edges()) {
            Node from = cell.node(e.from()).orElse(null);
            Node to = cell.node(e.to()).orElse(null);
            if (from == null || to == null) {
                continue;
            }
            double[] pa = positions.getOrDefault(from.name(), new double[2]);
            double[] sa = DiagramLayout.boxSize(from.name(), DiagramLayout.badge(cell, from));
            double[] pb = positions.getOrDefault(to.name(), new double[2]);
            double[] sb = DiagramLayout.boxSize(to.name(), DiagramLayout.badge(cell, to));
            double ax = pa[0] + sa[0];
            double ay = pa[1] + sa[1] / 2;
            double bx = pb[0];
            double by = pb[1] + sb[1] / 2;
            EdgeCurve k = EdgeCurve.between(ax, ay, bx, by);
            boolean choice = e.op() instanceof LayerChoice;
            String colour = choice ? "#b45309" : "#64748b";
            String dash = to.inputChoice() != null ? " stroke-dasharray=\"7 4\"" : "";
            edges.append(f("<path d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s marker-end=\"url(#%s)\"/>\n",
                    k.ax(), k.ay(), k.c1x(), k.c1y(), k.c2x(), k.c2y(), k.bx(), k.by(), colour, choice ? 1.8 : 1.3, dash, choice ? "ca" : "a"));
            List<String> lines = DiagramLayout.edgeLabel(e);
            if (!lines.isEmpty()) {
                double w = DiagramLayout.labelWidth(lines);
                double h = DiagramLayout.labelHeight(lines);
                double mx = k.middle()[0] - w / 2;
                double my = k.middle()[1] - h / 2;
                x0 = Math.min(x0, mx);
                y0 = Math.min(y0, my);
                x1 = Math.max(x1, mx + w);
                y1 = Math.max(y1, my + h);
                labels.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"%s\" stroke=\"%s\"/>\n",
                        mx, my, w, h, choice ? "#fffbeb" : "#ffffff", choice ? "#f59e0b" : "#cbd5e1"));
                for (int i = 0; i < lines.size(); i++) {
                    labels.append(f("<text x=\"%.1f\" y=\"%.1f\" font-family=\"monospace\" font-size=\"11\"%s>%s</text>\n",
                            mx + 5, my + 13 + i * 16, i == 0 && choice ? " font-weight=\"bold\"" : "", esc(lines.get(i))));
                }
            }
        }
        if (x0 == Double.MAX_VALUE) {
            x0 = y0 = 0;
            x1 = y1 = 100;
        }
        double pad = 12;
        return f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"%.1f %.1f %.1f %.1f\">\n",
                x1 - x0 + 2 * pad, y1 - y0 + 2 * pad, x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
                + "<title>" + esc("cell " + cell.name()) + "</title>\n"
                + "<defs><marker id=\"a\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0 0 L9 4 L0 8 z\" fill=\"#64748b\"/></marker>"
                + "<marker id=\"ca\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0 0 L9 4 L0 8 z\" fill=\"#b45309\"/></marker></defs>\n"
                + f("<rect x=\"%.1f\" y=\"%.1f\" width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n", x0 - pad, y0 - pad)
                + edges + nodes + labels + "</svg>\n";
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

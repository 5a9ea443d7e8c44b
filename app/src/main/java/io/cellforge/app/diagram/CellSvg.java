package io.cellforge.app.diagram;

import io.cellforge.space.Cell;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cell as an SVG picture, drawn as the canvas draws it (same boxes, routes and badges, from the same
 * {@link CellGeometry}) so that an exported figure looks like the editor; plain text, no JavaFX, so it is exact
 * at any size.
 */
public final class CellSvg {

    private CellSvg() {
    }

    /** {@code positions}: each node's top-left corner, as on the canvas. */
    public static String write(Cell cell, Map<String, double[]> positions) {
        CellGeometry g = CellGeometry.of(cell, positions);
        List<String> keys = cell.mutables().stream().map(Mutable::key).distinct().toList();
        StringBuilder edges = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        StringBuilder nodes = new StringBuilder();
        for (Node n : cell.nodes()) {
            CellGeometry.Rect b = g.boxes().get(n.name());
            String badge = DiagramLayout.badge(cell, n);
            String fill = n.kind() == NodeKind.INPUT ? "#dbeafe" : n.kind() == NodeKind.OUTPUT ? "#dcfce7" : n.inputChoice() != null ? "#fef3c7" : "#ffffff";
            String stroke = n.inputChoice() != null ? KeyPalette.hex(keys, n.inputChoice().key(), false) : "#475569";
            nodes.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
                    b.x(), b.y(), b.w(), b.h(), fill, stroke, n.inputChoice() != null ? 2.0 : 1.2));
            double cy = badge.isEmpty() ? b.y() + b.h() / 2 + 4.5 : b.y() + 19;
            nodes.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"sans-serif\" font-weight=\"bold\" font-size=\"13\">%s</text>\n",
                    b.cx(), cy, esc(n.name())));
            if (!badge.isEmpty()) {
                nodes.append(f("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#334155\">%s</text>\n",
                        b.cx(), b.y() + 36, esc(badge)));
            }
        }
        for (CellGeometry.Route r : g.edges().values()) {
            boolean choice = r.label() != null && r.label().choice();
            String colour = choice ? "#b45309" : "#64748b";
            boolean candidate = cell.node(r.edge().to()).map(n -> n.inputChoice() != null).orElse(false);
            String dash = candidate ? " stroke-dasharray=\"7 4\"" : "";
            List<double[]> p = r.points();
            StringBuilder d = new StringBuilder(f("M%.1f %.1f", p.get(0)[0], p.get(0)[1]));
            if (r.curve()) {
                d.append(f(" C%.1f %.1f %.1f %.1f %.1f %.1f", p.get(1)[0], p.get(1)[1], p.get(2)[0], p.get(2)[1], p.get(3)[0], p.get(3)[1]));
            } else {
                for (int i = 1; i < p.size(); i++) {
                    d.append(f(" L%.1f %.1f", p.get(i)[0], p.get(i)[1]));
                }
            }
            edges.append(f("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s marker-end=\"url(#%s)\"/>\n",
                    d, colour, choice ? 1.8 : 1.3, dash, choice ? "ca" : "a"));
            if (r.labelBox() != null) {
                CellGeometry.Rect b = r.labelBox();
                EdgeLabel l = r.label();
                String border = choice ? KeyPalette.hex(keys, l.key(), false) : "#cbd5e1";
                labels.append(f("<g><title>%s</title>\n", esc(String.join("\n", l.expanded()))));
                labels.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"3\" fill=\"%s\" stroke=\"%s\"/>\n",
                        b.x(), b.y(), b.w(), b.h(), choice ? "#fffbeb" : "#ffffff", border));
                double x = b.x() + EdgeLabel.PAD;
                if (choice) {
                    labels.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"1.5\" fill=\"%s\"/>\n",
                            x, b.y() + (b.h() - EdgeLabel.SWATCH) / 2, EdgeLabel.SWATCH, EdgeLabel.SWATCH, border));
                    x += EdgeLabel.SWATCH + 4;
                }
                labels.append(f("<text x=\"%.1f\" y=\"%.1f\" font-family=\"monospace\" font-size=\"11\">%s</text></g>\n",
                        x, b.y() + 13, esc(l.text())));
            }
        }
        double[] e = g.extent();
        double pad = 12;
        double x0 = e[0] - pad;
        double y0 = e[1] - pad;
        double w = e[2] - e[0] + 2 * pad;
        double h = e[3] - e[1] + 2 * pad;
        return f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"%.1f %.1f %.1f %.1f\">\n", w, h, x0, y0, w, h)
                + "<title>" + esc("cell " + cell.name()) + "</title>\n"
                + "<defs><marker id=\"a\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0 0 L9 4 L0 8 z\" fill=\"#64748b\"/></marker>"
                + "<marker id=\"ca\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\"><path d=\"M0 0 L9 4 L0 8 z\" fill=\"#b45309\"/></marker></defs>\n"
                + f("<rect x=\"%.1f\" y=\"%.1f\" width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n", x0, y0)
                + edges + nodes + labels + "</svg>\n";
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

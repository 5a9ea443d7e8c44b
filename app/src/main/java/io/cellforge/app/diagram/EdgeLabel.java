package io.cellforge.app.diagram;

import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.OpCall;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an edge shows: a one-line badge (its op, or a LayerChoice's key colour and candidate count, or during a
 * search the leading candidate) and the lines it expands to on hover or selection (the key and every candidate).
 * {@code key} is the LayerChoice's key, null for a fixed op. {@code dynamic}: the op, or a candidate, takes its
 * kernels from a weight generator; the badge then ends on a diamond, the convolution's weight port, as do the
 * lines of the dynamic candidates.
 */
public record EdgeLabel(String text, String key, List<String> expanded, boolean dynamic) {
    public static final double PAD = 5;
    public static final double SWATCH = 9;
    public static final double HEIGHT = 18;
    /** The weight port's diamond: its width, and the room it takes after the text. */
    public static final double PORT = 8;
    public static final double PORT_ROOM = PORT + 4;

    public EdgeLabel(String text, String key, List<String> expanded) {
        this(text, key, expanded, false);
    }

    /** The label of an edge, or null for an identity edge (nothing to say). */
    public static EdgeLabel of(Edge e) {
        String stride = e.stride() != 1 ? "  /" + e.stride() : "";
        if (e.op() instanceof LayerChoice lc) {
            List<String> lines = new ArrayList<>();
            lines.add(lc.key() + stride);
            lines.addAll(lc.labels());
            return new EdgeLabel(lc.candidates().size() + " ops" + stride, lc.key(), List.copyOf(lines), WeightFeeds.dynamic(lc));
        }
        String op = ((OpCall) e.op()).label();
        if (op.equals("identity") && stride.isEmpty()) {
            return null;
        }
        return new EdgeLabel(op + stride, null, List.of(op + stride), WeightFeeds.dynamic(e.op()));
    }

    /** During a search: the badge names the leading candidate and its probability; expanded, every candidate's. */
    public static EdgeLabel leading(LayerChoice lc, double[] weights) {
        int best = 0;
        for (int i = 1; i < weights.length; i++) {
            if (weights[i] > weights[best]) {
                best = i;
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(lc.key());
        for (int i = 0; i < weights.length; i++) {
            lines.add(probability(lc.labels().get(i), weights[i]));
        }
        return new EdgeLabel(probability(lc.labels().get(best), weights[best]), lc.key(), List.copyOf(lines), WeightFeeds.dynamic(lc));
    }

    private static String probability(String op, double p) {
        return String.format(Locale.ROOT, "%s %.2f", op, p);
    }

    public boolean choice() {
        return key != null;
    }

    /** The op a search's badge names, or null. */
    public String lead() {
        int space = text.lastIndexOf(' ');
        return choice() && space > 0 && text.matches("\\S+ \\d\\.\\d\\d") ? text.substring(0, space) : null;
    }

    /** Whether expanded line {@code i} names a candidate that takes its kernels from a weight generator. */
    public boolean dynamicLine(int i) {
        if (!dynamic || i == 0 && choice()) {
            return false;
        }
        String line = expanded.get(i);
        int end = line.length();
        for (char c : new char[] {'(', ' '}) {
            int at = line.indexOf(c);
            if (at > 0) {
                end = Math.min(end, at);
            }
        }
        return io.cellforge.ops.OpCatalog.builtin().isDynamic(line.substring(0, end));
    }

    public double width() {
        return Math.ceil(2 * PAD + (choice() ? SWATCH + 4 : 0) + TextMetrics.width(text, TextMetrics.LABEL) + (dynamic ? PORT_ROOM : 0));
    }

    public double height() {
        return HEIGHT;
    }

    public double expandedWidth() {
        double w = 0;
        for (int i = 0; i < expanded.size(); i++) {
            w = Math.max(w, TextMetrics.width(expanded.get(i), i == 0 && choice() ? TextMetrics.KEY : TextMetrics.LABEL));
        }
        return Math.ceil(w + 2 * PAD + (dynamic ? PORT_ROOM : 0));
    }

    public double expandedHeight() {
        return expanded.size() * DiagramLayout.LINE_H + 4;
    }

}

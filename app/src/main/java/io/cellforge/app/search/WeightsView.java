package io.cellforge.app.search;

import io.cellforge.app.canvas.Theme;
import javafx.geometry.Insets;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The architecture weights: for every choice a small chart of the probability of each candidate over the
 * steps (one line per candidate, in the op's colour), up to the step shown; and a heatmap of every choice
 * against its candidates at that step. Drawn on canvases: a few hundred lines redraw in well under a frame,
 * where one chart control per choice would not.
 */
public final class WeightsView {
    static final double SPARK_W = 190;
    static final double SPARK_H = 92;
    private static final double CELL_W = 46;
    private static final double ROW_H = 15;
    private static final double KEY_W = 150;

    private final FlowPane sparks = new FlowPane(6, 6);
    private final FlowPane legend = new FlowPane(10, 2);
    private final Canvas heatmap = new Canvas(10, 10);
    private final Map<String, Canvas> byKey = new LinkedHashMap<>();
    private Theme theme = Theme.LIGHT;
    private List<String> keys = List.of();
    private Map<String, List<String>> labels = Map.of();

    public WeightsView() {
        sparks.setId("weights");
        sparks.setPadding(new Insets(6));
        heatmap.setId("heatmap");
    }

    public FlowPane sparks() {
        return sparks;
    }

    /** The colour of each candidate, as the lines and the cell use it. */
    public FlowPane legend() {
        return legend;
    }

    public Canvas heatmap() {
        return heatmap;
    }

    public void setTheme(Theme t) {
        theme = t;
    }

    /** The keys of the choices drawn, in order (the space's searched choices). */
    public List<String> keys() {
        return keys;
    }

    /** The choices that have weights (LayerChoices, InputChoices and ValueChoices searched by the strategy), in order. */
    public void setChoices(List<SearchViewModel.ChoiceRow> choices) {
        Map<String, List<String>> l = new LinkedHashMap<>();
        for (SearchViewModel.ChoiceRow c : choices) {
            l.put(c.key(), c.candidates());
        }
        if (l.equals(labels)) {
            return;
        }
        labels = l;
        keys = List.copyOf(l.keySet());
        sparks.getChildren().clear();
        byKey.clear();
        for (String k : keys) {
            Canvas c = new Canvas(SPARK_W, SPARK_H);
            c.setId("spark-" + k);
            c.getStyleClass().add("weight-spark");
            Tooltip.install(c, new Tooltip(k + "\n" + String.join("\n", labels.get(k))));
            byKey.put(k, c);
            sparks.getChildren().add(c);
        }
        legend.getChildren().clear();
        labels.values().stream().flatMap(List::stream).distinct().limit(16).forEach(op -> {
            javafx.scene.control.Label tag = new javafx.scene.control.Label(op);
            tag.setTextFill(theme.opColour(op));
            tag.setStyle("-fx-font-family: monospace; -fx-font-weight: bold;");
            legend.getChildren().add(tag);
        });
        int cols = labels.values().stream().mapToInt(List::size).max().orElse(0);
        heatmap.setWidth(KEY_W + cols * CELL_W + 10);
        heatmap.setHeight(ROW_H * (keys.size() + 1) + 56);
    }

    /**
     * Draws the steps up to {@code cursor} (inclusive), each step's probabilities per key; {@code pruned}: the
     * candidates steered out by then.
     */
    public void draw(List<Map<String, double[]>> steps, int cursor, Map<String, java.util.Set<String>> pruned) {
        int n = Math.min(cursor + 1, steps.size());
        for (String k : keys) {
            drawSpark(byKey.get(k), k, steps, n);
        }
        drawHeatmap(n == 0 ? Map.of() : steps.get(n - 1), pruned);
    }

    /** A heatmap cell: a choice's key and one of its candidates. */
    public record HeatCell(String key, String label) {
    }

    private static final double HEAT_TOP = 54;

    /** The cell of the heatmap at a point of it, if any. */
    public java.util.Optional<HeatCell> cellAt(double x, double y) {
        int row = (int) Math.floor((y - HEAT_TOP) / ROW_H);
        int col = (int) Math.floor((x - KEY_W) / CELL_W);
        if (y < HEAT_TOP || x < KEY_W || row >= keys.size() || col < 0) {
            return java.util.Optional.empty();
        }
        List<String> l = labels.get(keys.get(row));
        return col < l.size() ? java.util.Optional.of(new HeatCell(keys.get(row), l.get(col))) : java.util.Optional.empty();
    }

    /** Where a cell of the heatmap is drawn (its centre), for a click on it. */
    public javafx.geometry.Point2D centreOf(String key, String label) {
        int row = keys.indexOf(key);
        int col = labels.getOrDefault(key, List.of()).indexOf(label);
        return new javafx.geometry.Point2D(KEY_W + col * CELL_W + CELL_W / 2, HEAT_TOP + row * ROW_H + ROW_H / 2);
    }

    private void drawSpark(Canvas c, String key, List<Map<String, double[]>> steps, int n) {
        GraphicsContext g = c.getGraphicsContext2D();
        double w = c.getWidth();
        double h = c.getHeight();
        g.setFill(theme.background());
        g.fillRect(0, 0, w, h);
        g.setStroke(theme.grid().darker());
        g.strokeRect(0.5, 0.5, w - 1, h - 1);
        g.setFill(theme.keyColour(keys, key));
        g.setFont(Font.font("Monospaced", 10));
        g.fillText(key, 4, 11);
        List<String> cands = labels.get(key);
        double top = 16;
        double plotH = h - top - 4;
        if (n == 0) {
            return;
        }
        // At most one point per pixel: long searches are sampled, not all drawn.
        int stride = Math.max(1, (int) Math.ceil(n / (w - 8)));
        // The y axis spans what the probabilities did (at least 0.05): early in a search they all sit near
        // 1/candidates and move by little, which a 0..1 axis would flatten.
        double lo = 1;
        double hi = 0;
        for (int i = 0; i < n; i += stride) {
            double[] p = steps.get(i).get(key);
            if (p != null) {
                for (double v : p) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        double[] lastP = steps.get(n - 1).get(key);
        if (lastP != null) {
            for (double v : lastP) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (hi - lo < 0.05) {
            double mid = (hi + lo) / 2;
            lo = Math.max(0, mid - 0.025);
            hi = lo + 0.05;
        }
        double yLo = lo;
        double ySpan = hi - lo;
        g.setFill(theme.muted());
        g.setFont(Font.font("Monospaced", 8));
        g.fillText(String.format(java.util.Locale.ROOT, "%.2f-%.2f", lo, hi), w - 58, 11);
        for (int c2 = 0; c2 < cands.size(); c2++) {
            g.setStroke(theme.opColour(cands.get(c2)));
            g.setLineWidth(1.2);
            g.beginPath();
            boolean first = true;
            for (int i = 0; i < n; i += stride) {
                double[] p = steps.get(i).get(key);
                if (p == null || c2 >= p.length) {
                    continue;
                }
                double x = 4 + (w - 8) * (n == 1 ? 1 : (double) i / (n - 1));
                double y = top + plotH * (1 - (p[c2] - yLo) / ySpan);
                if (first) {
                    g.moveTo(x, y);
                    first = false;
                } else {
                    g.lineTo(x, y);
                }
            }
            double[] last = steps.get(n - 1).get(key);
            if (last != null && c2 < last.length) {
                g.lineTo(w - 4, top + plotH * (1 - (last[c2] - yLo) / ySpan));
            }
            g.stroke();
        }
    }

    private void drawHeatmap(Map<String, double[]> w, Map<String, java.util.Set<String>> pruned) {
        GraphicsContext g = heatmap.getGraphicsContext2D();
        g.setFill(theme.background());
        g.fillRect(0, 0, heatmap.getWidth(), heatmap.getHeight());
        g.setFont(Font.font("Monospaced", 10));
        // Column titles when every choice offers the same candidates (DARTS): the ops; else the index.
        List<String> common = labels.values().stream().distinct().count() == 1 ? labels.values().iterator().next() : null;
        int cols = labels.values().stream().mapToInt(List::size).max().orElse(0);
        double top = HEAT_TOP;
        for (int j = 0; j < cols; j++) {
            String t = common != null ? common.get(j) : "#" + j;
            g.save();
            g.translate(KEY_W + j * CELL_W + CELL_W / 2, top - 4);
            g.rotate(-35);
            g.setFill(common != null ? theme.opColour(t) : theme.text());
            g.fillText(t.length() > 14 ? t.substring(0, 14) : t, 0, 0);
            g.restore();
        }
        // One colour scale for the whole map, spread over what the candidates actually do: each candidate's share
        // against a uniform one (1/n of its choice), blue above, orange below, full colour at the largest deviation.
        // (a steered choice is left out: a pinned one at 1.0 would leave every other row pale)
        double spread = maxDeviation(w, keys.stream().filter(k -> !pruned.containsKey(k)).toList());
        g.setFill(theme.muted());
        g.fillText("blue: above 1/n", 2, 20);
        g.fillText("orange: below", 2, 32);
        g.fillText(String.format(java.util.Locale.ROOT, "full: %+.0f%% of 1/n", 100 * spread), 2, 44);
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            double y = top + i * ROW_H;
            g.setFill(theme.keyColour(keys, k));
            g.fillText(k.length() > 22 ? k.substring(0, 22) : k, 2, y + 11);
            double[] p = w.get(k);
            if (p == null) {
                continue;
            }
            int best = 0;
            for (int j = 1; j < p.length; j++) {
                if (p[j] > p[best]) {
                    best = j;
                }
            }
            for (int j = 0; j < p.length; j++) {
                double d = deviation(p, j);
                double strength = Math.min(1, Math.abs(d) / spread);
                g.setFill(Color.web(d >= 0 ? "#1d4ed8" : "#ea580c", 0.06 + 0.85 * strength));
                g.fillRect(KEY_W + j * CELL_W, y, CELL_W - 2, ROW_H - 2);
                if (j == best) {
                    g.setStroke(theme.text());
                    g.setLineWidth(1.5);
                    g.strokeRect(KEY_W + j * CELL_W + 0.75, y + 0.75, CELL_W - 3.5, ROW_H - 3.5);
                }
                g.setFill(strength > 0.55 ? Color.WHITE : theme.text());
                g.fillText(cellText(p[j]), KEY_W + j * CELL_W + 4, y + 11);
                if (pruned.getOrDefault(k, java.util.Set.of()).contains(labels.get(k).get(j))) {
                    // steered out: crossed, on the muted background, whatever its weight read before
                    g.setFill(theme.background());
                    g.fillRect(KEY_W + j * CELL_W, y, CELL_W - 2, ROW_H - 2);
                    g.setStroke(theme.muted());
                    g.setLineWidth(1);
                    g.strokeLine(KEY_W + j * CELL_W + 2, y + 2, KEY_W + (j + 1) * CELL_W - 4, y + ROW_H - 4);
                    g.strokeLine(KEY_W + j * CELL_W + 2, y + ROW_H - 4, KEY_W + (j + 1) * CELL_W - 4, y + 2);
                    g.setFill(theme.muted());
                    g.fillText("out", KEY_W + j * CELL_W + 12, y + 11);
                }
            }
        }
    }

    /** A probability in three significant digits: 0.125 and 0.131 read apart where two decimals read 0.13. */
    static String cellText(double p) {
        return String.format(java.util.Locale.ROOT, "%.3g", p);
    }

    /** A candidate's share against a uniform one: 0 at 1/n, +0.1 for 10% above it. */
    static double deviation(double[] p, int j) {
        return p[j] * p.length - 1;
    }

    /** The largest deviation from uniform over the map (at least 0.1%, so that a uniform start reads pale). */
    static double maxDeviation(Map<String, double[]> w, List<String> keys) {
        double m = 1e-3;
        for (String k : keys) {
            double[] p = w.get(k);
            for (int j = 0; p != null && j < p.length; j++) {
                m = Math.max(m, Math.abs(deviation(p, j)));
            }
        }
        return m;
    }
}

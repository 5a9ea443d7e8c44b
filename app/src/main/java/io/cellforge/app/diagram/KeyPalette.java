package io.cellforge.app.diagram;

import java.util.List;
import java.util.Locale;

/**
 * The colours of a space's keys: the n-th key of the space's list gets the n-th colour, so no two keys share
 * one. Twenty well-separated colours first (Kelly's and Tableau's, without greys), then hues a golden angle
 * apart at alternating lightness, which never repeat. Plain hex strings, for the canvas and the SVG export.
 */
public final class KeyPalette {
    private static final List<String> LIGHT = List.of("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
            "#8c564b", "#e377c2", "#bcbd22", "#0b3d91", "#a6761d", "#e7298a", "#1b9e77", "#7570b3", "#d95f02", "#66a61e",
            "#b10026", "#005a32", "#6a3d9a", "#b15928");
    private static final List<String> DARK = List.of("#60a5fa", "#f87171", "#4ade80", "#c084fc", "#fb923c", "#22d3ee",
            "#d6a77a", "#f9a8d4", "#e2e26b", "#93c5fd", "#fcd34d", "#f472b6", "#5eead4", "#a5b4fc", "#fdba74", "#bef264",
            "#fca5a5", "#86efac", "#d8b4fe", "#fde68a");

    private KeyPalette() {
    }

    /** The colour of the key at {@code index} of its space's list. */
    public static String hex(int index, boolean dark) {
        List<String> p = dark ? DARK : LIGHT;
        if (index < p.size()) {
            return p.get(index);
        }
        int i = index - p.size();
        double hue = (i * 137.50776) % 360;
        double s = dark ? 0.55 : 0.8;
        double v = (i / 3) % 2 == 0 ? (dark ? 0.95 : 0.62) : (dark ? 0.8 : 0.45);
        return hsb(hue, s, v);
    }

    /**
     * A space's keys in colour order: its LayerChoices first (as the search view lists them, so both give a key
     * the same colour), then its other choices, in the space's order.
     */
    public static List<String> keys(io.cellforge.space.SearchSpace space) {
        if (space == null) {
            return List.of();
        }
        List<String> first = new java.util.ArrayList<>();
        List<String> rest = new java.util.ArrayList<>();
        space.mutablesByKey().forEach((k, m) -> (m instanceof io.cellforge.space.LayerChoice ? first : rest).add(k));
        first.addAll(rest);
        return List.copyOf(first);
    }

    /** The colour of {@code key} among {@code keys}; a key not in the list comes after all of them. */
    public static String hex(List<String> keys, String key, boolean dark) {
        int i = keys.indexOf(key);
        return hex(i >= 0 ? i : keys.size() + Math.floorMod(key.hashCode(), 997), dark);
    }

    private static String hsb(double h, double s, double v) {
        double c = v * s;
        double x = c * (1 - Math.abs((h / 60) % 2 - 1));
        double m = v - c;
        double[] rgb = h < 60 ? new double[] {c, x, 0} : h < 120 ? new double[] {x, c, 0} : h < 180 ? new double[] {0, c, x}
                : h < 240 ? new double[] {0, x, c} : h < 300 ? new double[] {x, 0, c} : new double[] {c, 0, x};
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round((rgb[0] + m) * 255), Math.round((rgb[1] + m) * 255),
                Math.round((rgb[2] + m) * 255));
    }
}

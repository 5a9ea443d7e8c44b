package io.cellforge.app.canvas;

import javafx.scene.paint.Color;

/** The canvas's colours in the light and the dark theme (the controls take theirs from AtlantaFX). */
public record Theme(boolean dark, Color background, Color grid, Color text, Color muted, Color node, Color input, Color output,
                    Color choiceNode, Color border, Color edge, Color choiceEdge, Color label, Color choiceLabel, Color selected,
                    Color minimap) {

    public static final Theme LIGHT = new Theme(false, Color.web("#ffffff"), Color.web("#eef2f7"), Color.web("#0f172a"),
            Color.web("#475569"), Color.WHITE, Color.web("#dbeafe"), Color.web("#dcfce7"), Color.web("#fef3c7"),
            Color.web("#475569"), Color.web("#64748b"), Color.web("#b45309"), Color.web("#ffffff", 0.92),
            Color.web("#fffbeb", 0.96), Color.web("#2563eb"), Color.web("#f8fafc", 0.92));

    public static final Theme DARK = new Theme(true, Color.web("#0d1117"), Color.web("#161b22"), Color.web("#e6edf3"),
            Color.web("#9ca3af"), Color.web("#1f2937"), Color.web("#1e3a5f"), Color.web("#14532d"), Color.web("#4a3410"),
            Color.web("#94a3b8"), Color.web("#94a3b8"), Color.web("#f59e0b"), Color.web("#111827", 0.92),
            Color.web("#2a1f0a", 0.96), Color.web("#60a5fa"), Color.web("#161b22", 0.92));

    private static final java.util.Map<String, String> OPS = java.util.Map.of(
            "none", "#9ca3af", "max_pool_3x3", "#2563eb", "avg_pool_3x3", "#0891b2", "skip_connect", "#16a34a",
            "sep_conv_3x3", "#dc2626", "sep_conv_5x5", "#ea580c", "dil_conv_3x3", "#9333ea", "dil_conv_5x5", "#c026d3");

    /** One colour per op, fixed for the DARTS ops: an edge's colour says which op leads it during a search. */
    public Color opColour(String op) {
        String c = OPS.get(op);
        return c != null ? Color.web(c) : Color.web(io.cellforge.app.diagram.KeyPalette.hex(java.util.List.of(), op, dark));
    }

    /**
     * The colour of a key, the same wherever the key is used (choices sharing a key look alike) and never the
     * colour of another key of {@code keys}, the space's list of keys.
     */
    public Color keyColour(java.util.List<String> keys, String key) {
        return Color.web(io.cellforge.app.diagram.KeyPalette.hex(keys, key, dark));
    }
}

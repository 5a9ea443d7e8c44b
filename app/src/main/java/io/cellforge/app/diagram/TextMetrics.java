package io.cellforge.app.diagram;

import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;
import javafx.scene.text.Text;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fonts the canvas draws with and the widths of text in them, measured by JavaFX (which needs no running
 * toolkit for it), so that the layout makes every box and label as large as what is drawn in it.
 */
public final class TextMetrics {
    /** A node's name. */
    public static final Font NAME = Font.font("System", FontWeight.BOLD, 13);
    /** The line under a node's name (its InputChoice, or how it merges). */
    public static final Font BADGE = Font.font("System", 11);
    /** The title of a frame around boxes (a weight generator's). */
    public static final Font FRAME = Font.font("System", FontWeight.BOLD, 11);
    /** An edge's label: its op, a LayerChoice's count, and the candidates it expands to. */
    public static final Font LABEL = Font.font("Monospaced", 11);
    /** A LayerChoice's key, the first line of its expanded label. */
    public static final Font KEY = Font.font("Monospaced", FontWeight.BOLD, 11.5);

    private static final Map<String, Double> WIDTHS = new ConcurrentHashMap<>();

    private TextMetrics() {
    }

    public static double width(String s, Font f) {
        return WIDTHS.computeIfAbsent(f.getName() + "/" + f.getSize() + "/" + s, k -> {
            Text t = new Text(s);
            t.setFont(f);
            return Math.ceil(t.getLayoutBounds().getWidth());
        });
    }
}

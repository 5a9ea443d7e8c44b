package io.cellforge.app.diagram;

import java.util.List;

/** A laid-out picture of a graph: boxes and arrows with coordinates. Plain data, no JavaFX. */
public record Diagram(String title, List<Box> boxes, List<Arrow> arrows, double width, double height) {

    public enum Kind { INPUT, INTERMEDIATE, OUTPUT, CHOICE_NODE, STAGE }

    /** A node: its id in the model, text, kind and a badge (e.g. "choose 2 of 3"). */
    public record Box(String id, String label, String badge, Kind kind, double x, double y, double w, double h) {
    }

    /** An edge: its route, and its label (null for none) with the place the layout gave it. */
    public record Arrow(String from, String to, List<double[]> points, EdgeLabel label,
                        double labelX, double labelY, double labelW, double labelH) {
        public boolean choice() {
            return label != null && label.choice();
        }
    }
}

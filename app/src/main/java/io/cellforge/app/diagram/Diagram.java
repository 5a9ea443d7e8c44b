package io.cellforge.app.diagram;

import java.util.List;
import java.util.Optional;

/**
 * A laid-out picture of a graph: boxes and arrows with coordinates, and titled frames around boxes that make one
 * part (a weight generator's layers). Plain data, no JavaFX.
 */
public record Diagram(String title, List<Box> boxes, List<Arrow> arrows, List<Frame> frames, double width, double height) {

    /** A picture without frames (a cell, a network without weight generators). */
    public Diagram(String title, List<Box> boxes, List<Arrow> arrows, double width, double height) {
        this(title, boxes, arrows, List.of(), width, height);
    }

    /** {@code CONTEXT}: a network's second input, a vector per sample; {@code GENERATOR}: a layer of a weight generator. */
    public enum Kind { INPUT, INTERMEDIATE, OUTPUT, CHOICE_NODE, STAGE, CONTEXT, GENERATOR }

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

    /** A titled frame around the boxes of one part, drawn behind them. */
    public record Frame(String id, String label, double x, double y, double w, double h) {
    }

    public Optional<Box> box(String id) {
        return boxes.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** Whether an arrow carries kernels from a weight generator into the part whose convolutions use them. */
    public boolean feedsWeights(Arrow a) {
        return box(a.from()).map(b -> b.kind() == Kind.GENERATOR).orElse(false)
                && box(a.to()).map(b -> b.kind() == Kind.STAGE).orElse(false);
    }
}

package io.cellforge.space;

/** Where the designer draws a node: the top-left corner of its box, in the canvas's units. */
public record Point(double x, double y) {
}

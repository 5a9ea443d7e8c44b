package io.cellforge.app.diagram;

/**
 * The curve of an edge from a node's output port (a) to another's input port (b), as the canvas draws it and the
 * SVG export writes it: a cubic leaving and entering horizontally. Its label sits at the middle ({@code t = 0.5}).
 */
public record EdgeCurve(double ax, double ay, double c1x, double c1y, double c2x, double c2y, double bx, double by) {

    public static EdgeCurve between(double ax, double ay, double bx, double by) {
        double dx = Math.max(40, Math.abs(bx - ax) / 2);
        return new EdgeCurve(ax, ay, ax + dx, ay, bx - dx, by, bx, by);
    }

    /** The point at {@code t} in [0, 1]. */
    public double[] at(double t) {
        double u = 1 - t;
        return new double[] {u * u * u * ax + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * bx,
                u * u * u * ay + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * by};
    }

    public double[] middle() {
        return at(0.5);
    }
}

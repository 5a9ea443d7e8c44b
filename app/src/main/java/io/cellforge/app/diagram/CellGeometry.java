package io.cellforge.app.diagram;

import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.Node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Where everything of a cell is drawn, given its nodes' positions: each node's box, each edge's route and the
 * place of its label. Where both ends of an edge are where the layout put them, the edge follows ELK's route and
 * its label ELK's place; an edge touching a moved node is a curve from port to port, its label slid along the
 * curve (or, failing that, moved the least distance off it) to the first place that covers no box and no other
 * label. Shared by the canvas, the SVG export and the tests, so what is tested is what is drawn. Plain data.
 */
public record CellGeometry(Map<String, Rect> boxes, Map<List<String>, Route> edges) {

    public record Rect(double x, double y, double w, double h) {
        public boolean overlaps(Rect o) {
            return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
        }

        public double cx() {
            return x + w / 2;
        }

        public double cy() {
            return y + h / 2;
        }

        /** The box with the ports' circles on its sides. */
        Rect withPorts() {
            return new Rect(x - DiagramLayout.PORT_R, y, w + 2 * DiagramLayout.PORT_R, h);
        }
    }

    /**
     * An edge's route: a polyline through {@code points}, or with {@code curve} a cubic Bézier (start, two
     * control points, end). {@code label} is null for an edge without one.
     */
    public record Route(Edge edge, List<double[]> points, boolean curve, EdgeLabel label, Rect labelBox) {
        /** Points along the route, for hit tests. */
        public List<double[]> sample() {
            List<double[]> s = new ArrayList<>();
            if (curve) {
                EdgeCurve k = bezier();
                for (int i = 0; i <= 24; i++) {
                    s.add(k.at(i / 24.0));
                }
                return s;
            }
            for (int i = 1; i < points.size(); i++) {
                double[] a = points.get(i - 1);
                double[] b = points.get(i);
                int n = (int) Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / 4));
                for (int j = 0; j <= n; j++) {
                    s.add(new double[] {a[0] + (b[0] - a[0]) * j / n, a[1] + (b[1] - a[1]) * j / n});
                }
            }
            return s;
        }

        public EdgeCurve bezier() {
            return new EdgeCurve(points.get(0)[0], points.get(0)[1], points.get(1)[0], points.get(1)[1], points.get(2)[0],
                    points.get(2)[1], points.get(3)[0], points.get(3)[1]);
        }

        /** The point the arrow head comes from (the last control point of a curve, the last bend of a polyline). */
        public double[] beforeEnd() {
            return points.get(points.size() - 2);
        }

        public double[] end() {
            return points.get(points.size() - 1);
        }
    }

    /** With each edge's label as {@link EdgeLabel#of}. */
    public static CellGeometry of(Cell cell, Map<String, double[]> positions) {
        return of(cell, positions, EdgeLabel::of);
    }

    private static final int CACHED = 16;
    /** Layouts by cell: a drag redraws often and the cell does not change during it. */
    private static final Map<Cell, Diagram> LAYOUTS = new LinkedHashMap<>(CACHED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cell, Diagram> e) {
            return size() > CACHED;
        }
    };

    static Diagram layout(Cell cell) {
        synchronized (LAYOUTS) {
            return LAYOUTS.computeIfAbsent(cell, DiagramLayout::cell);
        }
    }

    public static CellGeometry of(Cell cell, Map<String, double[]> positions, Function<Edge, EdgeLabel> labels) {
        Diagram d = layout(cell);
        Map<String, Diagram.Box> laid = new LinkedHashMap<>();
        d.boxes().forEach(b -> laid.put(b.id(), b));
        double m = DiagramView.MARGIN;
        Map<String, Rect> boxes = new LinkedHashMap<>();
        java.util.Set<String> inPlace = new java.util.HashSet<>();
        for (Node n : cell.nodes()) {
            double[] p = positions.getOrDefault(n.name(), new double[2]);
            double[] s = DiagramLayout.boxSize(n.name(), DiagramLayout.badge(cell, n));
            boxes.put(n.name(), new Rect(p[0], p[1], s[0], s[1]));
            Diagram.Box b = laid.get(n.name());
            if (b != null && Math.abs(b.x() + m - p[0]) <= 1 && Math.abs(b.y() + m - p[1]) <= 1) {
                inPlace.add(n.name());
            }
        }
        Map<List<String>, Diagram.Arrow> arrows = new LinkedHashMap<>();
        d.arrows().forEach(a -> arrows.put(List.of(a.from(), a.to()), a));
        List<Rect> taken = new ArrayList<>();
        boxes.values().forEach(b -> taken.add(b.withPorts()));
        Map<List<String>, Route> routes = new LinkedHashMap<>();
        List<Edge> loose = new ArrayList<>();
        for (Edge e : cell.edges()) {
            Rect a = boxes.get(e.from());
            Rect b = boxes.get(e.to());
            if (a == null || b == null) {
                continue; // a dangling edge is listed in the problems pane
            }
            List<String> id = List.of(e.from(), e.to());
            Diagram.Arrow laidOut = arrows.get(id);
            if (laidOut == null || laidOut.points().size() < 2 || !inPlace.contains(e.from()) || !inPlace.contains(e.to())) {
                loose.add(e);
                continue;
            }
            List<double[]> pts = new ArrayList<>();
            for (double[] p : laidOut.points()) {
                pts.add(new double[] {p[0] + m, p[1] + m});
            }
            // Whole-pixel positions: the route starts and ends at the ports' centres as drawn.
            pts.set(0, new double[] {a.x() + a.w(), a.cy()});
            pts.set(pts.size() - 1, new double[] {b.x(), b.cy()});
            EdgeLabel l = labels.apply(e);
            Route route = new Route(e, pts, false, l, null);
            Rect box = null;
            if (l != null) {
                // Centred on the place ELK kept for it; a label grown since (a search names its leading op) that
                // would cover something slides along its route.
                double cx = laidOut.labelW() > 0 ? laidOut.labelX() + m + laidOut.labelW() / 2 : pts.get(0)[0];
                double cy = laidOut.labelW() > 0 ? laidOut.labelY() + m + laidOut.labelH() / 2 : pts.get(0)[1];
                box = new Rect(cx - l.width() / 2, cy - l.height() / 2, l.width(), l.height());
                if (!free(box, taken)) {
                    box = place(route.sample(), cx, cy, l.width(), l.height(), taken);
                }
                taken.add(box);
            }
            routes.put(id, new Route(e, pts, false, l, box));
        }
        for (Edge e : loose) {
            Rect a = boxes.get(e.from());
            Rect b = boxes.get(e.to());
            EdgeCurve k = EdgeCurve.between(a.x() + a.w(), a.cy(), b.x(), b.cy());
            List<double[]> pts = List.of(new double[] {k.ax(), k.ay()}, new double[] {k.c1x(), k.c1y()},
                    new double[] {k.c2x(), k.c2y()}, new double[] {k.bx(), k.by()});
            EdgeLabel l = labels.apply(e);
            Rect box = null;
            if (l != null) {
                double[] mid = k.middle();
                box = place(new Route(e, pts, true, l, null).sample(), mid[0], mid[1], l.width(), l.height(), taken);
            }
            if (box != null) {
                taken.add(box);
            }
            routes.put(List.of(e.from(), e.to()), new Route(e, pts, true, l, box));
        }
        return new CellGeometry(boxes, routes);
    }

    /**
     * The free place for a label centred on a point of its route, the point nearest (cx, cy) first; else the free
     * place nearest (cx, cy) off the route.
     */
    private static Rect place(List<double[]> route, double cx, double cy, double w, double h, List<Rect> taken) {
        List<double[]> along = new ArrayList<>(route);
        along.sort(java.util.Comparator.comparingDouble(p -> Math.hypot(p[0] - cx, p[1] - cy)));
        for (double[] p : along) {
            Rect r = new Rect(p[0] - w / 2, p[1] - h / 2, w, h);
            if (free(r, taken)) {
                return r;
            }
        }
        // Rings around the point; outside every box there is always room, so this ends.
        for (double d = 6; ; d += 6) {
            for (int i = 0; i < 16; i++) {
                double ang = Math.PI / 2 + i * Math.PI / 8;
                Rect r = new Rect(cx + d * Math.cos(ang) - w / 2, cy + d * Math.sin(ang) - h / 2, w, h);
                if (free(r, taken)) {
                    return r;
                }
            }
        }
    }

    private static boolean free(Rect r, List<Rect> taken) {
        for (Rect t : taken) {
            if (r.overlaps(t)) {
                return false;
            }
        }
        return true;
    }

    /** Every pair of boxes and labels that overlap (the ports' circles counted with their boxes), as text. */
    public List<String> overlaps() {
        List<String> names = new ArrayList<>();
        List<Rect> rects = new ArrayList<>();
        boxes.forEach((n, b) -> {
            names.add("node " + n);
            rects.add(b.withPorts());
        });
        edges.forEach((id, r) -> {
            if (r.labelBox() != null) {
                names.add("label " + id.get(0) + "->" + id.get(1));
                rects.add(r.labelBox());
            }
        });
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rects.size(); i++) {
            for (int j = i + 1; j < rects.size(); j++) {
                if (rects.get(i).overlaps(rects.get(j))) {
                    out.add(names.get(i) + " / " + names.get(j));
                }
            }
        }
        return out;
    }

    /** The bounding box of all boxes (with ports) and labels: x0, y0, x1, y1. */
    public double[] extent() {
        double x0 = Double.MAX_VALUE;
        double y0 = Double.MAX_VALUE;
        double x1 = -Double.MAX_VALUE;
        double y1 = -Double.MAX_VALUE;
        List<Rect> all = new ArrayList<>();
        boxes.values().forEach(b -> all.add(b.withPorts()));
        edges.values().stream().filter(r -> r.labelBox() != null).forEach(r -> all.add(r.labelBox()));
        for (Rect r : all) {
            x0 = Math.min(x0, r.x());
            y0 = Math.min(y0, r.y());
            x1 = Math.max(x1, r.x() + r.w());
            y1 = Math.max(y1, r.y() + r.h());
        }
        return x0 == Double.MAX_VALUE ? new double[] {0, 0, 1, 1} : new double[] {x0, y0, x1, y1};
    }
}

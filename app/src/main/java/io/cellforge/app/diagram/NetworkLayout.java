package io.cellforge.app.diagram;

import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Role;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out a network's stack (input, stem, stages, head) as a snake of equal boxes: rows that run left to right,
 * then right to left, as many per row as makes the whole picture the shape of the view, so that a long stack
 * (MobileNetV2's 17 blocks) is drawn as large as the view allows. Every box is as wide as the widest text of the
 * stack. A block whose identity shortcut is known to apply (residual, stride 1, width unchanged) gets an arrow
 * around it: an arrow from a box to itself.
 */
public final class NetworkLayout {
    /** Between boxes of a row: room for the arrow and the ends of the shortcuts. */
    static final double GAP_X = 40;
    /** Between rows: room for the arrow down and a shortcut above the next row. */
    static final double GAP_Y = 44;
    /** How far a shortcut rises above its box. */
    static final double RISE = 12;
    /** A shortcut starts and ends this far inside the gap, so that two shortcuts meeting in a gap stay apart. */
    static final double INSET = 6;
    /** The shape of the designer's view in the default window, for a layout made before the view has a size. */
    public static final double ASPECT = 776.0 / 512;

    private NetworkLayout() {
    }

    /** The stack laid out for a view of the given width / height. */
    public static Diagram of(Network net, double aspect) {
        List<String[]> items = items(net);
        double w = 0;
        double h = 0;
        for (String[] it : items) {
            double[] size = DiagramLayout.boxSize(it[0], it[1]);
            w = Math.max(w, size[0]);
            h = Math.max(h, size[1]);
        }
        int n = items.size();
        int cols = columns(n, w, h, aspect);
        int rows = (n + cols - 1) / cols;
        double left = GAP_X / 2;
        double top = GAP_Y / 2;
        List<Diagram.Box> boxes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int r = i / cols;
            int j = r % 2 == 0 ? i % cols : cols - 1 - i % cols;
            boxes.add(new Diagram.Box(items.get(i)[0], items.get(i)[0], items.get(i)[1], Diagram.Kind.STAGE,
                    left + j * (w + GAP_X), top + r * (h + GAP_Y), w, h));
        }
        List<Diagram.Arrow> arrows = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            Diagram.Box a = boxes.get(i - 1);
            Diagram.Box b = boxes.get(i);
            List<double[]> pts = sameRow(i - 1, i, cols)
                    ? List.of(new double[] {a.x() < b.x() ? a.x() + w : a.x(), a.y() + h / 2},
                    new double[] {a.x() < b.x() ? b.x() : b.x() + w, b.y() + h / 2})
                    : List.of(new double[] {a.x() + w / 2, a.y() + h}, new double[] {b.x() + w / 2, b.y()});
            arrows.add(new Diagram.Arrow(a.id(), b.id(), pts, null, 0, 0, 0, 0));
        }
        int first = net.stem().isEmpty() ? 1 : 2;
        List<Stage> stages = net.stages();
        for (int si = 0; si < stages.size(); si++) {
            if (shortcut(net, si)) {
                int i = first + si;
                arrows.add(new Diagram.Arrow(boxes.get(i).id(), boxes.get(i).id(), shortcutRoute(boxes.get(i), i, n, cols),
                        null, 0, 0, 0, 0));
            }
        }
        return new Diagram("network", boxes, arrows, cols * w + cols * GAP_X, rows * h + rows * GAP_Y);
    }

    /** The columns that let the picture be drawn largest in a view of this shape (the fewest rows on a tie). */
    static int columns(int n, double w, double h, double aspect) {
        int best = 1;
        double bestScale = 0;
        for (int cols = 1; cols <= n; cols++) {
            int rows = (n + cols - 1) / cols;
            double width = cols * (w + GAP_X);
            double height = rows * (h + GAP_Y);
            double scale = Math.min(aspect / width, 1 / height);
            if (scale > bestScale * 1.0001) {
                best = cols;
                bestScale = scale;
            }
        }
        return best;
    }

    private static boolean sameRow(int i, int j, int cols) {
        return i / cols == j / cols;
    }

    /**
     * Around a box, above it: from the line coming in (in the gap before it, or the arrow down onto it when it begins
     * a row) to the line going out (the gap after it, or the arrow down from it when it ends a row).
     */
    private static List<double[]> shortcutRoute(Diagram.Box b, int i, int n, int cols) {
        boolean forward = (i / cols) % 2 == 0;
        double inX = forward ? b.x() - GAP_X / 2 + INSET : b.x() + b.w() + GAP_X / 2 - INSET;
        double outX = forward ? b.x() + b.w() + GAP_X / 2 - INSET : b.x() - GAP_X / 2 + INSET;
        double cx = b.x() + b.w() / 2;
        double cy = b.y() + b.h() / 2;
        List<double[]> pts = new ArrayList<>();
        if (i > 0 && sameRow(i - 1, i, cols)) {
            pts.add(new double[] {inX, cy});
            pts.add(new double[] {inX, b.y() - RISE});
            pts.add(new double[] {outX, b.y() - RISE});
        } else {
            double y = b.y() - GAP_Y / 2;
            pts.add(new double[] {cx + (forward ? -INSET : INSET), y});
            pts.add(new double[] {outX, y});
        }
        if (i + 1 < n && sameRow(i, i + 1, cols)) {
            pts.add(new double[] {outX, cy});
        } else {
            double y = b.y() + b.h() + GAP_Y / 2;
            pts.add(new double[] {outX, y});
            pts.add(new double[] {cx + (forward ? INSET : -INSET), y});
        }
        return pts;
    }

    /**
     * Whether the identity shortcut of stage {@code si} applies to any of its copies, as far as the file says without
     * evaluating the network: widths and strides given as {@code $key}s, or a width the stem leaves unsaid, draw none.
     */
    static boolean shortcut(Network net, int si) {
        Stage st = net.stages().get(si);
        if (st.kind() != StageKind.BLOCK || !st.residual()) {
            return false;
        }
        Integer in = si == 0 ? stemWidth(net) : width(net, si - 1);
        Integer out = width(net, si);
        if (in == null || out == null) {
            return false;
        }
        Integer stride = literal(st.stride(), 1);
        Integer repeat = literal(st.repeat(), 1);
        boolean firstCopy = stride != null && stride == 1 && in.equals(out);
        return firstCopy || repeat == null || repeat > 1;
    }

    /** The width stage {@code si} outputs, following the evaluator's rule; null where a {@code $key} decides it. */
    private static Integer width(Network net, int si) {
        int base = net.channels();
        for (int i = 0; i <= si; i++) {
            Stage st = net.stages().get(i);
            Integer widen = literal(st.widen(), st.role() == Role.REDUCTION ? 2 : 1);
            if (widen == null) {
                return null;
            }
            base *= widen;
            if (st.channels() != null) {
                Integer c = literal(st.channels(), base);
                if (c == null) {
                    return null;
                }
                base = c;
            }
        }
        return base;
    }

    /** The stem's width when its last op that sets one says it plainly. */
    private static Integer stemWidth(Network net) {
        if (net.stem().isEmpty()) {
            return net.input().channels();
        }
        List<OpCall> last = net.stem().get(net.stem().size() - 1);
        for (int i = last.size() - 1; i >= 0; i--) {
            Param out = last.get(i).params().get("out");
            if (out != null) {
                return literal(out, 0);
            }
        }
        return null;
    }

    private static Integer literal(Param p, int dflt) {
        if (p == null) {
            return dflt;
        }
        return p.isRef() ? null : (int) Math.round(p.value());
    }

    private static List<String[]> items(Network net) {
        List<String[]> items = new ArrayList<>();
        items.add(new String[] {"input", net.input().toString()});
        if (!net.stem().isEmpty()) {
            items.add(new String[] {"stem", net.stem().size() + " sequence" + (net.stem().size() > 1 ? "s" : "")});
        }
        for (Stage s : net.stages()) {
            String what = s.kind() == StageKind.CELL ? "cell " + s.cell()
                    : s.op() instanceof LayerChoice lc ? "choice " + lc.key() + " (" + lc.candidates().size() + ")"
                    : s.op() == null ? "no op" : ((OpCall) s.op()).label();
            String times = s.repeat() == null ? "" : " x" + s.repeat();
            items.add(new String[] {s.name(), what + times + param(" c=", s.channels()) + param(" s=", s.stride())});
        }
        items.add(new String[] {"head", net.classes() + " classes"});
        return items;
    }

    private static String param(String prefix, Param p) {
        return p == null ? "" : prefix + p;
    }
}

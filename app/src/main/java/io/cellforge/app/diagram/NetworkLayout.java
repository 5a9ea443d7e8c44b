package io.cellforge.app.diagram;

import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lays out a network's stack (input, stem, stages, head) as a snake of equal boxes: rows that run left to right,
 * then right to left, as many per row as makes the whole picture the shape of the view, so that a long stack
 * (MobileNetV2's 17 blocks) is drawn as large as the view allows. Every box is as wide as the widest text of the
 * stack. A block whose identity shortcut is known to apply (residual, stride 1, width unchanged) gets an arrow
 * around it: an arrow from a box to itself. A network with a context vector has its weight generators drawn above the
 * stack, their connectors dashed into the boxes whose convolutions they make the kernels of.
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

    /** The box of the context vector, the network's second input, drawn above the image's. */
    public static final String CONTEXT = "context";
    /** Inside a generator's frame: room for its title above its layers, and around them. */
    static final double TITLE_H = 18;
    static final double FRAME_PAD = 8;
    /** Between the frames of two generators. */
    static final double FRAME_GAP = 12;
    /** How far a weights connector runs right of its generator's frame before it turns down, for the first one. */
    static final double FEED_OUT = 14;
    /** Between the connectors of two generators (their buses, their drops). */
    static final double FEED_STEP = 7;

    /** The id of layer {@code i} (0-based) of a weight generator's chain of boxes. */
    public static String generatorLayer(String generator, int i) {
        return "generator " + generator + ":" + i;
    }

    /** The generator a box of the network view belongs to, or null for a box of the stack or the context. */
    public static String generatorOf(String id) {
        int colon = id.lastIndexOf(':');
        return id.startsWith("generator ") && colon > 10 ? id.substring(10, colon) : null;
    }

    /**
     * The stack laid out for a view of the given width / height. A network with a context gets a band above the
     * stack: the context's box over the image input, each weight generator a framed chain of its layers fed by it,
     * and from each generator a dashed connector into every box whose dynamic convolutions take their kernels from it.
     */
    public static Diagram of(SearchSpace space, double aspect) {
        Network net = space.network();
        List<String[]> items = items(net);
        double w = 0;
        double h = 0;
        for (String[] it : items) {
            double[] size = DiagramLayout.boxSize(it[0], it[1]);
            w = Math.max(w, size[0]);
            h = Math.max(h, size[1]);
        }
        Band band = net.context().present() ? band(net.context()) : null;
        double bandW = band == null ? 0 : band.width();
        // The stack starts under the band, a row's gap below it: room for the connectors' bus.
        double dy = band == null ? 0 : band.height() + GAP_Y;
        int n = items.size();
        int cols = columns(n, w, h, aspect, bandW, dy);
        int rows = (n + cols - 1) / cols;
        double left = GAP_X / 2;
        double top = GAP_Y / 2 + dy;
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
        double width = Math.max(cols * w + cols * GAP_X, bandW);
        double height = rows * h + rows * GAP_Y + dy;
        if (band == null) {
            return new Diagram("network", boxes, arrows, width, height);
        }
        List<String> generators = List.copyOf(net.context().generators().keySet());
        for (Map.Entry<String, Set<String>> feed : WeightFeeds.ofNetwork(space).entrySet()) {
            int i = indexOf(boxes, feed.getKey());
            if (i < 0) {
                continue;
            }
            for (String g : feed.getValue()) {
                Diagram.Box last = band.outputs().get(g);
                if (last != null) {
                    arrows.add(new Diagram.Arrow(last.id(), boxes.get(i).id(), feedRoute(band, last, generators.indexOf(g),
                            boxes.get(i), i / cols, width), null, 0, 0, 0, 0));
                }
            }
        }
        boxes.addAll(band.boxes());
        arrows.addAll(band.arrows());
        return new Diagram("network", boxes, arrows, band.frames(), width, height);
    }

    private static int indexOf(List<Diagram.Box> boxes, String id) {
        for (int i = 0; i < boxes.size(); i++) {
            if (boxes.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The band above the stack: its boxes and arrows, the generators' frames, each generator's last layer (where its
     * connectors start) and the band's size, from the top left corner of the picture.
     */
    private record Band(List<Diagram.Box> boxes, List<Diagram.Arrow> arrows, List<Diagram.Frame> frames,
                        Map<String, Diagram.Box> outputs, double width, double height) {
    }

    private static Band band(Network.Context cx) {
        double x0 = GAP_X / 2;
        double y0 = GAP_Y / 2;
        String values = cx.features() + (cx.features() == 1 ? " value" : " values");
        double[] ctx = DiagramLayout.boxSize("context", values);
        double bh = ctx[1];
        Map<String, List<String[]>> layers = new LinkedHashMap<>();
        cx.generators().forEach((g, ops) -> layers.put(g, ops.stream().map(NetworkLayout::layerText).toList()));
        for (List<String[]> ls : layers.values()) {
            for (String[] l : ls) {
                bh = Math.max(bh, DiagramLayout.boxSize(l[0], l[1])[1]);
            }
        }
        List<Diagram.Box> boxes = new ArrayList<>();
        List<Diagram.Arrow> arrows = new ArrayList<>();
        List<Diagram.Frame> frames = new ArrayList<>();
        Map<String, Diagram.Box> outputs = new LinkedHashMap<>();
        List<Diagram.Box> firsts = new ArrayList<>();
        double fx = x0 + ctx[0] + GAP_X;
        double y = y0;
        double right = x0 + ctx[0];
        int gi = 0;
        for (var g : layers.entrySet()) {
            double x = fx + FRAME_PAD;
            double by = y + TITLE_H;
            Diagram.Box prev = null;
            for (int i = 0; i < g.getValue().size(); i++) {
                String[] l = g.getValue().get(i);
                double bw = DiagramLayout.boxSize(l[0], l[1])[0];
                Diagram.Box b = new Diagram.Box(generatorLayer(g.getKey(), i), l[0], l[1], Diagram.Kind.GENERATOR, x, by, bw, bh);
                boxes.add(b);
                if (prev == null) {
                    firsts.add(b);
                } else {
                    arrows.add(new Diagram.Arrow(prev.id(), b.id(), List.of(new double[] {prev.x() + prev.w(), by + bh / 2},
                            new double[] {x, by + bh / 2}), null, 0, 0, 0, 0));
                }
                prev = b;
                x += bw + GAP_X;
            }
            if (prev != null) {
                outputs.put(g.getKey(), prev);
            }
            String title = "generator " + g.getKey();
            double fw = Math.max(x - GAP_X + FRAME_PAD - fx, TextMetrics.width(title, TextMetrics.FRAME) + 2 * FRAME_PAD);
            frames.add(new Diagram.Frame(title, title, fx, y, fw, TITLE_H + bh + FRAME_PAD));
            right = Math.max(right, fx + fw + FEED_OUT + FEED_STEP * gi);
            y += TITLE_H + bh + FRAME_PAD + FRAME_GAP;
            gi++;
        }
        double height = layers.isEmpty() ? bh : y - FRAME_GAP - y0;
        // One generator: the context sits on the row of its layers; several: in the middle of their frames.
        double cy = layers.size() == 1 ? y0 + TITLE_H : y0 + (height - bh) / 2;
        Diagram.Box c = new Diagram.Box(CONTEXT, "context", values, Diagram.Kind.CONTEXT, x0, cy, ctx[0], bh);
        boxes.add(0, c);
        for (Diagram.Box f : firsts) {
            double sy = c.y() + bh / 2;
            double ty = f.y() + bh / 2;
            double mx = c.x() + c.w() + GAP_X / 2;
            arrows.add(new Diagram.Arrow(c.id(), f.id(), Math.abs(sy - ty) < 0.5
                    ? List.of(new double[] {c.x() + c.w(), sy}, new double[] {f.x(), ty})
                    : List.of(new double[] {c.x() + c.w(), sy}, new double[] {mx, sy}, new double[] {mx, ty}, new double[] {f.x(), ty}),
                    null, 0, 0, 0, 0));
        }
        return new Band(boxes, arrows, frames, outputs, right + GAP_X / 2, height);
    }

    /** A generator layer's box: its op, and its parameters under it ("out=16"). */
    private static String[] layerText(OpCall op) {
        String label = op.label();
        int paren = label.indexOf('(');
        return paren < 0 ? new String[] {label, ""} : new String[] {op.op(), label.substring(paren + 1, label.length() - 1)};
    }

    /**
     * A weights connector: out of the generator's last layer to the right of its frame, down to a bus under the band,
     * along it to above the box (a box of a lower row is reached down the margin on its side and along the gap above
     * its row), then down onto its top, right of the middle where the arrow from the row above may come in.
     */
    private static List<double[]> feedRoute(Band band, Diagram.Box last, int gi, Diagram.Box to, int row, double width) {
        double frameRight = band.frames().get(gi).x() + band.frames().get(gi).w();
        double xr = frameRight + FEED_OUT + FEED_STEP * gi;
        double cy = last.y() + last.h() / 2;
        double bus = GAP_Y / 2 + band.height() + GAP_Y / 3 + FEED_STEP * gi;
        double tx = Math.min(to.x() + to.w() - 4, to.x() + to.w() * 0.75 + FEED_STEP * gi);
        List<double[]> pts = new ArrayList<>();
        pts.add(new double[] {last.x() + last.w(), cy});
        pts.add(new double[] {xr, cy});
        pts.add(new double[] {xr, bus});
        if (row > 0) {
            boolean leftSide = to.x() + to.w() / 2 < width / 2;
            double mx = leftSide ? GAP_X / 2 - INSET - 2 - FEED_STEP * gi : width - GAP_X / 2 + INSET + 2 + FEED_STEP * gi;
            double gap = to.y() - GAP_Y + GAP_Y / 4 + FEED_STEP * gi;
            pts.add(new double[] {mx, bus});
            pts.add(new double[] {mx, gap});
            pts.add(new double[] {tx, gap});
        } else {
            pts.add(new double[] {tx, bus});
        }
        pts.add(new double[] {tx, to.y()});
        return pts;
    }

    /**
     * The columns that let the picture (the stack under a band {@code bandW} wide taking {@code dy} of the height)
     * be drawn largest in a view of this shape (the fewest rows on a tie).
     */
    static int columns(int n, double w, double h, double aspect, double bandW, double dy) {
        int best = 1;
        double bestScale = 0;
        for (int cols = 1; cols <= n; cols++) {
            int rows = (n + cols - 1) / cols;
            double width = Math.max(cols * (w + GAP_X), bandW);
            double height = rows * (h + GAP_Y) + dy;
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

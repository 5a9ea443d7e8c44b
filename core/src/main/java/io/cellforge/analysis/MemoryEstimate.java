package io.cellforge.analysis;

import io.cellforge.space.Place;

import io.cellforge.space.Problem;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.ops.ShapeException;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;

import io.cellforge.space.Reduction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory a training run of a plan will hold, estimated before anything is allocated, and the refusal of a run
 * that cannot fit: ND4J allocates outside the Java heap without a limit of its own, so a network too large for
 * the machine grows until the system kills it, or crashes the JVM in native code when a size overflows.
 *
 * <p>What the compiled engine keeps (engine/CompiledNetwork): every weight with its gradient (a dilated kernel
 * stored spread out), the optimizer's state per weight, and for the batch size a value and a gradient buffer for
 * every tensor of the plan, for every candidate of a mixed op and for every layer inside a composite op (the
 * output of each of a separable conv's ReLU, convs and BatchNorm), plus BatchNorm's normalised input; and the
 * batch itself. Scratch buffers and ND4J's own workspaces are not counted.
 */
public record MemoryEstimate(long weightBytes, long optimizerBytes, long activationBytes, long batchBytes, int batch,
                             long largestBuffer) {

    /** Bytes of one value: the engine trains in FLOAT. */
    private static final int BYTES = Float.BYTES;

    public long totalBytes() {
        return weightBytes + optimizerBytes + activationBytes + batchBytes;
    }

    /** A one-shot search: SGD with momentum on the weights (one state each), Adam on the architecture (two). */
    public static MemoryEstimate search(Plan plan, int batch) throws PlanException {
        return of(plan, batch, 1, 2);
    }

    /** Retraining a fixed network: SGD with momentum. */
    public static MemoryEstimate retrain(Plan plan, int batch) throws PlanException {
        return of(plan, batch, 1, 0);
    }

    /** How much memory this run may still take, and from what that figure comes, for the message. */
    public record Limits(long availableBytes, String detail) {    }

    /**
     * Throws when the run cannot fit, naming the estimate and what is available; or when one buffer would hold
     * more values than Java arrays and the engine's own kernels can index (they count in int).
     */
    public void check(Limits limits) throws PlanException {
        if (totalBytes() > limits.availableBytes()) {
            throw refuse("a training run of this network with batch size " + batch + " needs about " + size(totalBytes())
                    + " (weights and gradients " + size(weightBytes) + ", optimizer " + size(optimizerBytes)
                    + ", activations " + size(activationBytes) + ", batch " + size(batchBytes) + ") but only "
                    + size(limits.availableBytes()) + " is available (" + limits.detail()
                    + "); use fewer channels, a smaller input or batch, or a machine with more memory");
        }
        if (largestBuffer > Integer.MAX_VALUE) {
            throw refuse("one tensor of this network holds " + String.format("%,d", largestBuffer) + " values at batch size "
                    + batch + ", more than the " + String.format("%,d", Integer.MAX_VALUE) + " one buffer can hold; use "
                    + "fewer channels, a smaller input or batch");
        }
    }

    private static MemoryEstimate of(Plan plan, int batch, int weightStates, int archStates) throws PlanException {
        try {
            Layout l = new Layout();
            Map<Integer, Integer> slots = new HashMap<>();
            slots.put(0, l.slot(plan.input(), false));
            if (plan.context() >= 0) {
                slots.put(plan.context(), l.slot(plan.shapes().get(plan.context()), false));
            }
            long archValues = 0;
            for (Plan.Step s : plan.steps()) {
                slots.put(s.out(), l.step(s, slots));
                if (s instanceof Plan.Mixed m) {
                    archValues += m.candidates().size();
                } else if (s instanceof Plan.Merge g && g.key() != null) {
                    archValues += g.ins().size();
                }
            }
            long batchValues = Math.addExact(Math.addExact(plan.input().size(), plan.classes()), plan.contextFeatures());
            long weights = Math.addExact(l.weights, archValues);
            long weightBytes = Math.multiplyExact(Math.addExact(Math.multiplyExact(weights, 2), l.fixedValues), BYTES);
            long optimizerBytes = Math.addExact(Math.multiplyExact(l.weights, (long) weightStates * BYTES),
                    Math.multiplyExact(archValues, (long) archStates * BYTES));
            long activationBytes = Math.multiplyExact(Math.multiplyExact(l.buffers, batch), BYTES);
            long batchBytes = Math.multiplyExact(Math.multiplyExact(batchValues, batch), (long) BYTES * 2); // train, validation
            Math.addExact(Math.addExact(weightBytes, optimizerBytes), Math.addExact(activationBytes, batchBytes)); // the total
            return new MemoryEstimate(weightBytes, optimizerBytes, activationBytes, batchBytes, batch,
                    Math.multiplyExact(l.largest, batch));
        } catch (ArithmeticException e) {
            throw refuse("the network's sizes overflow a 64-bit count at batch size " + batch
                    + "; use fewer channels, a smaller input or batch");
        }
    }

    /**
     * The buffers the compiled engine lays out for a plan, by its rules: identities and dropout reuse their input,
     * a parameter-free layer applied twice to the same tensor is computed once, a tensor that no gradient reaches
     * has no gradient buffer.
     */
    private static final class Layout {
        private final List<Shape> shapes = new ArrayList<>();
        private final List<Boolean> flows = new ArrayList<>();
        private final Map<List<Object>, Integer> shared = new HashMap<>();
        long weights;
        /** Values kept beside the weights, without gradient or optimizer state: masks, running statistics. */
        long fixedValues;
        /** Values per image of the batch's buffers: tensors, their gradients, BatchNorm's normalised inputs. */
        long buffers;
        /** Values per image of the largest buffer. */
        long largest;

        int slot(Shape s, boolean gradient) {
            long n = s.size();
            largest = Math.max(largest, n);
            shapes.add(s);
            flows.add(gradient);
            buffers = Math.addExact(buffers, gradient ? Math.multiplyExact(n, 2) : n);
            return shapes.size() - 1;
        }

        int step(Plan.Step s, Map<Integer, Integer> map) throws PlanException {
            if (s instanceof Plan.Apply a) {
                return layer(a.layer(), map.get(a.in()));
            }
            if (s instanceof Plan.Add a) {
                return combine(List.of(map.get(a.a()), map.get(a.b())), shapes.get(map.get(a.a())));
            }
            if (s instanceof Plan.DropPath d) {
                int in = map.get(d.in());
                return slot(shapes.get(in), flows.get(in));
            }
            if (s instanceof Plan.Mixed m) {
                int in = map.get(m.in());
                Shape out = null;
                for (Layer l : m.candidates()) {
                    if (!(l instanceof Layer.Zero z && z.channels() == 0)) {
                        out = shapes.get(layer(l, in));
                    }
                }
                return out == null ? layer(m.candidates().get(0), in) : slot(out, true);
            }
            Plan.Merge g = (Plan.Merge) s;
            List<Integer> ins = g.ins().stream().map(map::get).toList();
            if (ins.size() == 1 && (g.reduction() == Reduction.CONCAT || g.key() == null)) {
                return ins.get(0);
            }
            Shape first = shapes.get(ins.get(0));
            int channels = 0;
            for (int i : ins) {
                channels = Math.addExact(channels, shapes.get(i).channels());
            }
            return combine(ins, g.reduction() == Reduction.CONCAT ? first.withChannels(channels) : first);
        }

        private int combine(List<Integer> ins, Shape out) {
            boolean gradient = false;
            for (int i : ins) {
                gradient |= flows.get(i);
            }
            return slot(out, gradient);
        }

        private int layer(Layer l, int in) throws PlanException {
            try {
                return compile(l, in);
            } catch (ShapeException e) {
                throw refuse("the plan does not fit its own shapes: " + e.getMessage()); // the evaluator checked them
            }
        }

        private int compile(Layer l, int in) throws ShapeException, PlanException {
            if (l instanceof Layer.Dropout || l instanceof Layer.Identity) {
                return in;
            }
            if (l instanceof Layer.Sequential seq) {
                int x = in;
                for (Layer c : seq.layers()) {
                    x = compile(c, x);
                }
                return x;
            }
            boolean pure = l.params() == 0 && !(l instanceof Layer.Sum) && !(l instanceof Layer.Concat)
                    && !(l instanceof Layer.BatchNorm);
            List<Object> key = List.of(in, l);
            if (pure && shared.containsKey(key)) {
                return shared.get(key);
            }
            Shape o = l.output(shapes.get(in));
            int out;
            if (l instanceof Layer.Sum || l instanceof Layer.Concat) {
                List<Integer> parts = new ArrayList<>();
                for (Layer b : l.children()) {
                    parts.add(compile(b, in));
                }
                out = parts.size() == 1 ? parts.get(0) : combine(parts, o);
            } else {
                out = slot(o, l.params() > 0 || flows.get(in));
                if (l instanceof Layer.DynamicConv d) {
                    slot(new Shape(d.taps(), 1, 1), true); // the kernels its head makes per sample
                    // its im2col columns and their gradient, in kH kW values a pixel of the output
                    long cols = Math.multiplyExact((long) d.conv().in() * d.conv().kernelH() * d.conv().kernelW(), o.height() * o.width());
                    buffers = Math.addExact(buffers, Math.multiplyExact(cols, 2));
                    largest = Math.max(largest, cols);
                }
                if (l instanceof Layer.Conv c && c.dilation() > 1) {
                    long kh = (long) (c.kernelH() - 1) * c.dilation() + 1;
                    long kw = (long) (c.kernelW() - 1) * c.dilation() + 1;
                    long spread = Math.multiplyExact(Math.multiplyExact(kh * kw, c.in() / c.groups()), c.out());
                    weights = Math.addExact(weights, spread);
                    fixedValues = Math.addExact(fixedValues, spread); // the mask of the real taps
                } else {
                    weights = Math.addExact(weights, l.params());
                }
                if (l instanceof Layer.BatchNorm bn) {
                    fixedValues = Math.addExact(fixedValues, 2L * bn.channels()); // running statistics
                    if (bn.affine()) {
                        buffers = Math.addExact(buffers, o.size()); // the normalised input it keeps
                    }
                }
            }
            if (pure) {
                shared.put(key, out);
            }
            return out;
        }
    }

    private static PlanException refuse(String message) {
        return new PlanException(List.of(Problem.error(Place.named("network"), message)));
    }

    /** Bytes as a person reads them: 1.5 GB, 320 MB, 12 KB. */
    public static String size(long bytes) {
        if (bytes >= 1L << 40) {
            return String.format("%.1f TB", bytes / (double) (1L << 40));
        }
        if (bytes >= 1L << 30) {
            return String.format("%.1f GB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format("%.0f MB", bytes / (double) (1L << 20));
        }
        return String.format("%.0f KB", Math.ceil(bytes / 1024.0));
    }
}

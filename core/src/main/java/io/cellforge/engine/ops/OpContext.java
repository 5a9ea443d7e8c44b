package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Everything an {@link Op} reads and writes besides its own settings: the value and gradient buffer of each slot,
 * the weights and their gradients, scratch buffers, the mixing weights of the pass and their gradients, and the
 * pass's flags. The network that owns it compiles the slots and drives the passes; ops see only this. Not
 * thread-safe: one pass at a time.
 */
public final class OpContext {
    private final DataType dtype;
    private final Random rnd;
    private final List<Shape> shapes;
    private final List<Boolean> gradFlows;
    private final Map<String, INDArray> weights;
    private final Map<String, INDArray> weightGrads;
    private final Map<String, boolean[]> gateCandidates;
    /** oneDNN's channel block of blocked slots, or 0 without oneDNN. */
    private final int block;

    // State of the current pass.
    private int batch = -1;
    private int threads;
    private INDArray[] val;
    /** A slot's gradient buffer while it is in use: from its first write to its producer's backward. */
    private INDArray[] grad;
    private boolean[] live;
    private boolean[] written;
    private boolean training;
    private boolean archGrads;
    private boolean weightGradsWanted = true;
    private double dropPath;
    private final Map<String, double[]> mix = new HashMap<>();
    private final Map<String, double[]> mixGrad = new HashMap<>();
    /** Free buffers by shape, for gradients and scratch: a backward pass needs only a cell's worth at a time. */
    private final Map<String, List<INDArray>> free = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final List<INDArray> scratchUsed = new ArrayList<>();
    /** Gradient buffers two slots share ({@link #alias}), with the number of slots holding each. */
    private final Map<INDArray, Integer> holders = new java.util.IdentityHashMap<>();
    private final Set<String> touched = new HashSet<>();

    /** A gradient an op wrote to its own buffer because the slot already had one; added on {@link #commit()}. */
    private record Pending(int slot, INDArray g) {
    }

    /**
     * The collections are the network's own, read live: {@code shapes} and {@code gradFlows} (whether a slot has a
     * gradient buffer) grow while the network compiles; {@code rnd} is the network's seeded generator, so that
     * initialisation, drop-path and noise draw from one sequence.
     */
    public OpContext(DataType dtype, Random rnd, List<Shape> shapes, List<Boolean> gradFlows, Map<String, INDArray> weights,
                     Map<String, INDArray> weightGrads, Map<String, boolean[]> gateCandidates, int block) {
        this.block = block;
        this.dtype = dtype;
        this.rnd = rnd;
        this.shapes = shapes;
        this.gradFlows = gradFlows;
        this.weights = weights;
        this.weightGrads = weightGrads;
        this.gateCandidates = gateCandidates;
    }

    // ---- for the ops ------------------------------------------------------------------------------------

    public DataType dataType() {
        return dtype;
    }

    public Random random() {
        return rnd;
    }

    public int batch() {
        return batch;
    }

    /** The OpenMP team size of this pass (0: the process's default), for kernels that fix it when made. */
    public int threads() {
        return threads;
    }

    public Shape shape(int slot) {
        return shapes.get(slot);
    }

    /**
     * Whether the slot's buffers hold oneDNN's blocked layout ({@link Onednn}) rather than NCHW; the ND4J shape of
     * a buffer is [N, C, H, W] either way. Every slot of a shape has the same layout.
     */
    public boolean blocked(int slot) {
        return block > 0 && shapes.get(slot).channels() % block == 0;
    }

    /** The channel block of blocked slots (8 or 16), 0 without oneDNN. */
    public int block() {
        return block;
    }

    /** The slot's block, 0 when it is plain NCHW. */
    public int layout(int slot) {
        return blocked(slot) ? block : 0;
    }

    /**
     * Channels [c0, c1) of a buffer of the slot as a view: [N, c1 - c0, H, W] in NCHW, [N, (c1 - c0) / b, H, W, b]
     * blocked, b the block (c0 and c1 multiples of it there).
     */
    public INDArray channels(int slot, INDArray buf, int c0, int c1) {
        Shape s = shapes.get(slot);
        if (!blocked(slot)) {
            return buf.get(NDArrayIndex.all(), NDArrayIndex.interval(c0, c1), NDArrayIndex.all(), NDArrayIndex.all());
        }
        return blocks(s, buf).get(NDArrayIndex.all(), NDArrayIndex.interval(c0 / block, c1 / block), NDArrayIndex.all(),
                NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** One channel of a buffer of the slot as [N, H, W], in either layout. */
    public INDArray channel(int slot, INDArray buf, int ch) {
        Shape s = shapes.get(slot);
        if (!blocked(slot)) {
            return buf.get(NDArrayIndex.all(), NDArrayIndex.point(ch), NDArrayIndex.all(), NDArrayIndex.all());
        }
        return blocks(s, buf).get(NDArrayIndex.all(), NDArrayIndex.point(ch / block), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.point(ch % block));
    }

    /** A blocked buffer as the [N, C/b, H, W, b] it holds. */
    private INDArray blocks(Shape s, INDArray buf) {
        return buf.reshape('c', buf.size(0), s.channels() / block, s.height(), s.width(), block);
    }

    public INDArray val(int slot) {
        return val[slot];
    }

    /**
     * d loss / d slot, the sum of what every consumer wrote: what the slot's producer reads in its backward.
     */
    public INDArray grad(int slot) {
        return grad[slot];
    }

    public boolean live(int slot) {
        return live[slot];
    }

    public void markLive(int slot) {
        live[slot] = true;
    }

    public boolean training() {
        return training;
    }

    /** Whether this pass differentiates the mixing weights (architecture weights or binary gates). */
    public boolean archGrads() {
        return archGrads;
    }

    /**
     * Whether this pass's backward computes the weights' gradients; an architecture step needs only those of the
     * activations (and of the mixing weights), and an op may skip its weights' then.
     */
    public boolean weightGradsWanted() {
        return weightGradsWanted;
    }

    public double dropPath() {
        return dropPath;
    }

    public INDArray weight(String name) {
        return weights.get(name);
    }

    /** The gradient buffer of a weight, marked as written in this pass. */
    public INDArray weightGrad(String name) {
        touched.add(name);
        return weightGrads.get(name);
    }

    /** The mixing weights of a key in this pass. */
    public double[] mix(String key) {
        return mix.get(key);
    }

    /** d loss / d mixing weights of a key, summed over the ops that use it; zero at the start of a backward pass. */
    public double[] mixGrad(String key, int n) {
        return mixGrad.computeIfAbsent(key, k -> new double[n]);
    }

    /** BIN_GATE: the candidates whose gate gradient is wanted, or null for all. */
    public boolean[] gateCandidates(String key) {
        return gateCandidates.get(key);
    }

    public INDArray vector(double[] v) {
        return Nd4j.createFromArray(v).castTo(dtype);
    }

    /**
     * Where to write d loss / d slot: its own buffer the first time in a pass, another buffer afterwards, added on
     * {@link #commit()}; null when no gradient is wanted there.
     */
    public INDArray target(int slot) {
        if (!gradFlows.get(slot)) {
            return null;
        }
        if (!written[slot]) {
            markWritten(slot);
            return grad[slot];
        }
        INDArray s = take(slot);
        pending.add(new Pending(slot, s));
        return s;
    }

    /** {@code d slot += scale * g}, without a temporary. */
    public void accumulate(int slot, INDArray g, double scale) {
        if (!gradFlows.get(slot)) {
            return;
        }
        if (!written[slot]) {
            markWritten(slot);
            if (scale == 1) {
                grad[slot].assign(g);
            } else {
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication(g, null, grad[slot], scale));
            }
        } else {
            Kernels.axpy(scale, g, grad[slot]);
        }
    }

    /** A buffer of a slot's shape for the current op; reused by the next op after {@link #commit()}. */
    public INDArray scratch(int slot) {
        INDArray s = take(slot);
        scratchUsed.add(s);
        return s;
    }

    /** The pool's key of a buffer of [N, c, h, w]. */
    private static String key(long c, long h, long w) {
        return c + "x" + h + "x" + w;
    }

    /** A free buffer of the slot's shape (old contents), made when none is free. */
    private INDArray take(int slot) {
        Shape s = shapes.get(slot);
        List<INDArray> pool = free.get(key(s.channels(), s.height(), s.width()));
        if (pool == null || pool.isEmpty()) {
            return Nd4j.createUninitialized(dtype, batch, s.channels(), s.height(), s.width());
        }
        return pool.remove(pool.size() - 1);
    }

    private void give(INDArray buf) {
        free.computeIfAbsent(key(buf.size(1), buf.size(2), buf.size(3)), k -> new ArrayList<>()).add(buf);
    }

    // ---- for the network --------------------------------------------------------------------------------

    /**
     * Buffers for one batch size at a time: a last, smaller batch costs a reallocation, not a second set. True
     * when new buffers were made (the ops then {@link Op#bind bind} theirs).
     */
    public boolean allocate(int b) {
        if (b == batch) {
            return false;
        }
        batch = b;
        int n = shapes.size();
        val = new INDArray[n];
        grad = new INDArray[n];
        live = new boolean[n];
        written = new boolean[n];
        free.clear();
        holders.clear();
        pending.clear();
        scratchUsed.clear();
        for (int i = 0; i < n; i++) {
            Shape s = shapes.get(i);
            val[i] = Nd4j.createUninitialized(dtype, b, s.channels(), s.height(), s.width());
        }
        return true;
    }

    /** Forgets the buffers, so that the next pass makes them again (after an op could not bind to them). */
    public void invalidate() {
        batch = -1;
    }

    /** The team size of the passes from now on (before their buffers are bound). */
    public void useThreads(int n) {
        threads = n;
    }

    /** Starts a pass: its flags, and no slot live yet. */
    public void beginPass(boolean training, boolean archGrads, boolean weightGrads) {
        this.weightGradsWanted = weightGrads;
        this.training = training;
        this.archGrads = archGrads;
        Arrays.fill(live, false);
    }

    public void setDropPath(double p) {
        dropPath = p;
    }

    /** The mixing weights of the pass by key, filled by the network before the forward pass; live map. */
    public Map<String, double[]> mixing() {
        return mix;
    }

    /** Forgets the gradients of the previous backward pass: no slot, weight or mixing weight written yet. */
    public void beginBackward() {
        for (int i = 0; i < grad.length; i++) {
            release(i);
        }
        holders.clear();
        pending.clear(); // left by a backward pass that failed
        scratchUsed.clear();
        Arrays.fill(written, false);
        mixGrad.clear();
        touched.clear();
    }

    /** Gives a slot its gradient buffer, marked as written (the loss's gradient, written by the network). */
    public void markWritten(int slot) {
        written[slot] = true;
        grad[slot] = take(slot);
    }

    public boolean written(int slot) {
        return written[slot];
    }

    /** Whether a weight's gradient was written in this backward pass. */
    public boolean touched(String name) {
        return touched.contains(name);
    }

    /** The summed d loss / d mixing weights of a key, or null when no op wrote it. */
    public double[] mixGradient(String key) {
        return mixGrad.get(key);
    }

    /**
     * Adds the gradients the op just run wrote apart to their slots, while they are still in cache (summing a
     * slot's parts in one oneDNN pass before its producer reads them took as long, with more memory), and frees
     * its scratch buffers.
     */
    public void commit() {
        for (Pending p : pending) {
            grad[p.slot()].addi(p.g());
            give(p.g());
        }
        pending.clear();
        scratchUsed.forEach(this::give);
        scratchUsed.clear();
    }

    /**
     * Makes d loss / d slot the very buffer of d loss / d {@code from} (which it equals: a mixed op's candidate whose
     * mixing weight its last op applies), instead of a copy; added to it where the slot has a gradient already.
     */
    public void alias(int slot, int from) {
        if (!gradFlows.get(slot)) {
            return;
        }
        if (written[slot]) {
            accumulate(slot, grad[from], 1);
            return;
        }
        written[slot] = true;
        grad[slot] = grad[from];
        holders.merge(grad[from], 2, (a, b) -> a + 1);
    }

    /** Frees a slot's gradient once its producer has read it (a shared buffer once its last holder has). */
    public void release(int slot) {
        INDArray g = grad[slot];
        if (g == null) {
            return;
        }
        grad[slot] = null;
        Integer n = holders.get(g);
        if (n == null) {
            give(g);
        } else if (n > 2) {
            holders.put(g, n - 1);
        } else {
            holders.remove(g);
        }
    }
}

package io.cellforge.engine;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.engine.ops.BatchNormOp;
import io.cellforge.engine.ops.ConcatOp;
import io.cellforge.engine.ops.ConvOp;
import io.cellforge.engine.ops.CopyOp;
import io.cellforge.engine.ops.DeviceBatchNormOp;
import io.cellforge.engine.ops.DropPathOp;
import io.cellforge.engine.ops.DynamicConvOp;
import io.cellforge.engine.ops.GlobalAvgPoolOp;
import io.cellforge.engine.ops.LinearOp;
import io.cellforge.engine.ops.MergeOp;
import io.cellforge.engine.ops.NoiseOp;
import io.cellforge.engine.ops.OnednnBatchNormOp;
import io.cellforge.engine.ops.OnednnConvOp;
import io.cellforge.engine.ops.OnednnPoolOp;
import io.cellforge.engine.ops.OnednnReluOp;
import io.cellforge.engine.ops.Op;
import io.cellforge.engine.ops.OpContext;
import io.cellforge.engine.ops.PoolOp;
import io.cellforge.engine.ops.ReluOp;
import io.cellforge.engine.ops.WeightedSumOp;
import io.cellforge.engine.ops.ZeroOp;
import io.cellforge.engine.relax.BinaryGate;
import io.cellforge.engine.relax.Gates;
import io.cellforge.engine.relax.GumbelHard;
import io.cellforge.engine.relax.GumbelSoft;
import io.cellforge.engine.relax.OneHot;
import io.cellforge.engine.relax.Relaxation;
import io.cellforge.engine.relax.Softmax;
import io.cellforge.engine.relax.Step;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.ops.ShapeException;
import io.cellforge.plan.Plan;
import io.cellforge.space.Reduction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A {@link Plan} compiled into a list of native kernel calls with a hand-written backward pass. Every tensor
 * has one buffer, allocated once per batch size and reused every step; parameter-free computations of the same
 * input (the ReLU before each convolution candidate, pools, their affine-free BatchNorm) are computed once; and
 * a pass computes only the candidates its mixing weights need. Network weights and architecture weights
 * ({@code alpha/KEY} per LayerChoice, {@code beta/KEY} per weighted InputChoice) are separate, each with its own
 * optimizer. Not thread-safe: one pass at a time.
 */
public final class CompiledNetwork {
    static final double AUX_WEIGHT = 0.4;

    /**
     * How a LayerChoice mixes its candidates in the supernet (ModularNAS's mixed operators), each a
     * {@link Relaxation} of {@code engine.relax}, each fed its own {@link Gates} per pass. WEIGHTED_SUM: softmax of
     * alpha (DARTS, {@link Softmax}, {@link Gates#NONE}). GUMBEL_SUM: softmax((alpha + Gumbel noise) / tau) (SNAS,
     * {@link GumbelSoft}, {@link GumbelSoft.Noise}). GUMBEL_HARD: the one-hot of that in the forward pass, its soft
     * gradient in the backward pass (GDAS, straight-through, {@link GumbelHard}). INDEX: one candidate chosen from
     * outside and InputChoices masked (SPOS, {@link OneHot}, {@link OneHot.Path}). BIN_GATE: one-hot gates set before
     * each step; the loss's gradient reaches every candidate's gate, or those of the gates' candidates, and alpha
     * learns from it (ProxylessNAS's BinaryConnect estimator, {@link BinaryGate}, {@link BinaryGate.Binarized}). A
     * new relaxation is one class (with its gates) and one constant here.
     */
    public enum MixedOp {
        WEIGHTED_SUM(new Softmax()),
        GUMBEL_SUM(new GumbelSoft()),
        GUMBEL_HARD(new GumbelHard()),
        INDEX(new OneHot()),
        BIN_GATE(new BinaryGate());

        private final Relaxation<?> relaxation;

        MixedOp(Relaxation<?> relaxation) {
            this.relaxation = relaxation;
        }

        /** How this mixed op computes its mixing weights and their gradient to alpha. */
        public Relaxation<?> relaxation() {
            return relaxation;
        }
    }

    /** What a training pass differentiates. GATES: the gradients of BIN_GATE gates, in {@link Result#gateGradients}. */
    public enum Grad { WEIGHTS, ARCH, GATES }

    /**
     * {@code dataType} DOUBLE is for gradient checks; searches run in FLOAT. {@code runningStats}: BatchNorm keeps
     * running averages for inference (retraining); a search normalises with batch statistics only, as DARTS does.
     */
    public record Options(MixedOp mixedOp, boolean weightInputChoices, long seed, DataType dataType, boolean runningStats) {
        public static Options darts(long seed) {
            return new Options(MixedOp.WEIGHTED_SUM, false, seed, DataType.FLOAT, false);
        }

        public static Options retrain(long seed) {
            return new Options(MixedOp.WEIGHTED_SUM, false, seed, DataType.FLOAT, true);
        }

        public Options withMixedOp(MixedOp m) {
            return new Options(m, weightInputChoices, seed, dataType, runningStats);
        }

        public Options withDataType(DataType t) {
            return new Options(mixedOp, weightInputChoices, seed, t, runningStats);
        }

        public Options withWeightedInputs(boolean w) {
            return new Options(mixedOp, w, seed, dataType, runningStats);
        }
    }

    /**
     * What a pass gives: the main head's loss, the auxiliary head's (NaN without one, or when evaluating), the logits
     * [batch, classes], and the gradients asked for of the loss learnt from, main + 0.4 auxiliary: by name (weights,
     * {@code alpha/KEY}, {@code beta/KEY}) and, for {@link Grad#GATES}, d loss / d gate per LayerChoice key, at the
     * network's precision. The arrays are the network's own buffers, valid until the next pass.
     */
    public record Result(double loss, double auxLoss, INDArray logits, Map<String, INDArray> gradients,
                         Map<String, double[]> gateGradients) {
    }

    private final Plan plan;
    private final Options options;
    private final Relaxation<?> relaxation;
    private final DataType dtype;
    private final Random rnd;
    private final List<Op> ops = new ArrayList<>();
    private final List<Shape> shapes = new ArrayList<>();
    private final List<Boolean> gradFlows = new ArrayList<>();
    private final Map<List<Object>, Integer> shared = new HashMap<>();
    private final Map<String, INDArray> weights = new LinkedHashMap<>();
    private final Map<String, INDArray> weightGrads = new HashMap<>();
    private final Map<String, INDArray> gradientMasks = new HashMap<>();
    private final Map<String, INDArray> alphas = new LinkedHashMap<>();
    private final Map<String, INDArray> betas = new LinkedHashMap<>();
    private final Map<String, Double> betaScale = new HashMap<>();
    /** BIN_GATE: the candidates whose gate gradient this pass computes, from its gates; shared with the ops. */
    private final Map<String, boolean[]> gateCandidates = new HashMap<>();
    private final Map<String, List<String>> indexLabels = new LinkedHashMap<>();
    /** Candidates steered out of the search, per LayerChoice key (see {@link #prune}). */
    private final Map<String, boolean[]> pruned = new HashMap<>();
    private final Map<String, Integer> inputCandidates = new LinkedHashMap<>();
    private final List<BatchNormOp> runningNorms = new ArrayList<>();
    private final int logits;
    private final int aux;
    private int counter;
    /** The buffers and the state of the current pass, shared with the ops. */
    private final OpContext ctx;
    /** What the layers run on ({@link Backend#kernels}); oneDNN keeps its blocked layout. */
    private final Backend.Kernels kernels;
    private final boolean onednn;
    /** The OpenMP threads of each pass, chosen from the machine's load and the passes' times. */
    private final ThreadGovernor governor;
    /** The slot of each value of the plan compiled so far. */
    private final Map<Integer, Integer> slots = new HashMap<>();
    /** The slot of the samples' context vectors, -1 when the network reads none. */
    private final int contextSlot;

    public CompiledNetwork(Plan plan, Options options) {
        Backend.init();
        this.governor = ThreadGovernor.forThisProcess(Backend.onDevice());
        this.plan = plan;
        this.options = options;
        this.relaxation = options.mixedOp().relaxation();
        this.dtype = options.dataType();
        this.rnd = new Random(options.seed());
        this.kernels = Backend.kernels(dtype);
        this.onednn = kernels == Backend.Kernels.ONEDNN;
        this.ctx = new OpContext(dtype, rnd, shapes, gradFlows, weights, weightGrads, gateCandidates, onednn ? Backend.onednnBlock() : 0);
        newSlot(plan.input(), false);
        slots.put(0, 0);
        contextSlot = plan.context() >= 0 ? newSlot(plan.shapes().get(plan.context()), false) : -1;
        if (contextSlot >= 0) {
            slots.put(plan.context(), contextSlot);
        }
        for (Plan.Step s : plan.steps()) {
            slots.put(s.out(), step(s, slots));
        }
        logits = slots.get(plan.logits());
        aux = plan.auxLogits() >= 0 ? slots.get(plan.auxLogits()) : -1;
        check(shapes.get(logits).size() == plan.classes(), "the head gives " + shapes.get(logits) + ", not " + plan.classes() + " logits");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    public Plan plan() {
        return plan;
    }

    public DataType dataType() {
        return dtype;
    }

    /** Network weights by name (every trainable tensor but the architecture weights); live arrays. */
    public Map<String, INDArray> weights() {
        return weights;
    }

    /**
     * The BatchNorm running statistics by name, in the order their BatchNorms were compiled ({@link #runningMeanName},
     * {@link #runningVarName}); live arrays, empty unless {@link Options#runningStats}. A saved model keeps them beside
     * the weights.
     */
    public Map<String, INDArray> runningStatistics() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < runningNorms.size(); i++) {
            m.put(runningMeanName(i), runningNorms.get(i).runningMean());
            m.put(runningVarName(i), runningNorms.get(i).runningVar());
        }
        return m;
    }

    /** The running mean of the {@code i}-th BatchNorm with running statistics (a separate count from the weights'). */
    public static String runningMeanName(int i) {
        return "bn_running_mean_" + i;
    }

    public static String runningVarName(int i) {
        return "bn_running_var_" + i;
    }

    /** The name of a LayerChoice's architecture weights, in {@link #arch()}, gradients and checkpoints. */
    public static String alphaName(String key) {
        return "alpha/" + key;
    }

    /** The name of a weighted InputChoice's architecture weights, in {@link #arch()}, gradients and checkpoints. */
    public static String betaName(String key) {
        return "beta/" + key;
    }

    /** Architecture weights by name ({@link #alphaName}, {@link #betaName}); live arrays. */
    public Map<String, INDArray> arch() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        alphas.forEach((k, v) -> m.put(alphaName(k), v));
        betas.forEach((k, v) -> m.put(betaName(k), v));
        return m;
    }

    /** The softmax of each key's architecture weights (alpha of LayerChoices, beta of InputChoices). */
    public Map<String, double[]> probabilities() {
        Map<String, double[]> m = new LinkedHashMap<>();
        alphas.forEach((k, v) -> m.put(k, Softmax.softmax(masked(k, v.toDoubleVector()), null, 1)));
        betas.forEach((k, v) -> m.put(k, Softmax.softmax(v.toDoubleVector(), null, 1)));
        return m;
    }

    /**
     * The drop-path probability of training passes (DARTS's retraining raises it linearly over the epochs); the
     * plan's {@link Plan.DropPath} steps use it.
     */
    public void setDropPath(double p) {
        check(p >= 0 && p < 1, "drop-path probability must be in [0, 1), got " + p);
        ctx.setDropPath(p);
    }

    /**
     * Steers the search: from the next pass on, the candidates {@code labels} of the LayerChoice {@code key} are
     * out (their mixing weight and probability 0, the others' renormalised, their alpha's gradient 0: as if
     * alpha were minus infinity there, without changing alpha itself). An empty set brings every candidate back;
     * pinning a choice is pruning every other candidate. At least one candidate must stay. Strategies that draw
     * paths themselves (SPOS) read {@link #pruned()}.
     */
    public void prune(String key, java.util.Set<String> labels) {
        List<String> all = indexLabels.get(key);
        if (all == null) {
            throw new IllegalArgumentException("the supernet has no LayerChoice '" + key + "'");
        }
        boolean[] out = new boolean[all.size()];
        for (String l : labels) {
            int i = all.indexOf(l);
            if (i < 0) {
                throw new IllegalArgumentException("'" + l + "' is not a candidate of " + key + " (" + String.join(", ", all) + ")");
            }
            out[i] = true;
        }
        if (labels.size() >= all.size()) {
            throw new IllegalArgumentException("every candidate of " + key + " would be pruned: one must stay");
        }
        if (labels.isEmpty()) {
            pruned.remove(key);
        } else {
            pruned.put(key, out);
        }
    }

    /** The pruned candidates' labels per key (only keys with some pruned). */
    public Map<String, java.util.Set<String>> pruned() {
        Map<String, java.util.Set<String>> m = new LinkedHashMap<>();
        pruned.forEach((key, out) -> {
            java.util.Set<String> ls = new java.util.LinkedHashSet<>();
            for (int i = 0; i < out.length; i++) {
                if (out[i]) {
                    ls.add(indexLabels.get(key).get(i));
                }
            }
            m.put(key, ls);
        });
        return m;
    }

    /** alpha with minus infinity at the pruned candidates (a copy where any are). */
    private double[] masked(String key, double[] alpha) {
        boolean[] out = pruned.get(key);
        if (out == null) {
            return alpha;
        }
        double[] a = alpha.clone();
        for (int i = 0; i < a.length; i++) {
            if (out[i]) {
                a[i] = Double.NEGATIVE_INFINITY;
            }
        }
        return a;
    }

    /** The candidates' labels of every LayerChoice key, in the order of the plan (the gates' keys). */
    public Map<String, List<String>> layerChoices() {
        return java.util.Collections.unmodifiableMap(indexLabels);
    }

    /**
     * The 0/1 masks of weights with fixed zeros (dilated kernels, spread out), by name; a pass's weight gradients
     * are already masked.
     */
    public Map<String, INDArray> gradientMasks() {
        return gradientMasks;
    }

    /** Trainable parameters, not counting the fixed zeros of dilated kernels. */
    public long parameterCount() {
        long n = 0;
        for (var e : weights.entrySet()) {
            INDArray m = gradientMasks.get(e.getKey());
            n += m != null ? m.sumNumber().longValue() : e.getValue().length();
        }
        return n;
    }

    private Map<String, long[]> profile;

    private Map<Integer, Integer> threadCounts;

    /** Whether the engine has timed this network's kinds of pass enough to choose their thread counts. */
    public boolean threadsSettled() {
        return governor.settled();
    }

    /** The governor of this network's thread counts (tests pin it). */
    ThreadGovernor governor() {
        return governor;
    }

    /** Starts counting the passes by their OpenMP thread count (for the benchmark); empty when not governed. */
    public Map<Integer, Integer> threadCounts() {
        threadCounts = new java.util.TreeMap<>();
        return threadCounts;
    }

    /** Starts timing every operation by kind (for the benchmark): nanoseconds and calls, summed from now on. */
    public Map<String, long[]> profile() {
        profile = new java.util.TreeMap<>();
        return profile;
    }

    /** Adds the time since {@code t0} to the operation's kind, when profiling. */
    private void timed(Op op, String phase, long t0) {
        if (profile != null) {
            long[] t = profile.computeIfAbsent(op.kind() + phase + (!ctx.training() ? " (evaluation)" : ctx.weightGradsWanted() ? "" : " (arch)"), k -> new long[2]);
            t[0] += System.nanoTime() - t0;
            t[1]++;
        }
    }

    /** Number of kernel calls in a full forward pass (after sharing), for the benchmark. */
    public int operationCount() {
        return ops.size();
    }

    /** The kernels oneDNN runs in its reference implementation, by op kind and pass (after a pass made them). */
    public List<String> referenceKernels() {
        return ops.stream().flatMap(o -> o.referenceKernels().stream()).distinct().sorted().toList();
    }

    // ---- passes -------------------------------------------------------------------------------------------

    /**
     * A training pass with the gates of the network's relaxation ({@link Gates#NONE} for WEIGHTED_SUM): batch
     * statistics (running averages updated when kept), the loss the network learns from (main + 0.4 auxiliary),
     * and the gradients of the groups asked for.
     */
    public Result train(INDArray x, INDArray labels, Gates gates, Set<Grad> wanted) {
        return train(x, null, labels, gates, wanted);
    }

    /** A training pass of a network whose weight generators read {@code context} [batch, features] (null: none). */
    public Result train(INDArray x, INDArray context, INDArray labels, Gates gates, Set<Grad> wanted) {
        return pass(x, context, labels, gates, wanted, true);
    }

    /** A training pass on a batch: its images, context vectors and labels. */
    public Result train(Batches.Batch b, Gates gates, Set<Grad> wanted) {
        return train(b.x(), b.context(), b.y(), gates, wanted);
    }

    /** A forward pass for evaluation: running statistics where kept, the main head only, no gradients. */
    public Result evaluate(INDArray x, INDArray labels, Gates gates) {
        return evaluate(x, null, labels, gates);
    }

    public Result evaluate(INDArray x, INDArray context, INDArray labels, Gates gates) {
        return pass(x, context, labels, gates, EnumSet.noneOf(Grad.class), false);
    }

    public Result evaluate(Batches.Batch b, Gates gates) {
        return evaluate(b.x(), b.context(), b.y(), gates);
    }

    /** The number of context values a sample needs (0 when the network reads none). */
    public int contextFeatures() {
        return plan.contextFeatures();
    }

    private Result pass(INDArray x, INDArray context, INDArray labels, Gates gates, Set<Grad> wanted, boolean train) {
        int kind = (int) x.size(0) * 16 + (train ? 8 : 0) + (wanted.contains(Grad.WEIGHTS) ? 4 : 0) + (wanted.contains(Grad.ARCH) ? 2 : 0)
                + (wanted.contains(Grad.GATES) ? 1 : 0);
        int threads = governor.begin(kind);
        ctx.useThreads(threads);
        long t0 = System.nanoTime();
        Result r = null;
        try {
            r = run(x, context, labels, gates, wanted, train);
        } finally {
            governor.end(kind, System.nanoTime() - t0, r != null);
        }
        if (threadCounts != null && threads > 0) {
            threadCounts.merge(threads, 1, Integer::sum);
        }
        return r;
    }

    private Result run(INDArray x, INDArray context, INDArray labels, Gates gates, Set<Grad> wanted, boolean train) {
        int b = (int) x.size(0);
        check(x.rank() == 4 && x.size(1) == plan.input().channels() && x.size(2) == plan.input().height()
                && x.size(3) == plan.input().width(), "input " + Arrays.toString(x.shape()) + " does not match the network's "
                + plan.input());
        int features = plan.contextFeatures();
        if (features > 0) {
            check(context != null, "the network's weight generators read " + features + " context values a sample, and the "
                    + "data have none");
            check(context.rank() == 2 && context.size(0) == b && context.size(1) == features, "context "
                    + Arrays.toString(context.shape()) + " does not match the network's " + b + " x " + features);
        }
        if (ctx.allocate(b)) {
            // Buffers an operation keeps besides its output (BatchNorm's normalised input), oneDNN's primitives.
            for (Op op : ops) {
                try {
                    op.bind(ctx);
                } catch (RuntimeException e) {
                    ctx.invalidate(); // no op may run on what another bound for a different batch
                    throw new IllegalStateException(op.getClass().getSimpleName() + " on " + shapes.get(op.out()) + " at batch " + b
                            + " could not be prepared: " + e.getMessage(), e);
                }
            }
        }
        ctx.beginPass(train, wanted.contains(Grad.ARCH) || wanted.contains(Grad.GATES), wanted.contains(Grad.WEIGHTS));
        prepareMixing(gates);
        ctx.markLive(logits);
        boolean withAux = aux >= 0 && train;
        if (withAux) {
            ctx.markLive(aux);
        }
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if (ctx.live(op.out())) {
                op.markInputs(ctx);
            }
        }
        if (ctx.blocked(0)) {
            int c = plan.input().channels();
            ctx.channels(0, ctx.val(0), 0, c).assign(x.reshape('c', b, c / ctx.block(), ctx.block(), plan.input().height(),
                    plan.input().width()).permute(0, 1, 3, 4, 2));
        } else {
            ctx.val(0).assign(x);
        }
        if (contextSlot >= 0) {
            ctx.val(contextSlot).assign(context.reshape(b, features, 1, 1));
        }
        for (Op op : ops) {
            if (ctx.live(op.out())) {
                long t0 = profile == null ? 0 : System.nanoTime();
                op.forward(ctx);
                timed(op, " forward", t0);
            }
        }
        if (train) {
            runningNorms.forEach(n -> n.updateRunning(ctx));
        }
        INDArray y = labels.castTo(dtype);
        INDArray logitsOut = ctx.val(logits).reshape(b, plan.classes());
        Map<String, INDArray> grads = new LinkedHashMap<>();
        Map<String, double[]> gateGrads = new LinkedHashMap<>();
        boolean differentiate = !wanted.isEmpty();
        ctx.beginBackward();
        ctx.markWritten(logits);
        double loss = crossEntropy(logitsOut, y, differentiate ? ctx.grad(logits).reshape(b, plan.classes()) : null);
        double auxLoss = Double.NaN;
        if (withAux) {
            ctx.markWritten(aux);
            auxLoss = crossEntropy(ctx.val(aux).reshape(b, plan.classes()), y,
                    differentiate ? ctx.grad(aux).reshape(b, plan.classes()) : null);
            if (differentiate) {
                ctx.grad(aux).muli(AUX_WEIGHT);
            }
        }
        if (!differentiate) {
            return new Result(loss, auxLoss, logitsOut, grads, gateGrads);
        }
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if (ctx.live(op.out()) && ctx.written(op.out())) {
                long t0 = profile == null ? 0 : System.nanoTime();
                op.backward(ctx);
                ctx.commit();
                ctx.release(op.out());
                timed(op, " backward", t0);
            }
        }
        if (wanted.contains(Grad.WEIGHTS)) {
            // Weights off the path of this pass (an unsampled candidate) have a zero gradient, as in PyTorch; the
            // fixed zeros between a dilated kernel's taps have none, so that no optimizer step moves them.
            weights.keySet().forEach(k -> grads.put(k, ctx.touched(k) ? weightGrads.get(k) : weightGrads.get(k).assign(0)));
            gradientMasks.forEach((k, mask) -> grads.get(k).muli(mask));
        }
        if (wanted.contains(Grad.ARCH)) {
            archGradients(grads);
        }
        if (wanted.contains(Grad.GATES) && relaxation.binaryGates()) {
            alphas.forEach((k, a) -> gateGrads.put(k, Gates.atPrecision(mixGradient(k, (int) a.length()), dtype)));
        }
        return new Result(loss, auxLoss, logitsOut, grads, gateGrads);
    }

    /** Mean softmax cross-entropy over the batch; with {@code gradOut}, writes d loss / d logits there. */
    private static double crossEntropy(INDArray logits, INDArray labels, INDArray gradOut) {
        double[][] z = logits.toDoubleMatrix();
        double[][] y = labels.toDoubleMatrix();
        int n = z.length;
        double loss = 0;
        double[][] g = new double[n][];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (double v : z[i]) {
                sum += Math.exp(v - max);
            }
            double logSum = max + Math.log(sum);
            double ySum = 0;
            g[i] = new double[z[i].length];
            for (int c = 0; c < z[i].length; c++) {
                loss -= y[i][c] * (z[i][c] - logSum);
                ySum += y[i][c];
            }
            for (int c = 0; c < z[i].length; c++) {
                g[i][c] = (Math.exp(z[i][c] - logSum) * ySum - y[i][c]) / n;
            }
        }
        if (gradOut != null) {
            gradOut.assign(Nd4j.createFromArray(g).castTo(gradOut.dataType()));
        }
        return loss / n;
    }

    private INDArray vector(double[] v) {
        return Nd4j.createFromArray(v).castTo(dtype);
    }

    // ---- mixing weights ---------------------------------------------------------------------------------

    private void prepareMixing(Gates gates) {
        Map<String, double[]> mix = ctx.mixing();
        mix.clear();
        step = relaxation.step(gates);
        gateCandidates.clear();
        gateCandidates.putAll(step.gateCandidates());
        if (relaxation.learnsAlpha()) {
            alphas.forEach((key, a) -> mix.put(key, step.weights(key, masked(key, a.toDoubleVector()))));
        } else {
            indexLabels.keySet().forEach(key -> mix.put(key, step.weights(key, null)));
        }
        betas.forEach((key, b) -> {
            double[] w = Softmax.softmax(b.toDoubleVector(), null, 1);
            double s = betaScale.get(key);
            for (int i = 0; i < w.length; i++) {
                w[i] *= s;
            }
            mix.put(INPUTS + key, w);
        });
        inputCandidates.forEach((key, n) -> mix.put(INPUTS + key, step.inputMask(key, n)));
    }

    /** An InputChoice's key among the pass's mixing weights, apart from the LayerChoices' (engine-internal). */
    private static final String INPUTS = "inputs/";

    /** The relaxation with the gates of the current pass, for the architecture gradient. */
    private Step<?> step;

    /** d loss / d alpha from d loss / d mixing weights, through the relaxation (and beta's softmax). */
    private void archGradients(Map<String, INDArray> out) {
        alphas.forEach((key, a) -> {
            double[] dw = mixGradient(key, (int) a.length());
            out.put(alphaName(key), vector(step.alphaGradient(key, masked(key, a.toDoubleVector()), dw)));
        });
        betas.forEach((key, b) -> {
            double[] dw = mixGradient(INPUTS + key, (int) b.length());
            double[] p = Softmax.softmax(b.toDoubleVector(), null, 1);
            double[] db = new double[dw.length];
            Softmax.softmaxBackward(p, dw, db, betaScale.get(key));
            out.put(betaName(key), vector(db));
        });
    }

    /** d loss / d mixing weights of a key from the last backward pass; zeros when no op wrote them. */
    private double[] mixGradient(String key, int n) {
        double[] g = ctx.mixGradient(key);
        return g != null ? g : new double[n];
    }

    // ---- gates for the strategies -------------------------------------------------------------------------

    /**
     * The gates of one path (INDEX mixed ops): a one-hot per LayerChoice key and a 0/1 mask per InputChoice key,
     * from an architecture's decisions. Keys the architecture does not decide take their first candidate.
     */
    public OneHot.Path gatesFor(Architecture arch) {
        Map<String, double[]> ops = new HashMap<>();
        Map<String, double[]> inputs = new HashMap<>();
        indexLabels.forEach((key, labels) -> {
            double[] g = new double[labels.size()];
            int i = arch.get(key).map(d -> d instanceof Decision.Op o ? labels.indexOf(o.label())
                    : d instanceof Decision.Value v ? labels.indexOf(io.cellforge.space.ValueChoice.label(v.value())) : 0).orElse(0);
            g[Math.max(0, i)] = 1;
            ops.put(key, g);
        });
        inputCandidates.forEach((key, n) -> {
            double[] mask = new double[n];
            arch.get(key).filter(d -> d instanceof Decision.Inputs)
                    .ifPresentOrElse(d -> ((Decision.Inputs) d).indices().forEach(i -> mask[i] = 1), () -> Arrays.fill(mask, 1));
            inputs.put(key, mask);
        });
        return new OneHot.Path(ops, inputs);
    }

    /**
     * The gates of one step drawn from noise: for the Gumbel mixed ops, noise for every key and the temperature, and
     * for the hard kind the sampled one-hot ({@link GumbelSoft.Noise}); {@link Gates#NONE} for WEIGHTED_SUM. A null
     * {@code random} gives no noise: the most likely gates, for evaluation.
     */
    public Gates sampleGates(Random random, double temperature) {
        Map<String, double[]> a = new LinkedHashMap<>();
        alphas.forEach((key, v) -> a.put(key, masked(key, v.toDoubleVector())));
        return relaxation.sample(a, random, temperature, dtype);
    }

    // ---- compiler ---------------------------------------------------------------------------------------

    private int newSlot(Shape s, boolean flows) {
        shapes.add(s);
        gradFlows.add(flows);
        return shapes.size() - 1;
    }

    /** The index of the op that writes a slot (-1 for the input). */
    private int producer(int slot) {
        for (int i = ops.size() - 1; i >= 0; i--) {
            if (ops.get(i).out() == slot) {
                return i;
            }
        }
        return -1;
    }

    private boolean flows(int slot) {
        return gradFlows.get(slot);
    }

    private String name(String kind) {
        return kind + "_" + (counter++);
    }

    private int step(Plan.Step s, Map<Integer, Integer> slots) {
        if (s instanceof Plan.Apply a) {
            return layer(a.layer(), slots.get(a.in()));
        }
        if (s instanceof Plan.Add a) {
            return sum(List.of(slots.get(a.a()), slots.get(a.b())));
        }
        if (s instanceof Plan.Mixed m) {
            return mixed(m, slots.get(m.in()));
        }
        if (s instanceof Plan.DropPath d) {
            int in = slots.get(d.in());
            int slot = newSlot(shapes.get(in), flows(in));
            ops.add(new DropPathOp(in, slot));
            return slot;
        }
        return merge((Plan.Merge) s, slots);
    }

    private int layer(Layer l, int in) {
        try {
            return compile(l, in);
        } catch (ShapeException e) {
            throw new IllegalStateException("the plan's shapes are inconsistent: " + e.getMessage(), e);
        }
    }

    private int mixed(Plan.Mixed m, int in) {
        indexLabels.putIfAbsent(m.key(), m.labels());
        int n = m.candidates().size();
        boolean learns = false;
        if (relaxation.learnsAlpha()) {
            learns = true;
            alphas.computeIfAbsent(m.key(), k -> {
                INDArray a = Nd4j.create(dtype, n);
                for (int i = 0; i < n; i++) {
                    a.putScalar(i, 1e-3 * rnd.nextGaussian()); // DARTS's initialisation
                }
                return a;
            });
        }
        int[] cands = new int[n];
        int[] firstOp = new int[n]; // where each candidate's own ops begin (before them: ops it shares)
        boolean flows = learns;
        Shape out = null;
        for (int i = 0; i < n; i++) {
            Layer l = m.candidates().get(i);
            if (l instanceof Layer.Zero z && z.channels() == 0) {
                cands[i] = -1; // contributes nothing; its weight still takes part in the softmax
                continue;
            }
            firstOp[i] = ops.size();
            cands[i] = layer(l, in);
            flows |= flows(cands[i]);
            out = shapes.get(cands[i]);
        }
        if (out == null) {
            return layer(m.candidates().get(0), in);
        }
        int slot = newSlot(out, flows);
        WeightedSumOp sum = new WeightedSumOp(slot, cands, m.key(), learns);
        if (onednn && (options.mixedOp() == MixedOp.WEIGHTED_SUM || options.mixedOp() == MixedOp.GUMBEL_SUM)) {
            for (int i = 0; i < n; i++) {
                // A convolution candidate's closing BatchNorm, made for it alone, applies its weight (the pools'
                // BatchNorm is shared by the edges leaving a node, the mixing weights are not); only with the dense
                // relaxations, which compute every candidate.
                int last = cands[i] >= 0 ? producer(cands[i]) : -1;
                if (last >= firstOp[i] && ops.get(last) instanceof OnednnBatchNormOp bn && bn.canCarryMixingWeight() && ctx.blocked(cands[i])
                        && producer(bn.inputs()[0]) >= firstOp[i] && ops.get(producer(bn.inputs()[0])) instanceof OnednnConvOp) {
                    bn.mixInto(m.key(), i, n, learns);
                    sum.weightedByItsOp(i);
                }
            }
        }
        ops.add(sum);
        return slot;
    }

    private int merge(Plan.Merge m, Map<Integer, Integer> slots) {
        int[] ins = m.ins().stream().mapToInt(slots::get).toArray();
        if (m.reduction() == Reduction.CONCAT) {
            if (m.key() != null && m.nChosen() != ins.length) {
                throw new IllegalArgumentException(m.where() + ": an InputChoice that concatenates " + m.nChosen() + " of "
                        + ins.length + " inputs cannot be relaxed in a one-shot supernet; use sum or mean");
            }
            return ins.length == 1 ? ins[0] : concat(ins);
        }
        String key = null;
        boolean learns = false;
        if (m.key() != null && relaxation.masksInputs()) {
            inputCandidates.putIfAbsent(m.key(), ins.length);
            key = INPUTS + m.key();
        } else if (m.key() != null && options.weightInputChoices()) {
            betas.computeIfAbsent(m.key(), k -> Nd4j.zeros(dtype, ins.length));
            // Softmax over the candidate inputs, scaled so that the weights sum to the number kept.
            betaScale.put(m.key(), (double) (m.nChosen() > 0 ? m.nChosen() : 1));
            key = INPUTS + m.key();
            learns = true;
        }
        if (key == null && ins.length == 1) {
            return ins[0];
        }
        double scale = m.reduction() == Reduction.MEAN ? 1.0 / ins.length : 1.0;
        boolean flows = learns;
        for (int i : ins) {
            flows |= flows(i);
        }
        int slot = newSlot(shapes.get(ins[0]), flows);
        ops.add(new MergeOp(slot, ins, key, scale, learns));
        return slot;
    }

    private int sum(List<Integer> ins) {
        boolean flows = false;
        for (int i : ins) {
            flows |= flows(i);
        }
        int slot = newSlot(shapes.get(ins.get(0)), flows);
        ops.add(new MergeOp(slot, ins.stream().mapToInt(Integer::intValue).toArray(), null, 1, false));
        return slot;
    }

    private int concat(int[] ins) {
        Shape first = shapes.get(ins[0]);
        int channels = 0;
        boolean flows = false;
        for (int i : ins) {
            channels += shapes.get(i).channels();
            flows |= flows(i);
        }
        int slot = newSlot(new Shape(channels, first.height(), first.width()), flows);
        ops.add(new ConcatOp(slot, ins));
        return slot;
    }

    /** Compiles a layer applied to a slot; parameter-free layers of the same slot are compiled once. */
    private int compile(Layer l, int in) throws ShapeException {
        if (l instanceof Layer.Dropout || l instanceof Layer.Identity) {
            return in; // dropout is not applied in search or retraining (DARTS uses drop-path instead)
        }
        if (l instanceof Layer.Sequential s) {
            List<Layer> flat = new ArrayList<>();
            flatten(s, flat);
            int x = in;
            for (int i = 0; i < flat.size(); i++) {
                Layer c = flat.get(i);
                if (onednn && c instanceof Layer.BatchNorm bn && i + 1 < flat.size() && flat.get(i + 1) instanceof Layer.Activation a
                        && a.kind() == Layer.ActivationKind.RELU) {
                    x = batchNormRelu(bn, a, x);
                    i++;
                } else {
                    x = compile(c, x);
                }
            }
            return x;
        }
        boolean pure = l.params() == 0 && !(l instanceof Layer.Sum) && !(l instanceof Layer.Concat)
                && !(l instanceof Layer.BatchNorm && options.runningStats());
        return cached(List.of(in, l), pure, () -> compileNew(l, in));
    }

    private interface SlotMaker {
        int make() throws ShapeException;
    }

    /** A pure computation's slot, made once per key ({@code shared}); an impure one is made every time. */
    private int cached(List<Object> key, boolean pure, SlotMaker make) throws ShapeException {
        if (pure && shared.containsKey(key)) {
            return shared.get(key);
        }
        int out = make.make();
        if (pure) {
            shared.put(key, out);
        }
        return out;
    }

    private static void flatten(Layer.Sequential s, List<Layer> into) {
        for (Layer l : s.layers()) {
            if (l instanceof Layer.Sequential inner) {
                flatten(inner, into);
            } else {
                into.add(l);
            }
        }
    }

    /**
     * A BatchNorm and the ReLU after it inside a sequence (whose inner values nothing else reads) as one oneDNN
     * BatchNorm that applies the ReLU as it writes, keeping its mask for the backward pass: a pass over the tensor
     * less each way, in the middle of each of DARTS's separable convolutions.
     */
    private int batchNormRelu(Layer.BatchNorm bn, Layer.Activation relu, int in) throws ShapeException {
        return cached(List.of(in, bn, relu), bn.params() == 0 && !options.runningStats(), () -> {
            int out = newSlot(shapes.get(in), bn.params() > 0 || flows(in));
            ops.add(batchNorm(bn, in, out, true));
            return out;
        });
    }

    private int compileNew(Layer l, int in) throws ShapeException {
        Shape s = shapes.get(in);
        Shape o = l.output(s);
        if (l instanceof Layer.Sum sum) {
            List<Integer> parts = new ArrayList<>();
            for (Layer b : sum.branches()) {
                parts.add(compile(b, in));
            }
            return parts.size() == 1 ? parts.get(0) : sum(parts);
        }
        if (l instanceof Layer.Concat cat) {
            int[] parts = new int[cat.branches().size()];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = compile(cat.branches().get(i), in);
            }
            return parts.length == 1 ? parts[0] : concat(parts);
        }
        boolean params = l.params() > 0;
        int out = newSlot(o, params || flows(in));
        Op op;
        if (l instanceof Layer.Conv c) {
            op = conv(c, in, out);
        } else if (l instanceof Layer.BatchNorm bn) {
            op = batchNorm(bn, in, out, false);
        } else if (l instanceof Layer.Activation a) {
            boolean six = a.kind() == Layer.ActivationKind.RELU6;
            op = onednn ? new OnednnReluOp(in, out, six) : new ReluOp(in, out, six);
        } else if (l instanceof Layer.Pool p) {
            op = onednn ? new OnednnPoolOp(in, out, p.kind() == Layer.PoolKind.MAX, p.kernel(), p.stride(), p.padding(), p.countIncludePad())
                    : new PoolOp(in, out, p.kind() == Layer.PoolKind.MAX, p.kernel(), p.stride(), p.padding(), p.countIncludePad());
        } else if (l instanceof Layer.GlobalAvgPool) {
            // on oneDNN, an average pool over the whole map (its backward took 18 ms a call as ND4J's broadcast)
            op = onednn && s.height() == s.width() ? new OnednnPoolOp(in, out, false, s.height(), s.height(), 0, true)
                    : new GlobalAvgPoolOp(in, out);
        } else if (l instanceof Layer.Linear lin) {
            // Made in this order: the names and the seeded draws are those saved checkpoints know.
            String w = param(name("fc_w"), init(Math.sqrt(1.0 / lin.in()), lin.in(), lin.out()));
            String b = lin.bias() ? param(name("fc_b"), Nd4j.zeros(dtype, lin.out())) : null;
            op = new LinearOp(in, out, lin.in(), lin.out(), w, b);
        } else if (l instanceof Layer.DynamicConv dc) {
            op = new DynamicConvOp(in, head(dc), out, dc.conv());
        } else if (l instanceof Layer.Zero) {
            op = new ZeroOp(out);
        } else if (l instanceof Layer.Noise) {
            op = new NoiseOp(out);
        } else if (l instanceof Layer.ShiftCrop) {
            op = new CopyOp(in, out, 0, 1, 1);
        } else if (l instanceof Layer.PadShortcut p) {
            op = new CopyOp(in, out, (p.out() - p.in()) / 2, 0, p.stride());
        } else {
            throw new IllegalArgumentException("the engine cannot build " + l.getClass().getSimpleName());
        }
        ops.add(op);
        return out;
    }

    private Op conv(Layer.Conv c, int in, int out) {
        int d = c.dilation();
        // libnd4j 1.0.0-M2.1's oneDNN build fails on every dilated convolution; an undilated convolution with the
        // taps spread out by zeros computes the same, and a gradient mask keeps the zeros.
        double std = Math.sqrt(2.0 / ((double) c.in() / c.groups() * c.kernelH() * c.kernelW()));
        String b = c.bias() ? param(name("conv_b"), Nd4j.zeros(dtype, c.out())) : null;
        boolean depthwise;
        String w;
        if (c.groups() == 1) {
            depthwise = false;
            w = kernel("conv_w", std, d, c.kernelH(), c.kernelW(), c.in(), c.out());
        } else if (c.groups() == c.in() && c.out() % c.in() == 0) {
            depthwise = true;
            w = kernel("dw_w", std, d, c.kernelH(), c.kernelW(), c.in(), c.out() / c.in());
        } else {
            depthwise = false;
            w = kernel("conv_w", std, d, c.kernelH(), c.kernelW(), c.in(), c.out(), c.groups());
        }
        return onednn ? new OnednnConvOp(in, out, depthwise, w, b, c)
                : new ConvOp(in, out, depthwise, w, b, c, kernels == Backend.Kernels.DEVICE);
    }

    /**
     * The slot of a dynamic convolution's kernels: a linear head of its own on its generator's output. Its bias starts
     * as a static kernel would (He) and its weights at the same scale over the generator's width, so that the kernels
     * begin at a static convolution's scale with the context already moving them.
     */
    private int head(Layer.DynamicConv dc) {
        Integer value = plan.generators().get(dc.generator());
        check(value != null && slots.containsKey(value), "the plan has no weight generator '" + dc.generator() + "'");
        int from = slots.get(value);
        int taps = dc.taps();
        Layer.Conv c = dc.conv();
        double std = Math.sqrt(2.0 / ((double) c.in() / c.groups() * c.kernelH() * c.kernelW()));
        String w = param(name("dyn_w"), init(std / Math.sqrt(dc.features()), dc.features(), taps));
        String b = param(name("dyn_b"), init(std, taps));
        int slot = newSlot(new Shape(taps, 1, 1), true);
        ops.add(new LinearOp(from, slot, dc.features(), taps, w, b));
        return slot;
    }

    /** {@code relu}: the ReLU after it applied here too (oneDNN only). */
    private BatchNormOp batchNorm(Layer.BatchNorm bn, int in, int out, boolean relu) {
        check(!relu || kernels == Backend.Kernels.ONEDNN, "only oneDNN's BatchNorm applies a ReLU");
        String gamma = bn.affine() ? param(name("bn_gamma"), Nd4j.ones(dtype, bn.channels())) : null;
        String beta = bn.affine() ? param(name("bn_beta"), Nd4j.zeros(dtype, bn.channels())) : null;
        BatchNormOp op = switch (kernels) {
            case ONEDNN -> new OnednnBatchNormOp(in, out, bn.channels(), gamma, beta, options.runningStats(), dtype, relu);
            case DEVICE -> new DeviceBatchNormOp(in, out, bn.channels(), gamma, beta, options.runningStats(), dtype);
            case JAVA -> new BatchNormOp(in, out, bn.channels(), gamma, beta, options.runningStats(), dtype);
        };
        if (op.keepsRunningStats()) {
            runningNorms.add(op);
        }
        return op;
    }

    private String param(String name, INDArray value) {
        weights.put(name, value);
        weightGrads.put(name, Nd4j.createUninitialized(dtype, value.shape()));
        return name;
    }

    /** A [kH, kW, in, out] kernel; dilated, it is stored spread out with zeros between the taps (see conv). */
    private String kernel(String kind, double std, int d, int kh, int kw, int in, int out) {
        return kernel(kind, std, d, kh, kw, in, out, 1);
    }

    /**
     * With {@code groups > 1} (GDAS's reduction cell has 8), a dense kernel whose taps between different groups are
     * fixed zeros, kept so by a gradient mask as a dilated kernel's are: the same function and parameters as a grouped
     * convolution, on the dense kernels the backend has.
     */
    private String kernel(String kind, double std, int d, int kh, int kw, int in, int out, int groups) {
        INDArray taps = init(std, kh, kw, in, out);
        INDArray blocks = null;
        if (groups > 1) {
            blocks = Nd4j.zeros(dtype, kh, kw, in, out);
            int gi = in / groups;
            int go = out / groups;
            for (int g = 0; g < groups; g++) {
                blocks.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval((long) g * gi, (long) (g + 1) * gi),
                        NDArrayIndex.interval((long) g * go, (long) (g + 1) * go)).assign(1);
            }
            taps.muli(blocks);
        }
        if (d == 1) {
            String n = param(name(kind), taps);
            if (blocks != null) {
                gradientMasks.put(n, blocks);
            }
            return n;
        }
        INDArray w = Nd4j.zeros(dtype, (long) (kh - 1) * d + 1, (long) (kw - 1) * d + 1, in, out);
        INDArray mask = Nd4j.zeros(dtype, w.shape());
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                w.get(NDArrayIndex.point((long) i * d), NDArrayIndex.point((long) j * d), NDArrayIndex.all(), NDArrayIndex.all())
                        .assign(taps.get(NDArrayIndex.point(i), NDArrayIndex.point(j), NDArrayIndex.all(), NDArrayIndex.all()));
                INDArray tap = mask.get(NDArrayIndex.point((long) i * d), NDArrayIndex.point((long) j * d), NDArrayIndex.all(),
                        NDArrayIndex.all());
                if (blocks == null) {
                    tap.assign(1);
                } else {
                    tap.assign(blocks.get(NDArrayIndex.point(i), NDArrayIndex.point(j), NDArrayIndex.all(), NDArrayIndex.all()));
                }
            }
        }
        String n = param(name(kind), w);
        gradientMasks.put(n, mask);
        return n;
    }

    private INDArray init(double std, long... shape) {
        INDArray a = Nd4j.create(dtype, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, std * rnd.nextGaussian());
        }
        return a;
    }
}

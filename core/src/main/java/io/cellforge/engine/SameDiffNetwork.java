package io.cellforge.engine;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.space.Reduction;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A {@link Plan} compiled into a SameDiff graph. Network weights and architecture weights are separate
 * variables ({@code alpha/KEY} for each LayerChoice, {@code beta/KEY} for each weighted InputChoice), so that
 * each group can have its own optimizer. BatchNorm is written with basic ops over the batch statistics
 * (SameDiff 1.0.0-M2.1's batchNorm op cannot be differentiated).
 */
public final class SameDiffNetwork {
    public static final String INPUT = "input";
    public static final String LABELS = "labels";
    public static final String LOSS = "loss";
    public static final String LOGITS = "logits";
    /** With an auxiliary head: its loss, and the loss the network learns from (main + 0.4 auxiliary). */
    public static final String AUX_LOSS = "aux_loss";
    public static final String TRAIN_LOSS = "train_loss";
    static final double AUX_WEIGHT = 0.4;
    static final double BN_EPS = 1e-5;

    /**
     * How a LayerChoice mixes its candidates in the supernet (ModularNAS's mixed operators). WEIGHTED_SUM:
     * softmax of alpha (DARTS). GUMBEL_SUM: softmax((alpha + Gumbel noise) / tau) (SNAS). GUMBEL_HARD: the one-hot
     * of that in the forward pass, its soft gradient in the backward pass (GDAS, straight-through). INDEX: one
     * candidate chosen from outside ({@code gate/KEY}, one-hot) and InputChoices masked ({@code inputs/KEY}) (SPOS).
     * BIN_GATE: a one-hot gate sampled from softmax(alpha) each step, held in a variable so that the loss's
     * gradient reaches it; alpha learns from that gradient (ProxylessNAS's BinaryConnect estimator).
     */
    public enum MixedOp { WEIGHTED_SUM, GUMBEL_SUM, GUMBEL_HARD, INDEX, BIN_GATE }

    /** The temperature of the Gumbel mixed ops, fed each step. */
    public static final String TAU = "tau";

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

    /** 1 while training (batch statistics), 0 for inference (running statistics); only with running statistics. */
    public static final String TRAINING = "training";
    /** PyTorch's BatchNorm momentum for the running averages. */
    static final double BN_MOMENTUM = 0.1;

    /** A BatchNorm's running averages and the names of its batch statistics in the graph. */
    private record RunningStats(INDArray mean, INDArray var, String batchMean, String batchVar, long spatial) {
    }

    private final List<RunningStats> running = new ArrayList<>();
    private SDVariable training;

    private final SameDiff sd = SameDiff.create();
    private final Plan plan;
    private final Options options;
    private final DataType dtype;
    private final Random rnd;
    private final Map<String, SDVariable> alphas = new LinkedHashMap<>();
    private final Map<String, SDVariable> betas = new LinkedHashMap<>();
    private final List<String> weightNames = new ArrayList<>();
    private final Map<String, INDArray> gradientMasks = new HashMap<>();

    /** BIN_GATE: the gate variables by key. */
    public Map<String, INDArray> binaryGates() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        mixWeights.forEach((k, v) -> {
            if (v.name().startsWith("bingate/")) {
                m.put(k, v.getArr());
            }
        });
        return m;
    }

    /** The name of a key's gate variable, for asking SameDiff for its gradient. */
    public static String binaryGateName(String key) {
        return "bingate/" + key;
    }
    private int counter;

    public SameDiffNetwork(Plan plan, Options options) {
        Backend.init();
        this.plan = plan;
        this.options = options;
        this.rnd = new Random(options.seed());
        this.dtype = options.dataType();
        Shape in = plan.input();
        SDVariable x = sd.placeHolder(INPUT, dtype, -1, in.channels(), in.height(), in.width());
        SDVariable y = sd.placeHolder(LABELS, dtype, -1, plan.classes());
        if (options.runningStats()) {
            training = sd.placeHolder(TRAINING, dtype);
        }
        Map<Integer, SDVariable> values = new HashMap<>();
        values.put(0, x);
        for (Plan.Step s : plan.steps()) {
            values.put(s.out(), step(s, values));
        }
        SDVariable logits = values.get(plan.logits()).reshape(-1, plan.classes());
        logits = sd.identity(LOGITS, logits);
        SDVariable loss = sd.loss().softmaxCrossEntropy(LOSS, y, logits, null);
        if (plan.auxLogits() >= 0) {
            // DARTS trains an auxiliary classifier with 0.4 of its loss; the reported loss stays the main head's.
            SDVariable aux = sd.loss().softmaxCrossEntropy(AUX_LOSS, y, values.get(plan.auxLogits()).reshape(-1, plan.classes()), null);
            sd.math().add(TRAIN_LOSS, loss, aux.mul(AUX_WEIGHT));
            sd.setLossVariables(TRAIN_LOSS);
        }
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && !v.name().startsWith("alpha/") && !v.name().startsWith("beta/")
                    && !v.name().startsWith("bnrun/") && !v.name().startsWith("bingate/")) {
                weightNames.add(v.name());
            }
        }
        createGradientsQuietly();
    }

    /** SameDiff prints a line per op to stdout while it builds the backward graph; stdout is the CLI's output. */
    private void createGradientsQuietly() {
        java.io.PrintStream out = System.out;
        synchronized (SameDiffNetwork.class) {
            try {
                System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
                sd.createGradFunction();
            } finally {
                System.setOut(out);
            }
        }
    }

    public SameDiff graph() {
        return sd;
    }

    public Plan plan() {
        return plan;
    }

    /** Names of the batch statistics to fetch with a training step, for {@link #updateRunningStats}. */
    public List<String> batchStatNames() {
        List<String> l = new ArrayList<>();
        running.forEach(r -> {
            l.add(r.batchMean());
            l.add(r.batchVar());
        });
        return l;
    }

    /** After a training step: running = 0.9 running + 0.1 batch (the variance unbiased, as PyTorch keeps it). */
    public void updateRunningStats(Map<String, INDArray> outputs, int batchSize) {
        for (RunningStats r : running) {
            long n = batchSize * r.spatial();
            double unbias = n > 1 ? (double) n / (n - 1) : 1;
            r.mean().muli(1 - BN_MOMENTUM).addi(outputs.get(r.batchMean()).mul(BN_MOMENTUM));
            r.var().muli(1 - BN_MOMENTUM).addi(outputs.get(r.batchVar()).mul(BN_MOMENTUM * unbias));
        }
    }

    /** Names of the network weights (every trainable variable but the architecture weights). */
    public List<String> weightNames() {
        return weightNames;
    }

    /** Names of the architecture weights: {@code alpha/KEY} and {@code beta/KEY}. */
    public List<String> archNames() {
        List<String> l = new ArrayList<>();
        alphas.values().forEach(v -> l.add(v.name()));
        betas.values().forEach(v -> l.add(v.name()));
        return l;
    }

    /** The raw architecture weights of each key (alpha of LayerChoices, beta of InputChoices). */
    public DataType dataType() {
        return dtype;
    }

    public Map<String, float[]> archLogits() {
        Map<String, float[]> m = new LinkedHashMap<>();
        alphas.forEach((k, v) -> m.put(k, v.getArr().toFloatVector()));
        betas.forEach((k, v) -> m.put(k, v.getArr().toFloatVector()));
        return m;
    }

    private String name(String kind) {
        return kind + "_" + (counter++);
    }

    private SDVariable step(Plan.Step s, Map<Integer, SDVariable> values) {
        if (s instanceof Plan.Apply a) {
            return layer(a.layer(), values.get(a.in()), plan.shapes().get(a.in()));
        }
        if (s instanceof Plan.Add a) {
            return values.get(a.a()).add(values.get(a.b()));
        }
        if (s instanceof Plan.Mixed m) {
            return mixed(m, values.get(m.in()), plan.shapes().get(m.in()));
        }
        return merge((Plan.Merge) s, values);
    }

    private SDVariable mixed(Plan.Mixed m, SDVariable in, Shape shape) {
        indexLabels.putIfAbsent(m.key(), m.labels());
        if (options.mixedOp() == MixedOp.INDEX) {
            return mixOutputs(m, in, shape, mixWeights(m.key(), null, m.candidates().size()));
        }
        SDVariable alpha = alphas.computeIfAbsent(m.key(), k -> {
            // DARTS initialises alpha as 1e-3 * randn.
            INDArray a = Nd4j.create(dtype, m.candidates().size());
            for (int i = 0; i < a.length(); i++) {
                a.putScalar(i, 1e-3 * rnd.nextGaussian());
            }
            return sd.var("alpha/" + k, a);
        });
        return mixOutputs(m, in, shape, mixWeights(m.key(), alpha, m.candidates().size()));
    }

    private SDVariable mixOutputs(Plan.Mixed m, SDVariable in, Shape shape, SDVariable w) {
        List<SDVariable> outs = new ArrayList<>();
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < m.candidates().size(); i++) {
            Layer l = m.candidates().get(i);
            if (l instanceof Layer.Zero z && z.channels() == 0) {
                continue; // contributes nothing; its weight still takes part in the softmax
            }
            outs.add(layer(l, in, shape));
            used.add(i);
        }
        if (outs.isEmpty()) {
            return layer(m.candidates().get(0), in, shape);
        }
        // One stack, one multiply and one sum, whatever the number of candidates: ops are what cost time.
        SDVariable picked = w;
        if (used.size() != m.candidates().size()) {
            // Selects the weights of the computed candidates (gather's gradient is broken in M2.1).
            INDArray select = Nd4j.zeros(dtype, m.candidates().size(), used.size());
            for (int j = 0; j < used.size(); j++) {
                select.putScalar(used.get(j), j, 1.0);
            }
            picked = w.reshape(1, m.candidates().size()).mmul(sd.constant(select));
        }
        SDVariable stacked = sd.stack(0, outs.toArray(new SDVariable[0]));
        return stacked.mul(picked.reshape(outs.size(), 1, 1, 1, 1)).sum(0);
    }

    private SDVariable tau;

    /** Mixing weights by key: instances of a shared key (every cell of a type) use one decision. */
    private final Map<String, SDVariable> mixWeights = new HashMap<>();

    /** The weights of a mixed op's candidates, by the mixed-op kind of the options; built once per key. */
    private SDVariable mixWeights(String key, SDVariable alpha, int n) {
        SDVariable w = mixWeights.get(key);
        if (w == null) {
            w = newMixWeights(key, alpha, n);
            mixWeights.put(key, w);
        }
        return w;
    }

    private SDVariable newMixWeights(String key, SDVariable alpha, int n) {
        if (options.mixedOp() == MixedOp.INDEX) {
            return sd.placeHolder("gate/" + key, dtype, n);
        }
        if (options.mixedOp() == MixedOp.BIN_GATE) {
            INDArray g = Nd4j.zeros(dtype, n);
            g.putScalar(0, 1);
            return sd.var("bingate/" + key, g);
        }
        if (options.mixedOp() == MixedOp.WEIGHTED_SUM) {
            return sd.nn().softmax(alpha, 0);
        }
        if (tau == null) {
            tau = sd.placeHolder(TAU, dtype);
        }
        gumbelKeys.add(key);
        SDVariable noise = sd.placeHolder("gumbel/" + key, dtype, n);
        SDVariable soft = sd.nn().softmax(alpha.add(noise).div(tau), 0);
        if (options.mixedOp() == MixedOp.GUMBEL_SUM) {
            return soft;
        }
        // Forward: the one-hot of soft; backward: soft's gradient (the value fed as soft/KEY equals soft).
        SDVariable hard = sd.placeHolder("hard/" + key, dtype, n);
        SDVariable softValue = sd.placeHolder("soft/" + key, dtype, n);
        return soft.add(hard.sub(softValue));
    }

    private final java.util.LinkedHashSet<String> gumbelKeys = new java.util.LinkedHashSet<>();
    private final Map<String, List<String>> indexLabels = new LinkedHashMap<>();
    private final Map<String, Integer> inputCandidates = new LinkedHashMap<>();
    private final Map<String, SDVariable> inputMasks = new HashMap<>();

    /**
     * The gates of one path (INDEX mixed ops): a one-hot per LayerChoice key and a 0/1 mask per InputChoice key,
     * from an architecture's decisions. Keys the architecture does not decide take their first candidate.
     */
    public Map<String, INDArray> gatesFor(io.cellforge.arch.Architecture arch) {
        Map<String, INDArray> feed = new HashMap<>();
        indexLabels.forEach((key, labels) -> {
            double[] g = new double[labels.size()];
            int i = arch.get(key).filter(d -> d instanceof io.cellforge.arch.Decision.Op)
                    .map(d -> labels.indexOf(((io.cellforge.arch.Decision.Op) d).label())).orElse(0);
            g[Math.max(0, i)] = 1;
            feed.put("gate/" + key, Nd4j.createFromArray(g).castTo(dtype));
        });
        inputCandidates.forEach((key, n) -> {
            double[] mask = new double[n];
            arch.get(key).filter(d -> d instanceof io.cellforge.arch.Decision.Inputs)
                    .ifPresentOrElse(d -> ((io.cellforge.arch.Decision.Inputs) d).indices().forEach(i -> mask[i] = 1),
                            () -> java.util.Arrays.fill(mask, 1));
            feed.put("inputs/" + key, Nd4j.createFromArray(mask).castTo(dtype));
        });
        return feed;
    }

    /**
     * The placeholders a Gumbel mixed op needs for one step: noise for every key, the temperature, and for the hard
     * kind the sampled one-hot with the soft weights it stands for. Empty for a weighted sum. A null {@code random}
     * gives no noise: the most likely gates, for evaluation.
     */
    public Map<String, INDArray> sampleGates(Random random, double temperature) {
        Map<String, INDArray> feed = new HashMap<>();
        if (gumbelKeys.isEmpty()) {
            return feed;
        }
        feed.put(TAU, Nd4j.scalar(dtype, temperature));
        for (String key : gumbelKeys) {
            double[] a = alphas.get(key).getArr().toDoubleVector();
            double[] g = new double[a.length];
            double[] soft = new double[a.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < a.length; i++) {
                if (random != null) {
                    double u = Math.min(Math.max(random.nextDouble(), 1e-10), 1 - 1e-10);
                    g[i] = -Math.log(-Math.log(u));
                }
                soft[i] = (a[i] + g[i]) / temperature;
                max = Math.max(max, soft[i]);
            }
            double sum = 0;
            int best = 0;
            for (int i = 0; i < a.length; i++) {
                soft[i] = Math.exp(soft[i] - max);
                sum += soft[i];
                best = soft[i] > soft[best] ? i : best;
            }
            for (int i = 0; i < a.length; i++) {
                soft[i] /= sum;
            }
            feed.put("gumbel/" + key, Nd4j.createFromArray(g).castTo(dtype));
            if (options.mixedOp() == MixedOp.GUMBEL_HARD) {
                double[] hard = new double[a.length];
                hard[best] = 1;
                feed.put("hard/" + key, Nd4j.createFromArray(hard).castTo(dtype));
                feed.put("soft/" + key, Nd4j.createFromArray(soft).castTo(dtype));
            }
        }
        return feed;
    }

    private SDVariable merge(Plan.Merge m, Map<Integer, SDVariable> values) {
        List<SDVariable> ins = m.ins().stream().map(values::get).toList();
        if (m.reduction() == Reduction.CONCAT) {
            if (m.key() != null && m.nChosen() != ins.size()) {
                throw new IllegalArgumentException(m.where() + ": an InputChoice that concatenates " + m.nChosen() + " of "
                        + ins.size() + " inputs cannot be relaxed in a one-shot supernet; use sum or mean");
            }
            return ins.size() == 1 ? ins.get(0) : sd.concat(1, ins.toArray(new SDVariable[0]));
        }
        List<SDVariable> terms = new ArrayList<>(ins);
        if (m.key() != null && options.mixedOp() == MixedOp.INDEX) {
            // The sampled inputs only: a 0/1 mask per candidate, one placeholder per key.
            inputCandidates.putIfAbsent(m.key(), ins.size());
            SDVariable mask = inputMasks.computeIfAbsent(m.key(), k -> sd.placeHolder("inputs/" + k, dtype, ins.size()));
            for (int i = 0; i < terms.size(); i++) {
                terms.set(i, terms.get(i).mul(mask.get(SDIndex.point(i))));
            }
        } else if (m.key() != null && options.weightInputChoices()) {
            SDVariable beta = betas.computeIfAbsent(m.key(), k -> sd.var("beta/" + k, Nd4j.zeros(dtype, ins.size())));
            // Softmax over the candidate inputs, scaled so that the weights sum to the number kept.
            double scale = m.nChosen() > 0 ? m.nChosen() : 1;
            SDVariable w = sd.nn().softmax(beta, 0).mul(scale);
            for (int i = 0; i < terms.size(); i++) {
                terms.set(i, terms.get(i).mul(w.get(SDIndex.point(i))));
            }
        }
        SDVariable sum = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            sum = sum.add(terms.get(i));
        }
        return m.reduction() == Reduction.MEAN ? sum.div(terms.size()) : sum;
    }

    // ---- layers ----------------------------------------------------------------------------------------

    SDVariable layer(Layer l, SDVariable x, Shape in) {
        try {
            Shape out = l.output(in);
            return compile(l, x, in, out);
        } catch (io.cellforge.ops.ShapeException e) {
            throw new IllegalStateException("the plan's shapes are inconsistent: " + e.getMessage(), e);
        }
    }

    private SDVariable compile(Layer l, SDVariable x, Shape in, Shape out) throws io.cellforge.ops.ShapeException {
        if (l instanceof Layer.Conv c) {
            return conv(c, x);
        }
        if (l instanceof Layer.BatchNorm bn) {
            return batchNorm(bn, x, (long) in.height() * in.width());
        }
        if (l instanceof Layer.Activation a) {
            return a.kind() == Layer.ActivationKind.RELU ? sd.nn().relu(x, 0) : sd.nn().relu6(x, 0);
        }
        if (l instanceof Layer.Pool p) {
            Pooling2DConfig cfg = Pooling2DConfig.builder().kH(p.kernel()).kW(p.kernel()).sH(p.stride()).sW(p.stride())
                    .pH(p.padding()).pW(p.padding()).isNHWC(false)
                    .divisor(p.countIncludePad() ? Pooling2D.Divisor.INCLUDE_PADDING : Pooling2D.Divisor.EXCLUDE_PADDING)
                    .build();
            return p.kind() == Layer.PoolKind.MAX ? sd.cnn().maxPooling2d(x, cfg) : sd.cnn().avgPooling2d(x, cfg);
        }
        if (l instanceof Layer.GlobalAvgPool) {
            return x.mean(true, 2, 3);
        }
        if (l instanceof Layer.Linear lin) {
            SDVariable w = sd.var(name("fc_w"), init(Math.sqrt(1.0 / lin.in()), lin.in(), lin.out()));
            SDVariable y = x.reshape(-1, lin.in()).mmul(w);
            if (lin.bias()) {
                y = y.add(sd.var(name("fc_b"), Nd4j.zeros(dtype, lin.out())));
            }
            return y.reshape(-1, lin.out(), 1, 1);
        }
        if (l instanceof Layer.Dropout || l instanceof Layer.Identity) {
            return x;
        }
        if (l instanceof Layer.Zero z) {
            SDVariable sub = subsample(x, in, z.stride());
            SDVariable zero = sub.mean(true, 1).mul(0.0);
            return sd.tile(zero, 1, out.channels(), 1, 1);
        }
        if (l instanceof Layer.ShiftCrop) {
            return x.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(1, in.height()), SDIndex.interval(1, in.width()));
        }
        if (l instanceof Layer.PadShortcut p) {
            SDVariable sub = subsample(x, in, p.stride());
            int pad = p.out() - p.in();
            if (pad == 0) {
                return sub;
            }
            SDVariable zero = sub.mean(true, 1).mul(0.0);
            int before = pad / 2;
            List<SDVariable> parts = new ArrayList<>();
            if (before > 0) {
                parts.add(sd.tile(zero, 1, before, 1, 1));
            }
            parts.add(sub);
            parts.add(sd.tile(zero, 1, pad - before, 1, 1));
            return sd.concat(1, parts.toArray(new SDVariable[0]));
        }
        if (l instanceof Layer.Sequential s) {
            Shape shape = in;
            for (Layer c : s.layers()) {
                Shape next = c.output(shape);
                x = compile(c, x, shape, next);
                shape = next;
            }
            return x;
        }
        if (l instanceof Layer.Sum s) {
            SDVariable sum = null;
            for (Layer b : s.branches()) {
                SDVariable v = compile(b, x, in, b.output(in));
                sum = sum == null ? v : sum.add(v);
            }
            return sum;
        }
        Layer.Concat cat = (Layer.Concat) l;
        List<SDVariable> parts = new ArrayList<>();
        for (Layer b : cat.branches()) {
            parts.add(compile(b, x, in, b.output(in)));
        }
        return sd.concat(1, parts.toArray(new SDVariable[0]));
    }

    private SDVariable subsample(SDVariable x, Shape in, int stride) {
        if (stride == 1) {
            return x;
        }
        return x.get(SDIndex.all(), SDIndex.all(), SDIndex.interval(0L, (long) stride, (long) in.height()),
                SDIndex.interval(0L, (long) stride, (long) in.width()));
    }

    private SDVariable conv(Layer.Conv c, SDVariable x) {
        int d = c.dilation();
        // libnd4j 1.0.0-M2.1's oneDNN build fails on every dilated convolution; an undilated convolution with the
        // taps spread out by zeros computes the same and differentiates only into the real taps.
        Conv2DConfig cfg = Conv2DConfig.builder().kH((long) (c.kernelH() - 1) * d + 1).kW((long) (c.kernelW() - 1) * d + 1)
                .sH(c.strideH()).sW(c.strideW()).pH(c.padH()).pW(c.padW()).dH(1).dW(1).dataFormat("NCHW").build();
        double std = Math.sqrt(2.0 / ((double) c.in() / c.groups() * c.kernelH() * c.kernelW()));
        SDVariable b = c.bias() ? sd.var(name("conv_b"), Nd4j.zeros(dtype, c.out())) : null;
        if (c.groups() == 1) {
            SDVariable w = kernel("conv_w", std, d, c.kernelH(), c.kernelW(), c.in(), c.out());
            return b == null ? sd.cnn().conv2d(x, w, cfg) : sd.cnn().conv2d(x, w, b, cfg);
        }
        if (c.groups() == c.in() && c.out() % c.in() == 0) {
            SDVariable w = kernel("dw_w", std, d, c.kernelH(), c.kernelW(), c.in(), c.out() / c.in());
            return b == null ? sd.cnn().depthWiseConv2d(x, w, cfg) : sd.cnn().depthWiseConv2d(x, w, b, cfg);
        }
        throw new IllegalArgumentException("grouped convolutions with " + c.groups() + " groups are not supported yet");
    }

    /**
     * A [kH, kW, in, out] kernel variable; dilated, it is stored spread out with zeros between the taps and a
     * gradient mask keeps those zeros (no extra ops in the graph, which is what costs time in SameDiff).
     */
    private SDVariable kernel(String kind, double std, int d, int kh, int kw, int in, int out) {
        INDArray taps = init(std, kh, kw, in, out);
        if (d == 1) {
            return sd.var(name(kind), taps);
        }
        int eh = (kh - 1) * d + 1;
        int ew = (kw - 1) * d + 1;
        INDArray w = Nd4j.zeros(dtype, eh, ew, in, out);
        INDArray mask = Nd4j.zeros(dtype, eh, ew, in, out);
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                w.get(point(i * d), point(j * d), all(), all()).assign(taps.get(point(i), point(j), all(), all()));
                mask.get(point(i * d), point(j * d), all(), all()).assign(1);
            }
        }
        SDVariable v = sd.var(name(kind), w);
        gradientMasks.put(v.name(), mask);
        return v;
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex point(long i) {
        return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    /** Weights whose gradient must be multiplied by a 0/1 mask (dilated kernels), by variable name. */
    public Map<String, INDArray> gradientMasks() {
        return gradientMasks;
    }

    /** Trainable parameters, not counting the fixed zeros of dilated kernels. */
    public long parameterCount() {
        long n = 0;
        for (String w : weightNames) {
            INDArray m = gradientMasks.get(w);
            n += m != null ? m.sumNumber().longValue() : sd.getVariable(w).getArr().length();
        }
        return n;
    }

    /** Normalises over the batch and the spatial positions; optional scale and shift. */
    private SDVariable batchNorm(Layer.BatchNorm bn, SDVariable x, long spatial) {
        SDVariable[] mv = sd.math().moments(x, new int[] {0, 2, 3}, true);
        SDVariable mean = mv[0];
        SDVariable var = mv[1];
        if (training != null) {
            // training * batch statistics + (1 - training) * running averages: one graph for both modes.
            String id = name("bnrun/" + bn.channels());
            SDVariable runMean = sd.var(id + "/mean", Nd4j.zeros(dtype, 1, bn.channels(), 1, 1));
            SDVariable runVar = sd.var(id + "/var", Nd4j.ones(dtype, 1, bn.channels(), 1, 1));
            SDVariable off = training.rsub(1.0);
            mean = mv[0].mul(training).add(runMean.mul(off));
            var = mv[1].mul(training).add(runVar.mul(off));
            running.add(new RunningStats(runMean.getArr(), runVar.getArr(), mv[0].name(), mv[1].name(), spatial));
        }
        SDVariable y = x.sub(mean).mul(sd.math().rsqrt(var.add(BN_EPS)));
        if (bn.affine()) {
            SDVariable gamma = sd.var(name("bn_gamma"), Nd4j.ones(dtype, 1, bn.channels(), 1, 1));
            SDVariable beta = sd.var(name("bn_beta"), Nd4j.zeros(dtype, 1, bn.channels(), 1, 1));
            y = y.mul(gamma).add(beta);
        }
        return y;
    }

    private INDArray init(double std, long... shape) {
        INDArray a = Nd4j.create(dtype, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, std * rnd.nextGaussian());
        }
        return a;
    }
}

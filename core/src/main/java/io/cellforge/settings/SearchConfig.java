package io.cellforge.settings;

import io.cellforge.engine.Batches;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of a one-shot search. The defaults are the DARTS paper's: weights by SGD (momentum 0.9, learning
 * rate 0.025 cosine-annealed to 0.001, weight decay 3e-4, gradients clipped at norm 5); architecture weights by
 * Adam (learning rate 3e-4, betas 0.5/0.999, weight decay 1e-3); half of the training images train the
 * weights, the other half the architecture. {@code tauMax}/{@code tauMin}: the Gumbel temperature schedule.
 * {@code generations}: SPOS's evolution. {@code pathSamples}: candidates per key in a ProxylessNAS
 * architecture step. {@code warmup}: the first epochs train the weights only, the architecture weights held
 * (ModularNAS's DefaultEstimator chained before its SuperNetEstimator); 0 for none.
 */
public record SearchConfig(String strategy, int epochs, int batchSize, long seed, double lr, double lrMin, double momentum,
                           double weightDecay, double gradClip, double archLr, double archBeta1, double archBeta2,
                           double archWeightDecay, double trainPortion, double tauMax, double tauMin,
                           Augment augment, int generations, int pathSamples, int warmup) {
    /** Every one-shot strategy by its command-line name. */
    public static final java.util.List<String> STRATEGIES = java.util.List.of("darts", "darts2", "gdas", "snas", "spos", "proxyless",
            "proxyless-uniform");


    public SearchConfig {
        if (!STRATEGIES.contains(strategy)) {
            throw new IllegalArgumentException("unknown strategy '" + strategy + "'; available: " + String.join(", ", STRATEGIES));
        }
        // Infinity passes the range tests below (and NaN every `x < lo ||` test): refuse both first.
        finite(lr, "lr");
        finite(lrMin, "lr_min");
        finite(momentum, "momentum");
        finite(weightDecay, "weight_decay");
        finite(gradClip, "grad_clip");
        finite(archLr, "arch_lr");
        finite(archBeta1, "arch_betas");
        finite(archBeta2, "arch_betas");
        finite(archWeightDecay, "arch_weight_decay");
        finite(trainPortion, "train_portion");
        finite(tauMax, "tau_max");
        finite(tauMin, "tau_min");
        require(epochs >= 1, "epochs must be at least 1");
        require(batchSize >= 1, "batch_size must be at least 1");
        require(lr > 0 && lrMin >= 0, "lr must be positive and lr_min not negative");
        require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)");
        require(weightDecay >= 0, "weight_decay must not be negative");
        require(archWeightDecay >= 0, "arch_weight_decay must not be negative");
        require(gradClip > 0, "grad_clip must be positive");
        require(archLr > 0, "arch_lr must be positive");
        require(archBeta1 >= 0 && archBeta1 < 1 && archBeta2 >= 0 && archBeta2 < 1, "arch_betas must be in [0, 1)");
        require(trainPortion > 0 && trainPortion < 1, "train_portion must be between 0 and 1");
        require(tauMin > 0 && tauMax >= tauMin, "tau_min must be positive and tau_max at least tau_min");
        require(generations >= 0, "generations must not be negative");
        require(pathSamples >= 1, "path_samples must be at least 1");
        require(warmup >= 0 && (warmup == 0 || warmup < epochs), "warmup must be from 0 to epochs - 1 (" + (epochs - 1)
                + "): at least one epoch must move the architecture, got " + warmup);
        require(warmup == 0 || !strategy.equals("spos"), "a warmup holds the architecture weights, and spos has none: its "
                + "paths are sampled uniformly throughout");
    }

    private static void finite(double v, String name) {
        require(Double.isFinite(v), name + " must be a finite number, got " + v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The DARTS recipe. */
    public static SearchConfig darts(int epochs, int batchSize, long seed) {
        return of("darts", epochs, batchSize, seed);
    }

    /** A strategy's published defaults over the DARTS recipe. */
    public static SearchConfig of(String strategy, int epochs, int batchSize, long seed) {
        return builder(strategy).epochs(epochs).batchSize(batchSize).seed(seed).build();
    }

    /**
     * The published defaults of a strategy: GDAS anneals tau from 10 to 0.1, SNAS from 1 to 0.03; ProxylessNAS
     * (as ModularNAS's BinaryGateOptim) moves alpha by Adam with learning rate 0.006, betas 0/0.999, no weight decay.
     */
    public static Builder builder(String strategy) {
        Builder b = new Builder();
        b.strategy = strategy;
        switch (strategy) {
            case "gdas" -> b.tauMax(10).tauMin(0.1);
            case "snas" -> b.tauMax(1).tauMin(0.03);
            case "proxyless", "proxyless-uniform" -> b.archLr(0.006).archBeta1(0).archWeightDecay(0);
            default -> { }
        }
        return b;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.strategy = strategy;
        return b.epochs(epochs).batchSize(batchSize).seed(seed).lr(lr).lrMin(lrMin).momentum(momentum)
                .weightDecay(weightDecay).gradClip(gradClip).archLr(archLr).archBeta1(archBeta1).archBeta2(archBeta2)
                .archWeightDecay(archWeightDecay).trainPortion(trainPortion).tauMax(tauMax).tauMin(tauMin)
                .augment(augment).generations(generations).pathSamples(pathSamples).warmup(warmup);
    }

    /** The settings under the names of a search YAML file ({@code SearchConfigYaml}), for checkpoints and run records. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("strategy", strategy);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("seed", seed);
        m.put("lr", lr);
        m.put("lr_min", lrMin);
        m.put("momentum", momentum);
        m.put("weight_decay", weightDecay);
        m.put("grad_clip", gradClip);
        m.put("arch_lr", archLr);
        m.put("arch_betas", new double[] {archBeta1, archBeta2});
        m.put("arch_weight_decay", archWeightDecay);
        m.put("train_portion", trainPortion);
        m.put("tau_max", tauMax);
        m.put("tau_min", tauMin);
        m.put("generations", generations);
        m.put("path_samples", pathSamples);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("crop_padding", augment.cropPadding());
        a.put("flip", augment.flip());
        a.put("cutout", augment.cutout());
        m.put("augment", a);
        if (warmup > 0) {
            m.put("warmup", warmup); // only when set: the checkpoints and run records of runs without one are as they were
        }
        return m;
    }

    /** Settings one at a time; {@link #build()} checks them together. */
    public static final class Builder {
        private String strategy;
        private int epochs = 10;
        private int batchSize = 64;
        private long seed = 1;
        private double lr = 0.025;
        private double lrMin = 0.001;
        private double momentum = 0.9;
        private double weightDecay = 3e-4;
        private double gradClip = 5;
        private double archLr = 3e-4;
        private double archBeta1 = 0.5;
        private double archBeta2 = 0.999;
        private double archWeightDecay = 1e-3;
        private double trainPortion = 0.5;
        private double tauMax = 1;
        private double tauMin = 1;
        private Augment augment = Augment.NONE;
        private int generations = 10;
        private int pathSamples = 2;
        private int warmup;

        private Builder() {
        }

        public String strategy() {
            return strategy;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder lr(double v) {
            lr = v;
            return this;
        }

        public Builder lrMin(double v) {
            lrMin = v;
            return this;
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder gradClip(double v) {
            gradClip = v;
            return this;
        }

        public Builder archLr(double v) {
            archLr = v;
            return this;
        }

        public Builder archBeta1(double v) {
            archBeta1 = v;
            return this;
        }

        public Builder archBeta2(double v) {
            archBeta2 = v;
            return this;
        }

        public Builder archWeightDecay(double v) {
            archWeightDecay = v;
            return this;
        }

        public Builder trainPortion(double v) {
            trainPortion = v;
            return this;
        }

        public Builder tauMax(double v) {
            tauMax = v;
            return this;
        }

        public Builder tauMin(double v) {
            tauMin = v;
            return this;
        }

        public Builder augment(Augment v) {
            augment = v;
            return this;
        }

        public Builder generations(int v) {
            generations = v;
            return this;
        }

        public Builder pathSamples(int v) {
            pathSamples = v;
            return this;
        }

        public Builder warmup(int v) {
            warmup = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting out of range */
        public SearchConfig build() {
            return new SearchConfig(strategy, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, archLr,
                    archBeta1, archBeta2, archWeightDecay, trainPortion, tauMax, tauMin, augment, generations, pathSamples, warmup);
        }
    }
}

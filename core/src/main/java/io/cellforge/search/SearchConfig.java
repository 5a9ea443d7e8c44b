package io.cellforge.search;

/**
 * Settings of a one-shot search. The defaults are the DARTS paper's: weights by SGD (momentum 0.9, learning
 * rate 0.025 cosine-annealed to 0.001, weight decay 3e-4, gradients clipped at norm 5); architecture weights by
 * Adam (learning rate 3e-4, betas 0.5/0.999, weight decay 1e-3); half of the training images train the
 * weights, the other half the architecture. {@code tauMax}/{@code tauMin}: the Gumbel temperature schedule.
 */
public record SearchConfig(String strategy, int epochs, int batchSize, long seed, double lr, double lrMin, double momentum,
                           double weightDecay, double gradClip, double archLr, double archBeta1, double archBeta2,
                           double archWeightDecay, double trainPortion, double tauMax, double tauMin,
                           io.cellforge.engine.Batches.Augment augment, int generations) {

    public static SearchConfig darts(int epochs, int batchSize, long seed) {
        return new SearchConfig("darts", epochs, batchSize, seed, 0.025, 0.001, 0.9, 3e-4, 5, 3e-4, 0.5, 0.999, 1e-3, 0.5,
                1, 1, io.cellforge.engine.Batches.Augment.NONE, 10);
    }

    /** A strategy's published defaults: GDAS anneals tau from 10 to 0.1, SNAS from 1 to 0.03. */
    public static SearchConfig of(String strategy, int epochs, int batchSize, long seed) {
        SearchConfig d = darts(epochs, batchSize, seed);
        return switch (strategy) {
            case "gdas" -> d.with("gdas", 10, 0.1);
            case "snas" -> d.with("snas", 1, 0.03);
            default -> d.with(strategy, 1, 1);
        };
    }

    private SearchConfig with(String s, double tMax, double tMin) {
        return new SearchConfig(s, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, archLr, archBeta1,
                archBeta2, archWeightDecay, trainPortion, tMax, tMin, augment, generations);
    }

    public SearchConfig withLr(double l) {
        return new SearchConfig(strategy, epochs, batchSize, seed, l, lrMin, momentum, weightDecay, gradClip, archLr,
                archBeta1, archBeta2, archWeightDecay, trainPortion, tauMax, tauMin, augment, generations);
    }

    public SearchConfig withAugment(io.cellforge.engine.Batches.Augment a) {
        return new SearchConfig(strategy, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, archLr,
                archBeta1, archBeta2, archWeightDecay, trainPortion, tauMax, tauMin, a, generations);
    }

    /** SPOS: generations of the evolutionary search after training the supernet. */
    public SearchConfig withGenerations(int g) {
        return new SearchConfig(strategy, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, archLr,
                archBeta1, archBeta2, archWeightDecay, trainPortion, tauMax, tauMin, augment, g);
    }

    public SearchConfig withArchLr(double a) {
        return new SearchConfig(strategy, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, a,
                archBeta1, archBeta2, archWeightDecay, trainPortion, tauMax, tauMin, augment, generations);
    }
}

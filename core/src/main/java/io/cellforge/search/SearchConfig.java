package io.cellforge.search;

/**
 * Settings of a one-shot search. The defaults are the DARTS paper's: weights by SGD (momentum 0.9, learning
 * rate 0.025 cosine-annealed to 0.001, weight decay 3e-4, gradients clipped at norm 5); architecture weights by
 * Adam (learning rate 3e-4, betas 0.5/0.999, weight decay 1e-3); half of the training images train the
 * weights, the other half the architecture.
 */
public record SearchConfig(String strategy, int epochs, int batchSize, long seed, double lr, double lrMin, double momentum,
                           double weightDecay, double gradClip, double archLr, double archBeta1, double archBeta2,
                           double archWeightDecay, double trainPortion) {

    public static SearchConfig darts(int epochs, int batchSize, long seed) {
        return new SearchConfig("darts", epochs, batchSize, seed, 0.025, 0.001, 0.9, 3e-4, 5, 3e-4, 0.5, 0.999, 1e-3, 0.5);
    }

    public SearchConfig withLr(double lr) {
        return new SearchConfig(strategy, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, archLr,
                archBeta1, archBeta2, archWeightDecay, trainPortion);
    }

    public SearchConfig withArchLr(double a) {
        return new SearchConfig(strategy, epochs, batchSize, seed, lr, lrMin, momentum, weightDecay, gradClip, a,
                archBeta1, archBeta2, archWeightDecay, trainPortion);
    }
}

package io.cellforge.engine.relax;

/**
 * GUMBEL_HARD: the one-hot of {@link GumbelSoft}'s weights in the forward pass ({@link GumbelSoft.Noise#hard}),
 * its soft gradient in the backward pass (GDAS, straight-through).
 */
public final class GumbelHard extends GumbelSoft {
    @Override
    public double[] weights(String key, double[] alpha, Noise gates) {
        double[] hard = gates.hard().get(key);
        return hard != null ? hard : Softmax.oneHot(soft(key, alpha, gates));
    }

    /** Drawn from the noise before rounding to the network's precision, as GDAS's argmax is taken in the draw. */
    @Override
    double[] hard(double[] alpha, double[] g, double temperature) {
        return Softmax.oneHot(Softmax.softmax(alpha, g, temperature));
    }
}

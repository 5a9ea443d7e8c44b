package io.cellforge.engine.relax;

import java.util.Map;
import java.util.Random;

/**
 * GUMBEL_HARD: the one-hot of {@link GumbelSoft}'s weights in the forward pass (fed as {@code hard/KEY}, or taken
 * from the noise), its soft gradient in the backward pass (GDAS, straight-through).
 */
public final class GumbelHard extends GumbelSoft {
    /** The name of a choice's sampled one-hot among a step's inputs. */
    public static String hardName(String key) {
        return "hard/" + key;
    }

    @Override
    public double[] weights(String key, double[] alpha, Step step) {
        double[] hard = step.fed(hardName(key));
        return hard != null ? hard : Softmax.oneHot(soft(key, alpha, step));
    }

    @Override
    public void sample(String key, double[] alpha, Random random, double temperature, Map<String, double[]> feed) {
        super.sample(key, alpha, random, temperature, feed);
        feed.put(hardName(key), Softmax.oneHot(Softmax.softmax(alpha, feed.get(noiseName(key)), temperature)));
    }
}

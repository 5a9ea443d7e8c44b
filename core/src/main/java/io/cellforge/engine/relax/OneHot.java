package io.cellforge.engine.relax;

import java.util.Arrays;

/**
 * INDEX: one candidate chosen from outside, fed as a one-hot {@code gate/KEY}, and InputChoices masked by a 0/1
 * {@code inputs/KEY} (SPOS); no architecture weights.
 */
public final class OneHot implements Relaxation {
    /** The name of a LayerChoice's one-hot among a step's inputs. */
    public static String gateName(String key) {
        return "gate/" + key;
    }

    /** The name of an InputChoice's mask among a step's inputs. */
    public static String inputsName(String key) {
        return "inputs/" + key;
    }

    @Override
    public double[] weights(String key, double[] alpha, Step step) {
        double[] g = step.fed(gateName(key));
        if (g == null) {
            throw new IllegalStateException("no gate fed for choice '" + key + "'");
        }
        return g;
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Step step) {
        throw new IllegalStateException("INDEX mixing has no alpha");
    }

    @Override
    public boolean learnsAlpha() {
        return false;
    }

    @Override
    public boolean masksInputs() {
        return true;
    }

    /** The fed mask, or every input when none was fed. */
    @Override
    public double[] inputMask(String key, int n, Step step) {
        double[] m = step.fed(inputsName(key));
        if (m != null) {
            return m;
        }
        double[] w = new double[n];
        Arrays.fill(w, 1);
        return w;
    }
}

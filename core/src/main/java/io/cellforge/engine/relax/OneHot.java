package io.cellforge.engine.relax;

import java.util.Arrays;
import java.util.Map;

/**
 * INDEX: one candidate per LayerChoice chosen from outside and InputChoices masked, as a {@link Path} (SPOS); no
 * architecture weights.
 */
public final class OneHot implements Relaxation<OneHot.Path> {
    /** One path of the supernet: a one-hot per LayerChoice key, a 0/1 mask per InputChoice key (all inputs if absent). */
    public record Path(Map<String, double[]> ops, Map<String, double[]> inputs) implements Gates {
        public Path {
            ops = Map.copyOf(ops);
            inputs = Map.copyOf(inputs);
        }
    }

    @Override
    public Class<Path> gatesType() {
        return Path.class;
    }

    @Override
    public double[] weights(String key, double[] alpha, Path gates) {
        double[] g = gates.ops().get(key);
        if (g == null) {
            throw new IllegalStateException("no op chosen for choice '" + key + "'");
        }
        return g;
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Path gates) {
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

    @Override
    public double[] inputMask(String key, int n, Path gates) {
        double[] m = gates.inputs().get(key);
        if (m != null) {
            return m;
        }
        double[] w = new double[n];
        Arrays.fill(w, 1);
        return w;
    }
}

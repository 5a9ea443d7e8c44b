package io.cellforge.engine.relax;

import java.util.Map;

/**
 * BIN_GATE: the one-hot gates the strategy sets before each step ({@link Binarized}); the loss's gradient reaches
 * the gates (ProxylessNAS's BinaryConnect estimator), and the strategy turns it into alpha's, so the pass's own
 * alpha gradient is zero.
 */
public final class BinaryGate implements Relaxation<BinaryGate.Binarized> {
    /**
     * ProxylessNAS's binarized path: the gate vector of every LayerChoice key, and the candidates per key whose gate
     * gradient the pass computes (each costs a forward and backward through that candidate; a key left out means
     * every candidate).
     */
    public record Binarized(Map<String, double[]> gates, Map<String, boolean[]> candidates) implements Gates {
        public Binarized {
            gates = Map.copyOf(gates);
            candidates = Map.copyOf(candidates);
        }
    }

    @Override
    public Class<Binarized> gatesType() {
        return Binarized.class;
    }

    @Override
    public double[] weights(String key, double[] alpha, Binarized gates) {
        double[] g = gates.gates().get(key);
        if (g == null) {
            throw new IllegalStateException("no binary gate set for choice '" + key + "'");
        }
        return g;
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Binarized gates) {
        return new double[dw.length];
    }

    @Override
    public boolean binaryGates() {
        return true;
    }

    @Override
    public Map<String, boolean[]> gateCandidates(Binarized gates) {
        return gates.candidates();
    }
}

package io.cellforge.engine.relax;

import java.util.Map;

/** One pass's relaxation with the gates a strategy set for it: what the network asks for its mixing weights. */
public record Step<G extends Gates>(Relaxation<G> relaxation, G gates) {
    public double[] weights(String key, double[] alpha) {
        return relaxation.weights(key, alpha, gates);
    }

    public double[] alphaGradient(String key, double[] alpha, double[] dw) {
        return relaxation.alphaGradient(key, alpha, dw, gates);
    }

    public double[] inputMask(String key, int n) {
        return relaxation.inputMask(key, n, gates);
    }

    public Map<String, boolean[]> gateCandidates() {
        return relaxation.gateCandidates(gates);
    }
}

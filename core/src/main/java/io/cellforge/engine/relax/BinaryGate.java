package io.cellforge.engine.relax;

/**
 * BIN_GATE: the one-hot gate the strategy sets on the network before each step; the loss's gradient reaches the
 * gates (ProxylessNAS's BinaryConnect estimator), and the strategy turns it into alpha's, so the pass's own alpha
 * gradient is zero.
 */
public final class BinaryGate implements Relaxation {
    @Override
    public double[] weights(String key, double[] alpha, Step step) {
        return step.binaryGate(key);
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Step step) {
        return new double[dw.length];
    }

    @Override
    public boolean binaryGates() {
        return true;
    }
}

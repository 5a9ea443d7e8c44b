package io.cellforge.engine.relax;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The inputs of one pass to the relaxations: what the strategy fed ({@code gumbel/KEY}, {@code hard/KEY},
 * {@code gate/KEY}, {@code inputs/KEY}, by the names the relaxations give them), the Gumbel temperature, and the
 * binary gates the strategy set on the network.
 */
public record Step(Map<String, INDArray> fed, double tau, Map<String, INDArray> binaryGates) {
    /** The fed vector of that name, or null. */
    public double[] fed(String name) {
        INDArray a = fed.get(name);
        return a == null ? null : a.toDoubleVector();
    }

    /** The binary gate the strategy set for a choice. */
    public double[] binaryGate(String key) {
        return binaryGates.get(key).toDoubleVector();
    }
}

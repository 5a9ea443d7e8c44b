package io.cellforge.engine.relax;

import java.util.Map;
import java.util.Random;

/**
 * How a LayerChoice mixes its candidates in the supernet (ModularNAS's mixed operators): its mixing weights from
 * its architecture weights alpha and the inputs of one step, and d loss / d alpha from d loss / d mixing weights.
 * One class a relaxation, registered as a {@link io.cellforge.engine.CompiledNetwork.MixedOp}; stateless, so one
 * instance serves every network.
 */
public interface Relaxation {
    /** The mixing weights of the choice {@code key} in this step; {@code alpha} is null when it has none. */
    double[] weights(String key, double[] alpha, Step step);

    /** d loss / d alpha from d loss / d mixing weights {@code dw}, for the same step as {@link #weights}. */
    double[] alphaGradient(String key, double[] alpha, double[] dw, Step step);

    /** Whether a LayerChoice has architecture weights alpha (INDEX: its candidate is chosen from outside). */
    default boolean learnsAlpha() {
        return true;
    }

    /** Whether the strategy sets a one-hot gate per LayerChoice before each step ({@link Step#binaryGate}). */
    default boolean binaryGates() {
        return false;
    }

    /** Whether InputChoices are masked by the step's inputs ({@link #inputMask}) instead of summing every input. */
    default boolean masksInputs() {
        return false;
    }

    /** The 0/1 weights of an InputChoice's {@code n} inputs in this step, when {@link #masksInputs}. */
    default double[] inputMask(String key, int n, Step step) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not mask InputChoices");
    }

    /** Whether a step's inputs are drawn by {@link #sample} (the Gumbel relaxations' noise). */
    default boolean sampled() {
        return false;
    }

    /**
     * Draws the step inputs of one choice into {@code feed}, by name; a null {@code random} gives no noise (the most
     * likely gates, for evaluation).
     */
    default void sample(String key, double[] alpha, Random random, double temperature, Map<String, double[]> feed) {
    }
}

package io.cellforge.engine.relax;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * How a LayerChoice mixes its candidates in the supernet (ModularNAS's mixed operators): its mixing weights from
 * its architecture weights alpha and the gates {@code G} a strategy sets for one pass, and d loss / d alpha from
 * d loss / d mixing weights. One class a relaxation, with its gates as a record of its own, registered as a
 * {@link io.cellforge.engine.CompiledNetwork.MixedOp}; stateless, so one instance serves every network.
 */
public interface Relaxation<G extends Gates> {
    /** The kind of gates this relaxation reads. */
    Class<G> gatesType();

    /** The mixing weights of the choice {@code key} in this pass; {@code alpha} is null when it has none. */
    double[] weights(String key, double[] alpha, G gates);

    /** d loss / d alpha from d loss / d mixing weights {@code dw}, for the same pass as {@link #weights}. */
    double[] alphaGradient(String key, double[] alpha, double[] dw, G gates);

    /** Whether a LayerChoice has architecture weights alpha (INDEX: its candidate is chosen from outside). */
    default boolean learnsAlpha() {
        return true;
    }

    /** Whether the mixing weights are gates whose gradients a pass can give ({@code Grad.GATES}). */
    default boolean binaryGates() {
        return false;
    }

    /** The candidates, per key, whose gate gradient a pass computes; a key left out means every candidate. */
    default Map<String, boolean[]> gateCandidates(G gates) {
        return Map.of();
    }

    /** Whether InputChoices are masked by the gates ({@link #inputMask}) instead of summing every input. */
    default boolean masksInputs() {
        return false;
    }

    /** The 0/1 weights of an InputChoice's {@code n} inputs in this pass, when {@link #masksInputs}. */
    default double[] inputMask(String key, int n, G gates) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not mask InputChoices");
    }

    /**
     * Draws the gates of one step from noise, for every choice's {@code alphas} (in that order), at the network's
     * {@code precision}; a null {@code random} gives no noise (the most likely gates, for evaluation).
     */
    default G sample(Map<String, double[]> alphas, Random random, double temperature, DataType precision) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + "'s gates are not drawn from noise");
    }

    /** This relaxation with the gates of one pass; another relaxation's gates are refused. */
    default Step<G> step(Gates gates) {
        Objects.requireNonNull(gates, "gates");
        if (!gatesType().isInstance(gates)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " mixes with " + shown(gatesType()) + ", not "
                    + shown(gates.getClass()));
        }
        return new Step<>(this, gatesType().cast(gates));
    }

    /** A gates class as its code names it ({@code OneHot.Path}). */
    private static String shown(Class<?> c) {
        String n = c.getCanonicalName();
        return n == null ? c.getSimpleName() : n.substring(c.getPackageName().isEmpty() ? 0 : c.getPackageName().length() + 1);
    }
}

package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.relax.Gates;
import io.cellforge.space.SearchSpace;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How a one-shot search moves the architecture weights and which paths its weight steps train. The loop around
 * it ({@link OneShotSearch}) owns the data, the optimizers, checkpoints and events.
 */
interface Strategy {
    /** Every strategy by its command-line name. */
    List<String> NAMES = SearchConfig.STRATEGIES;

    static Strategy of(String name) {
        return switch (name) {
            case "darts" -> new Darts(false);
            case "darts2" -> new Darts(true);
            case "gdas" -> new Gumbel(true);
            case "snas" -> new Gumbel(false);
            case "spos" -> new SinglePath();
            case "proxyless" -> new BinaryGates(false);
            case "proxyless-uniform" -> new BinaryGates(true);
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "'; available: " + String.join(", ", NAMES));
        };
    }

    /** What a strategy works on: the supernet with its weights, the weights' optimizer, the settings. */
    record Context(SearchSpace space, CompiledNetwork net, Optimizers.Sgd sgd, SearchConfig cfg) {
    }

    /** The architecture gradient of one step and the validation loss it was taken at. */
    record ArchStep(Map<String, INDArray> gradient, double validLoss) {
    }

    CompiledNetwork.MixedOp mixedOp();

    /**
     * Whether the architecture learns on validation batches, in a step of its own before each weight step
     * (bilevel); otherwise from the training batch, in the weight step's pass.
     */
    default boolean bilevel() {
        return true;
    }

    /** The architecture gradient on a validation batch ({@code train}: the weight step's batch, for unrolling). */
    ArchStep archStep(Context c, Batches.Batch train, Batches.Batch valid, Random noise, double tau, double lr);

    /** Called after the optimizer applied the gradient of {@link #archStep}. */
    default void afterArchStep(Context c) {
    }

    /** The gates (noise, sampled paths) of a weight step, of the kind {@link #mixedOp}'s relaxation reads. */
    Gates weightGates(Context c, Random noise, double tau);

    /** The gates a network is judged with at the end of an epoch: the most likely path or no noise. */
    Gates evaluationGates(Context c, double tau);

    /** SPOS: the architecture is found after training, by evolution over paths of the supernet. */
    default boolean evolves() {
        return false;
    }
}

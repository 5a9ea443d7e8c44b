package io.cellforge.trial;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.plan.PlanException;
import io.cellforge.search.OneShotSearch;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;

import java.util.Map;

/**
 * ModularNAS's SuperNetEstimator in its one-shot form: architectures scored with the weights of a supernet trained
 * once, SPOS's single-path supernet ({@link OneShotSearch#trainSupernet}), by their path's accuracy on the first
 * validation batches, as SPOS's own evolution judges them: a pass per score instead of a training per trial. It
 * also reports the child network's parameters and multiply-adds ({@link Evaluator}, as retrained), and its
 * latency here when given a {@link LatencyTable}. Scores from several threads take turns on the one supernet.
 *
 * <p>To construct one: {@code SuperNetEstimator.train(space, data, SearchConfig.of("spos", epochs, batch, seed),
 * batches, latencyTableOrNull, listener, control)}, or {@code new SuperNetEstimator(space, supernet, batches,
 * latencyTableOrNull)} around a supernet already trained.
 */
public final class SuperNetEstimator implements Estimator {
    private final SearchSpace space;
    private final SearchSpace network;
    private final OneShotSearch.Supernet supernet;
    private final int batches;
    private final LatencyTable latency;

    /** {@code batches}: the validation batches each architecture is judged on; {@code latency} may be null. */
    public SuperNetEstimator(SearchSpace space, OneShotSearch.Supernet supernet, int batches, LatencyTable latency) {
        if (batches < 1) {
            throw new IllegalArgumentException("an architecture is judged on at least one batch, not " + batches);
        }
        this.space = space;
        this.network = Retrain.finalNetwork(space);
        this.supernet = supernet;
        this.batches = batches;
        this.latency = latency;
    }

    /** Trains the SPOS supernet of {@code cfg} (its strategy must be spos) on {@code data}, then scores with it. */
    public static SuperNetEstimator train(SearchSpace space, DataBundle data, SearchConfig cfg, int batches, LatencyTable latency,
                                          SearchEvents.Listener listener, SearchControl control) throws PlanException {
        return train(space, data, cfg, batches, latency, listener, control, null);
    }

    /**
     * The search stage of a chain: as above, the supernet's training starting from the weights of {@code warm}
     * ({@link DefaultEstimator#warmUp}, trained on the same data with the same seed, so that the images it
     * validates on stay unseen by both stages); null starts from a fresh initialisation.
     */
    public static SuperNetEstimator train(SearchSpace space, DataBundle data, SearchConfig cfg, int batches, LatencyTable latency,
                                          SearchEvents.Listener listener, SearchControl control, OneShotSearch.Supernet warm)
            throws PlanException {
        return new SuperNetEstimator(space, new OneShotSearch(space, data, cfg).trainSupernet(listener, control, warm), batches, latency);
    }

    /** The score is the same for every seed: the weights are trained once. */
    @Override
    public Scores estimate(Architecture architecture, long seed) throws EstimateException {
        EstimateException.requireComplete(space, architecture);
        var stats = Evaluator.evaluate(network, architecture);
        if (!stats.ok()) {
            throw new EstimateException("the child network does not build: " + stats.problems().get(0).message());
        }
        Scores s = new Scores(Map.of(Scores.ACCURACY, supernet.accuracy(architecture, batches)))
                .with(Scores.PARAMS, stats.params())
                .with(Scores.MACS, stats.macs());
        return LatencyTable.withLatency(s, latency, architecture);
    }

    @Override
    public String name() {
        return "supernet";
    }
}

package io.cellforge.trial;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.plan.PlanException;
import io.cellforge.search.ElasticSpace;
import io.cellforge.search.ProgressiveShrinking;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;

import java.util.Map;

/**
 * ModularNAS's ProgressiveShrinkingEstimator: an elastic MobileNetV2 ({@link ElasticSpace}: kernel size, expansion
 * and depth as ValueChoices of mbconv blocks) trained once by Once-for-All's progressive shrinking
 * ({@link ProgressiveShrinking}), then each architecture scored by its sub-network's accuracy with the shared
 * weights on the first validation batches: a pass per score, no training per trial. It also reports the
 * sub-network's parameters and multiply-adds ({@link Evaluator}), and its latency here when given a
 * {@link LatencyTable}.
 *
 * <p>To construct one: {@code ProgressiveShrinkingEstimator.train(space, data, ProgressiveShrinking.Config.of(epochs,
 * batch, seed), batches, latencyTableOrNull, listener, control)}; a space that is not elastic is refused before
 * anything is trained, naming the key or op.
 */
public final class ProgressiveShrinkingEstimator implements Estimator {
    private final ProgressiveShrinking trained;
    private final int batches;
    private final LatencyTable latency;

    public ProgressiveShrinkingEstimator(ProgressiveShrinking trained, int batches, LatencyTable latency) {
        if (batches < 1) {
            throw new IllegalArgumentException("an architecture is judged on at least one batch, not " + batches);
        }
        this.trained = trained;
        this.batches = batches;
        this.latency = latency;
    }

    /** Trains the elastic network of {@code space} (refused with IllegalArgumentException when not elastic), then scores with it. */
    public static ProgressiveShrinkingEstimator train(SearchSpace space, DataBundle data, ProgressiveShrinking.Config cfg, int batches,
                                                      LatencyTable latency, ProgressiveShrinking.Listener listener, SearchControl control)
            throws PlanException {
        return new ProgressiveShrinkingEstimator(ProgressiveShrinking.train(ElasticSpace.of(space), data, cfg, listener, control), batches,
                latency);
    }

    /** The score is the same for every seed: the weights are trained once. */
    @Override
    public Scores estimate(Architecture architecture, long seed) throws EstimateException {
        SearchSpace space = trained.elastic().space();
        EstimateException.requireComplete(space, architecture);
        var stats = Evaluator.evaluate(space, architecture);
        if (!stats.ok()) {
            throw new EstimateException("the sub-network does not build: " + stats.problems().get(0).message());
        }
        double accuracy;
        try {
            accuracy = trained.accuracy(architecture, batches);
        } catch (PlanException e) {
            throw new EstimateException("the sub-network does not build: " + e.getMessage(), e);
        }
        Scores s = new Scores(Map.of(Scores.ACCURACY, accuracy)).with(Scores.PARAMS, stats.params()).with(Scores.MACS, stats.macs());
        return LatencyTable.withLatency(s, latency, architecture);
    }

    /** The trained elastic network. */
    public ProgressiveShrinking trained() {
        return trained;
    }

    @Override
    public String name() {
        return "ps";
    }
}

package io.cellforge.trial;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.arch.Architecture;
import io.cellforge.space.SearchSpace;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An estimator's scores with the architecture's parameters and multiply-adds added, counted by
 * {@link Evaluator} from the space (no training, no engine; each architecture counted once).
 */
public final class WithCosts implements Estimator {
    private final Estimator inner;
    private final SearchSpace space;
    private final Map<Architecture, NetworkStats> counted = new ConcurrentHashMap<>();

    public WithCosts(Estimator inner, SearchSpace space) {
        this.inner = inner;
        this.space = space;
    }

    @Override
    public Scores estimate(Architecture architecture, long seed) throws EstimateException {
        NetworkStats stats = costs(architecture);
        return inner.estimate(architecture, seed).with(Scores.PARAMS, stats.params()).with(Scores.MACS, stats.macs());
    }

    /** The counts of one architecture; one that does not build is an EstimateException naming the first problem. */
    public NetworkStats costs(Architecture architecture) throws EstimateException {
        NetworkStats stats = counted.computeIfAbsent(architecture, a -> Evaluator.evaluate(space, a));
        if (!stats.ok()) {
            throw new EstimateException("the architecture does not build: " + stats.problems().stream()
                    .filter(io.cellforge.space.Problem::isError).findFirst().map(Object::toString).orElse("?"));
        }
        return stats;
    }

    @Override
    public String name() {
        return inner.name();
    }
}

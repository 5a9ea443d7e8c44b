package io.cellforge.trial;

import io.cellforge.data.DataBundle;
import io.cellforge.plan.PlanException;
import io.cellforge.search.OneShotSearch;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;

/**
 * ModularNAS's DefaultEstimator, the warm-up stage of a chain ({@code warmup: {type: DefaultEstimator, epochs: 20}}
 * before {@code search: {type: SuperNetEstimator, epochs: 100}}): it trains the weights of the supernet only, no
 * architecture weight moved, and hands them to the search stage, which starts from them instead of a fresh
 * initialisation ({@link SuperNetEstimator#train(SearchSpace, DataBundle, SearchConfig, int, LatencyTable,
 * SearchEvents.Listener, SearchControl, OneShotSearch.Supernet)}). The multi-trial supernet is SPOS's, whose
 * weights are trained on a path drawn uniformly at every step: that is the warm-up's training too. It scores no
 * architecture itself. (A one-shot search chains the same way within its run: {@link SearchConfig#warmup()}.)
 */
public final class DefaultEstimator {
    private DefaultEstimator() {
    }

    /**
     * Trains the supernet of {@code space} for {@code cfg}'s epochs (its strategy must be spos: a supernet whose
     * paths are drawn uniformly) on {@code data}, seeded by {@code cfg}: the same settings give the same weights.
     */
    public static OneShotSearch.Supernet warmUp(SearchSpace space, DataBundle data, SearchConfig cfg, SearchEvents.Listener listener,
                                                SearchControl control) throws PlanException {
        return new OneShotSearch(space, data, cfg).trainSupernet(listener, control);
    }
}

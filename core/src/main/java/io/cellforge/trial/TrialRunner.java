package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.search.SearchEvents;

import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs the trials of a multi-trial search: asks the strategy for architectures, has the estimator score them,
 * gives the scores back, and appends every trial to the log. Here on local threads ({@link LocalTrialRunner}); a
 * distributed runner would send the estimates elsewhere and keep the same contract: proposals are made and scores
 * observed in the order of trial numbers, so that a run replayed from its log ends as it would have.
 */
public interface TrialRunner {

    /** Where each trial goes as soon as it is scored (the trial log); called from trial threads. */
    interface Sink {
        void append(Trial t) throws IOException;

        Sink NONE = t -> {
        };
    }

    /**
     * Runs trials number {@code 0..budget-1}: those in {@code logged} (an interrupted run's log) are replayed, the
     * others estimated; {@code listener} hears of each ({@link SearchEvents.Listener#trial}, after
     * {@link SearchEvents.Listener#trialsResumed} when some are replayed), as a one-shot search's listener hears of
     * its steps. Stops early when {@code stop} says so (after the trials running) or when the strategy has
     * nothing left to propose.
     */
    TrialRun run(TrialStrategy strategy, Estimator estimator, Objective objective, int budget, long seed, List<Trial> logged,
                 Sink sink, SearchEvents.Listener listener, BooleanSupplier stop) throws EstimateException, IOException;

    /** The seed of trial {@code index} of a run seeded {@code seed}: estimators that train draw from it. */
    static long trialSeed(long seed, int index) {
        return new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + index).nextLong();
    }

    /** A log that does not belong to this run: the strategy now proposes something else at trial {@code index}. */
    static IllegalStateException mismatch(int index, Architecture logged, Architecture proposed) {
        return new IllegalStateException("the trial log does not belong to this search: trial " + index + " was " + logged.choices()
                + " and the strategy now proposes " + proposed.choices() + " (another strategy, seed, space or number of parallel trials?)");
    }
}

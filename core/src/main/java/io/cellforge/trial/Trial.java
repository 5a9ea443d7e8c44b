package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.search.SearchEvents;

import java.util.Map;
import java.util.Optional;

/**
 * One scored architecture, as the trial log keeps it: its number in the run, scores, wall time, seed, and the
 * worker that estimated it ("" for this machine; a cluster's executor otherwise).
 */
public record Trial(int index, Architecture architecture, Scores scores, double seconds, long seed, String worker) {

    public Trial {
        worker = worker == null ? "" : worker;
    }

    /** A trial estimated on this machine. */
    public Trial(int index, Architecture architecture, Scores scores, double seconds, long seed) {
        this(index, architecture, scores, seconds, seed, "");
    }

    /** This trial as a search event: of a run of {@code budget}, {@code best} the best feasible trial so far. */
    public SearchEvents.Trial event(int budget, Optional<Trial> best, boolean replayed) {
        return new SearchEvents.Trial(index, budget, architecture, scores.values(), seconds, seed, best.map(Trial::index).orElse(-1),
                best.map(b -> b.scores().values()).orElse(Map.of()), replayed);
    }

    /** The trial a search event tells of. */
    public static Trial of(SearchEvents.Trial e) {
        return new Trial(e.index(), e.architecture(), new Scores(e.scores()), e.seconds(), e.seed());
    }
}

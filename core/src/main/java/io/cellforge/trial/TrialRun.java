package io.cellforge.trial;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The trials of a run in the order of their numbers, whether it ran its whole budget (or the whole space), and its
 * wall time in seconds (of this session of it, when resumed).
 */
public record TrialRun(List<Trial> trials, Objective objective, boolean completed, double seconds) {
    public TrialRun {
        trials = List.copyOf(trials);
    }

    /** The feasible trial of the highest fitness, the earliest of equals; none when no trial was feasible. */
    public Optional<Trial> best() {
        return best(trials, objective);
    }

    public static Optional<Trial> best(List<Trial> trials, Objective objective) {
        return trials.stream().filter(t -> objective.feasible(t.scores()))
                .max(Comparator.<Trial>comparingDouble(t -> objective.fitness(t.scores())).thenComparing(Trial::index, Comparator.reverseOrder()));
    }
}

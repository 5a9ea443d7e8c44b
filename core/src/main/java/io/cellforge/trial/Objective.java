package io.cellforge.trial;

import java.util.List;

/**
 * What a search maximises, as one number a strategy compares: the first objective's score (negated when lower is
 * better), with the constraints either as a filter (an architecture that breaks one is worth nothing and is never
 * the result) or as a penalty (the score less a share of itself: {@code weight} times the summed relative excess).
 */
public record Objective(String score, List<Constraint> constraints, boolean penalty, double weight) {
    public Objective {
        constraints = List.copyOf(constraints);
    }

    /** Maximise (or minimise, by its name) one score, no constraints. */
    public static Objective of(String score) {
        return new Objective(score, List.of(), false, 1);
    }

    public boolean feasible(Scores s) {
        return constraints.stream().allMatch(c -> c.holds(s));
    }

    /** The raw score in the direction of "higher is better". */
    public double value(Scores s) {
        double v = s.get(score).orElseThrow(() -> new IllegalArgumentException("the objective '" + score
                + "' is not among the scores the estimator reports (" + String.join(", ", s.values().keySet()) + ")"));
        return Scores.higherIsBetter(score) ? v : -v;
    }

    /** What strategies compare: higher is better; negative infinity for a filtered-out architecture. */
    public double fitness(Scores s) {
        double v = value(s);
        if (penalty) {
            return v - weight * Math.abs(v == 0 ? 1 : v) * constraints.stream().mapToDouble(c -> c.excess(s)).sum();
        }
        return feasible(s) ? v : Double.NEGATIVE_INFINITY;
    }
}

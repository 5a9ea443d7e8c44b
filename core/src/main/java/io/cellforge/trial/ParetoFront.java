package io.cellforge.trial;

import java.util.ArrayList;
import java.util.List;

/**
 * The trials no other trial dominates on the given scores (at least as good on every one, better on one), each
 * score in its own direction ({@link Scores#higherIsBetter}). Trials that lack a score are left out.
 */
public final class ParetoFront {
    private ParetoFront() {
    }

    /** The front, in the order the trials came; equal points are all kept. */
    public static List<Trial> of(List<Trial> trials, List<String> objectives) {
        List<Trial> scored = trials.stream().filter(t -> objectives.stream().allMatch(o -> t.scores().get(o).isPresent())).toList();
        List<Trial> front = new ArrayList<>();
        for (Trial t : scored) {
            boolean dominated = false;
            for (Trial u : scored) {
                if (u != t && dominates(u.scores(), t.scores(), objectives)) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                front.add(t);
            }
        }
        return front;
    }

    /** Whether {@code a} is at least as good as {@code b} on every objective and better on one. */
    public static boolean dominates(Scores a, Scores b, List<String> objectives) {
        boolean better = false;
        for (String o : objectives) {
            double x = a.get(o).orElseThrow();
            double y = b.get(o).orElseThrow();
            if (!Scores.higherIsBetter(o)) {
                x = -x;
                y = -y;
            }
            if (x < y) {
                return false;
            }
            if (x > y) {
                better = true;
            }
        }
        return better;
    }
}

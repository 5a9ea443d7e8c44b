package io.cellforge.app.search;

import java.nio.file.Path;
import java.util.Map;

/**
 * A run as the runs table and the comparison show it, built by {@link SearchViewModel} from the run's folder: its
 * last epoch's figures, the parameters of the network it found (as retrained, with affine BatchNorm; null until it
 * has a result), the seconds its epochs took, its settings and its decisions in words. A multi-trial run has no
 * epochs: its trials against its budget and the best trial's accuracy instead.
 *
 * @param dir       the run's folder: which run this row is
 * @param state     running, finished, stopped early, stopped (resumable) or incomplete
 * @param decisions each decided choice's key and what it chose ("sep_conv_3x3", "inputs [0, 2]", "16")
 * @param trials    a multi-trial run's trials and budget; null for a one-shot run
 */
public record RunRow(Path dir, String name, String state, String strategy, int epochs, Double validAccuracy, Double validLoss,
                     Double trainAccuracy, Double trainLoss, Double testAccuracy, Long params, double seconds, String duration,
                     String data, Map<String, String> settings, Map<String, String> decisions, boolean hasResult,
                     Trials trials, Double bestAccuracy) {

    /** Trials run of a budget, sorted by the trials run. */
    public record Trials(int done, int budget) implements Comparable<Trials> {
        @Override
        public int compareTo(Trials o) {
            return done != o.done ? Integer.compare(done, o.done) : Integer.compare(budget, o.budget);
        }

        @Override
        public String toString() {
            return done + " / " + budget;
        }
    }

    public boolean isMultiTrial() {
        return trials != null;
    }
}

package io.cellforge.trial;

import io.cellforge.arch.Architecture;

/** One scored architecture, as the trial log keeps it: its number in the run, scores, wall time and seed. */
public record Trial(int index, Architecture architecture, Scores scores, double seconds, long seed) {
}

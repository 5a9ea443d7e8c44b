package io.cellforge.trial;

import io.cellforge.arch.Architecture;

/**
 * Turns an architecture of the space into scores: from a table, by training the child network, from a trained
 * supernet's weights. Safe to call from several trial threads at once.
 */
public interface Estimator {
    /** {@code seed}: the trial's own seed, for estimators that train. */
    Scores estimate(Architecture architecture, long seed) throws EstimateException;

    /** The name the CLI and the trial log give it ("table", "subnet", "supernet", "ps"). */
    String name();
}

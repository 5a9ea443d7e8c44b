package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.util.Optional;

/**
 * A multi-trial strategy: proposes architectures (one decision per key of the space: LayerChoice, InputChoice,
 * ValueChoice, shared keys deciding together) and learns from their scores. Seeded at construction, it
 * proposes the same sequence for the same scores, so that a run replayed from its trial log ends as it would have.
 */
public interface TrialStrategy {
    /** The next architecture to try; empty when the strategy has nothing left to propose (a grid visited in full). */
    Optional<Architecture> propose();

    /** The scores of an architecture it proposed, in the order trials end. */
    void observe(Trial trial);

    /** The name the CLI and the trial log give it ("random", "grid", "evolution", "rea", "reinforce", "tpe"). */
    String name();
}

package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * Random search (ModularNAS's RandomSearchOptim): every decision uniform, an architecture already proposed drawn
 * again (a query budget is not spent twice on one architecture); when the whole space has been proposed, nothing.
 */
public final class RandomSearch implements TrialStrategy {
    /** Redraws before a repeat is taken: only a nearly exhausted space needs more. */
    private static final int REDRAWS = 1000;
    private final DecisionSpace space;
    private final Random rng;
    private final Set<Architecture> proposed = new HashSet<>();

    public RandomSearch(DecisionSpace space, long seed) {
        this.space = space;
        this.rng = new Random(seed);
    }

    @Override
    public Optional<Architecture> propose() {
        if (space.size().compareTo(java.math.BigInteger.valueOf(proposed.size())) <= 0) {
            return Optional.empty();
        }
        Architecture a = space.architecture(space.random(rng));
        for (int i = 0; i < REDRAWS && proposed.contains(a); i++) {
            a = space.architecture(space.random(rng));
        }
        // Nearly every architecture proposed: the next one not yet proposed after this one, in the grid's order.
        java.math.BigInteger at = space.index(a);
        while (proposed.contains(a)) {
            at = at.add(java.math.BigInteger.ONE).mod(space.size());
            a = space.architecture(at);
        }
        proposed.add(a);
        return Optional.of(a);
    }

    @Override
    public void observe(Trial trial) {
        // Random search learns nothing.
    }

    @Override
    public String name() {
        return "random";
    }
}

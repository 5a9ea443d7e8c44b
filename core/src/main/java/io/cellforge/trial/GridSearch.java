package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.math.BigInteger;
import java.util.Optional;

/**
 * Grid search (ModularNAS's GridSearchOptim): every architecture exactly once, in the order of
 * {@link DecisionSpace#architecture(BigInteger)}. A space too large to enumerate is refused with its size.
 */
public final class GridSearch implements TrialStrategy {
    public static final BigInteger MAX_ARCHITECTURES = BigInteger.valueOf(1_000_000);
    private final DecisionSpace space;
    private final BigInteger size;
    private BigInteger next = BigInteger.ZERO;

    public GridSearch(DecisionSpace space) {
        this.space = space;
        this.size = space.size();
        if (size.compareTo(MAX_ARCHITECTURES) > 0) {
            throw new IllegalArgumentException("grid search enumerates at most " + MAX_ARCHITECTURES + " architectures and this space has "
                    + size + "; use random, evolution, rea, reinforce or tpe");
        }
    }

    @Override
    public Optional<Architecture> propose() {
        if (next.compareTo(size) >= 0) {
            return Optional.empty();
        }
        Architecture a = space.architecture(next);
        next = next.add(BigInteger.ONE);
        return Optional.of(a);
    }

    @Override
    public void observe(Trial trial) {
        // The grid's order does not depend on scores.
    }

    @Override
    public String name() {
        return "grid";
    }
}

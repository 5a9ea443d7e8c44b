package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.space.SearchSpace;

import java.util.List;

/** An architecture could not be scored (not in the table, does not build); the message names it and why. */
public class EstimateException extends Exception {
    public EstimateException(String message) {
        super(message);
    }

    public EstimateException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Refuses an architecture that leaves a key of {@code space} undecided or does not fit it, naming which and why. */
    static void requireComplete(SearchSpace space, Architecture architecture) throws EstimateException {
        List<String> undecided = Fixing.undecided(space, architecture);
        if (!undecided.isEmpty()) {
            throw new EstimateException("the architecture decides nothing for " + String.join(", ", undecided));
        }
        try {
            Fixing.fix(space, architecture);
        } catch (FormatException e) {
            throw new EstimateException("the architecture does not fit space '" + space.name() + "': " + e.getMessage(), e);
        }
    }
}

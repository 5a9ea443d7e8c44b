package io.cellforge.arch;

import java.util.List;

/** What was decided for one key. */
public sealed interface Decision {

    /** A LayerChoice: the chosen candidate's label. */
    record Op(String label) implements Decision {
    }

    /**
     * An InputChoice: indices of the chosen candidates, in the order given (a derived architecture lists the
     * strongest first, as a DARTS genotype does; that order is kept through every format).
     */
    record Inputs(List<Integer> indices) implements Decision {
        public Inputs {
            indices = indices.stream().distinct().toList();
        }
    }

    /** A ValueChoice: the chosen value. */
    record Value(double value) implements Decision {
    }
}

package io.cellforge.space;

import java.util.Optional;

/**
 * How a cell adapts the tensors it receives to its own width C before its ops run.
 * DARTS: ReLUConvBN 1x1 on each input, FactorizedReduce on an input twice the size of the other.
 * ENAS: FactorizedReduce on a larger input, a 1x1 StdConv only where channels differ.
 * ENAS_REDUCE: FactorizedReduce on every input (ENAS micro reduction layers).
 * NONE: inputs are used as they are (NAS-Bench-201, ENAS macro).
 */
public enum Preprocess {
    DARTS, ENAS, ENAS_REDUCE, NONE;

    public String yamlName() {
        return YamlNames.of(this);
    }

    public static Optional<Preprocess> parse(String s) {
        return YamlNames.parse(Preprocess.class, s);
    }
}

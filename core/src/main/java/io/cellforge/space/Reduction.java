package io.cellforge.space;

import java.util.Optional;

/** How several tensors arriving at one node become one. */
public enum Reduction {
    SUM, MEAN, CONCAT;

    public String yamlName() {
        return YamlNames.of(this);
    }

    public static Optional<Reduction> parse(String s) {
        return YamlNames.parse(Reduction.class, s);
    }
}

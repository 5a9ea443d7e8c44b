package io.cellforge.space;

import java.util.Locale;
import java.util.Optional;

/** How several tensors arriving at one node become one. */
public enum Reduction {
    SUM, MEAN, CONCAT;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Reduction> parse(String s) {
        for (Reduction r : values()) {
            if (r.yamlName().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}

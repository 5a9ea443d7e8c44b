package io.cellforge.space;

import java.util.Locale;
import java.util.Optional;

/** A cell's role in the stack: a reduction cell halves the size and (by default) doubles the width. */
public enum Role {
    NORMAL, REDUCTION;

    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String s) {
        for (Role r : values()) {
            if (r.yamlName().equals(s)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}

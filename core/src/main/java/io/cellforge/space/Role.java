package io.cellforge.space;

import java.util.Optional;

/** A cell's role in the stack: a reduction cell halves the size and (by default) doubles the width. */
public enum Role {
    NORMAL, REDUCTION;

    public String yamlName() {
        return YamlNames.of(this);
    }

    public static Optional<Role> parse(String s) {
        return YamlNames.parse(Role.class, s);
    }
}

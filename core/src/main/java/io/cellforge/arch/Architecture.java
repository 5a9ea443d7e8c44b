package io.cellforge.arch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A point of a search space: one decision per key. Immutable; the order of keys is kept for readable exports. */
public record Architecture(Map<String, Decision> choices) {
    public Architecture {
        choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
    }

    public static Architecture empty() {
        return new Architecture(Map.of());
    }

    public Optional<Decision> get(String key) {
        return Optional.ofNullable(choices.get(key));
    }

    public Architecture with(String key, Decision d) {
        Map<String, Decision> m = new LinkedHashMap<>(choices);
        m.put(key, d);
        return new Architecture(m);
    }
}

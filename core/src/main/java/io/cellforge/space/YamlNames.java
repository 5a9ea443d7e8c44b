package io.cellforge.space;

import java.util.Locale;
import java.util.Optional;

/** The lower-case names enums go by in YAML files. */
final class YamlNames {
    private YamlNames() {
    }

    static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> Optional<E> parse(Class<E> type, String s) {
        for (E e : type.getEnumConstants()) {
            if (of(e).equals(s)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}

package io.cellforge.io;

import java.util.Locale;
import java.util.regex.Pattern;

/** Writing YAML scalars: plain when unambiguous, double-quoted otherwise. */
final class Yaml {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]*");

    private Yaml() {
    }

    static String scalar(String s) {
        if (PLAIN.matcher(s).matches() && !SpaceYaml.RESERVED.contains(s.toLowerCase(Locale.ROOT))) {
            return s;
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}

package io.cellforge.io;

/**
 * Text from a file or a command line, made safe to print in one line: control characters (ESC, NUL, newlines,
 * C1 codes) and the Unicode line separators and bidirectional overrides are written as escapes, so that an echoed
 * value can neither split a one-line error nor send sequences to the terminal. Printable text, backslashes
 * included, is left as it is, so escaping twice changes nothing.
 */
public final class Escape {
    private Escape() {
    }

    /** The longest line returned; longer ones keep their start and end (an echoed value may be megabytes long). */
    public static final int MAX_LINE = 4000;
    private static final int HEAD = 3000;
    private static final int TAIL = 500;

    public static String line(String s) {
        if (s == null) {
            return "null";
        }
        String e = escaped(s);
        if (e.length() <= MAX_LINE) {
            return e;
        }
        // Cut between characters, never inside a surrogate pair.
        int head = HEAD;
        while (head > 0 && Character.isHighSurrogate(e.charAt(head - 1))) {
            head--;
        }
        int tail = e.length() - TAIL;
        while (tail < e.length() && Character.isLowSurrogate(e.charAt(tail))) {
            tail++;
        }
        return e.substring(0, head) + " ... (" + String.format("%,d", tail - head) + " characters left out) ... " + e.substring(tail);
    }

    private static String escaped(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = escape(c);
            if (e != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (e != null) {
                    b.append(e);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> {
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                    yield String.format("\\x%02x", (int) c);
                }
                boolean invisible = c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                        || c == 0x200e || c == 0x200f || c == 0x061c || c == 0xfeff;
                yield invisible ? String.format("\\u%04x", (int) c) : null;
            }
        };
    }
}

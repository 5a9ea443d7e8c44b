package io.cellforge.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safe reader of Python literals as NNI prints them ({@code print(exported_arch)}, a dict written in a .py file):
 * dicts, lists, tuples, strings in ' or ", ints, floats, True/False/None, trailing commas and # comments. Nothing
 * is evaluated. JSON's true/false/null are read too, so a JSON-like dict with a trailing comma reads as well.
 * Limits as the JSON reader's: nesting depth 64, strings of 1,000,000 characters, numbers of 100.
 */
public final class PyLiteral {
    static final int MAX_DEPTH = 64;
    static final int MAX_STRING = 1_000_000;
    static final int MAX_NUMBER = 100;

    /**
     * A value with the line and column where it starts. {@code value} is a String, Long, Double, Boolean, null,
     * a {@code List<Node>} (list or tuple) or a {@code Map<String, Node>} (dict, in file order; its keys' places
     * are in {@code keyAt}).
     */
    public record Node(Object value, int line, int col, Map<String, String> keyAt) {
        public String where(String source) {
            return source + ":" + line + ":" + col;
        }
    }

    private final String s;
    private final String source;
    private int pos;
    private int line = 1;
    private int lineStart;

    private PyLiteral(String text, String source) {
        this.s = text;
        this.source = source;
    }

    /** The one literal {@code text} holds; anything else is an error at its line and column. */
    public static Node parse(String text, String source) throws LoadException {
        PyLiteral p = new PyLiteral(text, source);
        p.skip();
        Node n = p.value(0);
        p.skip();
        if (p.pos < p.s.length()) {
            throw p.error("unexpected text after the literal");
        }
        return n;
    }

    private LoadException error(String msg) {
        return new LoadException(source + ":" + line + ":" + (pos - lineStart + 1), "Python literal: " + msg);
    }

    private void skip() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c == '\n') {
                pos++;
                line++;
                lineStart = pos;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '\\' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n') {
                pos++; // an explicit line continuation
            } else if (c == '#') {
                while (pos < s.length() && s.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private Node value(int depth) throws LoadException {
        if (depth >= MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        if (pos >= s.length()) {
            throw error("unexpected end of text");
        }
        int l = line;
        int c = pos - lineStart + 1;
        char ch = s.charAt(pos);
        if (ch == '{') {
            pos++;
            Map<String, Node> m = new LinkedHashMap<>();
            Map<String, String> keyAt = new LinkedHashMap<>();
            items('}', () -> {
                String at = source + ":" + line + ":" + (pos - lineStart + 1);
                Node k = value(depth + 1);
                if (!(k.value() instanceof String key)) {
                    throw new LoadException(at, "Python literal: a key must be a string");
                }
                skip();
                expect(':');
                skip();
                Node v = value(depth + 1);
                if (m.put(key, v) != null) {
                    throw new LoadException(at, "Python literal: duplicate key '" + key + "'");
                }
                keyAt.put(key, at);
            });
            return new Node(m, l, c, keyAt);
        }
        if (ch == '[' || ch == '(') {
            pos++;
            List<Node> list = new ArrayList<>();
            items(ch == '[' ? ']' : ')', () -> list.add(value(depth + 1)));
            return new Node(list, l, c, Map.of());
        }
        if (ch == '\'' || ch == '"') {
            return new Node(string(ch), l, c, Map.of());
        }
        if (ch == '-' || ch == '+' || ch == '.' || Character.isDigit(ch)) {
            return new Node(number(), l, c, Map.of());
        }
        if (Character.isLetter(ch) || ch == '_') {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            String w = s.substring(start, pos);
            if (pos < s.length() && (s.charAt(pos) == '\'' || s.charAt(pos) == '"') && w.matches("[uUrR]")) {
                return new Node(w.equalsIgnoreCase("r") ? rawString(s.charAt(pos)) : string(s.charAt(pos)), l, c, Map.of());
            }
            return switch (w) {
                case "True", "true" -> new Node(Boolean.TRUE, l, c, Map.of());
                case "False", "false" -> new Node(Boolean.FALSE, l, c, Map.of());
                case "None", "null" -> new Node(null, l, c, Map.of());
                default -> {
                    pos = start;
                    throw error("'" + w + "' is not a literal (only dicts, lists, tuples, strings, numbers, True, False, None)");
                }
            };
        }
        throw error("unexpected '" + ch + "'");
    }

    private interface Item {
        void read() throws LoadException;
    }

    /** Comma-separated items up to {@code close}; a trailing comma is allowed, as in Python. */
    private void items(char close, Item item) throws LoadException {
        skip();
        while (true) {
            if (pos < s.length() && s.charAt(pos) == close) {
                pos++;
                return;
            }
            item.read();
            skip();
            if (pos < s.length() && s.charAt(pos) == ',') {
                pos++;
                skip();
            } else if (pos < s.length() && s.charAt(pos) == close) {
                pos++;
                return;
            } else {
                throw error(pos >= s.length() ? "unexpected end of text, expected '" + close + "'" : "expected ',' or '" + close + "'");
            }
        }
    }

    private void expect(char c) throws LoadException {
        if (pos >= s.length() || s.charAt(pos) != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private String string(char q) throws LoadException {
        pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length() || s.charAt(pos) == '\n') {
                throw error("unterminated string");
            }
            char c = s.charAt(pos++);
            if (c == q) {
                return b.toString();
            }
            if (c == '\\') {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case '0' -> b.append('\0');
                    case '\\', '\'', '"' -> b.append(e);
                    case 'x' -> b.append((char) hex(2));
                    case 'u' -> b.append((char) hex(4));
                    default -> b.append('\\').append(e); // Python keeps unknown escapes as written
                }
            } else {
                b.append(c);
            }
            if (b.length() > MAX_STRING) {
                throw error("a string is longer than " + MAX_STRING + " characters");
            }
        }
    }

    private String rawString(char q) throws LoadException {
        pos++;
        int start = pos;
        while (pos < s.length() && s.charAt(pos) != q) {
            if (s.charAt(pos) == '\n') {
                throw error("unterminated string");
            }
            pos += s.charAt(pos) == '\\' && pos + 1 < s.length() ? 2 : 1;
        }
        if (pos >= s.length()) {
            throw error("unterminated string");
        }
        if (pos - start > MAX_STRING) {
            throw error("a string is longer than " + MAX_STRING + " characters");
        }
        return s.substring(start, pos++);
    }

    private int hex(int n) throws LoadException {
        if (pos + n > s.length()) {
            throw error("bad escape");
        }
        try {
            int v = Integer.parseInt(s.substring(pos, pos + n), 16);
            pos += n;
            return v;
        } catch (NumberFormatException e) {
            throw error("bad escape");
        }
    }

    private Object number() throws LoadException {
        int start = pos;
        if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
            pos++;
        }
        boolean real = false;
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (Character.isDigit(c) || c == '_') {
                pos++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                real = true;
                pos++;
                if ((c == 'e' || c == 'E') && pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
                    pos++;
                }
            } else {
                break;
            }
        }
        if (pos - start > MAX_NUMBER) {
            pos = start;
            throw error("a number is longer than " + MAX_NUMBER + " characters");
        }
        String t = s.substring(start, pos).replace("_", "");
        try {
            if (real) {
                return Double.parseDouble(t);
            }
            return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("'" + s.substring(start, Math.min(s.length(), start + 20)) + "' is not a number");
        }
    }
}

package io.cellforge.arch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A small recursive-descent parser for {@code Genotype(...)}; errors name the column (and line when multi-line). */
final class GenotypeParser {
    private static final int MAX_LENGTH = 1_000_000;
    private final String s;
    private int pos;
    /** Where each field's pairs (or its concat list) started, for errors found after parsing. */
    private final Map<String, List<Integer>> positions = new HashMap<>();

    GenotypeParser(String s) {
        this.s = s == null ? "" : s;
    }

    Genotype parse() throws FormatException {
        if (s.length() > MAX_LENGTH) {
            throw err("genotype text is longer than " + MAX_LENGTH + " characters");
        }
        skip();
        String name = ident();
        if (!name.equals("Genotype")) {
            throw err("expected 'Genotype(', found '" + name + "'");
        }
        expect('(');
        Map<String, Object> fields = new HashMap<>();
        skip();
        while (peek() != ')') {
            int at = pos;
            String key = ident();
            expect('=');
            List<Integer> where = new ArrayList<>();
            positions.put(key, where);
            Object value = switch (key) {
                case "normal", "reduce" -> opList(where);
                case "normal_concat", "reduce_concat" -> {
                    skip();
                    where.add(pos);
                    yield concat();
                }
                default -> throw errAt(at, "unknown field '" + key + "' (expected normal, normal_concat, reduce, reduce_concat)");
            };
            if (fields.put(key, value) != null) {
                throw errAt(at, "field '" + key + "' given twice");
            }
            skip();
            if (peek() == ',') {
                pos++;
                skip();
            } else if (peek() != ')') {
                throw err("expected ',' or ')'");
            }
        }
        expect(')');
        skip();
        if (pos < s.length()) {
            throw err("unexpected text after the genotype");
        }
        for (String k : List.of("normal", "normal_concat", "reduce", "reduce_concat")) {
            if (!fields.containsKey(k)) {
                throw errAt(s.length(), "missing field '" + k + "'");
            }
        }
        @SuppressWarnings("unchecked")
        List<Genotype.Op> normal = (List<Genotype.Op>) fields.get("normal");
        @SuppressWarnings("unchecked")
        List<Genotype.Op> reduce = (List<Genotype.Op>) fields.get("reduce");
        @SuppressWarnings("unchecked")
        List<Integer> nc = (List<Integer>) fields.get("normal_concat");
        @SuppressWarnings("unchecked")
        List<Integer> rc = (List<Integer>) fields.get("reduce_concat");
        check("normal", normal, nc);
        check("reduce", reduce, rc);
        return new Genotype(normal, nc, reduce, rc);
    }

    private void check(String cell, List<Genotype.Op> ops, List<Integer> concat) throws FormatException {
        if (ops.isEmpty() || ops.size() % 2 != 0) {
            throw errAt(positions.get(cell).isEmpty() ? s.length() : positions.get(cell).get(0),
                    cell + " must list two (op, input) pairs per node, got " + ops.size() + " pairs");
        }
        int steps = ops.size() / 2;
        for (int i = 0; i < ops.size(); i++) {
            int node = i / 2 + 2;
            int in = ops.get(i).input();
            if (in < 0 || in >= node) {
                throw errAt(positions.get(cell).get(i), cell + " pair " + i + " ('" + ops.get(i).name() + "', " + in
                        + "): node " + node + " can only take inputs 0.." + (node - 1));
            }
        }
        int at = positions.get(cell + "_concat").get(0);
        if (concat.isEmpty()) {
            throw errAt(at, cell + "_concat is empty");
        }
        for (int c : concat) {
            if (c < 0 || c >= steps + 2) {
                throw errAt(at, cell + "_concat names node " + c + " but the cell has nodes 0.." + (steps + 1));
            }
        }
    }

    private List<Genotype.Op> opList(List<Integer> where) throws FormatException {
        expect('[');
        List<Genotype.Op> ops = new ArrayList<>();
        skip();
        while (peek() != ']') {
            skip();
            where.add(pos);
            expect('(');
            String name = string();
            expect(',');
            int in = integer();
            expect(')');
            ops.add(new Genotype.Op(name, in));
            skip();
            if (peek() == ',') {
                pos++;
                skip();
            } else if (peek() != ']') {
                throw err("expected ',' or ']'");
            }
        }
        expect(']');
        return ops;
    }

    private List<Integer> concat() throws FormatException {
        skip();
        List<Integer> out = new ArrayList<>();
        if (peek() == '[') {
            pos++;
            skip();
            while (peek() != ']') {
                out.add(integer());
                skip();
                if (peek() == ',') {
                    pos++;
                    skip();
                } else if (peek() != ']') {
                    throw err("expected ',' or ']'");
                }
            }
            expect(']');
            return out;
        }
        int at = pos;
        String fn = ident();
        if (!fn.equals("range")) {
            throw errAt(at, "expected a list or range(a, b), found '" + fn + "'");
        }
        expect('(');
        int a = integer();
        expect(',');
        int b = integer();
        expect(')');
        if ((long) b - a > 1000 || b <= a) {
            throw errAt(at, "range(" + a + ", " + b + ") is empty or too large");
        }
        for (int i = a; i < b; i++) {
            out.add(i);
        }
        return out;
    }

    private String ident() throws FormatException {
        skip();
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw err(pos < s.length() ? "unexpected '" + s.charAt(pos) + "'" : "unexpected end of text");
        }
        return s.substring(start, pos);
    }

    private String string() throws FormatException {
        skip();
        char q = peek();
        if (q != '\'' && q != '"') {
            throw err("expected a quoted op name");
        }
        int start = ++pos;
        while (pos < s.length() && s.charAt(pos) != q && s.charAt(pos) != '\n') {
            pos++;
        }
        if (pos >= s.length() || s.charAt(pos) != q) {
            throw errAt(start - 1, "unterminated string");
        }
        return s.substring(start, pos++);
    }

    private int integer() throws FormatException {
        skip();
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
            pos++;
        }
        int digits = pos - start - (start < s.length() && s.charAt(start) == '-' ? 1 : 0);
        if (digits < 1 || digits > 9) {
            throw errAt(start, "expected a whole number");
        }
        return Integer.parseInt(s.substring(start, pos));
    }

    private void expect(char c) throws FormatException {
        skip();
        if (peek() != c) {
            throw err("expected '" + c + "'" + (pos < s.length() ? ", found '" + s.charAt(pos) + "'" : ", found the end"));
        }
        pos++;
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skip() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private FormatException err(String m) {
        return errAt(pos, m);
    }

    private FormatException errAt(int at, String m) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < Math.min(at, s.length()); i++) {
            if (s.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new FormatException(line + ":" + col, m);
    }
}

package io.cellforge.arch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small recursive-descent parser for {@code Genotype(...)} in the dialects the DARTS family writes; errors name
 * the line and column. A cell is a list of edges, either flat ({@code ('op', input)} as DARTS, {@code ('op', input,
 * weight)} as GDAS, grouped two a node, or 2, 3, 4, ... a node when it has SNAS's {@code edge_all} shape) or nested
 * one entry a node ({@code (('op', input), ...)} as AutoDL-Projects, {@code [('op', input), ...]} as pt.darts and
 * CDARTS). {@code #} comments are skipped, as Python does.
 */
final class GenotypeParser {
    private static final int MAX_LENGTH = 1_000_000;
    private final String s;
    private int pos;

    GenotypeParser(String s) {
        this.s = s == null ? "" : s;
    }

    /** One cell as written: its edges in order, where each stood, and how many a node has (null when flat). */
    private record RawCell(List<Genotype.Op> ops, List<Integer> where, List<Integer> inputs, int at) {
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
        Map<String, Integer> fieldAt = new HashMap<>();
        skip();
        while (peek() != ')') {
            int at = pos;
            String key = ident();
            expect('=');
            skip();
            fieldAt.put(key, pos);
            Object value = switch (key) {
                case "normal" -> cell(key, false);
                case "reduce" -> cell(key, true);
                case "normal_concat", "reduce_concat" -> concat();
                // AutoDL-Projects' DXYs namedtuple has them; none of its code reads them, and it only ever writes None.
                case "connectN", "connects" -> none(key);
                case "recurrent" -> throw errAt(at, "this is the DARTS recurrent-cell genotype (rnn/genotypes.py: recurrent=..., "
                        + "concat=...), an RNN cell for language modelling; Cellforge builds convolutional cells only");
                default -> throw errAt(at, "unknown field '" + key + "' (expected normal, normal_concat, reduce, reduce_concat"
                        + " and, from AutoDL-Projects, connectN, connects)");
            };
            if (fields.containsKey(key)) {
                throw errAt(at, "field '" + key + "' given twice");
            }
            fields.put(key, value);
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
        RawCell normal = (RawCell) fields.get("normal");
        RawCell reduce = fields.get("reduce") instanceof RawCell r ? r : null;
        @SuppressWarnings("unchecked")
        List<Integer> nc = (List<Integer>) fields.get("normal_concat");
        @SuppressWarnings("unchecked")
        List<Integer> rc = (List<Integer>) fields.get("reduce_concat");
        List<Integer> ni = check("normal", normal, nc, fieldAt.get("normal_concat"));
        List<Integer> ri;
        if (reduce != null) {
            ri = check("reduce", reduce, rc, fieldAt.get("reduce_concat"));
        } else {
            // GDAS builds its fixed reduction cell for None and reads no concat for it; the list must still be one.
            if (rc.isEmpty()) {
                throw errAt(fieldAt.get("reduce_concat"), "reduce_concat is empty");
            }
            ri = List.of();
        }
        return new Genotype(normal.ops(), nc, reduce == null ? null : reduce.ops(), rc, ni, ri);
    }

    /** Checks inputs and concat; returns how many edges each node sums. */
    private List<Integer> check(String cell, RawCell c, List<Integer> concat, int concatAt) throws FormatException {
        List<Integer> inputs = c.inputs() != null ? c.inputs() : groupFlat(cell, c, concat);
        int edge = 0;
        for (int n = 0; n < inputs.size(); n++) {
            int node = n + 2;
            for (int k = 0; k < inputs.get(n); k++, edge++) {
                Genotype.Op op = c.ops().get(edge);
                if (op.input() < 0 || op.input() >= node) {
                    throw errAt(c.where().get(edge), cell + " edge " + edge + " ('" + op.name() + "', " + op.input()
                            + "): node " + node + " can only take inputs 0.." + (node - 1));
                }
            }
        }
        if (concat.isEmpty()) {
            throw errAt(concatAt, cell + "_concat is empty");
        }
        for (int x : concat) {
            if (x < 0 || x >= inputs.size() + 2) {
                throw errAt(concatAt, cell + "_concat names node " + x + " but the cell has nodes 0.." + (inputs.size() + 1));
            }
        }
        return inputs;
    }

    /** A flat list falls into nodes as {@link Genotype#flatInputs} says: DARTS pairs, or SNAS's edge_all. */
    private List<Integer> groupFlat(String cell, RawCell c, List<Integer> concat) throws FormatException {
        List<Integer> inputs = Genotype.flatInputs(c.ops(), concat);
        if (inputs == null) {
            throw errAt(c.where().isEmpty() ? c.at() : c.where().get(0),
                    cell + " must list two (op, input) pairs per node, got " + c.ops().size() + " pairs");
        }
        return inputs;
    }

    private Object none(String key) throws FormatException {
        int at = pos;
        if (!Character.isLetter(peek()) || !ident().equals("None")) {
            throw errAt(at, key + " is read only as None (AutoDL-Projects writes nothing else and reads it nowhere)");
        }
        return "None";
    }

    /** A cell's list, or {@code None} for GDAS's fixed reduction cell. */
    private Object cell(String key, boolean noneAllowed) throws FormatException {
        int at = pos;
        if (Character.isLetter(peek())) {
            String v = ident();
            if (v.equals("None") && noneAllowed) {
                return v;
            }
            throw errAt(at, key + " must be a list of edges" + (noneAllowed ? " or None" : "") + ", found '" + v + "'");
        }
        expect('[');
        List<Genotype.Op> ops = new ArrayList<>();
        List<Integer> where = new ArrayList<>();
        List<Integer> inputs = new ArrayList<>();
        Boolean nested = null;
        skip();
        while (peek() != ']') {
            int itemAt = pos;
            boolean node = isNode();
            if (nested != null && nested != node) {
                throw errAt(itemAt, key + " mixes edges and nodes (lists of edges) in one list");
            }
            nested = node;
            if (node) {
                char close = peek() == '[' ? ']' : ')';
                pos++;
                int count = 0;
                skip();
                while (peek() != close) {
                    skip();
                    where.add(pos);
                    ops.add(edge(false));
                    count++;
                    separator(close);
                }
                if (count == 0) {
                    throw errAt(itemAt, key + " node " + (inputs.size() + 2) + " has no edges");
                }
                expect(close);
                inputs.add(count);
            } else {
                where.add(pos);
                ops.add(edge(true));
            }
            separator(']');
        }
        expect(']');
        return new RawCell(ops, where, Boolean.TRUE.equals(nested) ? inputs : null, at);
    }

    /** After an item: a comma (a trailing one too), or the closing bracket. */
    private void separator(char close) throws FormatException {
        skip();
        if (peek() == ',') {
            pos++;
            skip();
        } else if (peek() != close) {
            throw err("expected ',' or '" + close + "'");
        }
    }

    /** True at a node entry: '[' or '(' followed by another '(' (an edge starts with a quoted name). */
    private boolean isNode() {
        skip();
        if (peek() == '[') {
            return true;
        }
        int save = pos;
        pos++;
        skip();
        boolean node = peek() == '(';
        pos = save;
        return node;
    }

    /** {@code ('op', input)}, or with GDAS's weight {@code ('op', input, 0.13)}, which its cell never reads. */
    private Genotype.Op edge(boolean weightAllowed) throws FormatException {
        expect('(');
        String name = string();
        expect(',');
        int in = integer();
        skip();
        if (weightAllowed && peek() == ',') {
            pos++;
            skip();
            if (peek() != ')') {
                number();
            }
        }
        expect(')');
        return new Genotype.Op(name, in);
    }

    private List<Integer> concat() throws FormatException {
        skip();
        List<Integer> out = new ArrayList<>();
        if (peek() == '[') {
            pos++;
            skip();
            while (peek() != ']') {
                out.add(integer());
                separator(']');
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

    /** A Python float or int literal (GDAS's edge weight). */
    private void number() throws FormatException {
        int start = pos;
        while (pos < s.length() && pos - start < 40 && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) {
            pos++;
        }
        try {
            Double.parseDouble(s.substring(start, pos));
        } catch (NumberFormatException e) {
            throw errAt(start, "expected a number (the edge's weight)");
        }
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

    /** Whitespace and Python comments ({@code # step 1} in AutoDL-Projects' genotypes.py). */
    private void skip() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '#') {
                while (pos < s.length() && s.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
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

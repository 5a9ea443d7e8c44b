package io.cellforge.arch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The DARTS architecture description: for each intermediate node its (op, input) edges, and the nodes
 * concatenated into the output, for the normal and the reduction cell. {@code ops} lists the edges node after
 * node and {@code inputs} says how many each node sums: two in DARTS, 2, 3, 4, 5 in SNAS's {@code edge_all}, any
 * number in pt.darts / CDARTS nested lists. A {@code null} reduce is GDAS's {@code reduce=None}: its
 * hand-designed reduction cell. Text form exactly as the DARTS repository prints a {@code Genotype} namedtuple.
 */
public record Genotype(List<Op> normal, List<Integer> normalConcat, List<Op> reduce, List<Integer> reduceConcat,
                       List<Integer> normalInputs, List<Integer> reduceInputs) {
    public Genotype {
        normal = List.copyOf(normal);
        normalConcat = List.copyOf(normalConcat);
        reduce = reduce == null ? null : List.copyOf(reduce);
        reduceConcat = List.copyOf(reduceConcat);
        normalInputs = List.copyOf(normalInputs);
        reduceInputs = reduce == null ? List.of() : List.copyOf(reduceInputs);
        if (sum(normalInputs) != normal.size() || reduce != null && sum(reduceInputs) != reduce.size()) {
            throw new IllegalArgumentException("node input counts do not add up to the edges listed");
        }
    }

    /** The DARTS form: two edges a node. */
    public Genotype(List<Op> normal, List<Integer> normalConcat, List<Op> reduce, List<Integer> reduceConcat) {
        this(normal, normalConcat, reduce, reduceConcat, pairs(normal.size()), reduce == null ? List.of() : pairs(reduce.size()));
    }

    public record Op(String name, int input) {
    }

    /** DARTS_V2 from the DARTS repository's genotypes.py (second-order search on CIFAR-10). */
    public static final Genotype DARTS_V2 = new Genotype(
            ops("sep_conv_3x3", 0, "sep_conv_3x3", 1, "sep_conv_3x3", 0, "sep_conv_3x3", 1, "sep_conv_3x3", 1,
                    "skip_connect", 0, "skip_connect", 0, "dil_conv_3x3", 2), List.of(2, 3, 4, 5),
            ops("max_pool_3x3", 0, "max_pool_3x3", 1, "skip_connect", 2, "max_pool_3x3", 1, "max_pool_3x3", 0,
                    "skip_connect", 2, "skip_connect", 2, "max_pool_3x3", 1), List.of(2, 3, 4, 5));

    /** DARTS_V1 (first-order search). */
    public static final Genotype DARTS_V1 = new Genotype(
            ops("sep_conv_3x3", 1, "sep_conv_3x3", 0, "skip_connect", 0, "sep_conv_3x3", 1, "skip_connect", 0,
                    "sep_conv_3x3", 1, "sep_conv_3x3", 0, "skip_connect", 2), List.of(2, 3, 4, 5),
            ops("max_pool_3x3", 0, "max_pool_3x3", 1, "skip_connect", 2, "max_pool_3x3", 0, "max_pool_3x3", 0,
                    "skip_connect", 2, "skip_connect", 2, "avg_pool_3x3", 0), List.of(2, 3, 4, 5));

    public static List<Op> ops(Object... pairs) {
        List<Op> l = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            l.add(new Op((String) pairs[i], (Integer) pairs[i + 1]));
        }
        return l;
    }

    /** Two edges a node, as the DARTS form has. */
    public static List<Integer> pairs(int edges) {
        return Collections.nCopies(edges / 2, 2);
    }

    private static int sum(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).sum();
    }

    /** The edges of each intermediate node, node 2 first. */
    public static List<List<Op>> nodes(List<Op> ops, List<Integer> inputs) {
        List<List<Op>> out = new ArrayList<>();
        int at = 0;
        for (int n : inputs) {
            out.add(ops.subList(at, at + n));
            at += n;
        }
        return out;
    }

    /**
     * SNAS's {@code edge_all} form: node {@code i} (from 2) is fed once by every earlier node, the edges listed flat
     * (model_edge_all.py takes 2, 3, 4, ... of them in turn).
     */
    public static boolean isEdgeAll(List<Op> ops, List<Integer> inputs) {
        if (inputs.size() < 2 || sum(inputs) != ops.size()) {
            return false;
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) != i + 2) {
                return false;
            }
        }
        return nodes(ops, inputs).stream().allMatch(node -> node.stream().map(Op::input).distinct().count() == node.size());
    }

    /**
     * How a flat list of edges falls into nodes: two a node (DARTS model.py: {@code _steps = len(op_names) // 2}) unless
     * it has exactly the edges of SNAS's edge_all cell for the nodes {@code concat} names, each node fed once by every
     * earlier one (model_edge_all.py: {@code _steps} from the triangular number of edges). Null for an odd count.
     */
    public static List<Integer> flatInputs(List<Op> ops, List<Integer> concat) {
        int steps = concat.stream().mapToInt(Integer::intValue).max().orElse(0) - 1;
        if (steps >= 2 && ops.size() == steps * (steps + 3) / 2) {
            List<Integer> inputs = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                inputs.add(i + 2);
            }
            if (isEdgeAll(ops, inputs)) {
                return inputs;
            }
        }
        return ops.isEmpty() || ops.size() % 2 != 0 ? null : pairs(ops.size());
    }

    @Override
    public String toString() {
        return "Genotype(normal=" + cell(normal, normalInputs, normalConcat) + ", normal_concat=" + concat(normalConcat)
                + ", reduce=" + (reduce == null ? "None" : cell(reduce, reduceInputs, reduceConcat)) + ", reduce_concat="
                + concat(reduceConcat) + ")";
    }

    /** Flat as DARTS and SNAS edge_all print it, when {@link #flatInputs} groups it back the same; else pt.darts nested lists. */
    private static String cell(List<Op> ops, List<Integer> inputs, List<Integer> concat) {
        if (inputs.equals(flatInputs(ops, concat))) {
            return opList(ops);
        }
        StringBuilder b = new StringBuilder("[");
        List<List<Op>> nodes = nodes(ops, inputs);
        for (int i = 0; i < nodes.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(opList(nodes.get(i)));
        }
        return b.append(']').toString();
    }

    private static String opList(List<Op> ops) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < ops.size(); i++) {
            b.append(i == 0 ? "" : ", ").append("('").append(ops.get(i).name()).append("', ")
                    .append(ops.get(i).input()).append(')');
        }
        return b.append(']').toString();
    }

    /** A contiguous concat prints as {@code range(a, b)}, as a namedtuple built by the search code does. */
    private static String concat(List<Integer> c) {
        boolean contiguous = !c.isEmpty();
        for (int i = 1; i < c.size(); i++) {
            contiguous &= c.get(i) == c.get(i - 1) + 1;
        }
        if (contiguous) {
            return "range(" + c.get(0) + ", " + (c.get(c.size() - 1) + 1) + ")";
        }
        return c.toString();
    }

    /** Parses the text a DARTS script prints or genotypes.py holds (keyword form, list or range concat). */
    public static Genotype parse(String text) throws FormatException {
        return new GenotypeParser(text).parse();
    }
}

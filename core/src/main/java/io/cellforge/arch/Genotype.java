package io.cellforge.arch;

import java.util.ArrayList;
import java.util.List;

/**
 * The DARTS architecture description: for each intermediate node two (op, input) pairs, and the nodes
 * concatenated into the output, for the normal and the reduction cell. Text form exactly as the DARTS
 * repository prints a {@code Genotype} namedtuple.
 */
public record Genotype(List<Op> normal, List<Integer> normalConcat, List<Op> reduce, List<Integer> reduceConcat) {
    public Genotype {
        normal = List.copyOf(normal);
        normalConcat = List.copyOf(normalConcat);
        reduce = List.copyOf(reduce);
        reduceConcat = List.copyOf(reduceConcat);
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

    @Override
    public String toString() {
        return "Genotype(normal=" + opList(normal) + ", normal_concat=" + concat(normalConcat) + ", reduce="
                + opList(reduce) + ", reduce_concat=" + concat(reduceConcat) + ")";
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

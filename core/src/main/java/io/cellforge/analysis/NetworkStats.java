package io.cellforge.analysis;

import io.cellforge.space.Problem;

import io.cellforge.ops.Shape;

import java.util.List;

/**
 * Shapes and counts of one instantiated network. {@code params} and {@code macs} exclude the auxiliary head,
 * which only exists while training (as in the DARTS papers' counts); {@code auxParams} is that head alone.
 */
public record NetworkStats(List<Part> parts, long params, long macs, long auxParams, Shape output,
                           List<Problem> problems, List<Dynamic> dynamic) {
    public NetworkStats {
        parts = List.copyOf(parts);
        problems = List.copyOf(problems);
        dynamic = List.copyOf(dynamic);
    }

    /**
     * An op with dynamic convolutions where it stands (a supernet's every candidate, a fixed network's chosen ops):
     * its LayerChoice key (null for a fixed op), the parameters of its generator heads, and the multiply-adds of its
     * dynamic convolutions with their heads', for one sample.
     */
    public record Dynamic(String place, String key, String op, long headParams, long macs) {
    }

    /** One line of the table: the stem, a stage (cell or block), the auxiliary head, the head. */
    public record Part(String name, String kind, Shape in, Shape out, long params, long macs) {
    }

    public boolean ok() {
        return problems.stream().noneMatch(Problem::isError);
    }
}

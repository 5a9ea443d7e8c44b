package io.cellforge.space;

import io.cellforge.ops.Shape;

import java.util.List;

/**
 * The stack around the cells. The stem is one or more sequences of ops, each applied to the previous one's
 * output, or to the network's input when it begins with {@link #FROM_INPUT} (Archai's two stems, each from the
 * image); a two-input cell takes the last two outputs produced so far (both the same when only one exists),
 * as DARTS does with {@code s0, s1}. The head's {@code linear} outputs {@code classes} unless told otherwise.
 */
public record Network(Shape input, int classes, int channels, List<List<OpCall>> stem, List<Stage> stages,
                      List<OpCall> head, Auxiliary auxiliary, boolean affine) {
    /** The op that begins a stem sequence reading the network's input rather than the previous sequence's output. */
    public static final String FROM_INPUT = "from_input";

    public Network {
        stem = stem.stream().map(List::copyOf).toList();
        stages = List.copyOf(stages);
        head = List.copyOf(head);
    }

    /** An auxiliary classifier on the output of stage {@code after} (0-based), as in DARTS. */
    public record Auxiliary(int after, OpCall op) {
    }

    public Network withStages(List<Stage> s) {
        return new Network(input, classes, channels, stem, s, head, auxiliary, affine);
    }

    public Network withAuxiliary(Auxiliary a) {
        return new Network(input, classes, channels, stem, stages, head, a, affine);
    }

    public Network withChannels(int c) {
        return new Network(input, classes, c, stem, stages, head, auxiliary, affine);
    }

    public Network withClasses(int c) {
        return new Network(input, c, channels, stem, stages, head, auxiliary, affine);
    }

    public Network withHead(List<OpCall> h) {
        return new Network(input, classes, channels, stem, stages, h, auxiliary, affine);
    }

    public Network withInput(Shape s) {
        return new Network(s, classes, channels, stem, stages, head, auxiliary, affine);
    }
}

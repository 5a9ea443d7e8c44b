package io.cellforge.space;

import io.cellforge.ops.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stack around the cells. The stem is one or more sequences of ops, each applied to the previous one's
 * output, or to the network's input when it begins with {@link #FROM_INPUT} (Archai's two stems, each from the
 * image); a two-input cell takes the last two outputs produced so far (both the same when only one exists),
 * as DARTS does with {@code s0, s1}. The head's {@code linear} outputs {@code classes} unless told otherwise.
 * {@code context}: a vector per sample beside the image and the weight generators that read it ({@link Context#NONE}
 * for an image-only network).
 */
public record Network(Shape input, int classes, int channels, List<List<OpCall>> stem, List<Stage> stages,
                      List<OpCall> head, Auxiliary auxiliary, boolean affine, Context context) {
    /** The op that begins a stem sequence reading the network's input rather than the previous sequence's output. */
    public static final String FROM_INPUT = "from_input";

    public Network {
        stem = stem.stream().map(List::copyOf).toList();
        stages = List.copyOf(stages);
        head = List.copyOf(head);
        context = context == null ? Context.NONE : context;
    }

    /** An image-only network. */
    public Network(Shape input, int classes, int channels, List<List<OpCall>> stem, List<Stage> stages,
                   List<OpCall> head, Auxiliary auxiliary, boolean affine) {
        this(input, classes, channels, stem, stages, head, auxiliary, affine, Context.NONE);
    }

    /**
     * A second input stream: {@code features} numbers per sample (0: none), and the weight generators that read it,
     * each a sequence of catalog ops applied to that vector by name. A dynamic convolution names a generator and
     * takes its kernels from a head of its own on the generator's output (NNI issue 2693's "controller").
     */
    public record Context(int features, Map<String, List<OpCall>> generators) {
        public static final Context NONE = new Context(0, Map.of());

        public Context {
            Map<String, List<OpCall>> g = new LinkedHashMap<>();
            generators.forEach((k, v) -> g.put(k, List.copyOf(v)));
            generators = Collections.unmodifiableMap(g);
        }

        public boolean present() {
            return features > 0 || !generators.isEmpty();
        }
    }

    /** An auxiliary classifier on the output of stage {@code after} (0-based), as in DARTS. */
    public record Auxiliary(int after, OpCall op) {
    }

    public Network withStages(List<Stage> s) {
        return new Network(input, classes, channels, stem, s, head, auxiliary, affine, context);
    }

    public Network withAuxiliary(Auxiliary a) {
        return new Network(input, classes, channels, stem, stages, head, a, affine, context);
    }

    public Network withChannels(int c) {
        return new Network(input, classes, c, stem, stages, head, auxiliary, affine, context);
    }

    public Network withClasses(int c) {
        return new Network(input, c, channels, stem, stages, head, auxiliary, affine, context);
    }

    public Network withHead(List<OpCall> h) {
        return new Network(input, classes, channels, stem, stages, h, auxiliary, affine, context);
    }

    public Network withInput(Shape s) {
        return new Network(s, classes, channels, stem, stages, head, auxiliary, affine, context);
    }

    public Network withContext(Context c) {
        return new Network(input, classes, channels, stem, stages, head, auxiliary, affine, c);
    }
}

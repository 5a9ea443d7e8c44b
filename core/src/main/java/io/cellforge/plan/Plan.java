package io.cellforge.plan;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.space.Reduction;

import java.util.List;
import java.util.Map;

/**
 * A network as dataflow, ready for an engine: numbered tensors (value 0 is the input) and the steps that
 * compute them, in order. A supernet plan holds every candidate of a LayerChoice in a {@link Mixed} step and
 * every candidate input of an InputChoice in a {@link Merge} step; a fixed plan only what was chosen.
 * {@code context} is the value of the samples' context vectors (-1 when the network reads none), and
 * {@code generators} the value each weight generator's output is, by name, for the {@link Layer.DynamicConv}s.
 */
public record Plan(Shape input, int classes, List<Step> steps, Map<Integer, Shape> shapes, int logits, int auxLogits,
                   Map<String, List<String>> choices, int context, Map<String, Integer> generators) {
    public Plan {
        steps = List.copyOf(steps);
        shapes = Map.copyOf(shapes);
        choices = Map.copyOf(choices);
        generators = Map.copyOf(generators);
    }

    /** A plan of an image-only network. */
    public Plan(Shape input, int classes, List<Step> steps, Map<Integer, Shape> shapes, int logits, int auxLogits,
                Map<String, List<String>> choices) {
        this(input, classes, steps, shapes, logits, auxLogits, choices, -1, Map.of());
    }

    /** The number of context values a sample needs (0 when the network reads none). */
    public int contextFeatures() {
        return context < 0 ? 0 : (int) shapes.get(context).size();
    }

    public sealed interface Step {
        int out();

        /** Where in the space this step comes from, for error messages and names. */
        String where();
    }

    /** {@code out = layer(in)}. */
    public record Apply(int out, int in, Layer layer, String where) implements Step {
    }

    /** A LayerChoice: {@code out} mixes {@code candidates[i](in)} by the architecture weights of {@code key}. */
    public record Mixed(int out, int in, String key, List<Layer> candidates, List<String> labels, String where) implements Step {
        public Mixed {
            candidates = List.copyOf(candidates);
            labels = List.copyOf(labels);
        }
    }

    /**
     * A node: its incoming tensors reduced. With an InputChoice {@code key} (supernet only) the inputs are
     * candidates weighted by that key's architecture weights, of which {@code nChosen} will be kept.
     */
    public record Merge(int out, List<Integer> ins, Reduction reduction, String key, int nChosen, String where) implements Step {
        public Merge {
            ins = List.copyOf(ins);
        }
    }

    /**
     * Drop-path (DARTS's retraining): in a training pass each sample of {@code in} is zeroed with the engine's
     * drop-path probability p and kept scaled by 1 / (1 - p); otherwise {@code out = in}. Fixed plans put it after
     * each edge op of a cell that is not an identity.
     */
    public record DropPath(int out, int in, String where) implements Step {
    }

    /** A residual connection: {@code out = a + b}. */
    public record Add(int out, int a, int b, String where) implements Step {
    }
}

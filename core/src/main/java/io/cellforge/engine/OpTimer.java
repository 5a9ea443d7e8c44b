package io.cellforge.engine;

import io.cellforge.engine.relax.Gates;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.ops.ShapeException;
import io.cellforge.plan.Plan;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One layer's forward pass timed as the engine runs it inside a network (inference, running statistics): the layer
 * compiled alone, fed random images, and only its own kernels timed (the engine's per-operation profile), not the
 * copy of the input in nor the loss after. What a latency table (ModularNAS's LUT) is made of. Not thread-safe.
 */
public final class OpTimer {
    private final CompiledNetwork net;
    private final INDArray x;
    private final INDArray context;
    private final INDArray y;

    /** {@code layer} compiled for batches of {@code batch} images of shape {@code in}. */
    public OpTimer(Layer layer, Shape in, int batch) throws ShapeException {
        if (batch < 1) {
            throw new IllegalArgumentException("a timing needs a batch of at least one image, not " + batch);
        }
        Shape out = layer.output(in);
        List<Plan.Step> steps = new ArrayList<>();
        Map<Integer, Shape> shapes = new HashMap<>(Map.of(0, in, 1, out));
        // A dynamic convolution's kernels come from a generator's output: here a context of its width, given as
        // zeros, so that the time is the head's and the convolution's (the generator is timed as a layer of its own).
        Map<String, Integer> generators = new LinkedHashMap<>();
        Map<String, Integer> widths = new LinkedHashMap<>();
        dynamic(layer, widths);
        int context = -1;
        for (var g : widths.entrySet()) {
            int id = shapes.size();
            shapes.put(id, new Shape(g.getValue(), 1, 1));
            generators.put(g.getKey(), id);
            context = context < 0 ? id : context;
            if (id != context) {
                Layer.Linear widen = new Layer.Linear(widths.values().iterator().next(), g.getValue(), false);
                steps.add(new Plan.Apply(id, context, widen, "generator " + g.getKey()));
            }
        }
        steps.add(new Plan.Apply(1, 0, layer, "timed"));
        Plan plan = new Plan(in, (int) out.size(), steps, shapes, 1, -1, Map.of(), context, generators);
        net = new CompiledNetwork(plan, CompiledNetwork.Options.retrain(1));
        x = org.nd4j.linalg.factory.Nd4j.rand(DataType.FLOAT, batch, in.channels(), in.height(), in.width());
        this.context = context < 0 ? null : org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, batch, plan.contextFeatures());
        y = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, batch, (int) out.size());
    }

    /** The weight generators a layer's dynamic convolutions name, with the width of their outputs. */
    private static void dynamic(Layer l, Map<String, Integer> into) {
        if (l instanceof Layer.DynamicConv d) {
            into.putIfAbsent(d.generator(), d.features());
        }
        l.children().forEach(c -> dynamic(c, into));
    }

    /**
     * One forward pass with {@code threads} OpenMP threads, in milliseconds (the first of a timer makes the kernels'
     * primitives: a warm-up). A layer the engine computes as a view of its input (identity) takes 0.
     */
    public double pass(int threads) {
        try (Backend.ThreadPin pin = Backend.pinThreads(threads)) {
            Map<String, long[]> profile = net.profile();
            net.evaluate(x, context, y, Gates.NONE);
            return profile.values().stream().mapToLong(t -> t[0]).sum() / 1e6;
        }
    }

    /** The median of {@code runs} passes after {@code warmups} untimed ones. */
    public double medianMillis(int threads, int warmups, int runs) {
        if (runs < 1 || warmups < 0) {
            throw new IllegalArgumentException("a timing needs a timed run, got " + runs + " runs after " + warmups + " warm-ups");
        }
        for (int i = 0; i < warmups; i++) {
            pass(threads);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = pass(threads);
        }
        return median(ms);
    }

    public static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}

package io.cellforge.model;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.space.SearchSpace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A retrained network, everything needed to run it again: the final network's space and the architecture that
 * fixes its choices (together they give the {@link Plan}), the image shape and the classes it takes, the per-channel
 * normalisation its inputs were fed with ({@code [2][channels]}: mean, std of raw pixels in [0, 1]), the test
 * accuracy it reached, and its tensors by the engine's names: weights and BatchNorm running statistics.
 * {@code testBatch}: the batch size the test accuracy was measured with.
 */
public record TrainedModel(SearchSpace space, Architecture arch, Shape input, List<String> classes, float[][] normalisation,
                           double testAccuracy, int testBatch, Map<String, Tensor> tensors) {
    public TrainedModel {
        classes = List.copyOf(classes);
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        if (normalisation.length != 2 || normalisation[0].length != input.channels() || normalisation[1].length != input.channels()) {
            throw new IllegalArgumentException("a normalisation needs a mean and a std for each of the " + input.channels() + " channels");
        }
    }

    /** A float32 tensor in row-major (C) order. */
    public record Tensor(long[] shape, float[] values) {
        public Tensor {
            shape = shape.clone();
            if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != values.length) {
                throw new IllegalArgumentException("a tensor of shape " + Arrays.toString(shape) + " cannot hold " + values.length + " values");
            }
        }

        static Tensor of(INDArray a) {
            return new Tensor(a.shape(), a.castTo(DataType.FLOAT).dup('c').reshape(a.length()).toFloatVector());
        }
    }

    /** A tensor the network and the model disagree on: named, with what each has. */
    public static final class MismatchException extends Exception {
        private final String tensor;

        public MismatchException(String tensor, String message) {
            super("tensor '" + tensor + "': " + message);
            this.tensor = tensor;
        }

        public String tensor() {
            return tensor;
        }
    }

    /** What {@code net} holds now (its weights and running statistics), as a model of {@code space} (its final network). */
    public static TrainedModel of(SearchSpace space, Architecture arch, CompiledNetwork net, List<String> classes,
                                  float[][] normalisation, double testAccuracy, int testBatch) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        net.weights().forEach((k, v) -> t.put(k, Tensor.of(v)));
        net.runningStatistics().forEach((k, v) -> t.put(k, Tensor.of(v)));
        return new TrainedModel(space, arch, net.plan().input(), classes, normalisation, testAccuracy, testBatch, t);
    }

    /** The network as dataflow: the space's choices fixed by the architecture. */
    public Plan plan() throws PlanException {
        return Evaluator.fixedPlan(space, arch);
    }

    /**
     * Puts this model's tensors into {@code net} (built from {@link #plan()}): every weight and running statistic of
     * the network must be here with its shape, and nothing else.
     */
    public void assignTo(CompiledNetwork net) throws MismatchException {
        Map<String, INDArray> wanted = new LinkedHashMap<>(net.weights());
        wanted.putAll(net.runningStatistics());
        for (var e : wanted.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new MismatchException(e.getKey(), "missing; the network needs shape " + Arrays.toString(e.getValue().shape()));
            }
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new MismatchException(e.getKey(), "shape " + Arrays.toString(t.shape()) + " where the network needs "
                        + Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : tensors.keySet()) {
            if (!wanted.containsKey(k)) {
                throw new MismatchException(k, "the network has no such tensor (the model was saved from another network)");
            }
        }
        for (var e : wanted.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            e.getValue().assign(Nd4j.create(t.values(), t.shape(), 'c').castTo(e.getValue().dataType()));
        }
    }

    /** The network in inference form, ready to evaluate: compiled from the plan with this model's tensors. */
    public CompiledNetwork network() throws PlanException, MismatchException {
        CompiledNetwork net = new CompiledNetwork(plan(), CompiledNetwork.Options.retrain(0));
        assignTo(net);
        return net;
    }

    /** A tensor by name; the exporter asks only for names the plan gives. */
    public Tensor tensor(String name) throws MismatchException {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new MismatchException(name, "missing from the model");
        }
        return t;
    }
}

package io.cellforge.engine;

import io.cellforge.engine.relax.Gates;
import io.cellforge.ops.Layer;
import io.cellforge.plan.Plan;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Once-for-All's weight sharing: one set of weights, the largest network's, of which every sub-network computes
 * with a slice. A sub-network is compiled as the plain network it is ({@link CompiledNetwork} of its fixed plan);
 * before each pass its weights are copied out of the shared tensors, and a training step updates only those slices
 * of the shared tensors (and of their momentum), so what it learns is the largest network's. A weight of a
 * sub-network is the slice of the weight of the same place (the same plan step) in the largest network: each
 * dimension its first entries (the first channels of a smaller expansion, their BatchNorm), except a kernel's
 * taps, which are its centre (a 3x3 kernel is the middle of the 7x7; OFA's kernel-transform matrices are not
 * used). A block the sub-network skips (elastic depth) has no weights in it, and a step leaves its weights alone.
 *
 * <p>The optimizer is SGD with momentum and weight decay (PyTorch's rule) applied to the entries a step's
 * sub-network used: an entry no sub-network used keeps its value, its momentum and its decay. Not thread-safe.
 */
public final class ElasticNetwork {
    private final Plan largest;
    private final long seed;
    private final double momentum;
    private final double weightDecay;
    private final Map<String, INDArray> weights;
    private final Map<String, INDArray> buffers = new HashMap<>();
    /** The shared weights of each place of the largest plan, in the order the engine makes them. */
    private final Map<String, List<String>> byPlace;

    /** {@code largest}: the fixed plan of the largest sub-network; {@code seed} draws the initial weights. */
    public ElasticNetwork(Plan largest, double momentum, double weightDecay, long seed) {
        this.largest = largest;
        this.seed = seed;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        CompiledNetwork net = new CompiledNetwork(largest, CompiledNetwork.Options.darts(seed));
        this.weights = net.weights();
        this.byPlace = places(largest, new ArrayList<>(weights.keySet()));
    }

    /** The shared weights by the largest network's names; live arrays. */
    public Map<String, INDArray> weights() {
        return weights;
    }

    /** The plan whose weights are shared. */
    public Plan largest() {
        return largest;
    }

    /**
     * A sub-network: {@code plan} compiled, each of its weights tied to its slice of the shared ones. Its places must
     * be the largest plan's, each weight no larger than the shared one in any dimension.
     */
    public Sub sub(Plan plan) {
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(seed));
        Map<String, List<String>> own = places(plan, new ArrayList<>(net.weights().keySet()));
        List<Slice> slices = new ArrayList<>();
        own.forEach((place, names) -> {
            List<String> shared = byPlace.get(place);
            if (shared == null || shared.size() != names.size()) {
                throw new IllegalArgumentException(place + " has " + names.size() + " weight tensors in the sub-network and "
                        + (shared == null ? "none" : shared.size()) + " in the largest network: it is no slice of it");
            }
            for (int i = 0; i < names.size(); i++) {
                slices.add(new Slice(names.get(i), shared.get(i), index(place, net.weights().get(names.get(i)).shape(),
                        weights.get(shared.get(i)).shape())));
            }
        });
        return new Sub(net, slices);
    }

    /** A weight of a sub-network and where it lies in a shared one. */
    public record Slice(String sub, String shared, INDArrayIndex[] index) {
    }

    /** A sub-network computing with slices of the shared weights. */
    public final class Sub {
        private final CompiledNetwork net;
        private final List<Slice> slices;

        private Sub(CompiledNetwork net, List<Slice> slices) {
            this.net = net;
            this.slices = List.copyOf(slices);
        }

        /** Copies the current shared weights into the sub-network. */
        public void load() {
            for (Slice s : slices) {
                net.weights().get(s.sub()).assign(weights.get(s.shared()).get(s.index()));
            }
        }

        /** One training step of the sub-network on a batch, its update written into the shared slices; the loss. */
        public double train(INDArray x, INDArray y, double lr) {
            load();
            CompiledNetwork.Result r = net.train(x, y, Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS));
            for (Slice s : slices) {
                INDArray w = weights.get(s.shared()).get(s.index());
                INDArray d = r.gradients().get(s.sub()).dup();
                if (weightDecay != 0) {
                    d.addi(w.mul(weightDecay));
                }
                INDArray buf = buffers.computeIfAbsent(s.shared(), k -> Nd4j.zeros(weights.get(k).dataType(), weights.get(k).shape()))
                        .get(s.index());
                buf.muli(momentum).addi(d); // a zero buffer: the first step takes d, as PyTorch's does
                w.subi(buf.mul(lr));
            }
            return r.loss();
        }

        /** A forward pass with the current shared weights (batch statistics: the engine keeps no running ones here). */
        public CompiledNetwork.Result evaluate(INDArray x, INDArray y) {
            load();
            return net.evaluate(x, y, Gates.NONE);
        }

        /** The compiled sub-network (its own weight arrays hold the slices from the last {@link #load}). */
        public CompiledNetwork network() {
            return net;
        }

        public List<Slice> slices() {
            return slices;
        }
    }

    /** Each dimension's first entries, a kernel's taps (the first two of four dimensions) its centre. */
    private static INDArrayIndex[] index(String place, long[] sub, long[] shared) {
        if (sub.length != shared.length) {
            throw new IllegalArgumentException(place + ": a weight of shape " + Arrays.toString(sub) + " is no slice of "
                    + Arrays.toString(shared));
        }
        INDArrayIndex[] ix = new INDArrayIndex[sub.length];
        for (int d = 0; d < sub.length; d++) {
            long extra = shared[d] - sub[d];
            boolean taps = sub.length == 4 && d < 2;
            if (extra < 0 || (taps && extra % 2 != 0)) {
                throw new IllegalArgumentException(place + ": a weight of shape " + Arrays.toString(sub) + " is no slice of "
                        + Arrays.toString(shared) + (extra < 0 ? "" : " (a kernel's centre needs sizes of the same parity)"));
            }
            long from = taps ? extra / 2 : 0;
            ix[d] = NDArrayIndex.interval(from, from + sub[d]);
        }
        return ix;
    }

    /**
     * The weight names of a compiled plan by place (a step's {@code where} and its rank among the steps of that place),
     * from the engine's order of making them: step by step, a layer's tensors in order.
     */
    private static Map<String, List<String>> places(Plan plan, List<String> names) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        int next = 0;
        for (Plan.Step s : plan.steps()) {
            if (!(s instanceof Plan.Apply a)) {
                continue;
            }
            int rank = seen.merge(a.where(), 1, Integer::sum);
            int n = tensors(a.layer());
            if (n > 0) {
                out.put(a.where() + " #" + rank, List.copyOf(names.subList(next, next + n)));
                next += n;
            }
        }
        if (next != names.size()) {
            throw new IllegalStateException("the plan's layers make " + next + " weight tensors, the engine made " + names.size());
        }
        return out;
    }

    /** How many weight tensors the engine makes for a layer. */
    private static int tensors(Layer l) {
        if (l instanceof Layer.Sequential s) {
            return s.layers().stream().mapToInt(ElasticNetwork::tensors).sum();
        }
        if (l instanceof Layer.Sum s) {
            return s.branches().stream().mapToInt(ElasticNetwork::tensors).sum();
        }
        if (l instanceof Layer.Concat c) {
            return c.branches().stream().mapToInt(ElasticNetwork::tensors).sum();
        }
        if (l instanceof Layer.Conv c) {
            return c.bias() ? 2 : 1;
        }
        if (l instanceof Layer.BatchNorm bn) {
            return bn.affine() ? 2 : 0;
        }
        if (l instanceof Layer.Linear lin) {
            return lin.bias() ? 2 : 1;
        }
        if (l.params() > 0) {
            throw new IllegalArgumentException("an elastic network cannot share the weights of " + l.getClass().getSimpleName());
        }
        return 0;
    }
}

package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.relax.Gates;
import io.cellforge.engine.relax.GumbelSoft;
import io.cellforge.engine.relax.OneHot;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.cellforge.engine.CompiledNetwork.Grad.ARCH;
import static io.cellforge.engine.CompiledNetwork.Grad.WEIGHTS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompiledNetworkTest {

    /** Random images and one-hot labels: {images, labels}. */
    static INDArray[] batch(DataType t, Shape s, int n, int classes, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(t, n, s.channels(), s.height(), s.width());
        INDArray y = Nd4j.zeros(t, n, classes);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, r.nextGaussian());
        }
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return new INDArray[] {x, y};
    }

    @Test
    void theDartsMiniSupernetRunsForwardAndBackwardOnDigits() throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(s), CompiledNetwork.Options.darts(1));
        DataBundle d = Datasets.digits();
        int n = 16;
        float[] px = new float[n * 64];
        for (int i = 0; i < px.length; i++) {
            px[i] = d.train().value(i);
        }
        INDArray x = Nd4j.create(px, new long[] {n, 1, 8, 8}, 'c');
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, d.train().labels()[i], 1.0);
        }
        CompiledNetwork.Result r = net.train(x, y, Gates.NONE, EnumSet.of(WEIGHTS, ARCH));
        assertArrayEquals(new long[] {n, 10}, r.logits().shape());
        assertTrue(Math.abs(r.loss() - Math.log(10)) < 1.0, "an untrained net is near uniform: " + r.loss());
        // 2 cell types x 14 LayerChoices, each with its own alpha.
        assertEquals(28, net.arch().size());
        assertTrue(r.gradients().get("alpha/normal_n2_p0").norm2Number().doubleValue() > 0, "alpha receives a gradient");
        assertEquals(Evaluator.supernet(s).params(), net.parameterCount(), "the network has exactly the counted parameters");
    }

    /** One cell, one LayerChoice edge of five ops including a dilated conv, a pool and none, on 2x6x6 inputs. */
    static SearchSpace tiny() {
        Cell c = new Cell("c", List.of(Node.input("in0"), Node.intermediate("a"), Node.output("out", Reduction.SUM)),
                List.of(Edge.of("in0", "a", LayerChoice.of("e", List.of("sep_conv_3x3", "dil_conv_3x3", "avg_pool_3x3", "skip_connect", "none"))),
                        Edge.of("a", "out", OpCall.of("identity"))), Preprocess.NONE);
        Network net = new Network(new Shape(2, 6, 6), 3, 2, List.of(), List.of(Stage.cell("c", "c", Role.NORMAL)),
                List.of(OpCall.of("gap"), OpCall.of("linear")), null, true);
        return new SearchSpace("tiny", "", net, Map.of("c", c), Map.of(), Map.of(), Map.of());
    }

    /** Two candidate inputs of a node under an InputChoice that keeps one, each input a LayerChoice. */
    static SearchSpace withInputChoice() {
        List<String> ops = List.of("max_pool_3x3", "skip_connect", "sep_conv_3x3");
        Cell c = new Cell("c", List.of(Node.input("in0"), Node.intermediate("a"),
                Node.intermediate("b").withInputChoice(new InputChoice("b_in", 1, Reduction.SUM, false)),
                Node.output("out", Reduction.SUM)),
                List.of(Edge.of("in0", "a", LayerChoice.of("e1", ops)), Edge.of("in0", "b", LayerChoice.of("e2", ops)),
                        Edge.of("a", "b", LayerChoice.of("e3", ops)), Edge.of("b", "out", OpCall.of("identity"))), Preprocess.NONE);
        Network net = new Network(new Shape(2, 6, 6), 3, 2, List.of(), List.of(Stage.cell("c", "c", Role.NORMAL)),
                List.of(OpCall.of("gap"), OpCall.of("linear")), null, true);
        return new SearchSpace("inputs", "", net, Map.of("c", c), Map.of(), Map.of(), Map.of());
    }

    /**
     * Every kind of layer the engine builds, by hand: convolution with bias, affine BatchNorm, ReLU6 (driven past
     * 6), average pool counting the padding, option-A shortcut, shift-crop, depthwise convolution, concatenation,
     * max pool, affine-free BatchNorm, a residual add, ReLU, global pooling and a linear layer with bias.
     */
    static Plan everyLayer() {
        Shape in = new Shape(2, 6, 6);
        Layer first = Layer.Sequential.of(new Layer.Conv(2, 4, 3, 3, 1, 1, 1, 1, 1, 1, true), new Layer.BatchNorm(4, true),
                new Layer.Activation(Layer.ActivationKind.RELU6));
        Layer branches = new Layer.Concat(List.of(new Layer.Pool(Layer.PoolKind.AVG, 3, 2, 1, true), new Layer.PadShortcut(4, 6, 2),
                Layer.Sequential.of(new Layer.ShiftCrop(), Layer.Conv.square(4, 4, 3, 2, 1, 1, 4))));
        Layer pool = Layer.Sequential.of(new Layer.Pool(Layer.PoolKind.MAX, 3, 1, 1, false), new Layer.BatchNorm(14, false));
        Layer head = Layer.Sequential.of(new Layer.Activation(Layer.ActivationKind.RELU), new Layer.GlobalAvgPool(),
                new Layer.Linear(14, 3, true));
        List<Plan.Step> steps = List.of(new Plan.Apply(1, 0, first, "first"), new Plan.Apply(2, 1, branches, "branches"),
                new Plan.Apply(3, 2, pool, "pool"), new Plan.Add(4, 2, 3, "add"), new Plan.Apply(5, 4, head, "head"));
        Shape s1 = new Shape(4, 6, 6);
        Shape s2 = new Shape(14, 3, 3);
        return new Plan(in, 3, steps, Map.of(0, in, 1, s1, 2, s2, 3, s2, 4, s2, 5, new Shape(3, 1, 1)), 5, -1, Map.of());
    }

    @Test
    void everyLayerKindMatchesFiniteDifferences() {
        CompiledNetwork net = new CompiledNetwork(everyLayer(), CompiledNetwork.Options.darts(3).withDataType(DataType.DOUBLE));
        // A large scale drives part of the ReLU6 above 6, where its gradient is 0.
        net.weights().entrySet().stream().filter(e -> e.getKey().startsWith("bn_gamma")).forEach(e -> e.getValue().assign(4));
        assertTrue(check(net, Gates.NONE, EnumSet.of(WEIGHTS)) > 45);
    }

    @Test
    void gradientsOfWeightsAndAlphaMatchFiniteDifferences() throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(tiny()), CompiledNetwork.Options.darts(3)
                .withDataType(DataType.DOUBLE));
        assertTrue(check(net, Gates.NONE, EnumSet.of(WEIGHTS, ARCH)) > 20);
    }

    @Test
    void gumbelSoftmaxGradientsMatchFiniteDifferences() throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(tiny()), CompiledNetwork.Options.darts(3)
                .withDataType(DataType.DOUBLE).withMixedOp(CompiledNetwork.MixedOp.GUMBEL_SUM));
        assertTrue(check(net, net.sampleGates(new Random(7), 0.7), EnumSet.of(WEIGHTS, ARCH)) > 20);
    }

    @Test
    void weightedInputChoicesMatchFiniteDifferences() throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(withInputChoice()), CompiledNetwork.Options.darts(3)
                .withDataType(DataType.DOUBLE).withWeightedInputs(true));
        assertTrue(net.arch().containsKey("beta/b_in"));
        net.arch().get("beta/b_in").assign(Nd4j.createFromArray(0.3, -0.2));
        assertTrue(check(net, Gates.NONE, EnumSet.of(WEIGHTS, ARCH)) > 20);
    }

    /**
     * Compares every gradient (up to 12 entries a tensor) with central differences of the loss; returns the count. A
     * network whose weight generators read a context gets a random one per sample.
     */
    static int check(CompiledNetwork net, Gates gates, Set<CompiledNetwork.Grad> wanted) {
        INDArray[] b = batch(DataType.DOUBLE, net.plan().input(), 5, net.plan().classes(), 11);
        INDArray context = net.contextFeatures() == 0 ? null
                : batch(DataType.DOUBLE, new Shape(net.contextFeatures(), 1, 1), 5, 1, 13)[0].reshape(5, net.contextFeatures());
        Map<String, INDArray> grads = new HashMap<>();
        net.train(b[0], context, b[1], gates, wanted).gradients().forEach((k, v) -> grads.put(k, v.dup()));
        Map<String, INDArray> vars = new HashMap<>(net.weights());
        if (wanted.contains(ARCH)) {
            vars.putAll(net.arch());
        }
        double eps = 1e-5;
        int checked = 0;
        for (var e : vars.entrySet()) {
            INDArray arr = e.getValue();
            for (long i = 0; i < Math.min(arr.length(), 12); i++) {
                INDArray mask = net.gradientMasks().get(e.getKey());
                if (mask != null && mask.getDouble(i) == 0) {
                    continue; // a fixed zero between the taps of a dilated kernel
                }
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + eps);
                double up = net.train(b[0], context, b[1], gates, Set.of()).loss();
                arr.putScalar(i, orig - eps);
                double down = net.train(b[0], context, b[1], gates, Set.of()).loss();
                arr.putScalar(i, orig);
                double numeric = (up - down) / (2 * eps);
                double analytic = grads.get(e.getKey()).getDouble(i);
                assertEquals(numeric, analytic, 1e-6 + 1e-4 * Math.abs(numeric), e.getKey() + "[" + i + "]");
                checked++;
            }
        }
        return checked;
    }

    @Test
    void aHardGumbelGateRunsOnlyTheChosenPathForwardButStillTeachesAlpha() throws Exception {
        Plan plan = Evaluator.supernetPlan(tiny());
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(3).withDataType(DataType.DOUBLE)
                .withMixedOp(CompiledNetwork.MixedOp.GUMBEL_HARD));
        INDArray[] b = batch(DataType.DOUBLE, plan.input(), 5, 3, 11);
        GumbelSoft.Noise drawn = (GumbelSoft.Noise) net.sampleGates(new Random(7), 1.0);
        Gates gates = new GumbelSoft.Noise(drawn.tau(), drawn.noise(), Map.of("e", new double[] {1, 0, 0, 0, 0})); // sep_conv_3x3 only
        Map<String, INDArray> g = net.train(b[0], b[1], gates, EnumSet.of(WEIGHTS, ARCH)).gradients();
        String dilated = net.gradientMasks().keySet().iterator().next(); // the kernel of dil_conv_3x3, not chosen
        assertEquals(0.0, g.get(dilated).norm2Number().doubleValue(), 0.0);
        assertTrue(g.get("alpha/e").norm2Number().doubleValue() > 0);
    }

    @Test
    void buffersAreReusedWithoutCarryingStateFromOnePassToTheNext() throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(tiny()), CompiledNetwork.Options.darts(3)
                .withDataType(DataType.DOUBLE).withMixedOp(CompiledNetwork.MixedOp.INDEX));
        INDArray[] b = batch(DataType.DOUBLE, net.plan().input(), 5, 3, 11);
        INDArray[] small = batch(DataType.DOUBLE, net.plan().input(), 2, 3, 12);
        Gates sep = new OneHot.Path(Map.of("e", new double[] {1, 0, 0, 0, 0}), Map.of());
        Gates dil = new OneHot.Path(Map.of("e", new double[] {0, 1, 0, 0, 0}), Map.of());
        var first = net.train(b[0], b[1], sep, EnumSet.of(WEIGHTS));
        double loss = first.loss();
        Map<String, INDArray> grads = new HashMap<>();
        first.gradients().forEach((k, v) -> grads.put(k, v.dup()));
        String dilated = net.gradientMasks().keySet().iterator().next();
        assertEquals(0.0, grads.get(dilated).norm2Number().doubleValue(), 0.0, "the unsampled path has no gradient");
        var other = net.train(b[0], b[1], dil, EnumSet.of(WEIGHTS));
        assertTrue(other.gradients().get(dilated).norm2Number().doubleValue() > 0);
        net.train(small[0], small[1], dil, EnumSet.of(WEIGHTS)); // another batch size
        var again = net.train(b[0], b[1], sep, EnumSet.of(WEIGHTS));
        assertEquals(loss, again.loss(), 1e-12);
        grads.forEach((k, v) -> assertEquals(0.0, v.sub(again.gradients().get(k)).norm2Number().doubleValue(), 1e-12, k));
    }

    @Test
    void aSupernetComputesTheParameterFreeOpsOfAnInputOnce() throws Exception {
        // darts-mini: per cell, each state feeds several edges; each edge's sep and dil convs start with a ReLU and
        // each edge has two pools with an affine-free BatchNorm. Shared, those are per state, not per edge.
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        Plan plan = Evaluator.supernetPlan(s);
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(1));
        long edges = plan.steps().stream().filter(p -> p instanceof Plan.Mixed).count();
        assertEquals(70, edges);
        long leaves = plan.steps().stream().mapToLong(p -> p instanceof Plan.Mixed m
                ? m.candidates().stream().mapToLong(CompiledNetworkTest::leaves).sum() + 1
                : p instanceof Plan.Apply a ? leaves(a.layer()) : 1).sum();
        // Per edge, 4 convolution candidates start with a ReLU and 2 pools end with a norm: 6 kernels, of which one
        // ReLU and one pool+norm pair per state and stride remain.
        assertTrue(net.operationCount() <= leaves - edges * 4, "kernels: " + net.operationCount() + " of " + leaves);
    }

    private static long leaves(Layer l) {
        if (l instanceof Layer.Identity || l instanceof Layer.Dropout || l instanceof Layer.Zero z && z.channels() == 0) {
            return 0;
        }
        return l.children().isEmpty() ? 1 : l.children().stream().mapToLong(CompiledNetworkTest::leaves).sum();
    }
}

package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
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

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SameDiffNetworkTest {

    static Map<String, INDArray> batch(DataType t, Shape s, int n, int classes, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(t, n, s.channels(), s.height(), s.width());
        INDArray y = Nd4j.zeros(t, n, classes);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, r.nextGaussian());
        }
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(classes), 1.0);
        }
        return Map.of(SameDiffNetwork.INPUT, x, SameDiffNetwork.LABELS, y);
    }

    @Test
    void theDartsMiniSupernetRunsForwardAndBackwardOnDigits() throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        SameDiffNetwork net = new SameDiffNetwork(Evaluator.supernetPlan(s), SameDiffNetwork.Options.darts(1));
        DataBundle d = Datasets.digits();
        int n = 16;
        INDArray x = Nd4j.create(java.util.Arrays.copyOf(d.train().images(), n * 64), new long[] {n, 1, 8, 8}, 'c');
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, d.train().labels()[i], 1.0);
        }
        Map<String, INDArray> ph = Map.of(SameDiffNetwork.INPUT, x, SameDiffNetwork.LABELS, y);
        INDArray logits = net.graph().outputSingle(ph, SameDiffNetwork.LOGITS);
        assertArrayEquals(new long[] {n, 10}, logits.shape());
        double loss = net.graph().outputSingle(ph, SameDiffNetwork.LOSS).getDouble(0);
        assertTrue(Math.abs(loss - Math.log(10)) < 1.0, "an untrained net is near uniform: " + loss);
        // 2 cell types x 14 LayerChoices, each with its own alpha.
        assertEquals(28, net.archNames().size());
        List<String> all = new java.util.ArrayList<>(net.weightNames());
        all.addAll(net.archNames());
        Map<String, INDArray> g = net.graph().calculateGradients(ph, all);
        assertTrue(g.get("alpha/normal_n2_p0").norm2Number().doubleValue() > 0, "alpha receives a gradient");
        assertEquals(Evaluator.supernet(s).params(), net.parameterCount(), "the graph has exactly the counted parameters");
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

    @Test
    void gradientsOfWeightsAndAlphaMatchFiniteDifferences() throws Exception {
        checkGradients(SameDiffNetwork.MixedOp.WEIGHTED_SUM);
    }

    @Test
    void gumbelSoftmaxGradientsMatchFiniteDifferences() throws Exception {
        checkGradients(SameDiffNetwork.MixedOp.GUMBEL_SUM);
    }

    @Test
    void aHardGumbelGateRunsOnlyTheChosenPathForwardButStillTeachesAlpha() throws Exception {
        Plan plan = Evaluator.supernetPlan(tiny());
        SameDiffNetwork net = new SameDiffNetwork(plan, SameDiffNetwork.Options.darts(3).withDataType(DataType.DOUBLE)
                .withMixedOp(SameDiffNetwork.MixedOp.GUMBEL_HARD));
        Map<String, INDArray> ph = new java.util.HashMap<>(batch(DataType.DOUBLE, plan.input(), 5, 3, 11));
        Map<String, INDArray> gates = net.sampleGates(new Random(7), 1.0);
        gates.put("hard/e", Nd4j.createFromArray(1.0, 0, 0, 0, 0)); // sep_conv_3x3 only
        ph.putAll(gates);
        List<String> names = new java.util.ArrayList<>(net.weightNames());
        names.addAll(net.archNames());
        Map<String, INDArray> g = net.graph().calculateGradients(ph, names);
        String dilated = net.gradientMasks().keySet().iterator().next(); // the kernel of dil_conv_3x3, not chosen
        assertEquals(0.0, g.get(dilated).norm2Number().doubleValue(), 0.0);
        assertTrue(g.get("alpha/e").norm2Number().doubleValue() > 0);
    }

    private static void checkGradients(SameDiffNetwork.MixedOp mixed) throws Exception {
        Plan plan = Evaluator.supernetPlan(tiny());
        SameDiffNetwork net = new SameDiffNetwork(plan, SameDiffNetwork.Options.darts(3).withDataType(DataType.DOUBLE)
                .withMixedOp(mixed));
        Map<String, INDArray> ph = new java.util.HashMap<>(batch(DataType.DOUBLE, plan.input(), 5, 3, 11));
        ph.putAll(net.sampleGates(new Random(7), 0.7));
        List<String> names = new java.util.ArrayList<>(net.weightNames());
        names.addAll(net.archNames());
        Map<String, INDArray> grads = net.graph().calculateGradients(ph, names);
        double eps = 1e-5;
        int checked = 0;
        for (String v : names) {
            INDArray arr = net.graph().getVariable(v).getArr();
            for (long i = 0; i < Math.min(arr.length(), 12); i++) {
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + eps);
                double up = net.graph().outputSingle(ph, SameDiffNetwork.LOSS).getDouble(0);
                arr.putScalar(i, orig - eps);
                double down = net.graph().outputSingle(ph, SameDiffNetwork.LOSS).getDouble(0);
                arr.putScalar(i, orig);
                double numeric = (up - down) / (2 * eps);
                INDArray mask = net.gradientMasks().get(v);
                if (mask != null && mask.getDouble(i) == 0) {
                    continue; // a fixed zero between the taps of a dilated kernel
                }
                double analytic = grads.get(v).getDouble(i);
                assertEquals(numeric, analytic, 1e-6 + 1e-4 * Math.abs(numeric), v + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 20, "checked " + checked);
    }
}

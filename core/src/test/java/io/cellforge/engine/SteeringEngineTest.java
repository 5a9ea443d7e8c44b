package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.engine.relax.Gates;
import io.cellforge.engine.relax.GumbelSoft;
import io.cellforge.plan.Plan;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.cellforge.engine.CompiledNetwork.Grad.ARCH;
import static io.cellforge.engine.CompiledNetwork.Grad.WEIGHTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Candidates steered out of a running search ({@link CompiledNetwork#prune}): as if their alpha were minus infinity. */
class SteeringEngineTest {
    private static final List<String> OUT = List.of("avg_pool_3x3", "none"); // candidates 2 and 4 of tiny()'s edge "e"

    private static CompiledNetwork net(CompiledNetwork.MixedOp m) throws Exception {
        return new CompiledNetwork(Evaluator.supernetPlan(CompiledNetworkTest.tiny()), CompiledNetwork.Options.darts(3)
                .withDataType(DataType.DOUBLE).withMixedOp(m));
    }

    @Test
    void aPrunedCandidateWeighsNothingAndLearnsNothing() throws Exception {
        CompiledNetwork pruned = net(CompiledNetwork.MixedOp.WEIGHTED_SUM);
        CompiledNetwork twin = net(CompiledNetwork.MixedOp.WEIGHTED_SUM);
        double[] alpha = pruned.arch().get("alpha/e").toDoubleVector();
        pruned.prune("e", Set.copyOf(OUT));
        // the twin's alpha is minus infinity there, in effect (a softmax of -1e30 is an exact 0)
        twin.arch().get("alpha/e").putScalar(2, -1e30).putScalar(4, -1e30);

        double[] p = pruned.probabilities().get("e");
        double z = Math.exp(alpha[0]) + Math.exp(alpha[1]) + Math.exp(alpha[3]);
        assertEquals(0.0, p[2], 0.0);
        assertEquals(0.0, p[4], 0.0);
        assertEquals(Math.exp(alpha[1]) / z, p[1], 1e-12, "the others renormalised");
        assertEquals(alpha[2], pruned.arch().get("alpha/e").getDouble(2), 0.0, "alpha itself is kept (un-pruning brings it back)");

        Plan plan = pruned.plan();
        INDArray[] b = CompiledNetworkTest.batch(DataType.DOUBLE, plan.input(), 5, 3, 11);
        CompiledNetwork.Result r = pruned.train(b[0], b[1], Gates.NONE, EnumSet.of(WEIGHTS, ARCH));
        CompiledNetwork.Result t = twin.train(b[0], b[1], Gates.NONE, EnumSet.of(WEIGHTS, ARCH));
        assertEquals(t.loss(), r.loss(), 1e-12);
        double[] ga = r.gradients().get("alpha/e").toDoubleVector();
        assertEquals(0.0, ga[2], 0.0);
        assertEquals(0.0, ga[4], 0.0);
        assertTrue(Math.abs(ga[0]) > 0, "the others still learn");
        for (String w : pruned.weights().keySet()) {
            assertEquals(0.0, r.gradients().get(w).sub(t.gradients().get(w)).norm2Number().doubleValue(), 1e-12, w);
        }
        // and the masked gradient is the true one (central finite differences over every weight and alpha)
        assertTrue(CompiledNetworkTest.check(pruned, Gates.NONE, EnumSet.of(WEIGHTS, ARCH)) > 20);

        pruned.prune("e", Set.of());
        assertTrue(pruned.probabilities().get("e")[2] > 0.1, "an empty set brings every candidate back");
        assertTrue(pruned.pruned().isEmpty());
    }

    @Test
    void aSampledRelaxationNeverDrawsAPrunedCandidate() throws Exception {
        CompiledNetwork net = net(CompiledNetwork.MixedOp.GUMBEL_HARD);
        net.prune("e", Set.of("sep_conv_3x3", "dil_conv_3x3", "avg_pool_3x3", "none")); // pinned to skip_connect
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            GumbelSoft.Noise g = (GumbelSoft.Noise) net.sampleGates(r, 1.0);
            assertEquals(1.0, g.hard().get("e")[3], 0.0, "draw " + i);
        }
        assertEquals(Map.of("e", Set.of("sep_conv_3x3", "dil_conv_3x3", "avg_pool_3x3", "none")), net.pruned());
    }

    @Test
    void steeringThatCannotApplySaysWhy() throws Exception {
        CompiledNetwork net = net(CompiledNetwork.MixedOp.WEIGHTED_SUM);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.prune("nope", Set.of("none"))).getMessage().contains("no LayerChoice 'nope'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.prune("e", Set.of("conv_7x7"))).getMessage()
                .contains("not a candidate of e"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.prune("e", Set.of("sep_conv_3x3", "dil_conv_3x3",
                "avg_pool_3x3", "skip_connect", "none"))).getMessage().contains("one must stay"));
    }
}

package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.BinaryGate;
import io.cellforge.data.Datasets;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Set;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ProxylessNAS's estimator: with a one-hot gate, the loss's gradient reaches the gate and, through it, alpha. */
class BinaryGateTest {

    @Test
    void theGateOfTheSampledPathReceivesTheLossGradient() throws Exception {
        var s = OneShotSearchTest.tiny();
        var net = new CompiledNetwork(Evaluator.supernetPlan(s), CompiledNetwork.Options.darts(2).withDataType(DataType.DOUBLE)
                .withMixedOp(CompiledNetwork.MixedOp.BIN_GATE));
        assertEquals(3, net.layerChoices().size());
        assertEquals(3, net.arch().size());
        var d = Datasets.digits();
        var b = new Batches(d.train(), d.train().channelStats(), 8, 10, 1).next();
        INDArray x = b.x().castTo(DataType.DOUBLE);
        INDArray y = b.y().castTo(DataType.DOUBLE);
        // Gate n2_p1 on sep_conv_3x3 (index 3): the loss is linear in each gate, so dL/dg_j is the change in loss
        // when path j's output is added, measurable exactly by flipping the gate.
        double[] n1 = {0, 0, 1, 0}; // n1 = skip_connect(in0): data flows into n2_p1
        double[] gate = {0, 0, 0, 1};
        var g = net.train(x, y, gates(n1, gate), Set.of(CompiledNetwork.Grad.GATES)).gateGradients();
        double analytic = g.get("n2_p1")[1];
        double eps = 1e-5;
        gate[1] = eps;
        double up = net.train(x, y, gates(n1, gate), Set.of()).loss();
        gate[1] = -eps;
        double down = net.train(x, y, gates(n1, gate), Set.of()).loss();
        assertEquals((up - down) / (2 * eps), analytic, 1e-6 + 1e-4 * Math.abs(analytic),
                "the gradient of an unsampled path's gate measures what adding that path would do");
        assertTrue(Math.abs(analytic) > 0);
    }

    /** n1_p0's and n2_p1's gates, n2_p0's on its first candidate. */
    private static BinaryGate.Binarized gates(double[] n1, double[] n2p1) {
        return new BinaryGate.Binarized(Map.of("n1_p0", n1.clone(), "n2_p0", new double[] {1, 0, 0, 0}, "n2_p1", n2p1.clone()), Map.of());
    }
}

package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
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
        assertEquals(3, net.binaryGates().size());
        assertEquals(3, net.arch().size());
        var d = Datasets.digits();
        var b = new Batches(d.train(), d.train().channelStats(), 8, 10, 1).next();
        INDArray x = b.x().castTo(DataType.DOUBLE);
        INDArray y = b.y().castTo(DataType.DOUBLE);
        // Gate n2_p1 on sep_conv_3x3 (index 3): the loss is linear in each gate, so dL/dg_j is the change in loss
        // when path j's output is added, measurable exactly by flipping the gate.
        net.binaryGates().get("n1_p0").assign(0).putScalar(2, 1); // n1 = skip_connect(in0): data flows into n2_p1
        INDArray gate = net.binaryGates().get("n2_p1");
        gate.assign(0).putScalar(3, 1);
        var g = net.train(x, y, Map.of(), Set.of(CompiledNetwork.Grad.GATES)).gradients();
        double analytic = g.get("bingate/n2_p1").getDouble(1);
        double eps = 1e-5;
        gate.putScalar(1, eps);
        double up = net.train(x, y, Map.of(), Set.of()).loss();
        gate.putScalar(1, -eps);
        double down = net.train(x, y, Map.of(), Set.of()).loss();
        gate.putScalar(1, 0);
        assertEquals((up - down) / (2 * eps), analytic, 1e-6 + 1e-4 * Math.abs(analytic),
                "the gradient of an unsampled path's gate measures what adding that path would do");
        assertTrue(Math.abs(analytic) > 0);
    }
}

package io.cellforge.train;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.Gates;
import io.cellforge.io.SpaceYaml;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A network with the DARTS auxiliary head learns from the main loss plus 0.4 of the auxiliary one. */
class AuxiliaryHeadTest {
    static final String SPACE = """
            cellforge: 1
            kind: space
            name: aux
            network:
              input: [1, 8, 8]
              classes: 10
              channels: 16
              stem: [{op: conv, out: 16}, bn, relu]
              stages:
                - {name: b0, op: conv_bn_relu, channels: 16}
                - {name: b1, op: conv_bn_relu, channels: 32, stride: 2}
              head: [gap, linear]
              auxiliary: {after: 0, op: darts_aux_cifar}
            """;

    @Test
    void theAuxiliaryLossCountsWithWeight04AndTrainsItsHead() throws Exception {
        SearchSpace s = SpaceYaml.read(SPACE, "aux").space();
        CompiledNetwork net = new CompiledNetwork(Evaluator.fixedPlan(s, Architecture.empty()),
                CompiledNetwork.Options.retrain(1).withDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        var d = Datasets.digits();
        var b = new Batches(d.train(), d.train().channelStats(), 16, 10, 1).next();
        INDArray x = b.x().castTo(net.dataType());
        INDArray y = b.y().castTo(net.dataType());
        var out = net.train(x, y, Gates.NONE, Set.of(CompiledNetwork.Grad.WEIGHTS));
        assertTrue(Double.isFinite(out.auxLoss()));
        Map<String, INDArray> grads = new HashMap<>();
        out.gradients().forEach((k, v) -> grads.put(k, v.dup()));
        assertTrue(net.weights().keySet().stream().allMatch(w -> grads.get(w).norm2Number().doubleValue() > 0),
                "every weight, the auxiliary head's too, learns");
        // The gradient is of main + 0.4 auxiliary: check it on a weight of each head by central differences. A
        // training pass moves the running averages only, which the training loss does not read.
        List<String> names = new ArrayList<>(net.weights().keySet());
        for (String w : List.of(names.get(names.size() - 1), names.get(names.size() / 2), names.get(0))) {
            INDArray arr = net.weights().get(w);
            double orig = arr.getDouble(0);
            double eps = 1e-5;
            arr.putScalar(0, orig + eps);
            var up = net.train(x, y, Gates.NONE, Set.of());
            arr.putScalar(0, orig - eps);
            var down = net.train(x, y, Gates.NONE, Set.of());
            arr.putScalar(0, orig);
            double numeric = (up.loss() + 0.4 * up.auxLoss() - down.loss() - 0.4 * down.auxLoss()) / (2 * eps);
            assertEquals(numeric, grads.get(w).getDouble(0), 1e-6 + 1e-4 * Math.abs(numeric), w);
        }
        assertEquals(Evaluator.evaluate(s, Architecture.empty()).params() + Evaluator.evaluate(s, Architecture.empty()).auxParams(),
                net.parameterCount());
        Retrain.Result r = Retrain.run(s, Architecture.empty(), d, Retrain.Config.darts(1, 64, 1), e -> { }, new SearchControl());
        assertTrue(r.completed() && r.testAccuracy() > 0.2, "retraining with an auxiliary head works: " + r.testAccuracy());
    }
}

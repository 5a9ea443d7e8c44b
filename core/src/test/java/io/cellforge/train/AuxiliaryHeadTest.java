package io.cellforge.train;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.SameDiffNetwork;
import io.cellforge.io.SpaceYaml;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
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
        SameDiffNetwork net = new SameDiffNetwork(Evaluator.fixedPlan(s, Architecture.empty()), SameDiffNetwork.Options.retrain(1));
        var d = Datasets.digits();
        var b = new Batches(d.train(), d.train().channelStats(), 16, 1).next();
        Map<String, INDArray> feed = new HashMap<>(Map.of(SameDiffNetwork.INPUT, b.x(), SameDiffNetwork.LABELS, b.y(),
                SameDiffNetwork.TRAINING, Nd4j.scalar(net.dataType(), 1.0)));
        var out = net.graph().output(feed, SameDiffNetwork.LOSS, SameDiffNetwork.AUX_LOSS, SameDiffNetwork.TRAIN_LOSS);
        double main = out.get(SameDiffNetwork.LOSS).getDouble(0);
        double aux = out.get(SameDiffNetwork.AUX_LOSS).getDouble(0);
        assertEquals(main + 0.4 * aux, out.get(SameDiffNetwork.TRAIN_LOSS).getDouble(0), 1e-5);
        var grads = net.graph().calculateGradients(feed, net.weightNames());
        assertTrue(net.weightNames().stream().allMatch(w -> grads.get(w) != null), "every weight, the head's too, learns");
        assertEquals(Evaluator.evaluate(s, Architecture.empty()).params() + Evaluator.evaluate(s, Architecture.empty()).auxParams(),
                net.parameterCount());
        Retrain.Result r = Retrain.run(s, Architecture.empty(), d, Retrain.Config.darts(1, 64, 1), e -> { }, new SearchControl());
        assertTrue(r.completed() && r.testAccuracy() > 0.2, "retraining with an auxiliary head works: " + r.testAccuracy());
    }
}

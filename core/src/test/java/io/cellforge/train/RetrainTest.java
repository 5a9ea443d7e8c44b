package io.cellforge.train;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.io.SpaceYaml;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormats;
import io.cellforge.search.SearchControl;
import io.cellforge.zoo.Zoo;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrainTest {
    /** A one-cell space for 8x8 digits, shared with the CLI tests. */
    static final String SPACE = resource("/tiny-darts.yaml");

    static String resource(String name) {
        try (var in = RetrainTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Architecture sepConv() {
        return new Architecture(Map.of("n1_p0", new Decision.Op("sep_conv_3x3"), "n1_switch", new Decision.Inputs(List.of(0))));
    }

    @Test
    void dartsV2InTheDartsMiniNetworkReaches95PercentOnDigits() throws Exception {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        Architecture v2 = ArchFormats.fromGenotype(Genotype.DARTS_V2, s, "DARTS_V2");
        List<Retrain.Epoch> epochs = new ArrayList<>();
        Retrain.Result r = Retrain.run(s, v2, Datasets.digits(), Retrain.Config.darts(4, 64, 1), epochs::add, new SearchControl());
        assertTrue(r.completed());
        assertEquals(4, epochs.size());
        System.out.printf("DARTS_V2 in darts-mini: test accuracy %.4f after %d epochs%n", r.testAccuracy(), epochs.size());
        assertTrue(r.testAccuracy() >= 0.95, "test accuracy " + r.testAccuracy());
        assertEquals(Evaluator.evaluate(Retrain.finalNetwork(s), v2).params(), r.params(), "trains exactly the counted network");
    }

    @Test
    void inferenceUsesRunningStatisticsSoAnImageGetsTheSameAnswerAloneOrInABatch() throws Exception {
        SearchSpace s = Retrain.finalNetwork(SpaceYaml.read(SPACE, "tiny").space());
        CompiledNetwork net = new CompiledNetwork(Evaluator.fixedPlan(s, sepConv()), CompiledNetwork.Options.retrain(3));
        DataBundle d = Datasets.digits();
        Batches b = new Batches(d.train(), d.train().channelStats(), 32, 1);
        // One training pass to move the running averages away from their start.
        var batch = b.next();
        net.train(batch.x(), batch.y(), Map.of(), java.util.Set.of(CompiledNetwork.Grad.WEIGHTS));
        Batches.Batch many = b.make(d.test(), new int[] {0, 1, 2, 3});
        Batches.Batch one = b.make(d.test(), new int[] {2});
        INDArray all = net.evaluate(many.x(), many.y(), Map.of()).logits().dup();
        INDArray alone = net.evaluate(one.x(), one.y(), Map.of()).logits();
        for (int c = 0; c < 10; c++) {
            assertEquals(all.getDouble(2, c), alone.getDouble(0, c), 1e-4);
        }
    }
}

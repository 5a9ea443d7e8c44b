package io.cellforge.train;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.Gates;
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
    static final String SPACE = io.cellforge.TestResources.text("/tiny-darts.yaml");

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
        Batches b = new Batches(d.train(), d.train().channelStats(), 32, 10, 1);
        // One training pass to move the running averages away from their start.
        var batch = b.next();
        net.train(batch.x(), batch.y(), Gates.NONE, java.util.Set.of(CompiledNetwork.Grad.WEIGHTS));
        Batches.Batch many = b.make(d.test(), new int[] {0, 1, 2, 3});
        Batches.Batch one = b.make(d.test(), new int[] {2});
        INDArray all = net.evaluate(many.x(), many.y(), Gates.NONE).logits().dup();
        INDArray alone = net.evaluate(one.x(), one.y(), Gates.NONE).logits();
        for (int c = 0; c < 10; c++) {
            assertEquals(all.getDouble(2, c), alone.getDouble(0, c), 1e-4);
        }
    }

    @Test
    void theFixedPlanDropsPathsAfterEveryEdgeOpButIdentities() throws Exception {
        SearchSpace s = Retrain.finalNetwork(Zoo.get("darts-mini").orElseThrow());
        Architecture v2 = ArchFormats.fromGenotype(Genotype.DARTS_V2, s, "DARTS_V2");
        var plan = Evaluator.fixedPlan(s, v2);
        Map<Integer, io.cellforge.plan.Plan.Step> byOut = new java.util.HashMap<>();
        plan.steps().forEach(st -> byOut.put(st.out(), st));
        List<io.cellforge.plan.Plan.DropPath> drops = plan.steps().stream()
                .filter(st -> st instanceof io.cellforge.plan.Plan.DropPath).map(st -> (io.cellforge.plan.Plan.DropPath) st).toList();
        for (var d : drops) {
            assertTrue(d.where().contains("edge"), d.where());
            var made = (io.cellforge.plan.Plan.Apply) byOut.get(d.in());
            assertTrue(!(made.layer() instanceof io.cellforge.ops.Layer.Identity), d.where());
        }
        // DARTS_V2: 6 of the normal cell's 8 ops are not identities (two skip_connects), 5 of the reduction
        // cell's (three skip_connects between intermediate nodes); darts-mini has 3 normal and 2 reduction cells.
        assertEquals(3 * 6 + 2 * 5, drops.size());
        assertTrue(Evaluator.supernetPlan(Zoo.get("darts-mini").orElseThrow()).steps().stream()
                .noneMatch(st -> st instanceof io.cellforge.plan.Plan.DropPath), "searches do not drop paths");
    }

    /**
     * With drop-path p = 0.5 a training pass is the pass without it on inputs where each dropped sample is zero
     * and each kept one doubled (the op before is linear): the same logits and the same weight gradients.
     */
    @Test
    void dropPathZeroesWholeSamplesAndScalesTheRestForwardAndBackward() throws Exception {
        io.cellforge.ops.Shape in = new io.cellforge.ops.Shape(1, 8, 8);
        io.cellforge.ops.Layer conv = io.cellforge.ops.Layer.Conv.square(1, 4, 3, 1, 1, 1, 1);
        io.cellforge.ops.Layer gap = new io.cellforge.ops.Layer.GlobalAvgPool();
        io.cellforge.ops.Layer linear = new io.cellforge.ops.Layer.Linear(4, 10, false);
        io.cellforge.ops.Shape c = conv.output(in);
        io.cellforge.ops.Shape g = gap.output(c);
        var plan = new io.cellforge.plan.Plan(in, 10, List.of(new io.cellforge.plan.Plan.Apply(1, 0, conv, "conv"),
                new io.cellforge.plan.Plan.DropPath(2, 1, "edge"), new io.cellforge.plan.Plan.Apply(3, 2, gap, "gap"),
                new io.cellforge.plan.Plan.Apply(4, 3, linear, "linear")), Map.of(0, in, 1, c, 2, c, 3, g, 4, linear.output(g)),
                4, -1, Map.of());
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.retrain(2)
                .withDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
        DataBundle d = Datasets.digits();
        Batches.Batch b = new Batches(d.train(), d.train().channelStats(), 32, 10, 1).next();
        net.setDropPath(0.5);
        var dropped = net.train(b.x(), b.y(), Gates.NONE, java.util.Set.of(CompiledNetwork.Grad.WEIGHTS));
        INDArray logits = dropped.logits().dup();
        Map<String, INDArray> grads = new java.util.HashMap<>();
        dropped.gradients().forEach((k, v) -> grads.put(k, v.dup()));
        INDArray x = b.x().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).dup();
        int kept = 0;
        for (int i = 0; i < 32; i++) {
            boolean zero = logits.getRow(i).norm2Number().doubleValue() == 0;
            kept += zero ? 0 : 1;
            x.slice(i).muli(zero ? 0 : 2);
        }
        assertTrue(kept > 4 && kept < 28, "about half kept: " + kept);
        net.setDropPath(0);
        var same = net.train(x, b.y(), Gates.NONE, java.util.Set.of(CompiledNetwork.Grad.WEIGHTS));
        assertEquals(0, same.logits().sub(logits).norm2Number().doubleValue(), 1e-9);
        for (String k : grads.keySet()) {
            assertEquals(0, same.gradients().get(k).sub(grads.get(k)).norm2Number().doubleValue(), 1e-9, k);
        }
        INDArray undropped = net.train(b.x(), b.y(), Gates.NONE, java.util.Set.of()).logits().dup();
        net.setDropPath(0.5);
        assertEquals(0, net.evaluate(b.x(), b.y(), Gates.NONE).logits().sub(undropped).norm2Number().doubleValue(), 1e-9,
                "evaluation never drops");
    }
}

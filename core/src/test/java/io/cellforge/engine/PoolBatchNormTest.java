package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.engine.relax.Gates;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Layer;
import io.cellforge.plan.Plan;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DARTS's search supernet follows each pool candidate with an affine-free BatchNorm (model_search.py MixedOp:
 * {@code if 'pool' in primitive: op = nn.Sequential(op, nn.BatchNorm2d(C, affine=False))}; NNI's DartsCell: PoolBN);
 * its evaluation network and NAS-Bench-201's cells do not.
 */
class PoolBatchNormTest {

    static boolean isPoolBn(Layer l) {
        return l instanceof Layer.Sequential s && s.layers().size() == 2 && s.layers().get(0) instanceof Layer.Pool
                && s.layers().get(1) instanceof Layer.BatchNorm bn && !bn.affine();
    }

    @Test
    void everyPoolCandidateOfADartsSupernetIsFollowedByAnAffineFreeBatchNorm() throws Exception {
        Plan p = Evaluator.supernetPlan(Zoo.get("darts-search").orElseThrow());
        int pools = 0;
        for (Plan.Step s : p.steps()) {
            if (s instanceof Plan.Mixed m) {
                for (int i = 0; i < m.labels().size(); i++) {
                    boolean pool = m.labels().get(i).endsWith("_pool_3x3");
                    assertEquals(pool, isPoolBn(m.candidates().get(i)), m.where() + " " + m.labels().get(i));
                    pools += pool ? 1 : 0;
                }
            }
        }
        assertEquals(8 * 14 * 2, pools, "8 cells x 14 edges x 2 pools");
        // The same parameters: the BatchNorm has none.
        assertEquals(1_930_618, Evaluator.supernet(Zoo.get("darts-search").orElseThrow()).params());
    }

    @Test
    void theEvaluationNetworkAndNasBench201KeepTheirPlainPools() throws Exception {
        for (Plan.Step s : Evaluator.fixedPlan(Zoo.dartsEval(Genotype.DARTS_V2, 16, 8, 10, false, false), Architecture.empty()).steps()) {
            if (s instanceof Plan.Apply a) {
                assertTrue(!isPoolBn(a.layer()), a.where());
            }
        }
        int pools = 0;
        for (Plan.Step s : Evaluator.supernetPlan(Zoo.get("nas-bench-201").orElseThrow()).steps()) {
            if (s instanceof Plan.Mixed m) {
                int i = m.labels().indexOf("avg_pool_3x3");
                assertTrue(m.candidates().get(i) instanceof Layer.Pool, "AutoDL's POOLING has no BN: " + m.where());
                pools++;
            }
        }
        assertEquals(15 * 6, pools);
    }

    /** The tiny five-op cell of CompiledNetworkTest as a DARTS cell: its pool now with a BatchNorm, gradients checked. */
    @Test
    void aDartsCellsGradientsMatchFiniteDifferencesWithThePoolBatchNorm() throws Exception {
        SearchSpace tiny = CompiledNetworkTest.tiny();
        io.cellforge.space.Cell c = tiny.cells().get("c");
        SearchSpace darts = tiny.withCell(new io.cellforge.space.Cell(c.name(), c.nodes(), c.edges(), io.cellforge.space.Preprocess.DARTS));
        Plan plan = Evaluator.supernetPlan(darts);
        assertTrue(plan.steps().stream().anyMatch(st -> st instanceof Plan.Mixed m && m.candidates().stream().anyMatch(PoolBatchNormTest::isPoolBn)));
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(3).withDataType(DataType.DOUBLE));
        assertTrue(CompiledNetworkTest.check(net, Gates.NONE, java.util.EnumSet.of(CompiledNetwork.Grad.WEIGHTS, CompiledNetwork.Grad.ARCH)) > 20);
    }

    /**
     * One DARTS cell whose only edge mixes the two pools, read out by global average pooling alone. With the BatchNorm,
     * each mixed channel has mean 0 over the batch and the pixels, so the mean of each output column is 0; without it,
     * the max pool of a normalised input has a mean clearly above 0.
     */
    @Test
    void theMixedPoolsAreNormalisedOverTheBatch() throws Exception {
        SearchSpace s = SpaceYaml.read("""
                cellforge: 1
                kind: space
                name: pools
                network:
                  input: [1, 6, 6]
                  classes: 4
                  channels: 4
                  affine: false
                  stem:
                    - [{op: conv, out: 4, kernel: 3, padding: 1}]
                  stages:
                    - {name: "cell 0", cell: c}
                  head: [gap]
                cells:
                  c:
                    preprocess: darts
                    inputs: [in0]
                    nodes: [a]
                    output: {name: out, reduction: sum}
                    edges:
                      - {from: in0, to: a, choice: {key: e, candidates: [max_pool_3x3, avg_pool_3x3]}}
                      - {from: a, to: out}
                """, "pools.yaml").space();
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(s), CompiledNetwork.Options.darts(3));
        INDArray[] b = CompiledNetworkTest.batch(DataType.FLOAT, s.network().input(), 8, 4, 5);
        INDArray logits = net.evaluate(b[0], b[1], Gates.NONE).logits();
        INDArray columnMeans = logits.mean(0);
        for (int c = 0; c < 4; c++) {
            assertEquals(0.0, columnMeans.getDouble(c), 1e-4, "channel " + c + ": " + columnMeans);
        }
        // One BatchNorm call per pool in the plan: the count of kernel calls grows by exactly two.
        List<Plan.Step> plain = new ArrayList<>();
        Plan p = Evaluator.supernetPlan(s);
        for (Plan.Step st : p.steps()) {
            plain.add(st instanceof Plan.Mixed m ? new Plan.Mixed(m.out(), m.in(), m.key(), m.candidates().stream()
                    .map(l -> isPoolBn(l) ? ((Layer.Sequential) l).layers().get(0) : l).toList(), m.labels(), m.where()) : st);
        }
        Plan withoutBn = new Plan(p.input(), p.classes(), plain, p.shapes(), p.logits(), p.auxLogits(), p.choices());
        assertEquals(new CompiledNetwork(withoutBn, CompiledNetwork.Options.darts(3)).operationCount() + 2, net.operationCount());
    }
}

package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.analysis.Evaluator;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.relax.BinaryGate;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.EnumSet;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ProxylessNAS-G's two sampled paths with rescaling, and ModularNAS's BinGateUniform. */
class BinaryGatesTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    private static Strategy.Context context(SearchSpace s, String strategy) throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(s),
                CompiledNetwork.Options.darts(3).withMixedOp(CompiledNetwork.MixedOp.BIN_GATE).withDataType(DataType.DOUBLE));
        return new Strategy.Context(s, net, new Optimizers.Sgd(0.9, 0), SearchConfig.of(strategy, 1, 8, 3));
    }

    @Test
    void drawsWithoutReplacementInProportionToTheProbabilities() {
        Random r = new Random(1);
        double[] p = {0.7, 0.2, 0.1, 0};
        int[] first = new int[4];
        for (int i = 0; i < 20_000; i++) {
            int[] s = BinaryGates.drawWithoutReplacement(p, 2, r);
            assertNotEquals(s[0], s[1]);
            first[s[0]]++;
        }
        assertEquals(0.7, first[0] / 20_000.0, 0.02);
        assertEquals(0.2, first[1] / 20_000.0, 0.02);
        assertEquals(0, first[3], "a zero probability is never drawn first");
    }

    @Test
    void onlyTheDrawnCandidatesAreComputedAndTheirGateGradientsAreExact() throws Exception {
        Strategy.Context c = context(OneShotSearchTest.tiny(), "proxyless");
        CompiledNetwork net = c.net();
        Batches.Batch b = new Batches(digits.train(), digits.train().channelStats(), 8, 10, 1).next();
        // ops: none, max_pool_3x3, skip_connect, sep_conv_3x3; the path is skip_connect
        Map<String, double[]> gates = new java.util.HashMap<>();
        Map<String, boolean[]> drawn = new java.util.HashMap<>();
        net.layerChoices().keySet().forEach(k -> gates.put(k, new double[] {0, 0, 1, 0}));
        Map<String, double[]> all = new java.util.HashMap<>(
                net.train(b.x(), b.y(), new BinaryGate.Binarized(gates, Map.of()), EnumSet.of(Grad.GATES)).gateGradients());
        net.layerChoices().keySet().forEach(k -> drawn.put(k, new boolean[] {false, true, true, false}));
        Map<String, double[]> two = net.train(b.x(), b.y(), new BinaryGate.Binarized(gates, drawn), EnumSet.of(Grad.GATES)).gateGradients();
        for (String k : net.layerChoices().keySet()) {
            double[] g = two.get(k);
            double[] full = all.get(k);
            assertEquals(full[1], g[1], 1e-9, k);
            assertEquals(full[2], g[2], 1e-9, k);
            assertEquals(0, g[3], 0, k + ": sep_conv_3x3 not drawn, not computed");
            assertNotEquals(0, full[3], k + ": the full pass computes it");
        }
    }

    @Test
    void theArchitectureStepMovesTheDrawnAlphasAndKeepsTheOthersProbabilities() throws Exception {
        Strategy.Context c = context(OneShotSearchTest.tiny(), "proxyless");
        Map<String, INDArray> arch = c.net().arch();
        Random init = new Random(5);
        arch.values().forEach(a -> {
            for (int i = 0; i < a.length(); i++) {
                a.putScalar(i, init.nextGaussian());
            }
        });
        Map<String, double[]> before = c.net().probabilities();
        BinaryGates s = new BinaryGates(false);
        Batches.Batch b = new Batches(digits.train(), digits.train().channelStats(), 8, 10, 1).next();
        Strategy.ArchStep step = s.archStep(c, b, b, new Random(2), 1, 0.1);
        assertTrue(Double.isFinite(step.validLoss()));
        new Optimizers.Adam(0, 0.999, 0).step(arch, step.gradient(), 0.05);
        s.afterArchStep(c);
        Map<String, double[]> after = c.net().probabilities();
        for (String key : c.net().layerChoices().keySet()) {
            double[] g = step.gradient().get("alpha/" + key).toDoubleVector();
            int drawn = 0;
            for (int i = 0; i < g.length; i++) {
                if (g[i] != 0) {
                    drawn++;
                } else {
                    assertEquals(before.get(key)[i], after.get(key)[i], 1e-12, key + "[" + i + "] not drawn: probability kept");
                }
            }
            assertTrue(drawn <= 2, key + ": two candidates drawn, " + drawn + " moved");
            assertEquals(0, java.util.Arrays.stream(g).sum(), 1e-12, "a softmax gradient sums to zero");
        }
    }

    @Test
    void theUniformVariantTrainsPathsRegardlessOfAlpha() throws Exception {
        for (String strategy : new String[] {"proxyless", "proxyless-uniform"}) {
            Strategy.Context c = context(OneShotSearchTest.tiny(), strategy);
            c.net().arch().values().forEach(a -> a.assign(0).putScalar(0, 8)); // candidate 0 nearly certain
            Strategy s = Strategy.of(strategy);
            Random r = new Random(4);
            int[] counts = new int[4];
            for (int i = 0; i < 4000; i++) {
                double[] g = ((BinaryGate.Binarized) s.weightGates(c, r, 1)).gates().get("n1_p0");
                counts[Derivation.argmax(g, g.length)]++;
            }
            if (strategy.equals("proxyless")) {
                assertTrue(counts[0] > 3900, "drawn from softmax(alpha): " + java.util.Arrays.toString(counts));
            } else {
                for (int n : counts) {
                    assertEquals(1000, n, 100, "uniform: " + java.util.Arrays.toString(counts));
                }
            }
        }
    }

    @Test
    void publishedDefaultsOfTheBinaryGateOptimizer() {
        SearchConfig p = SearchConfig.of("proxyless", 1, 8, 1);
        assertArrayEquals(new double[] {0.006, 0, 0.999, 0, 2}, new double[] {p.archLr(), p.archBeta1(), p.archBeta2(),
                p.archWeightDecay(), p.pathSamples()});
    }
}

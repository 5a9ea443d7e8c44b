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
import io.cellforge.engine.relax.Gates;
import io.cellforge.engine.relax.GumbelSoft;
import io.cellforge.engine.relax.OneHot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A strategy's first step through the typed gates gives what the string-keyed feed ({@code gumbel/KEY},
 * {@code hard/KEY}, {@code gate/KEY}, {@code inputs/KEY}, {@code tau}, {@code bingate/KEY}) gave: the same draws in
 * the same order, the same losses. The expected figures were printed by that code (commit 3f23ded) for this setup;
 * the gates must match exactly, the losses to float rounding (the kernels may change under them). SPOS's figures
 * are those of its draws without zero ops on InputChoice-decided edges (printed when that rule came in).
 */
class StrategyGatesTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    /** The arch step's valid loss (NaN without one), the weight step's loss, a sum of arch gradients, the evaluation loss. */
    record FirstStep(double validLoss, double trainLoss, double archSum, double evalLoss, Gates weightGates) {
    }

    /** Tiny space, float, seed 5, batches of 8, noise from Random(42), tau 0.7: an arch step, a weight pass, an evaluation. */
    static FirstStep firstStep(String name) throws Exception {
        Strategy st = Strategy.of(name);
        var space = OneShotSearchTest.tiny();
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space),
                CompiledNetwork.Options.darts(5).withMixedOp(st.mixedOp()));
        Strategy.Context c = new Strategy.Context(space, net, new Optimizers.Sgd(0.9, 3e-4), SearchConfig.of(name, 1, 8, 5));
        float[][] stats = digits.train().channelStats();
        Batches.Batch train = new Batches(digits.train(), stats, 8, 10, 1).next();
        Batches.Batch valid = new Batches(digits.train(), stats, 8, 10, 2).next();
        Random noise = new Random(42);
        double validLoss = Double.NaN;
        double archSum = 0;
        if (st.bilevel() && !net.arch().isEmpty()) {
            Strategy.ArchStep a = st.archStep(c, train, valid, noise, 0.7, 0.1);
            validLoss = a.validLoss();
            for (String k : new TreeSet<>(a.gradient().keySet())) {
                archSum += a.gradient().get(k).getDouble(1);
            }
        }
        Gates gates = st.weightGates(c, noise, 0.7);
        boolean jointly = !st.bilevel() && !net.arch().isEmpty();
        var w = net.train(train.x(), train.y(), gates, jointly ? EnumSet.of(Grad.WEIGHTS, Grad.ARCH) : EnumSet.of(Grad.WEIGHTS));
        double trainLoss = w.loss();
        if (jointly) {
            for (String k : new TreeSet<>(net.arch().keySet())) {
                archSum += w.gradients().get(k).getDouble(1);
            }
        }
        double evalLoss = net.evaluate(valid.x(), valid.y(), st.evaluationGates(c, 0.7)).loss();
        return new FirstStep(validLoss, trainLoss, archSum, evalLoss, gates);
    }

    private static void assertLosses(FirstStep s, double valid, double train, double arch, double eval) {
        if (Double.isNaN(valid)) {
            assertTrue(Double.isNaN(s.validLoss()), "no architecture step");
        } else {
            assertEquals(valid, s.validLoss(), 1e-6 * valid, "valid loss");
        }
        assertEquals(train, s.trainLoss(), 1e-6 * train, "train loss");
        assertEquals(arch, s.archSum(), 1e-5 * Math.abs(arch) + 1e-9, "arch gradient");
        assertEquals(eval, s.evalLoss(), 1e-6 * eval, "evaluation loss");
    }

    @Test
    void dartsFeedsNoGates() throws Exception {
        FirstStep s = firstStep("darts");
        assertSame(Gates.NONE, s.weightGates());
        assertLosses(s, 2.2898555230450560, 2.4185740469361500, 0.024482685141265392, 2.2898555230450560);
    }

    @Test
    void gdasDrawsItsNoiseAfterTheArchitectureStepsAndTheHardPathFromIt() throws Exception {
        FirstStep s = firstStep("gdas");
        GumbelSoft.Noise g = (GumbelSoft.Noise) s.weightGates();
        assertEquals(0.699999988079071, g.tau(), 0, "tau at float precision");
        assertArrayEquals(new double[] {1.245464563369751, 0.05081930011510849, -0.5478147268295288, 0.6533746123313904},
                g.noise().get("n1_p0"), 0);
        assertArrayEquals(new double[] {-0.4458102881908417, 1.6544257402420044, -0.5647423267364502, 0.6311067938804626},
                g.noise().get("n2_p0"), 0);
        assertArrayEquals(new double[] {1.2518463134765625, 0.5792911052703857, 0.6075489521026611, 1.2575808763504028},
                g.noise().get("n2_p1"), 0);
        assertArrayEquals(new double[] {1, 0, 0, 0}, g.hard().get("n1_p0"), 0);
        assertArrayEquals(new double[] {0, 1, 0, 0}, g.hard().get("n2_p0"), 0);
        assertArrayEquals(new double[] {0, 0, 0, 1}, g.hard().get("n2_p1"), 0);
        assertLosses(s, 2.3007930194204627, 2.3826460876721636, 0.031976601108908650, 2.2769501367111040);
    }

    @Test
    void snasDrawsSoftNoiseOnly() throws Exception {
        FirstStep s = firstStep("snas");
        GumbelSoft.Noise g = (GumbelSoft.Noise) s.weightGates();
        assertEquals(0.699999988079071, g.tau(), 0);
        assertArrayEquals(new double[] {1.145534873008728, 0.9651310443878174, -0.16154243052005768, -0.24955523014068604},
                g.noise().get("n1_p0"), 0);
        assertArrayEquals(new double[] {0.8985905647277832, 2.2865095138549805, 0.0024558946024626493, -0.25329840183258057},
                g.noise().get("n2_p0"), 0);
        assertArrayEquals(new double[] {0.26316168904304504, 1.4075260162353516, 2.475599527359009, 0.18755009770393372},
                g.noise().get("n2_p1"), 0);
        assertTrue(g.hard().isEmpty());
        assertLosses(s, Double.NaN, 2.4827079525945166, 0.12936141248792410, 2.2898511742729077);
    }

    @Test
    void sposFeedsOnePathWithItsInputMasks() throws Exception {
        FirstStep s = firstStep("spos");
        OneHot.Path p = (OneHot.Path) s.weightGates();
        assertEquals(3, p.ops().size());
        // Since SPOS's draws leave out zero ops on edges an InputChoice decides (SamplingTest), none is never drawn here.
        assertArrayEquals(new double[] {0, 0, 0, 1}, p.ops().get("n1_p0"), 0);
        assertArrayEquals(new double[] {0, 1, 0, 0}, p.ops().get("n2_p0"), 0);
        assertArrayEquals(new double[] {0, 1, 0, 0}, p.ops().get("n2_p1"), 0);
        assertEquals(Map.of("n1_switch", 1, "n2_switch", 2), Map.of("n1_switch", p.inputs().get("n1_switch").length,
                "n2_switch", p.inputs().get("n2_switch").length));
        assertArrayEquals(new double[] {1}, p.inputs().get("n1_switch"), 0);
        assertArrayEquals(new double[] {0, 1}, p.inputs().get("n2_switch"), 0);
        assertLosses(s, Double.NaN, 2.4672382328098488, 0, 2.5811556649371066);
    }

    @Test
    void proxylessSetsBinarizedPathsAndLearnsFromTheGateGradients() throws Exception {
        for (String name : new String[] {"proxyless", "proxyless-uniform"}) {
            FirstStep s = firstStep(name);
            BinaryGate.Binarized b = (BinaryGate.Binarized) s.weightGates();
            assertArrayEquals(new double[] {0, 0, 0, 1}, b.gates().get("n1_p0"), 0, name);
            assertArrayEquals(new double[] {0, 0, 0, 1}, b.gates().get("n2_p0"), 0, name);
            assertArrayEquals(new double[] {0, 1, 0, 0}, b.gates().get("n2_p1"), 0, name);
            assertTrue(b.candidates().isEmpty(), "a weight step computes only the path");
            assertLosses(s, 2.3617858242406395, 2.4253931002947120, 0.031116689555346966, 2.2769501367111040);
        }
    }
}

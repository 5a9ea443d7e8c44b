package io.cellforge.engine.relax;

import io.cellforge.engine.CompiledNetwork.MixedOp;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each relaxation through the gates it takes: its mixing weights, their gradient to alpha, and what it draws. */
class RelaxationsTest {
    static final double[] ALPHA = {0.5, -0.2, 0.1};

    /** softmax((a + g) / tau), written out. */
    static double[] softmax(double[] a, double[] g, double tau) {
        double[] e = new double[a.length];
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            e[i] = Math.exp((a[i] + g[i]) / tau);
            sum += e[i];
        }
        for (int i = 0; i < a.length; i++) {
            e[i] /= sum;
        }
        return e;
    }

    /** d <dw, weights(alpha)> / d alpha by central differences. */
    static <G extends Gates> double[] numericAlphaGradient(Relaxation<G> r, G gates, double[] dw) {
        double[] da = new double[ALPHA.length];
        double eps = 1e-6;
        for (int i = 0; i < ALPHA.length; i++) {
            double[] up = ALPHA.clone();
            double[] down = ALPHA.clone();
            up[i] += eps;
            down[i] -= eps;
            double[] wu = r.weights("e", up, gates);
            double[] wd = r.weights("e", down, gates);
            for (int j = 0; j < dw.length; j++) {
                da[i] += dw[j] * (wu[j] - wd[j]) / (2 * eps);
            }
        }
        return da;
    }

    @Test
    void everyMixedOpNamesTheGatesItTakesAndRefusesOthersInOneLine() {
        Map<MixedOp, Class<?>> takes = Map.of(MixedOp.WEIGHTED_SUM, Gates.None.class, MixedOp.GUMBEL_SUM, GumbelSoft.Noise.class,
                MixedOp.GUMBEL_HARD, GumbelSoft.Noise.class, MixedOp.INDEX, OneHot.Path.class, MixedOp.BIN_GATE, BinaryGate.Binarized.class);
        for (MixedOp m : MixedOp.values()) {
            assertSame(takes.get(m), m.relaxation().gatesType(), m.name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MixedOp.WEIGHTED_SUM.relaxation().step(new OneHot.Path(Map.of(), Map.of())));
        assertEquals("Softmax mixes with Gates.None, not OneHot.Path", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MixedOp.INDEX.relaxation().step(Gates.NONE));
    }

    @Test
    void softmaxMixesByAlphaAloneAndDrawsNothing() {
        Softmax s = new Softmax();
        assertArrayEquals(softmax(ALPHA, new double[3], 1), s.step(Gates.NONE).weights("e", ALPHA), 1e-15);
        double[] dw = {0.3, -1.0, 0.4};
        assertArrayEquals(numericAlphaGradient(s, Gates.NONE, dw), s.alphaGradient("e", ALPHA, dw, Gates.NONE), 1e-8);
        assertSame(Gates.NONE, s.sample(Map.of("e", ALPHA), new Random(1), 0.5, DataType.FLOAT));
    }

    @Test
    void gumbelSoftIsTheSoftmaxOfAlphaPlusItsNoiseOverTau() {
        GumbelSoft s = new GumbelSoft();
        double[] g = {0.3, 0.1, -0.4};
        GumbelSoft.Noise noise = new GumbelSoft.Noise(0.5, Map.of("e", g), Map.of());
        assertArrayEquals(softmax(ALPHA, g, 0.5), s.weights("e", ALPHA, noise), 1e-15);
        double[] dw = {0.3, -1.0, 0.4};
        assertArrayEquals(numericAlphaGradient(s, noise, dw), s.alphaGradient("e", ALPHA, dw, noise), 1e-8);
        assertArrayEquals(softmax(ALPHA, new double[3], 0.5), s.weights("other", ALPHA, noise), 1e-15, "no noise: zeros");
    }

    @Test
    void gumbelSoftDrawsNoiseChoiceByChoiceAtTheNetworksPrecision() {
        Map<String, double[]> alphas = new LinkedHashMap<>();
        alphas.put("b", ALPHA);
        alphas.put("a", new double[] {0, 1});
        GumbelSoft.Noise drawn = new GumbelSoft().sample(alphas, new Random(3), 0.7, DataType.FLOAT);
        Random r = new Random(3);
        for (String key : alphas.keySet()) { // in the order given, each choice's candidates in turn
            double[] g = drawn.noise().get(key);
            assertEquals(alphas.get(key).length, g.length);
            for (double v : g) {
                double u = Math.min(Math.max(r.nextDouble(), 1e-10), 1 - 1e-10);
                assertEquals((float) -Math.log(-Math.log(u)), v, 0, key);
            }
        }
        assertEquals(0.7f, drawn.tau(), 0, "a float network computes with a float tau");
        assertTrue(drawn.hard().isEmpty(), "soft: no one-hot");
        GumbelSoft.Noise none = new GumbelSoft().sample(alphas, null, 0.7, DataType.DOUBLE);
        assertArrayEquals(new double[3], none.noise().get("b"), 0, "no random: no noise");
        assertEquals(0.7, none.tau(), 0);
    }

    @Test
    void gumbelHardForwardsTheDrawnOneHotAndBackwardsTheSoftGradient() {
        GumbelHard h = new GumbelHard();
        Map<String, double[]> alphas = Map.of("e", ALPHA);
        GumbelSoft.Noise drawn = h.sample(alphas, new Random(11), 0.3, DataType.DOUBLE);
        double[] p = softmax(ALPHA, drawn.noise().get("e"), 0.3);
        int best = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2;
        double[] oneHot = new double[3];
        oneHot[best] = 1;
        assertArrayEquals(oneHot, drawn.hard().get("e"), 0);
        assertArrayEquals(oneHot, h.weights("e", ALPHA, drawn), 0);
        double[] dw = {0.3, -1.0, 0.4};
        assertArrayEquals(new GumbelSoft().alphaGradient("e", ALPHA, dw, drawn), h.alphaGradient("e", ALPHA, dw, drawn), 0,
                "straight-through: the soft gradient");
        GumbelSoft.Noise chosen = new GumbelSoft.Noise(0.3, drawn.noise(), Map.of("e", new double[] {0, 0, 1}));
        assertArrayEquals(new double[] {0, 0, 1}, h.weights("e", ALPHA, chosen), 0, "a one-hot set from outside wins");
        GumbelSoft.Noise soft = new GumbelSoft.Noise(0.3, drawn.noise(), Map.of());
        assertArrayEquals(oneHot, h.weights("e", ALPHA, soft), 0, "without one, the one-hot of the soft weights");
    }

    @Test
    void oneHotRunsThePathItIsGivenAndMasksInputChoices() {
        OneHot o = new OneHot();
        OneHot.Path path = new OneHot.Path(Map.of("e", new double[] {0, 1, 0}), Map.of("in", new double[] {1, 0}));
        assertArrayEquals(new double[] {0, 1, 0}, o.step(path).weights("e", null), 0);
        assertArrayEquals(new double[] {1, 0}, o.step(path).inputMask("in", 2), 0);
        assertArrayEquals(new double[] {1, 1, 1}, o.step(path).inputMask("other", 3), 0, "no mask: every input");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> o.weights("f", null, path));
        assertEquals("no op chosen for choice 'f'", e.getMessage());
        assertFalse(o.learnsAlpha());
        assertTrue(o.masksInputs());
    }

    @Test
    void binaryGateMixesByItsGatesAndNamesTheCandidatesToDifferentiate() {
        BinaryGate b = new BinaryGate();
        boolean[] drawn = {true, false, true};
        BinaryGate.Binarized gates = new BinaryGate.Binarized(Map.of("e", new double[] {0, 0, 1}), Map.of("e", drawn));
        Step<BinaryGate.Binarized> step = b.step(gates);
        assertArrayEquals(new double[] {0, 0, 1}, step.weights("e", ALPHA), 0);
        assertArrayEquals(new double[3], step.alphaGradient("e", ALPHA, new double[] {1, 2, 3}), 0,
                "alpha learns from the gates' gradients, in the strategy");
        assertSame(drawn, step.gateCandidates().get("e"));
        assertTrue(b.binaryGates());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> step.weights("f", ALPHA));
        assertEquals("no binary gate set for choice 'f'", e.getMessage());
    }
}

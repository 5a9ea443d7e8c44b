package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.ElasticNetwork;
import io.cellforge.engine.relax.Gates;
import io.cellforge.ops.Shape;
import io.cellforge.search.ElasticSpace.Phase;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressiveShrinkingTest {
    /** One elastic stage of two mbconv blocks (8 channels) on 8x8 digits: keys s1b1_k/_e, s1b2_k/_e, s1_depth (1, 2). */
    static SearchSpace tiny() {
        return Zoo.ofa(new Shape(1, 8, 8), 10, 8, new int[][] {{8, 1, 2}}, List.of(1.0, 2.0), 16).withName("ofa-tiny");
    }

    static DataBundle digits;

    /** 160 digits: 128 to train on (2 batches of 64), 32 to validate on (one batch). */
    @BeforeAll
    static void load() throws Exception {
        DataBundle all = Datasets.digits();
        int[] idx = new int[160];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        digits = new DataBundle(all.train().subset(idx, "digits-160"), all.test(), all.description());
    }

    static Architecture arch(int k1, int e1, int k2, int e2, int depth) {
        Map<String, Decision> m = new LinkedHashMap<>();
        m.put("s1b1_k", new Decision.Value(k1));
        m.put("s1b1_e", new Decision.Value(e1));
        m.put("s1b2_k", new Decision.Value(k2));
        m.put("s1b2_e", new Decision.Value(e2));
        m.put("s1_depth", new Decision.Value(depth));
        return new Architecture(m);
    }

    static Map<String, INDArray> copy(Map<String, INDArray> w) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        w.forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    static Batches.Batch firstBatch() {
        Dataset d = digits.train();
        return new Batches(d, d.channelStats(), 64, 10, 1).next();
    }

    @Test
    void trainingA3x3SubNetworkChangesTheCentreOfThe7x7KernelsAndNothingElse() throws Exception {
        SearchSpace s = tiny();
        ElasticSpace e = ElasticSpace.of(s);
        ElasticNetwork net = new ElasticNetwork(Evaluator.fixedPlan(s, e.largest()), 0.9, 3e-5, 1);
        // Block 1: kernel 3, expansion 3 of 6; block 2 skipped (depth 1).
        ElasticNetwork.Sub sub = net.sub(Evaluator.fixedPlan(s, arch(3, 3, 3, 3, 1)));
        Map<String, INDArray> before = copy(net.weights());
        Batches.Batch batch = firstBatch();
        sub.train(batch.x(), batch.y(), 0.1);

        List<String> names = new ArrayList<>(net.weights().keySet());
        // The engine's order: stem conv, BN (2); block 1: expand conv, BN (2), depthwise, BN (2), project conv, BN (2); block 2 the same.
        List<String> block1 = names.subList(3, 12);
        List<String> block2 = names.subList(12, 21);
        String dw1 = block1.get(3);
        assertTrue(dw1.startsWith("dw_w"), names.toString());
        assertEquals(List.of(7L, 7L, 48L, 1L), List.of(box(net.weights().get(dw1).shape())));

        INDArray was = before.get(dw1);
        INDArray now = net.weights().get(dw1);
        INDArray centre = now.get(NDArrayIndex.interval(2, 5), NDArrayIndex.interval(2, 5), NDArrayIndex.interval(0, 24), NDArrayIndex.all());
        assertNotEquals(was.get(NDArrayIndex.interval(2, 5), NDArrayIndex.interval(2, 5), NDArrayIndex.interval(0, 24), NDArrayIndex.all()),
                centre, "the 3x3 centre of the used channels learnt");
        for (int i = 0; i < 7; i++) {
            for (int j = 0; j < 7; j++) {
                for (int c = 0; c < 48; c++) {
                    boolean used = i >= 2 && i < 5 && j >= 2 && j < 5 && c < 24;
                    if (!used) {
                        assertEquals(was.getDouble(i, j, c, 0), now.getDouble(i, j, c, 0), 0.0, "tap " + i + "," + j + " channel " + c);
                    }
                }
            }
        }
        // Expansion 3 of 6: the first 24 of the 48 hidden channels of every tensor of block 1, the rest untouched.
        INDArray expand = net.weights().get(block1.get(0));
        assertEquals(before.get(block1.get(0)).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(24, 48)),
                expand.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(24, 48)));
        assertNotEquals(before.get(block1.get(0)), expand);
        for (int t : new int[] {1, 2, 4, 5}) {
            INDArray bn = net.weights().get(block1.get(t));
            assertEquals(before.get(block1.get(t)).get(NDArrayIndex.interval(24, 48)), bn.get(NDArrayIndex.interval(24, 48)), block1.get(t));
        }
        INDArray project = net.weights().get(block1.get(6));
        assertEquals(before.get(block1.get(6)).get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(24, 48), NDArrayIndex.all()),
                project.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(24, 48), NDArrayIndex.all()));
        // The skipped block keeps every weight; the stem and head, used whole, learn.
        for (String n : block2) {
            assertEquals(before.get(n), net.weights().get(n), n + " of the skipped block");
        }
        assertNotEquals(before.get(names.get(0)), net.weights().get(names.get(0)));
        assertNotEquals(before.get(names.get(names.size() - 2)), net.weights().get(names.get(names.size() - 2)));
    }

    private static Long[] box(long[] a) {
        Long[] out = new Long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /**
     * A plain network of the sub-network's plan, its weights cut out of the shared ones by hand: the centre of each
     * kernel, the first channels; for depth 1 the shared weights of block 2 are passed over.
     */
    static CompiledNetwork plainNetwork(SearchSpace s, Architecture a, Map<String, INDArray> shared, boolean secondBlock) throws Exception {
        CompiledNetwork plain = new CompiledNetwork(Evaluator.fixedPlan(s, a), CompiledNetwork.Options.darts(99));
        List<INDArray> full = new ArrayList<>(shared.values());
        if (!secondBlock) {
            full.subList(12, 21).clear();
        }
        List<INDArray> own = new ArrayList<>(plain.weights().values());
        assertEquals(full.size(), own.size());
        for (int i = 0; i < own.size(); i++) {
            long[] o = own.get(i).shape();
            long[] f = full.get(i).shape();
            INDArrayIndex[] ix = new INDArrayIndex[o.length];
            for (int d = 0; d < o.length; d++) {
                long from = o.length == 4 && d < 2 ? (f[d] - o[d]) / 2 : 0;
                ix[d] = NDArrayIndex.interval(from, from + o[d]);
            }
            own.get(i).assign(full.get(i).get(ix));
        }
        return plain;
    }

    @Test
    void aScoredSubNetworkIsThePlainNetworkOfItsSlicedWeights() throws Exception {
        SearchSpace s = tiny();
        ProgressiveShrinking ps = ProgressiveShrinking.train(ElasticSpace.of(s), digits, ProgressiveShrinking.Config.of(1, 64, 3),
                new ProgressiveShrinking.Listener() { }, new SearchControl());
        Batches.Batch b = firstBatch();
        for (Architecture a : List.of(arch(5, 4, 3, 6, 2), arch(3, 3, 7, 6, 1), arch(7, 6, 7, 6, 2))) {
            boolean second = ((Decision.Value) a.get("s1_depth").orElseThrow()).value() == 2;
            CompiledNetwork plain = plainNetwork(s, a, ps.network().weights(), second);
            INDArray expected = plain.evaluate(b.x(), b.y(), Gates.NONE).logits().dup();
            INDArray got = ps.sub(a).evaluate(b.x(), b.y()).logits();
            assertTrue(expected.equalsWithEps(got, 1e-5), a + ": " + expected + " / " + got);
            double acc = ps.accuracy(a, 1);
            double plainAcc = OneShotSearch.evaluate(plain, ps.validation(), ps.validationImages(1), Gates.NONE)[1];
            assertEquals(plainAcc, acc, 0.0, a.toString());
        }
    }

    @Test
    void phasesShrinkInOrderLargestKernelExpansionDepthWithANewSubNetworkEachStep() throws Exception {
        SearchSpace s = tiny();
        ElasticSpace e = ElasticSpace.of(s);
        List<Phase> phases = new ArrayList<>();
        Map<Phase, List<Architecture>> sampled = new LinkedHashMap<>();
        ProgressiveShrinking.train(e, digits, ProgressiveShrinking.Config.of(2, 64, 5), new ProgressiveShrinking.Listener() {
            @Override
            public void phase(Phase phase, int epochs, int stepsPerEpoch) {
                phases.add(phase);
            }

            @Override
            public void step(Phase phase, int epoch, int step, Architecture a, double loss) {
                sampled.computeIfAbsent(phase, p -> new ArrayList<>()).add(a);
            }
        }, new SearchControl());
        assertEquals(List.of(Phase.LARGEST, Phase.KERNEL, Phase.EXPANSION, Phase.DEPTH), phases);
        assertEquals(List.copyOf(phases), List.copyOf(sampled.keySet()), "steps in phase order");
        Architecture largest = e.largest();
        assertEquals(arch(7, 6, 7, 6, 2), largest);
        for (List<Architecture> l : sampled.values()) {
            assertEquals(2 * 2, l.size(), "2 epochs of 2 batches");
        }
        assertTrue(sampled.get(Phase.LARGEST).stream().allMatch(largest::equals));
        for (Phase p : List.of(Phase.KERNEL, Phase.EXPANSION, Phase.DEPTH)) {
            for (Architecture a : sampled.get(p)) {
                for (var key : e.roles().entrySet()) {
                    if (!p.samples(key.getValue())) {
                        assertEquals(largest.get(key.getKey()), a.get(key.getKey()), p + " keeps " + key.getKey() + " largest");
                    }
                }
            }
            Set<Map.Entry<String, Decision>> seen = new HashSet<>();
            sampled.get(p).forEach(a -> seen.addAll(a.choices().entrySet()));
            for (var key : e.roles().entrySet()) {
                if (p.samples(key.getValue())) {
                    assertTrue(seen.stream().filter(x -> x.getKey().equals(key.getKey())).count() > 1, p + " samples " + key.getKey());
                }
            }
            assertTrue(new HashSet<>(sampled.get(p)).size() > 1, p + " trains several sub-networks");
        }
    }

    @Test
    void theSameSeedTrainsTheSameWeightsAndScores() throws Exception {
        SearchSpace s = tiny();
        Architecture a = arch(5, 4, 3, 6, 2);
        double[] acc = new double[3];
        List<Map<String, INDArray>> w = new ArrayList<>();
        long[] seeds = {11, 11, 12};
        try (Backend.ThreadPin pin = Backend.pinThreads(1)) {
            for (int i = 0; i < 3; i++) {
                ProgressiveShrinking ps = ProgressiveShrinking.train(ElasticSpace.of(s), digits, ProgressiveShrinking.Config.of(1, 64, seeds[i]),
                        new ProgressiveShrinking.Listener() { }, new SearchControl());
                acc[i] = ps.accuracy(a, 1);
                w.add(copy(ps.network().weights()));
            }
        }
        assertEquals(w.get(0), w.get(1), "same seed, same weights");
        assertEquals(acc[0], acc[1], 0.0);
        assertNotEquals(w.get(0), w.get(2), "another seed, other weights");
    }

    @Test
    void theZoosElasticSpacesAreSlicesOfTheirLargestNetwork() throws Exception {
        for (String name : List.of("ofa-mini", "ofa-cifar")) {
            SearchSpace s = Zoo.get(name).orElseThrow();
            ElasticSpace e = ElasticSpace.of(s);
            int blocks = name.equals("ofa-mini") ? 6 : 16;
            assertEquals(blocks, e.keys(ElasticSpace.Role.KERNEL).size(), name);
            assertEquals(blocks, e.keys(ElasticSpace.Role.EXPANSION).size(), name);
            assertEquals(name.equals("ofa-mini") ? 2 : 4, e.keys(ElasticSpace.Role.DEPTH).size(), name);
            ElasticNetwork net = new ElasticNetwork(Evaluator.fixedPlan(s, e.largest()), 0.9, 0, 1);
            ElasticNetwork.Sub smallest = net.sub(Evaluator.fixedPlan(s, e.sample(Phase.DEPTH, new java.util.Random(2))));
            assertFalse(smallest.slices().isEmpty());
            for (ElasticNetwork.Slice sl : smallest.slices()) {
                assertTrue(net.weights().containsKey(sl.shared()), sl.shared());
            }
        }
    }

    @Test
    void aSpaceThatIsNotElasticIsRefusedNamingItsKey() {
        var mb = assertThrowsIae(() -> ElasticSpace.of(Zoo.get("mobilenetv2-cifar").orElseThrow()));
        assertTrue(mb.contains("'b1' is a LayerChoice") && mb.contains("MB3E3"), mb);
        var darts = assertThrowsIae(() -> ElasticSpace.of(Zoo.get("darts-mini").orElseThrow()));
        assertTrue(darts.contains("LayerChoice") || darts.contains("InputChoice"), darts);
        // A ValueChoice of a width is no slice of one set of weights.
        SearchSpace t = tiny();
        SearchSpace widths = t.withNetwork(t.network().withStages(List.of(t.network().stages().get(0)
                .withChannels(io.cellforge.space.Param.ref("s1b1_e")), t.network().stages().get(1))));
        var w = assertThrowsIae(() -> ElasticSpace.of(widths));
        assertTrue(w.contains("'s1b1_e'") && w.contains("stage s1b1"), w);
        // A block its depth can skip passes its input on only through its residual shortcut.
        var b2 = t.network().stages().get(1);
        SearchSpace plain = t.withNetwork(t.network().withStages(List.of(t.network().stages().get(0), new io.cellforge.space.Stage(b2.name(),
                b2.kind(), b2.cell(), b2.op(), b2.role(), b2.channels(), b2.widen(), b2.stride(), b2.repeat(), false))));
        var r = assertThrowsIae(() -> ElasticSpace.of(plain));
        assertTrue(r.contains("stage s1b2") && r.contains("residual"), r);
        assertFalse(ElasticSpace.of(t).roles().isEmpty());
    }

    private static String assertThrowsIae(org.junit.jupiter.api.function.Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}

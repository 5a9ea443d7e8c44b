package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import io.cellforge.trial.TinySpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A budget as an expected-cost term of the architecture loss (ProxylessNAS's latency loss, for multiply-adds here). */
class CostTermTest {
    private static final ToDoubleFunction<Architecture> MACS = a -> Evaluator.evaluate(Zoo.get("nas-bench-201").orElseThrow(), a).macs();

    private static Map<String, double[]> uniform(SearchSpace s) {
        Map<String, double[]> p = new HashMap<>();
        s.mutablesByKey().values().forEach(m -> {
            if (m instanceof LayerChoice lc) {
                double[] u = new double[lc.labels().size()];
                java.util.Arrays.fill(u, 1.0 / u.length);
                p.put(lc.key(), u);
            }
        });
        return p;
    }

    @Test
    void oneHotProbabilitiesGiveTheArchitecturesOwnCount() {
        // NAS-Bench-201: no InputChoices, each edge's op adds its own multiply-adds; the additive model is exact.
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        CostTerm t = new CostTerm("macs", nb, MACS, 1e8, 1);
        java.util.Random r = new java.util.Random(4);
        for (int n = 0; n < 20; n++) {
            Map<String, double[]> p = new HashMap<>();
            Map<String, io.cellforge.arch.Decision> d = new HashMap<>();
            for (String k : t.keys()) {
                LayerChoice lc = (LayerChoice) nb.mutablesByKey().get(k);
                int i = r.nextInt(lc.labels().size());
                double[] one = new double[lc.labels().size()];
                one[i] = 1;
                p.put(k, one);
                d.put(k, new io.cellforge.arch.Decision.Op(lc.labels().get(i)));
            }
            assertEquals(MACS.applyAsDouble(new Architecture(d)), t.expected(p), 1e-6);
        }
    }

    @Test
    void itsGradientIsTheDerivativeThroughTheSoftmax() {
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        Map<String, double[]> p = uniform(nb);
        CostTerm t = new CostTerm("macs", nb, MACS, 0.5 * new CostTerm("m", nb, MACS, 1, 1).expected(p), 2); // over budget
        String k = t.keys().get(0);
        double[] logits = {0.3, -0.2, 0.1, 0.5, -0.4};
        double[] g = t.gradient(with(p, k, logits)).get(k);
        for (int j = 0; j < logits.length; j++) {
            double[] up = logits.clone();
            double[] down = logits.clone();
            up[j] += 1e-5;
            down[j] -= 1e-5;
            double numeric = (t.value(with(p, k, up)) - t.value(with(p, k, down))) / 2e-5;
            assertEquals(numeric, g[j], 1e-6 + 1e-4 * Math.abs(numeric), "d/d logit " + j);
        }
        // within budget the term neither costs nor pulls
        CostTerm loose = new CostTerm("macs", nb, MACS, 1e12, 2);
        assertEquals(0, loose.value(p));
        assertTrue(java.util.Arrays.stream(loose.gradient(p).get(k)).allMatch(x -> x == 0));
    }

    private static Map<String, double[]> with(Map<String, double[]> p, String k, double[] logits) {
        Map<String, double[]> m = new HashMap<>(p);
        m.put(k, io.cellforge.engine.relax.Softmax.softmax(logits, null, 1));
        return m;
    }

    @Test
    void aChoiceAnInputChoiceMayDropIsCountedWhereItsEdgeIsKept() {
        SearchSpace tiny = TinySpace.space();
        ToDoubleFunction<Architecture> macs = a -> Evaluator.evaluate(tiny, a).macs();
        CostTerm t = new CostTerm("macs", tiny, macs, 1e9, 1);
        Map<String, double[]> p = uniform(tiny);
        // n2_p1 (edge n1 -> n2) is not among n2's first inputs; its sep_conv still costs more than its skip.
        double[] onlySep = {0, 0, 0, 1};
        double[] onlySkip = {0, 0, 1, 0};
        Map<String, double[]> a = new HashMap<>(p);
        a.put("n2_p1", onlySep);
        Map<String, double[]> b = new HashMap<>(p);
        b.put("n2_p1", onlySkip);
        assertTrue(t.expected(a) > t.expected(b), t.expected(a) + " vs " + t.expected(b));
    }

    @Test
    void aBudgetPullsTheSearchTowardsCheaperOps() throws Exception {
        SearchSpace tiny = TinySpace.space();
        DataBundle digits = Datasets.digits();
        ToDoubleFunction<Architecture> macs = a -> Evaluator.evaluate(tiny, a).macs();
        SearchConfig cfg = SearchConfig.builder("darts").epochs(2).batchSize(32).seed(3).archLr(3e-2).build();
        SearchResult free = new OneShotSearch(tiny, digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl());
        CostTerm probe = new CostTerm("macs", tiny, macs, 1, 1);
        double before = probe.expected(free.weights());
        CostTerm budget = new CostTerm("macs", tiny, macs, 0.5 * before, 50);
        SearchResult held = new OneShotSearch(tiny, digits, cfg, List.of(budget)).run(new SearchEvents.Listener() { }, new SearchControl());
        double after = probe.expected(held.weights());
        assertTrue(after < 0.9 * before, "expected multiply-adds " + before + " without the budget, " + after + " with it");
    }
}

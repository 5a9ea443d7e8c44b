package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.plan.PlanException;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every one-shot strategy over LayerChoices of dynamic convolutions, on the bundled strokes and their context. */
class DynamicSearchTest {
    static DataBundle strokes;

    @BeforeAll
    static void load() throws Exception {
        strokes = Datasets.strokes().sampled(256, 64, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"darts", "darts2", "gdas", "snas", "spos", "proxyless", "proxyless-uniform"})
    void everyStrategySearchesDynamicConvolutions(String strategy) throws Exception {
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        SearchResult r = new OneShotSearch(s, strokes, SearchConfig.builder(strategy).epochs(2).batchSize(32).lr(0.1)
                .archLr(3e-2).generations(1).build()).run(new SearchEvents.Listener() { }, new SearchControl());
        assertTrue(r.completed());
        assertTrue(r.epochs().stream().allMatch(e -> Double.isFinite(e.trainLoss())), strategy + ": " + r.epochs());
        for (String key : new String[] {"n1_p0", "n2_p0", "n2_p1"}) {
            double[] p = r.weights().get(key);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-9, strategy + " " + key);
            if (!strategy.equals("spos")) {
                double spread = Arrays.stream(p).max().orElseThrow() - Arrays.stream(p).min().orElseThrow();
                assertTrue(spread > 1e-4, strategy + " moves alpha of " + key + ": " + Arrays.toString(p));
            }
        }
        assertTrue(Evaluator.evaluate(s, r.architecture()).ok(), Evaluator.evaluate(s, r.architecture()).problems()::toString);
        assertTrue(r.architecture().get("n1_p0").orElseThrow() instanceof Decision.Op);
    }

    @Test
    void dataWithoutTheContextAreRefusedBeforeAnythingRuns() throws Exception {
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        DataBundle plain = new DataBundle(strokes.train().withContext(new float[0], 0), strokes.test().withContext(new float[0], 0),
                "strokes without context");
        PlanException e = assertThrows(PlanException.class, () -> new OneShotSearch(s, plain, SearchConfig.builder("darts")
                .epochs(1).build()).run(new SearchEvents.Listener() { }, new SearchControl()));
        assertTrue(e.getMessage().contains("reads a context of 4 values a sample but"), e.getMessage());
    }
}

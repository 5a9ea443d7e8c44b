package io.cellforge.search;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Checkpoint;
import io.cellforge.io.LoadException;
import io.cellforge.io.SearchConfigYaml;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;
import io.cellforge.trial.TinySpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ModularNAS's chain of a DefaultEstimator (weights only) before the search: in a one-shot search, the warm-up
 * epochs hold the architecture weights; a supernet trained after a warm-up starts from the warm weights.
 */
class WarmupTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    static SearchSpace tiny() {
        return TinySpace.space();
    }

    /** The architecture's probabilities before any step: a run stopped before its first. */
    static Map<String, double[]> initial(SearchConfig cfg) throws Exception {
        SearchControl stopped = new SearchControl();
        stopped.stop();
        return new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() { }, stopped).weights();
    }

    @ParameterizedTest
    @ValueSource(strings = {"darts", "darts2", "gdas", "snas", "proxyless", "proxyless-uniform"})
    void theArchitectureStaysDuringTheWarmUpAndMovesAfterIt(String strategy) throws Exception {
        SearchConfig cfg = SearchConfig.builder(strategy).epochs(3).warmup(2).seed(3).lr(0.1).archLr(3e-2).build();
        Map<String, double[]> init = initial(cfg);
        List<SearchEvents.Step> steps = new ArrayList<>();
        SearchResult r = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step s) {
                steps.add(s);
            }
        }, new SearchControl());
        assertTrue(r.completed());
        assertEquals(3 * 11, steps.size());
        for (SearchEvents.Step s : steps.subList(0, 22)) {
            for (var k : init.keySet()) {
                assertArrayEquals(init.get(k), s.weights().get(k), strategy + ": " + k + " moved at epoch " + s.epoch() + " step " + s.step());
            }
        }
        assertTrue(steps.get(21).trainLoss() < steps.get(0).trainLoss(), strategy + ": the weights train during the warm-up");
        double moved = 0;
        for (var k : init.keySet()) {
            for (int i = 0; i < init.get(k).length; i++) {
                moved = Math.max(moved, Math.abs(init.get(k)[i] - r.weights().get(k)[i]));
            }
        }
        assertTrue(moved > 1e-3, strategy + ": the architecture moves once the warm-up ends: " + moved);
        assertFalse(Arrays.equals(init.get("n2_p1"), steps.get(22).weights().get("n2_p1")), strategy + ": from the first step after it");
    }

    @Test
    void aSearchStoppedInItsWarmUpResumesAsIfItHadNeverStopped(@TempDir Path dir) throws Exception {
        SearchConfig cfg = SearchConfig.builder("darts").epochs(3).warmup(2).seed(5).lr(0.1).archLr(3e-2).build();
        SearchResult straight = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl());
        Path ckpt = dir.resolve("ckpt");
        SearchControl control = new SearchControl();
        int[] steps = {0};
        SearchResult first = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step s) {
                if (++steps[0] == 16) {
                    control.stop(); // in the second epoch, still warming up
                }
            }
        }, control, ckpt, null);
        assertFalse(first.completed());
        SearchResult resumed = new OneShotSearch(tiny(), digits, cfg).run(new SearchEvents.Listener() { }, new SearchControl(), ckpt, ckpt);
        assertTrue(resumed.completed());
        for (String k : straight.weights().keySet()) {
            assertArrayEquals(straight.weights().get(k), resumed.weights().get(k), 1e-5, k);
        }
        assertEquals(straight.epochs().get(2).validAccuracy(), resumed.epochs().get(2).validAccuracy(), 1e-9);
        assertEquals(straight.architecture(), resumed.architecture());

        // The checkpoint holds the warm-up: resuming without it, or a run without one with it, is refused by name.
        LoadException without = assertThrows(LoadException.class, () -> new OneShotSearch(tiny(), digits, cfg.toBuilder().warmup(0).build())
                .run(new SearchEvents.Listener() { }, new SearchControl(), null, ckpt));
        assertTrue(without.getMessage().contains("config.warmup"), without.getMessage());
        Path plain = dir.resolve("plain");
        SearchControl stop = new SearchControl();
        stop.stop();
        SearchConfig noWarmup = cfg.toBuilder().warmup(0).build();
        new OneShotSearch(tiny(), digits, noWarmup).run(new SearchEvents.Listener() { }, stop, plain, null);
        assertTrue(Checkpoint.isCheckpoint(plain));
        LoadException with = assertThrows(LoadException.class, () -> new OneShotSearch(tiny(), digits, cfg)
                .run(new SearchEvents.Listener() { }, new SearchControl(), null, plain));
        assertTrue(with.getMessage().contains("warmup"), with.getMessage());
    }

    @Test
    void aWarmUpLeavesAnEpochToSearchInAndNeedsArchitectureWeights() throws Exception {
        IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
                () -> SearchConfig.builder("darts").epochs(3).warmup(3).build());
        assertTrue(all.getMessage().contains("warmup must be from 0 to epochs - 1 (2)"), all.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SearchConfig.builder("darts").epochs(3).warmup(-1).build());
        IllegalArgumentException spos = assertThrows(IllegalArgumentException.class,
                () -> SearchConfig.builder("spos").epochs(3).warmup(1).build());
        assertTrue(spos.getMessage().contains("spos has none"), spos.getMessage());
        // Written only when set: the records and checkpoints of searches without one are as they were.
        assertFalse(SearchConfig.darts(3, 64, 1).toMap().containsKey("warmup"));
        SearchConfig read = SearchConfigYaml.read("strategy: gdas\nepochs: 120\nwarmup: 20\n", "s.yaml", null).build();
        assertEquals(20, read.warmup());
        assertEquals(20, read.toMap().get("warmup"));
        LoadException bad = assertThrows(LoadException.class, () -> SearchConfigYaml.read("epochs: 5\nwarmup: 5\n", "s.yaml", null));
        assertTrue(bad.getMessage().startsWith("s.yaml:2:"), bad.getMessage());
    }

    @Test
    void aSupernetTrainedAfterAWarmUpStartsFromTheWarmWeights() throws Exception {
        SearchConfig cfg = SearchConfig.builder("spos").epochs(1).seed(4).lr(0.2).build();
        OneShotSearch.Supernet warm = new OneShotSearch(tiny(), digits, cfg).trainSupernet(new SearchEvents.Listener() { }, new SearchControl());
        Map<String, float[]> warmWeights = copy(warm.weights());
        SearchControl stopped = new SearchControl();
        stopped.stop();
        OneShotSearch.Supernet fresh = new OneShotSearch(tiny(), digits, cfg).trainSupernet(new SearchEvents.Listener() { }, stopped);
        OneShotSearch.Supernet chained = new OneShotSearch(tiny(), digits, cfg).trainSupernet(new SearchEvents.Listener() { }, stopped, warm);
        assertEquals(warmWeights.keySet(), copy(chained.weights()).keySet());
        warmWeights.forEach((k, w) -> assertArrayEquals(w, copy(chained.weights()).get(k), k + ": the next stage starts from the warm weights"));
        assertNotEquals(0, warmWeights.keySet().stream().filter(k -> !Arrays.equals(warmWeights.get(k), copy(fresh.weights()).get(k))).count(),
                "a fresh supernet is not the warm one");

        OneShotSearch.Supernet trained = new OneShotSearch(tiny(), digits, cfg).trainSupernet(new SearchEvents.Listener() { }, new SearchControl(),
                warm);
        warmWeights.forEach((k, w) -> assertArrayEquals(w, copy(warm.weights()).get(k), k + ": the warm supernet is copied, not trained on"));
        assertTrue(warmWeights.keySet().stream().anyMatch(k -> !Arrays.equals(warmWeights.get(k), copy(trained.weights()).get(k))));
    }

    static Map<String, float[]> copy(Map<String, INDArray> w) {
        Map<String, float[]> m = new LinkedHashMap<>();
        w.forEach((k, v) -> m.put(k, v.dup().data().asFloat()));
        return m;
    }
}

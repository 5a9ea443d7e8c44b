package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.data.Datasets;
import io.cellforge.search.OneShotSearch;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SuperNetEstimatorTest {
    @Test
    void pathsOfATrainedSposSupernetAreScoredDeterministically() throws Exception {
        SearchSpace s = TinySpace.space();
        long t0 = System.nanoTime();
        SuperNetEstimator est = SuperNetEstimator.train(s, Datasets.digits(), SearchConfig.builder("spos").epochs(2).lr(0.2).build(), 4, null,
                new SearchEvents.Listener() { }, new SearchControl());
        double trained = (System.nanoTime() - t0) / 1e9;
        Architecture conv = TinySpace.arch("sep_conv_3x3", "sep_conv_3x3");
        Architecture none = TinySpace.arch("none", "none");
        long t1 = System.nanoTime();
        Scores a = est.estimate(conv, 1);
        System.out.printf("tiny SPOS supernet trained in %.1f s; one score in %.3f s: %s%n", trained, (System.nanoTime() - t1) / 1e9, a);
        Scores b = est.estimate(none, 1);
        for (Scores sc : new Scores[] {a, b}) {
            assertTrue(sc.accuracy() >= 0 && sc.accuracy() <= 1, sc.toString());
        }
        assertEquals(a, est.estimate(conv, 2), "the same weights and path, the same score, whatever the seed");
        assertNotEquals(a.accuracy(), b.accuracy(), "two paths, two scores");
        assertTrue(a.accuracy() > b.accuracy(), "a trained conv path beats a path of zeros: " + a + " / " + b);
        assertTrue(a.get(Scores.PARAMS).orElseThrow() > b.get(Scores.PARAMS).orElseThrow());
    }

    @Test
    void onlyASinglePathStrategyTrainsASupernetToScoreWith() {
        OneShotSearch darts = new OneShotSearch(TinySpace.space(), null, SearchConfig.of("darts", 1, 64, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> darts.trainSupernet(new SearchEvents.Listener() { }, new SearchControl()));
        assertTrue(e.getMessage().contains("spos"), e.getMessage());
    }
}

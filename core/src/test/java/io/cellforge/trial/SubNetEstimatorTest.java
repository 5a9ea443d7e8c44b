package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubNetEstimatorTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    @Test
    void twoTrialsTrainAtOnceAndASeedGivesTheSameAccuracy(@TempDir Path dir) throws Exception {
        SearchSpace s = TinySpace.space();
        LatencyTable lut = LatencyTable.build(s, new LatencyTable.Settings(64, 1, 1, 3), dir);
        SubNetEstimator est = new SubNetEstimator(s, digits, Retrain.Config.darts(1, 64, 0).withLr(0.2), 0.8, 2, lut, new SearchControl());
        Architecture conv = TinySpace.arch("sep_conv_3x3", "sep_conv_3x3");
        Architecture pool = TinySpace.arch("max_pool_3x3", "sep_conv_3x3");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool2 = Executors.newFixedThreadPool(2);
        try {
            long t0 = System.nanoTime();
            Future<Scores> a = pool2.submit(() -> {
                together.await();
                return est.estimate(conv, 7);
            });
            Future<Scores> b = pool2.submit(() -> {
                together.await();
                return est.estimate(pool, 8);
            });
            Scores sa = a.get(5, TimeUnit.MINUTES);
            Scores sb = b.get(5, TimeUnit.MINUTES);
            System.out.printf("two subnet trials of 1 epoch on digits, side by side: %.1f s (%d threads each): %s / %s%n",
                    (System.nanoTime() - t0) / 1e9, est.threadsPerTrial(), sa, sb);
            for (Scores sc : List.of(sa, sb)) {
                assertTrue(sc.accuracy() > 0 && sc.accuracy() <= 1, sc.toString());
                assertTrue(sc.get(Scores.PARAMS).orElseThrow() > 0 && sc.get(Scores.MACS).orElseThrow() > 0, sc.toString());
                assertTrue(sc.get(Scores.LATENCY).orElseThrow() > 0, sc.toString());
            }
            assertTrue(sa.get(Scores.PARAMS).orElseThrow() > sb.get(Scores.PARAMS).orElseThrow(), "a conv has weights, a pool none");

            long t1 = System.nanoTime();
            Scores again = est.estimate(conv, 7);
            System.out.printf("one subnet trial of 1 epoch on digits, alone: %.1f s%n", (System.nanoTime() - t1) / 1e9);
            assertEquals(sa, again, "the same seed, the same child and the same scores");
        } finally {
            pool2.shutdownNow();
        }
    }

    @Test
    void parallelTrialsAreBoundedByCoresAndMemory() throws Exception {
        SearchSpace s = TinySpace.space();
        int cores = Runtime.getRuntime().availableProcessors();
        int n = SubNetEstimator.maxParallel(s, 64, 1);
        assertTrue(n >= 1 && n <= cores, n + " trials on " + cores + " cores");
        assertEquals(1, SubNetEstimator.maxParallel(s, 64, cores), "every core to one trial");
        // a batch no machine holds twice: the memory bounds it, not the cores
        assertEquals(1, SubNetEstimator.maxParallel(s, 2_000_000, 1));
    }

    @Test
    void anArchitectureThatDoesNotFitIsRefusedByName() {
        SubNetEstimator est = new SubNetEstimator(TinySpace.space(), digits, Retrain.Config.darts(1, 64, 0), 0.8, 1, null, new SearchControl());
        EstimateException e = assertThrows(EstimateException.class, () -> est.estimate(Architecture.empty(), 1));
        assertTrue(e.getMessage().contains("n1_switch"), e.getMessage());
        EstimateException bad = assertThrows(EstimateException.class, () -> est.estimate(TinySpace.arch("conv_9x9", "skip_connect"), 1));
        assertTrue(bad.getMessage().contains("n1_p0"), bad.getMessage());
    }
}

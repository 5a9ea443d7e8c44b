package io.cellforge.cli;

import org.junit.jupiter.api.Test;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench command's arguments (the benchmarks themselves are run by hand, not as tests). */
class BenchCliTest {

    @Test
    void scalingRefusesSizesAndThreadCountsOutOfRangeInOneLine() {
        for (String[] bad : new String[][] {{"--batches", "0"}, {"--threads", "0,2"}, {"--batches", "8,5000"}}) {
            CliTest.Run r = run("bench", "scaling", bad[0], bad[1]);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().strip().endsWith("--batches takes sizes 1..4096 and --threads counts 1..1024, each a comma-separated list"),
                    r.err());
        }
        CliTest.Run r = run("bench", "nothing");
        assertTrue(r.err().contains("available: darts-step, retrain-step, contention, scaling, stats, first-step, compare"), r.err());
    }
}

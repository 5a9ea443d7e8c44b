package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.SpaceYaml;
import io.cellforge.trial.TinySpace;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search ... --warmup EPOCHS`: ModularNAS's DefaultEstimator chained before the search, from the command line. */
class ChainedEstimatorsCliTest {
    private static Path tiny(Path dir) throws Exception {
        Path f = dir.resolve("tiny.yaml");
        if (!Files.exists(f)) {
            Files.writeString(f, SpaceYaml.write(TinySpace.space()));
        }
        return f;
    }

    private static String[] supernet(Path dir, int budget, String... more) throws Exception {
        List<String> a = new ArrayList<>(List.of("search", "--space", tiny(dir).toString(), "--strategy", "random", "--estimator", "supernet",
                "--data", "digits", "--epochs", "1", "--batch", "32", "--seed", "5", "--budget", Integer.toString(budget)));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void theSupernetEstimatorTrainsOnFromTheWarmUpAndAResumedChainEndsAsAStraightOne(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        CliTest.Run r = run(supernet(dir, 4, "--warmup", "1", "--out", straight.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warming up the SPOS supernet for 1 epoch(s)"), r.err());
        assertTrue(r.err().contains("from the warm-up's weights"), r.err());
        assertEquals(1, new ObjectMapper().readTree(straight.resolve("run.json").toFile()).get("settings").get("warmup").asInt());
        List<Trial> chained = TrialLog.read(straight.resolve(TrialLog.FILE));

        Path cold = dir.resolve("cold");
        assertEquals(0, run(supernet(dir, 4, "--out", cold.toString())).code());
        List<Trial> fresh = TrialLog.read(cold.resolve(TrialLog.FILE));
        assertEquals(chained.stream().map(Trial::architecture).toList(), fresh.stream().map(Trial::architecture).toList(),
                "random search proposes the same whatever the scores");
        assertNotEquals(chained.stream().map(Trial::scores).toList(), fresh.stream().map(Trial::scores).toList(),
                "scored by a supernet that started from the warm weights, not from a fresh initialisation");

        // Stopped after 2 trials, resumed: the chain is trained again from its seed and scores the rest as the straight run did.
        Path cut = dir.resolve("cut");
        assertEquals(0, run(supernet(dir, 2, "--warmup", "1", "--out", cut.toString())).code());
        CliTest.Run resumed = run(supernet(dir, 4, "--warmup", "1", "--resume", cut.toString()));
        assertEquals(0, resumed.code(), resumed.err());
        assertEquals(chained.stream().map(Trial::scores).toList(), TrialLog.read(cut.resolve(TrialLog.FILE)).stream().map(Trial::scores).toList());

        CliTest.Run dropped = run(supernet(dir, 4, "--resume", cut.toString()));
        assertEquals(1, dropped.code(), dropped.err());
        assertTrue(dropped.err().contains("the run was started with warmup 1, not without it"), dropped.err());
        CliTest.Run added = run(supernet(dir, 4, "--warmup", "2", "--resume", cold.toString()));
        assertEquals(1, added.code(), added.err());
        assertTrue(added.err().contains("the run was started without warmup, not 2"), added.err());
    }

    @Test
    void aWarmUpIsRefusedWhereItMeansNothing(@TempDir Path dir) throws Exception {
        CliTest.Run table = run("search", "--space", "nas-bench-201", "--strategy", "random", "--estimator", "table", "--table",
                dir.resolve("t.csv").toString(), "--score-column", "acc", "--warmup", "3");
        assertEquals(1, table.code(), table.err());
        assertTrue(table.err().contains("--warmup trains a supernet's weights") && table.err().contains("a table's scores need no training"),
                table.err());
        CliTest.Run subnet = run("search", "--space", tiny(dir).toString(), "--strategy", "random", "--estimator", "subnet", "--warmup", "1");
        assertTrue(subnet.err().contains("not subnet (each child is trained from scratch"), subnet.err());
        CliTest.Run negative = run(supernet(dir, 2, "--warmup", "-1"));
        assertTrue(negative.err().contains("--warmup -1: the warm-up epochs cannot be negative"), negative.err());

        CliTest.Run spos = run("search", "--space", tiny(dir).toString(), "--strategy", "spos", "--epochs", "2", "--warmup", "1");
        assertEquals(1, spos.code(), spos.err());
        assertTrue(spos.err().contains("spos has none"), spos.err());
        CliTest.Run all = run("search", "--space", tiny(dir).toString(), "--strategy", "darts", "--epochs", "2", "--warmup", "2");
        assertEquals(1, all.code(), all.err());
        assertTrue(all.err().contains("warmup must be from 0 to epochs - 1 (1)"), all.err());
    }

    @Test
    void aOneShotSearchWarmsUpWithinItsEpochsAndRecordsIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Path events = dir.resolve("events.jsonl");
        CliTest.Run r = run("search", "--space", tiny(dir).toString(), "--strategy", "darts", "--epochs", "2", "--warmup", "1", "--batch", "64",
                "--arch-lr", "0.03", "--out", out.toString(), "--events", events.toString());
        assertEquals(0, r.code(), r.err());
        io.cellforge.search.RunFiles.Run read = io.cellforge.search.RunFiles.read(out);
        assertEquals(1, read.config().warmup(), "the run folder records the warm-up; the app reads it back");
        List<io.cellforge.search.SearchEvents.Step> steps = read.steps();
        assertEquals(22, steps.size());
        for (var s : steps.subList(0, 11)) {
            assertEquals(java.util.Arrays.toString(steps.get(0).weights().get("n2_p1")), java.util.Arrays.toString(s.weights().get("n2_p1")));
        }
        assertNotEquals(java.util.Arrays.toString(steps.get(0).weights().get("n2_p1")),
                java.util.Arrays.toString(steps.get(21).weights().get("n2_p1")));
    }
}

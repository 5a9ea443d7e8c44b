package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search --strategy random|grid|evolution|rea|reinforce|tpe` on the NAS-Bench-201 table. */
class TrialSearchCliTest {
    static final Path TABLE = Path.of("../../shared/data/nas-bench-201-test-accuracy.csv");

    @BeforeAll
    static void table() {
        Assumptions.assumeTrue(Files.exists(TABLE), "NAS-Bench-201 table not found at " + TABLE.toAbsolutePath() + "; skipped");
    }

    static String[] search(String strategy, int budget, String... more) {
        List<String> a = new ArrayList<>(List.of("search", "--space", "nas-bench-201", "--strategy", strategy, "--estimator", "table",
                "--table", TABLE.toString(), "--arch-column", "ArchitectureString", "--score-column", "CIFAR10TestAccuracy200Epochs",
                "--budget", Integer.toString(budget)));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aSearchWritesItsRunFolderAndTheBestArchitecture(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliTest.Run r = run(search("tpe", 30, "--seed", "2", "--objectives", "accuracy,params", "--out", out.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("cellforge: 1\nkind: architecture\nspace: nas-bench-201\n"), r.out());
        assertTrue(r.err().contains("trial 30/30 ["), r.err());
        for (String f : List.of("result.json", "run.json", "trials.jsonl", "space.yaml", "architecture.arch.yaml", "architecture.nb201")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        List<Trial> trials = TrialLog.read(out.resolve(TrialLog.FILE));
        assertEquals(30, trials.size());
        JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertEquals("tpe", result.get("strategy").asText());
        assertEquals(30, result.get("budget").asInt());
        assertTrue(result.get("seconds").asDouble() >= 0);
        double best = trials.stream().mapToDouble(t -> t.scores().accuracy()).max().orElseThrow();
        assertEquals(best, result.get("best").get("scores").get("accuracy").asDouble(), 0);
        assertTrue(result.get("pareto_front").size() >= 1);
        assertTrue(result.get("best").get("scores").has("params"), "params and multiply-adds beside the table's scores");
        // The folder reads as the one-shot runs' do (the app's run list).
        io.cellforge.search.RunFiles.Run read = io.cellforge.search.RunFiles.read(out);
        assertEquals("tpe", read.strategy());
        assertEquals(Boolean.TRUE, read.completed());
        Trial bestTrial = trials.stream().filter(t -> t.index() == result.get("best").get("index").asInt()).findFirst().orElseThrow();
        assertEquals(bestTrial.architecture(), read.architecture());
    }

    @Test
    void aStoppedSearchResumedFromItsLogEndsAsAStraightOne(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path cut = dir.resolve("cut");
        assertEquals(0, run(search("rea", 40, "--seed", "9", "--out", straight.toString())).code());
        assertEquals(0, run(search("rea", 15, "--seed", "9", "--out", cut.toString())).code());
        CliTest.Run r = run(search("rea", 40, "--seed", "9", "--resume", cut.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resumed: 15 trials"), r.err());
        List<Trial> a = TrialLog.read(straight.resolve(TrialLog.FILE));
        List<Trial> b = TrialLog.read(cut.resolve(TrialLog.FILE));
        assertEquals(a.stream().map(Trial::architecture).toList(), b.stream().map(Trial::architecture).toList());
        assertEquals(Files.readString(straight.resolve("architecture.nb201")), Files.readString(cut.resolve("architecture.nb201")));
        CliTest.Run other = run(search("rea", 40, "--seed", "10", "--resume", cut.toString()));
        assertEquals(1, other.code());
        assertTrue(other.err().contains("the run was started with seed 9, not 10"), other.err());
    }

    @Test
    void aConstraintHoldsForTheArchitectureReturned(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        assertEquals(0, run(search("evolution", 60, "--constraint", "params<=3e5", "--out", out.toString())).code());
        JsonNode best = new ObjectMapper().readTree(out.resolve("result.json").toFile()).get("best");
        assertTrue(best.get("scores").get("params").asDouble() <= 3e5, best.toString());
    }

    @Test
    void constraintsNoArchitectureMeetsEndWithExitCodeOneAndNoArchitecture(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliTest.Run r = run(search("random", 10, "--constraint", "params<=1", "--out", out.toString()));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("no trial met the constraints [params<=1]"), r.err());
        assertEquals("", r.out());
        assertTrue(new ObjectMapper().readTree(out.resolve("result.json").toFile()).get("best").isNull());
        assertFalse(Files.exists(out.resolve("architecture.arch.yaml")));
    }

    @Test
    void mistakesAreOneLineNamingWhatIsWrong(@TempDir Path dir) throws Exception {
        assertOneLine(run("search", "--space", "nas-bench-201", "--strategy", "random", "--table", dir.resolve("no.csv").toString(),
                "--score-column", "acc"), "no.csv: no such file");
        assertOneLine(run("search", "--space", "nas-bench-201", "--strategy", "random", "--table", TABLE.toString(), "--arch-column", "Arch",
                "--score-column", "CIFAR10TestAccuracy200Epochs"), "no column 'Arch'; the columns are CIFAR10TestAccuracy200Epochs");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "a,acc\n|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,1\n|bogus~0|,2\n");
        assertOneLine(run("search", "--space", "nas-bench-201", "--strategy", "random", "--table", bad.toString(), "--arch-column", "a",
                "--score-column", "acc"), bad + ":3: '|bogus~0|' is no architecture");
        assertOneLine(run(search("random", 5, "--constraint", "macs=5")), "--constraint: constraint 'macs=5' does not read as SCORE<=NUMBER");
        assertOneLine(run(search("random", 5, "--constraint", "latency_ms<=5")), "needs the score 'latency_ms'");
        assertOneLine(run("search", "--space", "nas-bench-201", "--strategy", "random", "--estimator", "magic"),
                "estimator 'magic' is not available");
    }

    static void assertOneLine(CliTest.Run r, String says) {
        assertEquals(1, r.code(), r.err());
        String last = r.err().lines().reduce((x, y) -> y).orElse("");
        assertTrue(last.contains(says), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }
}

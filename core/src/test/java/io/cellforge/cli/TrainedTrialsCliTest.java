package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.SpaceYaml;
import io.cellforge.trial.LatencyTable;
import io.cellforge.trial.Scores;
import io.cellforge.trial.TinySpace;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search --strategy ... --estimator subnet|supernet [--latency]`: trials trained on the bundled digits, from the command line. */
class TrainedTrialsCliTest {
    private static Path tiny(Path dir) throws Exception {
        Path f = dir.resolve("tiny.yaml");
        Files.writeString(f, SpaceYaml.write(TinySpace.space()));
        return f;
    }

    @Test
    void subnetTrialsTrainInParallelAndScoreAccuracyCostsAndLatency(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliTest.Run r = run("search", "--space", tiny(dir).toString(), "--strategy", "random", "--estimator", "subnet", "--data", "digits",
                "--epochs", "1", "--batch", "32", "--budget", "2", "--parallel", "2", "--latency", "--seed", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<Trial> trials = TrialLog.read(out.resolve(TrialLog.FILE));
        assertEquals(2, trials.size());
        for (Trial t : trials) {
            double a = t.scores().accuracy();
            assertTrue(a > 0 && a <= 1, "accuracy " + a);
            assertTrue(t.scores().get(Scores.PARAMS).orElseThrow() > 0 && t.scores().get(Scores.MACS).orElseThrow() > 0, t.scores().toString());
            assertTrue(t.scores().get(Scores.LATENCY).orElseThrow() > 0, t.scores().toString());
        }
        assertTrue(Files.exists(out.resolve(LatencyTable.FILE)), "the latency table is cached in the run folder");
        JsonNode result = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertTrue(result.toString().contains("subnet"), result.toString());
    }

    @Test
    void supernetTrialsAreScoredByTheirPathInOneTrainedSupernet(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliTest.Run r = run("search", "--space", tiny(dir).toString(), "--strategy", "rea", "--estimator", "supernet", "--data", "digits",
                "--epochs", "1", "--batch", "32", "--budget", "4", "--seed", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("training the SPOS supernet"), r.err());
        List<Trial> trials = TrialLog.read(out.resolve(TrialLog.FILE));
        assertEquals(4, trials.size());
        trials.forEach(t -> assertTrue(t.scores().accuracy() >= 0 && t.scores().accuracy() <= 1, t.toString()));
    }

    @Test
    void aTrainedEstimatorWithoutData(@TempDir Path dir) throws Exception {
        CliTest.Run r = run("search", "--space", tiny(dir).toString(), "--strategy", "random", "--estimator", "subnet", "--data",
                dir.resolve("nothing-here").toString(), "--budget", "1");
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.code() != 0 && r.err().contains("nothing-here"), r.err());
    }

    @Test
    void aOneShotSearchTakesABudgetAsAnExpectedCostTerm(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliTest.Run r = run("search", "--space", tiny(dir).toString(), "--strategy", "darts", "--epochs", "1", "--batch", "32",
                "--constraint", "macs<=20000", "--cost-weight", "5", "--seed", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("macs expected") && r.err().contains("budget 2.000e+04"), r.err());
        // The run folder keeps the budget and how the search fared, as the app's runs do (the app lists it).
        JsonNode kept = new ObjectMapper().readTree(out.resolve(io.cellforge.trial.OneShotBudget.FILE).toFile());
        assertEquals("macs<=20000", kept.get("budgets").get(0).asText(), kept.toString());
        assertEquals(5.0, kept.get("cost_weight").asDouble());
        assertTrue(kept.get("expected").get("macs").asDouble() > 0 && kept.get("found").get("macs").asDouble() > 0, kept.toString());
        // Resumed under another budget: refused, naming the one it was searched under.
        CliTest.Run other = run("search", "--space", tiny(dir).toString(), "--strategy", "darts", "--epochs", "1", "--batch", "32",
                "--constraint", "params<=100", "--seed", "2", "--out", out.toString(), "--resume", out.toString());
        assertTrue(other.code() != 0 && other.err().contains("was searched under the budget macs<=") , other.err());
        CliTest.Run refused = run("search", "--space", tiny(dir).toString(), "--strategy", "darts", "--constraint", "macs>=5");
        assertTrue(refused.code() != 0 && refused.err().contains("takes budgets SCORE<=X"), refused.err());
    }

    @Test
    void aFolderAnotherSearchHoldsIsRefused(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        try (var held = io.cellforge.search.RunService.hold(out)) {
            assertTrue(io.cellforge.search.RunService.isLive(out));
            CliTest.Run r = run("search", "--space", tiny(dir).toString(), "--strategy", "random", "--estimator", "subnet", "--budget", "1",
                    "--out", out.toString());
            assertTrue(r.code() != 0 && r.err().contains("another search is running in this folder"), r.err());
            assertTrue(!Files.exists(out.resolve(TrialLog.FILE)), "nothing written into the held folder");
        }
    }
}

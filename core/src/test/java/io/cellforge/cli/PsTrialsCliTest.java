package io.cellforge.cli;

import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Shape;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search --estimator ps`: trials scored by slices of one elastic network trained by progressive shrinking. */
class PsTrialsCliTest {
    @Test
    void psTrialsAreScoredAfterOneProgressiveShrinking(@TempDir Path dir) throws Exception {
        Path space = dir.resolve("ofa-tiny.yaml");
        Files.writeString(space, SpaceYaml.write(Zoo.ofa(new Shape(1, 8, 8), 10, 8, new int[][] {{8, 1, 2}}, List.of(1.0, 2.0), 16)
                .withName("ofa-tiny")));
        Path out = dir.resolve("run");
        CliTest.Run r = run("search", "--space", space.toString(), "--strategy", "rea", "--estimator", "ps", "--data", "digits",
                "--batch", "256", "--ps-epochs", "1", "--budget", "3", "--seed", "5", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String phase : List.of("largest", "kernel", "expansion", "depth")) {
            assertTrue(r.err().contains(phase + " ") && r.err().contains("epoch 1/1"), r.err());
        }
        assertTrue(r.err().indexOf("largest ") < r.err().indexOf("kernel ") && r.err().indexOf("expansion ") < r.err().indexOf("depth "), r.err());
        List<Trial> trials = TrialLog.read(out.resolve(TrialLog.FILE));
        assertEquals(3, trials.size());
        for (Trial t : trials) {
            assertTrue(t.scores().accuracy() >= 0 && t.scores().accuracy() <= 1, t.toString());
            assertTrue(t.scores().get(Scores.PARAMS).orElseThrow() > 0 && t.scores().get(Scores.MACS).orElseThrow() > 0, t.toString());
        }
        assertTrue(Files.readString(out.resolve("run.json")).contains("ps_epochs"), "the run's settings hold the phases' epochs");
    }

    @Test
    void aSpaceThatIsNotElasticIsRefusedNamingTheKey() throws Exception {
        CliTest.Run r = run("search", "--zoo", "mobilenetv2-cifar", "--strategy", "random", "--estimator", "ps", "--data", "digits",
                "--budget", "2");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("'b1' is a LayerChoice") && r.err().contains("ofa-mini"), r.err());
        CliTest.Run stray = run("search", "--zoo", "ofa-mini", "--strategy", "random", "--estimator", "supernet", "--ps-epochs", "2",
                "--data", "digits", "--budget", "2");
        assertNotEquals(0, stray.code());
        assertTrue(stray.err().contains("--ps-epochs is for --estimator ps"), stray.err());
    }
}

package io.cellforge.cli;

import io.cellforge.io.SpaceYaml;
import io.cellforge.trial.TinySpace;
import io.cellforge.trial.TrialRunnerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search --cluster URL` in core alone: no cluster runner on the classpath, so a message on how to build one. */
class ClusterOptionCliTest {

    @Test
    void withoutTheClusterModuleTheOptionSaysHowToBuildIt(@TempDir Path dir) throws Exception {
        assertTrue(TrialRunnerFactory.find().isEmpty(), "core's tests run without the cluster module");
        Path space = Files.writeString(dir.resolve("tiny.yaml"), SpaceYaml.write(TinySpace.space()));
        CliTest.Run r = run("search", "--space", space.toString(), "--strategy", "grid", "--estimator", "subnet", "--data", "digits",
                "--budget", "1", "--cluster", "spark://127.0.0.1:7077");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--cluster spark://127.0.0.1:7077: this Cellforge has no cluster runner") && r.err().contains("-Pspark"),
                r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void onlySubnetTrialsRunOnACluster(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.yaml"), SpaceYaml.write(TinySpace.space()));
        CliTest.Run r = run("search", "--space", space.toString(), "--strategy", "grid", "--estimator", "supernet", "--data", "digits",
                "--budget", "1", "--cluster", "local[2]");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--cluster runs subnet trials"), r.err());
    }
}

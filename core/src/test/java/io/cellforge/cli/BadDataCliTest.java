package io.cellforge.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Data and settings files the CLI is given: one line, exit 1, before any training starts. */
class BadDataCliTest {

    /** 8x8 grey images with the given labels. */
    static Path csv(Path dir, int... labels) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int l : labels) {
            b.append("0,".repeat(64)).append(l).append('\n');
        }
        return Files.writeString(dir.resolve("d.csv"), b.toString());
    }

    @Test
    void withStrictShapeLabelsAboveTheSpacesClassesAreRefusedBySearchAndRetrain(@TempDir Path dir) throws Exception {
        Path data = csv(dir, 0, 11, 3, 11, 5, 11, 11, 11, 11, 11);
        // Without --strict-shape the network takes the data's 12 classes (DataFitCliTest).
        CliTest.Run r = run("search", "--zoo", "darts-mini", "--data", data.toString(), "--epochs", "1", "--strict-shape");
        assertEquals(1, r.code());
        assertEquals("cellforge: the labels of d.csv train go up to 11 but space 'darts-mini' has 10 classes (labels 0..9)",
                r.err().strip());
        r = run("retrain", CliTest.tinyArchitecture(dir).toString(), "--data", data.toString(), "--epochs", "1", "--strict-shape");
        assertEquals(1, r.code());
        assertEquals("cellforge: the labels of d.csv train go up to 11 but space 'tiny-darts' has 10 classes (labels 0..9)",
                r.err().strip());
    }

    @Test
    void aSettingsFileLinkedToDevZeroIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero");
        Path config = Files.createSymbolicLink(dir.resolve("settings.yaml"), Path.of("/dev/zero"));
        CliTest.Run r = run("search", "--zoo", "darts-mini", "--config", config.toString());
        assertEquals(1, r.code());
        assertEquals("cellforge: " + config + ": not a regular file (a device, a pipe or a socket, or a link to one)", r.err().strip());
        r = run("validate", config.toString());
        assertEquals(1, r.code());
        assertEquals("cellforge: " + config + ": not a regular file (a device, a pipe or a socket, or a link to one)", r.err().strip());
    }
}

package io.cellforge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search` and `retrain` adapt the network to the data's shape and classes, say so, and refuse with --strict-shape. */
class DataFitCliTest {

    /** {@code n} square grey images of {@code side} x {@code side} random pixels, labels cycling below {@code classes}. */
    static Path csv(Path dir, int n, int side, int classes) throws Exception {
        Random r = new Random(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < side * side; p++) {
                b.append(r.nextInt(256)).append(',');
            }
            b.append(i % classes).append('\n');
        }
        return Files.writeString(dir.resolve("d.csv"), b.toString());
    }

    @Test
    void searchAndRetrainTakeImagesOfAnotherSizeAndSaySo(@TempDir Path dir) throws Exception {
        Path data = csv(dir, 24, 28, 10);
        Path space = Files.writeString(dir.resolve("tiny.yaml"), CliTest.TINY_SEARCH_SPACE);
        Path out = dir.resolve("out");
        CliTest.Run r = run("search", space.toString(), "--data", data.toString(), "--epochs", "1", "--batch", "8", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("input 1x8x8 -> 1x28x28 from the data\n"), r.err());
        // The run folder holds the space searched: the one that takes the data.
        assertTrue(Files.readString(out.resolve("tiny-darts.yaml")).contains("input: [1, 28, 28]"),
                Files.readString(out.resolve("tiny-darts.yaml")));
        r = run("retrain", CliTest.tinyArchitecture(dir).toString(), "--data", data.toString(), "--epochs", "1", "--batch", "8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("input 1x8x8 -> 1x28x28 from the data\n"), r.err());
        assertTrue(r.err().contains("epoch 1/1  train loss"), r.err());
    }

    /** A multi-trial search whose estimator trains adapts the space too, and its trials train on a stratified subset. */
    @Test
    void aMultiTrialSearchTakesTheDataAsTheOneShotOneDoes(@TempDir Path dir) throws Exception {
        Path data = csv(dir, 40, 12, 10);
        Path space = Files.writeString(dir.resolve("tiny.yaml"), CliTest.TINY_SEARCH_SPACE);
        Path out = dir.resolve("out");
        CliTest.Run r = run("search", space.toString(), "--strategy", "random", "--estimator", "subnet", "--data", data.toString(),
                "--subset", "30", "--epochs", "1", "--batch", "8", "--budget", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("data: 30 of 32 training images"), r.err());
        assertTrue(r.err().contains("input 1x8x8 -> 1x12x12 from the data\n"), r.err());
        try (var files = Files.list(out)) {
            assertTrue(files.filter(f -> f.toString().endsWith(".yaml")).anyMatch(f -> {
                try {
                    return Files.readString(f).contains("input: [1, 12, 12]");
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), "the run folder holds the space searched: the one that takes the data");
        }
        r = run("search", space.toString(), "--strategy", "random", "--estimator", "subnet", "--data", data.toString(), "--epochs", "1",
                "--budget", "1", "--strict-shape");
        assertEquals(1, r.code(), r.err());
    }

    @Test
    void moreClassesInTheDataWidenTheHead(@TempDir Path dir) throws Exception {
        Path data = BadDataCliTest.csv(dir, 0, 11, 3, 11, 5, 11, 11, 11, 11, 11);
        CliTest.Run r = run("retrain", CliTest.tinyArchitecture(dir).toString(), "--data", data.toString(), "--epochs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("classes 10 -> 12 from the data\n"), r.err());
    }

    @Test
    void strictShapeRefusesAsBefore(@TempDir Path dir) throws Exception {
        Path data = csv(dir, 24, 28, 10);
        CliTest.Run r = run("search", "--zoo", "darts-mini", "--data", data.toString(), "--epochs", "1", "--strict-shape");
        assertEquals(1, r.code());
        assertEquals("cellforge: the images of d.csv train are 1x28x28 but space 'darts-mini' takes 1x8x8", r.err().strip());
        r = run("retrain", CliTest.tinyArchitecture(dir).toString(), "--data", data.toString(), "--strict-shape");
        assertEquals(1, r.code());
        assertEquals("cellforge: the images of d.csv train are 1x28x28 but space 'tiny-darts' takes 1x8x8", r.err().strip());
    }

    @Test
    void aNetworkThatCannotTakeTheDataIsRefusedNamingTheOpAndShapes(@TempDir Path dir) throws Exception {
        Path data = csv(dir, 24, 28, 10);
        CliTest.Run r = run("search", "--zoo", "darts-imagenet", "--data", data.toString(), "--epochs", "1");
        assertEquals(1, r.code());
        assertEquals("cellforge: space 'darts-imagenet' cannot take 1x28x28 images in 10 classes (it was drawn for 3x224x224): "
                + "cell normal, input in0: preprocessing: concatenated branches disagree in size: 24x4x4 vs 24x3x3 (input 48x7x7); "
                + "give data of 3x224x224 or another space", r.err().strip());
    }
}

package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.data.DistributedLayoutsTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cellforge data}, and the sample {@code --subset} draws for a search and a retraining, as the user sees them. */
class DataCliTest {

    @Test
    void dataPrintsTheFormatShapeClassesSizesMemoryAndNormalisation(@TempDir Path tmp) throws Exception {
        Path dir = DistributedLayoutsTest.fashionLayout(tmp, 50, 20);
        CliTest.Run r = run("data", dir.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("data:     " + dir, lines[0]);
        assertEquals("format:   IDX " + dir, lines[1]);
        assertEquals("images:   1x28x28 (grey), 10 classes", lines[2]);
        assertEquals("sizes:    50 training images, 20 test images", lines[3]);
        assertEquals("  class     train      test", lines[4]);
        assertEquals("  0             5         2", lines[5]);
        assertEquals("  9             5         2", lines[14]);
        // 70 images of 784 bytes and 70 labels of 4: 55,160 bytes, a quarter of 219,800 as floats.
        assertEquals("memory:   55.2 kB as bytes (as floats it would be 219.8 kB)", lines[15]);
        // Image i is all (7 i mod 256) / 255.
        assertEquals("normalise: channel 0 mean 0.4115 std 0.2928 (from the training images)", lines[16]);
        assertEquals(17, lines.length, r.out());
    }

    @Test
    void dataStrokesDescribesTheBundledSetAndItsFourValueContext() throws Exception {
        CliTest.Run r = run("data", "strokes");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("data:     strokes", lines[0]);
        assertTrue(lines[1].startsWith("format:   strokes (generated, Cellforge): 16x16 grey, a context of 4 values a sample"),
                lines[1]);
        assertEquals("images:   1x16x16 (grey), 2 classes", lines[2]);
        assertEquals("context:  4 values per sample", lines[3]);
        assertEquals("sizes:    4,000 training images, 1,000 test images", lines[4]);
        assertTrue(r.out().contains("\n  1 present     2,005       498\n"), r.out());
        JsonNode j = new ObjectMapper().readTree(run("data", "strokes", "--json").out());
        assertEquals(4, j.get("context_features").asInt());
        assertEquals("[\"absent\",\"present\"]", j.get("classes").toString());
    }

    @Test
    void dataWithASubsetSaysHowMuchOfTheSourceItIsAndAsJson(@TempDir Path tmp) throws Exception {
        Path dir = DistributedLayoutsTest.fashionLayout(tmp, 50, 20);
        CliTest.Run r = run("data", dir.toString(), "--subset", "20", "--seed", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nsample:   20 of 50 training images (stratified, seed 4); all 20 test images\n"), r.out());
        assertTrue(r.out().contains("\n  3             2         2\n"), r.out());
        r = run("data", dir.toString(), "--subset", "20", "--test-subset", "10", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("{\"train\":20,\"train_of\":50,\"test\":10,\"test_of\":20,\"seed\":1}", j.get("sample").toString());
        assertEquals("[1,28,28]", j.get("shape").toString());
        assertEquals(30 * 788, j.get("memory_bytes").asLong());
    }

    @Test
    void aSubsetLargerThanTheDataOrEmptyIsRefusedNamingBoth() {
        CliTest.Run r = run("data", "digits", "--subset", "5000");
        assertEquals(1, r.code());
        assertEquals("cellforge: --subset 5000: the data have 1,438 training images; give 1..1438", r.err().strip());
        r = run("search", "--zoo", "darts-mini", "--test-subset", "0");
        assertEquals(1, r.code());
        assertEquals("cellforge: --test-subset 0: the data have 359 test images; give 1..359", r.err().strip());
        r = run("search", "--zoo", "darts-mini", "--strategy", "random", "--subset", "100");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("cellforge: --subset and --test-subset are for estimators that train"), r.err());
    }

    @Test
    void aSearchOnASubsetSaysSoAndItsRunFolderRecordsTheSampleAndTheNormalisation(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.yaml"), CliTest.TINY_SEARCH_SPACE);
        Path out = dir.resolve("out");
        Path events = dir.resolve("events.jsonl");
        CliTest.Run r = run("search", space.toString(), "--data", "digits", "--subset", "256", "--test-subset", "40", "--epochs", "1",
                "--batch", "32", "--out", out.toString(), "--events", events.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("data: 256 of 1,438 training images (stratified, seed 1); 40 of 359 test images (stratified, seed 1)\n"),
                r.err());
        // Half the 256 train the weights, half the architecture: 4 steps of 32.
        assertTrue(Files.readAllLines(events).get(0).contains("\"steps_per_epoch\":4"), Files.readAllLines(events).get(0));
        JsonNode data = new ObjectMapper().readTree(out.resolve("data.json").toFile());
        assertEquals("digits", data.get("data").asText());
        assertEquals("{\"train\":256,\"train_of\":1438,\"test\":40,\"test_of\":359,\"seed\":1}", data.get("sample").toString());
        assertEquals(1, data.get("normalisation").get("mean").size());
        double mean = data.get("normalisation").get("mean").get(0).asDouble();
        assertTrue(mean > 0.2 && mean < 0.4, "the digits' mean: " + mean);
    }

    @Test
    void retrainOnASubsetReportsItsSampleInItsJson(@TempDir Path dir) throws Exception {
        Path arch = CliTest.tinyArchitecture(dir);
        CliTest.Run r = run("retrain", arch.toString(), "--data", "digits", "--subset", "128", "--epochs", "1", "--batch", "32", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("data: 128 of 1,438 training images (stratified, seed 1); all 359 test images"), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(128, j.get("data").get("sample").get("train").asInt());
        assertEquals(359, j.get("data").get("sample").get("test").asInt());
    }

    @Test
    void retrainingASearchedArchitectureFeedsItTheSearchsNormalisationAndRecordsIt(@TempDir Path dir) throws Exception {
        Path arch = CliTest.tinyArchitecture(dir);
        // A search on 64 digits recorded the normalisation of those 64 images, not that of all 1,438.
        Files.writeString(dir.resolve("data.json"), "{\"data\": \"digits\", \"normalisation\": {\"mean\": [0.125], \"std\": [0.5]}}");
        CliTest.Run r = run("retrain", arch.toString(), "--data", "digits", "--subset", "64", "--epochs", "1", "--batch", "32", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("normalise: as the search (" + dir.toAbsolutePath().resolve("data.json") + "): channel 0 mean 0.1250 std 0.5000"),
                r.err());
        JsonNode n = new ObjectMapper().readTree(r.out()).get("data").get("normalisation");
        assertEquals(0.125, n.get("mean").get(0).asDouble(), 1e-7);
        assertEquals(0.5, n.get("std").get(0).asDouble(), 1e-7);

        // Other data than the search's: its own training images decide.
        Files.writeString(dir.resolve("data.json"), "{\"data\": \"elsewhere\", \"normalisation\": {\"mean\": [0.125], \"std\": [0.5]}}");
        r = run("retrain", arch.toString(), "--data", "digits", "--subset", "64", "--epochs", "1", "--batch", "32", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("normalise: as the search"), r.err());
        double own = new ObjectMapper().readTree(r.out()).get("data").get("normalisation").get("mean").get(0).asDouble();
        assertTrue(own > 0.2 && own < 0.4, "the 64 digits' own mean: " + own);
    }

    @Test
    void aDataJsonThatCannotBeWrittenIsAWarningAndTheResultIsWritten(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.yaml"), CliTest.TINY_SEARCH_SPACE);
        Path out = dir.resolve("out");
        CliTest.Run r;
        try (AutoCloseable full = io.cellforge.io.FileWrites.failWritesTo(p -> p.endsWith("data.json"))) {
            r = run("search", space.toString(), "--subset", "128", "--epochs", "1", "--batch", "32", "--out", out.toString());
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning: no " + out.resolve("data.json") + ": "), r.err());
        assertTrue(Files.exists(out.resolve("result.json")));
        assertTrue(Files.notExists(out.resolve("data.json")));
    }
}

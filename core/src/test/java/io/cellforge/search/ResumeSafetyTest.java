package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Checkpoint;
import io.cellforge.io.FileWrites;
import io.cellforge.io.LoadException;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a checkpoint, an events file and a result folder must survive: damage, full disks, hostile names. */
class ResumeSafetyTest {
    static DataBundle digits;
    static final SearchConfig CFG = SearchConfig.builder("darts").epochs(2).seed(5).lr(0.1).archLr(3e-2).build();
    static SearchResult straight;
    @TempDir
    static Path shared;
    /** A checkpoint of a run stopped in the middle of its second epoch (epoch 1, step 5). */
    static Path stopped;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
        straight = new OneShotSearch(OneShotSearchTest.tiny(), digits, CFG).run(new SearchEvents.Listener() { }, new SearchControl());
        stopped = shared.resolve("ck");
        runStoppedAt(OneShotSearchTest.tiny(), stopped, 16, new SearchEvents.Listener() { });
    }

    static SearchResult runStoppedAt(SearchSpace space, Path ck, int steps, SearchEvents.Listener also) throws Exception {
        SearchControl control = new SearchControl();
        int[] n = {0};
        return new OneShotSearch(space, digits, CFG).run(new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step s) {
                also.step(s);
                if (++n[0] == steps) {
                    control.stop();
                }
            }

            @Override
            public void epoch(SearchEvents.Epoch e) {
                also.epoch(e);
            }
        }, control, ck, null);
    }

    static SearchResult resume(SearchSpace space, Path ck, SearchEvents.Listener l) throws Exception {
        return new OneShotSearch(space, digits, CFG).run(l, new SearchControl(), ck, ck);
    }

    static void assertSameRun(SearchResult a, SearchResult b) {
        assertEquals(a.weights().keySet(), b.weights().keySet());
        for (String k : a.weights().keySet()) {
            assertArrayEquals(a.weights().get(k), b.weights().get(k), k);
        }
        assertEquals(a.epochs().get(1).trainLoss(), b.epochs().get(1).trainLoss());
        assertEquals(a.architecture(), b.architecture());
    }

    /** The tiny space with keys that file names cannot hold as they are: "__", "/", NUL, 250 characters. */
    static SearchSpace hostileKeys() {
        SearchSpace s = OneShotSearchTest.tiny();
        Cell c = s.cells().get("cell");
        Map<String, String> rename = Map.of("n1_p0", "n1__p0", "n2_p0", "n1/p0", "n2_p1", "n2\u0000" + "p".repeat(250));
        List<Edge> edges = new ArrayList<>();
        for (Edge e : c.edges()) {
            edges.add(e.op() instanceof LayerChoice lc ? new Edge(e.from(), e.to(), new LayerChoice(rename.get(lc.key()), lc.candidates()),
                    e.stride()) : e);
        }
        return s.withCell(new Cell(c.name(), c.nodes(), edges, c.preprocess()));
    }

    @Test
    void keysWithDoubleUnderscoresSlashesNulAnd250CharactersResumeExactly(@TempDir Path dir) throws Exception {
        SearchSpace s = hostileKeys();
        SearchResult whole = new OneShotSearch(s, digits, CFG).run(new SearchEvents.Listener() { }, new SearchControl());
        Path ck = dir.resolve("ck");
        assertFalse(runStoppedAt(s, ck, 16, new SearchEvents.Listener() { }).completed());
        SearchResult resumed = resume(s, ck, new SearchEvents.Listener() { });
        assertTrue(resumed.completed());
        assertSameRun(whole, resumed);
    }

    @Test
    void aResumedRunIsTheUninterruptedRun(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        copy(stopped, ck);
        assertSameRun(straight, resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() { }));
    }

    /** The layout of the first format, made from the stopped run's checkpoint: arrays named by key, no CURRENT. */
    static Path firstFormat(Path ck, boolean withMeta) throws Exception {
        Files.createDirectories(ck);
        Path v = stopped.resolve(Files.readString(stopped.resolve("CURRENT")).strip());
        ObjectMapper m = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = m.readValue(v.resolve("checkpoint.json").toFile(), LinkedHashMap.class);
        @SuppressWarnings("unchecked")
        Map<String, List<Map<String, Object>>> arrays = (Map<String, List<Map<String, Object>>>) doc.remove("arrays");
        doc.remove("version");
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("version", 1); // first, as the first format wrote it
        first.putAll(doc);
        doc = first;
        for (var g : arrays.entrySet()) {
            Files.createDirectories(ck.resolve(g.getKey()));
            for (int i = 0; i < g.getValue().size(); i++) {
                String key = (String) g.getValue().get(i).get("key");
                Files.copy(v.resolve(g.getKey()).resolve(i + ".bin"), ck.resolve(g.getKey()).resolve(key.replace("/", "__") + ".bin"));
            }
        }
        if (withMeta) {
            Files.writeString(ck.resolve("checkpoint.json"), m.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        }
        return ck;
    }

    @Test
    void aCheckpointOfTheFirstFormatResumesExactlyAndIsReplacedByTheNextSave(@TempDir Path dir) throws Exception {
        Path ck = firstFormat(dir.resolve("ck"), true);
        assertTrue(Checkpoint.isCheckpoint(ck));
        assertSameRun(straight, resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() { }));
        try (var s = Files.list(ck)) {
            assertEquals(List.of("CURRENT", "v000001"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the first format's files are gone once the new one is saved");
        }
    }

    @Test
    void aKillBetweenTheFirstFormatsTwoRenamesStillResumes(@TempDir Path dir) throws Exception {
        // ck was renamed to ck.old; ck.saving was complete but not yet renamed to ck (or is half-written).
        for (boolean savingComplete : new boolean[] {true, false}) {
            Path ck = dir.resolve(savingComplete ? "a" : "b");
            firstFormat(dir.resolve(ck.getFileName() + ".old"), true);
            firstFormat(dir.resolve(ck.getFileName() + ".saving"), savingComplete);
            assertFalse(Files.exists(ck));
            assertSameRun(straight, resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() { }));
            assertTrue(Checkpoint.isCheckpoint(ck));
            assertFalse(Files.exists(dir.resolve(ck.getFileName() + ".old")), "cleaned once the new checkpoint is saved");
            assertFalse(Files.exists(dir.resolve(ck.getFileName() + ".saving")));
        }
    }

    @Test
    void aCheckpointThatCannotBeSavedIsAWarningAndThePreviousOneStays(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        AtomicBoolean full = new AtomicBoolean();
        List<String> warnings = new ArrayList<>();
        SearchResult r;
        try (AutoCloseable disk = FileWrites.failWritesTo(p -> full.get() && p.startsWith(ck.toAbsolutePath()))) {
            r = new OneShotSearch(OneShotSearchTest.tiny(), digits, CFG).run(new SearchEvents.Listener() {
                @Override
                public void epoch(SearchEvents.Epoch e) {
                    full.set(e.epoch() == 1); // the disk fills before the second epoch's save
                }

                @Override
                public void warning(String message) {
                    warnings.add(message);
                }
            }, new SearchControl(), ck, null);
        }
        assertTrue(r.completed(), "the search went on");
        assertSameRun(straight, r);
        warnings.removeIf(w -> w.contains("parameter-free")); // the tiny space's collapse towards pools, not this test's
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("No space left on device") && warnings.get(0).contains("previous one"), warnings.get(0));
        try (var s = Files.list(ck)) {
            assertEquals(List.of("CURRENT", "v000001"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no half-written save");
        }
        assertEquals(1, Checkpoint.open(ck).integer("epoch", 0, 2), "the first epoch's checkpoint");
        assertSameRun(straight, resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() { }));
    }

    /** A field of checkpoint.json set to a JSON value (or removed, for "-"), and the field the error must name. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "epoch|1e12|epoch", "epoch|-1|epoch", "epoch|3|epoch", "epoch|\"1\"|epoch", "epoch|1.5|epoch", "epoch|-|epoch",
            "step|-5|step", "step|1000000000|step", "step|11|step", "step|null|step",
            "adam_steps|-1|adam_steps", "adam_steps|1e9|adam_steps",
            "train_batches|[0]|train_batches", "train_batches|[0, 1000000000]|train_batches[1]", "train_batches|[-1, 0]|train_batches[0]",
            "train_batches|\"x\"|train_batches", "valid_batches|[9, 0]|valid_batches[0]",
            "sums|[1, 2, 3]|sums", "sums|[0, 0, 5, 3]|sums[2]", "sums|[0, 0, 0, 1e9]|sums[3]", "sums|[\"a\", 0, 0, 0]|sums[0]",
            "history|[]|history", "history|[{}]|history[0].epoch", "history|\"x\"|history", "history|[{\"epoch\": 4, \"weights\": {}}]|history[0].epoch",
            "history|[{\"epoch\": 0, \"weights\": {\"n1_p0\": [\"x\"]}}]|history[0].weights",
            "strategy|3|strategy", "space|-|space", "version|9|version", "version|-|version",
            "config|-|config", "config|\"x\"|config", "config|{}|config.strategy",
            "config|{\"strategy\": \"darts\", \"epochs\": -1}|config.batch_size"})
    void aDamagedFieldIsOneLineNamingTheFileAndTheField(String field, String json, String named, @TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        Path meta = stoppedWithChanged(ck, doc -> doc, field, json);
        LoadException e = assertThrows(LoadException.class, () -> resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() { }));
        assertTrue(e.getMessage().startsWith(meta + ": '" + named + "' "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    /**
     * The stopped run's checkpoint copied to {@code ck}, with {@code key} of the object {@code in} picks out of its
     * checkpoint.json set to {@code json} ("-": removed); returns that checkpoint.json.
     */
    private Path stoppedWithChanged(Path ck, java.util.function.Function<Map<String, Object>, Map<String, Object>> in, String key,
                                    String json) throws Exception {
        copy(stopped, ck);
        Path meta = ck.resolve(Files.readString(ck.resolve("CURRENT")).strip()).resolve("checkpoint.json");
        ObjectMapper m = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = m.readValue(meta.toFile(), LinkedHashMap.class);
        if (json.equals("-")) {
            in.apply(doc).remove(key);
        } else {
            in.apply(doc).put(key, m.readValue(json, Object.class));
        }
        Files.writeString(meta, m.writeValueAsString(doc));
        return meta;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"lr|0.5|is 0.5 but this run's is 0.1", "batch_size|\"x\"|is \"x\" but this run's is 64",
            "arch_betas|[0.5]|is a list but", "augment|{}|is an object but", "seed|-|is missing", "epochs|-1|is -1; it must be"})
    void settingsOtherThanTheRunsAreRefusedByName(String key, String json, String says, @TempDir Path dir) throws Exception {
        // Once ignored: a checkpoint.json whose settings were damaged, or differ from the run's, resumed silently.
        Path ck = dir.resolve("ck");
        @SuppressWarnings("unchecked")
        Path meta = stoppedWithChanged(ck, doc -> (Map<String, Object>) doc.get("config"), key, json);
        LoadException e = assertThrows(LoadException.class, () -> resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() { }));
        assertTrue(e.getMessage().startsWith(meta + ": 'config." + key + "' " + says), e.getMessage());
    }

    @Test
    void theLimitsOfTheFieldsThemselvesAreAccepted(@TempDir Path dir) throws Exception {
        // The checkpoint a finished run leaves: epoch = epochs, step 0, a full history; resuming it runs nothing.
        Path ck = dir.resolve("ck");
        new OneShotSearch(OneShotSearchTest.tiny(), digits, CFG).run(new SearchEvents.Listener() { }, new SearchControl(), ck, null);
        assertEquals(2, Checkpoint.open(ck).integer("epoch", 0, 2));
        int[] steps = {0};
        SearchResult r = resume(OneShotSearchTest.tiny(), ck, new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step s) {
                steps[0]++;
            }
        });
        assertEquals(0, steps[0]);
        assertSameRun(straight, r);
    }

    @Test
    void anEventsFileAcrossAResumeKeepsEveryLineAndReadsAsOneRun(@TempDir Path dir) throws Exception {
        SearchSpace s = OneShotSearchTest.tiny();
        RunFiles.start(dir, s, CFG, "digits");
        Path ck = dir.resolve(RunFiles.CHECKPOINT);
        Path events = dir.resolve(RunFiles.EVENTS);
        try (RunFiles.EventLog log = new RunFiles.EventLog(events, false)) {
            runStoppedAt(s, ck, 16, log);
        }
        // As a run killed after its checkpoint leaves it: two steps past the checkpoint, then a torn line.
        List<String> lines = new ArrayList<>(Files.readAllLines(events));
        assertEquals(16 + 1, lines.size());
        lines.add(lines.get(16).replace("\"step\":4,", "\"step\":5,"));
        lines.add(lines.get(16).replace("\"step\":4,", "\"step\":6,"));
        Files.write(events, lines);
        try (RunFiles.EventLog log = new RunFiles.EventLog(events, true)) {
            resume(s, ck, log);
        }
        List<String> after = Files.readAllLines(events);
        assertEquals(lines, after.subList(0, lines.size()), "nothing of the first run is lost");
        assertEquals("{\"type\":\"resume\",\"epoch\":1,\"step\":5}", after.get(lines.size()));
        // (besides the search's warnings: the tiny space reads as collapsing towards pools in epoch 2)
        assertEquals(lines.size() + 1 + 6 + 1, after.stream().filter(l -> !l.startsWith("{\"type\":\"warning\"")).count(),
                "the marker, the rest of epoch 2 and its epoch line");

        RunFiles.Run run = RunFiles.read(dir);
        assertEquals(22, run.steps().size());
        for (int i = 0; i < 22; i++) {
            assertEquals(i / 11, run.steps().get(i).epoch());
            assertEquals(i % 11, run.steps().get(i).step());
        }
        assertEquals(2, run.epochs().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../elsewhere/x", "/tmp/cellforge-outside", "con/../../x", "a\u0000b", "..", ".x"})
    void aSpaceNameNeverBecomesAPathOutsideTheResultFolder(String name, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("a/b/c/out");
        RunFiles.writeResult(OneShotSearchTest.tiny().withName(name), straight, out);
        assertTrue(Files.exists(out.resolve("space.yaml")));
        try (var all = Files.walk(dir)) {
            assertEquals(List.of(), all.filter(Files::isRegularFile).filter(p -> !p.getParent().equals(out)).toList());
        }
        assertFalse(Files.exists(Path.of("/tmp/cellforge-outside.yaml")));
    }

    @Test
    void aLongSpaceNameIsKeptUpToTheLimitOfAFileName(@TempDir Path dir) throws Exception {
        RunFiles.writeResult(OneShotSearchTest.tiny().withName("n".repeat(100)), straight, dir);
        assertTrue(Files.exists(dir.resolve("n".repeat(100) + ".yaml")));
        RunFiles.writeResult(OneShotSearchTest.tiny().withName("n".repeat(300)), straight, dir);
        assertTrue(Files.exists(dir.resolve("space.yaml")));
    }

    static void copy(Path from, Path to) throws Exception {
        try (var all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}

package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunFilesTest {

    @Test
    void aRunReadsBackAsItWasSeen(@TempDir Path root) throws Exception {
        SearchSpace s = OneShotSearchTest.tiny();
        DataBundle digits = Datasets.digits();
        SearchConfig cfg = SearchConfig.builder("darts").epochs(2).build();
        Path dir = root.resolve("run-1");
        RunFiles.start(dir, s, cfg, "digits");
        SearchResult r;
        try (RunFiles.EventLog log = new RunFiles.EventLog(dir.resolve(RunFiles.EVENTS), false)) {
            r = new OneShotSearch(s, digits, cfg).run(log, new SearchControl(), dir.resolve(RunFiles.CHECKPOINT), null);
        }
        RunFiles.Run half = RunFiles.read(dir);
        assertEquals(cfg, half.config(), "a stopped run resumes with its own settings");
        assertNull(half.architecture(), "no result yet: the run shows as unfinished");
        RunFiles.writeResult(s, r, dir);
        RunFiles.writeRetrain(dir, 0.9, 3, 1234);

        RunFiles.Run run = RunFiles.read(dir);
        assertEquals(s, run.space());
        assertEquals("darts", run.strategy());
        assertEquals("digits", run.data());
        assertEquals(2 * 11, run.steps().size());
        // Step lines do not repeat the counts; they come back from the settings and the steps themselves.
        assertEquals(2, run.steps().get(13).epochs());
        assertEquals(11, run.steps().get(13).stepsPerEpoch());
        assertEquals(cfg, run.config());
        assertEquals(2, run.epochs().size());
        assertEquals(r.epochs().get(1).validAccuracy(), run.epochs().get(1).validAccuracy(), 0);
        assertArrayEquals(r.weights().get("n2_p1"), run.epochs().get(1).weights().get("n2_p1"));
        assertEquals(r.architecture(), run.architecture());
        assertTrue(run.completed());
        assertEquals(0.9, run.testAccuracy());
        assertTrue(run.hasCheckpoint());
        assertEquals(List.of(run.dir()), RunFiles.list(root).stream().map(RunFiles.Run::dir).toList());

        // A hand-edited settings file that no longer reads: the error names the file, line and column.
        Path settings = dir.resolve(RunFiles.SETTINGS);
        String good = Files.readString(settings);
        Files.writeString(settings, good.replace("\"epochs\" : 2", "\"epochs\" : \"two\""));
        io.cellforge.io.LoadException bad = org.junit.jupiter.api.Assertions.assertThrows(io.cellforge.io.LoadException.class,
                () -> RunFiles.read(dir).config());
        assertTrue(bad.getMessage().matches("(?s).*run\\.json:\\d+:\\d+: .*"), bad.getMessage());
        Files.writeString(settings, good);

        // A run killed mid-write: the torn last line is dropped, the rest is shown.
        Path events = dir.resolve(RunFiles.EVENTS);
        Files.writeString(events, Files.readString(events) + "{\"type\": \"step\", \"epo");
        assertEquals(2 * 11, RunFiles.read(dir).steps().size());
    }

    /** The app lists every run folder: a damaged one must fail at once, whatever its files are. */
    @Test
    void aRunWhoseFilesNeverEndOrHaveEndlessLinesIsRefusedNotReadForEver(@TempDir Path root) throws Exception {
        SearchSpace s = OneShotSearchTest.tiny();
        Path dir = root.resolve("run-1");
        RunFiles.start(dir, s, SearchConfig.builder("darts").epochs(1).build(), "digits");
        Files.createSymbolicLink(dir.resolve(RunFiles.EVENTS), Path.of("/dev/zero"));
        io.cellforge.io.LoadException e = org.junit.jupiter.api.Assertions.assertThrows(io.cellforge.io.LoadException.class,
                () -> RunFiles.read(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());

        Files.delete(dir.resolve(RunFiles.EVENTS));
        Files.writeString(dir.resolve(RunFiles.EVENTS), "{\"type\":\"step\"" + " ".repeat(io.cellforge.io.Limits.EVENT_LINE_CHARS) + "}\n");
        e = org.junit.jupiter.api.Assertions.assertThrows(io.cellforge.io.LoadException.class, () -> RunFiles.read(dir));
        assertTrue(e.getMessage().contains(RunFiles.EVENTS + ":1: line longer than"), e.getMessage());
        assertTrue(RunFiles.list(root).isEmpty(), "and the runs list skips it");
    }
}

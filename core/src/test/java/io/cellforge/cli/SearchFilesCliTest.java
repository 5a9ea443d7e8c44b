package io.cellforge.cli;

import io.cellforge.io.FileWrites;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.cellforge.cli.CliTest.TINY_SEARCH_SPACE;
import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search command and the user's files: nothing deleted, nothing written outside, no result lost. */
class SearchFilesCliTest {

    static Path tinySpace(Path dir) throws Exception {
        return Files.writeString(dir.resolve("tiny.yaml"), TINY_SEARCH_SPACE);
    }

    static void assertRefusedBeforeTheSearch(CliTest.Run r, String says) {
        assertEquals(1, r.code(), r.err());
        assertFalse(r.err().contains("backend:"), "refused before the search started: " + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(says), r.err());
    }

    @Test
    void aCheckpointFolderWithTheUsersFilesIsRefusedAndKept(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work/notes"));
        Files.writeString(dir.resolve("work/thesis.txt"), "chapter 1");
        Files.writeString(work.resolve("draft.md"), "draft");
        Path space = tinySpace(dir.resolve("work"));
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--checkpoint", dir.resolve("work").toString()),
                "holds the space file");
        Path elsewhere = tinySpace(dir);
        assertRefusedBeforeTheSearch(run("search", elsewhere.toString(), "--epochs", "1", "--checkpoint", dir.resolve("work").toString()),
                "is a folder with files in it and not a Cellforge checkpoint");
        assertEquals("chapter 1", Files.readString(dir.resolve("work/thesis.txt")));
        assertEquals("draft", Files.readString(work.resolve("draft.md")));
        assertEquals(TINY_SEARCH_SPACE, Files.readString(space));
    }

    @Test
    void anEventsFileThatIsTheUsersIsRefusedAndKept(@TempDir Path dir) throws Exception {
        // It was replaced by the run's events (or, resumed, appended to); an earlier run's events file is taken
        // (aResumedSearchAppendsToItsEventsFileAfterAResumeLine).
        Path space = tinySpace(dir);
        Path thesis = Files.writeString(dir.resolve("thesis.txt"), "chapter 1");
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--events", thesis.toString()),
                "is a file that is not the events of a search; give a new file");
        Path almost = Files.writeString(dir.resolve("almost.jsonl"), "{\"type\"");
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--events", almost.toString()), "not the events");
        assertEquals("chapter 1", Files.readString(thesis));
        // A FIFO once blocked the run for ever; convert renamed its file over one.
        Path fifo = dir.resolve("fifo");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--events", fifo.toString()), "is not a regular file");
        Path arch = Files.writeString(dir.resolve("a.nb201"),
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|");
        CliTest.Run r = run("convert", arch.toString(), fifo.toString(), "--to", "nni", "--zoo", "nas-bench-201");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("it is not a regular file"), r.err());
        assertFalse(Files.isRegularFile(fifo), "the FIFO is still there");
    }

    @Test
    void theWorkingFolderIsNoCheckpointFolder(@TempDir Path dir) throws Exception {
        Path space = tinySpace(dir);
        for (String cwd : new String[] {".", Path.of("").toAbsolutePath().toString(), Path.of("").toAbsolutePath().getParent().toString()}) {
            assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--checkpoint", cwd), "is the working folder or holds it");
        }
    }

    @Test
    void outputsThatCannotBeWrittenAreFoundBeforeTheSearch(@TempDir Path dir) throws Exception {
        Path space = tinySpace(dir);
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--out", file.toString()), "is a file");
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--checkpoint", file.toString()), "is a file");
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--events", dir.toString()), "is a folder");
        assertRefusedBeforeTheSearch(run("search", space.toString(), "--epochs", "1", "--events", file.resolve("ev.jsonl").toString()),
                "is a file");
        assertEquals("x", Files.readString(file));
    }

    @Test
    void aResultThatCannotBeWrittenIsKeptElsewhereAndNamed(@TempDir Path dir) throws Exception {
        Path space = tinySpace(dir);
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("architecture.json"), "an older result");
        CliTest.Run r;
        try (AutoCloseable full = FileWrites.failWritesTo(p -> p.startsWith(out.toAbsolutePath()) && p.endsWith("result.json"))) {
            r = run("search", space.toString(), "--epochs", "1", "--out", out.toString());
        }
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().startsWith("cellforge: 1\nkind: architecture\n"), "the architecture is on stdout: " + r.out());
        String last = r.err().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.contains("result.json") && last.contains("No space left on device") && last.contains(out + " is left as it was"), last);
        Matcher m = Pattern.compile("written to (\\S+) instead").matcher(last);
        assertTrue(m.find(), last);
        Path rescue = Path.of(m.group(1));
        try {
            assertTrue(Files.exists(rescue.resolve("result.json")) && Files.exists(rescue.resolve("architecture.arch.yaml")));
        } finally {
            try (var all = Files.walk(rescue)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        // --out is a run folder (the space, settings and events from the start); its result is whole: nothing
        // replaced, nothing half-written.
        try (var s = Files.list(out)) {
            assertEquals(List.of("architecture.json", "events.jsonl", "lock", "run.json", "space.yaml"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("an older result", Files.readString(out.resolve("architecture.json")));
    }

    /** The command line's run folder is the app's: its run list reads it, with the architecture the search printed. */
    @Test
    void aRunFolderWrittenBySearchOutReadsAsTheAppReadsRuns(@TempDir Path dir) throws Exception {
        Path space = tinySpace(dir);
        Path runs = Files.createDirectories(dir.resolve("tiny.runs"));
        Path out = runs.resolve("cli-run");
        CliTest.Run r = run("search", space.toString(), "--epochs", "1", "--strategy", "spos", "--generations", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<io.cellforge.search.RunFiles.Run> listed = io.cellforge.search.RunFiles.list(runs);
        assertEquals(1, listed.size());
        io.cellforge.search.RunFiles.Run run = listed.get(0);
        assertEquals("spos", run.strategy());
        assertEquals("digits", run.data());
        assertEquals(1, run.epochs().size());
        assertFalse(run.steps().isEmpty());
        assertTrue(run.completed());
        assertEquals(r.out(), io.cellforge.io.ArchFormats.write(io.cellforge.io.ArchFormat.YAML, run.space(), run.architecture()));
        assertFalse(run.isLive());
    }

    @Test
    void aResumedSearchAppendsToItsEventsFileAfterAResumeLine(@TempDir Path dir) throws Exception {
        Path space = tinySpace(dir);
        Path ck = dir.resolve("ck");
        Path events = dir.resolve("run.jsonl");
        CliTest.Run r = run("search", space.toString(), "--epochs", "1", "--checkpoint", ck.toString(), "--events", events.toString());
        assertEquals(0, r.code(), r.err());
        List<String> first = CliTest.eventLines(events);
        // The start line (epochs, steps per epoch), 11 steps and the epoch.
        assertEquals("{\"type\":\"start\",\"epochs\":1,\"steps_per_epoch\":11}", first.get(0));
        assertEquals(13, first.size());
        r = run("search", space.toString(), "--epochs", "1", "--checkpoint", ck.toString(), "--resume", ck.toString(), "--events",
                events.toString());
        assertEquals(0, r.code(), r.err());
        List<String> after = CliTest.eventLines(events);
        assertEquals(first, after.subList(0, 13), "a finished run resumed keeps its events");
        assertEquals(List.of("{\"type\":\"resume\",\"epoch\":1,\"step\":0}"), after.subList(13, after.size()));
    }

    @Test
    void aDamagedCheckpointIsOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Path space = tinySpace(dir);
        Path ck = Files.createDirectories(dir.resolve("ck/v000001"));
        Files.writeString(ck.resolve("checkpoint.json"), "{\"version\": 2, \"epoch\": 1e12,,");
        Files.writeString(dir.resolve("ck/CURRENT"), "v000001\n");
        CliTest.Run r = run("search", space.toString(), "--epochs", "1", "--resume", dir.resolve("ck").toString());
        assertEquals(1, r.code(), r.err());
        String last = r.err().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("cellforge: " + ck.resolve("checkpoint.json") + ":1:"), last);
        Files.writeString(ck.resolve("checkpoint.json"), "{\"version\": 2, \"epoch\": 1e12}");
        r = run("search", space.toString(), "--epochs", "1", "--resume", dir.resolve("ck").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().strip().endsWith("checkpoint.json: 'arrays' is missing"), r.err());
    }

    @Test
    void anArchitecturesSpaceIsOnlyLookedForBesideIt(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(dir.resolve("elsewhere/tiny-darts.yaml"), TINY_SEARCH_SPACE);
        Path archDir = Files.createDirectories(dir.resolve("arch"));
        String choices = "choices:\n  n1_p0: sep_conv_3x3\n  n1_switch: [0]\n";
        for (String ref : new String[] {"../elsewhere/tiny-darts", dir.resolve("elsewhere/tiny-darts").toString()}) {
            Path a = Files.writeString(archDir.resolve("a.arch.yaml"), "cellforge: 1\nkind: architecture\nspace: \"" + ref + "\"\n" + choices);
            CliTest.Run r = run("convert", a.toString(), archDir.resolve("a.json").toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("cannot tell which search space"), r.err());
        }
        Files.writeString(archDir.resolve("tiny-darts.yaml"), TINY_SEARCH_SPACE);
        Path a = Files.writeString(archDir.resolve("a.arch.yaml"), "cellforge: 1\nkind: architecture\nspace: tiny-darts\n" + choices);
        assertEquals(0, run("convert", a.toString(), archDir.resolve("a.json").toString()).code(), "beside it, by its name");
    }

    @Test
    void convertAndZooKeepTheModeOfTheFileTheyReplace(@TempDir Path dir) throws Exception {
        Path out = Files.writeString(dir.resolve("t.yaml"), "old");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(0, run("zoo", "darts-mini", "-o", out.toString(), "--force").code());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        Path fresh = dir.resolve("new.yaml");
        assertEquals(0, run("zoo", "darts-mini", "-o", fresh.toString()).code());
        assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain"))), Files.getPosixFilePermissions(fresh));
    }

    @Test
    void aWriteThatFailsIsOneLineNamingTheFileAndTheOldFileStays(@TempDir Path dir) throws Exception {
        Path out = Files.writeString(dir.resolve("t.yaml"), "old");
        try (AutoCloseable full = FileWrites.failWritesTo(p -> true)) {
            CliTest.Run r = run("zoo", "darts-mini", "-o", out.toString(), "--force");
            assertEquals(1, r.code(), r.err());
            assertEquals("cellforge: cannot write " + out + ": No space left on device", r.err().strip());
            r = run("zoo", "--write-all", dir.resolve("all").toString());
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().startsWith("cellforge: cannot write " + dir.resolve("all")), r.err());
            Path g = Files.writeString(dir.resolve("a.genotype"), CliTest.DARTS_V2);
            r = run("convert", g.toString(), dir.resolve("a.json").toString());
            assertEquals(1, r.code(), r.err());
            assertEquals("cellforge: cannot write " + dir.resolve("a.json") + ": No space left on device", r.err().strip());
        }
        assertEquals("old", Files.readString(out));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.filter(Files::isRegularFile).count(), "no temporary file left");
        }
    }
}

package io.cellforge.cli;

import io.cellforge.search.RunFiles;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `search --strategy ... --events FILE`: a multi-trial run's trials as events, as a one-shot run's steps are. */
class TrialEventsCliTest {
    @BeforeAll
    static void table() {
        Assumptions.assumeTrue(Files.exists(TrialSearchCliTest.TABLE), "NAS-Bench-201 table not found; skipped");
    }

    private static List<Trial> events(Path f) throws Exception {
        return RunFiles.readTrials(f).stream().map(Trial::of).toList();
    }

    @Test
    void theEventsOfAMultiTrialRunReadBackAreItsTrialLog(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        Path events = dir.resolve("events.jsonl");
        CliTest.Run r = run(TrialSearchCliTest.search("rea", 30, "--seed", "4", "--out", out.toString(), "--events", events.toString()));
        assertEquals(0, r.code(), r.err());
        List<Trial> log = TrialLog.read(out.resolve(TrialLog.FILE));
        assertEquals(30, log.size());
        assertEquals(log, events(events));
        var last = RunFiles.readTrials(events).get(29);
        assertEquals(30, last.budget());
        assertEquals(new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("result.json").toFile()).get("best").get("index")
                .asInt(), last.best(), "the best so far, as the result names it at the end");
        assertTrue(Files.readAllLines(events).stream().allMatch(l -> l.startsWith("{\"type\":\"trial\"")));
    }

    @Test
    void aResumedRunAppendsToItsEventsAndReadsBackAsItsWholeLog(@TempDir Path dir) throws Exception {
        Path cut = dir.resolve("cut");
        Path events = dir.resolve("events.jsonl");
        assertEquals(0, run(TrialSearchCliTest.search("tpe", 12, "--seed", "3", "--out", cut.toString(), "--events", events.toString())).code());
        CliTest.Run r = run(TrialSearchCliTest.search("tpe", 25, "--seed", "3", "--resume", cut.toString(), "--events", events.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resumed: 12 trials read from the log"), r.err());
        assertTrue(Files.readString(events).contains("{\"type\":\"trials_resumed\",\"trials\":12}"));
        List<Trial> log = TrialLog.read(cut.resolve(TrialLog.FILE));
        assertEquals(25, log.size());
        assertEquals(log, events(events), "the replayed trials once, then the new ones");
        assertEquals(12, RunFiles.readTrials(events).stream().filter(io.cellforge.search.SearchEvents.Trial::replayed).count());
    }

    @Test
    void aFileThatIsNotAnEventsFileIsNotOverwritten(@TempDir Path dir) throws Exception {
        Path mine = dir.resolve("notes.txt");
        Files.writeString(mine, "my notes\n");
        CliTest.Run r = run(TrialSearchCliTest.search("random", 5, "--events", mine.toString()));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("is a file that is not the events of a search"), r.err());
        assertEquals("my notes\n", Files.readString(mine));
    }
}

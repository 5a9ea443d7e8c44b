package io.cellforge.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkspaceTest {

    @Test
    void recoveryCopiesOfDocumentsOpenInAnotherRunningCellforgeAreNotOffered(@TempDir Path home) throws Exception {
        Workspace w = new Workspace(home);
        long alive = ProcessHandle.current().parent().orElseThrow().pid(); // the test's launcher: running, and not us
        w.writeRecovery(alive + "-a", null, "x: 1\n");
        w.writeRecovery(ProcessHandle.current().pid() + "-b", null, "x: 2\n");
        w.writeRecovery("2147483000-c", Path.of("/tmp/s.yaml"), "x: 3\n"); // a process that is gone: a crash to recover
        var offered = w.recoveries().stream().collect(java.util.stream.Collectors.toMap(r -> r.file().getFileName().toString(), r -> r));
        assertEquals(java.util.Set.of(ProcessHandle.current().pid() + "-b.yaml", "2147483000-c.yaml"), offered.keySet());
        assertEquals("/tmp/s.yaml", offered.get("2147483000-c.yaml").origin());
    }

    @Test
    void aRecoveryCopyRecordsItsOriginalPathWhateverItsName(@TempDir Path home) throws Exception {
        Workspace w = new Workspace(home);
        Path odd = home.resolve("a\\b\nc.yaml").toAbsolutePath();
        w.writeRecovery("2147483000-d", odd, "x: 1\n");
        Workspace.Recovery r = w.recoveries().get(0);
        assertEquals(odd.toString(), r.origin());
        assertEquals("x: 1\n", r.yaml().substring(r.yaml().indexOf('\n') + 1));
    }

    @Test
    void staleTempFilesOfInterruptedSavesAreRemovedAndNothingElse(@TempDir Path dir) throws Exception {
        Instant start = Instant.parse("2024-06-01T00:00:00Z");
        FileTime before = FileTime.from(Instant.parse("2024-05-01T00:00:00Z"));
        FileTime after = FileTime.from(Instant.parse("2024-07-01T00:00:00Z"));
        Path doc = Files.writeString(dir.resolve("tiny.yaml"), "x\n");
        List<String> stale = List.of(".tiny.yaml1234567890123456789.tmp", ".tiny.yaml7.tmp");
        // not ours, or not stale: another program's names, other documents', a running save's (written after we started)
        List<String> kept = List.of(".tiny.yaml.tmp", "tiny.yaml123.tmp", ".tiny.yaml12a.tmp", ".tiny.yaml123.tmp.bak", ".tiny.yml123.tmp",
                ".other.yaml123.tmp", ".tiny.yaml123456789012345678901.tmp", ".tiny.yaml99.tmp");
        for (String n : stale) {
            Files.setLastModifiedTime(Files.writeString(dir.resolve(n), "half"), before);
        }
        for (String n : kept) {
            Files.setLastModifiedTime(Files.writeString(dir.resolve(n), "other"), n.equals(".tiny.yaml99.tmp") ? after : before);
        }
        Path folder = Files.createDirectory(dir.resolve(".tiny.yaml5.tmp"));
        Path link = Files.createSymbolicLink(dir.resolve(".tiny.yaml6.tmp"), doc);
        Files.setLastModifiedTime(folder, before);

        assertEquals(2, StaleTemps.removeFor(doc, start));
        for (String n : stale) {
            assertFalse(Files.exists(dir.resolve(n)), n);
        }
        for (String n : kept) {
            assertTrue(Files.exists(dir.resolve(n)), n);
        }
        assertTrue(Files.isDirectory(folder) && Files.isSymbolicLink(link) && Files.exists(doc));
    }

    @Test
    void staleTempFilesOfTheAppsOwnFolderGoAtStart(@TempDir Path home) throws Exception {
        Workspace w = new Workspace(home);
        w.setDarkTheme(true);
        w.writeRecovery("2147483000-0a1b", null, "x: 1\n");
        FileTime old = FileTime.from(Instant.parse("2024-05-01T00:00:00Z"));
        List<Path> stale = List.of(home.resolve(".theme.txt42.tmp"), home.resolve(".recent.txt42.tmp"),
                w.recoveryDir().resolve(".2147483000-0a1b.yaml42.tmp"));
        List<Path> kept = List.of(home.resolve(".notes.txt42.tmp"), w.recoveryDir().resolve(".mine.yaml42.tmp"));
        for (Path p : stale) {
            Files.setLastModifiedTime(Files.writeString(p, "half"), old);
        }
        for (Path p : kept) {
            Files.setLastModifiedTime(Files.writeString(p, "other"), old);
        }
        w.removeStaleTemps(Instant.parse("2024-06-01T00:00:00Z"));
        stale.forEach(p -> assertFalse(Files.exists(p), p.toString()));
        kept.forEach(p -> assertTrue(Files.exists(p), p.toString()));
        assertTrue(w.darkTheme());
        assertEquals(1, w.recoveries().size());
    }

    @Test
    void recentFilesKeepTheLastTenNewestFirst(@TempDir Path home) {
        Workspace w = new Workspace(home);
        for (int i = 0; i < 12; i++) {
            w.addRecent(home.resolve("f" + i + ".yaml"));
        }
        w.addRecent(home.resolve("f5.yaml"));
        List<Path> r = w.recent();
        assertEquals(10, r.size());
        assertEquals(home.resolve("f5.yaml").toAbsolutePath(), r.get(0));
        assertEquals(home.resolve("f11.yaml").toAbsolutePath(), r.get(1));
    }
}

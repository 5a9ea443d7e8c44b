package io.cellforge.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

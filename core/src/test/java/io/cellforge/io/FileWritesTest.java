package io.cellforge.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileWritesTest {

    @Test
    void anExistingFileKeepsItsModeAndANewOneGetsTheUmasksMode(@TempDir Path dir) throws Exception {
        Path shared = dir.resolve("shared.yaml");
        Files.writeString(shared, "old");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        SpaceFiles.writeAtomically(shared, "new");
        assertEquals("new", Files.readString(shared));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));

        Path group = dir.resolve("group.yaml");
        Files.writeString(group, "old");
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rw-rw----"));
        SpaceFiles.writeAtomically(group, "new");
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(group)));

        Path plain = Files.createFile(dir.resolve("plain")); // what the umask gives any new file
        Path fresh = dir.resolve("fresh.yaml");
        SpaceFiles.writeAtomically(fresh, "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(fresh), "not a temporary file's 0600");
    }

    @Test
    void aFailedWriteOfSeveralFilesReplacesNoneAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.txt"), "old a");
        Map<Path, FileWrites.Body> files = new LinkedHashMap<>();
        files.put(dir.resolve("a.txt"), out -> out.write("new a".getBytes()));
        files.put(dir.resolve("b.txt"), out -> out.write("new b".getBytes()));
        try (AutoCloseable full = FileWrites.failWritesTo(p -> p.getFileName().toString().equals("b.txt"))) {
            IOException e = assertThrows(IOException.class, () -> FileWrites.writeAllAtomically(files));
            assertTrue(e.getMessage().contains("b.txt") && e.getMessage().contains("No space left on device"), e.getMessage());
        }
        assertEquals("old a", Files.readString(dir.resolve("a.txt")));
        assertFalse(Files.exists(dir.resolve("b.txt")));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        FileWrites.writeAllAtomically(files);
        assertEquals("new a", Files.readString(dir.resolve("a.txt")));
        assertEquals("new b", Files.readString(dir.resolve("b.txt")));
    }

    @Test
    void aLongTargetNameStillHasALegalTemporaryName(@TempDir Path dir) throws Exception {
        Path long250 = dir.resolve("x".repeat(250));
        SpaceFiles.writeAtomically(long250, "ok");
        assertEquals("ok", Files.readString(long250));
    }

    /** The app removes the temporary files a kill left by {@link FileWrites#tempNames}: it must name the real ones. */
    @Test
    void theTemporaryFileOfAWriteIsNamedAsTempNamesSaysForShortAndLongNames(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"space.yaml", "x".repeat(250)}) {
            List<String> during = new java.util.ArrayList<>();
            FileWrites.writeAtomically(dir.resolve(name), out -> {
                try (var files = Files.list(dir)) {
                    files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).forEach(during::add);
                }
                out.write(1);
            });
            assertEquals(1, during.size(), during.toString());
            assertTrue(FileWrites.tempNames(name).matcher(during.get(0)).matches(), during.get(0));
            assertFalse(FileWrites.tempNames(name).matcher(name).matches());
        }
    }

    @Test
    void aFolderIsNeverReplacedByAFile(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("out.json"));
        IOException e = assertThrows(IOException.class, () -> SpaceFiles.writeAtomically(folder, "x"));
        assertEquals("cannot write " + folder + ": it is a folder", e.getMessage());
        assertTrue(Files.isDirectory(folder));
    }

    @Test
    void onlyShortPlainNamesAreSafeFileNames() {
        assertEquals("tiny-darts", FileWrites.safeName("tiny-darts", "space"));
        assertEquals("a.b_c", FileWrites.safeName("a.b_c", "space"));
        for (String bad : new String[] {"../../../elsewhere/x", "/etc/x", "con/../../x", "a\u0000b", "..", ".hidden", "", "x".repeat(101),
                "a b", "a\\b"}) {
            assertEquals("space", FileWrites.safeName(bad, "space"), bad);
        }
        assertEquals("x".repeat(100), FileWrites.safeName("x".repeat(100), "space"), "the limit itself is allowed");
    }

    @Test
    void aFolderThatCannotBeWrittenIsFoundBeforeALongJob(@TempDir Path dir) throws Exception {
        FileWrites.checkWritableFolder(dir.resolve("new/out"));
        assertTrue(Files.isDirectory(dir.resolve("new/out")));
        try (var s = Files.list(dir.resolve("new/out"))) {
            assertEquals(0, s.count(), "the probe is gone");
        }
        Path file = Files.writeString(dir.resolve("file"), "x");
        IOException e = assertThrows(IOException.class, () -> FileWrites.checkWritableFolder(file));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));
        try {
            if (!Files.isWritable(locked)) { // root writes anywhere
                e = assertThrows(IOException.class, () -> FileWrites.checkWritableFolder(locked));
                assertTrue(e.getMessage().startsWith("cannot write into " + locked), e.getMessage());
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }
}

package io.cellforge.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sizes before reading: every file is a regular one within its limit, checked before it is read, read bounded. */
class LimitsTest {
    static final String NOT_REGULAR = ": not a regular file (a device, a pipe or a socket, or a link to one)";

    static String refusal(Path p) {
        return assertThrows(LoadException.class, () -> SpaceFiles.readText(p)).getMessage();
    }

    /** A file of {@code size} bytes that takes no disk space (sparse, all zeros). */
    static Path sparse(Path p, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void aTextFileFromBothSidesOfItsLimit(@TempDir Path dir) throws Exception {
        Path at = sparse(dir.resolve("at.yaml"), Limits.TEXT_BYTES);
        assertEquals(Limits.TEXT_BYTES, SpaceFiles.readText(at).length());
        Path over = sparse(dir.resolve("over.yaml"), Limits.TEXT_BYTES + 1);
        assertEquals(over + ": file is larger than 8 MB (8388609 bytes), the most Cellforge reads", refusal(over));
    }

    @Test
    void aThreeGigabyteFileIsRefusedFromItsSizeWithoutBeingRead(@TempDir Path dir) throws Exception {
        Path big = sparse(dir.resolve("big.yaml"), 3L << 30);
        assertEquals(big + ": file is larger than 8 MB (3221225472 bytes), the most Cellforge reads", refusal(big));
    }

    @Test
    void devicesAndLinksToThemAreRefusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        for (String dev : new String[] {"/dev/zero", "/dev/urandom"}) {
            Path d = Path.of(dev);
            Assumptions.assumeTrue(Files.exists(d), "no " + dev);
            assertEquals(dev + NOT_REGULAR, refusal(d));
            Path link = Files.createSymbolicLink(dir.resolve(d.getFileName() + ".yaml"), d);
            assertEquals(link + NOT_REGULAR, refusal(link));
        }
        assertEquals(dir + ": is a folder, not a file", refusal(dir));
        assertEquals(dir.resolve("none.yaml") + ": no such file", refusal(dir.resolve("none.yaml")));
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("space.yaml");
        int rc;
        try {
            rc = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "no mkfifo");
        assertEquals(fifo + NOT_REGULAR, refusal(fifo));
    }

    @Test
    void aFileThatReportsSizeZeroStillStopsAtTheLimit() throws Exception {
        // /proc files are regular and report 0 bytes, whatever they hold.
        Path maps = Path.of("/proc/self/maps");
        Assumptions.assumeTrue(Files.isRegularFile(maps) && Files.size(maps) == 0, "no /proc");
        try (InputStream in = Limits.open(maps, 16)) {
            Limits.TooLarge e = assertThrows(Limits.TooLarge.class, in::readAllBytes);
            assertEquals(maps + ": file is larger than 16 bytes, the most Cellforge reads", e.getMessage());
        }
    }

    @Test
    void aBoundedStreamGivesItsLimitAndNotOneByteMore() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }
        };
        InputStream in = Limits.bounded(endless, 5, "f: too long");
        assertArrayEquals(new byte[] {7, 7, 7, 7, 7}, in.readNBytes(5));
        assertEquals("f: too long", assertThrows(Limits.TooLarge.class, in::read).getMessage());
        InputStream exact = Limits.bounded(new java.io.ByteArrayInputStream(new byte[5]), 5, "f: too long");
        assertEquals(5, exact.readAllBytes().length);
        InputStream endless2 = Limits.bounded(endless, 5, "f: too long");
        assertThrows(Limits.TooLarge.class, endless2::readAllBytes);
    }

    @Test
    void limitsAreWrittenAsTheReadmeWritesThem() {
        assertEquals("8 MB", Limits.bytes(Limits.TEXT_BYTES));
        assertEquals("4 GB", Limits.bytes(Limits.DATA_FILE_BYTES));
        assertEquals("64 MB", Limits.bytes(Limits.IMAGE_FILE_BYTES));
        assertEquals("100 bytes", Limits.bytes(100));
        assertTrue(Limits.DATA_VALUES < Integer.MAX_VALUE);
    }
}

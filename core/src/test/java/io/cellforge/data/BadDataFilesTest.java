package io.cellforge.data;

import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.cellforge.data.DatasetsTest.gz;
import static io.cellforge.data.DatasetsTest.idx;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged, huge, endless and mismatched data files: each ends as one line naming the file, before memory runs out. */
class BadDataFilesTest {

    static String refusal(String spec) {
        return assertThrows(LoadException.class, () -> Datasets.load(spec)).getMessage();
    }

    @Test
    void anIdxHeaderWhosePixelCountOverflowsAnIntIsRefusedBeforeAnythingIsAllocated(@TempDir Path dir) throws Exception {
        // 32,768 images of 256x256 are 2^31 values: n*h*w in an int was negative (NegativeArraySizeException).
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {32_768}, new byte[32_768]));
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {32_768, 256, 256}, new byte[0]));
        assertEquals(dir.resolve("train-images-idx3-ubyte") + ": 2,147,483,648 pixel values are more than the "
                + "1,073,741,824 Cellforge holds in memory", refusal(dir.toString()));
    }

    @Test
    void theDataValuesLimitFromBothSides() throws Exception {
        assertDoesNotThrow(() -> Datasets.requireValues(Limits.DATA_VALUES, "f"));
        LoadException e = assertThrows(LoadException.class, () -> Datasets.requireValues(Limits.DATA_VALUES + 1, "f"));
        assertTrue(e.getMessage().startsWith("f: 1,073,741,825 pixel values are more than"), e.getMessage());
        // within that limit, an array larger than the heap is refused before it is asked for
        long tooMuch = Runtime.getRuntime().maxMemory() + 1;
        e = assertThrows(LoadException.class, () -> Datasets.allocate(tooMuch, "f", () -> {
            throw new AssertionError("not allocated");
        }));
        assertTrue(e.getMessage().startsWith("f: the data need ") && e.getMessage().endsWith("(raise it with -Xmx)"), e.getMessage());
        assertEquals(3, Datasets.allocate(12, "f", () -> new float[3]).length);
    }

    @Test
    void anIdxHeaderIsCheckedAgainstTheFilesLengthBeforeAllocating(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("train-images-idx3-ubyte");
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {1000}, new byte[1000]));
        Files.write(images, idx(0x803, new int[] {1000, 28, 28}, new byte[10]));
        assertEquals(images + ": file ends early: the header says 1000 images of 28x28 (784016 bytes) but the file has 26 bytes "
                + "(truncated?)", refusal(dir.toString()));
        Files.write(images, idx(0x803, new int[] {1000, 28, 28}, new byte[784_001]));
        assertEquals(images + ": file is longer than its header says: the header says 1000 images of 28x28 (784016 bytes) but "
                + "the file has 784017 bytes", refusal(dir.toString()));
        // gzip: the length is known only after unpacking, but a small file cannot hold a large header's images
        Files.delete(images);
        Path packed = dir.resolve("train-images-idx3-ubyte.gz");
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {60_000}, new byte[60_000]));
        gz(packed, idx(0x803, new int[] {60_000, 28, 28}, new byte[100]));
        String m = refusal(dir.toString());
        assertTrue(m.startsWith(packed + ": the header says 60000 images of 28x28 (47040016 bytes), more than a gzip file of "), m);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[2]));
        gz(packed, idx(0x803, new int[] {2, 2, 2}, new byte[9]));
        assertEquals(packed + ": file is longer than its header says (2 images of 2x2)", refusal(dir.toString()));
    }

    @Test
    void testImagesOfAnotherSizeThanTheTrainingImagesAreRefusedNamingBoth(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {2, 8, 8}, new byte[128]));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[] {0, 1}));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 9, 9}, new byte[81]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {1}, new byte[] {1}));
        assertEquals(dir.resolve("t10k-images-idx3-ubyte") + ": images are 1x9x9 but the training images "
                + "(train-images-idx3-ubyte) are 1x8x8; both must have one size", refusal(dir.toString()));
        // the same size in both: accepted, and labels that stop early in one file keep one list of classes
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 8, 8}, new byte[64]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {1}, new byte[] {4}));
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(5, b.train().classes());
        assertEquals(b.train().classNames(), b.test().classNames());
    }

    @Test
    void imageFoldersOfTwoSizesAreRefusedNamingBoth(@TempDir Path dir) throws Exception {
        for (String split : List.of("train", "test")) {
            Path d = Files.createDirectories(dir.resolve(split).resolve("a"));
            int side = split.equals("train") ? 8 : 9;
            ImageIO.write(new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY), "png", d.resolve("0.png").toFile());
        }
        assertEquals(dir.resolve("test") + ": images are 1x9x9 but the training images (" + dir.resolve("train")
                + ") are 1x8x8; both must have one size", refusal(dir.toString()));
    }

    /** A PNG whose header says {@code w} x {@code h}: the pixels are never there. */
    static byte[] pngClaiming(int w, int h) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), "png", o);
        ByteBuffer b = ByteBuffer.wrap(o.toByteArray());
        b.putInt(16, w).putInt(20, h); // IHDR's width and height
        return b.array();
    }

    @Test
    void anImageIsSizedFromItsHeaderBeforeItIsDecoded(@TempDir Path dir) throws Exception {
        Path cls = Files.createDirectories(dir.resolve("a"));
        Files.write(cls.resolve("huge.png"), pngClaiming(100_000, 100_000));
        assertEquals(cls.resolve("huge.png") + ": implausible image size 100000x100000 (at most 4096x4096)", refusal(dir.toString()));
        Files.write(cls.resolve("huge.png"), "not an image".getBytes());
        assertEquals(cls.resolve("huge.png") + ": not a readable image", refusal(dir.toString()));
        // the other side: two real images are read and split one and one
        Files.delete(cls.resolve("huge.png"));
        for (int i = 0; i < 2; i++) {
            ImageIO.write(new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB), "png", cls.resolve(i + ".png").toFile());
        }
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(1, b.train().size());
        assertEquals(1, b.test().size());
        assertEquals(1, b.train().classes());
    }

    @Test
    void aHugeCsvLineIsRefusedAtItsLineBeforeItFillsTheMemory(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("huge.csv");
        char[] line = new char[Limits.CSV_LINE_CHARS + 1];
        Arrays.fill(line, '0');
        Files.writeString(f, "0,0,0,0,1\n" + new String(line) + "\n");
        assertEquals(f + ":2: line longer than 4,194,304 characters, the most Cellforge reads as one image", refusal(f.toString()));
    }

    @Test
    void csvLinesFromBothSidesOfTheirLimit() throws Exception {
        io.cellforge.io.BoundedLines r = new io.cellforge.io.BoundedLines(new StringReader("0123456789\r\n\n01234567890"), "f", 10, "the most Cellforge reads as one image");
        assertEquals("0123456789", r.next());
        assertEquals("", r.next());
        assertEquals(2, r.number());
        LoadException e = assertThrows(LoadException.class, r::next);
        assertEquals("f:3: line longer than 10 characters, the most Cellforge reads as one image", e.getMessage());
        io.cellforge.io.BoundedLines last = new io.cellforge.io.BoundedLines(new StringReader("a\nb"), "f", 10, "x");
        assertEquals("a", last.next());
        assertEquals("b", last.next());
        assertNull(last.next());
    }

    @Test
    void aCsvOfOneImageIsTooFewToSplit(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("one.csv");
        Files.writeString(f, "0,0,0,0,1\n");
        assertEquals(f + ": 1 image is too few: the data are split into training and test images, which needs at least 2",
                refusal(f.toString()));
        Files.writeString(f, "0,0,0,0,1\n1,1,1,1,0\n");
        DataBundle b = Datasets.load(f.toString());
        assertEquals(1, b.train().size());
        assertEquals(1, b.test().size());
    }

    @Test
    void devicesFifosAndLinksToThemAreRefusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero");
        // an endless CIFAR test batch
        byte[] rec = new byte[3073];
        Files.write(dir.resolve("data_batch_1.bin"), rec);
        Path test = Files.createSymbolicLink(dir.resolve("test_batch.bin"), Path.of("/dev/zero"));
        assertEquals(test + ": not a regular file (a device, a pipe or a socket, or a link to one)", refusal(dir.toString()));
        Path csv = Files.createSymbolicLink(dir.resolve("zero.csv"), Path.of("/dev/urandom"));
        assertEquals(csv + ": not a regular file (a device, a pipe or a socket, or a link to one)", refusal(csv.toString()));
        Files.delete(test);
        Files.write(test, rec);
        Path names = Files.createSymbolicLink(dir.resolve("batches.meta.txt"), Path.of("/dev/zero"));
        assertEquals(names + ": not a regular file (a device, a pipe or a socket, or a link to one)", refusal(dir.toString()));
        Files.delete(names);
        assertEquals(1, Datasets.load(dir.toString()).train().size());
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("t10k-labels-idx1-ubyte");
        int rc;
        try {
            rc = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        } catch (IOException e) {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "no mkfifo");
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {2, 2, 2}, new byte[8]));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {2}, new byte[2]));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 2, 2}, new byte[4]));
        assertEquals(fifo + ": not a regular file (a device, a pipe or a socket, or a link to one)", refusal(dir.toString()));
    }
}

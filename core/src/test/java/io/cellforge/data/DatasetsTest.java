package io.cellforge.data;

import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {

    @Test
    void theBundledDigitsAre1797ImagesOf8x8InTenClassesSplitTheSameWayEveryTime() throws Exception {
        DataBundle a = Datasets.load("digits");
        assertEquals(new Shape(1, 8, 8), a.train().shape());
        assertEquals(1797, a.train().size() + a.test().size());
        assertEquals(1438, a.train().size());
        assertEquals(10, a.train().classes());
        for (int i = 0; i < a.train().pixels().length; i++) {
            assertTrue(a.train().value(i) >= 0 && a.train().value(i) <= 1);
        }
        assertTrue(Arrays.stream(a.test().classCounts()).allMatch(c -> c > 20), Arrays.toString(a.test().classCounts()));
        DataBundle b = Datasets.digits();
        assertArrayEquals(a.train().labels(), b.train().labels());
        assertArrayEquals(a.test().pixels(), b.test().pixels());
    }

    @Test
    void splitsAreDeterministicAndDisjoint() throws Exception {
        Dataset train = Datasets.digits().train();
        Dataset[] s1 = train.split(0.5, 7);
        Dataset[] s2 = train.split(0.5, 7);
        assertArrayEquals(s1[0].labels(), s2[0].labels());
        assertEquals(train.size(), s1[0].size() + s1[1].size());
        float[][] stats = train.channelStats();
        assertEquals(1, stats[0].length);
        assertTrue(stats[0][0] > 0.2 && stats[0][0] < 0.4, "mean " + stats[0][0]);
    }

    static byte[] idx(int magic, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bo);
        o.writeInt(magic);
        for (int d : dims) {
            o.writeInt(d);
        }
        o.write(data);
        return bo.toByteArray();
    }

    static void gz(Path p, byte[] b) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(b);
        }
    }

    @Test
    void idxFilesGzippedOrNot(@TempDir Path dir) throws Exception {
        byte[] px = new byte[4 * 3 * 2];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 10);
        }
        gz(dir.resolve("train-images-idx3-ubyte.gz"), idx(0x803, new int[] {4, 3, 2}, px));
        gz(dir.resolve("train-labels-idx1-ubyte.gz"), idx(0x801, new int[] {4}, new byte[] {0, 1, 2, 1}));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 3, 2}, Arrays.copyOf(px, 6)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {1}, new byte[] {2}));
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(new Shape(1, 3, 2), b.train().shape());
        assertArrayEquals(new int[] {0, 1, 2, 1}, b.train().labels());
        assertEquals(50 / 255f, b.train().value(5), 1e-6);
        assertEquals(1, b.test().size());
    }

    @Test
    void aTruncatedOrForeignIdxFileIsNamed(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x803, new int[] {4, 3, 2}, new byte[5]));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x801, new int[] {4}, new byte[4]));
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertEquals(dir.resolve("train-images-idx3-ubyte") + ": file ends early: the header says 4 images of 3x2 (40 bytes) "
                + "but the file has 21 bytes (truncated?)", e.getMessage());
        Files.write(dir.resolve("train-labels-idx1-ubyte"), idx(0x803, new int[] {4}, new byte[4]));
        e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertTrue(e.getMessage().startsWith(dir.resolve("train-labels-idx1-ubyte") + ": not an IDX label file"), e.getMessage());
    }

    @Test
    void fashionMnistFromTheDebianPackage() throws Exception {
        Path fm = Path.of("/usr/share/datasets/fashion-mnist");
        Assumptions.assumeTrue(Files.isDirectory(fm), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist); skipped");
        DataBundle b = Datasets.load(fm.toString());
        assertEquals(60_000, b.train().size());
        assertEquals(10_000, b.test().size());
        assertEquals(new Shape(1, 28, 28), b.train().shape());
        assertEquals(10, b.train().classes());
        assertTrue(Arrays.stream(b.test().classCounts()).allMatch(c -> c == 1000));
    }

    @Test
    void cifar10BinaryAndAWrongSizeNamesTheFile(@TempDir Path dir) throws Exception {
        byte[] rec = new byte[3 * 3073];
        rec[0] = 3;
        rec[3073] = 7;
        rec[2 * 3073] = 9;
        rec[1] = (byte) 255;
        Files.write(dir.resolve("data_batch_1.bin"), rec);
        Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(rec, 3073));
        Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n", List.of("airplane", "automobile", "bird", "cat",
                "deer", "dog", "frog", "horse", "ship", "truck")) + "\n");
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(new Shape(3, 32, 32), b.train().shape());
        assertArrayEquals(new int[] {3, 7, 9}, b.train().labels());
        assertEquals(1f, b.train().value(0));
        assertEquals("cat", b.train().classNames().get(3));
        // Named by the folder (it was "CIFAR-10 train", which says not which data a misfit line is about).
        assertEquals(dir.getFileName() + " train (CIFAR-10)", b.train().name());
        assertEquals(Optional.of("the images of " + dir.getFileName() + " train (CIFAR-10) are 3x32x32 but space 'x' takes 1x8x8"),
                b.misfit(new Shape(1, 8, 8), 10, "space 'x'"));
        Files.write(dir.resolve("test_batch.bin"), new byte[3000]);
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertTrue(e.getMessage().startsWith(dir.resolve("test_batch.bin") + ": 3000 bytes is not a whole number"), e.getMessage());
    }

    @Test
    void csvWithAHeaderAndNamedClasses(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tiny.csv");
        Files.writeString(f, "label,p0,p1,p2,p3\ncat,0,255,0,255\ndog,255,0,255,0\ncat,0,0,0,0\n");
        DataBundle b = Datasets.load(f.toString());
        assertEquals(new Shape(1, 2, 2), b.train().shape());
        assertEquals(List.of("cat", "dog"), b.train().classNames());
        assertEquals(3, b.train().size() + b.test().size());
    }

    @Test
    void aBadCsvLineIsNamedWithItsLineNumber(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "0,0,0,0,1\n0,x,0,0,1\n");
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(f.toString()));
        assertEquals(f + ":2: column 2: 'x' is not a number", e.getMessage());
        Files.writeString(f, "0,0,0,0,1\n0,0,0,1\n");
        e = assertThrows(LoadException.class, () -> Datasets.load(f.toString()));
        assertEquals(f + ":2: expected 5 columns, found 4", e.getMessage());
        Files.writeString(f, "0,0,0,0,0,1\n");
        e = assertThrows(LoadException.class, () -> Datasets.load(f.toString()));
        assertTrue(e.getMessage().contains("cannot tell the image shape of 5 pixel columns"), e.getMessage());
    }

    @Test
    void anImageFolderWithTrainAndTest(@TempDir Path dir) throws Exception {
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("circle", "square")) {
                Path d = Files.createDirectories(dir.resolve(split).resolve(cls));
                for (int i = 0; i < 3; i++) {
                    BufferedImage img = new BufferedImage(6, 5, BufferedImage.TYPE_INT_RGB);
                    img.setRGB(1, 1, 0xff0000);
                    ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(new Shape(3, 5, 6), b.train().shape());
        assertEquals(6, b.train().size());
        assertEquals(List.of("circle", "square"), b.test().classNames());
        assertEquals(1f, b.train().value(1 * 6 + 1));
        BufferedImage odd = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        Path oddFile = dir.resolve("train").resolve("square").resolve("odd.png");
        ImageIO.write(odd, "png", oddFile.toFile());
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertTrue(e.getMessage().startsWith(oddFile + ": is 7x5 but"), e.getMessage());
    }

    @Test
    void aMissingDatasetSaysWhatWasExpected() {
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load("/no/such/data"));
        assertTrue(e.getMessage().startsWith("/no/such/data: no such file or directory"), e.getMessage());
    }
}

package io.cellforge.data;

import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.cellforge.data.DatasetsTest.gz;
import static io.cellforge.data.DatasetsTest.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each format as it is distributed, in small generated files: what is read, and where a damaged file is wrong. */
public class DistributedLayoutsTest {

    /** Fashion-MNIST's and MNIST's four files, gzip, in a folder named as the data: 28x28 images, labels 0..9. */
    public static Path fashionLayout(Path parent, int train, int test) throws Exception {
        Path dir = Files.createDirectories(parent.resolve("fashion-mnist"));
        for (String[] part : new String[][] {{"train", Integer.toString(train)}, {"t10k", Integer.toString(test)}}) {
            int n = Integer.parseInt(part[1]);
            byte[] px = new byte[n * 784];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 10);
                Arrays.fill(px, i * 784, (i + 1) * 784, (byte) (i * 7));
            }
            gz(dir.resolve(part[0] + "-images-idx3-ubyte.gz"), idx(0x803, new int[] {n, 28, 28}, px));
            gz(dir.resolve(part[0] + "-labels-idx1-ubyte.gz"), idx(0x801, new int[] {n}, labels));
        }
        return dir;
    }

    @Test
    void fashionMnistAsShippedIsTrainAndTestOf28x28HeldAsOneByteAPixel(@TempDir Path tmp) throws Exception {
        DataBundle b = Datasets.load(fashionLayout(tmp, 50, 20).toString());
        assertEquals(new Shape(1, 28, 28), b.train().shape());
        assertEquals(50, b.train().size());
        assertEquals(20, b.test().size());
        assertEquals("fashion-mnist train", b.train().name());
        assertArrayEquals(new int[] {5, 5, 5, 5, 5, 5, 5, 5, 5, 5}, b.train().classCounts());
        assertEquals(3 * 7 / 255f, b.train().value(3 * 784 + 100), 1e-7);
        // The bytes held are a quarter of the floats (the labels, an int each, are the same in both).
        assertEquals(50 * 784 + 4 * 50, b.train().storageBytes());
        assertEquals(4 * 50 * 784 + 4 * 50, b.train().floatBytes());
        assertEquals(0.25, (double) b.storageBytes() / (b.train().floatBytes() + b.test().floatBytes()), 0.002);
    }

    @Test
    void mnistUnpackedWithTheDottedNamesSomeCopiesHave(@TempDir Path dir) throws Exception {
        byte[] px = new byte[3 * 4];
        px[4] = (byte) 255;
        Files.write(dir.resolve("train-images.idx3-ubyte"), idx(0x803, new int[] {3, 2, 2}, px));
        Files.write(dir.resolve("train-labels.idx1-ubyte"), idx(0x801, new int[] {3}, new byte[] {4, 1, 9}));
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(3, b.train().size() + b.test().size());
        assertEquals(10, b.train().classes());
    }

    @Test
    void aTruncatedGzipIdxFileSaysAtWhichByteAndImageItEnds(@TempDir Path tmp) throws Exception {
        Path dir = fashionLayout(tmp, 10, 2);
        byte[] px = new byte[10 * 784];
        // The gzip stream is whole; what it unpacks to ends inside image 4 (byte 16 + 3.5 images).
        gz(dir.resolve("train-images-idx3-ubyte.gz"), idx(0x803, new int[] {10, 28, 28}, Arrays.copyOf(px, 3 * 784 + 392)));
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertEquals(dir.resolve("train-images-idx3-ubyte.gz") + ": file ends early at byte 2,760, in image 4 of 10: the header "
                + "says 10 images of 28x28 (7,856 bytes) (truncated?)", e.getMessage());
        gz(dir.resolve("train-labels-idx1-ubyte.gz"), idx(0x801, new int[] {10}, new byte[6]));
        e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertEquals(dir.resolve("train-labels-idx1-ubyte.gz") + ": file ends early at byte 14, label 7 of 10 (truncated?)", e.getMessage());
    }

    @Test
    void anImageFileWithTheWrongMagicNumberSaysWhichItHas(@TempDir Path tmp) throws Exception {
        Path dir = fashionLayout(tmp, 10, 2);
        // The labels' magic where the images' belongs: the two files swapped.
        gz(dir.resolve("t10k-images-idx3-ubyte.gz"), idx(0x801, new int[] {2, 28, 28}, new byte[2 * 784]));
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertEquals(dir.resolve("t10k-images-idx3-ubyte.gz") + ": not an IDX image file (magic 0x00000801, expected 0x00000803)",
                e.getMessage());
    }

    /** A CIFAR record: the label bytes, then 3072 pixels, each {@code fill}. */
    static byte[] records(int[][] labelBytes, int fill) {
        int rec = labelBytes[0].length + 3072;
        byte[] b = new byte[labelBytes.length * rec];
        for (int i = 0; i < labelBytes.length; i++) {
            for (int k = 0; k < labelBytes[i].length; k++) {
                b[i * rec + k] = (byte) labelBytes[i][k];
            }
            Arrays.fill(b, i * rec + labelBytes[i].length, (i + 1) * rec, (byte) (fill + i));
        }
        return b;
    }

    @Test
    void cifar10AsDistributedFiveBatchesInOrderAndTheirTestBatch(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        for (int k = 1; k <= 5; k++) {
            Files.write(dir.resolve("data_batch_" + k + ".bin"), records(new int[][] {{k}, {k + 1}}, 10 * k));
        }
        Files.write(dir.resolve("test_batch.bin"), records(new int[][] {{0}, {9}, {4}}, 200));
        Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n", List.of("airplane", "automobile", "bird", "cat",
                "deer", "dog", "frog", "horse", "ship", "truck")) + "\n\n");
        // Given the folder the archive unpacks to, or the one around it.
        for (Path given : List.of(dir, tmp)) {
            DataBundle b = Datasets.load(given.toString());
            assertEquals(new Shape(3, 32, 32), b.train().shape());
            assertArrayEquals(new int[] {1, 2, 2, 3, 3, 4, 4, 5, 5, 6}, b.train().labels());
            assertArrayEquals(new int[] {0, 9, 4}, b.test().labels());
            assertEquals(51 / 255f, b.train().value(9 * 3072 + 3071), 1e-7); // batch 5, its second record, last pixel
            assertEquals("truck", b.train().classNames().get(9));
            assertEquals(10 * 3072 + 3 * 3072, b.train().pixels().length + b.test().pixels().length);
        }
    }

    @Test
    void cifar100TakesTheFineLabelAndItsNames(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar-100-binary"));
        // Coarse label first, fine second: the fine one (of 100) is the class.
        Files.write(dir.resolve("train.bin"), records(new int[][] {{19, 99}, {0, 4}, {11, 57}}, 1));
        Files.write(dir.resolve("test.bin"), records(new int[][] {{3, 30}}, 1));
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            names.append("fine").append(i).append('\n');
        }
        Files.writeString(dir.resolve("fine_label_names.txt"), names);
        DataBundle b = Datasets.load(dir.toString());
        assertArrayEquals(new int[] {99, 4, 57}, b.train().labels());
        assertEquals(100, b.train().classes());
        assertEquals("fine57", b.train().classNames().get(57));
        assertEquals("cifar-100-binary train (CIFAR-100)", b.train().name());
    }

    @Test
    void aCifarFileThatIsNoWholeNumberOfRecordsOrHasABadLabelIsNamedWithWhere(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        Files.write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(records(new int[][] {{1}, {2}}, 0), 2 * 3073 - 100));
        Files.write(dir.resolve("test_batch.bin"), records(new int[][] {{1}}, 0));
        LoadException e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertEquals(dir.resolve("data_batch_1.bin") + ": 6046 bytes is not a whole number of 3073-byte CIFAR-10 records "
                + "(truncated, or the other CIFAR?)", e.getMessage());
        Files.write(dir.resolve("data_batch_1.bin"), records(new int[][] {{1}, {2}, {12}}, 0));
        e = assertThrows(LoadException.class, () -> Datasets.load(dir.toString()));
        assertEquals(dir.resolve("data_batch_1.bin") + ": record 2 (at byte 6,146) has label 12 (expected below 10)", e.getMessage());
    }

    @Test
    void csvValuesAreHeldExactlyAsBytesOrRoundedWithANote(@TempDir Path dir) throws Exception {
        // Fractions in [0, 1]: few distinct values, each its own level.
        StringBuilder few = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            few.append("0.125,0.3,0.7,").append(i % 2 == 0 ? "0.9" : "0").append(',').append(i % 2).append('\n');
        }
        DataBundle b = Datasets.load(Files.writeString(dir.resolve("few.csv"), few).toString());
        assertEquals("CSV few.csv", b.description());
        for (int i = 0; i < b.train().pixels().length; i++) {
            float v = b.train().value(i);
            assertTrue(v == 0.125f || v == 0.3f || v == 0.7f || v == 0.9f || v == 0f, "value " + v);
        }
        // Many distinct values: 256 even steps, and the description says so.
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            many.append(i * 0.001f).append(",0,0,").append(0.5).append(',').append(i % 2).append('\n');
        }
        b = Datasets.load(Files.writeString(dir.resolve("many.csv"), many).toString());
        assertEquals("CSV many.csv (more than 256 distinct pixel values, rounded to 256 even steps of 0..0.5)", b.description());
        for (Dataset d : List.of(b.train(), b.test())) {
            for (int i = 0; i < d.pixels().length; i += 4) {
                assertTrue(d.value(i) <= 0.3f, "value " + d.value(i));
            }
        }
    }
}

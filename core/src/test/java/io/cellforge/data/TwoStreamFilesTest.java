package io.cellforge.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.data.BadDataFilesTest.refusal;
import static io.cellforge.data.DatasetsTest.gz;
import static io.cellforge.data.DatasetsTest.idx;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Images plus a context vector a sample, as a second IDX file beside the images or as a CSV column group. */
class TwoStreamFilesTest {

    /** {@code n} images of 2x2, image i all byte i, labels i mod 2. */
    static void images(Path dir, String prefix, int n) throws Exception {
        byte[] px = new byte[n * 4];
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, 4 * i, 4 * i + 4, (byte) i);
            y[i] = (byte) (i % 2);
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), idx(0x803, new int[] {n, 2, 2}, px));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), idx(0x801, new int[] {n}, y));
    }

    /** A byte context file of {@code n} x 2: image i gets (i, 2 i). */
    static byte[] byteContext(int n) throws Exception {
        byte[] c = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            c[2 * i] = (byte) i;
            c[2 * i + 1] = (byte) (2 * i);
        }
        return idx(0x802, new int[] {n, 2}, c);
    }

    /** A float32 context file, big-endian, of {@code rows} rows of {@code values.length / rows}. */
    static byte[] floatContext(int rows, float... values) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length); // big-endian, as IDX is
        for (float v : values) {
            b.putFloat(v);
        }
        return idx(0xD02, new int[] {rows, values.length / rows}, b.array());
    }

    /** Every image of {@code d} (all byte i) has the context (i, 2 i). */
    static void assertPaired(Dataset d) {
        assertEquals(2, d.contextFeatures());
        for (int k = 0; k < d.size(); k++) {
            int i = d.pixels()[4 * k] & 0xff;
            assertArrayEquals(new float[] {i, 2 * i}, d.contextOf(k), "image " + k);
        }
    }

    @Test
    void anIdxFolderWithAContextFilePerSplitGivesEachImageItsVector(@TempDir Path dir) throws Exception {
        images(dir, "train", 6);
        gz(dir.resolve("train-context-idx2-ubyte.gz"), byteContext(6));
        images(dir, "t10k", 2);
        Files.write(dir.resolve("t10k-context-idx2-float"), floatContext(2, 0.5f, -3, 1e-3f, 7.25f));
        DataBundle b = Datasets.load(dir.toString());
        assertPaired(b.train());
        assertEquals(6, b.train().size());
        assertArrayEquals(new float[] {0.5f, -3, 1e-3f, 7.25f}, b.test().context(), "floats as they are");
        assertEquals(2, b.test().contextFeatures());
    }

    @Test
    void aFolderWithoutTestFilesSplitsTheImagesWithTheirContext(@TempDir Path dir) throws Exception {
        images(dir, "train", 20);
        Files.write(dir.resolve("train-context-idx2-ubyte"), byteContext(20));
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(16, b.train().size());
        assertPaired(b.train());
        assertPaired(b.test());
    }

    @Test
    void testNamedFilesFindTheirContextToo(@TempDir Path dir) throws Exception {
        images(dir, "train", 4);
        Files.write(dir.resolve("train-context-idx2-ubyte"), byteContext(4));
        images(dir, "test", 3);
        Files.write(dir.resolve("test-context-idx2-ubyte"), byteContext(3));
        DataBundle b = Datasets.load(dir.toString());
        assertEquals(3, b.test().size());
        assertPaired(b.test());
    }

    @Test
    void anImagesFileGivenDirectlyFindsTheContextFileNamedAsItIs(@TempDir Path dir) throws Exception {
        images(dir, "mine", 10);
        Files.write(dir.resolve("mine-context-idx2-ubyte"), byteContext(10));
        images(dir, "other", 10); // another set's context beside it is its own, not this one's
        Files.write(dir.resolve("other-context-idx2-ubyte"), byteContext(3));
        DataBundle b = Datasets.load(dir.resolve("mine-images-idx3-ubyte").toString());
        assertPaired(b.train());
        assertPaired(b.test());
        assertEquals(dir.resolve("other-context-idx2-ubyte") + ": 3 context vectors but other-images-idx3-ubyte has 10 images",
                refusal(dir.resolve("other-images-idx3-ubyte").toString()));
    }

    @Test
    void aContextFileOfAnotherCountThanTheImagesIsRefusedNamingBoth(@TempDir Path dir) throws Exception {
        images(dir, "train", 4);
        gz(dir.resolve("train-context-idx2-ubyte.gz"), byteContext(3));
        assertEquals(dir.resolve("train-context-idx2-ubyte.gz") + ": 3 context vectors but train-images-idx3-ubyte has 4 images",
                refusal(dir.toString()));
    }

    @Test
    void oneSplitWithContextAndTheOtherWithoutIsRefusedNamingTheFileAndWhatIsMissing(@TempDir Path dir) throws Exception {
        images(dir, "train", 4);
        images(dir, "t10k", 2);
        Path train = Files.write(dir.resolve("train-context-idx2-ubyte"), byteContext(4));
        assertEquals(train + ": context vectors for the training images but none for t10k-images-idx3-ubyte (expected "
                + "t10k-context-idx2-ubyte or a float32 one beside it): both splits have context vectors or neither",
                refusal(dir.toString()));
        Files.delete(train);
        Path test = Files.write(dir.resolve("t10k-context-idx2-float"), floatContext(2, 1, 2));
        assertEquals(test + ": context vectors for the test images but none for train-images-idx3-ubyte (expected "
                + "train-context-idx2-ubyte or a float32 one beside it): both splits have context vectors or neither",
                refusal(dir.toString()));
    }

    @Test
    void splitsWithContextVectorsOfTwoWidthsAreRefused(@TempDir Path dir) throws Exception {
        images(dir, "train", 4);
        images(dir, "t10k", 2);
        Files.write(dir.resolve("train-context-idx2-ubyte"), byteContext(4));
        Path test = Files.write(dir.resolve("t10k-context-idx2-float"), floatContext(2, 1, 2, 3, 4, 5, 6));
        assertEquals(test + ": context vectors of 3 values but the training ones (train-context-idx2-ubyte) have 2; both "
                + "must have one width", refusal(dir.toString()));
    }

    @Test
    void aNonFiniteFloatIsRefusedNamingItsVector(@TempDir Path dir) throws Exception {
        images(dir, "train", 2);
        Path c = Files.write(dir.resolve("train-context-idx2-float"), floatContext(2, 1, 2, 3, Float.NaN));
        assertEquals(c + ": context vector 2 of 2, value 1 is NaN: context values must be finite", refusal(dir.toString()));
        Files.write(c, floatContext(2, Float.POSITIVE_INFINITY, 2, 3, 4));
        assertEquals(c + ": context vector 1 of 2, value 0 is Infinity: context values must be finite", refusal(dir.toString()));
    }

    @Test
    void aForeignTruncatedOrLongContextFileIsNamed(@TempDir Path dir) throws Exception {
        images(dir, "train", 2);
        Path c = dir.resolve("train-context-idx2-ubyte");
        Files.write(c, idx(0x803, new int[] {2, 2, 2}, new byte[8]));
        assertEquals(c + ": not an IDX context file (magic 0x00000803, expected 0x00000802 for unsigned bytes or 0x00000d02 "
                + "for float32, N x D)", refusal(dir.toString()));
        Files.write(c, idx(0x802, new int[] {2, 3}, new byte[5]));
        assertEquals(c + ": file ends early: the header says 2 context vectors of 3 bytes (18 bytes) but the file has 17 "
                + "bytes (truncated?)", refusal(dir.toString()));
        Files.write(c, idx(0x802, new int[] {2, 0}, new byte[0]));
        assertEquals(c + ": implausible context width 0 (1..65,536 values a sample)", refusal(dir.toString()));
        Files.delete(c);
        Path packed = dir.resolve("train-context-idx2-float.gz");
        gz(packed, idx(0xD02, new int[] {2, 2}, new byte[12]));
        assertEquals(packed + ": file ends early in context vector 2 of 2: the header says 2 context vectors of 2 float32 "
                + "(truncated?)", refusal(dir.toString()));
        gz(packed, idx(0xD02, new int[] {2, 1}, new byte[9]));
        assertEquals(packed + ": file is longer than its header says (2 context vectors of 1 float32)", refusal(dir.toString()));
    }

    @Test
    void twoContextFilesForOneSplitAreRefusedAsEitherCouldBeMeant(@TempDir Path dir) throws Exception {
        images(dir, "train", 2);
        Files.write(dir.resolve("train-context-idx2-float"), floatContext(2, 1, 2));
        Files.write(dir.resolve("train-context-idx2-ubyte"), byteContext(2));
        assertEquals(dir.resolve("train-context-idx2-ubyte") + ": a second context file beside train-context-idx2-float; "
                + "keep one", refusal(dir.toString()));
    }

    // ---- CSV ------------------------------------------------------------------------------------------

    @Test
    void csvContextColumnsAreAGroupInTheirNumberedOrderWhereverTheyStand(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("ctx.csv"), "p0,p1,context:1,p2,p3,label,context:0\n"
                + "0,0,-1.5,0,0,a,10\n"
                + "255,255,2,255,255,b,20\n");
        Dataset d = Csv.read(f).data();
        assertEquals(new io.cellforge.ops.Shape(1, 2, 2), d.shape());
        assertEquals(2, d.contextFeatures());
        assertArrayEquals(new float[] {10, -1.5f, 20, 2}, d.context());
        assertArrayEquals(new int[] {0, 1}, d.labels());
        assertEquals(1f, d.value(4), 1e-6); // context values do not change the pixels' scale
        f = Files.writeString(dir.resolve("short.csv"), "ctx0,p0,p1,p2,p3,ctx1,ctx2,y\n"
                + "1,0,0,0,0,0,0,0\n0,9,9,9,9,1,0,1\n0,5,5,5,5,0,1,1\n");
        DataBundle b = Datasets.load(f.toString());
        assertEquals(3, b.train().contextFeatures());
        for (Dataset part : new Dataset[] {b.train(), b.test()}) {
            for (int k = 0; k < part.size(); k++) {
                int pixel = Math.round(part.value(4 * k) * 255);
                float[] expected = pixel == 0 ? new float[] {1, 0, 0} : pixel == 9 ? new float[] {0, 1, 0} : new float[] {0, 0, 1};
                assertArrayEquals(expected, part.contextOf(k), "the image of " + pixel);
            }
        }
    }

    @Test
    void aBadContextCellIsNamedWithItsFileLineAndColumn(@TempDir Path dir) throws Exception {
        String header = "p0,p1,p2,p3,context:0,context:1,label\n";
        Path f = Files.writeString(dir.resolve("bad.csv"), header + "0,0,0,0,1,2,0\n0,0,0,0,x,2,1\n");
        assertEquals(f + ":3: column 5 (context:0): 'x' is not a number", refusal(f.toString()));
        Files.writeString(f, header + "0,0,0,0,1,,0\n");
        assertEquals(f + ":2: column 6 (context:1): no context value", refusal(f.toString()));
        Files.writeString(f, header + "0,0,0,0,1,2,0\n0,0,0,0,1,NaN,1\n");
        assertEquals(f + ":3: column 6 (context:1): 'NaN': context values must be finite", refusal(f.toString()));
        Files.writeString(f, header + "0,0,0,0,1,0\n");
        assertEquals(f + ":2: expected 7 columns, found 6", refusal(f.toString()));
    }

    @Test
    void contextColumnsMustBeNumberedFromZeroWithoutGapsOrRepeats(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("gap.csv"), "p0,p1,p2,p3,context:0,context:2,label\n0,0,0,0,1,2,0\n");
        assertEquals(f + ":1: context columns 0..1 expected but there is no context:1 (nor ctx1)", refusal(f.toString()));
        Files.writeString(f, "p0,p1,p2,p3,ctx0,context:0,label\n0,0,0,0,1,2,0\n");
        assertEquals(f + ":1: column 6 (context:0): context value 0 is already column 5", refusal(f.toString()));
        Files.writeString(f, "p0,p1,p2,p3,ctx0,ctx1\n0,0,0,0,1,2\n");
        assertEquals(f + ":1: column 6 (ctx1) is a context column; name the label column label, class, target or y",
                refusal(f.toString()));
    }

    @Test
    void aCsvWithoutContextColumnsHasNoContext(@TempDir Path dir) throws Exception {
        // "ctx" alone or "context" without a number are pixel columns like any other name.
        Path f = Files.writeString(dir.resolve("plain.csv"), "ctx,context,p2,p3,label\n0,0,0,0,0\n1,1,1,1,1\n");
        Dataset d = Csv.read(f).data();
        assertFalse(d.hasContext());
        assertEquals(0, d.context().length);
        assertEquals(new io.cellforge.ops.Shape(1, 2, 2), d.shape());
    }
}

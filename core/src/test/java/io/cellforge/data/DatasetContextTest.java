package io.cellforge.data;

import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sample's context vector stays with its image through every copy, cut and sample of a data set. */
class DatasetContextTest {

    /** {@code n} images of 1x2x2, image i all byte i, label i mod 3, context (i, -i, i / 2). */
    static Dataset numbered(int n) {
        byte[] px = new byte[n * 4];
        int[] y = new int[n];
        float[] c = new float[n * 3];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(px, i * 4, i * 4 + 4, (byte) i);
            y[i] = i % 3;
            c[i * 3] = i;
            c[i * 3 + 1] = -i;
            c[i * 3 + 2] = i / 2f;
        }
        return new Dataset("numbered", new Shape(1, 2, 2), List.of("a", "b", "c"), px, Dataset.EIGHT_BIT, y, c, 3);
    }

    /** Each image of {@code d} still has the context it was made with: its pixel byte i gives (i, -i, i / 2). */
    static void assertEachImageKeepsItsContext(Dataset d) {
        assertEquals(3, d.contextFeatures());
        assertEquals(d.size() * 3, d.context().length);
        for (int k = 0; k < d.size(); k++) {
            int i = d.pixels()[k * 4] & 0xff;
            assertArrayEquals(new float[] {i, -i, i / 2f}, d.contextOf(k), "image " + k + " (made as " + i + ")");
            assertEquals(i % 3, d.labels()[k]);
        }
    }

    @Test
    void dataWithoutContextHaveWidthZeroAndAnEmptyContext() {
        Dataset d = new Dataset("plain", new Shape(1, 2, 2), List.of("a", "b"), new byte[8], Dataset.EIGHT_BIT, new int[] {0, 1});
        assertFalse(d.hasContext());
        assertEquals(0, d.contextFeatures());
        assertEquals(0, d.context().length);
        assertEquals(0, d.subset(new int[] {1}, "one").context().length);
        assertEquals(0, d.split(0.5, 1)[1].contextFeatures());
    }

    @Test
    void subsetAndSplitKeepEachSamplesContextWithItsImage() {
        Dataset d = numbered(20);
        assertTrue(d.hasContext());
        Dataset sub = d.subset(new int[] {7, 2, 19, 2}, "sub");
        assertEachImageKeepsItsContext(sub);
        assertArrayEquals(new float[] {7, -7, 3.5f}, sub.contextOf(0));
        for (Dataset part : d.split(0.7, 5)) {
            assertEachImageKeepsItsContext(part);
        }
        assertEquals(14, d.split(0.7, 5)[0].size());
        DataBundle b = new DataBundle(d, numbered(9), "test").sampled(6, 3, 2);
        assertEachImageKeepsItsContext(b.train());
        assertEachImageKeepsItsContext(b.test());
    }

    @Test
    void renamingAndNewClassNamesCarryTheContext() {
        Dataset d = numbered(5);
        assertEachImageKeepsItsContext(d.renamed("other"));
        assertEachImageKeepsItsContext(d.withClassNames(List.of("x", "y", "z", "w")));
        assertEachImageKeepsItsContext(Datasets.rename(d, "again"));
    }

    @Test
    void theContextCountsInTheMemoryTheDataTake() {
        Dataset d = numbered(5);
        // 5 images of 4 bytes, 5 labels of 4 bytes, 15 context floats of 4 bytes.
        assertEquals(20 + 20 + 60, d.storageBytes());
        assertEquals(80 + 20 + 60, d.floatBytes());
    }

    @Test
    void aNetworkThatReadsAContextNeedsDataWithOneAsWideAndOneWithoutTakesAny() throws Exception {
        DataBundle withContext = new DataBundle(numbered(6), numbered(3), "test");
        assertTrue(withContext.contextMisfit(3, "gen").isEmpty());
        assertTrue(withContext.contextMisfit(0, "static").isEmpty());
        assertEquals("gen reads a context of 4 values a sample but numbered has 3",
                withContext.contextMisfit(4, "gen").orElseThrow());
        assertEquals("gen reads a context of 3 values a sample but digits train has none",
                Datasets.digits().contextMisfit(3, "gen").orElseThrow());
        DataBundle mixed = new DataBundle(numbered(6), numbered(3).withContext(new float[3], 1).renamed("narrow"), "test");
        assertEquals("gen reads a context of 3 values a sample but narrow has 1", mixed.contextMisfit(3, "gen").orElseThrow());
    }

    @Test
    void aContextOfTheWrongLengthOrNotFiniteIsRefusedNamingTheImage() {
        Dataset d = numbered(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.withContext(new float[5], 3));
        assertEquals("numbered: 5 context values for 2 images of 3 each", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withContext(new float[0], -1));
        e = assertThrows(IllegalArgumentException.class, () -> d.withContext(new float[] {0, 0, 0, 1, Float.NaN, 2}, 3));
        assertEquals("numbered: context value 1 of image 1 is NaN; context values must be finite", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.withContext(new float[] {Float.NEGATIVE_INFINITY, 0}, 1));
        assertEquals("numbered: context value 0 of image 0 is -Infinity; context values must be finite", e.getMessage());
    }
}

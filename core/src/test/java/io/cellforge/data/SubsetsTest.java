package io.cellforge.data;

import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubsetsTest {

    /** Uneven classes: 500, 300, 120, 70, 10 images, interleaved. */
    static int[] unevenLabels() {
        int[] per = {500, 300, 120, 70, 10};
        int[] left = per.clone();
        int[] labels = new int[Arrays.stream(per).sum()];
        for (int i = 0, c = 0; i < labels.length; c = (c + 1) % per.length) {
            if (left[c] > 0) {
                left[c]--;
                labels[i++] = c;
            }
        }
        return labels;
    }

    @Test
    void eachClassGetsItsShareWithinOneImage() {
        int[] labels = unevenLabels();
        int[] counts = {500, 300, 120, 70, 10};
        for (int n : new int[] {1, 7, 50, 333, 999, 1000}) {
            int[] idx = Subsets.stratified(labels, 5, n, 3);
            assertEquals(n, idx.length);
            assertEquals(n, Arrays.stream(idx).distinct().count(), "no image twice");
            int[] got = new int[5];
            for (int i : idx) {
                got[labels[i]]++;
            }
            for (int c = 0; c < 5; c++) {
                double exact = (double) n * counts[c] / labels.length;
                assertTrue(Math.abs(got[c] - exact) < 1, "n " + n + ", class " + c + ": " + got[c] + " for " + exact);
            }
        }
    }

    @Test
    void theSameSeedDrawsTheSameImagesAndAnotherSeedOthers() {
        int[] labels = unevenLabels();
        assertArrayEquals(Subsets.stratified(labels, 5, 100, 1), Subsets.stratified(labels, 5, 100, 1));
        assertFalse(Arrays.equals(Subsets.stratified(labels, 5, 100, 1), Subsets.stratified(labels, 5, 100, 2)));
    }

    /** Images whose two first pixels say which of the source's images each is. */
    static Dataset numbered(int n) {
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) (i >> 8);
            px[i * 4 + 1] = (byte) i;
            labels[i] = i % 3;
        }
        return new Dataset("numbered", new Shape(1, 2, 2), List.of("a", "b", "c"), px, Dataset.EIGHT_BIT, labels);
    }

    static Set<Integer> ids(Dataset d) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            s.add((d.pixels()[i * 4] & 0xff) << 8 | d.pixels()[i * 4 + 1] & 0xff);
        }
        return s;
    }

    @Test
    void aTrainingSampleIsDrawnFromTheTrainingImagesOnlyAndLeavesTheTestSetAsItIs() throws Exception {
        DataBundle all = Datasets.split(numbered(900), null, "numbered");
        DataBundle part = all.sampled(90, null, 5);
        assertEquals(90, part.train().size());
        assertSame(all.test(), part.test());
        assertTrue(ids(all.train()).containsAll(ids(part.train())));
        Set<Integer> both = ids(part.train());
        both.retainAll(ids(all.test()));
        assertTrue(both.isEmpty(), "in the sample and the test set: " + both);
        assertEquals(new DataBundle.Sample(90, 720, 180, 180, 5), part.sample());
        assertTrue(part.sample().partial());
        assertEquals("90 of 720 training images (stratified, seed 5); all 180 test images", part.sample().line());

        DataBundle tested = all.sampled(null, 30, 5);
        assertSame(all.train(), tested.train());
        assertTrue(ids(all.test()).containsAll(ids(tested.test())));
        int[] of = all.test().classCounts();
        for (int c = 0; c < 3; c++) {
            assertTrue(Math.abs(tested.test().classCounts()[c] - 30.0 * of[c] / 180) < 1, Arrays.toString(tested.test().classCounts()));
        }
        assertFalse(all.sample().partial());
    }
}

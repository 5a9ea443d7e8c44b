package io.cellforge.engine;

import io.cellforge.settings.Augment;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class BatchesTest {
    static float[] image() {
        return new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9};
    }

    /** A Random whose choices are scripted: nextInt returns the given values, nextBoolean the given flag. */
    static Random scripted(boolean flip, int... ints) {
        return new Random() {
            int i;

            @Override
            public int nextInt(int bound) {
                return ints[i++];
            }

            @Override
            public boolean nextBoolean() {
                return flip;
            }
        };
    }

    @Test
    void aFlipMirrorsEachRow() {
        float[] x = image();
        Batches.augment(x, 0, 1, 3, 3, new Augment(0, true, 0), scripted(true));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7}, x);
    }

    @Test
    void aCropShiftsTheImageAndFillsWithZeros() {
        float[] x = image();
        // padding 1: draws 2 for dy (shift +1) and 0 for dx (shift -1)
        Batches.augment(x, 0, 1, 3, 3, new Augment(1, false, 0), scripted(false, 2, 0));
        assertArrayEquals(new float[] {0, 4, 5, 0, 7, 8, 0, 0, 0}, x);
    }

    @Test
    void cutoutZeroesASquareClippedAtTheBorder() {
        float[] x = image();
        Batches.augment(x, 0, 1, 3, 3, new Augment(0, false, 2), scripted(false, 0, 0));
        assertArrayEquals(new float[] {0, 2, 3, 4, 5, 6, 7, 8, 9}, x);
        x = image();
        Batches.augment(x, 0, 1, 3, 3, new Augment(0, false, 2), scripted(false, 2, 2));
        assertArrayEquals(new float[] {1, 2, 3, 4, 0, 0, 7, 0, 0}, x);
    }

    @Test
    void augmentedBatchesAreTheSameForTheSameSeedAndDifferFromPlainOnes() throws Exception {
        DataBundle d = Datasets.digits();
        var aug = new Augment(2, false, 4);
        Batches a = new Batches(d.train(), d.train().channelStats(), 16, 10, 9).augmented(aug);
        Batches b = new Batches(d.train(), d.train().channelStats(), 16, 10, 9).augmented(aug);
        Batches plain = new Batches(d.train(), d.train().channelStats(), 16, 10, 9);
        for (int i = 0; i < 3; i++) {
            var x = a.next();
            assertEquals(x.x(), b.next().x());
            var p = plain.next();
            assertArrayEquals(x.labels(), p.labels());
            assertNotEquals(x.x(), p.x());
        }
    }

    @Test
    void bytesBecomeTheFloatsOfThePerChannelNormalisationOfTheTrainingSet() {
        // Two RGB images of 2x2 with uneven channels; the statistics are those of the floats the bytes stand for.
        byte[] px = new byte[2 * 12];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 11 + (i / 4 % 3) * 60);
        }
        io.cellforge.data.Dataset d = new io.cellforge.data.Dataset("rgb", new io.cellforge.ops.Shape(3, 2, 2),
                java.util.List.of("a", "b"), px, io.cellforge.data.Dataset.EIGHT_BIT, new int[] {0, 1});
        float[][] stats = d.channelStats();
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sq = 0;
            for (int n = 0; n < 2; n++) {
                for (int j = 0; j < 4; j++) {
                    double v = (px[n * 12 + c * 4 + j] & 0xff) / 255.0;
                    sum += v;
                    sq += v * v;
                }
            }
            assertEquals(sum / 8, stats[0][c], 1e-6);
            assertEquals(Math.sqrt(sq / 8 - sum * sum / 64), stats[1][c], 1e-6);
        }
        Batches.Batch b = new Batches(d, stats, 2, 2, 1).make(d, new int[] {1, 0});
        for (int n = 0; n < 2; n++) {
            int src = 1 - n;
            for (int c = 0; c < 3; c++) {
                for (int j = 0; j < 4; j++) {
                    float v = (px[src * 12 + c * 4 + j] & 0xff) / 255f;
                    assertEquals((v - stats[0][c]) / stats[1][c], b.x().getFloat(n, c, j / 2, j % 2), 1e-5);
                }
            }
        }
    }
}

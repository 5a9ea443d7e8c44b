package io.cellforge.engine;

import io.cellforge.data.Dataset;
import io.cellforge.data.Datasets;
import io.cellforge.ops.Shape;
import io.cellforge.settings.Augment;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A batch carries each sample's context vector beside its image, as given, whatever augmentation does to the image. */
class BatchesContextTest {

    /** 24 images of 1x4x4, image i all byte 10 i, label i mod 2, context (i, 100 - i). */
    static Dataset withContext() {
        int n = 24;
        byte[] px = new byte[n * 16];
        int[] y = new int[n];
        float[] c = new float[n * 2];
        for (int i = 0; i < n; i++) {
            Arrays.fill(px, i * 16, i * 16 + 16, (byte) (10 * i));
            y[i] = i % 2;
            c[2 * i] = i;
            c[2 * i + 1] = 100 - i;
        }
        return new Dataset("ctx", new Shape(1, 4, 4), List.of("a", "b"), px, Dataset.EIGHT_BIT, y, c, 2);
    }

    @Test
    void anEvaluationBatchHoldsTheContextOfItsImagesInOrderAsFloats() {
        Dataset d = withContext();
        Batches b = new Batches(d, d.channelStats(), 4, 10, 1);
        Batches.Batch batch = b.make(d, new int[] {5, 0, 23});
        assertArrayEquals(new long[] {3, 2}, batch.context().shape());
        assertEquals(DataType.FLOAT, batch.context().dataType());
        assertEquals(batch.x().dataType(), batch.context().dataType());
        assertArrayEquals(new float[] {5, 95, 0, 100, 23, 77}, batch.context().data().asFloat(), "as given, not normalised");
    }

    @Test
    void trainingBatchesKeepEachSamplesContextWithItsLabelUnderAugmentation() {
        Dataset d = withContext();
        Batches b = new Batches(d, d.channelStats(), 8, 2, 3).augmented(new Augment(2, true, 2));
        for (int step = 0; step < 9; step++) { // past the end of an epoch, into the next shuffle
            Batches.Batch batch = b.next();
            float[] c = batch.context().data().asFloat();
            assertArrayEquals(new long[] {8, 2}, batch.context().shape());
            for (int k = 0; k < 8; k++) {
                int i = (int) c[2 * k];
                assertEquals(100 - i, c[2 * k + 1], 0, "step " + step + ", sample " + k);
                assertEquals(i % 2, batch.labels()[k], "the context of sample " + i + " beside another's label");
            }
        }
    }

    @Test
    void dataWithoutContextGiveBatchesWithoutOne() throws Exception {
        Dataset d = Datasets.digits().train();
        Batches b = new Batches(d, d.channelStats(), 16, 10, 1);
        assertNull(b.next().context());
        assertNull(b.make(d, new int[] {0, 1}).context());
    }
}

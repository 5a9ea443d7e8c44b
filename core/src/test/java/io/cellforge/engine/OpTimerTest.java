package io.cellforge.engine;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpTimerTest {
    @Test
    void aLayerIsTimedByItsOwnKernelsOnly() throws Exception {
        Shape in = new Shape(16, 8, 8);
        // an identity is a view of its input: no kernel runs, whatever the copy in and the loss after cost
        assertEquals(0.0, new OpTimer(new Layer.Identity(), in, 8).medianMillis(1, 1, 3), 0.0);
        double conv = new OpTimer(Layer.Conv.square(16, 16, 3, 1, 1, 1, 1), in, 8).medianMillis(1, 1, 3);
        assertTrue(conv > 0, conv + " ms");
    }

    @Test
    void theMedianOfOddAndEvenCounts() {
        assertEquals(2.0, OpTimer.median(new double[] {3, 1, 2}), 0.0);
        assertEquals(2.5, OpTimer.median(new double[] {4, 1, 3, 2}), 0.0);
    }
}

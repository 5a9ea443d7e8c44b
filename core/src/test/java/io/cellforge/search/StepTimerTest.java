package io.cellforge.search;

import io.cellforge.data.Datasets;
import io.cellforge.settings.SearchConfig;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The step time a Quick look sizes its sample from, and the sample it gives. */
class StepTimerTest {
    private static final SearchConfig TWO_EPOCHS = SearchConfig.builder("darts").epochs(2).batchSize(64).build();

    @Test
    void aSampleSizedToEndInFiveMinutes() {
        // 2 s a step, 2 epochs: 75 steps an epoch, each half a batch of 64: 9,600 images, as read.
        assertEquals(OptionalInt.of(9600), StepTimer.trainingImagesFor(300, 2.0, TWO_EPOCHS, 60_000));
        assertEquals(300, StepTimer.searchSeconds(9600, 2.0, TWO_EPOCHS), 1e-9);
        // 2.1 s: 71 steps, 9,088 images, read as 9,100.
        assertEquals(OptionalInt.of(9100), StepTimer.trainingImagesFor(300, 2.1, TWO_EPOCHS, 60_000));
        // A step longer than the whole time: one step an epoch still, two batches.
        assertEquals(OptionalInt.of(130), StepTimer.trainingImagesFor(300, 400, TWO_EPOCHS, 60_000));
        // Data that end in time whole: no sample.
        assertEquals(OptionalInt.empty(), StepTimer.trainingImagesFor(300, 0.05, TWO_EPOCHS, 1797));
        // Data that would take longer whole are sampled; a few more than the sample of 5 min end in time whole.
        assertEquals(OptionalInt.of(9600), StepTimer.trainingImagesFor(300, 2.0, TWO_EPOCHS, 9800));
        assertEquals(OptionalInt.empty(), StepTimer.trainingImagesFor(300, 2.0, TWO_EPOCHS, 9650));
        assertThrows(IllegalArgumentException.class, () -> StepTimer.trainingImagesFor(300, 0, TWO_EPOCHS, 100));
        assertThrows(IllegalArgumentException.class, () -> StepTimer.trainingImagesFor(300, Double.NaN, TWO_EPOCHS, 100));
    }

    @Test
    void theRealTimerTimesAStepOfTheSearch() throws Exception {
        double s = StepTimer.measured(2).secondsPerStep(io.cellforge.trial.TinySpace.space(), Datasets.digits(),
                SearchConfig.builder("darts").epochs(2).batchSize(32).build(), new SearchControl());
        assertTrue(s > 0 && s < 60, "seconds per step: " + s);
    }
}

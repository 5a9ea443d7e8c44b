package io.cellforge.analysis;

import io.cellforge.space.Problem;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.search.OneShotSearch;
import io.cellforge.settings.SearchConfig;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.train.Retrain;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run that cannot fit is refused before anything is allocated, with the estimate and what is available. */
class MemoryEstimateTest {

    /** darts-mini with every cell a normal one at {@code channels}: valid up to the evaluator's 1,048,576. */
    static SearchSpace miniAt(int channels) {
        SearchSpace mini = Zoo.get("darts-mini").orElseThrow();
        List<Stage> stages = List.of(Stage.cell("cell 0", "normal", Role.NORMAL), Stage.cell("cell 1", "normal", Role.NORMAL));
        return mini.withNetwork(mini.network().withChannels(channels).withStages(stages));
    }

    @Test
    void aDartsMiniSearchFitsThisMachine() throws Exception {
        MemoryEstimate e = MemoryEstimate.search(Evaluator.supernetPlan(Zoo.get("darts-mini").orElseThrow()), 64);
        assertTrue(e.totalBytes() > e.weightBytes() && e.activationBytes() > 0, e::toString);
        assertDoesNotThrow(() -> e.check(io.cellforge.engine.Backend.memoryLimits()));
    }

    @Test
    void theLimitIsTheEstimate() throws Exception {
        MemoryEstimate e = MemoryEstimate.search(Evaluator.supernetPlan(Zoo.get("darts-mini").orElseThrow()), 64);
        assertDoesNotThrow(() -> e.check(new MemoryEstimate.Limits(e.totalBytes(), "test")));
        PlanException x = assertThrows(PlanException.class, () -> e.check(new MemoryEstimate.Limits(e.totalBytes() - 1, "test")));
        assertTrue(x.getMessage().contains("needs about") && x.getMessage().contains("is available (test)"), x.getMessage());
    }

    @Test
    void theEstimateGrowsWithTheBatch() throws Exception {
        Plan p = Evaluator.supernetPlan(Zoo.get("darts-mini").orElseThrow());
        MemoryEstimate small = MemoryEstimate.search(p, 8);
        MemoryEstimate large = MemoryEstimate.search(p, 64);
        assertTrue(large.activationBytes() == 8 * small.activationBytes(), small + " " + large);
        assertTrue(large.weightBytes() == small.weightBytes());
    }

    @Test
    void aMillionChannelsAreRefusedBySearchAndRetrainBeforeAllocating() throws Exception {
        SearchSpace s = miniAt(1 << 20);
        assertTrue(Validator.validate(s).stream().noneMatch(Problem::isError), () -> Validator.validate(s).toString());
        DataBundle digits = Datasets.digits();
        PlanException x = assertThrows(PlanException.class, () -> new OneShotSearch(s, digits, SearchConfig.darts(1, 64, 1))
                .run(new SearchEvents.Listener() { }, new SearchControl()));
        assertTrue(x.getMessage().matches("network: a training run of this network with batch size 64 needs about [0-9.]+ TB .*"
                + "but only .* is available .*"), x.getMessage());
        PlanException y = assertThrows(PlanException.class, () -> Retrain.run(s, SpaceStats.first(s), digits,
                Retrain.Config.darts(1, 64, 1), ep -> { }, new SearchControl()));
        assertTrue(y.getMessage().contains("needs about"), y.getMessage());
    }

    @Test
    void aBufferPastWhatAnIntCountsIsRefusedWhateverTheMemory() throws Exception {
        // A cell's output concatenates 4 nodes of 1,048,576 x 8 x 8: 2^28 values an image, 2^31 for 8 images.
        MemoryEstimate e = MemoryEstimate.search(Evaluator.supernetPlan(miniAt(1 << 20)), 8);
        PlanException x = assertThrows(PlanException.class, () -> e.check(new MemoryEstimate.Limits(Long.MAX_VALUE, "all")));
        assertTrue(x.getMessage().contains("2,147,483,648 values at batch size 8"), x.getMessage());
        MemoryEstimate fits = MemoryEstimate.search(Evaluator.supernetPlan(miniAt(1 << 20)), 7);
        assertDoesNotThrow(() -> fits.check(new MemoryEstimate.Limits(Long.MAX_VALUE, "all")));
    }

    @Test
    void countsThatOverflowALongAreRefused() {
        PlanException x = assertThrows(PlanException.class,
                () -> MemoryEstimate.search(Evaluator.supernetPlan(miniAt(1 << 20)), Integer.MAX_VALUE));
        assertTrue(x.getMessage().contains("overflow"), x.getMessage());
    }
}

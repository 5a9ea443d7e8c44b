package io.cellforge.trial;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.ops.Shape;
import io.cellforge.search.ProgressiveShrinking;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressiveShrinkingEstimatorTest {
    @Test
    void subNetworksAreScoredWithTheSharedWeightsAndTheirOwnCosts() throws Exception {
        SearchSpace s = Zoo.ofa(new Shape(1, 8, 8), 10, 8, new int[][] {{8, 1, 2}}, List.of(1.0, 2.0), 16).withName("ofa-tiny");
        DataBundle all = Datasets.digits();
        int[] idx = new int[160];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        DataBundle d = new DataBundle(all.train().subset(idx, "digits-160"), all.test(), all.description());
        ProgressiveShrinkingEstimator est = ProgressiveShrinkingEstimator.train(s, d, ProgressiveShrinking.Config.of(1, 64, 2), 1, null,
                new ProgressiveShrinking.Listener() { }, new SearchControl());
        assertEquals("ps", est.name());
        DecisionSpace ds = DecisionSpace.of(s);
        Random rng = new Random(4);
        for (int i = 0; i < 3; i++) {
            Architecture a = ds.architecture(ds.random(rng));
            Scores sc = est.estimate(a, 1);
            var stats = Evaluator.evaluate(s, a);
            assertEquals((double) stats.params(), sc.get(Scores.PARAMS).orElseThrow(), a.toString());
            assertEquals((double) stats.macs(), sc.get(Scores.MACS).orElseThrow(), a.toString());
            assertEquals(est.trained().accuracy(a, 1), sc.accuracy(), 0.0);
            assertEquals(sc, est.estimate(a, 9), "trained once: the seed of a trial changes nothing");
        }
        Architecture shallow = ds.architecture(new int[ds.keys().size()]);
        assertTrue(est.estimate(shallow, 1).get(Scores.PARAMS).orElseThrow()
                < est.estimate(est.trained().elastic().largest(), 1).get(Scores.PARAMS).orElseThrow(), "a skipped block costs nothing");
        EstimateException partial = assertThrows(EstimateException.class, () -> est.estimate(Architecture.empty(), 1));
        assertTrue(partial.getMessage().contains("s1b1_k"), partial.getMessage());
    }

    @Test
    void aSpaceThatIsNotElasticIsRefusedBeforeAnythingIsTrained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProgressiveShrinkingEstimator.train(
                Zoo.get("mobilenetv2-cifar").orElseThrow(), null, ProgressiveShrinking.Config.of(1, 64, 1), 4, null,
                new ProgressiveShrinking.Listener() { }, new SearchControl()));
        assertTrue(e.getMessage().contains("'b1' is a LayerChoice"), e.getMessage());
    }
}

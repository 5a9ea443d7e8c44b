package io.cellforge.train;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On strokes the context decides which filter is right: the image alone allows 11/16 at most (69.9% on the bundled
 * test set, by the data's design), which a network of static convolutions stays near, and one generated convolution
 * passes by far (bench/dynamic-strokes.sh compares with the best of all static architectures).
 */
class DynamicRetrainTest {

    private static double accuracy(SearchSpace s, String n1, String n2, String n3, DataBundle d) throws Exception {
        Architecture a = new Architecture(Map.of("n1_p0", new Decision.Op(n1), "n2_p0", new Decision.Op(n2), "n2_p1", new Decision.Op(n3)));
        return Retrain.run(s, a, d, Retrain.Config.darts(3, 64, 1), e -> { }, new SearchControl()).testAccuracy();
    }

    @Test
    void aGeneratedKernelLearnsWhatNoStaticOneCan() throws Exception {
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        DataBundle d = Datasets.strokes().sampled(2000, null, 1);
        double dynamic = accuracy(s, "dyn_conv_3x3", "skip_connect", "skip_connect", d);
        double conv = accuracy(s, "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", d);
        assertTrue(dynamic > 0.9, "dynamic: " + dynamic);
        assertTrue(conv < 0.75, "static: " + conv);
    }
}

package io.cellforge.train;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A trained model names every output of its network, also those its training images never show. */
class ClassNamesTest {
    private static Dataset set(List<String> names) {
        int[] y = new int[names.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = i;
        }
        return new Dataset("d", new Shape(1, 2, 2), names, new byte[y.length * 4], Dataset.EIGHT_BIT, y);
    }

    @Test
    void theNetworksOutputsAreNamedFromTheTrainingThenTheTestImagesThenByNumber() {
        DataBundle d = new DataBundle(set(List.of("cat", "dog")), set(List.of("cat", "dog", "owl")), "pets");
        assertEquals(List.of("cat", "dog", "owl", "3"), Retrain.classNames(d, 4));
        assertEquals(List.of("cat"), Retrain.classNames(d, 1));
    }
}

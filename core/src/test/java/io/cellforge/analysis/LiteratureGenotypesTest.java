package io.cellforge.analysis;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every genotype of the DARTS repository's genotypes.py builds into the CIFAR evaluation network. */
class LiteratureGenotypesTest {

    @ParameterizedTest
    @ValueSource(strings = {
            // NASNet: five nodes, sep_conv_7x7, normal concat of five nodes and a reduce concat of three.
            "Genotype(normal=[('sep_conv_5x5', 1), ('sep_conv_3x3', 0), ('sep_conv_5x5', 0), ('sep_conv_3x3', 0), ('avg_pool_3x3', 1), "
                    + "('skip_connect', 0), ('avg_pool_3x3', 0), ('avg_pool_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 1)], "
                    + "normal_concat=[2, 3, 4, 5, 6], reduce=[('sep_conv_5x5', 1), ('sep_conv_7x7', 0), ('max_pool_3x3', 1), "
                    + "('sep_conv_7x7', 0), ('avg_pool_3x3', 1), ('sep_conv_5x5', 0), ('skip_connect', 3), ('avg_pool_3x3', 2), "
                    + "('sep_conv_3x3', 2), ('max_pool_3x3', 1)], reduce_concat=[4, 5, 6])",
            // AmoebaNet: conv_7x1_1x7 and concats that skip nodes.
            "Genotype(normal=[('avg_pool_3x3', 0), ('max_pool_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), "
                    + "('avg_pool_3x3', 3), ('sep_conv_3x3', 1), ('skip_connect', 1), ('skip_connect', 0), ('avg_pool_3x3', 1)], "
                    + "normal_concat=[4, 5, 6], reduce=[('avg_pool_3x3', 0), ('sep_conv_3x3', 1), ('max_pool_3x3', 0), "
                    + "('sep_conv_7x7', 2), ('sep_conv_7x7', 0), ('avg_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), "
                    + "('conv_7x1_1x7', 0), ('sep_conv_3x3', 5)], reduce_concat=[3, 4, 6])"})
    void buildsAndCounts(String text) throws Exception {
        NetworkStats st = Evaluator.evaluate(Zoo.dartsEval(Genotype.parse(text), 36, 20, 10, false, true), Architecture.empty());
        assertTrue(st.ok(), st.problems()::toString);
        // Both are around 3.2-3.3M parameters in the papers' CIFAR tables.
        assertTrue(st.params() > 2_500_000 && st.params() < 4_000_000, "params " + st.params());
    }
}

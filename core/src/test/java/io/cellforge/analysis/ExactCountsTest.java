package io.cellforge.analysis;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Counts of networks from the literature, as their reference code builds them. */
class ExactCountsTest {

    private static NetworkStats fixed(SearchSpace s) {
        NetworkStats st = Evaluator.evaluate(s, Architecture.empty());
        assertTrue(st.ok(), () -> "problems: " + st.problems());
        return st;
    }

    @Test
    void dartsV2OnCifarHas3349342ParametersAndTheAuxiliaryHeadAdds476426() {
        NetworkStats st = fixed(Zoo.dartsEval(Genotype.DARTS_V2, 36, 20, 10, false, true));
        assertEquals(3_349_342, st.params());
        assertEquals(476_426, st.auxParams());
    }

    @Test
    void dartsV2WithoutAuxiliaryHeadCountsTheSame() {
        NetworkStats st = fixed(Zoo.dartsEval(Genotype.DARTS_V2, 36, 20, 10, false, false));
        assertEquals(3_349_342, st.params());
        assertEquals(0, st.auxParams());
    }

    @Test
    void mobileNetV2ImageNetHas3504872ParametersAndAbout300Point8MMultiplyAdds() {
        NetworkStats st = fixed(Zoo.mobileNetV2(false, false, List.of("MB3E6")));
        assertEquals(3_504_872, st.params());
        assertEquals(300.8e6, st.macs(), 0.05e6);
    }

    @Test
    void dartsV2OnImageNetHas4718752Parameters() {
        assertEquals(4_718_752, fixed(Zoo.dartsEval(Genotype.DARTS_V2, 48, 14, 1000, true, true)).params());
    }

    @Test
    void dartsSearchSupernetHasTheParameterCountTrainSearchLogs() {
        // train_search.py prints "param size = 1.930618MB" for C=16, 8 layers, 10 classes.
        assertEquals(1_930_618, Evaluator.supernet(Zoo.get("darts-search").orElseThrow()).params());
    }

    @Test
    void dartsSearchSpaceHoldsAbout9e18Architectures() {
        // (C(2,2) C(3,2) C(4,2) C(5,2) * 8^8)^2 = (180 * 8^8)^2
        java.math.BigInteger perCell = java.math.BigInteger.valueOf(180).multiply(java.math.BigInteger.valueOf(8).pow(8));
        assertEquals(perCell.pow(2), SpaceStats.count(Zoo.get("darts-search").orElseThrow()));
    }

    @ParameterizedTest
    @CsvSource({"18, 11689512", "34, 21797672", "50, 25557032"})
    void imageNetResNets(int depth, long params) {
        assertEquals(params, fixed(Zoo.resnet(depth)).params());
    }

    @ParameterizedTest
    @CsvSource({"20, 269722", "32, 464154", "44, 658586", "56, 853018", "110, 1727962"})
    void cifarResNetsWithOptionAShortcuts(int depth, long params) {
        assertEquals(params, fixed(Zoo.cifarResNet(depth)).params());
    }
}

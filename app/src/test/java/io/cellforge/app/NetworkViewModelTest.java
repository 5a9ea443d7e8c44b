package io.cellforge.app;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.arch.Architecture;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.ops.Shape;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures of the network view, without a window. */
class NetworkViewModelTest {

    @Test
    void aCandidateThatDoesNotBuildLeavesOnlyItsOwnRowBlank() throws Exception {
        SearchSpace s = Zoo.get("mobilenetv2-imagenet").orElseThrow();
        Stage b1 = s.network().stages().get(1);
        // IDT cannot have stride 2: b1's second candidate does not build, the rest of the network still does.
        s = SpaceEdits.setStage("b1", LayerChoice.of("b1", List.of("MB3E3", "IDT")), b1.channels(), b1.stride(), null, true).apply(s);
        Map<String, NetworkViewModel.Figures> f = NetworkViewModel.measure(s);
        assertEquals(2592L, f.get("b1").costs().get(0).params());
        assertNull(f.get("b1").costs().get(1).params());
        assertTrue(f.get("b2").costs().stream().allMatch(c -> c.params() != null), f.get("b2").toString());
        assertEquals(new Shape(1000, 1, 1), f.get("head").costs().get(0).out());
    }

    @Test
    void aRepeatedStageSumsItsCopies() {
        SearchSpace s = Zoo.get("resnet50").orElseThrow();
        NetworkStats st = Evaluator.evaluate(s, Architecture.empty());
        long copies = st.parts().stream().filter(p -> p.name().startsWith("layer1#")).mapToLong(NetworkStats.Part::params).sum();
        NetworkViewModel.Cost layer1 = NetworkViewModel.measure(s).get("layer1").costs().get(0);
        assertEquals(copies, layer1.params());
        assertEquals(new Shape(64, 56, 56), layer1.in());
        assertEquals(new Shape(256, 56, 56), layer1.out());
        long all = NetworkViewModel.measure(s).values().stream().mapToLong(x -> x.costs().get(0).params()).sum();
        assertEquals(st.params(), all, "the boxes add up to the network");
    }
}

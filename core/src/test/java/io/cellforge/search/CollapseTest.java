package io.cellforge.search;

import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollapseTest {
    private static final SearchSpace DARTS = Zoo.get("darts-search").orElseThrow();

    /** Probabilities where each choice of the cells named leads with {@code lead} (0.3 against 0.1 for the rest). */
    private static Map<String, double[]> leading(Map<String, double[]> into, String cell, String lead, int howMany) {
        int[] n = {0};
        for (Edge e : DARTS.cells().get(cell).edges()) {
            if (e.op() instanceof LayerChoice lc && n[0]++ < howMany) {
                double[] p = new double[lc.candidates().size()];
                java.util.Arrays.fill(p, 0.1);
                p[lc.indexOf(lead)] = 0.3;
                into.put(lc.key(), p);
            }
        }
        return into;
    }

    @Test
    void skipConnectionsWinningMostNormalEdgesReadAsCollapse() {
        int edges = (int) DARTS.cells().get("normal").edges().stream().filter(e -> e.op() instanceof LayerChoice).count();
        assertEquals(14, edges);
        Map<String, double[]> sound = leading(leading(new HashMap<>(), "normal", "sep_conv_3x3", 14), "reduce", "max_pool_3x3", 14);
        Collapse.Reading r = Collapse.read(DARTS, sound);
        assertEquals(14, r.counted(), "the normal cell's choices only");
        assertEquals(0.0, r.share(), 0.0);
        assertFalse(r.collapsing(), "pools leading the reduction cell are no collapse");

        Map<String, double[]> half = leading(leading(new HashMap<>(), "normal", "sep_conv_3x3", 14), "normal", "skip_connect", 7);
        assertFalse(Collapse.read(DARTS, half).collapsing(), "7 of 14 is not above half");

        Map<String, double[]> collapsed = leading(leading(new HashMap<>(), "normal", "sep_conv_3x3", 14), "normal", "skip_connect", 8);
        Collapse.Reading c = Collapse.read(DARTS, collapsed);
        assertTrue(c.collapsing());
        assertEquals(8.0 / 14, c.share(), 1e-12);
        assertTrue(c.message().startsWith("8 of 14 choices of the normal cells lead with a parameter-free op (57%"), c.message());
    }

    @Test
    void nearUniformAlphasSayNothing() {
        Map<String, double[]> p = new HashMap<>();
        for (Edge e : DARTS.cells().get("normal").edges()) {
            if (e.op() instanceof LayerChoice lc) {
                double[] w = new double[8];
                java.util.Arrays.fill(w, 0.124);
                w[lc.indexOf("skip_connect")] = 0.132; // skip ahead on every edge, but by a hair, as after a first epoch
                p.put(lc.key(), w);
            }
        }
        assertEquals(0.0, Collapse.read(DARTS, p).share(), 0.0);
    }

    @Test
    void theZeroOpLeadingIsLeftOutAsTheDerivationLeavesItOut() {
        Map<String, double[]> p = leading(new HashMap<>(), "normal", "sep_conv_3x3", 14);
        p.replaceAll((k, v) -> {
            double[] w = v.clone();
            w[DARTS.cells().get("normal").edges().stream().map(Edge::op).filter(o -> o instanceof LayerChoice l && l.key().equals(k))
                    .map(o -> ((LayerChoice) o).indexOf("none")).findFirst().orElseThrow()] = 0.9;
            return w;
        });
        assertEquals(0.0, Collapse.read(DARTS, p).share(), 0.0, "none strongest everywhere, sep_conv_3x3 next");
    }

    @Test
    void parameterFreeIsWhatHoldsNoWeights() {
        for (String op : List.of("skip_connect", "max_pool_3x3", "avg_pool_3x3")) {
            assertTrue(Collapse.parameterFree(io.cellforge.space.OpCall.of(op)), op);
        }
        for (String op : List.of("sep_conv_3x3", "dil_conv_5x5", "nor_conv_1x1")) {
            assertFalse(Collapse.parameterFree(io.cellforge.space.OpCall.of(op)), op);
        }
    }
}

package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.plan.Plan;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SPOS's paths: drawn and mutated as derivation reads a result, so an edge an InputChoice keeps never carries a zero op. */
class SamplingTest {
    private static final SearchSpace DARTS = Zoo.get("darts-search").orElseThrow();

    @Test
    void anEdgeThatAnInputChoiceDecidesNeverDrawsTheZeroOp() throws Exception {
        Plan plan = Evaluator.supernetPlan(DARTS);
        Set<String> gated = Derivation.gatedKeys(DARTS);
        // darts-search: every edge into n2..n5 is a candidate of the node's InputChoice (14 edges in each cell).
        assertEquals(28, gated.size(), gated.toString());
        Random r = new Random(11);
        Set<String> drawn = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Architecture a = Sampling.uniform(DARTS, plan, Map.of(), r);
            Architecture m = Sampling.mutate(DARTS, plan, Map.of(), a, 0.5, r);
            for (Architecture x : new Architecture[] {a, m}) {
                for (String k : gated) {
                    String op = ((Decision.Op) x.get(k).orElseThrow()).label();
                    drawn.add(op);
                    assertFalse(Derivation.ZERO_OPS.contains(op), k + " drew " + op);
                }
            }
        }
        assertEquals(7, drawn.size(), "every other op is still drawn: " + drawn);
    }

    @Test
    void anUngatedEdgeStillDrawsItsZeroOp() throws Exception {
        // A cell without InputChoices: `none` is a candidate like any other (the edge may be dropped by it).
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        assertTrue(Derivation.gatedKeys(nb).isEmpty());
        Plan plan = Evaluator.supernetPlan(nb);
        Cell c = nb.cells().values().iterator().next();
        String key = c.edges().stream().map(Edge::op).filter(LayerChoice.class::isInstance).map(o -> ((LayerChoice) o).key())
                .findFirst().orElseThrow();
        Random r = new Random(5);
        boolean none = false;
        for (int i = 0; i < 200 && !none; i++) {
            none = ((Decision.Op) Sampling.uniform(nb, plan, Map.of(), r).get(key).orElseThrow()).label().equals("none");
        }
        assertTrue(none, key + " never drew none in 200 draws");
    }
}

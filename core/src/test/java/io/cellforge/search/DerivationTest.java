package io.cellforge.search;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.ops.OpCatalog;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DerivationTest {
    static final SearchSpace DARTS = Zoo.get("darts-search").orElseThrow();

    /** Weights that make {@code op} the strongest non-zero op of an edge with the given strength; none is stronger still. */
    static double[] edge(String op, double strength) {
        double[] w = new double[8];
        java.util.Arrays.fill(w, 0.01);
        w[OpCatalog.DARTS_PRIMITIVES.indexOf(op)] = strength;
        w[0] = 0.9; // 'none' may dominate, as it often does in DARTS; it is never chosen on a kept edge
        return w;
    }

    @Test
    void theDartsRuleRecoversDartsV2FromWeightsThatFavourIt() throws Exception {
        Map<String, double[]> w = new HashMap<>();
        for (String cell : new String[] {"normal", "reduce"}) {
            var ops = cell.equals("normal") ? Genotype.DARTS_V2.normal() : Genotype.DARTS_V2.reduce();
            for (int node = 2; node < 6; node++) {
                for (int from = 0; from < node; from++) {
                    w.put(cell + "_n" + node + "_p" + from, edge("avg_pool_3x3", 0.05));
                }
                // The genotype's first pair is the strongest edge of the node, the second the next.
                var first = ops.get(2 * (node - 2));
                var second = ops.get(2 * (node - 2) + 1);
                w.put(cell + "_n" + node + "_p" + first.input(), edge(first.name(), 0.5));
                w.put(cell + "_n" + node + "_p" + second.input(), edge(second.name(), 0.3));
            }
        }
        Architecture a = Derivation.derive(DARTS, w);
        assertEquals(Genotype.DARTS_V2, ArchFormats.toGenotype(DARTS, a));
        assertEquals(Genotype.DARTS_V2 + "\n", ArchFormats.write(ArchFormat.GENOTYPE, DARTS, a));
    }

    @Test
    void edgesWithoutAnInputChoiceMayKeepNone() {
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        Map<String, double[]> w = new HashMap<>();
        for (String k : nb.mutablesByKey().keySet()) {
            w.put(k, new double[] {0.6, 0.1, 0.1, 0.1, 0.1}); // none strongest
        }
        w.put("n1_p0", new double[] {0.1, 0.1, 0.1, 0.6, 0.1});
        Architecture a = Derivation.derive(nb, w);
        assertEquals("none", ((io.cellforge.arch.Decision.Op) a.get("n2_p0").orElseThrow()).label());
        assertEquals("nor_conv_3x3", ((io.cellforge.arch.Decision.Op) a.get("n1_p0").orElseThrow()).label());
    }
}

package io.cellforge.search;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * From architecture weights to an architecture. Each InputChoice keeps its {@code n_chosen} strongest inputs,
 * strongest first: an input that is a LayerChoice edge is as strong as its strongest op other than a zero op
 * (the DARTS rule), otherwise as its own weight. Each LayerChoice takes its strongest candidate, leaving out
 * zero ops on edges an InputChoice selects (a kept edge must carry an op). ValueChoices take their strongest value.
 */
public final class Derivation {
    /** Ops that compute zeros: never the op of an edge that was kept. */
    public static final Set<String> ZERO_OPS = Set.of("none", "NIL");

    private Derivation() {
    }

    /**
     * The keys of LayerChoices on edges into an InputChoice node: whether such an edge counts is the InputChoice's
     * decision, so a zero op there would only be a second way of saying "not chosen", and a kept edge must carry an op.
     */
    public static Set<String> gatedKeys(SearchSpace space) {
        Set<String> gated = new HashSet<>();
        for (Cell cell : space.cells().values()) {
            for (Node n : cell.nodes()) {
                if (n.inputChoice() != null) {
                    cell.incoming(n.name()).stream().filter(e -> e.op() instanceof LayerChoice)
                            .forEach(e -> gated.add(((LayerChoice) e.op()).key()));
                }
            }
        }
        return gated;
    }

    /** {@code weights}: for each key, the probabilities (softmax of its architecture weights) of its options. */
    public static Architecture derive(SearchSpace space, Map<String, double[]> weights) {
        Set<String> gated = gatedKeys(space);
        Map<String, Decision> out = new LinkedHashMap<>();
        for (Cell cell : space.cells().values()) {
            for (Node n : cell.nodes()) {
                InputChoice ic = n.inputChoice();
                if (ic == null) {
                    continue;
                }
                List<Edge> in = cell.incoming(n.name());
                if (out.containsKey(ic.key())) {
                    continue;
                }
                double[] own = weights.get(ic.key());
                List<Integer> order = new ArrayList<>();
                double[] strength = new double[in.size()];
                for (int i = 0; i < in.size(); i++) {
                    order.add(i);
                    strength[i] = in.get(i).op() instanceof LayerChoice lc && weights.containsKey(lc.key())
                            ? strongestNonZero(lc, weights.get(lc.key()))
                            : own != null ? own[i] : 1.0;
                }
                order.sort(Comparator.comparingDouble((Integer i) -> -strength[i]).thenComparing(i -> i));
                int k = ic.nChosen() == InputChoice.ANY ? countAbove(own, in.size()) : Math.min(ic.nChosen(), in.size());
                out.put(ic.key(), new Decision.Inputs(order.subList(0, k)));
            }
        }
        for (Mutable m : space.mutablesByKey().values()) {
            if (m instanceof LayerChoice lc) {
                double[] w = weights.get(lc.key());
                out.put(lc.key(), new Decision.Op(lc.labels().get(best(lc, w, gated.contains(lc.key())))));
            } else if (m instanceof ValueChoice vc) {
                double[] w = weights.get(vc.key());
                // Without weights (not searched), the largest value: the one the supernet held.
                out.put(vc.key(), new Decision.Value(w == null ? vc.largest() : vc.candidates().get(argmax(w, vc.candidates().size()))));
            }
        }
        // Keys in the order the space declares them, as exporters expect.
        Map<String, Decision> ordered = new LinkedHashMap<>();
        space.mutablesByKey().keySet().forEach(k -> {
            if (out.containsKey(k)) {
                ordered.put(k, out.get(k));
            }
        });
        return new Architecture(ordered);
    }

    /** Any-number InputChoices keep the inputs whose weight beats a uniform share; without weights, all. */
    private static int countAbove(double[] own, int n) {
        if (own == null) {
            return n;
        }
        int k = 0;
        for (double w : own) {
            k += w > 1.0 / n ? 1 : 0;
        }
        return Math.max(1, k);
    }

    static double strongestNonZero(LayerChoice lc, double[] w) {
        double best = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < lc.candidates().size(); i++) {
            if (!ZERO_OPS.contains(lc.candidates().get(i).op()) && i < w.length) {
                best = Math.max(best, w[i]);
            }
        }
        return best;
    }

    private static int best(LayerChoice lc, double[] w, boolean skipZero) {
        if (w == null) {
            for (int i = 0; i < lc.candidates().size(); i++) {
                if (!skipZero || !ZERO_OPS.contains(lc.candidates().get(i).op())) {
                    return i;
                }
            }
            return 0;
        }
        int best = -1;
        for (int i = 0; i < lc.candidates().size() && i < w.length; i++) {
            if (skipZero && ZERO_OPS.contains(lc.candidates().get(i).op())) {
                continue;
            }
            if (best < 0 || w[i] > w[best]) {
                best = i;
            }
        }
        return Math.max(best, 0);
    }

    /** The index of the largest of the first {@code n} weights (the first on ties); 0 without weights. */
    static int argmax(double[] w, int n) {
        if (w == null) {
            return 0;
        }
        int best = 0;
        for (int i = 1; i < Math.min(n, w.length); i++) {
            if (w[i] > w[best]) {
                best = i;
            }
        }
        return best;
    }
}

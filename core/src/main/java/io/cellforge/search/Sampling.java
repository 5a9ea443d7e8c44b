package io.cellforge.search;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.plan.Plan;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Architectures drawn at random and varied, for single-path training and evolutionary search. A ValueChoice the
 * supernet does not search (see {@link io.cellforge.analysis.Evaluator#supernetPlan}) keeps its largest value:
 * the supernet holds the weights of that one only.
 */
final class Sampling {
    private Sampling() {
    }

    /** {@code pruned}: candidates steered out per LayerChoice key, never drawn. */
    static Architecture uniform(SearchSpace space, Plan supernet, Map<String, Set<String>> pruned, Random r) {
        Map<String, Decision> m = new LinkedHashMap<>();
        Set<String> gated = Derivation.gatedKeys(space);
        space.mutablesByKey().values().forEach(x -> m.put(x.key(), draw(space, supernet, pruned, gated, x, r)));
        return new Architecture(m);
    }

    /** Each key redrawn with probability {@code p}. */
    static Architecture mutate(SearchSpace space, Plan supernet, Map<String, Set<String>> pruned, Architecture a, double p, Random r) {
        Map<String, Decision> m = new LinkedHashMap<>(a.choices());
        Set<String> gated = Derivation.gatedKeys(space);
        for (Mutable x : space.mutablesByKey().values()) {
            if (r.nextDouble() < p) {
                m.put(x.key(), draw(space, supernet, pruned, gated, x, r));
            }
        }
        return new Architecture(m);
    }

    /** Each key from one parent or the other. */
    static Architecture crossover(Architecture a, Architecture b, Random r) {
        Map<String, Decision> m = new LinkedHashMap<>();
        a.choices().forEach((k, d) -> m.put(k, r.nextBoolean() ? d : b.get(k).orElse(d)));
        return new Architecture(m);
    }

    private static Decision draw(SearchSpace space, Plan supernet, Map<String, Set<String>> pruned, Set<String> gated, Mutable x,
                                 Random r) {
        if (x instanceof LayerChoice lc) {
            Set<String> out = new HashSet<>(pruned.getOrDefault(lc.key(), Set.of()));
            // As derivation does: an edge an InputChoice keeps carries an op, never a zero op (DARTS's rule).
            if (gated.contains(lc.key())) {
                Set<String> zero = new HashSet<>();
                for (int i = 0; i < lc.candidates().size(); i++) {
                    if (Derivation.ZERO_OPS.contains(lc.candidates().get(i).op())) {
                        zero.add(lc.labels().get(i));
                    }
                }
                if (lc.labels().stream().anyMatch(l -> !out.contains(l) && !zero.contains(l))) {
                    out.addAll(zero);
                }
            }
            if (out.isEmpty()) {
                return new Decision.Op(lc.labels().get(r.nextInt(lc.candidates().size()))); // the draws of an ungated, unsteered key
            }
            List<String> left = lc.labels().stream().filter(l -> !out.contains(l)).toList();
            return new Decision.Op(left.get(r.nextInt(left.size())));
        }
        if (x instanceof ValueChoice vc) {
            return new Decision.Value(supernet.choices().containsKey(vc.key()) ? vc.candidates().get(r.nextInt(vc.candidates().size()))
                    : vc.largest());
        }
        InputChoice ic = (InputChoice) x;
        int n = space.inputCandidates(ic.key()).size();
        int k = ic.nChosen() != InputChoice.ANY ? ic.nChosen() : (ic.allowNone() ? r.nextInt(n + 1) : 1 + r.nextInt(n));
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, r);
        List<Integer> chosen = new ArrayList<>(idx.subList(0, Math.min(k, n)));
        Collections.sort(chosen);
        return new Decision.Inputs(chosen);
    }
}

package io.cellforge.search;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A budget on a cost (multiply-adds, parameters, latency) as a differentiable term of a one-shot search's
 * architecture loss, as ProxylessNAS adds its expected latency: the expected cost under the choices'
 * probabilities is the cost of a base architecture plus, for each LayerChoice, the sum over its candidates of
 * probability times what that candidate adds (the additive model of ModularNAS's LUT metrics, exact for counts of
 * layers whose shapes do not depend on other choices). The term is {@code weight * max(0, E[cost] / budget - 1)},
 * so it pulls only while the expectation is over budget; its gradient with respect to a choice's logits is
 * {@code weight / budget * p_j (c_j - E_k)}, with {@code E_k} that choice's expected addition.
 */
public final class CostTerm {
    private final String name;
    private final double budget;
    private final double weight;
    private final double base;
    /** Per LayerChoice key, what each candidate adds to the base architecture's cost. */
    private final Map<String, double[]> added = new LinkedHashMap<>();

    /** {@code cost}: the cost of a complete architecture of {@code space} (it may throw for one that does not build). */
    public CostTerm(String name, SearchSpace space, ToDoubleFunction<Architecture> cost, double budget, double weight) {
        if (!(budget > 0) || !(weight >= 0)) {
            throw new IllegalArgumentException("a cost budget must be positive and its weight not negative: " + name + " <= " + budget
                    + ", weight " + weight);
        }
        this.name = name;
        this.budget = budget;
        this.weight = weight;
        Architecture first = firstOptions(space);
        this.base = cost.applyAsDouble(first);
        for (Mutable m : space.mutablesByKey().values()) {
            if (m instanceof LayerChoice lc) {
                // Measured where the choice's edge is kept: an InputChoice that could leave it out takes it among its inputs.
                Architecture at = keeping(space, first, lc.key());
                double here = cost.applyAsDouble(at);
                double[] c = new double[lc.labels().size()];
                for (int i = 1; i < c.length; i++) {
                    c[i] = cost.applyAsDouble(at.with(lc.key(), new Decision.Op(lc.labels().get(i)))) - here;
                }
                added.put(lc.key(), c);
            }
        }
    }

    /** Every key at its first option (an InputChoice its first inputs, a ValueChoice its largest value, as the supernet). */
    static Architecture firstOptions(SearchSpace space) {
        Map<String, Decision> d = new LinkedHashMap<>();
        for (Mutable m : space.mutablesByKey().values()) {
            if (m instanceof LayerChoice lc) {
                d.put(lc.key(), new Decision.Op(lc.labels().get(0)));
            } else if (m instanceof ValueChoice vc) {
                d.put(vc.key(), new Decision.Value(vc.largest()));
            } else if (m instanceof InputChoice ic) {
                int n = space.inputCandidates(ic.key()).size();
                int k = ic.nChosen() == InputChoice.ANY ? n : Math.min(ic.nChosen(), n);
                d.put(ic.key(), new Decision.Inputs(java.util.stream.IntStream.range(0, k).boxed().toList()));
            }
        }
        return new Architecture(d);
    }

    /** {@code a} with every InputChoice that decides an edge of LayerChoice {@code key} keeping that edge first. */
    static Architecture keeping(SearchSpace space, Architecture a, String key) {
        Architecture out = a;
        for (Mutable m : space.mutablesByKey().values()) {
            if (!(m instanceof InputChoice ic)) {
                continue;
            }
            List<io.cellforge.space.Edge> in = space.inputCandidates(ic.key());
            for (int i = 0; i < in.size(); i++) {
                if (in.get(i).op() instanceof LayerChoice lc && lc.key().equals(key)
                        && out.get(ic.key()).orElse(null) instanceof Decision.Inputs d && !d.indices().contains(i)) {
                    List<Integer> kept = new java.util.ArrayList<>(d.indices());
                    if (kept.isEmpty()) {
                        kept.add(i);
                    } else {
                        kept.set(kept.size() - 1, i); // as many inputs as before, this edge among them
                    }
                    out = out.with(ic.key(), new Decision.Inputs(kept));
                }
            }
        }
        return out;
    }

    public String name() {
        return name;
    }

    public double budget() {
        return budget;
    }

    /** The expected cost under {@code probabilities} (per key, as the network reports them). */
    public double expected(Map<String, double[]> probabilities) {
        double e = base;
        for (var en : added.entrySet()) {
            double[] p = probabilities.get(en.getKey());
            if (p != null) {
                for (int i = 0; i < Math.min(p.length, en.getValue().length); i++) {
                    e += p[i] * en.getValue()[i];
                }
            }
        }
        return e;
    }

    /** The term's value: zero within budget. */
    public double value(Map<String, double[]> probabilities) {
        return weight * Math.max(0, expected(probabilities) / budget - 1);
    }

    /** d term / d logits of each LayerChoice key (softmax probabilities given), zero within budget. */
    public Map<String, double[]> gradient(Map<String, double[]> probabilities) {
        Map<String, double[]> g = new LinkedHashMap<>();
        boolean over = expected(probabilities) > budget;
        for (var en : added.entrySet()) {
            double[] p = probabilities.get(en.getKey());
            if (p == null) {
                continue;
            }
            double[] c = en.getValue();
            double ek = 0;
            for (int i = 0; i < Math.min(p.length, c.length); i++) {
                ek += p[i] * c[i];
            }
            double[] d = new double[p.length];
            if (over) {
                for (int j = 0; j < Math.min(p.length, c.length); j++) {
                    d[j] = weight / budget * p[j] * (c[j] - ek);
                }
            }
            g.put(en.getKey(), d);
        }
        return g;
    }

    /** The LayerChoice keys the term reaches. */
    public List<String> keys() {
        return List.copyOf(added.keySet());
    }
}

package io.cellforge.analysis;

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

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Figures of a whole space: how many architectures it holds, and the smallest and largest parameter and
 * multiply-add counts over its choices. The extremes are found by coordinate search over the keys (each key
 * set to its best option given the others, until nothing changes): exact when keys do not interact, as in
 * cell spaces, and a bound found by a real architecture otherwise.
 */
public record SpaceStats(BigInteger architectures, Extreme minParams, Extreme maxParams, Extreme minMacs,
                         Extreme maxMacs, long supernetParams) {

    /** A count and the architecture that has it. */
    public record Extreme(long value, Architecture arch) {
    }

    public static SpaceStats of(SearchSpace space) {
        Map<String, List<Decision>> options = options(space);
        return new SpaceStats(count(space), extreme(space, options, NetworkStats::params, false),
                extreme(space, options, NetworkStats::params, true), extreme(space, options, NetworkStats::macs, false),
                extreme(space, options, NetworkStats::macs, true), Evaluator.supernet(space).params());
    }

    /**
     * Distinct decision vectors, where a LayerChoice on an edge that an InputChoice leaves out does not count
     * (its decision changes nothing). Keys shared by several mutables count once.
     */
    public static BigInteger count(SearchSpace space) {
        Set<String> counted = new HashSet<>();
        Map<String, Integer> occurrences = new HashMap<>();
        space.mutables().forEach(m -> occurrences.merge(m.key(), 1, Integer::sum));
        BigInteger total = BigInteger.ONE;
        for (Cell cell : space.cells().values()) {
            for (Node n : cell.nodes()) {
                InputChoice ic = n.inputChoice();
                List<Edge> in = cell.incoming(n.name());
                boolean gated = ic != null && ic.nChosen() != InputChoice.ANY && in.stream().allMatch(e ->
                        e.op() instanceof LayerChoice lc && occurrences.get(lc.key()) == 1);
                if (gated && counted.add(ic.key())) {
                    total = total.multiply(subsets(in, ic));
                    in.forEach(e -> counted.add(((LayerChoice) e.op()).key()));
                }
            }
        }
        for (Map.Entry<String, Mutable> e : space.mutablesByKey().entrySet()) {
            if (counted.add(e.getKey())) {
                total = total.multiply(BigInteger.valueOf(Math.max(1, optionCount(space, e.getValue()))));
            }
        }
        return total;
    }

    /** Sum over the k-subsets of the edges of the product of their candidate counts. */
    private static BigInteger subsets(List<Edge> edges, InputChoice ic) {
        // e_k(x_1..x_n), the elementary symmetric polynomial, by dynamic programming.
        BigInteger[] e = new BigInteger[ic.nChosen() + 1];
        java.util.Arrays.fill(e, BigInteger.ZERO);
        e[0] = BigInteger.ONE;
        for (Edge edge : edges) {
            BigInteger x = BigInteger.valueOf(((LayerChoice) edge.op()).candidates().size());
            for (int k = ic.nChosen(); k >= 1; k--) {
                e[k] = e[k].add(e[k - 1].multiply(x));
            }
        }
        return ic.allowNone() ? e[ic.nChosen()].add(BigInteger.ONE) : e[ic.nChosen()];
    }

    static long optionCount(SearchSpace space, Mutable m) {
        if (m instanceof InputChoice ic) {
            return ic.optionCount(space.inputCandidates(ic.key()).size());
        }
        return m instanceof LayerChoice lc ? lc.optionCount() : ((ValueChoice) m).optionCount();
    }

    /** The options of each key, in order; an InputChoice with any number of inputs lists single toggles lazily. */
    static Map<String, List<Decision>> options(SearchSpace space) {
        Map<String, List<Decision>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Mutable> e : space.mutablesByKey().entrySet()) {
            Mutable m = e.getValue();
            List<Decision> opts = new ArrayList<>();
            if (m instanceof LayerChoice lc) {
                lc.labels().forEach(l -> opts.add(new Decision.Op(l)));
            } else if (m instanceof ValueChoice vc) {
                vc.candidates().forEach(v -> opts.add(new Decision.Value(v)));
            } else if (m instanceof InputChoice ic) {
                int n = space.inputCandidates(ic.key()).size();
                if (ic.nChosen() == InputChoice.ANY) {
                    if (ic.allowNone()) {
                        opts.add(new Decision.Inputs(List.of()));
                    }
                    for (int i = 0; i < n; i++) {
                        opts.add(new Decision.Inputs(List.of(i)));
                    }
                    List<Integer> all = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        all.add(i);
                    }
                    if (n > 1) {
                        opts.add(new Decision.Inputs(all));
                    }
                } else {
                    combinations(n, ic.nChosen(), 0, new ArrayList<>(), opts, 5000);
                }
            }
            out.put(e.getKey(), opts);
        }
        return out;
    }

    private static void combinations(int n, int k, int start, List<Integer> cur, List<Decision> out, int limit) {
        if (out.size() >= limit) {
            return;
        }
        if (cur.size() == k) {
            out.add(new Decision.Inputs(List.copyOf(cur)));
            return;
        }
        for (int i = start; i < n; i++) {
            cur.add(i);
            combinations(n, k, i + 1, cur, out, limit);
            cur.remove(cur.size() - 1);
        }
    }

    /** The first option of every key: a valid architecture to start from. */
    public static Architecture first(SearchSpace space) {
        Map<String, Decision> m = new LinkedHashMap<>();
        options(space).forEach((k, v) -> {
            if (!v.isEmpty()) {
                m.put(k, v.get(0));
            }
        });
        return new Architecture(m);
    }

    private static Extreme extreme(SearchSpace space, Map<String, List<Decision>> options,
                                   ToLongFunction<NetworkStats> f, boolean max) {
        Architecture arch = first(space);
        NetworkStats st = Evaluator.evaluate(space, arch);
        long best = st.ok() ? f.applyAsLong(st) : (max ? Long.MIN_VALUE : Long.MAX_VALUE);
        for (int pass = 0; pass < 4; pass++) {
            boolean changed = false;
            for (Map.Entry<String, List<Decision>> e : options.entrySet()) {
                for (Decision d : e.getValue()) {
                    Architecture cand = arch.with(e.getKey(), d);
                    NetworkStats s = Evaluator.evaluate(space, cand);
                    if (!s.ok()) {
                        continue;
                    }
                    long v = f.applyAsLong(s);
                    if (max ? v > best : v < best) {
                        best = v;
                        arch = cand;
                        changed = true;
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return new Extreme(best == Long.MIN_VALUE || best == Long.MAX_VALUE ? -1 : best, arch);
    }

}

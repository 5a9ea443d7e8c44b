package io.cellforge.analysis;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.ValueChoice;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Figures of a whole space: how many architectures it holds, and the smallest and largest parameter and
 * multiply-add counts over its choices.
 *
 * <p>The counts of a network are a sum over its layers, and most choices only pick which layers are there: a
 * LayerChoice adds the cost of its candidate at each place it sits, an InputChoice whose inputs are summed adds the
 * costs of the inputs it keeps. Those choices are independent given the ones that change shapes (ValueChoices,
 * InputChoices that change how many tensors a node concatenates or which nodes a cell's loose ends take), so one
 * walk of the network that measures every candidate apart ({@link Evaluator#tabulate}) gives their best options
 * exactly. Over the shape-changing choices a coordinate search goes, one walk per option tried (each key set to its
 * best option given the others, until nothing changes): exact when they do not interact, and a bound found by a real
 * architecture otherwise.
 */
public record SpaceStats(BigInteger architectures, Extreme minParams, Extreme maxParams, Extreme minMacs,
                         Extreme maxMacs, long supernetParams) {

    /** A count and the architecture that has it. */
    public record Extreme(long value, Architecture arch) {
    }

    private static final int PARAMS = 0;
    private static final int MACS = 1;
    private static final int MAX_PASSES = 16;

    public static SpaceStats of(SearchSpace space) {
        Map<String, List<Decision>> options = options(space);
        Set<String> decided = new LinkedHashSet<>();
        space.mutablesByKey().forEach((k, m) -> {
            if (m instanceof ValueChoice) {
                decided.add(k);
            }
        });
        while (true) {
            try {
                Ranges r = new Ranges(space, options, decided);
                return new SpaceStats(count(space), r.extreme(PARAMS, false), r.extreme(PARAMS, true),
                        r.extreme(MACS, false), r.extreme(MACS, true), Evaluator.supernet(space).params());
            } catch (ShapeChoice e) {
                if (!decided.add(e.key)) {
                    throw new IllegalStateException("key " + e.key + " changes shapes but is decided", e);
                }
            }
        }
    }

    /** Thrown by a range walk when a key it left open changes a shape: the walks must decide that key. */
    static final class ShapeChoice extends RuntimeException {
        final String key;

        ShapeChoice(String key) {
            super(key, null, false, false);
            this.key = key;
        }
    }

    /**
     * What a range walk measured: for each open LayerChoice the cost of each candidate summed over the places it
     * sits, and for each open InputChoice the cost of each candidate input (the edge's fixed op; a LayerChoice on it
     * is tabulated apart). A candidate that does not build somewhere is broken.
     */
    static final class Tally {
        private final Set<String> openInputs;
        private final Map<String, Integer> inputCounts;
        private final Map<String, long[][]> ops = new HashMap<>();
        private final Map<String, boolean[]> brokenOps = new HashMap<>();
        private final Map<String, long[][]> inputs = new HashMap<>();
        private final Map<String, boolean[]> brokenInputs = new HashMap<>();
        /** The candidates that take kernels from a weight generator, and what the generators only they use cost. */
        private final Map<String, boolean[]> dynamicOps = new HashMap<>();
        private final long[] generators = new long[2];

        Tally(Set<String> openInputs, Map<String, Integer> inputCounts) {
            this.openInputs = openInputs;
            this.inputCounts = inputCounts;
        }

        boolean isOpen(String inputChoiceKey) {
            return openInputs.contains(inputChoiceKey);
        }

        void add(LayerChoice lc, int option, long params, long macs, boolean dynamic) {
            long[] c = ops.computeIfAbsent(lc.key(), k -> new long[lc.candidates().size()][2])[option];
            c[PARAMS] += params;
            c[MACS] += macs;
            if (dynamic) {
                dynamicOps.computeIfAbsent(lc.key(), k -> new boolean[lc.candidates().size()])[option] = true;
            }
        }

        /** A weight generator that only open candidates use: its cost counts where one of them is chosen. */
        void generator(long params, long macs) {
            generators[PARAMS] += params;
            generators[MACS] += macs;
        }

        void broken(LayerChoice lc, int option) {
            ops.computeIfAbsent(lc.key(), k -> new long[lc.candidates().size()][2]);
            brokenOps.computeIfAbsent(lc.key(), k -> new boolean[lc.candidates().size()])[option] = true;
        }

        void addInput(String key, int i, long params, long macs) {
            long[] c = inputs.computeIfAbsent(key, k -> new long[inputCounts.get(k)][2])[i];
            c[PARAMS] += params;
            c[MACS] += macs;
        }

        void brokenInput(String key, int i) {
            brokenInputs.computeIfAbsent(key, k -> new boolean[inputCounts.get(k)])[i] = true;
        }
    }

    /** Whether an edge's op (or a candidate of its LayerChoice) takes kernels from a weight generator. */
    private static boolean dynamic(SearchSpace space, io.cellforge.space.EdgeOp op) {
        List<io.cellforge.space.OpCall> calls = op instanceof LayerChoice lc ? lc.candidates() : List.of((io.cellforge.space.OpCall) op);
        return calls.stream().anyMatch(c -> dynamic(space, c, new HashSet<>()));
    }

    private static boolean dynamic(SearchSpace space, io.cellforge.space.OpCall call, Set<String> seen) {
        if (io.cellforge.ops.OpCatalog.builtin().isDynamic(call.op())) {
            return true;
        }
        io.cellforge.space.UserOp u = space.userOps().get(call.op());
        return u != null && seen.add(u.name()) && u.layers().stream().anyMatch(c -> dynamic(space, c, seen));
    }

    /** The totals and tally of one range walk; null totals when the decided keys make no valid network. */
    private record Walk(long[] totals, Tally tally) {
    }

    /** The extremes of one space, given the keys its walks decide. */
    private static final class Ranges {
        private final SearchSpace space;
        private final Map<String, List<Decision>> options;
        private final List<String> decided;
        private final Set<String> openInputs = new LinkedHashSet<>();
        private final Map<String, Integer> inputCounts = new HashMap<>();
        /** Open LayerChoices that sit only on candidate inputs of open InputChoices: key -> "inputChoiceKey", index. */
        private final Map<String, Map.Entry<String, Integer>> gated = new HashMap<>();
        private final Map<Architecture, Walk> walks = new HashMap<>();
        private final Map<String, Mutable> byKey;
        /** The first option of every key, for keys that nothing measured. */
        private final Map<String, Decision> firsts = new LinkedHashMap<>();

        Ranges(SearchSpace space, Map<String, List<Decision>> options, Set<String> decidedKeys) {
            this.space = space;
            this.options = options;
            this.byKey = space.mutablesByKey();
            options.forEach((k, v) -> {
                if (!v.isEmpty()) {
                    firsts.put(k, v.get(0));
                }
            });
            Set<String> decidedSet = new HashSet<>(decidedKeys);
            Set<String> looseCells = new HashSet<>();
            for (Cell cell : space.cells().values()) {
                if (cell.nodes().stream().anyMatch(Node::looseEnds)) {
                    looseCells.add(cell.name());
                }
            }
            // An InputChoice is open when the inputs it keeps only add their costs: a sum or mean of equal shapes
            // (checked while walking), or a concatenation of a fixed number, in a cell without loose ends.
            for (Cell cell : space.cells().values()) {
                for (Node n : cell.nodes()) {
                    InputChoice ic = n.inputChoice();
                    if (ic == null) {
                        continue;
                    }
                    Integer count = inputCounts.putIfAbsent(ic.key(), cell.incoming(n.name()).size());
                    // A dynamic op on a candidate input couples the choice to the generator it may need.
                    boolean open = !looseCells.contains(cell.name()) && !(ic.nChosen() == InputChoice.ANY
                            && (ic.allowNone() || n.reduction() == Reduction.CONCAT))
                            && (count == null || count == cell.incoming(n.name()).size()) // else invalid: walk it as is
                            && cell.incoming(n.name()).stream().noneMatch(e -> dynamic(space, e.op()));
                    if (!open) {
                        decidedSet.add(ic.key());
                    }
                }
            }
            inputCounts.keySet().stream().filter(k -> !decidedSet.contains(k)).forEach(openInputs::add);
            // A key shared by LayerChoices of different candidates (which validate rejects) is walked as it is.
            Map<String, List<String>> labels = new HashMap<>();
            for (Mutable m : space.mutables()) {
                if (m instanceof LayerChoice lc && !labels.computeIfAbsent(lc.key(), k -> lc.labels()).equals(lc.labels())) {
                    decidedSet.add(lc.key());
                }
            }
            // A LayerChoice shared between a candidate input and any other place couples that InputChoice to the rest.
            boolean changed = true;
            while (changed) {
                changed = false;
                gated.clear();
                Map<String, Set<Object>> places = new HashMap<>();
                for (Cell cell : space.cells().values()) {
                    for (Node n : cell.nodes()) {
                        List<Edge> in = cell.incoming(n.name());
                        InputChoice ic = n.inputChoice();
                        for (int i = 0; i < in.size(); i++) {
                            if (in.get(i).op() instanceof LayerChoice lc && !decidedSet.contains(lc.key())) {
                                places.computeIfAbsent(lc.key(), k -> new HashSet<>()).add(ic != null && openInputs.contains(ic.key())
                                        ? Map.entry(ic.key(), i) : "free");
                            }
                        }
                    }
                }
                for (Stage st : space.network().stages()) {
                    if (st.op() instanceof LayerChoice lc && !decidedSet.contains(lc.key())) {
                        places.computeIfAbsent(lc.key(), k -> new HashSet<>()).add("free");
                    }
                }
                for (Map.Entry<String, Set<Object>> e : places.entrySet()) {
                    if (e.getValue().size() > 1) {
                        for (Object place : e.getValue()) {
                            if (place instanceof Map.Entry<?, ?> slot && openInputs.remove(slot.getKey())) {
                                decidedSet.add((String) slot.getKey());
                                changed = true;
                            }
                        }
                    } else if (e.getValue().iterator().next() instanceof Map.Entry<?, ?> slot) {
                        gated.put(e.getKey(), Map.entry((String) slot.getKey(), (Integer) slot.getValue()));
                    }
                }
            }
            // Coordinate search order: the order of the space's keys.
            this.decided = options.keySet().stream().filter(decidedSet::contains).toList();
        }

        private Walk walk(Architecture decisions) {
            return walks.computeIfAbsent(decisions, d -> {
                Tally t = new Tally(openInputs, inputCounts);
                NetworkStats st = Evaluator.tabulate(space, d, t);
                return new Walk(st.ok() ? new long[] {st.params(), st.macs()} : null, t);
            });
        }

        Extreme extreme(int metric, boolean max) {
            Map<String, Decision> start = new LinkedHashMap<>();
            for (String k : decided) {
                if (!options.get(k).isEmpty()) {
                    start.put(k, options.get(k).get(0));
                }
            }
            Architecture x = new Architecture(start);
            Extreme best = best(x, metric, max);
            for (int pass = 0; pass < MAX_PASSES && !decided.isEmpty(); pass++) {
                boolean changed = false;
                for (String k : decided) {
                    for (Decision d : options.get(k)) {
                        Architecture cand = x.with(k, d);
                        Extreme e = best(cand, metric, max);
                        if (e != null && (best == null || (max ? e.value() > best.value() : e.value() < best.value()))) {
                            best = e;
                            x = cand;
                            changed = true;
                        }
                    }
                }
                if (!changed) {
                    break;
                }
            }
            return best != null ? best : new Extreme(-1, new Architecture(firsts));
        }

        /** The best architecture with these decided keys (the open ones at their best), or null when none is valid. */
        private Extreme best(Architecture decisions, int metric, boolean max) {
            Walk w = walk(decisions);
            if (w.totals() == null) {
                return null;
            }
            long total = w.totals()[metric];
            Map<String, Decision> chosen = new LinkedHashMap<>(decisions.choices());
            Map<String, long[]> slotCosts = new HashMap<>();
            Map<String, boolean[]> slotBroken = new HashMap<>();
            w.tally().inputs.forEach((k, costs) -> {
                long[] c = new long[costs.length];
                for (int i = 0; i < c.length; i++) {
                    c[i] = costs[i][metric];
                }
                slotCosts.put(k, c);
                boolean[] b = w.tally().brokenInputs.get(k);
                slotBroken.put(k, b == null ? new boolean[c.length] : b.clone());
            });
            Map<String, Integer> picks = new HashMap<>();
            for (Map.Entry<String, long[][]> e : w.tally().ops.entrySet()) {
                String key = e.getKey();
                long[][] costs = e.getValue();
                int bi = bestOption(w.tally(), key, metric, max, null);
                picks.put(key, bi);
                Map.Entry<String, Integer> slot = gated.get(key);
                if (bi >= 0) {
                    chosen.put(key, options.get(key).get(bi));
                }
                if (slot == null) {
                    if (bi < 0) {
                        return null;
                    }
                    total += costs[bi][metric];
                } else if (bi < 0) {
                    slotBroken.get(slot.getKey())[slot.getValue()] = true;
                } else {
                    slotCosts.get(slot.getKey())[slot.getValue()] += costs[bi][metric];
                }
            }
            for (String k : openInputs) {
                long[] cost = slotCosts.get(k);
                if (cost == null) {
                    continue; // on a node no stage reaches
                }
                List<Integer> pick = pick((InputChoice) byKey.get(k), cost, slotBroken.get(k), max);
                if (pick == null) {
                    return null;
                }
                chosen.put(k, new Decision.Inputs(pick));
                for (int i : pick) {
                    total += cost[i];
                }
            }
            if (w.tally().generators[metric] > 0) {
                total = withGenerators(w.tally(), picks, chosen, total, metric, max);
            }
            firsts.forEach(chosen::putIfAbsent); // keys that nothing measured: any option will do
            return new Extreme(total, new Architecture(chosen));
        }

        /** The best option of an open LayerChoice, among its dynamic ({@code dynamic} true) or static ones or all (null). */
        private static int bestOption(Tally t, String key, int metric, boolean max, Boolean dynamic) {
            long[][] costs = t.ops.get(key);
            boolean[] broken = t.brokenOps.get(key);
            boolean[] dyn = t.dynamicOps.get(key);
            int bi = -1;
            for (int i = 0; i < costs.length; i++) {
                boolean kind = dynamic == null || dynamic == (dyn != null && dyn[i]);
                if (kind && (broken == null || !broken[i]) && (bi < 0
                        || (max ? costs[i][metric] > costs[bi][metric] : costs[i][metric] < costs[bi][metric]))) {
                    bi = i;
                }
            }
            return bi;
        }

        /**
         * The generators the open choices alone use cost G once when any of them picks a dynamic op: the best is then
         * that of all-static picks, or of the free picks with one key's best dynamic option and G, whichever wins
         * (exact for one generator; keys gated by an InputChoice keep their free pick). Updates {@code chosen}.
         */
        private long withGenerators(Tally t, Map<String, Integer> picks, Map<String, Decision> chosen, long total, int metric,
                                    boolean max) {
            List<String> keys = picks.keySet().stream().filter(k -> !gated.containsKey(k) && t.dynamicOps.containsKey(k))
                    .sorted().toList();
            long g = t.generators[metric];
            long bestTotal = 0;
            Map<String, Integer> bestPicks = null;
            List<Map<String, Integer>> tries = new ArrayList<>();
            Map<String, Integer> allStatic = new HashMap<>();
            for (String k : keys) {
                allStatic.put(k, bestOption(t, k, metric, max, false));
            }
            if (!allStatic.containsValue(-1)) {
                tries.add(allStatic);
            }
            for (String k : keys) {
                int dynamic = bestOption(t, k, metric, max, true);
                if (dynamic >= 0) {
                    Map<String, Integer> one = new HashMap<>();
                    keys.forEach(x -> one.put(x, picks.get(x)));
                    one.put(k, dynamic);
                    tries.add(one);
                }
            }
            for (Map<String, Integer> p : tries) {
                long sum = total;
                boolean anyDynamic = false;
                for (String k : keys) {
                    sum += t.ops.get(k)[p.get(k)][metric] - t.ops.get(k)[picks.get(k)][metric];
                    anyDynamic |= t.dynamicOps.get(k)[p.get(k)];
                }
                sum += anyDynamic ? g : 0;
                if (bestPicks == null || (max ? sum > bestTotal : sum < bestTotal)) {
                    bestTotal = sum;
                    bestPicks = p;
                }
            }
            if (bestPicks == null) {
                return total + g;
            }
            bestPicks.forEach((k, i) -> chosen.put(k, options.get(k).get(i)));
            return bestTotal;
        }
    }

    /**
     * The inputs an open InputChoice keeps for the smallest or largest cost: the n_chosen best (the first among
     * equals), or for any number the best single input or all of them; null when too few inputs build.
     */
    private static List<Integer> pick(InputChoice ic, long[] cost, boolean[] broken, boolean max) {
        List<Integer> ok = new ArrayList<>();
        for (int i = 0; i < cost.length; i++) {
            if (!broken[i]) {
                ok.add(i);
            }
        }
        Comparator<Integer> order = Comparator.comparingLong(i -> max ? -cost[i] : cost[i]);
        if (ic.nChosen() != InputChoice.ANY) {
            if (ok.size() < ic.nChosen()) {
                return null;
            }
            List<Integer> sorted = new ArrayList<>(ok);
            sorted.sort(order); // stable: the first among equals
            List<Integer> pick = new ArrayList<>(sorted.subList(0, ic.nChosen()));
            Collections.sort(pick);
            return pick;
        }
        if (ok.isEmpty()) {
            return null;
        }
        int single = Collections.min(ok, order);
        if (cost.length > 1 && ok.size() == cost.length) {
            long all = 0;
            for (long c : cost) {
                all += c;
            }
            if (max ? all > cost[single] : all < cost[single]) {
                return ok;
            }
        }
        return List.of(single);
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
                    combinations(n, ic.nChosen(), opts);
                }
            }
            out.put(e.getKey(), opts);
        }
        return out;
    }

    /**
     * The first k-subsets of 0..n-1 in lexicographic order, iteratively (k may be thousands): at most 5,000, and
     * at most a million indices in all.
     */
    private static void combinations(int n, int k, List<Decision> out) {
        combinations(n, k, k == 0 ? 1 : Math.max(1, Math.min(5000, 1_000_000 / k)), out);
    }

    /** The first {@code limit} k-subsets of 0..n-1 in lexicographic order, iteratively, appended to {@code out}. */
    public static void combinations(int n, int k, int limit, List<Decision> out) {
        if (k > n || k < 0) {
            return;
        }
        if (k == 0) {
            out.add(new Decision.Inputs(List.of()));
            return;
        }
        int start = out.size();
        int[] c = new int[k];
        for (int i = 0; i < k; i++) {
            c[i] = i;
        }
        while (out.size() - start < limit) {
            List<Integer> pick = new ArrayList<>(k);
            for (int x : c) {
                pick.add(x);
            }
            out.add(new Decision.Inputs(pick));
            int i = k - 1;
            while (i >= 0 && c[i] == n - k + i) {
                i--;
            }
            if (i < 0) {
                return;
            }
            c[i]++;
            for (int j = i + 1; j < k; j++) {
                c[j] = c[j - 1] + 1;
            }
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
}

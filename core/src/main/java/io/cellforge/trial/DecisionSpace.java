package io.cellforge.trial;

import io.cellforge.analysis.SpaceStats;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a multi-trial strategy chooses among: every key of a space (shared keys once) with its options in a fixed
 * order: a LayerChoice's labels, a ValueChoice's values, an InputChoice's combinations (k of n in lexicographic
 * order, the empty choice first when allowed; any subset ordered by size, then lexicographically). Strategies work
 * on option numbers, one per key; this turns them into architectures and back, and numbers all architectures for
 * a grid (the first key the most significant digit).
 */
public final class DecisionSpace {
    /** Listing more options than this for one key is refused: an InputChoice over that many inputs is no grid. */
    static final int MAX_OPTIONS_PER_KEY = 1 << 16;

    /** One key and its options, in the order option numbers count them. */
    public record Key(String name, Mutable mutable, List<Decision> options) {
        public Key {
            options = List.copyOf(options);
        }

        public int size() {
            return options.size();
        }
    }

    private final List<Key> keys;
    private final Map<String, Integer> position = new LinkedHashMap<>();
    private final List<Map<Decision, Integer>> optionIndex = new ArrayList<>();

    private DecisionSpace(List<Key> keys) {
        this.keys = List.copyOf(keys);
        for (int k = 0; k < keys.size(); k++) {
            position.put(keys.get(k).name(), k);
            Map<Decision, Integer> m = new java.util.HashMap<>();
            List<Decision> opts = keys.get(k).options();
            for (int o = 0; o < opts.size(); o++) {
                m.put(opts.get(o), o);
            }
            optionIndex.add(m);
        }
    }

    public static DecisionSpace of(SearchSpace space) {
        List<Key> keys = new ArrayList<>();
        for (Mutable m : space.mutablesByKey().values()) {
            List<Decision> options;
            if (m instanceof LayerChoice lc) {
                options = lc.labels().stream().map(l -> (Decision) new Decision.Op(l)).toList();
            } else if (m instanceof ValueChoice vc) {
                options = vc.candidates().stream().map(v -> (Decision) new Decision.Value(v)).toList();
            } else {
                InputChoice ic = (InputChoice) m;
                options = inputOptions(ic, space.inputCandidates(ic.key()).size());
            }
            if (options.isEmpty()) {
                throw new IllegalArgumentException("choice '" + m.key() + "' has no options");
            }
            keys.add(new Key(m.key(), m, options));
        }
        return new DecisionSpace(keys);
    }

    /** The ways an InputChoice chooses among {@code n} inputs, as {@link InputChoice#optionCount} counts them. */
    static List<Decision> inputOptions(InputChoice ic, int n) {
        long count = ic.optionCount(n);
        if (count > MAX_OPTIONS_PER_KEY) {
            throw new IllegalArgumentException("choice '" + ic.key() + "' has " + count + " ways to pick its " + n
                    + " inputs; a multi-trial search lists at most " + MAX_OPTIONS_PER_KEY);
        }
        List<Decision> out = new ArrayList<>();
        if (ic.allowNone() && (ic.nChosen() == InputChoice.ANY || ic.nChosen() > 0)) {
            out.add(new Decision.Inputs(List.of()));
        }
        if (ic.nChosen() == InputChoice.ANY) {
            for (int k = 1; k <= n; k++) {
                combinations(n, k, out);
            }
        } else {
            combinations(n, ic.nChosen(), out);
        }
        return out;
    }

    private static void combinations(int n, int k, List<Decision> out) {
        SpaceStats.combinations(n, k, Integer.MAX_VALUE, out); // every one: the count was checked above
    }

    public List<Key> keys() {
        return keys;
    }

    /** The number of architectures: the product of every key's option count. */
    public BigInteger size() {
        BigInteger s = BigInteger.ONE;
        for (Key k : keys) {
            s = s.multiply(BigInteger.valueOf(k.size()));
        }
        return s;
    }

    /** The architecture of one option number per key. */
    public Architecture architecture(int[] options) {
        if (options.length != keys.size()) {
            throw new IllegalArgumentException(options.length + " options for " + keys.size() + " keys");
        }
        Map<String, Decision> m = new LinkedHashMap<>();
        for (int k = 0; k < keys.size(); k++) {
            m.put(keys.get(k).name(), keys.get(k).options().get(options[k]));
        }
        return new Architecture(m);
    }

    /** The option number of every key; an architecture that decides a key otherwise than its options is refused. */
    public int[] options(Architecture a) {
        int[] out = new int[keys.size()];
        for (int k = 0; k < keys.size(); k++) {
            String name = keys.get(k).name();
            Decision d = a.get(name).orElseThrow(() -> new IllegalArgumentException("the architecture does not decide '" + name + "'"));
            if (d instanceof Decision.Inputs in) {
                d = new Decision.Inputs(in.indices().stream().sorted().toList()); // the same inputs in any order
            }
            Integer o = optionIndex.get(k).get(d);
            if (o == null) {
                throw new IllegalArgumentException("'" + name + "' is decided as " + d + ", which is none of its options");
            }
            out[k] = o;
        }
        return out;
    }

    /** Architecture number {@code index}, 0 &lt;= index &lt; {@link #size()}, the last key counting fastest. */
    public Architecture architecture(BigInteger index) {
        if (index.signum() < 0 || index.compareTo(size()) >= 0) {
            throw new IllegalArgumentException("architecture " + index + " is outside 0.." + size().subtract(BigInteger.ONE));
        }
        int[] o = new int[keys.size()];
        BigInteger rest = index;
        for (int k = keys.size() - 1; k >= 0; k--) {
            BigInteger[] qr = rest.divideAndRemainder(BigInteger.valueOf(keys.get(k).size()));
            o[k] = qr[1].intValue();
            rest = qr[0];
        }
        return architecture(o);
    }

    /** The number of an architecture, as {@link #architecture(BigInteger)} counts them. */
    public BigInteger index(Architecture a) {
        int[] o = options(a);
        BigInteger i = BigInteger.ZERO;
        for (int k = 0; k < keys.size(); k++) {
            i = i.multiply(BigInteger.valueOf(keys.get(k).size())).add(BigInteger.valueOf(o[k]));
        }
        return i;
    }

    /** A uniformly random option of every key. */
    int[] random(java.util.Random rng) {
        int[] o = new int[keys.size()];
        for (int k = 0; k < o.length; k++) {
            o[k] = rng.nextInt(keys.get(k).size());
        }
        return o;
    }

    /** {@code options} with exactly one decision changed (of a key with more than one option); as is if none has. */
    int[] mutateOne(int[] options, java.util.Random rng) {
        List<Integer> open = new ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            if (keys.get(k).size() > 1) {
                open.add(k);
            }
        }
        int[] child = options.clone();
        if (open.isEmpty()) {
            return child;
        }
        int k = open.get(rng.nextInt(open.size()));
        int other = rng.nextInt(keys.get(k).size() - 1);
        child[k] = other >= options[k] ? other + 1 : other;
        return child;
    }
}

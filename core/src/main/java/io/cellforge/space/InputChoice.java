package io.cellforge.space;

/**
 * k of n candidate inputs of a node (its incoming edges, in order), reduced by sum, mean or concat.
 * {@code nChosen == ANY} means any number (NNI's {@code n_chosen=None}); the candidate count comes from the
 * node it sits on.
 */
public record InputChoice(String key, int nChosen, Reduction reduction, boolean allowNone) implements Mutable {
    public static final int ANY = -1;

    /** The number of ways to choose among {@code candidates} inputs. */
    public long optionCount(int candidates) {
        if (nChosen == ANY) {
            long n = 1L << Math.min(candidates, 62);
            return allowNone ? n : n - 1;
        }
        long c = binomial(candidates, nChosen);
        return allowNone && nChosen > 0 ? c + 1 : c;
    }

    static long binomial(int n, int k) {
        if (k < 0 || k > n) {
            return 0;
        }
        long r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    @Override
    public String kindName() {
        return "InputChoice";
    }
}

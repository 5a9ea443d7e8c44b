package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/**
 * The tree-structured Parzen estimator (Bergstra et al. 2011) over categorical decisions: after {@code startup}
 * random architectures, the scored ones are split at the {@code gamma} quantile into good and bad; per key, a
 * Parzen estimator over its options (counts plus a uniform prior of weight {@code priorWeight}) is fitted to each,
 * l(x) to the good and g(x) to the bad; {@code candidates} architectures are drawn from l and the one with the
 * largest l(x)/g(x) is proposed (one not yet proposed, when any is).
 */
public final class Tpe implements TrialStrategy {
    public static final int STARTUP = 10;
    public static final double GAMMA = 0.2;
    public static final int CANDIDATES = 24;
    public static final double PRIOR_WEIGHT = 1.0;

    private record Scored(int[] options, double fitness, int order) {
    }

    private final DecisionSpace space;
    private final Objective objective;
    private final int startup;
    private final double gamma;
    private final int candidates;
    private final double priorWeight;
    private final Random rng;
    private final List<Scored> scored = new ArrayList<>();
    private final Set<Architecture> proposed = new HashSet<>();

    public Tpe(DecisionSpace space, Objective objective, int startup, double gamma, int candidates, double priorWeight, long seed) {
        if (!(gamma > 0 && gamma < 1) || candidates < 1 || !(priorWeight > 0)) {
            throw new IllegalArgumentException("TPE needs 0 < gamma < 1, at least one candidate and a prior weight above 0");
        }
        this.space = space;
        this.objective = objective;
        this.startup = startup;
        this.gamma = gamma;
        this.candidates = candidates;
        this.priorWeight = priorWeight;
        this.rng = new Random(seed);
    }

    @Override
    public Optional<Architecture> propose() {
        Architecture a = scored.size() < Math.max(startup, 2) ? random() : modelled();
        proposed.add(a);
        return Optional.of(a);
    }

    private Architecture random() {
        Architecture a = space.architecture(space.random(rng));
        for (int i = 0; i < 100 && proposed.contains(a); i++) {
            a = space.architecture(space.random(rng));
        }
        return a;
    }

    private Architecture modelled() {
        List<Scored> ranked = new ArrayList<>(scored);
        ranked.sort(Comparator.comparingDouble(Scored::fitness).reversed().thenComparingInt(Scored::order));
        int nGood = Math.max(1, Math.min(ranked.size() - 1, (int) Math.ceil(gamma * ranked.size())));
        List<DecisionSpace.Key> keys = space.keys();
        double[][] good = new double[keys.size()][];
        double[][] bad = new double[keys.size()][];
        for (int k = 0; k < keys.size(); k++) {
            good[k] = parzen(ranked.subList(0, nGood), k, keys.get(k).size());
            bad[k] = parzen(ranked.subList(nGood, ranked.size()), k, keys.get(k).size());
        }
        Architecture best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        boolean bestIsNew = false;
        for (int c = 0; c < candidates; c++) {
            int[] o = new int[keys.size()];
            double score = 0;
            for (int k = 0; k < o.length; k++) {
                o[k] = draw(good[k]);
                score += Math.log(good[k][o[k]]) - Math.log(bad[k][o[k]]);
            }
            Architecture a = space.architecture(o);
            boolean isNew = !proposed.contains(a);
            if (best == null || (isNew && !bestIsNew) || (isNew == bestIsNew && score > bestScore)) {
                best = a;
                bestScore = score;
                bestIsNew = isNew;
            }
        }
        return bestIsNew ? best : random();
    }

    /** The categorical Parzen estimator of key {@code k} over {@code of}: counts plus a uniform prior, normalised. */
    private double[] parzen(List<Scored> of, int k, int size) {
        double[] p = new double[size];
        java.util.Arrays.fill(p, priorWeight / size);
        for (Scored s : of) {
            p[s.options()[k]] += 1;
        }
        double total = of.size() + priorWeight;
        for (int i = 0; i < size; i++) {
            p[i] /= total;
        }
        return p;
    }

    private int draw(double[] p) {
        double u = rng.nextDouble();
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        return p.length - 1;
    }

    @Override
    public void observe(Trial trial) {
        scored.add(new Scored(space.options(trial.architecture()), objective.fitness(trial.scores()), scored.size()));
    }

    @Override
    public String name() {
        return "tpe";
    }
}

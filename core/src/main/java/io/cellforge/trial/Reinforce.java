package io.cellforge.trial;

import io.cellforge.arch.Architecture;

import java.util.Optional;
import java.util.Random;

/**
 * REINFORCE (ModularNAS's REINFORCEOptim, ProxylessNAS-R): a categorical policy per key, softmax of its logits;
 * each scored architecture moves the logits by Adam along (reward - baseline) times the gradient of its log
 * probability, the baseline a moving average of the rewards. The reward is the objective's fitness; a filtered-out
 * architecture is rewarded as the worst one seen.
 */
public final class Reinforce implements TrialStrategy {
    public static final double LEARNING_RATE = 0.05;
    public static final double BASELINE_DECAY = 0.9;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final DecisionSpace space;
    private final Objective objective;
    private final double lr;
    private final double decay;
    private final Random rng;
    private final double[][] logits;
    private final double[][] m;
    private final double[][] v;
    private int steps;
    private double baseline = Double.NaN;
    private double worst = Double.POSITIVE_INFINITY;

    public Reinforce(DecisionSpace space, Objective objective, double lr, double baselineDecay, long seed) {
        this.space = space;
        this.objective = objective;
        this.lr = lr;
        this.decay = baselineDecay;
        this.rng = new Random(seed);
        int n = space.keys().size();
        logits = new double[n][];
        m = new double[n][];
        v = new double[n][];
        for (int k = 0; k < n; k++) {
            int size = space.keys().get(k).size();
            logits[k] = new double[size];
            m[k] = new double[size];
            v[k] = new double[size];
        }
    }

    @Override
    public Optional<Architecture> propose() {
        int[] o = new int[logits.length];
        for (int k = 0; k < o.length; k++) {
            double[] p = probabilities(k);
            double u = rng.nextDouble();
            int pick = p.length - 1;
            for (int i = 0; i < p.length; i++) {
                u -= p[i];
                if (u < 0) {
                    pick = i;
                    break;
                }
            }
            o[k] = pick;
        }
        return Optional.of(space.architecture(o));
    }

    @Override
    public void observe(Trial trial) {
        double reward = objective.fitness(trial.scores());
        if (!Double.isFinite(reward)) {
            if (!Double.isFinite(worst)) {
                return; // nothing scored yet to say how bad it is
            }
            reward = worst;
        }
        worst = Math.min(worst, reward);
        baseline = Double.isNaN(baseline) ? reward : decay * baseline + (1 - decay) * reward;
        double advantage = reward - baseline;
        int[] o = space.options(trial.architecture());
        steps++;
        for (int k = 0; k < logits.length; k++) {
            double[] p = probabilities(k);
            for (int i = 0; i < p.length; i++) {
                // Ascent on advantage * log p(o): d/dlogit_i = advantage * (1[i == o] - p_i).
                double g = advantage * ((i == o[k] ? 1 : 0) - p[i]);
                m[k][i] = BETA1 * m[k][i] + (1 - BETA1) * g;
                v[k][i] = BETA2 * v[k][i] + (1 - BETA2) * g * g;
                double mh = m[k][i] / (1 - Math.pow(BETA1, steps));
                double vh = v[k][i] / (1 - Math.pow(BETA2, steps));
                logits[k][i] += lr * mh / (Math.sqrt(vh) + EPS);
            }
        }
    }

    /** The policy of key {@code k}: the probability of each of its options. */
    double[] probabilities(int k) {
        double[] l = logits[k];
        double max = Double.NEGATIVE_INFINITY;
        for (double x : l) {
            max = Math.max(max, x);
        }
        double[] p = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) {
            p[i] = Math.exp(l[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < l.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Override
    public String name() {
        return "reinforce";
    }
}

package io.cellforge.engine.relax;

import java.util.Map;
import java.util.Random;

/** GUMBEL_SUM: softmax((alpha + Gumbel noise) / tau) (SNAS); the noise is fed as {@code gumbel/KEY}. */
public class GumbelSoft implements Relaxation {
    /** The name of a choice's Gumbel noise among a step's inputs. */
    public static String noiseName(String key) {
        return "gumbel/" + key;
    }

    /** The noise fed for a choice, zeros when none was. */
    static double[] noise(String key, int n, Step step) {
        double[] g = step.fed(noiseName(key));
        return g == null ? new double[n] : g;
    }

    double[] soft(String key, double[] alpha, Step step) {
        return Softmax.softmax(alpha, noise(key, alpha.length, step), step.tau());
    }

    @Override
    public double[] weights(String key, double[] alpha, Step step) {
        return soft(key, alpha, step);
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Step step) {
        double t = step.tau();
        double[] da = new double[dw.length];
        Softmax.softmaxBackward(soft(key, alpha, step), dw, da, 1 / t);
        return da;
    }

    @Override
    public boolean sampled() {
        return true;
    }

    @Override
    public void sample(String key, double[] alpha, Random random, double temperature, Map<String, double[]> feed) {
        double[] g = new double[alpha.length];
        if (random != null) {
            for (int i = 0; i < g.length; i++) {
                double u = Math.min(Math.max(random.nextDouble(), 1e-10), 1 - 1e-10);
                g[i] = -Math.log(-Math.log(u));
            }
        }
        feed.put(noiseName(key), g);
    }
}

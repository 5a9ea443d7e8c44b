package io.cellforge.engine.relax;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/** GUMBEL_SUM: softmax((alpha + Gumbel noise) / tau) (SNAS), the noise and tau set as {@link Noise}. */
public class GumbelSoft implements Relaxation<GumbelSoft.Noise> {
    /**
     * The Gumbel gates of one step: the temperature, the noise of each choice (zeros for a choice left out) and,
     * for GUMBEL_HARD, the one-hot drawn with it (from the soft weights for a choice left out).
     */
    public record Noise(double tau, Map<String, double[]> noise, Map<String, double[]> hard) implements Gates {
        public Noise {
            noise = Map.copyOf(noise);
            hard = Map.copyOf(hard);
        }
    }

    @Override
    public Class<Noise> gatesType() {
        return Noise.class;
    }

    double[] soft(String key, double[] alpha, Noise gates) {
        double[] g = gates.noise().get(key);
        return Softmax.softmax(alpha, g == null ? new double[alpha.length] : g, gates.tau());
    }

    @Override
    public double[] weights(String key, double[] alpha, Noise gates) {
        return soft(key, alpha, gates);
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Noise gates) {
        double t = gates.tau();
        double[] da = new double[dw.length];
        Softmax.softmaxBackward(soft(key, alpha, gates), dw, da, 1 / t);
        return da;
    }

    /** Noise for every choice, and the temperature, at the network's precision (a pass computes with that). */
    @Override
    public Noise sample(Map<String, double[]> alphas, Random random, double temperature, DataType precision) {
        Map<String, double[]> noise = new HashMap<>();
        Map<String, double[]> hard = new HashMap<>();
        alphas.forEach((key, alpha) -> {
            double[] g = new double[alpha.length];
            if (random != null) {
                for (int i = 0; i < g.length; i++) {
                    double u = Math.min(Math.max(random.nextDouble(), 1e-10), 1 - 1e-10);
                    g[i] = -Math.log(-Math.log(u));
                }
            }
            noise.put(key, Gates.atPrecision(g, precision));
            double[] h = hard(alpha, g, temperature);
            if (h != null) {
                hard.put(key, h);
            }
        });
        return new Noise(Gates.atPrecision(temperature, precision), noise, hard);
    }

    /** The one-hot drawn with noise {@code g}, or null when this relaxation has none. */
    double[] hard(double[] alpha, double[] g, double temperature) {
        return null;
    }
}

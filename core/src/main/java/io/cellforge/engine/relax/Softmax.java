package io.cellforge.engine.relax;

import org.nd4j.linalg.api.buffer.DataType;

import java.util.Map;
import java.util.Random;

/** WEIGHTED_SUM: the softmax of alpha (DARTS), with no gates; also the softmax helpers of the other relaxations. */
public final class Softmax implements Relaxation<Gates.None> {
    @Override
    public Class<Gates.None> gatesType() {
        return Gates.None.class;
    }

    @Override
    public double[] weights(String key, double[] alpha, Gates.None gates) {
        return softmax(alpha, null, 1);
    }

    @Override
    public double[] alphaGradient(String key, double[] alpha, double[] dw, Gates.None gates) {
        double t = 1;
        double[] da = new double[dw.length];
        softmaxBackward(softmax(alpha, null, t), dw, da, 1 / t);
        return da;
    }

    /** Nothing to draw. */
    @Override
    public Gates.None sample(Map<String, double[]> alphas, Random random, double temperature, DataType precision) {
        return Gates.NONE;
    }

    /** softmax((a + noise) / tau); a null {@code noise} adds nothing. */
    public static double[] softmax(double[] a, double[] noise, double tau) {
        double[] p = new double[a.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < a.length; i++) {
            p[i] = (a[i] + (noise == null ? 0 : noise[i])) / tau;
            max = Math.max(max, p[i]);
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            p[i] = Math.exp(p[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < a.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The one-hot of the largest entry (the first of equals). */
    public static double[] oneHot(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        double[] h = new double[p.length];
        h[best] = 1;
        return h;
    }

    /** {@code dz = scale * p * (dp - <p, dp>)}: back through a softmax {@code p} (times {@code scale}). */
    public static void softmaxBackward(double[] p, double[] dp, double[] dz, double scale) {
        double dot = 0;
        for (int i = 0; i < p.length; i++) {
            dot += p[i] * dp[i];
        }
        for (int i = 0; i < p.length; i++) {
            dz[i] = scale * p[i] * (dp[i] - dot);
        }
    }
}

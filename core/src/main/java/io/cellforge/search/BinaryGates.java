package io.cellforge.search;

import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.engine.relax.BinaryGate;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * ProxylessNAS-G (Cai et al. 2019) over binary gates. A weight step trains one path, drawn from softmax(alpha).
 * An architecture step draws {@code pathSamples} candidates per key (two in the paper), runs one of them (drawn
 * from the softmax restricted to them) and takes the BinaryConnect gradient
 * dL/dalpha_i = sum_j dL/dg_j p_j (delta_ij - p_i) over the drawn candidates only; after the update the drawn
 * candidates' alphas are shifted together so that the unsampled paths keep their probabilities (the paper's
 * rescaling). {@code uniform}: ModularNAS's BinGateUniform, which draws paths and candidates uniformly instead.
 */
final class BinaryGates implements Strategy {
    private final boolean uniform;
    /** The candidates drawn per key in the current architecture step, and log(unsampled mass / sampled mass) before it. */
    private final Map<String, int[]> drawn = new LinkedHashMap<>();
    private final Map<String, Double> ratioBefore = new HashMap<>();

    BinaryGates(boolean uniform) {
        this.uniform = uniform;
    }

    @Override
    public CompiledNetwork.MixedOp mixedOp() {
        return CompiledNetwork.MixedOp.BIN_GATE;
    }

    @Override
    public ArchStep archStep(Context c, Batches.Batch train, Batches.Batch valid, Random noise, double tau, double lr) {
        CompiledNetwork net = c.net();
        Map<String, double[]> p = net.probabilities();
        drawn.clear();
        ratioBefore.clear();
        Map<String, double[]> gates = new HashMap<>();
        Map<String, boolean[]> candidates = new HashMap<>();
        for (String key : net.layerChoices().keySet()) {
            double[] pk = p.get(key);
            int[] s = drawWithoutReplacement(odds(pk), Math.min(c.cfg().pathSamples(), pk.length), noise);
            gates.put(key, oneHot(pk.length, s[draw(odds(restricted(pk, s)), noise)]));
            boolean[] only = new boolean[pk.length];
            for (int i : s) {
                only[i] = true;
            }
            candidates.put(key, only);
            drawn.put(key, s);
            if (s.length < pk.length) {
                ratioBefore.put(key, logMassRatio(net.arch().get(CompiledNetwork.alphaName(key)).toDoubleVector(), s));
            }
        }
        CompiledNetwork.Result og = net.train(valid, new BinaryGate.Binarized(gates, candidates),
                EnumSet.of(Grad.GATES));
        Map<String, INDArray> grads = new HashMap<>();
        drawn.forEach((key, s) -> {
            double[] dg = og.gateGradients().get(key);
            double[] w = restricted(p.get(key), s);
            double[] da = new double[dg.length];
            for (int i = 0; i < s.length; i++) {
                for (int j = 0; j < s.length; j++) {
                    da[s[i]] += dg[s[j]] * w[j] * ((i == j ? 1 : 0) - w[i]);
                }
            }
            grads.put(CompiledNetwork.alphaName(key), Nd4j.createFromArray(da).castTo(net.dataType()));
        });
        return new ArchStep(grads, og.loss());
    }

    @Override
    public void afterArchStep(Context c) {
        ratioBefore.forEach((key, before) -> {
            INDArray alpha = c.net().arch().get(CompiledNetwork.alphaName(key));
            int[] s = drawn.get(key);
            double shift = logMassRatio(alpha.toDoubleVector(), s) - before;
            for (int i : s) {
                alpha.putScalar(i, alpha.getDouble(i) + shift);
            }
        });
    }

    @Override
    public BinaryGate.Binarized weightGates(Context c, Random noise, double tau) {
        Map<String, double[]> p = c.net().probabilities();
        Map<String, double[]> gates = new HashMap<>();
        c.net().layerChoices().keySet().forEach(key -> gates.put(key, oneHot(p.get(key).length, draw(odds(p.get(key)), noise))));
        return new BinaryGate.Binarized(gates, Map.of());
    }

    @Override
    public BinaryGate.Binarized evaluationGates(Context c, double tau) {
        Map<String, double[]> p = c.net().probabilities();
        Map<String, double[]> gates = new HashMap<>();
        c.net().layerChoices().keySet().forEach(key -> gates.put(key, oneHot(p.get(key).length,
                Derivation.argmax(p.get(key), p.get(key).length))));
        return new BinaryGate.Binarized(gates, Map.of());
    }

    private static double[] oneHot(int n, int i) {
        double[] g = new double[n];
        g[i] = 1;
        return g;
    }

    /** log(sum of exp(alpha) outside {@code s} / sum inside). */
    static double logMassRatio(double[] alpha, int[] s) {
        double max = Arrays.stream(alpha).max().orElse(0);
        double in = 0;
        double all = 0;
        for (double a : alpha) {
            all += Math.exp(a - max);
        }
        for (int i : s) {
            in += Math.exp(alpha[i] - max);
        }
        return Math.log(Math.max(all - in, Double.MIN_NORMAL)) - Math.log(in);
    }

    /** The probabilities {@code p} renormalised over the indices {@code s}. */
    static double[] restricted(double[] p, int[] s) {
        double[] w = new double[s.length];
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            w[i] = p[s[i]];
            sum += w[i];
        }
        for (int i = 0; i < s.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    private double[] odds(double[] p) {
        if (!uniform) {
            return p;
        }
        double[] u = new double[p.length];
        Arrays.fill(u, 1.0 / p.length);
        return u;
    }

    /** An index drawn with probabilities proportional to {@code p}. */
    static int draw(double[] p, Random r) {
        return drawWithoutReplacement(p, 1, r)[0];
    }

    /** {@code k} distinct indices drawn one after another with probabilities proportional to {@code p}. */
    static int[] drawWithoutReplacement(double[] p, int k, Random r) {
        double[] left = p.clone();
        int[] out = new int[k];
        for (int t = 0; t < k; t++) {
            double sum = 0;
            for (double v : left) {
                sum += v;
            }
            double u = r.nextDouble() * sum;
            int pick = -1;
            double acc = 0;
            for (int i = 0; i < left.length && pick < 0; i++) {
                acc += left[i];
                if (left[i] > 0 && u < acc) {
                    pick = i;
                }
            }
            if (pick < 0) { // rounding, or only zero probabilities left: the first index not drawn yet
                for (int i = 0; i < left.length && pick < 0; i++) {
                    final int c = i;
                    if (Arrays.stream(out, 0, t).noneMatch(x -> x == c)) {
                        pick = i;
                    }
                }
            }
            out[t] = pick;
            left[pick] = 0;
        }
        return out;
    }
}

package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A node's sum or mean of its inputs, weighted per input when an InputChoice is relaxed or masked ({@code key},
 * else null).
 */
public final class MergeOp extends WeightedSumOp {
    final double scale;

    public MergeOp(int out, int[] in, String key, double scale, boolean learns) {
        super(out, in, key, learns);
        this.scale = scale;
    }

    @Override
    double[] weights(OpContext c) {
        double[] w = key == null ? null : c.mix(key);
        double[] s = new double[in.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = scale * (w == null ? 1 : w[i]);
        }
        return s;
    }

    @Override
    public void backward(OpContext c) {
        if (!learns || !c.archGrads()) {
            super.backward(c); // no mixing-weight gradient there either
            return;
        }
        double[] w = weights(c);
        double[] dw = c.mixGrad(key, in.length);
        INDArray dy = c.grad(out);
        for (int i = 0; i < in.length; i++) {
            if (!c.live(in[i])) {
                continue;
            }
            dw[i] += scale * Kernels.dot(dy, c.val(in[i]));
            if (w[i] != 0) {
                c.accumulate(in[i], dy, w[i]);
            }
        }
    }
}

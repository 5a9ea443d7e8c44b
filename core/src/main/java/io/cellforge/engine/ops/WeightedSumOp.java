package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code out = sum_i w_i cand_i}: a LayerChoice's mixed op (weights by key from the mixing of the pass). With
 * arch gradients wanted, d loss / d w_i = <d out, cand_i> is summed per key, here or, for a candidate whose last op
 * applies its weight itself ({@link #weightedByItsOp}), by that op. A candidate slot of -1 contributes nothing.
 */
public class WeightedSumOp extends Op {
    final String key;
    final boolean learns;
    /** Candidates whose last op applies their mixing weight itself (and adds its gradient): summed as they are. */
    private final boolean[] weighted;

    public WeightedSumOp(int out, int[] in, String key, boolean learns) {
        super(out, in);
        this.key = key;
        this.learns = learns;
        this.weighted = new boolean[in.length];
    }

    /** Candidate {@code i}'s output comes weighted ({@link OnednnBatchNormOp#mixInto}). */
    public void weightedByItsOp(int i) {
        weighted[i] = true;
    }

    double[] weights(OpContext c) {
        return c.mix(key);
    }

    /** Candidates with weight 0 are skipped unless their weight's gradient is wanted. */
    private boolean needed(OpContext c, int i) {
        boolean[] only = c.gateCandidates(key);
        return in[i] >= 0 && (weights(c)[i] != 0 || (c.archGrads() && learns && (only == null || only[i])));
    }

    @Override
    public void markInputs(OpContext c) {
        for (int i = 0; i < in.length; i++) {
            if (needed(c, i)) {
                c.markLive(in[i]);
            }
        }
    }

    @Override
    public void forward(OpContext c) {
        double[] w = weights(c);
        INDArray y = c.val(out);
        boolean first = true;
        for (int i = 0; i < in.length; i++) {
            if (in[i] < 0 || !c.live(in[i]) || w[i] == 0) {
                continue;
            }
            double wi = weighted[i] ? 1 : w[i];
            if (first) {
                if (wi == 1) {
                    y.assign(c.val(in[i]));
                } else {
                    Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication(c.val(in[i]), null, y, wi));
                }
                first = false;
            } else {
                Kernels.axpy(wi, c.val(in[i]), y);
            }
        }
        if (first) {
            y.assign(0);
        }
    }

    @Override
    public void backward(OpContext c) {
        double[] w = weights(c);
        double[] dw = learns && c.archGrads() ? c.mixGrad(key, in.length) : null;
        INDArray dy = c.grad(out);
        for (int i = 0; i < in.length; i++) {
            if (in[i] < 0 || !c.live(in[i])) {
                continue;
            }
            if (weighted[i]) {
                c.alias(in[i], out); // d out / d candidate is 1 here: its op applies the weight, and its gradient
                continue;
            }
            if (dw != null) {
                dw[i] += Kernels.dot(dy, c.val(in[i]));
            }
            if (w[i] != 0) {
                c.accumulate(in[i], dy, w[i]);
            }
        }
    }
}

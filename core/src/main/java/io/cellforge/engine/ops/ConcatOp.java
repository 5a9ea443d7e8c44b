package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inputs concatenated along the channels, in order. In one layout throughout, each input is one block of the
 * output; an input whose layout differs from the output's (its channels not a multiple of the block) is copied
 * channel by channel.
 */
public final class ConcatOp extends Op {
    public ConcatOp(int out, int[] in) {
        super(out, in);
    }

    private boolean oneLayout(OpContext c) {
        for (int i : in) {
            if (c.blocked(i) != c.blocked(out)) {
                return false;
            }
        }
        return true;
    }

    /** Copies between input i's buffer and its part of the output's, one way or the other. */
    private void copy(OpContext c, int i, INDArray part, INDArray whole, boolean toWhole) {
        int c0 = 0;
        for (int j = 0; j < i; j++) {
            c0 += c.shape(in[j]).channels();
        }
        int n = c.shape(in[i]).channels();
        if (oneLayout(c)) {
            INDArray a = c.channels(in[i], part, 0, n);
            INDArray b = c.channels(out, whole, c0, c0 + n);
            (toWhole ? b : a).assign(toWhole ? a : b);
            return;
        }
        for (int ch = 0; ch < n; ch++) {
            INDArray a = c.channel(in[i], part, ch);
            INDArray b = c.channel(out, whole, c0 + ch);
            (toWhole ? b : a).assign(toWhole ? a : b);
        }
    }

    @Override
    public void forward(OpContext c) {
        for (int i = 0; i < in.length; i++) {
            copy(c, i, c.val(in[i]), c.val(out), true);
        }
    }

    @Override
    public void backward(OpContext c) {
        for (int i = 0; i < in.length; i++) {
            INDArray gi = c.target(in[i]);
            if (gi != null) {
                copy(c, i, gi, c.grad(out), false);
            }
        }
    }
}

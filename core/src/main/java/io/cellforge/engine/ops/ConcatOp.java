package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The inputs concatenated along the channels, in order. */
public final class ConcatOp extends Op {
    public ConcatOp(int out, int[] in) {
        super(out, in);
    }

    private INDArray part(OpContext c, INDArray y, int i) {
        int c0 = 0;
        for (int j = 0; j < i; j++) {
            c0 += c.shape(in[j]).channels();
        }
        INDArrayIndex ch = NDArrayIndex.interval(c0, c0 + c.shape(in[i]).channels());
        return y.get(NDArrayIndex.all(), ch, NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Override
    public void forward(OpContext c) {
        for (int i = 0; i < in.length; i++) {
            part(c, c.val(out), i).assign(c.val(in[i]));
        }
    }

    @Override
    public void backward(OpContext c) {
        for (int i = 0; i < in.length; i++) {
            INDArray gi = c.target(in[i]);
            if (gi != null) {
                gi.assign(part(c, c.grad(out), i));
            }
        }
    }
}

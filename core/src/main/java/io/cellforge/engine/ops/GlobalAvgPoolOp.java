package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mean of each channel over height and width. A [N, C, 1, 1] output is the same in both layouts; a blocked input
 * is read as [N, C/b, H, W, b].
 */
public final class GlobalAvgPoolOp extends Op {
    public GlobalAvgPoolOp(int in, int out) {
        super(out, in);
    }

    @Override
    public void forward(OpContext c) {
        Shape s = c.shape(in[0]);
        INDArray x = c.val(in[0]);
        if (c.blocked(in[0])) {
            int b = c.block();
            c.val(out).reshape('c', c.batch(), s.channels() / b, b).assign(c.channels(in[0], x, 0, s.channels()).mean(2, 3));
        } else {
            c.val(out).assign(x.mean(true, 2, 3));
        }
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi == null) {
            return;
        }
        Shape s = c.shape(in[0]);
        double inv = 1.0 / (s.height() * s.width());
        if (c.blocked(in[0])) {
            int b = c.block();
            long[] shape = {c.batch(), s.channels() / b, s.height(), s.width(), b};
            c.channels(in[0], gi, 0, s.channels()).assign(c.grad(out).reshape('c', c.batch(), s.channels() / b, 1, 1, b)
                    .broadcast(shape)).muli(inv);
            return;
        }
        long rows = (long) c.batch() * s.channels();
        gi.reshape(rows, (long) s.height() * s.width()).assign(0)
                .addiColumnVector(c.grad(out).reshape(rows, 1)).muli(inv);
    }
}

package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The mean of each channel over height and width. */
public final class GlobalAvgPoolOp extends Op {
    public GlobalAvgPoolOp(int in, int out) {
        super(out, in);
    }

    @Override
    public void forward(OpContext c) {
        c.val(out).assign(c.val(in[0]).mean(true, 2, 3));
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Shape s = c.shape(in[0]);
            long rows = (long) c.batch() * s.channels();
            gi.reshape(rows, (long) s.height() * s.width()).assign(0)
                    .addiColumnVector(c.grad(out).reshape(rows, 1)).muli(1.0 / (s.height() * s.width()));
        }
    }
}

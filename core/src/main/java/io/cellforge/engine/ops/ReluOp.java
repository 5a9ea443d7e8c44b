package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** ReLU, or ReLU6 when {@code six}. */
public final class ReluOp extends Op {
    final boolean six;

    public ReluOp(int in, int out, boolean six) {
        super(out, in);
        this.six = six;
    }

    @Override
    public void forward(OpContext c) {
        Kernels.relu(c.val(in[0]), c.val(out), six);
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Kernels.reluBackward(c.val(in[0]), c.grad(out), gi, six);
        }
    }
}

package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Max or average pooling over square windows. */
public final class PoolOp extends Op {
    final boolean max;
    final int[] args;

    /** {@code includePad}: averages divide by the whole window, padding included (PyTorch's default). */
    public PoolOp(int in, int out, boolean max, int kernel, int stride, int padding, boolean includePad) {
        super(out, in);
        this.max = max;
        this.args = Kernels.poolArgs(kernel, stride, padding, includePad);
    }

    @Override
    public void forward(OpContext c) {
        Kernels.pool(max, c.val(in[0]), c.val(out), args);
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Kernels.poolBackward(max, c.val(in[0]), c.grad(out), gi, args);
        }
    }
}

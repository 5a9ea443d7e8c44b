package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per sample: zero with the context's drop-path probability p, else scaled by 1 / (1 - p); a copy outside
 * training.
 */
public final class DropPathOp extends Op {
    private double[] scale;

    public DropPathOp(int in, int out) {
        super(out, in);
    }

    @Override
    public void forward(OpContext c) {
        int b = (int) c.val(out).size(0);
        double p = c.dropPath();
        scale = new double[b];
        for (int i = 0; i < b; i++) {
            scale[i] = !c.training() || p == 0 ? 1 : c.random().nextDouble() < p ? 0 : 1 / (1 - p);
        }
        scaled(c.val(in[0]), c.val(out));
    }

    private void scaled(INDArray from, INDArray to) {
        for (int i = 0; i < scale.length; i++) {
            INDArray src = from.slice(i);
            INDArray dst = to.slice(i);
            if (scale[i] == 1) {
                dst.assign(src);
            } else {
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication(src, null, dst, scale[i]));
            }
        }
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            scaled(c.grad(out), gi);
        }
    }
}

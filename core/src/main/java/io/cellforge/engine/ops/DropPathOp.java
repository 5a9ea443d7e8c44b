package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
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

    /** One kernel call, not one a sample (a batch of 64 made 64 calls, most of a retraining step's op time). */
    private void scaled(INDArray from, INDArray to) {
        boolean kept = true;
        for (double s : scale) {
            kept &= s == 1;
        }
        if (kept) {
            to.assign(from);
            return;
        }
        // Every value of a sample gets its scale, whatever the slot's layout inside the sample.
        INDArray s = Nd4j.createFromArray(scale).castTo(from.dataType());
        int b = scale.length;
        Broadcast.mul(from.reshape(b, from.length() / b), s, to.reshape(b, to.length() / b), 0);
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            scaled(c.grad(out), gi);
        }
    }
}

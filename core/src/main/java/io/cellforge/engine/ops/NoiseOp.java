package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Fresh N(0, 1) noise each step, drawn from the network's seeded generator; nothing flows back. */
public final class NoiseOp extends Op {
    public NoiseOp(int out) {
        super(out);
    }

    @Override
    public void forward(OpContext c) {
        INDArray y = c.val(out);
        y.assign(Nd4j.randn(c.random().nextLong(), y.shape()).castTo(y.dataType()));
    }

    @Override
    public void backward(OpContext c) {
    }
}

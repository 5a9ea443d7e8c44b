package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code y = x W + b} on the flattened input; {@code W} is [features, outputs], {@code b} optional (null). */
public final class LinearOp extends Op {
    final String w;
    final String b;
    final int features;
    final int outputs;

    public LinearOp(int in, int out, int features, int outputs, String w, String b) {
        super(out, in);
        this.features = features;
        this.outputs = outputs;
        this.w = w;
        this.b = b;
    }

    @Override
    public void forward(OpContext c) {
        int batch = c.batch();
        INDArray y = c.val(out).reshape(batch, outputs);
        Nd4j.gemm(c.val(in[0]).reshape(batch, features), c.weight(w), y, false, false, 1.0, 0.0);
        if (b != null) {
            y.addiRowVector(c.weight(b));
        }
    }

    @Override
    public void backward(OpContext c) {
        int batch = c.batch();
        INDArray dy = c.grad(out).reshape(batch, outputs);
        INDArray x = c.val(in[0]).reshape(batch, features);
        Nd4j.gemm(x, dy, c.weightGrad(w), true, false, 1.0, 0.0);
        if (b != null) {
            c.weightGrad(b).assign(dy.sum(0));
        }
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            Nd4j.gemm(dy, c.weight(w), gi.reshape(batch, features), false, true, 1.0, 0.0);
        }
    }
}

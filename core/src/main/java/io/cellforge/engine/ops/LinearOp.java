package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = x W + b} on the flattened input; {@code W} is [features, outputs], {@code b} optional (null). The input is
 * flattened in NCHW order whatever its slot's layout, so that the weights mean the same on every CPU and engine.
 */
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
        Nd4j.gemm(flat(c, c.val(in[0])), c.weight(w), y, false, false, 1.0, 0.0);
        if (b != null) {
            y.addiRowVector(c.weight(b));
        }
    }

    @Override
    public void backward(OpContext c) {
        int batch = c.batch();
        INDArray dy = c.grad(out).reshape(batch, outputs);
        INDArray x = flat(c, c.val(in[0]));
        Nd4j.gemm(x, dy, c.weightGrad(w), true, false, 1.0, 0.0);
        if (b != null) {
            c.weightGrad(b).assign(dy.sum(0));
        }
        INDArray gi = c.target(in[0]);
        if (gi == null) {
            return;
        }
        if (!reordered(c)) {
            Nd4j.gemm(dy, c.weight(w), gi.reshape(batch, features), false, true, 1.0, 0.0);
            return;
        }
        INDArray g = Nd4j.gemm(dy, c.weight(w), false, true);
        Shape s = c.shape(in[0]);
        int b = c.block();
        c.channels(in[0], gi, 0, s.channels()).assign(g.reshape('c', batch, s.channels() / b, b, s.height(), s.width())
                .permute(0, 1, 3, 4, 2));
    }

    /** Whether the input is blocked over more than one pixel, so that its flattening differs from NCHW's. */
    private boolean reordered(OpContext c) {
        Shape s = c.shape(in[0]);
        return c.blocked(in[0]) && s.height() * s.width() > 1;
    }

    /** The input as [batch, features] in NCHW order: a copy when blocked over several pixels, else a view. */
    private INDArray flat(OpContext c, INDArray x) {
        if (!reordered(c)) {
            return x.reshape(c.batch(), features);
        }
        Shape s = c.shape(in[0]);
        return c.channels(in[0], x, 0, s.channels()).permute(0, 1, 4, 2, 3).dup('c').reshape(c.batch(), features);
    }
}

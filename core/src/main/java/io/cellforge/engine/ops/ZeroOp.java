package io.cellforge.engine.ops;

/** An output of zeros; nothing flows back. */
public final class ZeroOp extends Op {
    public ZeroOp(int out) {
        super(out);
    }

    @Override
    public void forward(OpContext c) {
        c.val(out).assign(0);
    }

    @Override
    public void backward(OpContext c) {
    }
}

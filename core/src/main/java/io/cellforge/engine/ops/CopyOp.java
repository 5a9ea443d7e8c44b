package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Copies the input, shifted by {@code crop} pixels (ShiftCrop) or subsampled by {@code stride} (PadShortcut),
 * into channels from {@code channel0} of a zeroed output.
 */
public final class CopyOp extends Op {
    final int channel0;
    final int crop;
    final int stride;

    public CopyOp(int in, int out, int channel0, int crop, int stride) {
        super(out, in);
        this.channel0 = channel0;
        this.crop = crop;
        this.stride = stride;
    }

    private INDArray source(OpContext c, INDArray x) {
        Shape s = c.shape(in[0]);
        return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(crop, stride, s.height()),
                NDArrayIndex.interval(crop, stride, s.width()));
    }

    private INDArray place(OpContext c, INDArray y) {
        return y.get(NDArrayIndex.all(), NDArrayIndex.interval(channel0, channel0 + c.shape(in[0]).channels()),
                NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Override
    public void forward(OpContext c) {
        c.val(out).assign(0);
        place(c, c.val(out)).assign(source(c, c.val(in[0])));
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            gi.assign(0);
            source(c, gi).assign(place(c, c.grad(out)));
        }
    }
}

package io.cellforge.engine.ops;

import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Copies the input, shifted by {@code crop} pixels (ShiftCrop) or subsampled by {@code stride} (PadShortcut),
 * into channels from {@code channel0} of a zeroed output; block by block where both slots share a layout that
 * allows it, else channel by channel.
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

    private boolean byBlocks(OpContext c) {
        return c.blocked(in[0]) == c.blocked(out) && (!c.blocked(out) || channel0 % c.block() == 0);
    }

    /** The cropped or subsampled pixels of a view whose height and width are dims {@code h} and {@code h + 1}. */
    private INDArray source(OpContext c, INDArray v, int h) {
        Shape s = c.shape(in[0]);
        INDArrayIndex[] ix = new INDArrayIndex[v.rank()];
        for (int i = 0; i < ix.length; i++) {
            ix[i] = NDArrayIndex.all();
        }
        ix[h] = NDArrayIndex.interval(crop, stride, s.height());
        ix[h + 1] = NDArrayIndex.interval(crop, stride, s.width());
        return v.get(ix);
    }

    /** Copies the input's buffer {@code x} to or from its place in the output's {@code y}. */
    private void copy(OpContext c, INDArray x, INDArray y, boolean forward) {
        int n = c.shape(in[0]).channels();
        if (byBlocks(c)) {
            INDArray src = source(c, c.channels(in[0], x, 0, n), 2);
            INDArray dst = c.channels(out, y, channel0, channel0 + n);
            (forward ? dst : src).assign(forward ? src : dst);
            return;
        }
        for (int ch = 0; ch < n; ch++) {
            INDArray src = source(c, c.channel(in[0], x, ch), 1);
            INDArray dst = c.channel(out, y, channel0 + ch);
            (forward ? dst : src).assign(forward ? src : dst);
        }
    }

    @Override
    public void forward(OpContext c) {
        c.val(out).assign(0);
        copy(c, c.val(in[0]), c.val(out), true);
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null) {
            gi.assign(0);
            copy(c, gi, c.grad(out), false);
        }
    }
}

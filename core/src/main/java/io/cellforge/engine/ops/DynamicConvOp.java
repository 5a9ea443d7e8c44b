package io.cellforge.engine.ops;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A convolution of each sample with its own kernel: {@code in[0]} the feature map, {@code in[1]} the kernels the
 * weight generator's head made, [N, taps] laid out as the engine's kernels ([kH, kW, in, out]; depthwise
 * [kH, kW, in, 1]). One native convolution a sample, dense or depthwise, on NCHW copies of blocked slots; a dilated
 * kernel is spread out with zeros first, as the static convolutions' are (libnd4j's oneDNN build fails on dilation).
 * The backward pass gives d loss / d input and d loss / d kernels, which the head carries on into the generator.
 */
public final class DynamicConvOp extends Op {
    private final Layer.Conv conv;
    private final boolean depthwise;
    private final int[] args;
    /** The spread kernel of one sample, and its gradient (dilated kernels only; zeros between the taps stay). */
    private INDArray spread;
    private INDArray spreadGrad;

    public DynamicConvOp(int in, int kernels, int out, Layer.Conv conv) {
        super(out, in, kernels);
        this.conv = conv;
        this.depthwise = conv.groups() > 1;
        int d = conv.dilation();
        this.args = Kernels.convArgs((conv.kernelH() - 1) * d + 1, (conv.kernelW() - 1) * d + 1, conv.strideH(), conv.strideW(),
                conv.padH(), conv.padW());
    }

    @Override
    public void bind(OpContext c) {
        if (conv.dilation() > 1) {
            long[] s = {(long) (conv.kernelH() - 1) * conv.dilation() + 1, (long) (conv.kernelW() - 1) * conv.dilation() + 1,
                    conv.in(), depthwise ? 1 : conv.out()};
            spread = Nd4j.zeros(c.dataType(), s);
            spreadGrad = Nd4j.zeros(c.dataType(), s);
        }
    }

    @Override
    public void forward(OpContext c) {
        int n = c.batch();
        INDArray x = nchw(c, in[0], c.val(in[0]));
        INDArray w = kernels(c.val(in[1]), n);
        boolean direct = !c.blocked(out);
        INDArray y = direct ? c.val(out) : Nd4j.createUninitialized(c.dataType(), shape(c, out, n));
        for (int i = 0; i < n; i++) {
            Kernels.conv(depthwise, sample(x, i), spreadOut(w.get(sample(i, 5))), null, sample(y, i), args);
        }
        if (!direct) {
            toBlocked(c, out, y, c.val(out));
        }
    }

    @Override
    public void backward(OpContext c) {
        int n = c.batch();
        INDArray x = nchw(c, in[0], c.val(in[0]));
        INDArray w = kernels(c.val(in[1]), n);
        INDArray gy = nchw(c, out, c.grad(out));
        INDArray target = c.target(in[0]);
        boolean direct = target != null && !c.blocked(in[0]);
        INDArray gx = direct ? target : Nd4j.createUninitialized(c.dataType(), shape(c, in[0], n));
        INDArray gwTarget = c.target(in[1]);
        INDArray gw = gwTarget != null ? kernels(gwTarget, n) : Nd4j.createUninitialized(c.dataType(), w.shape());
        for (int i = 0; i < n; i++) {
            INDArray gwi = gw.get(sample(i, 5));
            INDArray wi = spreadOut(w.get(sample(i, 5)));
            Kernels.convBackward(depthwise, sample(x, i), wi, null, sample(gy, i), sample(gx, i), spread == null ? gwi : spreadGrad,
                    null, args);
            if (spread != null) {
                gather(spreadGrad, gwi);
            }
        }
        if (target != null && !direct) {
            toBlocked(c, in[0], gx, target);
        }
    }

    /** The [N, taps] kernels as [N, kH, kW, in, out] (a view). */
    private INDArray kernels(INDArray a, int n) {
        return a.reshape('c', n, conv.kernelH(), conv.kernelW(), conv.in(), depthwise ? 1 : conv.out());
    }

    /** One sample's kernel as the native call takes it: itself, or spread out over the dilation's holes. */
    private INDArray spreadOut(INDArray k) {
        if (spread == null) {
            return k;
        }
        int d = conv.dilation();
        for (int i = 0; i < conv.kernelH(); i++) {
            for (int j = 0; j < conv.kernelW(); j++) {
                spread.get(NDArrayIndex.point((long) i * d), NDArrayIndex.point((long) j * d), NDArrayIndex.all(), NDArrayIndex.all())
                        .assign(k.get(NDArrayIndex.point(i), NDArrayIndex.point(j), NDArrayIndex.all(), NDArrayIndex.all()));
            }
        }
        return spread;
    }

    /** The gradient of the taps from that of the spread kernel. */
    private void gather(INDArray from, INDArray into) {
        int d = conv.dilation();
        for (int i = 0; i < conv.kernelH(); i++) {
            for (int j = 0; j < conv.kernelW(); j++) {
                into.get(NDArrayIndex.point(i), NDArrayIndex.point(j), NDArrayIndex.all(), NDArrayIndex.all())
                        .assign(from.get(NDArrayIndex.point((long) i * d), NDArrayIndex.point((long) j * d), NDArrayIndex.all(),
                                NDArrayIndex.all()));
            }
        }
    }

    private static INDArrayIndex[] sample(int i, int rank) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        idx[0] = NDArrayIndex.point(i);
        for (int r = 1; r < rank; r++) {
            idx[r] = NDArrayIndex.all();
        }
        return idx;
    }

    /** Sample {@code i} of an NCHW array as [1, C, H, W] (a view). */
    private static INDArray sample(INDArray a, int i) {
        return a.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private static long[] shape(OpContext c, int slot, int n) {
        Shape s = c.shape(slot);
        return new long[] {n, s.channels(), s.height(), s.width()};
    }

    /** A buffer of the slot in NCHW: itself, or a copy of a blocked one. */
    private static INDArray nchw(OpContext c, int slot, INDArray buf) {
        if (!c.blocked(slot)) {
            return buf;
        }
        Shape s = c.shape(slot);
        return c.channels(slot, buf, 0, s.channels()).permute(0, 1, 4, 2, 3).dup('c').reshape('c', c.batch(), s.channels(),
                s.height(), s.width());
    }

    private static void toBlocked(OpContext c, int slot, INDArray nchw, INDArray buf) {
        Shape s = c.shape(slot);
        int b = c.block();
        c.channels(slot, buf, 0, s.channels()).assign(nchw.reshape('c', c.batch(), s.channels() / b, b, s.height(), s.width())
                .permute(0, 1, 3, 4, 2));
    }
}

package io.cellforge.engine.ops;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution of each sample with its own kernel: {@code in[0]} the feature map, {@code in[1]} the kernels the
 * weight generator's head made, [N, taps] laid out as PyTorch's {@code conv2d} weight ([out, in / groups, kH, kW],
 * the seed's {@code reshape_params}). One im2col of the batch and one batched matrix product a pass, dense or
 * depthwise (a batch of N x C one-channel products), on NCHW copies of blocked slots; dilation and stride are
 * im2col's. The backward pass gives d loss / d kernels (which the head carries on into the generator) and
 * d loss / d input through col2im.
 */
public final class DynamicConvOp extends Op {
    private final Layer.Conv conv;
    private final boolean depthwise;
    /** The columns of the input, [N, C, kH, kW, oH, oW], and their gradient: made per batch size. */
    private INDArray cols;
    private INDArray colsGrad;

    public DynamicConvOp(int in, int kernels, int out, Layer.Conv conv) {
        super(out, in, kernels);
        this.conv = conv;
        this.depthwise = conv.groups() > 1;
    }

    @Override
    public void bind(OpContext c) {
        Shape o = c.shape(out);
        long[] s = {c.batch(), conv.in(), conv.kernelH(), conv.kernelW(), o.height(), o.width()};
        cols = Nd4j.createUninitialized(c.dataType(), s);
        colsGrad = Nd4j.createUninitialized(c.dataType(), s);
    }

    @Override
    public void forward(OpContext c) {
        int n = c.batch();
        Convolution.im2col(nchw(c, in[0], c.val(in[0])), conv.kernelH(), conv.kernelW(), conv.strideH(), conv.strideW(),
                conv.padH(), conv.padW(), conv.dilation(), conv.dilation(), false, cols);
        boolean direct = !c.blocked(out);
        INDArray y = direct ? c.val(out) : Nd4j.createUninitialized(c.dataType(), shape(c, out, n));
        Nd4j.matmul(kernels(c.val(in[1]), n), columns(cols, n), products(y, n), false, false, false);
        if (!direct) {
            toBlocked(c, out, y, c.val(out));
        }
    }

    @Override
    public void backward(OpContext c) {
        int n = c.batch();
        INDArray gy = products(nchw(c, out, c.grad(out)), n);
        INDArray gw = c.target(in[1]);
        if (gw != null) {
            Nd4j.matmul(gy, columns(cols, n), kernels(gw, n), false, true, false);
        }
        INDArray target = c.target(in[0]);
        if (target == null) {
            return;
        }
        Nd4j.matmul(kernels(c.val(in[1]), n), gy, columns(colsGrad, n), true, false, false);
        Shape s = c.shape(in[0]);
        boolean direct = !c.blocked(in[0]);
        INDArray gx = direct ? target : Nd4j.createUninitialized(c.dataType(), shape(c, in[0], n));
        Convolution.col2im(colsGrad, gx, conv.strideH(), conv.strideW(), conv.padH(), conv.padW(), s.height(), s.width(),
                conv.dilation(), conv.dilation());
        if (!direct) {
            toBlocked(c, in[0], gx, target);
        }
    }

    /** The products a pass makes: N of [out, in kH kW], or N x C of [1, kH kW] for a depthwise kernel. */
    private long groups(int n) {
        return depthwise ? (long) n * conv.in() : n;
    }

    /** The [N, taps] kernels as the left factors (a view). */
    private INDArray kernels(INDArray a, int n) {
        return a.reshape('c', groups(n), depthwise ? 1 : conv.out(), taps());
    }

    /** The columns as the right factors, [groups, taps, oH oW] (a view). */
    private INDArray columns(INDArray a, int n) {
        return a.reshape('c', groups(n), taps(), a.size(4) * a.size(5));
    }

    /** An NCHW output (or its gradient) as the products, [groups, out or 1, oH oW] (a view). */
    private INDArray products(INDArray a, int n) {
        return a.reshape('c', groups(n), depthwise ? 1 : conv.out(), a.size(2) * a.size(3));
    }

    /** The values a kernel row multiplies: in kH kW, or kH kW for one channel of a depthwise kernel. */
    private long taps() {
        return (long) (depthwise ? 1 : conv.in()) * conv.kernelH() * conv.kernelW();
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

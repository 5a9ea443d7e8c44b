package io.cellforge.engine.ops;

import io.cellforge.ops.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution, dense or depthwise; a dilated one runs as an undilated convolution of its kernel spread out with
 * zeros (see the network's kernel initialisation), so {@code w} is already the spread kernel.
 */
public final class ConvOp extends Op {
    final boolean depthwise;
    final String w;
    final String b;
    final int[] args;
    final Layer.Conv conv;
    /** The CUDA build: the depthwise backward stays on the device (libnd4j's) instead of the Java kernel's. */
    final boolean device;

    public ConvOp(int in, int out, boolean depthwise, String w, String b, Layer.Conv conv, boolean device) {
        super(out, in);
        this.device = device;
        this.depthwise = depthwise;
        this.w = w;
        this.b = b;
        int d = conv.dilation();
        this.args = Kernels.convArgs((conv.kernelH() - 1) * d + 1, (conv.kernelW() - 1) * d + 1, conv.strideH(), conv.strideW(),
                conv.padH(), conv.padW());
        this.conv = conv;
    }

    @Override
    public void forward(OpContext c) {
        Kernels.conv(depthwise, c.val(in[0]), c.weight(w), b == null ? null : c.weight(b), c.val(out), args);
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        // libnd4j's depthwise backward is fast for 3x3 kernels only.
        if (device && depthwise && b == null && conv.out() == conv.in()) {
            NativeKernels.depthwiseBackward(c.val(in[0]), c.weight(w), c.grad(out), gi, c.weightGrad(w), conv.kernelH(), conv.kernelW(),
                    conv.dilation(), conv.strideH(), conv.strideW(), conv.padH(), conv.padW());
            return;
        }
        if (depthwise && b == null && conv.out() == conv.in() && (conv.kernelH() > 3 || conv.dilation() > 1)) {
            Kernels.depthwiseBackward(c.val(in[0]), c.weight(w), c.grad(out), gi, c.weightGrad(w), conv.kernelH(), conv.kernelW(),
                    conv.dilation(), conv.strideH(), conv.strideW(), conv.padH(), conv.padW());
            return;
        }
        if (gi == null) {
            gi = c.scratch(in[0]); // the kernel computes it anyway; nobody reads it
        }
        Kernels.convBackward(depthwise, c.val(in[0]), c.weight(w), b == null ? null : c.weight(b), c.grad(out), gi,
                c.weightGrad(w), b == null ? null : c.weightGrad(b), args);
    }
}

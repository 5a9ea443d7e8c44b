package io.cellforge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The native kernels the engine calls, each writing into arrays the caller owns: allocating fresh arrays every
 * step is what made the SameDiff executor slow and memory-hungry. Tensors are NCHW; kernels [kH, kW, in, out].
 */
final class Kernels {
    private Kernels() {
    }

    /** libnd4j's integer arguments of a 2-D convolution in NCHW with explicit padding and [kH, kW, in, out] weights. */
    static int[] convArgs(int kh, int kw, int sh, int sw, int ph, int pw) {
        return new int[] {kh, kw, sh, sw, ph, pw, 1, 1, 0, 0, 0};
    }

    static void conv(boolean depthwise, INDArray x, INDArray w, INDArray b, INDArray out, int[] args) {
        INDArray[] in = b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b};
        Nd4j.exec(DynamicCustomOp.builder(depthwise ? "depthwise_conv2d" : "conv2d").addInputs(in).addOutputs(out)
                .addIntegerArguments(args).build());
    }

    static void convBackward(boolean depthwise, INDArray x, INDArray w, INDArray b, INDArray gradOut, INDArray gradIn,
                             INDArray gradW, INDArray gradB, int[] args) {
        // The builder checks the count of each addInputs call: all inputs in one call.
        INDArray[] in = b == null ? new INDArray[] {x, w, gradOut} : new INDArray[] {x, w, b, gradOut};
        INDArray[] out = b == null ? new INDArray[] {gradIn, gradW} : new INDArray[] {gradIn, gradW, gradB};
        Nd4j.exec(DynamicCustomOp.builder(depthwise ? "depthwise_conv2d_bp" : "conv2d_bp").addInputs(in).addOutputs(out)
                .addIntegerArguments(args).build());
    }

    /** libnd4j's pooling arguments; {@code includePad} divides averages by the whole window (PyTorch's default). */
    static int[] poolArgs(int k, int s, int p, boolean includePad) {
        return new int[] {k, k, s, s, p, p, 1, 1, 0, includePad ? 1 : 0, 0};
    }

    static void pool(boolean max, INDArray x, INDArray out, int[] args) {
        Nd4j.exec(DynamicCustomOp.builder(max ? "maxpool2d" : "avgpool2d").addInputs(x).addOutputs(out)
                .addIntegerArguments(args).build());
    }

    static void poolBackward(boolean max, INDArray x, INDArray gradOut, INDArray gradIn, int[] args) {
        Nd4j.exec(DynamicCustomOp.builder(max ? "maxpool2d_bp" : "avgpool2d_bp").addInputs(x, gradOut).addOutputs(gradIn)
                .addIntegerArguments(args).build());
    }

    /** {@code out = max(x, 0)}, or {@code min(max(x, 0), 6)} for ReLU6. */
    static void relu(INDArray x, INDArray out, boolean six) {
        Nd4j.exec(DynamicCustomOp.builder(six ? "relu6" : "relu").addInputs(x).addOutputs(out)
                .addFloatingPointArguments(0.0).build());
    }

    static void reluBackward(INDArray x, INDArray gradOut, INDArray gradIn, boolean six) {
        Nd4j.exec(DynamicCustomOp.builder(six ? "relu6_bp" : "relu_bp").addInputs(x, gradOut).addOutputs(gradIn)
                .addFloatingPointArguments(0.0).build());
    }

    /** {@code out = x (op) v} with v of shape [C] broadcast over the channels of NCHW x. */
    static void channelSub(INDArray x, INDArray v, INDArray out) {
        Nd4j.exec(new BroadcastSubOp(x, v, out, 1));
    }

    static void channelMul(INDArray x, INDArray v, INDArray out) {
        Nd4j.exec(new BroadcastMulOp(x, v, out, 1));
    }

    static void channelAdd(INDArray x, INDArray v, INDArray out) {
        Nd4j.exec(new BroadcastAddOp(x, v, out, 1));
    }

    static void mul(INDArray a, INDArray b, INDArray out) {
        Nd4j.exec(new MulOp(a, b, out));
    }

    /** {@code y += a x} over whole arrays of the same shape (BLAS axpy, no temporary). */
    static void axpy(double a, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length(), a, x, y);
    }

    static double dot(INDArray a, INDArray b) {
        return Nd4j.getBlasWrapper().dot(a, b);
    }
}

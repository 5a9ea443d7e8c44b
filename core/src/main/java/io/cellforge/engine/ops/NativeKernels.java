package io.cellforge.engine.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernels of {@link Kernels} that are written in Java (BatchNorm, depthwise backward), made of libnd4j ops
 * alone, for a device backend: every op here has a CUDA implementation in libnd4j (cuDNN's helpers only in the
 * {@code linux-x86_64-cudnn} build of nd4j-cuda, which the cuda profile does not take), and no array is read or
 * written from Java, so on nd4j-cuda nothing moves between the device and the host. The per-channel statistics
 * are [C] arrays that stay with the tensors; nothing here calls {@code toDoubleVector}.
 * Tensors are NCHW, kernels [kH, kW, in, out], as in {@link Kernels}.
 */
final class NativeKernels {
    /** libnd4j's BatchNorm normalises over every axis but this one (the channels of NCHW). */
    private static final int CHANNEL_AXIS = 1;
    private static final Map<String, INDArray> CONSTANTS = new ConcurrentHashMap<>();

    private NativeKernels() {
    }

    /**
     * BatchNorm forward over NCHW x: {@code y = gamma (x - mean) / sqrt(var + eps) + beta}, without the affine part
     * when {@code gamma} and {@code beta} are null. With {@code batchStats} the mean and biased variance of each
     * channel are computed into the [C] arrays {@code mean} and {@code var}; otherwise they are read from there.
     * Unlike {@link Kernels#batchNorm} it keeps neither the normalised input nor rstd: {@link #batchNormBackward}
     * works from the input and the statistics.
     */
    static void batchNorm(INDArray x, INDArray y, INDArray mean, INDArray var, boolean batchStats, INDArray gamma, INDArray beta,
                          double eps) {
        if (batchStats) {
            // one pass for both, the variance biased (as the forward of PyTorch's BatchNorm uses it)
            Nd4j.exec(DynamicCustomOp.builder("moments").addInputs(x).addOutputs(mean, var)
                    .addIntegerArguments(0, 2, 3).addFloatingPointArguments(0.0).build());
        }
        boolean affine = gamma != null;
        INDArray[] in = affine ? new INDArray[] {x, mean, var, gamma, beta} : new INDArray[] {x, mean, var};
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(in).addOutputs(y)
                .addIntegerArguments(affine ? 1 : 0, affine ? 1 : 0, CHANNEL_AXIS).addFloatingPointArguments(eps).build());
    }

    /**
     * BatchNorm backward with batch statistics ({@code mean}, {@code var} as {@link #batchNorm} computed them from
     * {@code x}): {@code dx = gamma rstd (dy - mean(dy) - xhat mean(dy xhat))}, and {@code dgamma = sum(dy xhat)},
     * {@code dbeta = sum(dy)} when given. libnd4j computes dx in any case: a caller that wants only the affine
     * gradients passes a scratch array of x's shape, or null to have one allocated (on the device) per call.
     */
    static void batchNormBackward(INDArray x, INDArray dy, INDArray mean, INDArray var, INDArray gamma, INDArray beta, INDArray dx,
                                  INDArray dgamma, INDArray dbeta, double eps) {
        if (dx == null) {
            dx = Nd4j.createUninitialized(dy.dataType(), dy.shape());
        }
        // libnd4j's oneDNN batchnorm_bp crashes without gamma and beta (1.0.0-M2.1, float): gamma = 1 and beta = 0
        // are the same function, and the affine gradients nobody wants go to scratch.
        gamma = gamma != null ? gamma : constant(dy.dataType(), mean.length(), 1);
        beta = beta != null ? beta : constant(dy.dataType(), mean.length(), 0);
        dgamma = dgamma != null ? dgamma : Nd4j.createUninitialized(mean.dataType(), mean.shape());
        dbeta = dbeta != null ? dbeta : Nd4j.createUninitialized(mean.dataType(), mean.shape());
        // The gradients by the mean and variance inputs are outputs of the op too; nobody reads them.
        INDArray dMean = Nd4j.createUninitialized(mean.dataType(), mean.shape());
        INDArray dVar = Nd4j.createUninitialized(var.dataType(), var.shape());
        Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp").addInputs(x, mean, var, gamma, beta, dy)
                .addOutputs(dx, dMean, dVar, dgamma, dbeta).addIntegerArguments(1, 1, CHANNEL_AXIS).addFloatingPointArguments(eps)
                .build());
    }

    /** A [n] array of one value, made once per type, length and value (only ever read). */
    private static INDArray constant(DataType t, long n, double v) {
        return CONSTANTS.computeIfAbsent(t + " " + n + " " + v, k -> Nd4j.valueArrayOf(new long[] {n}, v, t));
    }

    /**
     * The running statistics, on the device: {@code running = (1 - momentum) running + momentum batch}, the batch
     * variance times {@code unbias} (PyTorch keeps the unbiased one). The same update as BatchNormOp's on the host.
     */
    static void updateRunning(INDArray runMean, INDArray runVar, INDArray mean, INDArray var, double momentum, double unbias) {
        runMean.muli(1 - momentum);
        Nd4j.getBlasWrapper().level1().axpy(mean.length(), momentum, mean, runMean);
        runVar.muli(1 - momentum);
        Nd4j.getBlasWrapper().level1().axpy(var.length(), momentum * unbias, var, runVar);
    }

    /**
     * Depthwise convolution backward (channel multiplier 1, no bias) over NCHW, with {@link Kernels#depthwiseBackward}'s
     * arguments: {@code w} is the kernel as stored, spread out by zeros when dilated, and libnd4j's
     * {@code depthwise_conv2d_bp} runs an undilated convolution of it. {@code gradW} then also holds gradients for
     * the fixed zeros between the taps, which the network's gradient mask zeroes as it does for every dilated
     * kernel; at the taps it equals the Java kernel's. {@code gradIn} null: computed into an array allocated (on the
     * device) per call, since libnd4j always computes it.
     */
    static void depthwiseBackward(INDArray x, INDArray w, INDArray gradOut, INDArray gradIn, INDArray gradW, int kh, int kw, int d,
                                  int sh, int sw, int ph, int pw) {
        if (gradIn == null) {
            gradIn = Nd4j.createUninitialized(x.dataType(), x.shape());
        }
        int[] args = {(kh - 1) * d + 1, (kw - 1) * d + 1, sh, sw, ph, pw, 1, 1, 0, 0, 0}; // NCHW, explicit padding
        Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d_bp").addInputs(x, w, gradOut).addOutputs(gradIn, gradW)
                .addIntegerArguments(args).build());
    }
}

package io.cellforge.engine.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm made of libnd4j ops alone ({@link NativeKernels}), for the CUDA build: the statistics are [C] arrays
 * that stay on the device with the tensors, and the running averages are updated there, so no step moves a tensor
 * to the host. The backward pass works from the input and the statistics; no normalised copy is kept.
 */
public final class DeviceBatchNormOp extends BatchNormOp {
    private final INDArray batchMean;
    private final INDArray batchVar;

    public DeviceBatchNormOp(int in, int out, int channels, String gamma, String beta, boolean runningStats, DataType dtype) {
        super(in, out, channels, gamma, beta, runningStats, dtype);
        batchMean = Nd4j.zeros(dtype, channels);
        batchVar = Nd4j.ones(dtype, channels);
    }

    @Override
    public void bind(OpContext c) {
        // no normalised copy to keep: the backward pass works from the input and the statistics
    }

    @Override
    public void forward(OpContext c) {
        boolean batchStats = c.training() || runMean == null;
        NativeKernels.batchNorm(c.val(in[0]), c.val(out), batchStats ? batchMean : runMean, batchStats ? batchVar : runVar, batchStats,
                affine ? c.weight(gamma) : null, affine ? c.weight(beta) : null, EPS);
    }

    @Override
    public void updateRunning(OpContext c) {
        if (!c.live(out)) {
            return;
        }
        NativeKernels.updateRunning(runMean, runVar, batchMean, batchVar, MOMENTUM, unbias(c));
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = inputGradient(c);
        if (gi == null) {
            return;
        }
        NativeKernels.batchNormBackward(c.val(in[0]), c.grad(out), batchMean, batchVar, affine ? c.weight(gamma) : null,
                affine ? c.weight(beta) : null, gi, affine ? c.weightGrad(gamma) : null, affine ? c.weightGrad(beta) : null, EPS);
    }
}

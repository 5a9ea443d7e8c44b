package io.cellforge.engine.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BatchNorm over the channels, with a learnt affine part when {@code gamma} and {@code beta} are given. Training
 * passes normalise with batch statistics; with running statistics kept, evaluation passes use those.
 */
public class BatchNormOp extends Op {
    public static final double EPS = 1e-5;
    /** PyTorch's BatchNorm momentum for the running averages. */
    public static final double MOMENTUM = 0.1;

    final boolean affine;
    final String gamma;
    final String beta;
    final INDArray runMean;
    final INDArray runVar;
    final double[] mean;
    final double[] var;
    double[] rstd;
    /** The normalised input, kept for the backward pass (the output itself when there is no affine part). */
    INDArray xhat;

    /** {@code gamma} and {@code beta}: the names of the affine weights, both null without an affine part. */
    public BatchNormOp(int in, int out, int channels, String gamma, String beta, boolean runningStats, DataType dtype) {
        super(out, in);
        affine = gamma != null;
        this.gamma = gamma;
        this.beta = beta;
        mean = new double[channels];
        var = new double[channels];
        if (runningStats) {
            runMean = Nd4j.zeros(dtype, channels);
            runVar = Nd4j.ones(dtype, channels);
        } else {
            runMean = null;
            runVar = null;
        }
    }

    private INDArray scratchIn;

    /**
     * Where a backward pass writes d loss / d input: the input's target, or, when no gradient is wanted there but the
     * affine ones are (a weight step), a buffer of this op's own (the native kernels compute both at once); null when
     * neither is.
     */
    INDArray inputGradient(OpContext c) {
        INDArray gi = c.target(in[0]);
        if (gi != null || !affine || !c.weightGradsWanted()) {
            return gi;
        }
        if (scratchIn == null || !java.util.Arrays.equals(scratchIn.shape(), c.val(in[0]).shape())) {
            scratchIn = c.val(in[0]).ulike();
        }
        return scratchIn;
    }

    /** The running mean evaluation normalises with (live; null unless running statistics are kept). */
    public INDArray runningMean() {
        return runMean;
    }

    /** The running (unbiased) variance evaluation normalises with (live; null unless running statistics are kept). */
    public INDArray runningVar() {
        return runVar;
    }

    /** Whether {@link #updateRunning} must follow each training pass. */
    public boolean keepsRunningStats() {
        return runMean != null;
    }

    @Override
    public void bind(OpContext c) {
        xhat = affine ? Nd4j.createUninitialized(c.dataType(), c.val(out).shape()) : c.val(out);
    }

    @Override
    public void forward(OpContext c) {
        boolean batchStats = c.training() || runMean == null;
        double[] m = batchStats ? mean : runMean.toDoubleVector();
        double[] v = batchStats ? var : runVar.toDoubleVector();
        rstd = Kernels.batchNorm(c.val(in[0]), xhat, c.val(out), m, v, batchStats,
                affine ? c.weight(gamma).toDoubleVector() : null, affine ? c.weight(beta).toDoubleVector() : null, EPS);
    }

    /** n / (n - 1) over the values each channel's batch statistics were taken from: the running variance is unbiased. */
    double unbias(OpContext c) {
        long n = (long) c.batch() * c.shape(out).height() * c.shape(out).width();
        return n > 1 ? (double) n / (n - 1) : 1;
    }

    /** running = 0.9 running + 0.1 batch, the variance unbiased, as PyTorch keeps it. */
    public void updateRunning(OpContext c) {
        if (!c.live(out)) {
            return;
        }
        double unbias = unbias(c);
        double[] rm = runMean.toDoubleVector();
        double[] rv = runVar.toDoubleVector();
        for (int i = 0; i < rm.length; i++) {
            rm[i] = (1 - MOMENTUM) * rm[i] + MOMENTUM * mean[i];
            rv[i] = (1 - MOMENTUM) * rv[i] + MOMENTUM * unbias * var[i];
        }
        runMean.assign(c.vector(rm));
        runVar.assign(c.vector(rv));
    }

    @Override
    public void backward(OpContext c) {
        INDArray gi = c.target(in[0]);
        double[] dgamma = affine ? new double[mean.length] : null;
        double[] dbeta = affine ? new double[mean.length] : null;
        Kernels.batchNormBackward(c.grad(out), xhat, rstd, affine ? c.weight(gamma).toDoubleVector() : null, gi, dgamma, dbeta);
        if (affine) {
            c.weightGrad(gamma).assign(c.vector(dgamma));
            c.weightGrad(beta).assign(c.vector(dbeta));
        }
    }
}

package io.cellforge.engine.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
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

    /** {@code y += a x} over whole arrays of the same shape (BLAS axpy, no temporary). */
    static void axpy(double a, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length(), a, x, y);
    }

    static double dot(INDArray a, INDArray b) {
        return Nd4j.getBlasWrapper().dot(a, b);
    }

    /** How many tasks the Java kernels run at once: the common pool's workers and the caller, 1 when serial. */
    static int parallelism() {
        return Boolean.getBoolean("cellforge.kernels.serial") ? 1 : java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
    }

    /** Channels to process, in parallel unless cellforge.kernels.serial is set (for measuring). */
    static java.util.stream.IntStream channels(int c) {
        java.util.stream.IntStream s = java.util.stream.IntStream.range(0, c);
        return Boolean.getBoolean("cellforge.kernels.serial") ? s : s.parallel();
    }

    /** Bulk access to an array's whole buffer (C order, no offset), float or double, without copying it whole. */
    private interface Buf {
        void read(int offset, double[] dst, int n);

        void write(int offset, double[] src, int n);
    }

    /**
     * The array's host copy for Java code; on CUDA this moves the data to the host first and, for an array Java
     * writes, marks it as changed there (on the CPU backend both are no-ops).
     */
    private static Buf buf(INDArray a, boolean writes) {
        Nd4j.getAffinityManager().ensureLocation(a, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
        if (writes) {
            Nd4j.getAffinityManager().tagLocation(a, org.nd4j.linalg.api.concurrency.AffinityManager.Location.HOST);
        }
        if (a.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            java.nio.FloatBuffer f = a.data().asNioFloat();
            return new Buf() {
                // One scratch row per thread: rows are a channel's pixels of one image.
                private final ThreadLocal<float[]> row = ThreadLocal.withInitial(() -> new float[0]);

                private float[] row(int n) {
                    float[] r = row.get();
                    if (r.length < n) {
                        r = new float[n];
                        row.set(r);
                    }
                    return r;
                }

                public void read(int offset, double[] dst, int n) {
                    float[] r = row(n);
                    f.get(offset, r, 0, n);
                    for (int i = 0; i < n; i++) {
                        dst[i] = r[i];
                    }
                }

                public void write(int offset, double[] src, int n) {
                    float[] r = row(n);
                    for (int i = 0; i < n; i++) {
                        r[i] = (float) src[i];
                    }
                    f.put(offset, r, 0, n);
                }
            };
        }
        java.nio.DoubleBuffer d = a.data().asNioDouble();
        return new Buf() {
            public void read(int offset, double[] dst, int n) {
                d.get(offset, dst, 0, n);
            }

            public void write(int offset, double[] src, int n) {
                d.put(offset, src, 0, n);
            }
        };
    }

    /**
     * BatchNorm forward over NCHW x, fused: {@code xhat = (x - mean) rstd}, {@code y = gamma xhat + beta} (y may be
     * xhat). With {@code batchStats} the mean and biased variance of each channel are computed into
     * {@code mean}/{@code var}; otherwise they are read from there. Returns rstd per channel. Each channel is one
     * pass to sum and one to write, row by row; ND4J's reductions and broadcasts took twice as long.
     */
    static double[] batchNorm(INDArray x, INDArray xhat, INDArray y, double[] mean, double[] var, boolean batchStats,
                              double[] gamma, double[] beta, double eps) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int hw = (int) (x.size(2) * x.size(3));
        Buf bx = buf(x, false);
        Buf bh = buf(xhat, true);
        Buf by = y == xhat ? null : buf(y, true);
        double[] rstd = new double[c];
        channels(c).forEach(ch -> {
            double[] v = new double[hw];
            if (batchStats) {
                double sum = 0;
                double sq = 0;
                for (int b = 0; b < n; b++) {
                    bx.read((b * c + ch) * hw, v, hw);
                    for (int i = 0; i < hw; i++) {
                        sum += v[i];
                        sq += v[i] * v[i];
                    }
                }
                double m = sum / ((double) n * hw);
                mean[ch] = m;
                var[ch] = Math.max(0, sq / ((double) n * hw) - m * m);
            }
            double r = 1 / Math.sqrt(var[ch] + eps);
            rstd[ch] = r;
            double m = mean[ch];
            double g = gamma == null ? 1 : gamma[ch];
            double bb = beta == null ? 0 : beta[ch];
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                bx.read(o, v, hw);
                for (int i = 0; i < hw; i++) {
                    v[i] = (v[i] - m) * r;
                }
                bh.write(o, v, hw);
                if (by != null) {
                    for (int i = 0; i < hw; i++) {
                        v[i] = g * v[i] + bb;
                    }
                    by.write(o, v, hw);
                }
            }
        });
        return rstd;
    }

    /**
     * BatchNorm backward with batch statistics: {@code dx = gamma rstd (dy - mean(dy) - xhat mean(dy xhat))}; fills
     * dgamma and dbeta when given. {@code dx} may be null (only the affine gradients wanted).
     */
    static void batchNormBackward(INDArray dy, INDArray xhat, double[] rstd, double[] gamma, INDArray dx, double[] dgamma,
                                  double[] dbeta) {
        int n = (int) dy.size(0);
        int c = (int) dy.size(1);
        int hw = (int) (dy.size(2) * dy.size(3));
        Buf bd = buf(dy, false);
        Buf bh = buf(xhat, false);
        Buf bx = dx == null ? null : buf(dx, true);
        channels(c).forEach(ch -> {
            double[] d = new double[hw];
            double[] h = new double[hw];
            double sum = 0;
            double dot = 0;
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                bd.read(o, d, hw);
                bh.read(o, h, hw);
                for (int i = 0; i < hw; i++) {
                    sum += d[i];
                    dot += d[i] * h[i];
                }
            }
            if (dgamma != null) {
                dgamma[ch] = dot;
                dbeta[ch] = sum;
            }
            if (bx == null) {
                return;
            }
            double count = (double) n * hw;
            double m1 = sum / count;
            double m2 = dot / count;
            double k = (gamma == null ? 1 : gamma[ch]) * rstd[ch];
            for (int b = 0; b < n; b++) {
                int o = (b * c + ch) * hw;
                bd.read(o, d, hw);
                bh.read(o, h, hw);
                for (int i = 0; i < hw; i++) {
                    d[i] = k * (d[i] - m1 - h[i] * m2);
                }
                bx.write(o, d, hw);
            }
        });
    }

    /**
     * Depthwise convolution backward (channel multiplier 1) over NCHW: the input gradient (when {@code gradIn} is
     * not null) and the kernel gradient, visiting only the real taps of a dilated kernel stored spread out.
     * libnd4j's own took 11 ms for a 5x5 kernel on 32x16x32x32 and 18 ms for the spread 9x9 of a dilated 5x5,
     * four times what a full 16-to-16 5x5 convolution's backward costs.
     */
    static void depthwiseBackward(INDArray x, INDArray w, INDArray gradOut, INDArray gradIn, INDArray gradW, int kh, int kw,
                                  int d, int sh, int sw, int ph, int pw) {
        int n = (int) x.size(0);
        int c = (int) x.size(1);
        int h = (int) x.size(2);
        int wd = (int) x.size(3);
        int oh = (int) gradOut.size(2);
        int ow = (int) gradOut.size(3);
        int spreadW = (int) w.size(1);
        double[] wv = w.reshape(w.length()).toDoubleVector();
        double[] gw = new double[wv.length];
        Buf bx = buf(x, false);
        Buf by = buf(gradOut, false);
        Buf bi = gradIn == null ? null : buf(gradIn, true);
        channels(c).forEach(ch -> {
            double[] xp = new double[h * wd];
            double[] yp = new double[oh * ow];
            double[] ip = new double[h * wd];
            double[] taps = new double[kh * kw];
            for (int b = 0; b < n; b++) {
                bx.read((b * c + ch) * h * wd, xp, h * wd);
                by.read((b * c + ch) * oh * ow, yp, oh * ow);
                java.util.Arrays.fill(ip, 0);
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        double wt = wv[((i * d) * spreadW + j * d) * c + ch];
                        int dy = i * d - ph;
                        int dx = j * d - pw;
                        int ox0 = dx >= 0 ? 0 : (-dx + sw - 1) / sw;
                        int ox1 = wd - 1 - dx < 0 ? 0 : Math.min(ow, (wd - 1 - dx) / sw + 1);
                        double acc = 0;
                        for (int oy = 0; oy < oh; oy++) {
                            int iy = oy * sh + dy;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            int yo = oy * ow;
                            int xo = iy * wd + dx;
                            if (sw == 1) {
                                for (int ox = ox0; ox < ox1; ox++) {
                                    double g = yp[yo + ox];
                                    acc += g * xp[xo + ox];
                                    ip[xo + ox] += wt * g;
                                }
                            } else {
                                for (int ox = ox0; ox < ox1; ox++) {
                                    double g = yp[yo + ox];
                                    int ix = xo + ox * sw;
                                    acc += g * xp[ix];
                                    ip[ix] += wt * g;
                                }
                            }
                        }
                        taps[i * kw + j] += acc;
                    }
                }
                if (bi != null) {
                    bi.write((b * c + ch) * h * wd, ip, h * wd);
                }
            }
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    gw[((i * d) * spreadW + j * d) * c + ch] = taps[i * kw + j]; // each channel its own entries
                }
            }
        });
        gradW.assign(Nd4j.createFromArray(gw).reshape(gradW.shape()).castTo(gradW.dataType()));
    }
}

package io.cellforge.engine.ops;

import io.cellforge.engine.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device kernels ({@link NativeKernels}, libnd4j ops only) compute what the Java kernels ({@link Kernels})
 * compute: to 1e-9 in double and 1e-4 in float, relative to the largest magnitude of the reference array; and their
 * gradients agree with central finite differences. Run on the CPU backend, where both exist.
 */
class NativeKernelsTest {
    private static final double EPS = BatchNormOp.EPS;
    /**
     * libnd4j 1.0.0-M2.1's batchnorm_bp takes 1/N and epsilon in single precision, also for double arrays: its dx
     * is off by a constant 3.4e-9 (relative) at N = 168 values a channel, whatever the scale of x and epsilon, and
     * by 3e-11 at N = 32, where 1/N is exact in float. Float, the device's type, is not affected.
     */
    private static final double BATCHNORM_BP_DOUBLE = 1e-8;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @Test
    void theCpuBackendIsNoDeviceAndSaysSo() {
        assertTrue(!Backend.onDevice(), "the CPU build keeps the Java kernels");
        assertTrue(Backend.init().startsWith("Cpu (nd4j "), Backend.init());
    }

    @Test
    void batchNormWithBatchStatisticsMatchesTheJavaKernelForwardAndBackward() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (boolean affine : new boolean[] {true, false}) {
                Random r = new Random(affine ? 1 : 2);
                int n = 4;
                int c = 5;
                INDArray x = random(r, t, 1.5, 0.7, n, c, 6, 7);
                INDArray gamma = affine ? random(r, t, 1, 0.3, c) : null;
                INDArray beta = affine ? random(r, t, 0, 0.5, c) : null;
                INDArray dy = random(r, t, 0, 1, n, c, 6, 7);
                String where = t + (affine ? " affine" : " affine-free");

                INDArray xhat = Nd4j.create(t, x.shape());
                INDArray y = affine ? Nd4j.create(t, x.shape()) : xhat;
                double[] mean = new double[c];
                double[] var = new double[c];
                double[] rstd = Kernels.batchNorm(x, xhat, y, mean, var, true, host(gamma), host(beta), EPS);
                INDArray dx = Nd4j.create(t, x.shape());
                double[] dgamma = affine ? new double[c] : null;
                double[] dbeta = affine ? new double[c] : null;
                Kernels.batchNormBackward(dy, xhat, rstd, host(gamma), dx, dgamma, dbeta);

                INDArray yN = Nd4j.create(t, x.shape());
                INDArray meanN = Nd4j.create(t, c);
                INDArray varN = Nd4j.create(t, c);
                NativeKernels.batchNorm(x, yN, meanN, varN, true, gamma, beta, EPS);
                INDArray dxN = Nd4j.create(t, x.shape());
                INDArray dgammaN = affine ? Nd4j.create(t, c) : null;
                INDArray dbetaN = affine ? Nd4j.create(t, c) : null;
                NativeKernels.batchNormBackward(x, dy, meanN, varN, gamma, beta, dxN, dgammaN, dbetaN, EPS);

                double tol = tolerance(t);
                assertClose(y, yN, tol, where + " y");
                assertClose(vector(mean), meanN, tol, where + " mean");
                assertClose(vector(var), varN, tol, where + " variance");
                assertClose(dx, dxN, t == DataType.DOUBLE ? BATCHNORM_BP_DOUBLE : tol, where + " dx");
                if (affine) {
                    assertClose(vector(dgamma), dgammaN, tol, where + " dgamma");
                    assertClose(vector(dbeta), dbetaN, tol, where + " dbeta");
                }
            }
        }
    }

    @Test
    void batchNormWithGivenStatisticsMatchesTheJavaKernelAndLeavesThemAlone() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (boolean affine : new boolean[] {true, false}) {
                Random r = new Random(affine ? 3 : 4);
                int c = 3;
                INDArray x = random(r, t, 0.5, 2, 2, c, 5, 4);
                INDArray gamma = affine ? random(r, t, 1, 0.3, c) : null;
                INDArray beta = affine ? random(r, t, 0, 0.5, c) : null;
                INDArray mean = random(r, t, 0.3, 1, c);
                INDArray var = Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.same.Abs(random(r, t, 0, 2, c)))
                        .addi(0.1);
                INDArray mean0 = mean.dup();
                INDArray var0 = var.dup();

                INDArray xhat = Nd4j.create(t, x.shape());
                INDArray y = affine ? Nd4j.create(t, x.shape()) : xhat;
                Kernels.batchNorm(x, xhat, y, host(mean), host(var), false, host(gamma), host(beta), EPS);
                INDArray yN = Nd4j.create(t, x.shape());
                NativeKernels.batchNorm(x, yN, mean, var, false, gamma, beta, EPS);

                String where = t + (affine ? " affine" : " affine-free");
                assertClose(y, yN, tolerance(t), where + " y");
                assertEquals(mean0, mean, where + ": the given mean is read, not written");
                assertEquals(var0, var, where + ": the given variance is read, not written");
            }
        }
    }

    @Test
    void runningStatisticsUpdateOnTheDeviceAsOnTheHost() {
        INDArray run = Nd4j.createFromArray(0.0, 1.0, 2.0);
        INDArray runVar = Nd4j.createFromArray(1.0, 1.0, 4.0);
        NativeKernels.updateRunning(run, runVar, Nd4j.createFromArray(1.0, 1.0, 1.0), Nd4j.createFromArray(2.0, 0.0, 4.0), 0.1, 1.5);
        assertClose(Nd4j.createFromArray(0.1, 1.0, 1.9), run, 1e-15, "running mean");
        assertClose(Nd4j.createFromArray(1.2, 0.9, 4.2), runVar, 1e-15, "running variance");
    }

    @Test
    void depthwiseBackwardMatchesTheJavaKernelForEveryKernelSizeDilationAndStride() {
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (int[] kd : new int[][] {{3, 1}, {5, 1}, {3, 2}, {5, 2}}) {
                for (int s : new int[] {1, 2}) {
                    int k = kd[0];
                    int d = kd[1];
                    Random r = new Random(31L * k + 7L * d + s);
                    int n = 2;
                    int c = 4;
                    int h = 11;
                    int p = d * (k - 1) / 2; // DARTS's padding: the output keeps the size (stride 1)
                    int spread = (k - 1) * d + 1;
                    int o = (h + 2 * p - spread) / s + 1;
                    INDArray x = random(r, t, 0, 1, n, c, h, h);
                    INDArray mask = tapMask(t, k, d, c);
                    INDArray w = random(r, t, 0, 0.5, spread, spread, c, 1).muli(mask);
                    INDArray gy = random(r, t, 0, 1, n, c, o, o);
                    String where = t + " " + k + "x" + k + " dilation " + d + " stride " + s;

                    INDArray gi = Nd4j.create(t, x.shape());
                    INDArray gw = Nd4j.create(t, w.shape());
                    Kernels.depthwiseBackward(x, w, gy, gi, gw, k, k, d, s, s, p, p);
                    INDArray giN = Nd4j.create(t, x.shape());
                    INDArray gwN = Nd4j.create(t, w.shape());
                    NativeKernels.depthwiseBackward(x, w, gy, giN, gwN, k, k, d, s, s, p, p);

                    double tol = tolerance(t);
                    assertClose(gi, giN, tol, where + " input gradient");
                    assertClose(gw, gwN.mul(mask), tol, where + " kernel gradient at the taps");
                    assertEquals(0.0, gw.mul(mask.rsub(1)).sumNumber().doubleValue(), where + ": the Java kernel leaves the zeros");
                }
            }
        }
    }

    @Test
    void batchNormBackwardAgreesWithFiniteDifferences() {
        for (boolean affine : new boolean[] {true, false}) {
            Random r = new Random(affine ? 5 : 6);
            DataType t = DataType.DOUBLE;
            int c = 3;
            INDArray x = random(r, t, 0.4, 1.3, 2, c, 3, 3);
            INDArray gamma = affine ? random(r, t, 1, 0.3, c) : null;
            INDArray beta = affine ? random(r, t, 0, 0.5, c) : null;
            INDArray dy = random(r, t, 0, 1, x.shape());
            // L = sum(y * dy): its gradients are the backward pass of dy
            Supplier<Double> loss = () -> {
                INDArray y = Nd4j.create(t, x.shape());
                NativeKernels.batchNorm(x, y, Nd4j.create(t, c), Nd4j.create(t, c), true, gamma, beta, EPS);
                return y.mul(dy).sumNumber().doubleValue();
            };
            INDArray mean = Nd4j.create(t, c);
            INDArray var = Nd4j.create(t, c);
            NativeKernels.batchNorm(x, Nd4j.create(t, x.shape()), mean, var, true, gamma, beta, EPS);
            INDArray dx = Nd4j.create(t, x.shape());
            INDArray dgamma = affine ? Nd4j.create(t, c) : null;
            INDArray dbeta = affine ? Nd4j.create(t, c) : null;
            NativeKernels.batchNormBackward(x, dy, mean, var, gamma, beta, dx, dgamma, dbeta, EPS);
            String where = affine ? "affine" : "affine-free";
            assertClose(finiteDifferences(x, loss), dx, 1e-6, where + " dx");
            if (affine) {
                assertClose(finiteDifferences(gamma, loss), dgamma, 1e-6, where + " dgamma");
                assertClose(finiteDifferences(beta, loss), dbeta, 1e-6, where + " dbeta");
            }
        }
    }

    @Test
    void depthwiseBackwardAgreesWithFiniteDifferencesAtEveryEntryOfTheSpreadKernel() {
        DataType t = DataType.DOUBLE;
        for (int[] kds : new int[][] {{5, 1, 1}, {3, 2, 2}, {5, 2, 1}}) {
            int k = kds[0];
            int d = kds[1];
            int s = kds[2];
            Random r = new Random(k * 100L + d * 10L + s);
            int c = 2;
            int h = 7;
            int p = d * (k - 1) / 2;
            int spread = (k - 1) * d + 1;
            int o = (h + 2 * p - spread) / s + 1;
            INDArray x = random(r, t, 0, 1, 1, c, h, h);
            INDArray w = random(r, t, 0, 0.5, spread, spread, c, 1).muli(tapMask(t, k, d, c));
            INDArray gy = random(r, t, 0, 1, 1, c, o, o);
            int[] args = {spread, spread, s, s, p, p, 1, 1, 0, 0, 0};
            Supplier<Double> loss = () -> {
                INDArray y = Nd4j.create(t, 1, c, o, o);
                Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d").addInputs(x, w).addOutputs(y).addIntegerArguments(args).build());
                return y.mul(gy).sumNumber().doubleValue();
            };
            INDArray gi = Nd4j.create(t, x.shape());
            INDArray gw = Nd4j.create(t, w.shape());
            NativeKernels.depthwiseBackward(x, w, gy, gi, gw, k, k, d, s, s, p, p);
            String where = k + "x" + k + " dilation " + d + " stride " + s;
            assertClose(finiteDifferences(x, loss), gi, 1e-6, where + " input gradient");
            assertClose(finiteDifferences(w, loss), gw, 1e-6, where + " kernel gradient");
        }
    }

    /** The central differences of {@code loss} by each entry of {@code a} (changed in place and restored). */
    private static INDArray finiteDifferences(INDArray a, Supplier<Double> loss) {
        double h = 1e-6;
        INDArray g = Nd4j.create(a.dataType(), a.shape());
        INDArray flat = a.reshape(a.length());
        for (long i = 0; i < a.length(); i++) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + h);
            double up = loss.get();
            flat.putScalar(i, v - h);
            double down = loss.get();
            flat.putScalar(i, v);
            g.reshape(g.length()).putScalar(i, (up - down) / (2 * h));
        }
        return g;
    }

    /** 1 at the real taps of a k x k kernel with dilation d stored spread out, 0 between them. */
    private static INDArray tapMask(DataType t, int k, int d, int c) {
        int spread = (k - 1) * d + 1;
        INDArray m = Nd4j.zeros(t, spread, spread, c, 1);
        for (int i = 0; i < spread; i += d) {
            for (int j = 0; j < spread; j += d) {
                for (int ch = 0; ch < c; ch++) {
                    m.putScalar(new long[] {i, j, ch, 0}, 1);
                }
            }
        }
        return m;
    }

    private static INDArray random(Random r, DataType t, double mean, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = mean + std * r.nextGaussian();
        }
        return Nd4j.createFromArray(v).castTo(t).reshape(shape);
    }

    private static double[] host(INDArray a) {
        return a == null ? null : a.toDoubleVector();
    }

    private static INDArray vector(double[] v) {
        return Nd4j.createFromArray(v);
    }

    private static double tolerance(DataType t) {
        return t == DataType.DOUBLE ? 1e-9 : 1e-4;
    }

    /** {@code max |expected - actual| <= tol max |expected|}, element by element over the whole array. */
    private static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        double[] e = expected.reshape(expected.length()).toDoubleVector();
        double[] a = actual.reshape(actual.length()).toDoubleVector();
        assertEquals(e.length, a.length, what + ": length");
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            scale = Math.max(scale, Math.abs(e[i]));
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        assertTrue(scale > 0, what + ": the reference is all zeros");
        assertTrue(worst <= tol * scale, what + ": off by " + worst + " at scale " + scale + " (tolerance " + tol + ")");
    }
}

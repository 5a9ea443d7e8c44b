package io.cellforge.engine.ops;

import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * The kernel gradient of a depthwise convolution (channel multiplier 1) over activations in oneDNN's blocked layout
 * ([N][C/B][H][W][B]), for the kernels oneDNN 2.5 has no JIT kernel for (above 3x3, or dilated): only the real
 * taps are visited. Each tap's products over an output row are summed in a row-long accumulator and folded over the
 * row at the end. HotSpot's C2 (JDK 17) vectorises a loop only when all its arrays share the index (with a constant
 * offset between them it ran 2 GFLOP/s against 9.5), so the input rows are first copied once per kernel column,
 * shifted into place. Channel blocks and slices of the batch run in parallel.
 */
final class BlockedDepthwise {
    private BlockedDepthwise() {
    }

    /** Math.fma is the CPU's instruction only where it has one; elsewhere the JDK computes it exactly, in software. */
    private static final boolean FMA = io.cellforge.engine.Backend.cpuHas("fma");

    /**
     * {@code a += r * g} elementwise over n: one index for the three arrays, so that C2 vectorises it; Math.fma
     * becomes the CPU's fused multiply-add (a 5x5 kernel's gradient 1.37 to 1.23 ms a call), where it has one.
     */
    private static void multiplyAdd(float[] a, float[] r, float[] g, int n) {
        for (int k = 0; k < n; k++) {
            a[k] = FMA ? Math.fma(r[k], g[k], a[k]) : a[k] + r[k] * g[k];
        }
    }

    private static void multiplyAdd2(float[] a, float[] r0, float[] g0, float[] r1, float[] g1) {
        for (int k = 0; k < a.length; k++) {
            a[k] = FMA ? Math.fma(r1[k], g1[k], Math.fma(r0[k], g0[k], a[k])) : a[k] + (r0[k] * g0[k] + r1[k] * g1[k]);
        }
    }

    /** An input row, or zeros above and below the image. */
    private static float[] row(float[][] rows, int iy, float[] zero) {
        return iy < 0 || iy >= rows.length ? zero : rows[iy];
    }

    /** Writes d loss / d kernel into {@code gw} ([kH', kW', C, 1], spread when dilated) at the real taps. */
    static void weightGradient(INDArray x, INDArray gy, INDArray gw, int n, Shape in, Shape out, Layer.Conv conv, int B) {
        int h = in.height();
        int wd = in.width();
        int oh = out.height();
        int ow = out.width();
        int blocks = in.channels() / B;
        int kh = conv.kernelH();
        int kw = conv.kernelW();
        int d = conv.dilation();
        int sh = conv.strideH();
        int sw = conv.strideW();
        int ph = conv.padH();
        int pw = conv.padW();
        int spreadW = (kw - 1) * d + 1;
        int channels = in.channels();
        FloatBuffer bx = x.data().asNioFloat();
        FloatBuffer bg = gy.data().asNioFloat();
        float[] result = new float[gw.length() > Integer.MAX_VALUE ? 0 : (int) gw.length()];
        // Channel blocks and slices of the batch in parallel: a 16-channel map is one block, and at 32x32 it is
        // most of the work. The slices are fixed and summed in order, so the result does not depend on scheduling.
        int slices = Math.max(1, Math.min(n, (Kernels.parallelism() + blocks - 1) / blocks));
        double[][] partial = new double[blocks * slices][];
        Kernels.channels(blocks * slices).forEach(task -> {
            int cb = task / slices;
            int s0 = (int) ((long) n * (task % slices) / slices);
            int s1 = (int) ((long) n * (task % slices + 1) / slices);
            float[] xp = new float[h * wd * B];
            // xs[j][iy]: input row iy as seen by kernel column j, one B-vector per output column (zeros off the
            // image), so that every tap's loop below indexes all its arrays alike: only then does C2 vectorise it.
            float[][][] xs = new float[kw][h][ow * B];
            float[][] gs = new float[oh][ow * B];
            float[][] acc = new float[kh * kw][ow * B];
            float[] zero = new float[ow * B];
            double[] taps = new double[kh * kw * B];
            for (int s = s0; s < s1; s++) {
                bx.get(((s * blocks + cb) * h * wd) * B, xp, 0, xp.length);
                for (int oy = 0; oy < oh; oy++) {
                    bg.get(((s * blocks + cb) * oh * ow + oy * ow) * B, gs[oy], 0, ow * B);
                }
                for (int j = 0; j < kw; j++) {
                    int dx = j * d - pw;
                    // output columns whose input column ox * sw + dx lies inside the row
                    int ox0 = dx >= 0 ? 0 : Math.min(ow, (-dx + sw - 1) / sw);
                    int ox1 = wd - 1 - dx < 0 ? 0 : Math.min(ow, (wd - 1 - dx) / sw + 1);
                    for (int iy = 0; iy < h; iy++) {
                        float[] row = xs[j][iy];
                        java.util.Arrays.fill(row, 0, ox0 * B, 0f);
                        if (ox1 > ox0) {
                            java.util.Arrays.fill(row, ox1 * B, ow * B, 0f);
                        } else {
                            java.util.Arrays.fill(row, 0f);
                        }
                        if (sw == 1 && ox1 > ox0) {
                            System.arraycopy(xp, (iy * wd + ox0 + dx) * B, row, ox0 * B, (ox1 - ox0) * B);
                        } else {
                            for (int ox = ox0; ox < ox1; ox++) {
                                System.arraycopy(xp, (iy * wd + ox * sw + dx) * B, row, ox * B, B);
                            }
                        }
                    }
                }
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        float[] a = acc[i * kw + j];
                        float[][] rows = xs[j];
                        int oy = 0;
                        // Two output rows a call: C2 vectorises up to five arrays (four products did not).
                        for (; oy + 1 < oh; oy += 2) {
                            multiplyAdd2(a, row(rows, oy * sh + i * d - ph, zero), gs[oy], row(rows, (oy + 1) * sh + i * d - ph, zero), gs[oy + 1]);
                        }
                        if (oy < oh) {
                            multiplyAdd(a, row(rows, oy * sh + i * d - ph, zero), gs[oy], a.length);
                        }
                    }
                }
            }
            // Each accumulator column summed one image's row after another (a few thousand products); the columns
            // are folded in double.
            for (int t = 0; t < kh * kw; t++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int k = 0; k < B; k++) {
                        taps[t * B + k] += acc[t][ox * B + k];
                    }
                }
            }
            partial[task] = taps;
        });
        for (int cb = 0; cb < blocks; cb++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int k = 0; k < B; k++) {
                        double sum = 0;
                        for (int sl = 0; sl < slices; sl++) {
                            sum += partial[cb * slices + sl][(i * kw + j) * B + k];
                        }
                        result[((i * d) * spreadW + j * d) * channels + cb * B + k] = (float) sum;
                    }
                }
            }
        }
        gw.data().asNioFloat().put(0, result);
    }
}

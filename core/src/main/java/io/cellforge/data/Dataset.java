package io.cellforge.data;

import io.cellforge.ops.Shape;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Labelled images in memory, one byte a pixel: {@code pixels} holds N x C x H x W bytes, each standing for the
 * value {@code levels[byte & 0xff]} in [0, 1], and {@code labels} N class indices. Images are 8-bit where they
 * come from (IDX, CIFAR, PNG), so a byte loses nothing and holds a quarter of the floats; batches become floats
 * one at a time ({@code engine.Batches}). A sample may also carry a context vector of {@code contextFeatures}
 * floats, the second stream a weight generator reads (which stroke is asked, ...): {@code context} holds N x D of
 * them row-major, as given (not normalised); D 0 and an empty array when the data have none. Treated as
 * immutable: the arrays are never written after construction.
 */
public record Dataset(String name, Shape shape, List<String> classNames, byte[] pixels, float[] levels, int[] labels,
                      float[] context, int contextFeatures) {
    /** The levels of 8-bit images: byte b stands for b / 255. */
    public static final float[] EIGHT_BIT = levels(255);
    private static final float[] NO_CONTEXT = new float[0];

    public Dataset {
        classNames = List.copyOf(classNames);
        int per = (int) shape.size();
        if (per == 0 || pixels.length != (long) labels.length * per) {
            throw new IllegalArgumentException(name + ": " + pixels.length + " values for " + labels.length
                    + " images of " + shape);
        }
        if (levels.length != 256) {
            throw new IllegalArgumentException(name + ": " + levels.length + " levels, not one for each of the 256 byte values");
        }
        for (int l : labels) {
            if (l < 0 || l >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + l + " outside 0.." + (classNames.size() - 1));
            }
        }
        if (contextFeatures < 0 || context.length != (long) labels.length * contextFeatures) {
            throw new IllegalArgumentException(name + ": " + context.length + " context values for " + labels.length
                    + " images of " + contextFeatures + " each");
        }
        for (int i = 0; i < context.length; i++) {
            if (!Float.isFinite(context[i])) {
                throw new IllegalArgumentException(name + ": context value " + (i % contextFeatures) + " of image "
                        + (i / contextFeatures) + " is " + context[i] + "; context values must be finite");
            }
        }
    }

    /** Images without context vectors. */
    public Dataset(String name, Shape shape, List<String> classNames, byte[] pixels, float[] levels, int[] labels) {
        this(name, shape, classNames, pixels, levels, labels, NO_CONTEXT, 0);
    }

    /** Levels for whole numbers 0..{@code max} scaled into [0, 1]: byte b stands for b / max. */
    public static float[] levels(float max) {
        float[] l = new float[256];
        for (int i = 0; i < 256; i++) {
            l[i] = i / max;
        }
        return l;
    }

    public int size() {
        return labels.length;
    }

    public boolean hasContext() {
        return contextFeatures > 0;
    }

    /** The context vector of image {@code i}, a copy ({@code contextFeatures} values; none when the data have none). */
    public float[] contextOf(int i) {
        return Arrays.copyOfRange(context, i * contextFeatures, (i + 1) * contextFeatures);
    }

    /** The same images with a context vector of {@code features} values each ({@code context}: N x features). */
    public Dataset withContext(float[] context, int features) {
        return new Dataset(name, shape, classNames, pixels, levels, labels, context, features);
    }

    public int classes() {
        return classNames.size();
    }

    /** The value of pixel {@code i} (image i / shape.size()), in [0, 1]. */
    public float value(int i) {
        return levels[pixels[i] & 0xff];
    }

    /** The bytes this data set holds in memory: its pixels, its labels and its context vectors. */
    public long storageBytes() {
        return pixels.length + 4L * labels.length + 4L * context.length;
    }

    /** What it would hold as one float a pixel, for comparison: four times the pixels. */
    public long floatBytes() {
        return 4L * pixels.length + 4L * labels.length + 4L * context.length;
    }

    /** The largest label present, -1 when there are no images. */
    public int maxLabel() {
        int m = -1;
        for (int l : labels) {
            m = Math.max(m, l);
        }
        return m;
    }

    /** The images at {@code indices}, in that order, each with its context vector. */
    public Dataset subset(int[] indices, String newName) {
        int per = (int) shape.size();
        int d = contextFeatures;
        byte[] x = new byte[indices.length * per];
        int[] y = new int[indices.length];
        float[] c = new float[indices.length * d];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * per, x, i * per, per);
            y[i] = labels[indices[i]];
            System.arraycopy(context, indices[i] * d, c, i * d, d);
        }
        return new Dataset(newName, shape, classNames, x, levels, y, c, d);
    }

    public Dataset renamed(String newName) {
        return new Dataset(newName, shape, classNames, pixels, levels, labels, context, contextFeatures);
    }

    /** The same images under other class names (as many as the labels need at least). */
    public Dataset withClassNames(List<String> names) {
        return new Dataset(name, shape, names, pixels, levels, labels, context, contextFeatures);
    }

    /**
     * A seeded shuffle cut in two: the first part has {@code fraction} of the images, and each part at least
     * one when there are two or more. Same seed, same split.
     */
    public Dataset[] split(double fraction, long seed) {
        int[] idx = permutation(size(), seed);
        int cut = (int) Math.max(Math.min(Math.round(size() * fraction), size() - 1), Math.min(1, size()));
        return new Dataset[] {subset(Arrays.copyOfRange(idx, 0, cut), name + " (part 1)"),
                subset(Arrays.copyOfRange(idx, cut, idx.length), name + " (part 2)")};
    }

    public static int[] permutation(int n, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /** Images per class, for previews and for checking a split. */
    public int[] classCounts() {
        int[] c = new int[classes()];
        for (int l : labels) {
            c[l]++;
        }
        return c;
    }

    /** Per-channel mean and standard deviation over all images: {@code [means, stds]}, from a histogram of the bytes. */
    public float[][] channelStats() {
        int c = shape.channels();
        int hw = shape.height() * shape.width();
        long[][] hist = new long[c][256];
        for (int n = 0; n < size(); n++) {
            for (int ch = 0; ch < c; ch++) {
                long[] h = hist[ch];
                int base = (n * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    h[pixels[base + i] & 0xff]++;
                }
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double count = (double) size() * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            double sq = 0;
            for (int b = 0; b < 256; b++) {
                double v = levels[b];
                sum += hist[ch][b] * v;
                sq += hist[ch][b] * v * v;
            }
            double m = sum / count;
            mean[ch] = (float) m;
            std[ch] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, sq / count - m * m)));
        }
        return new float[][] {mean, std};
    }

    /**
     * For each channel, the normalised value each byte stands for, {@code (level - mean) / std}: a batch is then
     * one table look-up a pixel.
     */
    public float[][] normalisedLevels(float[][] stats) {
        float[][] t = new float[shape.channels()][256];
        for (int ch = 0; ch < t.length; ch++) {
            for (int b = 0; b < 256; b++) {
                t[ch][b] = (levels[b] - stats[0][ch]) / stats[1][ch];
            }
        }
        return t;
    }
}

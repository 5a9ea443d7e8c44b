package io.cellforge.data;

import io.cellforge.ops.Shape;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Labelled images in memory: {@code images} holds N x C x H x W floats in [0, 1], {@code labels} N class indices.
 * Treated as immutable: the arrays are never written after construction.
 */
public record Dataset(String name, Shape shape, List<String> classNames, float[] images, int[] labels) {
    public Dataset {
        classNames = List.copyOf(classNames);
        int per = (int) shape.size();
        if (per == 0 || images.length != (long) labels.length * per) {
            throw new IllegalArgumentException(name + ": " + images.length + " values for " + labels.length
                    + " images of " + shape);
        }
        for (int l : labels) {
            if (l < 0 || l >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + l + " outside 0.." + (classNames.size() - 1));
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return classNames.size();
    }

    /** The largest label present, -1 when there are no images. */
    public int maxLabel() {
        int m = -1;
        for (int l : labels) {
            m = Math.max(m, l);
        }
        return m;
    }

    /** The images at {@code indices}, in that order. */
    public Dataset subset(int[] indices, String newName) {
        int per = (int) shape.size();
        float[] x = new float[indices.length * per];
        int[] y = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(images, indices[i] * per, x, i * per, per);
            y[i] = labels[indices[i]];
        }
        return new Dataset(newName, shape, classNames, x, y);
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

    /** Per-channel mean and standard deviation over all images: {@code [means, stds]}. */
    public float[][] channelStats() {
        int c = shape.channels();
        int hw = shape.height() * shape.width();
        double[] sum = new double[c];
        double[] sq = new double[c];
        for (int n = 0; n < size(); n++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (n * c + ch) * hw;
                for (int i = 0; i < hw; i++) {
                    double v = images[base + i];
                    sum[ch] += v;
                    sq[ch] += v * v;
                }
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double count = (double) size() * hw;
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / count;
            mean[ch] = (float) m;
            std[ch] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, sq[ch] / count - m * m)));
        }
        return new float[][] {mean, std};
    }
}

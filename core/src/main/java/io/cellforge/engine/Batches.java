package io.cellforge.engine;

import io.cellforge.settings.Augment;

import io.cellforge.data.Dataset;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Endless mini-batches of a dataset, normalised per channel, reshuffled each epoch with a seeded generator:
 * the same seed gives the same batches. Batches are full-sized; the remainder of an epoch is dropped.
 */
public final class Batches {
    private final Dataset data;
    private final float[][] stats;
    private final int batch;
    private final int classes;
    private final long seed;
    private int epoch;
    private int position;
    private int[] order;

    /**
     * A batch: images N x C x H x W, one-hot labels N x the network's classes, the label indices, and the samples'
     * context vectors N x D that weight generators read (null when the data have none).
     */
    public record Batch(INDArray x, INDArray y, int[] labels, INDArray context) {
    }


    private Augment augment = Augment.NONE;

    public Batches augmented(Augment a) {
        this.augment = a;
        return this;
    }

    /**
     * {@code classes} is the network's: the one-hot labels are as wide as its logits, also when the data use
     * fewer classes (a two-class data set on a ten-class network).
     */
    public Batches(Dataset data, float[][] stats, int batch, int classes, long seed) {
        if (batch < 1 || batch > data.size()) {
            throw new IllegalArgumentException("batch size " + batch + " must be 1.." + data.size() + " for " + data.name());
        }
        if (data.maxLabel() >= classes) {
            throw new IllegalArgumentException(data.name() + " has label " + data.maxLabel() + ", not below " + classes);
        }
        this.data = data;
        this.classes = classes;
        this.stats = stats;
        this.batch = batch;
        this.seed = seed;
        this.order = Dataset.permutation(data.size(), seed);
    }

    public int stepsPerEpoch() {
        return data.size() / batch;
    }

    public int batchSize() {
        return batch;
    }

    /** Where the iterator stands, for checkpoints: epoch and position within it. */
    public int[] position() {
        return new int[] {epoch, this.position};
    }

    public void seek(int epoch, int position) {
        this.epoch = epoch;
        this.position = position;
        this.order = Dataset.permutation(data.size(), seed + epoch);
    }

    public Batch next() {
        if (position + batch > data.size()) {
            seek(epoch + 1, 0);
        }
        int[] idx = new int[batch];
        System.arraycopy(order, position, idx, 0, batch);
        // Augmentation drawn from (seed, epoch, position): a resumed run sees the same images.
        java.util.Random r = new java.util.Random(seed * 1_000_003L + epoch * 7_919L + position);
        position += batch;
        return make(data, idx, augment, r);
    }

    /** A batch of the given images in order, not augmented (for evaluation). */
    public Batch make(Dataset d, int[] idx) {
        return make(d, idx, Augment.NONE, null);
    }

    private Batch make(Dataset d, int[] idx, Augment aug, java.util.Random r) {
        var s = d.shape();
        int per = (int) s.size();
        int hw = s.height() * s.width();
        // Bytes become normalised floats here, a batch at a time: one table look-up a pixel.
        float[][] table = d.normalisedLevels(stats);
        byte[] px = d.pixels();
        float[] x = new float[idx.length * per];
        float[] y = new float[idx.length * classes];
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            int src = idx[i] * per;
            for (int c = 0; c < s.channels(); c++) {
                float[] t = table[c];
                int from = src + c * hw;
                int to = i * per + c * hw;
                for (int j = 0; j < hw; j++) {
                    x[to + j] = t[px[from + j] & 0xff];
                }
            }
            labels[i] = d.labels()[idx[i]];
            y[i * classes + labels[i]] = 1f;
            if (aug != Augment.NONE) {
                augment(x, i * per, s.channels(), s.height(), s.width(), aug, r);
            }
        }
        return new Batch(Nd4j.create(x, new long[] {idx.length, s.channels(), s.height(), s.width()}, 'c'),
                Nd4j.create(y, new long[] {idx.length, classes}, 'c'), labels, context(d, idx));
    }

    /** The samples' context vectors as given, N x D floats (augmentation moves pixels, not what is asked); null for none. */
    private static INDArray context(Dataset d, int[] idx) {
        int f = d.contextFeatures();
        if (f == 0) {
            return null;
        }
        float[] c = new float[idx.length * f];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(d.context(), idx[i] * f, c, i * f, f);
        }
        return Nd4j.create(c, new long[] {idx.length, f}, 'c');
    }

    /** Crop (shift with zero fill), flip and cutout of one normalised image in place. */
    static void augment(float[] x, int off, int c, int h, int w, Augment a, java.util.Random r) {
        int dy = a.cropPadding() > 0 ? r.nextInt(2 * a.cropPadding() + 1) - a.cropPadding() : 0;
        int dx = a.cropPadding() > 0 ? r.nextInt(2 * a.cropPadding() + 1) - a.cropPadding() : 0;
        boolean flip = a.flip() && r.nextBoolean();
        if (dy != 0 || dx != 0 || flip) {
            float[] img = java.util.Arrays.copyOfRange(x, off, off + c * h * w);
            for (int ch = 0; ch < c; ch++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        int sy = yy + dy;
                        int sx = flip ? w - 1 - (xx + dx) : xx + dx;
                        boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                        x[off + (ch * h + yy) * w + xx] = inside ? img[(ch * h + sy) * w + sx] : 0f;
                    }
                }
            }
        }
        if (a.cutout() > 0) {
            int cy = r.nextInt(h);
            int cx = r.nextInt(w);
            int half = a.cutout() / 2;
            for (int ch = 0; ch < c; ch++) {
                for (int yy = Math.max(0, cy - half); yy < Math.min(h, cy - half + a.cutout()); yy++) {
                    for (int xx = Math.max(0, cx - half); xx < Math.min(w, cx - half + a.cutout()); xx++) {
                        x[off + (ch * h + yy) * w + xx] = 0f;
                    }
                }
            }
        }
    }

    public static int correct(INDArray logits, int[] labels) {
        INDArray arg = logits.argMax(1);
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            ok += arg.getInt(i) == labels[i] ? 1 : 0;
        }
        return ok;
    }
}

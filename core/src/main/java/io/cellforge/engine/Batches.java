package io.cellforge.engine;

import io.cellforge.data.Dataset;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Endless mini-batches of a dataset, normalised per channel, reshuffled each epoch with a seeded generator:
 * the same seed gives the same batches. Batches are full-sized; the remainder of an epoch is dropped.
 */
public final class Batches {
    private final Dataset data;
    private final float[] mean;
    private final float[] std;
    private final int batch;
    private final long seed;
    private int epoch;
    private int position;
    private int[] order;

    /** A batch: images N x C x H x W, one-hot labels N x classes, and the label indices. */
    public record Batch(INDArray x, INDArray y, int[] labels) {
    }

    public Batches(Dataset data, float[][] stats, int batch, long seed) {
        if (batch < 1 || batch > data.size()) {
            throw new IllegalArgumentException("batch size " + batch + " must be 1.." + data.size() + " for " + data.name());
        }
        this.data = data;
        this.mean = stats[0];
        this.std = stats[1];
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
        position += batch;
        return make(data, idx);
    }

    /** A batch of the given images in order (for evaluation). */
    public Batch make(Dataset d, int[] idx) {
        var s = d.shape();
        int per = (int) s.size();
        int hw = s.height() * s.width();
        float[] x = new float[idx.length * per];
        float[] y = new float[idx.length * d.classes()];
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            int src = idx[i] * per;
            for (int c = 0; c < s.channels(); c++) {
                float m = mean[c];
                float sd = std[c];
                for (int j = 0; j < hw; j++) {
                    x[i * per + c * hw + j] = (d.images()[src + c * hw + j] - m) / sd;
                }
            }
            labels[i] = d.labels()[idx[i]];
            y[i * d.classes() + labels[i]] = 1f;
        }
        return new Batch(Nd4j.create(x, new long[] {idx.length, s.channels(), s.height(), s.width()}, 'c'),
                Nd4j.create(y, new long[] {idx.length, d.classes()}, 'c'), labels);
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

package io.cellforge.cluster;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Shape;
import io.cellforge.search.SearchControl;
import io.cellforge.settings.Augment;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.SubNetEstimator;
import org.apache.spark.TaskContext;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What every subnet trial of a search needs, in the bytes a Spark broadcast ships once to each executor: the space
 * as its YAML, the images, and the training settings; {@link #estimator} builds the executor's SubNetEstimator
 * from them, as the driver's own is built.
 */
record SubNetJob(String spaceYaml, byte[] data, Training training, double trainPortion) implements SparkTrialRunner.Source {

    /** The settings of {@link Retrain.Config} a subnet trial trains with (it takes no initial weights nor normalisation). */
    record Training(int epochs, int batch, long seed, double lr, double momentum, double weightDecay, double gradClip, int cropPadding,
                    boolean flip, int cutout, double dropPath) implements Serializable {
        static Training of(Retrain.Config c) {
            return new Training(c.epochs(), c.batchSize(), c.seed(), c.lr(), c.momentum(), c.weightDecay(), c.gradClip(),
                    c.augment().cropPadding(), c.augment().flip(), c.augment().cutout(), c.dropPath());
        }

        Retrain.Config config() {
            return new Retrain.Config(epochs, batch, seed, lr, momentum, weightDecay, gradClip, new Augment(cropPadding, flip, cutout), dropPath);
        }
    }

    static SubNetJob of(SearchSpace space, DataBundle data, Retrain.Config config, double trainPortion) {
        if (config.init() != null || config.normalisation() != null) {
            throw new IllegalArgumentException("subnet trials train from scratch with the data's own normalisation");
        }
        return new SubNetJob(SpaceYaml.write(space), bytes(data), Training.of(config), trainPortion);
    }

    /**
     * The estimator of these trials, on an executor: each trial with the cores Spark gives a task
     * ({@code spark.task.cpus}, default 1) as its OpenMP threads, as many at once as the machine has room for.
     * Closing it ends the trainings still running (Spark's cancel does not reach them).
     */
    public Trainings estimator() {
        TaskContext task = TaskContext.get();
        int cpus = task == null ? 1 : Math.max(1, task.cpus());
        try {
            SearchSpace space = SpaceYaml.read(spaceYaml, "the driver's space").space();
            SearchControl control = new SearchControl();
            return new Trainings(new SubNetEstimator(space, bundle(data), training.config(), trainPortion,
                    Math.max(1, Runtime.getRuntime().availableProcessors() / cpus), null, control), control);
        } catch (LoadException e) {
            throw new IllegalStateException("the space sent by the driver does not read back: " + e.getMessage(), e);
        }
    }

    /** An executor's subnet trials, and the control that ends their trainings when the search is over. */
    record Trainings(SubNetEstimator estimator, SearchControl control) implements Estimator, AutoCloseable {
        @Override
        public io.cellforge.trial.Scores estimate(io.cellforge.arch.Architecture a, long seed) throws io.cellforge.trial.EstimateException {
            return estimator.estimate(a, seed);
        }

        @Override
        public String name() {
            return estimator.name();
        }

        @Override
        public void close() {
            control.stop();
        }
    }

    static byte[] bytes(DataBundle b) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buf);
            out.writeUTF(b.description());
            write(out, b.train());
            write(out, b.test());
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DataBundle bundle(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            String description = in.readUTF();
            return new DataBundle(read(in), read(in), description);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(DataOutputStream out, Dataset d) throws IOException {
        out.writeUTF(d.name());
        out.writeInt(d.shape().channels());
        out.writeInt(d.shape().height());
        out.writeInt(d.shape().width());
        out.writeInt(d.classNames().size());
        for (String c : d.classNames()) {
            out.writeUTF(c);
        }
        out.writeInt(d.pixels().length);
        out.write(d.pixels());
        for (float l : d.levels()) {
            out.writeFloat(l);
        }
        out.writeInt(d.labels().length);
        for (int l : d.labels()) {
            out.writeInt(l);
        }
        out.writeInt(d.contextFeatures());
        out.writeInt(d.context().length);
        for (float c : d.context()) {
            out.writeFloat(c);
        }
    }

    private static Dataset read(DataInputStream in) throws IOException {
        String name = in.readUTF();
        Shape shape = new Shape(in.readInt(), in.readInt(), in.readInt());
        List<String> classes = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
            classes.add(in.readUTF());
        }
        byte[] pixels = new byte[in.readInt()];
        in.readFully(pixels);
        float[] levels = new float[256];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = in.readFloat();
        }
        int[] labels = new int[in.readInt()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = in.readInt();
        }
        int features = in.readInt();
        float[] context = new float[in.readInt()];
        for (int i = 0; i < context.length; i++) {
            context[i] = in.readFloat();
        }
        return new Dataset(name, shape, classes, pixels, levels, labels, context, features);
    }
}

package io.cellforge.data;

import io.cellforge.ops.Shape;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a data source provides: training images and held-out test images (never used while searching), and how
 * many of the source's images these are ({@code sample}).
 */
public record DataBundle(Dataset train, Dataset test, String description, Sample sample) {

    /**
     * How much of the source is used: {@code train} of {@code trainOf} training images (a stratified sample drawn
     * with {@code seed} when fewer), {@code test} of {@code testOf} test images.
     */
    public record Sample(int train, int trainOf, int test, int testOf, long seed) {
        public static Sample whole(int train, int test) {
            return new Sample(train, train, test, test, 0);
        }

        public boolean partial() {
            return train < trainOf || test < testOf;
        }

        /** For result files: the counts, and the seed when a part was drawn. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("train", train);
            m.put("train_of", trainOf);
            m.put("test", test);
            m.put("test_of", testOf);
            if (partial()) {
                m.put("seed", seed);
            }
            return m;
        }

        /** One line: {@code 2,000 of 60,000 training images (stratified, seed 1); all 10,000 test images}. */
        public String line() {
            return part(train, trainOf, "training") + "; " + part(test, testOf, "test");
        }

        private String part(int n, int of, String what) {
            return n < of ? String.format("%,d of %,d %s images (stratified, seed %d)", n, of, what, seed)
                    : String.format("all %,d %s images", of, what);
        }
    }

    public DataBundle(Dataset train, Dataset test, String description) {
        this(train, test, description, Sample.whole(train.size(), test.size()));
    }

    /**
     * A stratified, seeded sample of {@code trainN} training images and {@code testN} test images (null: all of
     * them); the test images are drawn from the test set only, so the two stay as disjoint as the source's.
     */
    public DataBundle sampled(Integer trainN, Integer testN, long seed) {
        Dataset tr = train;
        Dataset te = test;
        if (trainN != null && trainN < train.size()) {
            tr = train.subset(Subsets.stratified(train.labels(), train.classes(), trainN, seed), train.name());
        }
        if (testN != null && testN < test.size()) {
            te = test.subset(Subsets.stratified(test.labels(), test.classes(), testN, seed), test.name());
        }
        return new DataBundle(tr, te, description, new Sample(tr.size(), sample.trainOf(), te.size(), sample.testOf(), seed));
    }

    /** The bytes the images and labels take in memory. */
    public long storageBytes() {
        return train.storageBytes() + test.storageBytes();
    }

    /**
     * Why these data cannot feed a network {@code network} that takes {@code input} images into {@code classes}
     * classes, in one line, or empty. Every label (training and test) must be below {@code classes}; data with
     * fewer classes than the network are fine. The one check where data meet a network: the search, the
     * retraining, the CLI and the app all call it.
     */
    public Optional<String> misfit(Shape input, int classes, String network) {
        if (!train.shape().equals(input)) {
            return Optional.of("the images of " + train.name() + " are " + train.shape() + " but " + network + " takes " + input);
        }
        if (!test.shape().equals(input)) {
            return Optional.of("the test images (" + test.name() + ") are " + test.shape() + " but " + network + " takes " + input);
        }
        for (Dataset d : new Dataset[] {train, test}) {
            if (d.maxLabel() >= classes) {
                return Optional.of("the labels of " + d.name() + " go up to " + d.maxLabel() + " but " + network + " has "
                        + classes + " classes (labels 0.." + (classes - 1) + ")");
            }
        }
        if (train.size() == 0) {
            return Optional.of("the data have no training images (" + train.name() + ")");
        }
        return Optional.empty();
    }

    /**
     * Why these data cannot feed {@code network} whose weight generators read a context vector of {@code features}
     * values a sample, in one line, or empty. A network without generators ({@code features} 0) reads the images
     * only and takes any data; one with them needs every sample, training and test, to have a context that wide.
     */
    public Optional<String> contextMisfit(int features, String network) {
        if (features == 0) {
            return Optional.empty();
        }
        for (Dataset d : new Dataset[] {train, test}) {
            if (d.contextFeatures() != features) {
                return Optional.of(network + " reads a context of " + features + " values a sample but "
                        + (d.hasContext() ? d.name() + " has " + d.contextFeatures() : d.name() + " has none"));
            }
        }
        return Optional.empty();
    }
}

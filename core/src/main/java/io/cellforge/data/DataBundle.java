package io.cellforge.data;

import io.cellforge.ops.Shape;

import java.util.Optional;

/** What a data source provides: training images and held-out test images (never used while searching). */
public record DataBundle(Dataset train, Dataset test, String description) {

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
}

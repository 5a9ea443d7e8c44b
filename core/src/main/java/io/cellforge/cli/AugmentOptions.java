package io.cellforge.cli;

import io.cellforge.engine.Batches;
import picocli.CommandLine.Option;

/** The augmentation options search and retrain share (a picocli mixin). */
final class AugmentOptions {
    @Option(names = "--crop-padding", defaultValue = "0", paramLabel = "N", description = "random crop after N pixels of zero padding (DARTS on CIFAR: 4)")
    int cropPadding;
    @Option(names = "--flip", description = "random horizontal flips (not for digits or text)")
    boolean flip;
    @Option(names = "--cutout", defaultValue = "0", paramLabel = "N", description = "cutout of an NxN square (DARTS on CIFAR: 16)")
    int cutout;

    Batches.Augment augment() {
        if (cropPadding < 0 || cutout < 0) {
            throw new Main.UserError("--crop-padding and --cutout must not be negative");
        }
        return new Batches.Augment(cropPadding, flip, cutout);
    }
}

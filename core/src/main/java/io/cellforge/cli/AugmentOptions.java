package io.cellforge.cli;

import io.cellforge.settings.Augment;

import io.cellforge.engine.Batches;
import picocli.CommandLine.Option;

/** The augmentation options search and retrain share (a picocli mixin). */
final class AugmentOptions {
    @Option(names = "--crop-padding", paramLabel = "N", description = "random crop after N pixels of zero padding (DARTS on CIFAR: 4)")
    Integer cropPadding;
    @Option(names = "--flip", description = "random horizontal flips (not for digits or text)")
    Boolean flip;
    @Option(names = "--cutout", paramLabel = "N", description = "cutout of an NxN square (DARTS on CIFAR: 16)")
    Integer cutout;

    Augment augment() {
        return over(Augment.NONE);
    }

    /** The options given on the command line over {@code base} (a settings file's). */
    Augment over(Augment base) {
        int crop = cropPadding != null ? cropPadding : base.cropPadding();
        int cut = cutout != null ? cutout : base.cutout();
        if (crop < 0 || cut < 0) {
            throw new Main.UserError("--crop-padding and --cutout must not be negative");
        }
        return new Augment(crop, flip != null ? flip : base.flip(), cut);
    }
}

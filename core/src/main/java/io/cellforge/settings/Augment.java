package io.cellforge.settings;

/**
 * Training-time augmentation, as the DARTS recipe for CIFAR: a random crop after zero padding, a horizontal
 * flip with probability 1/2, and cutout (a square of zeros, after normalisation). NONE leaves images as they are.
 */
public record Augment(int cropPadding, boolean flip, int cutout) {
    public static final Augment NONE = new Augment(0, false, 0);

    public Augment {
        if (cropPadding < 0 || cutout < 0) {
            throw new IllegalArgumentException("crop padding and cutout must not be negative");
        }
    }
}

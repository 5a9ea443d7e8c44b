package io.cellforge.data;

/** What a data source provides: training images and held-out test images (never used while searching). */
public record DataBundle(Dataset train, Dataset test, String description) {
}

package io.cellforge.ops;

/** A feature map's shape without the batch dimension: channels x height x width. */
public record Shape(int channels, int height, int width) {
    public Shape {
        if (channels < 0 || height < 0 || width < 0) {
            throw new IllegalArgumentException("negative dimension in " + channels + "x" + height + "x" + width);
        }
    }

    public Shape withChannels(int c) {
        return new Shape(c, height, width);
    }

    public long size() {
        return (long) channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}

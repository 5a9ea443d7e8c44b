package io.cellforge.ops;

/** A layer cannot take an input of the given shape; the message says why in a person's words. */
public class ShapeException extends Exception {
    public ShapeException(String message) {
        super(message);
    }
}

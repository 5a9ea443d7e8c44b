package io.cellforge.adapt;

/** A space whose network cannot take the data given, in one line that names the op and the shapes. */
public final class AdaptException extends Exception {
    public AdaptException(String message) {
        super(message);
    }
}

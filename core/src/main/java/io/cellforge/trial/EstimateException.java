package io.cellforge.trial;

/** An architecture could not be scored (not in the table, does not build); the message names it and why. */
public class EstimateException extends Exception {
    public EstimateException(String message) {
        super(message);
    }

    public EstimateException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.cellforge.io;

/** A file that could not be read into a model; the message starts with "file:line:column: ". */
public class LoadException extends Exception {
    public LoadException(String where, String message) {
        super(where == null || where.isEmpty() ? message : where + ": " + message);
    }
}

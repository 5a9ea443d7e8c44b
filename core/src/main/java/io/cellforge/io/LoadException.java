package io.cellforge.io;

/**
 * A file that could not be read into a model; the message starts with "file:line:column: " and is one printable
 * line, whatever the file held (values it echoes are escaped).
 */
public class LoadException extends Exception {
    public LoadException(String where, String message) {
        super(Escape.line(where == null || where.isEmpty() ? message : where + ": " + message));
    }
}

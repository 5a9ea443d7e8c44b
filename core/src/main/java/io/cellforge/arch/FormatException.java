package io.cellforge.arch;

/** Text that does not parse, with where: "line:column" (or "column N" for one-line formats). */
public class FormatException extends Exception {
    private final String where;

    public FormatException(String where, String message) {
        super(where.isEmpty() ? message : where + ": " + message);
        this.where = where;
    }

    public String where() {
        return where;
    }
}

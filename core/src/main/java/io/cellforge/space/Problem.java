package io.cellforge.space;

/**
 * Something wrong with a space or an architecture, with its place ({@link Place}: a cell's node or edge, a stage,
 * a key) that the designer can reveal and a person reads as words ("cell normal, edge in0->n2", "stage 6",
 * "key normal_n2_switch"). {@code source} is "file:line:column" when the element came from a file, else empty.
 */
public record Problem(Severity severity, Place at, String message, String source) {

    public enum Severity { ERROR, WARNING }

    public Problem {
        at = at == null ? Place.NONE : at;
    }

    public static Problem error(Place at, String message) {
        return new Problem(Severity.ERROR, at, message, "");
    }

    public static Problem warning(Place at, String message) {
        return new Problem(Severity.WARNING, at, message, "");
    }

    /** The place in words, as the CLI and the problems list show it. */
    public String place() {
        return at.toString();
    }

    public Problem withSource(String s) {
        return new Problem(severity, at, message, s == null ? "" : s);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        String where = place().isEmpty() ? "" : place() + ": ";
        String src = source.isEmpty() ? "" : source + ": ";
        return src + (severity == Severity.WARNING ? "warning: " : "") + where + message;
    }
}

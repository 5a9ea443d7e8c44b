package io.cellforge.analysis;

/**
 * Something wrong with a space or an architecture, with its place in words a person can find
 * ("cell normal, edge in0->n2", "stage 6", "key normal_n2_switch"). {@code source} is "file:line:column" when
 * the element came from a file, else empty.
 */
public record Problem(Severity severity, String place, String message, String source) {

    public enum Severity { ERROR, WARNING }

    public static Problem error(String place, String message) {
        return new Problem(Severity.ERROR, place, message, "");
    }

    public static Problem warning(String place, String message) {
        return new Problem(Severity.WARNING, place, message, "");
    }

    public Problem withSource(String s) {
        return new Problem(severity, place, message, s == null ? "" : s);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        String where = place.isEmpty() ? "" : place + ": ";
        String src = source.isEmpty() ? "" : source + ": ";
        return src + (severity == Severity.WARNING ? "warning: " : "") + where + message;
    }
}

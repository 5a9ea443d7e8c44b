package io.cellforge.space;

/**
 * A numeric op or stage parameter: a literal, or a reference ({@code $name}) to a ValueChoice of the space
 * or to one of the built-in variables {@code stride}, {@code C_in}, {@code C_out}.
 */
public record Param(Double value, String ref) {
    public Param {
        if ((value == null) == (ref == null)) {
            throw new IllegalArgumentException("a parameter is either a value or a reference");
        }
    }

    public static Param of(double v) {
        return new Param(v, null);
    }

    public static Param ref(String key) {
        return new Param(null, key);
    }

    public boolean isRef() {
        return ref != null;
    }

    @Override
    public String toString() {
        if (ref != null) {
            return "$" + ref;
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString(value.longValue()) : value.toString();
    }
}

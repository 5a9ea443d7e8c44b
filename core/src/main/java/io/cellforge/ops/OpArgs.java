package io.cellforge.ops;

import java.util.Map;

/**
 * What an op is built with: input and output channels, stride, whether BatchNorm is affine (false in a
 * DARTS supernet), resolved numeric parameters (kernel, expansion, out, ...), and the weight generator a dynamic
 * convolution takes its kernels from (null where the network has none, or the op names none).
 */
public record OpArgs(int cIn, int cOut, int stride, boolean affine, Map<String, Double> params, Generator generator) {
    public OpArgs {
        params = Map.copyOf(params);
    }

    public OpArgs(int cIn, int cOut, int stride, boolean affine, Map<String, Double> params) {
        this(cIn, cOut, stride, affine, params, null);
    }

    /** A weight generator of the network by name, and the number of values its output has per sample. */
    public record Generator(String name, int features) {
    }

    /** The generator of a dynamic op, or why it has none. */
    public Generator requireGenerator(String op) throws ShapeException {
        if (generator == null) {
            throw new ShapeException(op + " takes its kernels from a weight generator: declare one under the network's context "
                    + "(context: {features: N, generators: {NAME: [...]}}) and name it with generator: $NAME");
        }
        return generator;
    }

    public static OpArgs of(int cIn, int cOut, int stride) {
        return new OpArgs(cIn, cOut, stride, true, Map.of());
    }

    public int intParam(String name, int fallback) throws ShapeException {
        Double v = params.get(name);
        if (v == null) {
            return fallback;
        }
        if (v != Math.rint(v)) {
            throw new ShapeException("parameter '" + name + "' must be a whole number, got " + v);
        }
        if (Math.abs(v) > 1 << 20) {
            throw new ShapeException("parameter '" + name + "' is out of range: " + v.longValue());
        }
        return v.intValue();
    }

    public double doubleParam(String name, double fallback) {
        return params.getOrDefault(name, fallback);
    }

    public boolean flag(String name, boolean fallback) {
        Double v = params.get(name);
        return v == null ? fallback : v != 0;
    }
}

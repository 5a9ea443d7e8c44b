package io.cellforge.ops;

import java.util.Map;

/**
 * What an op is built with: input and output channels, stride, whether BatchNorm is affine (false in a
 * DARTS supernet), and resolved numeric parameters (kernel, expansion, out, ...).
 */
public record OpArgs(int cIn, int cOut, int stride, boolean affine, Map<String, Double> params) {
    public OpArgs {
        params = Map.copyOf(params);
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

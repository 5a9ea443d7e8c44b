package io.cellforge.space;

import java.util.List;

/** A user-defined op: a sequence of catalog ops (usually primitives), built with the edge's C_in, C_out, stride. */
public record UserOp(String name, String description, List<OpCall> layers) {
    public UserOp {
        layers = List.copyOf(layers);
    }
}

package io.cellforge.ops;

import java.util.List;

/** One row of the op catalog: a name users write, a group for the palette, and how to build it. */
public record OpDef(String name, String group, String description, List<String> params, Builder builder) {

    @FunctionalInterface
    public interface Builder {
        Layer build(OpArgs args) throws ShapeException;
    }

    public OpDef {
        params = List.copyOf(params);
    }

    public Layer build(OpArgs args) throws ShapeException {
        return builder.build(args);
    }
}

package io.cellforge.space;

/**
 * One entry of the network's stack: an instance of a cell, or a block (a fixed op or a LayerChoice applied to
 * the previous output). Width: {@code channels} when set, otherwise the running base width times {@code widen}
 * (a reduction cell widens by 2 unless told otherwise). {@code repeat} > 1 stacks the same stage, the copies
 * after the first with stride 1; mutables inside repeated copies share their keys.
 * {@code residual}: a block adds an identity shortcut when its stride is 1 and its width unchanged (MobileNetV2).
 */
public record Stage(String name, StageKind kind, String cell, EdgeOp op, Role role, Param channels, Param widen,
                    Param stride, Param repeat, boolean residual) {

    public static Stage cell(String name, String cell, Role role) {
        return new Stage(name, StageKind.CELL, cell, null, role, null, null, null, null, false);
    }

    public static Stage block(String name, EdgeOp op, int channels, int stride, boolean residual) {
        return new Stage(name, StageKind.BLOCK, null, op, Role.NORMAL, Param.of(channels), null, Param.of(stride), null,
                residual);
    }

    public Stage withRepeat(Param r) {
        return new Stage(name, kind, cell, op, role, channels, widen, stride, r, residual);
    }

    public Stage withChannels(Param c) {
        return new Stage(name, kind, cell, op, role, c, widen, stride, repeat, residual);
    }

    public Stage withWiden(Param w) {
        return new Stage(name, kind, cell, op, role, channels, w, stride, repeat, residual);
    }

    public Stage withStride(Param s) {
        return new Stage(name, kind, cell, op, role, channels, widen, s, repeat, residual);
    }

    public Stage withOp(EdgeOp o) {
        return new Stage(name, kind, cell, o, role, channels, widen, stride, repeat, residual);
    }
}

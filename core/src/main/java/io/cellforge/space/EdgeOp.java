package io.cellforge.space;

/** What an edge (or a block stage) computes: a fixed op or a LayerChoice among candidates. */
public sealed interface EdgeOp permits OpCall, LayerChoice {
}

package io.cellforge.space;

/**
 * A place where the search chooses (NNI's mutables). Mutables with the same key decide together: the key is
 * what architecture descriptions are written against.
 */
public sealed interface Mutable permits LayerChoice, InputChoice, ValueChoice {
    String key();

    String kindName();
}

package io.cellforge.edit;

/** An edit refused: the message names the place (cell, node, edge) and the reason, for the person who tried it. */
public final class EditException extends Exception {
    public EditException(String message) {
        super(message);
    }
}

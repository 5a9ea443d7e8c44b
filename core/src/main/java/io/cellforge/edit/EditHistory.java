package io.cellforge.edit;

import io.cellforge.space.SearchSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The edits of an open document: unlimited undo and redo, and whether the space differs from what was last
 * saved. Keeps the spaces themselves (immutable values that share their unchanged parts), so undoing never
 * has to invert an edit. Not thread-safe: the designer calls it from its UI thread.
 */
public final class EditHistory {
    private final List<SearchSpace> states = new ArrayList<>();
    private final List<String> descriptions = new ArrayList<>();
    /** states.get(position) is the current space; later states are the redo list. */
    private int position;
    private int saved;

    public EditHistory(SearchSpace initial) {
        states.add(initial);
        descriptions.add("");
    }

    public SearchSpace current() {
        return states.get(position);
    }

    /** Applies an edit; a refused edit leaves the history as it was. An edit that changes nothing is not recorded. */
    public SearchSpace apply(Edit e) throws EditException {
        SearchSpace next = e.apply(current());
        if (next.equals(current())) {
            return current();
        }
        states.subList(position + 1, states.size()).clear();
        descriptions.subList(position + 1, descriptions.size()).clear();
        if (saved > position) {
            saved = -1; // the saved state was undone and is now gone from the redo list
        }
        states.add(next);
        descriptions.add(e.description());
        position++;
        return next;
    }

    /**
     * Puts into the current space positions that the designer's layout chose for nodes that had none: no edit of
     * the person's, so neither an undo step nor a change to save. Everything but the positions must be as it was.
     */
    public SearchSpace settle(SearchSpace placed) {
        SearchSpace now = current();
        if (!new SearchSpace(placed.name(), placed.description(), placed.network(), placed.cells(), placed.values(),
                placed.userOps(), placed.meta(), now.positions()).equals(now)) {
            throw new IllegalArgumentException("settle changes only positions");
        }
        states.set(position, placed);
        return placed;
    }

    public boolean canUndo() {
        return position > 0;
    }

    public boolean canRedo() {
        return position < states.size() - 1;
    }

    /** The edit Undo would take back. */
    public Optional<String> undoDescription() {
        return canUndo() ? Optional.of(descriptions.get(position)) : Optional.empty();
    }

    /** The edit Redo would make again. */
    public Optional<String> redoDescription() {
        return canRedo() ? Optional.of(descriptions.get(position + 1)) : Optional.empty();
    }

    public SearchSpace undo() {
        if (!canUndo()) {
            throw new IllegalStateException("nothing to undo");
        }
        return states.get(--position);
    }

    public SearchSpace redo() {
        if (!canRedo()) {
            throw new IllegalStateException("nothing to redo");
        }
        return states.get(++position);
    }

    /** The current space is what the file now holds. */
    public void markSaved() {
        saved = position;
    }

    /** The current space is in no file (a recovered copy, say): the document is dirty until saved. */
    public void markUnsaved() {
        saved = -1;
    }

    /** Whether the space differs from the one last saved (undoing back to it makes the document clean again). */
    public boolean isDirty() {
        return saved != position;
    }
}

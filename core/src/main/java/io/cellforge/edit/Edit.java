package io.cellforge.edit;

import io.cellforge.space.SearchSpace;

import java.util.List;

/**
 * One change a person makes to a search space, as the designer offers it: applied to a space it gives the next
 * one (spaces are immutable, so undo keeps the previous one). An edit that cannot be made is refused with an
 * {@link EditException} that says why and where, and changes nothing.
 */
public interface Edit {
    /** What the edit does, for the Undo and Redo menu items: "Connect n1 -> n2". */
    String description();

    SearchSpace apply(SearchSpace space) throws EditException;

    static Edit of(String description, Change change) {
        return new Edit() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public SearchSpace apply(SearchSpace space) throws EditException {
                return change.apply(space);
            }
        };
    }

    /** Edits made one after another as one step: undone together, refused together (the first refusal wins). */
    static Edit composite(String description, List<Edit> edits) {
        List<Edit> steps = List.copyOf(edits);
        return of(description, s -> {
            for (Edit e : steps) {
                s = e.apply(s);
            }
            return s;
        });
    }

    @FunctionalInterface
    interface Change {
        SearchSpace apply(SearchSpace space) throws EditException;
    }
}

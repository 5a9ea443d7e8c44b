package io.cellforge.app;

import io.cellforge.arch.Architecture;
import io.cellforge.edit.Edit;
import io.cellforge.edit.EditException;
import io.cellforge.edit.EditHistory;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.SearchSpace;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * An open search space: its edit history, the file it was read from or saved to (none for a new or imported
 * one), and the architecture it was imported with, if any (so that it can be exported in other formats).
 */
public final class Document {
    private final EditHistory history;
    /** The process id first: a recovery copy of a document still open in another running Cellforge is not offered. */
    private final String id = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
    private Path file;
    private final Architecture architecture;
    private final SearchSpace architectureSpace;
    /** Opened from a recovery copy and not saved since. */
    private boolean recovered;

    /** {@code architecture} (may be null) is a point of {@code architectureSpace}, the space it was read against. */
    public Document(SearchSpace space, Path file, Architecture architecture, SearchSpace architectureSpace) {
        this.history = new EditHistory(space);
        this.file = file;
        this.architecture = architecture;
        this.architectureSpace = architectureSpace;
        if (file != null) {
            history.markSaved();
        }
    }

    /**
     * A recovery copy's space, tied again to the file it belongs to ({@code file}, null for a new document) and
     * unsaved. {@code saved} is what that file holds now (null when it is gone or unreadable): the recovered
     * space is then one edit after it, so that "Undo recovery" goes back to the file's content.
     */
    public static Document recovered(SearchSpace space, Path file, SearchSpace saved) {
        Document d = new Document(saved != null ? saved : space, file, null, null);
        if (saved != null) {
            try {
                d.history.apply(Edit.of("Recovery", s -> space));
            } catch (EditException e) {
                throw new AssertionError("a replacement is never refused", e);
            }
        } else {
            d.history.markUnsaved();
        }
        d.recovered = true;
        return d;
    }

    public SearchSpace space() {
        return history.current();
    }

    public EditHistory history() {
        return history;
    }

    /** Identifies the document's recovery copy. */
    public String id() {
        return id;
    }

    public Path file() {
        return file;
    }

    public Architecture architecture() {
        return architecture;
    }

    /** The space {@link #architecture()} chooses in (not this document's space, which has no choices left). */
    public SearchSpace architectureSpace() {
        return architectureSpace;
    }

    public boolean isDirty() {
        return history.isDirty();
    }

    /** Holds recovered changes that are in no file yet (undoing the recovery leaves just the file's content). */
    public boolean isRecovered() {
        return recovered && isDirty();
    }

    public SearchSpace apply(Edit e) throws EditException {
        return history.apply(e);
    }

    /** Saves atomically (a crash mid-save leaves the old file whole) and remembers the file. */
    public void saveAs(Path target) throws IOException {
        SpaceFiles.writeAtomically(target, SpaceYaml.write(space()));
        file = target;
        recovered = false;
        history.markSaved();
    }

    public String displayName() {
        return file != null ? file.getFileName().toString() : space().name();
    }
}

package io.cellforge.app;

import io.cellforge.space.Cell;
import io.cellforge.space.Node;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The one state the designer's view-models share: the open document and its space as last settled, the view
 * (a cell or the network), the selection, the outline and the message line. The document, edit, layout and
 * problem view-models all read and change the document through it, so that a change reaches each of them in
 * the same order: {@link #onChange} hooks run after the space settled and before the views redraw.
 */
public final class DocumentState {
    public static final String NETWORK = "Network";

    private final ObjectProperty<Document> document = new SimpleObjectProperty<>();
    private final ObjectProperty<SearchSpace> space = new SimpleObjectProperty<>();
    private final ObjectProperty<Selection> selection = new SimpleObjectProperty<>(Selection.NONE);
    private final ReadOnlyStringWrapper view = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final BooleanProperty messageIsError = new SimpleBooleanProperty();
    private final IntegerProperty revision = new SimpleIntegerProperty();
    private final ObservableList<String> outline = FXCollections.observableArrayList();
    private final List<Runnable> onChange = new ArrayList<>();
    /** Loads, checks and recovery copies run here, one after another: newer results never overtaken by older ones. */
    private final Tasks.Lane lane = new Tasks.Lane();
    /** What the file said that the space cannot carry (listed with the problems until another document opens). */
    private List<Problem> notes = List.of();

    public ReadOnlyObjectProperty<Document> documentProperty() {
        return document;
    }

    public ReadOnlyObjectProperty<SearchSpace> spaceProperty() {
        return space;
    }

    public SearchSpace space() {
        return space.get();
    }

    public ObjectProperty<Selection> selectionProperty() {
        return selection;
    }

    public ReadOnlyStringProperty viewProperty() {
        return view.getReadOnlyProperty();
    }

    public String view() {
        return view.get();
    }

    /** Goes up at every change of the space, the view or the positions: views redraw on it. */
    public ReadOnlyIntegerProperty revisionProperty() {
        return revision;
    }

    public ObservableList<String> outline() {
        return outline;
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public BooleanProperty messageIsErrorProperty() {
        return messageIsError;
    }

    List<Problem> notes() {
        return notes;
    }

    Tasks.Lane lane() {
        return lane;
    }

    /** Waits until the background checks and recovery writes queued so far are done (for tests and the benchmark). */
    public void drain() throws Exception {
        lane.drain();
    }

    /** The cell on the canvas, or null when the network is shown. */
    public Cell cell() {
        SearchSpace s = space.get();
        return s == null ? null : s.cells().get(view.get());
    }

    /** Runs after every change of the space, in the order registered, before the views redraw. */
    void onChange(Runnable r) {
        onChange.add(r);
    }

    /** Shows a cell of the open space on the canvas, or the network stack. */
    public void select(String v) {
        SearchSpace s = space.get();
        if (s == null || v == null || v.equals(view.get())) {
            return;
        }
        view.set(s.cells().containsKey(v) ? v : NETWORK);
        selection.set(Selection.NONE);
        redraw();
    }

    public void setSelection(Selection s) {
        selection.set(s == null ? Selection.NONE : s);
    }

    public void selectAll() {
        Cell c = cell();
        if (c != null) {
            selection.set(new Selection(c.nodes().stream().map(Node::name).toList(),
                    new HashSet<>(c.edges().stream().map(e -> List.of(e.from(), e.to())).toList())));
        }
    }

    void redraw() {
        revision.set(revision.get() + 1);
    }

    /** Another document: its first cell shown (the network when it has none). */
    void open(Document d, List<Problem> importNotes, String source) {
        document.set(d);
        notes = List.copyOf(importNotes);
        info(d.file() == null ? "Opened " + source : "Opened " + d.file().getFileName());
        SearchSpace s = d.space();
        String first = s.cells().isEmpty() ? NETWORK : s.cells().keySet().iterator().next();
        view.set("");
        changed(s);
        select(first);
    }

    /** The document's space changed (an edit, an undo, another document): every view-model catches up. */
    void changed(SearchSpace given) {
        Document d = document.get();
        SearchSpace p = LayoutViewModel.placed(given);
        SearchSpace s = p == given ? given : d.history().settle(p);
        space.set(s);
        List<String> items = new ArrayList<>();
        items.add(NETWORK);
        items.addAll(s.cells().keySet());
        if (!outline.equals(items)) {
            String keep = view.get();
            outline.setAll(items);
            if (!keep.isEmpty() && !items.contains(keep)) {
                view.set("");
                select(items.size() > 1 ? items.get(1) : NETWORK);
            }
        }
        Selection sel = selection.get();
        Cell c = cell();
        if (c != null) {
            Set<String> names = new HashSet<>(c.nodes().stream().map(Node::name).toList());
            Set<List<String>> edges = new HashSet<>(c.edges().stream().map(e -> List.of(e.from(), e.to())).toList());
            selection.set(new Selection(sel.nodes().stream().filter(names::contains).toList(),
                    new LinkedHashSet<>(sel.edges().stream().filter(edges::contains).toList())));
        }
        onChange.forEach(Runnable::run);
        redraw();
    }

    public void info(String m) {
        message.set(m);
        messageIsError.set(false);
    }

    public void error(String m) {
        message.set(m);
        messageIsError.set(true);
    }
}

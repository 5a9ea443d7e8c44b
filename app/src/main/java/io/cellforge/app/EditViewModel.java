package io.cellforge.app;

import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.edit.CellEdits;
import io.cellforge.edit.Edit;
import io.cellforge.edit.EditException;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Point;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every change of the document the window and the inspector ask for, as undoable edits built here (the views
 * never build one): nodes, edges, ops, the three mutables, keys, the network's figures, clipboard, undo and
 * redo. A refused edit changes nothing and its reason becomes the message.
 */
public final class EditViewModel {
    private final DocumentState state;
    private final BooleanProperty canUndo = new SimpleBooleanProperty();
    private final BooleanProperty canRedo = new SimpleBooleanProperty();
    private final StringProperty undoText = new SimpleStringProperty("Undo");
    private final StringProperty redoText = new SimpleStringProperty("Redo");
    private final StringProperty edgeOp = new SimpleStringProperty("sep_conv_3x3");
    private CellEdits.Fragment clipboard;
    private int pastes;
    private final Map<String, Point> clipboardPositions = new HashMap<>();

    EditViewModel(DocumentState state) {
        this.state = state;
        state.onChange(() -> {
            var h = state.documentProperty().get().history();
            canUndo.set(h.canUndo());
            canRedo.set(h.canRedo());
            undoText.set(h.undoDescription().map(x -> "Undo " + lowerFirst(x)).orElse("Undo"));
            redoText.set(h.redoDescription().map(x -> "Redo " + lowerFirst(x)).orElse("Redo"));
        });
    }

    public BooleanProperty canUndoProperty() {
        return canUndo;
    }

    public BooleanProperty canRedoProperty() {
        return canRedo;
    }

    public StringProperty undoTextProperty() {
        return undoText;
    }

    public StringProperty redoTextProperty() {
        return redoText;
    }

    /** The op a new edge gets (the last op picked in the palette); edges into the output get identity. */
    public StringProperty edgeOpProperty() {
        return edgeOp;
    }

    /** Applies an edit; a refused one changes nothing and its reason becomes the message. */
    public boolean apply(Edit e) {
        Document d = state.documentProperty().get();
        if (d == null) {
            return false;
        }
        try {
            SearchSpace before = d.space();
            SearchSpace after = d.apply(e);
            if (after != before) {
                state.changed(after);
                state.info(e.description());
            }
            return true;
        } catch (EditException ex) {
            state.error("Cannot " + lowerFirst(e.description()) + ": " + ErrorText.of(ex));
            return false;
        }
    }

    public void undo() {
        Document d = state.documentProperty().get();
        if (d != null && d.history().canUndo()) {
            String what = d.history().undoDescription().orElse("");
            state.changed(d.history().undo());
            state.info("Undid " + lowerFirst(what));
        }
    }

    public void redo() {
        Document d = state.documentProperty().get();
        if (d != null && d.history().canRedo()) {
            String what = d.history().redoDescription().orElse("");
            state.changed(d.history().redo());
            state.info("Redid " + lowerFirst(what));
        }
    }

    /** Adds a node of a kind at a point of the canvas (its centre), named after the kind. */
    public boolean addNode(NodeKind kind, double x, double y) {
        Cell c = state.cell();
        if (c == null) {
            state.error("Open a cell (in the outline) to add nodes to it");
            return false;
        }
        Set<String> taken = new HashSet<>();
        c.nodes().forEach(n -> taken.add(n.name()));
        String name = switch (kind) {
            case INPUT -> CellEdits.fresh("in", taken);
            case OUTPUT -> "out";
            default -> CellEdits.fresh("n", taken);
        };
        Node n = switch (kind) {
            case INPUT -> Node.input(name);
            case OUTPUT -> Node.output(name, Reduction.CONCAT);
            default -> Node.intermediate(name);
        };
        double[] size = DiagramLayout.boxSize(name, DiagramLayout.badge(c, n));
        Edit add = CellEdits.addNode(c.name(), n);
        boolean ok = apply(Edit.composite(add.description(),
                List.of(add, CellEdits.move(c.name(), Map.of(name, new Point(x - size[0] / 2, y - size[1] / 2))))));
        if (ok) {
            state.selectionProperty().set(Selection.node(name));
        }
        return ok;
    }

    /** Connects two nodes with the current edge op (identity into the output); refused on a cycle. */
    public boolean connect(String from, String to) {
        Cell c = state.cell();
        if (c == null) {
            return false;
        }
        boolean intoOutput = c.node(to).map(n -> n.kind() == NodeKind.OUTPUT).orElse(false);
        boolean ok = apply(CellEdits.connect(c.name(), from, to, OpCall.of(intoOutput ? "identity" : edgeOp.get())));
        if (ok) {
            state.selectionProperty().set(Selection.edge(from, to));
        }
        return ok;
    }

    /** Sets an op on edges (a palette entry dropped or double-clicked); one undo step. */
    public boolean setOp(Set<List<String>> edges, String op) {
        Cell c = state.cell();
        if (c == null || edges.isEmpty()) {
            state.error("Select an edge (or drop the op onto one) to set its op");
            return false;
        }
        List<Edit> edits = new ArrayList<>();
        for (List<String> e : edges) {
            edits.add(CellEdits.setOp(c.name(), e.get(0), e.get(1), OpCall.of(op)));
        }
        return apply(Edit.composite(edges.size() == 1 ? edits.get(0).description() : "Set op of " + edges.size() + " edges to " + op, edits));
    }

    public boolean makeLayerChoice(Set<List<String>> edges, String key, List<OpCall> candidates) {
        Cell c = state.cell();
        if (c == null || edges.isEmpty()) {
            state.error("Select an edge to make a LayerChoice");
            return false;
        }
        List<Edit> edits = new ArrayList<>();
        for (List<String> e : edges) {
            // Several edges at once: each gets its own key, unless the person asked for one shared key.
            String k = key.isEmpty() ? defaultKey(c, e) : key;
            edits.add(CellEdits.setOp(c.name(), e.get(0), e.get(1), new LayerChoice(k, candidates)));
        }
        return apply(Edit.composite(edits.size() == 1 ? edits.get(0).description()
                : "Make LayerChoice on " + edits.size() + " edges", edits));
    }

    public boolean makeInputChoice(String node, String key, int nChosen, Reduction reduction) {
        Cell c = state.cell();
        return c != null && apply(CellEdits.makeInputChoice(c.name(), node, key, nChosen, reduction));
    }

    // The edits the inspector and the dialogs ask for, on the open cell: the views call these, never an edit.

    public boolean renameNode(String node, String to) {
        Cell c = state.cell();
        return c != null && apply(CellEdits.renameNode(c.name(), node, to));
    }

    public boolean setMerge(String node, Reduction merge) {
        Cell c = state.cell();
        return c != null && apply(SpaceEdits.setMerge(c.name(), node, merge));
    }

    public boolean removeInputChoice(String node) {
        Cell c = state.cell();
        return c != null && apply(CellEdits.removeInputChoice(c.name(), node));
    }

    public boolean setStride(String from, String to, int stride) {
        Cell c = state.cell();
        return c != null && apply(SpaceEdits.setStride(c.name(), from, to, stride));
    }

    public boolean setParam(String from, String to, String param, Param value) {
        Cell c = state.cell();
        return c != null && apply(SpaceEdits.setParam(c.name(), from, to, param, value));
    }

    /** Gives an edge's LayerChoice another key, its candidates kept. */
    public boolean setChoiceKey(String from, String to, String key) {
        Cell c = state.cell();
        return c != null && c.edge(from, to).map(e -> e.op() instanceof LayerChoice lc
                && apply(CellEdits.setOp(c.name(), from, to, new LayerChoice(key, lc.candidates())))).orElse(false);
    }

    /** Replaces an edge's LayerChoice by one of its candidates (with the candidate's parameters). */
    public boolean fixChoice(String from, String to, String label) {
        Cell c = state.cell();
        return c != null && c.edge(from, to).map(e -> e.op() instanceof LayerChoice lc && lc.indexOf(label) >= 0
                && apply(CellEdits.setOp(c.name(), from, to, lc.candidates().get(lc.indexOf(label))))).orElse(false);
    }

    public boolean setValueChoice(String from, String to, String param, String key, List<Double> values) {
        Cell c = state.cell();
        return c != null && apply(SpaceEdits.setValueChoice(c.name(), from, to, param, key, values));
    }

    public boolean renameKey(String from, String to) {
        return apply(SpaceEdits.renameKey(from, to));
    }

    public boolean setNetwork(int channels, int classes, Shape input) {
        return apply(SpaceEdits.setNetwork(channels, classes, input));
    }

    public boolean setLayers(int layers) {
        return apply(SpaceEdits.setLayers(layers));
    }

    /** The context's values per sample; a space without a context gains one with a starter weight generator. */
    public boolean setContext(int features) {
        return apply(SpaceEdits.setContext(features));
    }

    public boolean setGenerator(String name, List<OpCall> layers) {
        return apply(SpaceEdits.setGenerator(name, layers));
    }

    public boolean removeContext() {
        return apply(SpaceEdits.removeContext());
    }

    public String defaultKey(Cell c, List<String> edge) {
        return c.name() + "_" + edge.get(1) + "_" + edge.get(0);
    }

    public String defaultInputKey(Cell c, String node) {
        return c.name() + "_" + node + "_switch";
    }

    /** Deletes the selected nodes (with their edges) and edges, as one undo step. */
    public void deleteSelection() {
        Cell c = state.cell();
        Selection s = state.selectionProperty().get();
        if (c == null || s.isEmpty()) {
            return;
        }
        List<Edit> edits = new ArrayList<>();
        List<List<String>> edges = s.edges().stream().filter(e -> !s.nodes().contains(e.get(0)) && !s.nodes().contains(e.get(1))).toList();
        if (!edges.isEmpty()) {
            edits.add(CellEdits.removeEdges(c.name(), edges));
        }
        if (!s.nodes().isEmpty()) {
            edits.add(CellEdits.removeNodes(c.name(), s.nodes()));
        }
        String what = s.nodes().isEmpty() ? edits.get(0).description()
                : edges.isEmpty() ? edits.get(0).description() : "Delete " + s.nodes().size() + " nodes and " + edges.size() + " edges";
        if (apply(Edit.composite(what, edits))) {
            state.selectionProperty().set(Selection.NONE);
        }
    }

    public void copy() {
        Cell c = state.cell();
        if (c == null || state.selectionProperty().get().nodes().isEmpty()) {
            return;
        }
        clipboard = CellEdits.copy(c, state.selectionProperty().get().nodes());
        pastes = 0;
        Map<String, Point> pos = state.space().positions(c.name());
        clipboardPositions.clear();
        clipboard.nodes().forEach(n -> clipboardPositions.put(n.name(), pos.getOrDefault(n.name(), new Point(0, 0))));
        state.info(clipboard.nodes().isEmpty() ? "Only intermediate nodes are copied" : "Copied " + clipboard.nodes().size() + " node(s)");
    }

    public void cut() {
        copy();
        if (clipboard != null && !clipboard.nodes().isEmpty()) {
            deleteSelection();
        }
    }

    public boolean canPaste() {
        return clipboard != null && !clipboard.nodes().isEmpty();
    }

    public void paste() {
        Cell c = state.cell();
        if (c == null || !canPaste()) {
            return;
        }
        Map<String, String> names = CellEdits.pasteNames(c, clipboard);
        pastes++;
        Map<String, Point> at = new HashMap<>();
        names.forEach((old, fresh) -> {
            Point p = clipboardPositions.getOrDefault(old, new Point(0, 0));
            at.put(fresh, new Point(p.x() + 30 * pastes, p.y() + 30 * pastes));
        });
        Edit paste = CellEdits.paste(c.name(), clipboard);
        if (apply(Edit.composite(paste.description(), List.of(paste, CellEdits.move(c.name(), at))))) {
            state.selectionProperty().set(new Selection(names.values(), Set.of()));
        }
    }

    static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}

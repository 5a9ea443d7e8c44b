package io.cellforge.app;

import io.cellforge.app.diagram.CellSvg;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.edit.CellEdits;
import io.cellforge.edit.Edit;
import io.cellforge.io.FileWrites;
import io.cellforge.space.Cell;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.Point;
import io.cellforge.space.SearchSpace;

import javax.imageio.ImageIO;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where things are drawn: the open cell's node positions (kept in the document's YAML, moves undoable), ELK's
 * layout of a cell, and the cell's picture as a file.
 */
public final class LayoutViewModel {
    /** Where a node without a position goes: right of the rightmost node. */
    private static final double GAP = 60;

    private final DocumentState state;
    private final EditViewModel edits;
    /**
     * The positions of the space's nodes as the canvas takes them, per cell: refilled at every change, new maps for
     * each document (the canvas fits the view when it is given another map).
     */
    private final Map<String, Map<String, double[]>> positions = new HashMap<>();

    LayoutViewModel(DocumentState state, EditViewModel edits) {
        this.state = state;
        this.edits = edits;
        state.documentProperty().addListener((o, a, d) -> positions.clear());
        state.viewProperty().addListener((o, a, v) -> refreshPositions());
        state.onChange(this::refreshPositions);
    }

    /** Where the open cell's nodes are drawn (top-left corners), read-only: moves go through {@link #move}. */
    public Map<String, double[]> positions() {
        return Collections.unmodifiableMap(mirror());
    }

    private Map<String, double[]> mirror() {
        return positions.computeIfAbsent(state.view(), k -> new HashMap<>());
    }

    private void refreshPositions() {
        Cell c = state.cell();
        if (c == null) {
            return;
        }
        Map<String, double[]> m = mirror();
        m.clear();
        state.space().positions(c.name()).forEach((n, p) -> m.put(n, new double[] {p.x(), p.y()}));
    }

    /** One drag on the canvas: the dragged nodes' new top-left corners, one undo step. */
    public boolean move(Map<String, double[]> to) {
        Cell c = state.cell();
        if (c == null || to.isEmpty()) {
            return false;
        }
        Map<String, Point> at = new HashMap<>();
        to.forEach((n, p) -> at.put(n, new Point(p[0], p[1])));
        return edits.apply(CellEdits.move(c.name(), at));
    }

    /** Lays the open cell out with ELK's layered algorithm: an undo step like any move. */
    public void layOut() {
        Cell c = state.cell();
        if (c != null) {
            edits.apply(Edit.composite("Lay out cell " + c.name(), List.of(CellEdits.move(c.name(), laidOut(c)))));
        }
    }

    /** The open cell's picture as SVG, drawn where its nodes are. */
    public void exportSvg(Path target) {
        exportPicture(target, () -> FileWrites.writeAtomically(target, CellSvg.write(state.cell(), positions())));
    }

    /** The open cell's picture as PNG: {@code image} is the canvas's snapshot. */
    public void exportPng(Path target, RenderedImage image) {
        // Atomic, forced to disk, and an existing file keeps its mode, as every other save.
        exportPicture(target, () -> FileWrites.writeAtomically(target, out -> ImageIO.write(image, "png", out)));
    }

    private interface Write {
        void run() throws IOException;
    }

    private void exportPicture(Path target, Write w) {
        Cell c = state.cell();
        if (c == null) {
            state.error("Open a cell to export its picture");
            return;
        }
        try {
            w.run();
            state.info("Exported the picture of cell " + c.name() + " to " + target.getFileName());
        } catch (IOException | RuntimeException ex) {
            state.error("Could not export the picture to " + target + ": " + ErrorText.of(ex));
        }
    }

    /** ELK's layered drawing of a cell; a cell without edges gets inputs on the left, the output on the right. */
    static Map<String, Point> laidOut(Cell c) {
        Map<String, Point> pos = new HashMap<>();
        if (c.edges().isEmpty()) {
            int i = 0;
            for (Node n : c.nodes()) {
                boolean out = n.kind() == NodeKind.OUTPUT;
                pos.put(n.name(), out ? new Point(640, 140) : new Point(40 + (n.kind() == NodeKind.INPUT ? 0 : 300), 60 + 160 * i++));
            }
            return pos;
        }
        DiagramLayout.positions(c).forEach((n, p) -> pos.put(n, new Point(p[0], p[1])));
        return pos;
    }

    /**
     * The space with a position for every node: a cell never drawn is laid out, a node that has none (an edit
     * that gave it none) goes right of the others. What a file or an edit set is kept.
     */
    static SearchSpace placed(SearchSpace s) {
        SearchSpace out = s;
        for (Cell c : s.cells().values()) {
            Map<String, Point> have = s.positions(c.name());
            if (have.size() == c.nodes().size()) {
                continue;
            }
            if (have.isEmpty()) {
                out = out.withPositions(c.name(), laidOut(c));
                continue;
            }
            double right = have.values().stream().mapToDouble(Point::x).max().orElse(0);
            Map<String, Point> more = new HashMap<>();
            for (Node n : c.nodes()) {
                if (!have.containsKey(n.name())) {
                    right += GAP + 60;
                    more.put(n.name(), new Point(right, 40));
                }
            }
            out = out.withPositions(c.name(), more);
        }
        return out;
    }
}

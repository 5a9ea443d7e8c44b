package io.cellforge.edit;

import io.cellforge.space.Problem;
import io.cellforge.analysis.Validator;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Point;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CellEditsTest {
    /** A network around an empty cell, as File > New gives. */
    static SearchSpace empty() {
        Cell cell = new Cell("cell", List.of(), List.of(), Preprocess.DARTS);
        Network net = new Network(new Shape(1, 8, 8), 10, 8, List.of(List.of(OpCall.of("conv", "out", 16), OpCall.of("bn", "affine", 1))),
                List.of(Stage.cell("cell", "cell", Role.NORMAL)), List.of(OpCall.of("relu"), OpCall.of("gap"), OpCall.of("linear")), null, false);
        return new SearchSpace("drawn", "", net, Map.of("cell", cell), Map.of(), Map.of(), Map.of());
    }

    static final LayerChoice THREE = LayerChoice.of("e0", List.of("sep_conv_3x3", "max_pool_3x3", "skip_connect"));

    /** The edits of drawing a two-input, three-node cell and making it a search space. */
    static List<Edit> drawing() {
        return List.of(
                CellEdits.addNode("cell", Node.input("in0")),
                CellEdits.addNode("cell", Node.input("in1")),
                CellEdits.addNode("cell", Node.intermediate("n0")),
                CellEdits.addNode("cell", Node.intermediate("n1")),
                CellEdits.addNode("cell", Node.output("out", Reduction.CONCAT)),
                CellEdits.connect("cell", "in0", "n0", OpCall.of("sep_conv_3x3")),
                CellEdits.connect("cell", "in1", "n0", OpCall.of("skip_connect")),
                CellEdits.connect("cell", "n0", "n1", OpCall.of("max_pool_3x3")),
                CellEdits.connect("cell", "in1", "n1", OpCall.of("sep_conv_3x3")),
                CellEdits.connect("cell", "n1", "out", OpCall.of("identity")),
                CellEdits.setOp("cell", "in0", "n0", THREE),
                CellEdits.makeInputChoice("cell", "n1", "n1_inputs", 2, Reduction.SUM));
    }

    static EditHistory drawn() throws EditException {
        EditHistory h = new EditHistory(empty());
        for (Edit e : drawing()) {
            h.apply(e);
        }
        return h;
    }

    @Test
    void aDrawnCellIsAValidSpaceThatSavesAndReopensUnchanged() throws Exception {
        EditHistory h = drawn();
        SearchSpace s = h.current();
        List<Problem> errors = Validator.validate(s).stream().filter(Problem::isError).toList();
        assertTrue(errors.isEmpty(), errors::toString);
        Cell c = s.cells().get("cell");
        assertEquals(List.of("in0", "in1", "n0", "n1", "out"), c.nodes().stream().map(Node::name).toList(), "inputs first, output last");
        assertEquals(THREE, c.edges().get(0).op());
        assertEquals(new InputChoice("n1_inputs", 2, Reduction.SUM, false), c.node("n1").orElseThrow().inputChoice());
        assertEquals(s, SpaceYaml.read(SpaceYaml.write(s), "drawn.yaml").space());
    }

    @Test
    void everyStepUndoesAndRedoesAndTheSavedStateIsClean() throws Exception {
        EditHistory h = new EditHistory(empty());
        assertFalse(h.isDirty());
        List<SearchSpace> states = new java.util.ArrayList<>(List.of(h.current()));
        for (Edit e : drawing()) {
            states.add(h.apply(e));
            assertEquals(e.description(), h.undoDescription().orElseThrow());
        }
        h.markSaved();
        for (int i = states.size() - 2; i >= 0; i--) {
            assertEquals(states.get(i), h.undo(), "undo to step " + i);
            assertTrue(h.isDirty());
        }
        assertFalse(h.canUndo());
        for (int i = 1; i < states.size(); i++) {
            assertEquals(states.get(i), h.redo(), "redo to step " + i);
        }
        assertFalse(h.canRedo());
        assertFalse(h.isDirty(), "back at the saved state");
        h.undo();
        h.apply(CellEdits.removeInputChoice("cell", "n1"));
        assertTrue(h.canRedo(), "an edit that changes nothing (n1 has no InputChoice now) is not recorded");
        h.apply(CellEdits.renameNode("cell", "out", "o"));
        assertFalse(h.canRedo(), "a new edit drops the redo list");
        assertTrue(h.isDirty());
    }

    @Test
    void aCycleIsRefusedAtConnectingWithTheCycle() throws Exception {
        EditHistory h = drawn();
        SearchSpace before = h.current();
        EditException e = assertThrows(EditException.class, () -> h.apply(CellEdits.connect("cell", "n1", "n0", OpCall.of("identity"))));
        assertEquals("connecting n1 -> n0 would make a cycle: n0 -> n1 -> n0", e.getMessage());
        assertEquals(before, h.current(), "nothing changed");
        assertEquals("there is already an edge in0 -> n0",
                assertThrows(EditException.class, () -> h.apply(CellEdits.connect("cell", "in0", "n0", OpCall.of("identity")))).getMessage());
        assertTrue(assertThrows(EditException.class, () -> h.apply(CellEdits.connect("cell", "n0", "in1", OpCall.of("identity"))))
                .getMessage().startsWith("in1 is an input node"));
        assertTrue(assertThrows(EditException.class, () -> h.apply(CellEdits.connect("cell", "out", "n0", OpCall.of("identity"))))
                .getMessage().startsWith("out is the output node"));
    }

    @Test
    void keysAreSharedOnlyByChoicesOfTheSameKindAndOptions() throws Exception {
        EditHistory h = drawn();
        // The same key and candidates on another edge: the two decide together.
        h.apply(CellEdits.setOp("cell", "n0", "n1", THREE));
        assertEquals(2, h.current().mutables().stream().filter(m -> m.key().equals("e0")).count());
        EditException e = assertThrows(EditException.class, () -> h.apply(CellEdits.setOp("cell", "in1", "n1",
                LayerChoice.of("e0", List.of("sep_conv_3x3", "skip_connect")))));
        assertTrue(e.getMessage().startsWith("key 'e0' is shared with a LayerChoice of other candidates"), e.getMessage());
        e = assertThrows(EditException.class, () -> h.apply(CellEdits.makeInputChoice("cell", "n0", "e0", 1, Reduction.SUM)));
        assertEquals("key 'e0' belongs to a LayerChoice; an InputChoice cannot share it", e.getMessage());
        // Replacing an edge's own LayerChoice by one with other candidates is an edit of that edge, not a conflict
        // once it no longer shares the key.
        h.apply(CellEdits.setOp("cell", "n0", "n1", OpCall.of("max_pool_3x3")));
        h.apply(CellEdits.setOp("cell", "in0", "n0", LayerChoice.of("e0", List.of("sep_conv_3x3", "skip_connect"))));
        assertEquals(2, ((LayerChoice) h.current().cells().get("cell").edges().get(0).op()).candidates().size());
        e = assertThrows(EditException.class, () -> h.apply(CellEdits.makeInputChoice("cell", "out", "o", 1, Reduction.SUM)));
        assertEquals("out has 1 incoming edge: an InputChoice needs at least two to choose from", e.getMessage());
        e = assertThrows(EditException.class, () -> h.apply(CellEdits.makeInputChoice("cell", "n1", "n1_inputs", 3, Reduction.SUM)));
        assertEquals("n_chosen must be from 1 to 2 (the incoming edges of n1), got 3", e.getMessage());
    }

    @Test
    void deletingANodeTakesItsEdgesAndRenamingFollowsThem() throws Exception {
        EditHistory h = drawn();
        h.apply(CellEdits.renameNode("cell", "n0", "a"));
        Cell c = h.current().cells().get("cell");
        assertTrue(c.edges().stream().noneMatch(e -> e.from().equals("n0") || e.to().equals("n0")));
        assertEquals(3, c.edges().stream().filter(e -> e.from().equals("a") || e.to().equals("a")).count());
        h.apply(CellEdits.removeNodes("cell", List.of("a")));
        c = h.current().cells().get("cell");
        assertEquals(2, c.edges().size(), "in1 -> n1 and n1 -> out remain");
        assertEquals("cell cell already has a node named 'n1'",
                assertThrows(EditException.class, () -> h.apply(CellEdits.renameNode("cell", "in0", "n1"))).getMessage());
    }

    @Test
    void aDragIsOneUndoStepAndPositionsFollowRenamesAndDeletes() throws Exception {
        EditHistory h = drawn();
        SearchSpace before = h.current();
        h.apply(CellEdits.move("cell", Map.of("n0", new Point(120, 40), "n1", new Point(300.5, 80.25))));
        assertEquals(Map.of("n0", new Point(120, 40), "n1", new Point(300.5, 80.25)), h.current().positions("cell"));
        assertEquals("Move 2 nodes", h.undoDescription().orElseThrow());
        assertEquals(before, h.undo(), "one undo takes the whole drag back");
        h.redo();

        h.apply(CellEdits.renameNode("cell", "n0", "a"));
        assertEquals(new Point(120, 40), h.current().positions("cell").get("a"), "the renamed node stays where it was");
        assertFalse(h.current().positions("cell").containsKey("n0"));
        h.apply(CellEdits.removeNodes("cell", List.of("a")));
        assertEquals(Map.of("n1", new Point(300.5, 80.25)), h.current().positions("cell"), "a deleted node's position goes with it");
        assertEquals("cell cell has no node named 'ghost'",
                assertThrows(EditException.class, () -> h.apply(CellEdits.move("cell", Map.of("ghost", new Point(0, 0))))).getMessage());
    }

    @Test
    void undoingANodeDeletePutsItBackWhereItWasWithItsEdges() throws Exception {
        EditHistory h = drawn();
        h.apply(CellEdits.move("cell", Map.of("in0", new Point(0, 0), "in1", new Point(0, 200), "n0", new Point(200, 100),
                "n1", new Point(400, 100), "out", new Point(600, 100))));
        SearchSpace before = h.current();
        h.apply(CellEdits.removeNodes("cell", List.of("n0")));
        assertFalse(h.current().cells().get("cell").node("n0").isPresent());
        SearchSpace undone = h.undo();
        assertEquals(before, undone);
        Cell c = undone.cells().get("cell");
        assertEquals(List.of("in0", "in1", "n0", "n1", "out"), c.nodes().stream().map(Node::name).toList(), "n0 back before the output");
        assertEquals(new Point(200, 100), undone.positions("cell").get("n0"));
        assertEquals(before.cells().get("cell").edges(), c.edges());
    }
}

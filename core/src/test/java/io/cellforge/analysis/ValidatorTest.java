package io.cellforge.analysis;

import io.cellforge.space.Place;

import io.cellforge.space.Problem;

import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidatorTest {

    /** A one-cell network around {@code cell}: C=8 on 8x8 inputs. */
    static SearchSpace around(Cell cell) {
        Network net = new Network(new Shape(8, 8, 8), 10, 8, List.of(), List.of(Stage.cell("c", cell.name(), Role.NORMAL)),
                List.of(OpCall.of("gap"), OpCall.of("linear")), null, true);
        return new SearchSpace("t", "", net, Map.of(cell.name(), cell), Map.of(), Map.of(), Map.of());
    }

    static Cell cell(List<Node> mids, List<Edge> edges) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0")));
        nodes.addAll(mids);
        nodes.add(Node.output("out", Reduction.SUM));
        return new Cell("k", nodes, edges, Preprocess.NONE);
    }

    static void assertProblem(SearchSpace s, String place, String text) {
        List<Problem> ps = Validator.validate(s);
        assertTrue(ps.stream().anyMatch(p -> p.place().equals(place) && p.message().contains(text)),
                () -> "expected '" + place + ": ..." + text + "' in " + ps);
    }

    @Test
    void aCycleIsReportedWithItsNodes() {
        Cell c = cell(List.of(Node.intermediate("a"), Node.intermediate("b")), List.of(Edge.of("in0", "a", OpCall.of("identity")),
                Edge.of("a", "b", OpCall.of("identity")), Edge.of("b", "a", OpCall.of("identity")), Edge.of("b", "out", OpCall.of("identity"))));
        assertProblem(around(c), "cell k", "has a cycle: a -> b -> a");
    }

    @Test
    void unreachableAndUnusedNodesAreReported() {
        Cell c = cell(List.of(Node.intermediate("a"), Node.intermediate("lonely"), Node.intermediate("dead")),
                List.of(Edge.of("in0", "a", OpCall.of("identity")), Edge.of("lonely", "out", OpCall.of("identity")),
                        Edge.of("a", "out", OpCall.of("identity")), Edge.of("in0", "dead", OpCall.of("identity"))));
        assertProblem(around(c), "cell k, node lonely", "unreachable");
        assertProblem(around(c), "cell k, node dead", "unused");
    }

    @Test
    void nChosenLargerThanTheCandidatesIsAnError() {
        Node a = Node.intermediate("a").withInputChoice(new InputChoice("pick", 3, Reduction.SUM, false));
        Cell c = cell(List.of(Node.intermediate("b"), a), List.of(Edge.of("in0", "b", OpCall.of("identity")),
                Edge.of("in0", "a", OpCall.of("identity")), Edge.of("b", "a", OpCall.of("identity")), Edge.of("a", "out", OpCall.of("identity"))));
        assertProblem(around(c), "cell k, node a", "InputChoice 'pick' chooses 3 of 2 incoming edges");
    }

    @Test
    void unknownOpsAreReportedWithASuggestion() {
        Cell c = cell(List.of(Node.intermediate("a")), List.of(Edge.of("in0", "a", OpCall.of("sep_conv_3x4")),
                Edge.of("a", "out", OpCall.of("identity"))));
        assertProblem(around(c), "cell k, edge in0->a", "unknown op 'sep_conv_3x4' (did you mean 'sep_conv_3x3'?)");
    }

    @Test
    void sharedKeysMustHaveCompatibleCandidates() {
        Cell c = cell(List.of(Node.intermediate("a")), List.of(
                Edge.of("in0", "a", LayerChoice.of("op", List.of("sep_conv_3x3", "max_pool_3x3"))),
                Edge.of("in0", "a", LayerChoice.of("op", List.of("sep_conv_3x3", "avg_pool_3x3"))),
                Edge.of("a", "out", OpCall.of("identity"))));
        assertProblem(around(c), "cell k, edge in0->a", "key op is shared by LayerChoices with different candidates");
    }

    @Test
    void aStrideMismatchAtANodeNamesTheNode() {
        Cell c = cell(List.of(Node.intermediate("a")), List.of(new Edge("in0", "a", OpCall.of("sep_conv_3x3"), 2),
                Edge.of("in0", "a", OpCall.of("sep_conv_3x3")), Edge.of("a", "out", OpCall.of("identity"))));
        assertProblem(around(c), "cell k, node a", "incoming tensors disagree (8x4x4, 8x8x8)");
    }

    @Test
    void aChannelMismatchNamesTheEdgeAndTheOp() {
        // A pooling edge cannot widen 8 input channels to a 16-channel cell.
        Cell c = cell(List.of(Node.intermediate("a")), List.of(Edge.of("in0", "a", LayerChoice.of("e", List.of("sep_conv_3x3", "max_pool_3x3"))),
                Edge.of("a", "out", OpCall.of("identity"))));
        SearchSpace s = around(c);
        s = s.withNetwork(s.network().withChannels(16));
        assertProblem(s, "cell k, edge in0->a", "max_pool_3x3: max_pool_3x3 cannot change channels (8 -> 16)");
    }

    @Test
    void differentShapesAmongCandidatesAreReported() {
        SearchSpace s = around(cell(List.of(Node.intermediate("a")), List.of(
                Edge.of("in0", "a", LayerChoice.of("e", List.of("sep_conv_3x3", "factorized_reduce"))),
                Edge.of("a", "out", OpCall.of("identity")))));
        assertProblem(s, "cell k, edge in0->a", "candidates disagree: sep_conv_3x3 gives 8x8x8 but factorized_reduce gives 8x4x4");
    }

    @Test
    void problemsCarryTheirPlaceAsAStructureAndReadAsBefore() {
        SearchSpace s = io.cellforge.zoo.Zoo.get("darts-search").orElseThrow();
        io.cellforge.space.Cell normal = s.cells().get("normal");
        io.cellforge.space.Edge e = normal.edges().get(0);
        List<Edge> edges = new ArrayList<>(normal.edges());
        edges.set(0, new Edge(e.from(), e.to(), OpCall.of("nothing"), e.stride()));
        List<Problem> ps = Validator.validate(s.withCell(normal.withEdges(edges)));
        Problem p = ps.stream().filter(x -> x.message().contains("unknown op 'nothing'")).findFirst().orElseThrow(() -> new AssertionError(ps));
        assertEquals(Place.edge("normal", e.from(), e.to()), p.at());
        assertEquals("cell normal, edge " + e.from() + "->" + e.to(), p.place());
        assertTrue(p.toString().startsWith("cell normal, edge " + e.from() + "->" + e.to() + ": unknown op 'nothing'"), p.toString());
        assertEquals("stage 2 (reduce 1), repeat", Place.stage(2, "reduce 1").detail(", repeat").toString());
        assertEquals(Place.stage(2, "reduce 1"), Place.stage(2, "reduce 1").detail(", repeat").revealed());
    }
}

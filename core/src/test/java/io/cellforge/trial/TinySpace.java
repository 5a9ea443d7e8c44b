package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A one-cell DARTS-like space for the 8x8 digits: two nodes, each keeping 1 of its inputs, four ops per edge. */
public final class TinySpace {
    static final List<String> OPS = List.of("none", "max_pool_3x3", "skip_connect", "sep_conv_3x3");

    private TinySpace() {
    }

    public static SearchSpace space() {
        List<Node> nodes = List.of(Node.input("in0"),
                Node.intermediate("n1").withInputChoice(new InputChoice("n1_switch", 1, Reduction.SUM, false)),
                Node.intermediate("n2").withInputChoice(new InputChoice("n2_switch", 1, Reduction.SUM, false)),
                Node.output("out", Reduction.CONCAT));
        List<Edge> edges = new ArrayList<>();
        edges.add(Edge.of("in0", "n1", LayerChoice.of("n1_p0", OPS)));
        edges.add(Edge.of("in0", "n2", LayerChoice.of("n2_p0", OPS)));
        edges.add(Edge.of("n1", "n2", LayerChoice.of("n2_p1", OPS)));
        edges.add(Edge.of("n1", "out", OpCall.of("identity")));
        edges.add(Edge.of("n2", "out", OpCall.of("identity")));
        Cell c = new Cell("cell", nodes, edges, Preprocess.DARTS);
        Network net = new Network(new Shape(1, 8, 8), 10, 8, List.of(List.of(OpCall.of("conv", "out", 16), OpCall.of("bn", "affine", 1))),
                List.of(Stage.cell("cell", "cell", Role.NORMAL)), List.of(OpCall.of("relu"), OpCall.of("gap"), OpCall.of("linear")), null, false);
        return new SearchSpace("tiny", "", net, Map.of("cell", c), Map.of(), Map.of(), Map.of());
    }

    /** Node 1 from the input by {@code op1}, node 2 from node 1 by {@code op2}. */
    static Architecture arch(String op1, String op2) {
        return new Architecture(Map.of("n1_switch", new Decision.Inputs(List.of(0)), "n1_p0", new Decision.Op(op1),
                "n2_switch", new Decision.Inputs(List.of(1)), "n2_p1", new Decision.Op(op2)));
    }
}

package io.cellforge.zoo;

import io.cellforge.arch.Genotype;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DARTS-style cells: inputs {@code in0, in1}, intermediate nodes {@code n2..}, output {@code out} concatenating
 * intermediate nodes. Keys follow NNI's DartsCell ({@code normal_n2_p0}, {@code normal_n2_switch}) so exported
 * choice dicts read like NNI's.
 */
public final class DartsCells {
    private DartsCells() {
    }

    /**
     * What a genotype's op names mean, by the peer whose {@code OPS} table builds it: the DARTS names as Cellforge's
     * catalog has them (quark0/darts, PC-DARTS, P-DARTS, RobustDARTS, AutoDL-Projects, GDAS, NNI's CDARTS), or SNAS's,
     * whose pools carry a BN.
     */
    public static final Map<String, Map<String, String>> OP_TABLES = Map.of(
            "darts", Map.of(),
            "snas", Map.of("max_pool_3x3", "snas_max_pool_3x3", "avg_pool_3x3", "snas_avg_pool_3x3"));

    public static String node(int i) {
        return i == 0 ? "in0" : i == 1 ? "in1" : "n" + i;
    }

    public static String opKey(String cell, int node, int from) {
        return cell + "_n" + node + "_p" + from;
    }

    public static String switchKey(String cell, int node) {
        return cell + "_n" + node + "_switch";
    }

    /** The search cell: every earlier node feeds every intermediate node through a LayerChoice; each node keeps two. */
    public static Cell search(String name, boolean reduction, int steps, List<String> ops) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0"), Node.input("in1")));
        List<Edge> edges = new ArrayList<>();
        for (int i = 2; i < steps + 2; i++) {
            nodes.add(Node.intermediate(node(i)).withInputChoice(
                    new InputChoice(switchKey(name, i), 2, Reduction.SUM, false)));
            for (int j = 0; j < i; j++) {
                edges.add(new Edge(node(j), node(i), LayerChoice.of(opKey(name, i, j), ops), reduction && j < 2 ? 2 : 1));
            }
        }
        nodes.add(Node.output("out", Reduction.CONCAT));
        for (int i = 2; i < steps + 2; i++) {
            edges.add(Edge.of(node(i), "out", OpCall.of("identity")));
        }
        return new Cell(name, nodes, edges, Preprocess.DARTS);
    }

    /** A fixed cell from one half of a genotype, as the DARTS repository's {@code Cell._compile} builds it. */
    public static Cell fixed(String name, boolean reduction, List<Genotype.Op> ops, List<Integer> concat) {
        return fixed(name, reduction, ops, Genotype.pairs(ops.size()), concat, Map.of());
    }

    /**
     * A fixed cell whose node {@code i} sums the next {@code inputs[i]} edges of {@code ops} (two in DARTS; SNAS's
     * edge_all and pt.darts nested lists have others); an edge from a cell input of a reduction cell has stride 2.
     */
    public static Cell fixed(String name, boolean reduction, List<Genotype.Op> ops, List<Integer> inputs, List<Integer> concat,
                             Map<String, String> opTable) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0"), Node.input("in1")));
        List<Edge> edges = new ArrayList<>();
        List<List<Genotype.Op>> perNode = Genotype.nodes(ops, inputs);
        for (int i = 0; i < perNode.size(); i++) {
            nodes.add(Node.intermediate(node(i + 2)));
            for (Genotype.Op op : perNode.get(i)) {
                edges.add(new Edge(node(op.input()), node(i + 2), OpCall.of(opTable.getOrDefault(op.name(), op.name())),
                        reduction && op.input() < 2 ? 2 : 1));
            }
        }
        nodes.add(Node.output("out", Reduction.CONCAT));
        for (int c : concat) {
            edges.add(Edge.of(node(c), "out", OpCall.of("identity")));
        }
        return new Cell(name, nodes, edges, Preprocess.DARTS);
    }

    /**
     * GDAS's reduction cell for {@code reduce=None} (lib/nas/construct_utils.py, Transition): after the DARTS
     * preprocessing, a factorized conv and a max-pool from each input, concatenated.
     */
    public static Cell gdasReduction(String name) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0"), Node.input("in1")));
        List<Edge> edges = new ArrayList<>();
        String[] ops = {"gdas_reduce_conv", "gdas_reduce_conv", "gdas_reduce_pool", "gdas_reduce_pool"};
        for (int i = 0; i < 4; i++) {
            nodes.add(Node.intermediate(node(i + 2)));
            edges.add(new Edge(node(i % 2), node(i + 2), OpCall.of(ops[i]), 2));
        }
        nodes.add(Node.output("out", Reduction.CONCAT));
        for (int i = 0; i < 4; i++) {
            edges.add(Edge.of(node(i + 2), "out", OpCall.of("identity")));
        }
        return new Cell(name, nodes, edges, Preprocess.DARTS);
    }
}

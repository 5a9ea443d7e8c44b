package io.cellforge.space;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A DAG of tensors: one or two input nodes (the outputs of the previous cells), intermediate nodes, and one
 * output node. Its width C is set by the network; every op maps to C channels (after preprocessing).
 *
 * <p>A value class (equal when name, nodes, edges and preprocessing are) rather than a record so that it can keep
 * its lookups by node name: cells of many thousand nodes are walked node by node, and a scan of every edge per
 * node made those walks quadratic.
 */
public final class Cell {
    private final String name;
    private final List<Node> nodes;
    private final List<Edge> edges;
    private final Preprocess preprocess;
    /** Built on first use; immutable, so a race only builds it twice. */
    private volatile Index index;

    private record Index(Map<String, Node> byName, Map<String, List<Edge>> incoming, Map<String, List<Edge>> outgoing,
                         List<Node> inputs, List<Node> intermediates, Optional<Node> output) {
    }

    public Cell(String name, List<Node> nodes, List<Edge> edges, Preprocess preprocess) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.edges = List.copyOf(edges);
        this.preprocess = preprocess == null ? Preprocess.NONE : preprocess;
    }

    public String name() {
        return name;
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<Edge> edges() {
        return edges;
    }

    public Preprocess preprocess() {
        return preprocess;
    }

    private Index index() {
        Index i = index;
        if (i == null) {
            Map<String, Node> byName = new HashMap<>();
            for (Node n : nodes) {
                byName.putIfAbsent(n.name(), n); // the first of a duplicated name, as a scan would find it
            }
            Map<String, List<Edge>> in = new HashMap<>();
            Map<String, List<Edge>> out = new HashMap<>();
            for (Edge e : edges) {
                in.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e);
                out.computeIfAbsent(e.from(), k -> new ArrayList<>()).add(e);
            }
            in.replaceAll((k, v) -> List.copyOf(v));
            out.replaceAll((k, v) -> List.copyOf(v));
            i = new Index(byName, in, out,
                    nodes.stream().filter(n -> n.kind() == NodeKind.INPUT).toList(),
                    nodes.stream().filter(n -> n.kind() == NodeKind.INTERMEDIATE).toList(),
                    nodes.stream().filter(n -> n.kind() == NodeKind.OUTPUT).findFirst());
            index = i;
        }
        return i;
    }

    public List<Node> inputs() {
        return index().inputs();
    }

    public List<Node> intermediates() {
        return index().intermediates();
    }

    public Optional<Node> output() {
        return index().output();
    }

    public Optional<Node> node(String name) {
        return Optional.ofNullable(index().byName().get(name));
    }

    /** Incoming edges of a node in list order: the candidate order of its InputChoice. */
    public List<Edge> incoming(String node) {
        return index().incoming().getOrDefault(node, List.of());
    }

    /** The edge from one node to another (a cell has at most one). */
    public Optional<Edge> edge(String from, String to) {
        return outgoing(from).stream().filter(e -> e.to().equals(to)).findFirst();
    }

    public List<Edge> outgoing(String node) {
        return index().outgoing().getOrDefault(node, List.of());
    }

    /** Index of a node among inputs and intermediates, as DARTS genotypes count them (inputs 0 and 1). */
    public int stateIndex(String node) {
        int i = 0;
        for (Node n : nodes) {
            if (n.kind() == NodeKind.OUTPUT) {
                continue;
            }
            if (n.name().equals(node)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** Every mutable in the cell, in the order a reader meets them (nodes, then edges). */
    public List<Mutable> mutables() {
        List<Mutable> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.kind() == NodeKind.OUTPUT) {
                continue;
            }
            for (Edge e : incoming(n.name())) {
                if (e.op() instanceof LayerChoice lc) {
                    out.add(lc);
                }
            }
            if (n.inputChoice() != null) {
                out.add(n.inputChoice());
            }
        }
        output().ifPresent(o -> {
            for (Edge e : incoming(o.name())) {
                if (e.op() instanceof LayerChoice lc) {
                    out.add(lc);
                }
            }
            if (o.inputChoice() != null) {
                out.add(o.inputChoice());
            }
        });
        return out;
    }

    /** The label an InputChoice candidate goes by in exported descriptions: the edge's LayerChoice key, else its source. */
    public static String candidateLabel(Edge e) {
        return e.op() instanceof LayerChoice lc ? lc.key() : e.from();
    }

    public Cell withNodes(List<Node> n) {
        return new Cell(name, n, edges, preprocess);
    }

    public Cell withEdges(List<Edge> e) {
        return new Cell(name, nodes, e, preprocess);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cell c && Objects.equals(name, c.name) && nodes.equals(c.nodes) && edges.equals(c.edges)
                && preprocess == c.preprocess;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, nodes, edges, preprocess);
    }

    @Override
    public String toString() {
        return "Cell[name=" + name + ", nodes=" + nodes + ", edges=" + edges + ", preprocess=" + preprocess + "]";
    }
}

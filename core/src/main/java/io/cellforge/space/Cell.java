package io.cellforge.space;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A DAG of tensors: one or two input nodes (the outputs of the previous cells), intermediate nodes, and one
 * output node. Its width C is set by the network; every op maps to C channels (after preprocessing).
 */
public record Cell(String name, List<Node> nodes, List<Edge> edges, Preprocess preprocess) {
    public Cell {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
        preprocess = preprocess == null ? Preprocess.NONE : preprocess;
    }

    public List<Node> inputs() {
        return nodes.stream().filter(n -> n.kind() == NodeKind.INPUT).toList();
    }

    public List<Node> intermediates() {
        return nodes.stream().filter(n -> n.kind() == NodeKind.INTERMEDIATE).toList();
    }

    public Optional<Node> output() {
        return nodes.stream().filter(n -> n.kind() == NodeKind.OUTPUT).findFirst();
    }

    public Optional<Node> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** Incoming edges of a node in list order: the candidate order of its InputChoice. */
    public List<Edge> incoming(String node) {
        return edges.stream().filter(e -> e.to().equals(node)).toList();
    }

    /** The edge from one node to another (a cell has at most one). */
    public Optional<Edge> edge(String from, String to) {
        return edges.stream().filter(e -> e.from().equals(from) && e.to().equals(to)).findFirst();
    }

    public List<Edge> outgoing(String node) {
        return edges.stream().filter(e -> e.from().equals(node)).toList();
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
        Map<String, Node> byName = new LinkedHashMap<>();
        nodes.forEach(n -> byName.put(n.name(), n));
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
}

package io.cellforge.space;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A network with places to choose: the model every part of Cellforge reads and writes. {@code meta} holds
 * free-form settings other tools asked for (e.g. ModularNAS's preferred mixed op) so that nothing read is lost.
 * {@code positions} is where the designer drew the nodes of each cell (cell name to node name to point); only the
 * designer reads it, and it holds positions of existing nodes only, so that a deleted node's position goes with it.
 */
public record SearchSpace(String name, String description, Network network, Map<String, Cell> cells,
                          Map<String, ValueChoice> values, Map<String, UserOp> userOps, Map<String, String> meta,
                          Map<String, Map<String, Point>> positions) {
    public SearchSpace {
        cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        userOps = Collections.unmodifiableMap(new LinkedHashMap<>(userOps));
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        description = description == null ? "" : description;
        Map<String, Map<String, Point>> kept = new LinkedHashMap<>();
        for (var e : (positions == null ? Map.<String, Map<String, Point>>of() : positions).entrySet()) {
            Cell c = cells.get(e.getKey());
            if (c == null) {
                continue;
            }
            // In the cell's node order, whatever order they came in: a saved file is the same for the same drawing.
            Map<String, Point> p = new LinkedHashMap<>();
            for (Node n : c.nodes()) {
                Point at = e.getValue().get(n.name());
                if (at != null) {
                    p.put(n.name(), at);
                }
            }
            if (!p.isEmpty()) {
                kept.put(e.getKey(), Collections.unmodifiableMap(p));
            }
        }
        positions = Collections.unmodifiableMap(kept);
    }

    /** A space the designer has drawn nothing of. */
    public SearchSpace(String name, String description, Network network, Map<String, Cell> cells,
                       Map<String, ValueChoice> values, Map<String, UserOp> userOps, Map<String, String> meta) {
        this(name, description, network, cells, values, userOps, meta, Map.of());
    }

    /** Where the nodes of a cell are drawn (empty when the designer never placed them). */
    public Map<String, Point> positions(String cell) {
        return positions.getOrDefault(cell, Map.of());
    }

    /** The same space with these nodes of a cell drawn at new points (the others where they were). */
    public SearchSpace withPositions(String cell, Map<String, Point> moved) {
        Map<String, Map<String, Point>> all = new LinkedHashMap<>(positions);
        Map<String, Point> p = new LinkedHashMap<>(positions(cell));
        p.putAll(moved);
        all.put(cell, p);
        return new SearchSpace(name, description, network, cells, values, userOps, meta, all);
    }

    /** All mutables of the space, cells in order then blocks then values; the same key may appear more than once. */
    public List<Mutable> mutables() {
        List<Mutable> out = new ArrayList<>();
        for (Cell c : cells.values()) {
            out.addAll(c.mutables());
        }
        for (Stage s : network.stages()) {
            if (s.op() instanceof LayerChoice lc) {
                out.add(lc);
            }
        }
        out.addAll(values.values());
        return out;
    }

    /** One mutable per key, first occurrence. */
    public Map<String, Mutable> mutablesByKey() {
        Map<String, Mutable> m = new LinkedHashMap<>();
        for (Mutable x : mutables()) {
            m.putIfAbsent(x.key(), x);
        }
        return m;
    }

    /** The candidate inputs of an InputChoice key: the incoming edges of the (first) node it sits on, in order. */
    public List<Edge> inputCandidates(String key) {
        for (Cell c : cells.values()) {
            for (Node n : c.nodes()) {
                if (n.inputChoice() != null && n.inputChoice().key().equals(key)) {
                    return c.incoming(n.name());
                }
            }
        }
        return List.of();
    }

    public boolean isFixed() {
        return mutables().isEmpty();
    }

    public SearchSpace withNetwork(Network n) {
        return new SearchSpace(name, description, n, cells, values, userOps, meta, positions);
    }

    public SearchSpace withCells(Map<String, Cell> c) {
        return new SearchSpace(name, description, network, c, values, userOps, meta, positions);
    }

    public SearchSpace withCell(Cell c) {
        Map<String, Cell> m = new LinkedHashMap<>(cells);
        m.put(c.name(), c);
        return withCells(m);
    }

    public SearchSpace withValues(Map<String, ValueChoice> v) {
        return new SearchSpace(name, description, network, cells, v, userOps, meta, positions);
    }

    public SearchSpace withName(String n) {
        return new SearchSpace(n, description, network, cells, values, userOps, meta, positions);
    }

    public SearchSpace withMeta(Map<String, String> m) {
        return new SearchSpace(name, description, network, cells, values, userOps, m, positions);
    }

    /**
     * The same space with every op rewritten: cell edges (a LayerChoice's candidates one by one), block stages,
     * stem, head, auxiliary head, weight generators and user ops. Renaming a key or fixing a ValueChoice goes through here so that
     * no place holding an op is forgotten.
     */
    public SearchSpace mapOps(UnaryOperator<OpCall> f) {
        UnaryOperator<EdgeOp> edgeOp = op -> op instanceof LayerChoice lc
                ? new LayerChoice(lc.key(), lc.candidates().stream().map(f).toList()) : f.apply((OpCall) op);
        Map<String, Cell> c = new LinkedHashMap<>();
        cells.forEach((k, cell) -> c.put(k, cell.withEdges(cell.edges().stream()
                .map(e -> new Edge(e.from(), e.to(), edgeOp.apply(e.op()), e.stride())).toList())));
        Network n = network;
        List<Stage> stages = n.stages().stream().map(st -> st.op() == null ? st : st.withOp(edgeOp.apply(st.op()))).toList();
        Network.Auxiliary aux = n.auxiliary() == null ? null : new Network.Auxiliary(n.auxiliary().after(), f.apply(n.auxiliary().op()));
        Map<String, List<OpCall>> generators = new LinkedHashMap<>();
        n.context().generators().forEach((k, seq) -> generators.put(k, seq.stream().map(f).toList()));
        Network net = new Network(n.input(), n.classes(), n.channels(),
                n.stem().stream().map(seq -> seq.stream().map(f).toList()).toList(), stages,
                n.head().stream().map(f).toList(), aux, n.affine(), new Network.Context(n.context().features(), generators));
        Map<String, UserOp> u = new LinkedHashMap<>();
        userOps.forEach((k, op) -> u.put(k, new UserOp(op.name(), op.description(), op.layers().stream().map(f).toList())));
        return new SearchSpace(name, description, net, c, values, u, meta, positions);
    }

    /** The same space with every numeric parameter rewritten: op parameters and the stages' own settings. */
    public SearchSpace mapParams(UnaryOperator<Param> f) {
        SearchSpace s = mapOps(op -> {
            Map<String, Param> m = new LinkedHashMap<>();
            op.params().forEach((k, p) -> m.put(k, f.apply(p)));
            return new OpCall(op.op(), m);
        });
        UnaryOperator<Param> g = p -> p == null ? null : f.apply(p);
        List<Stage> stages = s.network.stages().stream().map(st -> new Stage(st.name(), st.kind(), st.cell(), st.op(),
                st.role(), g.apply(st.channels()), g.apply(st.widen()), g.apply(st.stride()), g.apply(st.repeat()),
                st.residual())).toList();
        return s.withNetwork(s.network.withStages(stages));
    }
}

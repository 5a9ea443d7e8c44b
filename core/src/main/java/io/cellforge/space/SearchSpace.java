package io.cellforge.space;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network with places to choose: the model every part of Cellforge reads and writes. {@code meta} holds
 * free-form settings other tools asked for (e.g. ModularNAS's preferred mixed op) so that nothing read is lost.
 */
public record SearchSpace(String name, String description, Network network, Map<String, Cell> cells,
                          Map<String, ValueChoice> values, Map<String, UserOp> userOps, Map<String, String> meta) {
    public SearchSpace {
        cells = Collections.unmodifiableMap(new LinkedHashMap<>(cells));
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        userOps = Collections.unmodifiableMap(new LinkedHashMap<>(userOps));
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        description = description == null ? "" : description;
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
        return new SearchSpace(name, description, n, cells, values, userOps, meta);
    }

    public SearchSpace withCells(Map<String, Cell> c) {
        return new SearchSpace(name, description, network, c, values, userOps, meta);
    }

    public SearchSpace withCell(Cell c) {
        Map<String, Cell> m = new LinkedHashMap<>(cells);
        m.put(c.name(), c);
        return withCells(m);
    }

    public SearchSpace withValues(Map<String, ValueChoice> v) {
        return new SearchSpace(name, description, network, cells, v, userOps, meta);
    }

    public SearchSpace withName(String n) {
        return new SearchSpace(n, description, network, cells, values, userOps, meta);
    }

    public SearchSpace withMeta(Map<String, String> m) {
        return new SearchSpace(name, description, network, cells, values, userOps, m);
    }
}

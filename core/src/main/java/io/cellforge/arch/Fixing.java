package io.cellforge.arch;

import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The network an architecture picks out of a space, as a space with no choices left: each LayerChoice becomes
 * its chosen op, each InputChoice keeps only its chosen incoming edges, each {@code $key} becomes its value.
 * What the designer opens after importing an architecture, and what a search's result is retrained as.
 */
public final class Fixing {
    private Fixing() {
    }

    public static SearchSpace fix(SearchSpace space, Architecture arch) throws FormatException {
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (Cell c : space.cells().values()) {
            List<Edge> dropped = new ArrayList<>();
            List<Node> nodes = new ArrayList<>();
            for (Node n : c.nodes()) {
                if (n.inputChoice() == null) {
                    nodes.add(n);
                    continue;
                }
                String key = n.inputChoice().key();
                String where = "cell " + c.name() + ", node " + n.name();
                Decision d = arch.get(key).orElseThrow(() -> new FormatException(where, "the architecture has no decision for InputChoice '" + key + "'"));
                if (!(d instanceof Decision.Inputs in)) {
                    throw new FormatException(where, "'" + key + "' is an InputChoice but the architecture decides " + d);
                }
                List<Edge> incoming = c.incoming(n.name());
                for (int i : in.indices()) {
                    if (i < 0 || i >= incoming.size()) {
                        throw new FormatException(where, "chosen input " + i + " of '" + key + "' is out of range (0.." + (incoming.size() - 1) + ")");
                    }
                }
                for (int i = 0; i < incoming.size(); i++) {
                    if (!in.indices().contains(i)) {
                        dropped.add(incoming.get(i));
                    }
                }
                nodes.add(new Node(n.name(), n.kind(), n.reduction(), null, n.looseEnds()));
            }
            // An edge an InputChoice did not choose is gone, so its LayerChoice needs no decision.
            List<Edge> edges = new ArrayList<>();
            for (Edge e : c.edges()) {
                if (!dropped.contains(e)) {
                    edges.add(new Edge(e.from(), e.to(), chosen(e.op(), arch, "cell " + c.name() + ", edge " + e.label()), e.stride()));
                }
            }
            cells.put(c.name(), new Cell(c.name(), nodes, edges, c.preprocess()));
        }
        List<Stage> stages = new ArrayList<>();
        for (Stage st : space.network().stages()) {
            stages.add(st.op() == null ? st : st.withOp(chosen(st.op(), arch, "stage " + st.name())));
        }
        SearchSpace s = space.withCells(cells).withNetwork(space.network().withStages(stages));
        Map<String, Double> values = new LinkedHashMap<>();
        for (var v : space.values().values()) {
            Decision d = arch.get(v.key()).orElseThrow(() -> new FormatException("values", "the architecture has no decision for ValueChoice '" + v.key() + "'"));
            if (!(d instanceof Decision.Value val) || !v.candidates().contains(val.value())) {
                throw new FormatException("values", "'" + v.key() + "' must be one of " + v.labels() + ", the architecture decides " + d);
            }
            values.put(v.key(), val.value());
        }
        return s.mapParams(p -> p.isRef() && values.containsKey(p.ref()) ? Param.of(values.get(p.ref())) : p).withValues(Map.of());
    }

    /**
     * The keys an architecture must decide and does not, in the space's order: every InputChoice, every
     * LayerChoice on an edge its node's InputChoice keeps (or on a stage), every ValueChoice. Empty when
     * {@link #fix} has all it needs.
     */
    public static List<String> undecided(SearchSpace space, Architecture arch) {
        Set<String> out = new LinkedHashSet<>();
        for (Cell c : space.cells().values()) {
            List<Edge> dropped = new ArrayList<>();
            for (Node n : c.nodes()) {
                if (n.inputChoice() == null) {
                    continue;
                }
                List<Edge> incoming = c.incoming(n.name());
                var d = arch.get(n.inputChoice().key());
                if (d.isEmpty()) {
                    out.add(n.inputChoice().key());
                } else if (d.get() instanceof Decision.Inputs in) {
                    for (int i = 0; i < incoming.size(); i++) {
                        if (!in.indices().contains(i)) {
                            dropped.add(incoming.get(i));
                        }
                    }
                }
            }
            for (Edge e : c.edges()) {
                if (e.op() instanceof LayerChoice lc && !dropped.contains(e) && arch.get(lc.key()).isEmpty()) {
                    out.add(lc.key());
                }
            }
        }
        for (Stage st : space.network().stages()) {
            if (st.op() instanceof LayerChoice lc && arch.get(lc.key()).isEmpty()) {
                out.add(lc.key());
            }
        }
        for (String k : space.values().keySet()) {
            if (arch.get(k).isEmpty()) {
                out.add(k);
            }
        }
        return List.copyOf(out);
    }

    private static EdgeOp chosen(EdgeOp op, Architecture arch, String where) throws FormatException {
        if (!(op instanceof LayerChoice lc)) {
            return op;
        }
        Decision d = arch.get(lc.key()).orElseThrow(() -> new FormatException(where, "the architecture has no decision for LayerChoice '" + lc.key() + "'"));
        if (!(d instanceof Decision.Op o) || lc.indexOf(o.label()) < 0) {
            throw new FormatException(where, "'" + lc.key() + "' must be one of " + lc.labels() + ", the architecture decides " + d);
        }
        OpCall c = lc.candidates().get(lc.indexOf(o.label()));
        return c;
    }
}

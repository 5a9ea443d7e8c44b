package io.cellforge.app;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What is selected in the open cell: nodes by name, edges by their two ends. Immutable. */
public record Selection(Set<String> nodes, Set<List<String>> edges) {
    public Selection(java.util.Collection<String> nodes, Set<List<String>> edges) {
        this(Set.copyOf(nodes), edges);
    }

    public static final Selection NONE = new Selection(Set.of(), Set.of());

    public Selection {
        nodes = Set.copyOf(new LinkedHashSet<>(nodes));
        edges = Set.copyOf(edges);
    }

    public static Selection node(String n) {
        return new Selection(Set.of(n), Set.of());
    }

    public static Selection edge(String from, String to) {
        return new Selection(Set.of(), Set.of(List.of(from, to)));
    }

    public boolean isEmpty() {
        return nodes.isEmpty() && edges.isEmpty();
    }

    /** Shift-click: adds the node, or takes it out when it was selected. */
    public Selection toggleNode(String n) {
        Set<String> s = new LinkedHashSet<>(nodes);
        if (!s.remove(n)) {
            s.add(n);
        }
        return new Selection(s, edges);
    }

    public Selection toggleEdge(List<String> e) {
        Set<List<String>> s = new LinkedHashSet<>(edges);
        if (!s.remove(e)) {
            s.add(e);
        }
        return new Selection(nodes, s);
    }

    public Selection union(Selection o) {
        Set<String> n = new LinkedHashSet<>(nodes);
        n.addAll(o.nodes);
        Set<List<String>> e = new LinkedHashSet<>(edges);
        e.addAll(o.edges);
        return new Selection(n, e);
    }
}

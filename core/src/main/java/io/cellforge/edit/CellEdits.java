package io.cellforge.edit;

import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Point;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The edits of a cell the designer offers: nodes, connections, ops, and the mutables on them. Every edit
 * checks what would make the cell impossible at the moment it is made (a cycle, an edge into an input node, a
 * key already taken by another kind of choice), so that the drawing is never in a state the model refuses.
 * Edges are named by their two ends: a cell has at most one edge from a node to another.
 */
public final class CellEdits {
    private CellEdits() {
    }

    public static Edit addNode(String cell, Node node) {
        return Edit.of("Add node " + node.name(), s -> {
            Cell c = cell(s, cell);
            if (c.node(node.name()).isPresent()) {
                throw new EditException("cell " + cell + " already has a node named '" + node.name() + "'");
            }
            if (node.kind() == NodeKind.OUTPUT && c.output().isPresent()) {
                throw new EditException("cell " + cell + " already has an output node, " + c.output().get().name());
            }
            List<Node> nodes = new ArrayList<>(c.nodes());
            // Inputs first, the output last: the order readers and genotypes count states in.
            int at = switch (node.kind()) {
                case INPUT -> (int) c.nodes().stream().filter(n -> n.kind() == NodeKind.INPUT).count();
                case OUTPUT -> nodes.size();
                default -> c.output().map(nodes::indexOf).orElse(nodes.size());
            };
            nodes.add(at, node);
            return s.withCell(c.withNodes(nodes));
        });
    }

    /** Removes nodes with every edge that touches them. */
    public static Edit removeNodes(String cell, Collection<String> names) {
        Set<String> gone = new LinkedHashSet<>(names);
        return Edit.of(gone.size() == 1 ? "Delete node " + gone.iterator().next() : "Delete " + gone.size() + " nodes", s -> {
            Cell c = cell(s, cell);
            for (String n : gone) {
                node(c, n);
            }
            List<Node> nodes = c.nodes().stream().filter(n -> !gone.contains(n.name())).toList();
            List<Edge> edges = c.edges().stream().filter(e -> !gone.contains(e.from()) && !gone.contains(e.to())).toList();
            return s.withCell(new Cell(c.name(), nodes, edges, c.preprocess()));
        });
    }

    public static Edit renameNode(String cell, String from, String to) {
        return Edit.of("Rename node " + from + " to " + to, s -> {
            Cell c = cell(s, cell);
            Node n = node(c, from);
            if (to == null || to.isBlank() || !to.strip().equals(to)) {
                throw new EditException("a node name must not be empty or start or end with a space");
            }
            if (!from.equals(to) && c.node(to).isPresent()) {
                throw new EditException("cell " + cell + " already has a node named '" + to + "'");
            }
            List<Node> nodes = c.nodes().stream()
                    .map(x -> x == n ? new Node(to, n.kind(), n.merge(), n.inputChoice(), n.looseEnds()) : x).toList();
            List<Edge> edges = c.edges().stream().map(e -> new Edge(e.from().equals(from) ? to : e.from(),
                    e.to().equals(from) ? to : e.to(), e.op(), e.stride())).toList();
            Point at = s.positions(cell).get(from);
            SearchSpace renamed = s.withCell(new Cell(c.name(), nodes, edges, c.preprocess()));
            // The node keeps its place on the canvas under its new name.
            return at == null ? renamed : renamed.withPositions(cell, Map.of(to, at));
        });
    }

    /** Draws nodes of a cell at new points (top-left corners): one drag of the designer, one undo step. */
    public static Edit move(String cell, Map<String, Point> to) {
        Map<String, Point> moved = Map.copyOf(to);
        return Edit.of(moved.size() == 1 ? "Move node " + moved.keySet().iterator().next() : "Move " + moved.size() + " nodes", s -> {
            Cell c = cell(s, cell);
            for (String n : moved.keySet()) {
                node(c, n);
            }
            return s.withPositions(cell, moved);
        });
    }

    /** An edge {@code from -> to} carrying {@code op}; refused when it would close a cycle, with the cycle. */
    public static Edit connect(String cell, String from, String to, EdgeOp op) {
        return Edit.of("Connect " + from + " -> " + to, s -> {
            Cell c = cell(s, cell);
            Node a = node(c, from);
            Node b = node(c, to);
            if (from.equals(to)) {
                throw new EditException("a node cannot feed itself (" + from + ")");
            }
            if (b.kind() == NodeKind.INPUT) {
                throw new EditException(to + " is an input node: it takes the previous cells' outputs, not edges");
            }
            if (a.kind() == NodeKind.OUTPUT) {
                throw new EditException(from + " is the output node: nothing in the cell comes after it");
            }
            if (edge(c, from, to) >= 0) {
                throw new EditException("there is already an edge " + from + " -> " + to);
            }
            List<String> back = path(c, to, from);
            if (!back.isEmpty()) {
                throw new EditException("connecting " + from + " -> " + to + " would make a cycle: "
                        + String.join(" -> ", back) + " -> " + to);
            }
            if (op instanceof LayerChoice lc) {
                checkKey(s, lc);
            }
            List<Edge> edges = new ArrayList<>(c.edges());
            // An input of a reduction cell is twice the size of the cell's own tensors: its ops halve it.
            int stride = a.kind() == NodeKind.INPUT && usedAsReduction(s, cell) ? 2 : 1;
            edges.add(new Edge(from, to, op, stride));
            return s.withCell(c.withEdges(edges));
        });
    }

    public static Edit removeEdges(String cell, Collection<List<String>> ends) {
        List<List<String>> list = List.copyOf(ends);
        return Edit.of(list.size() == 1 ? "Delete edge " + list.get(0).get(0) + " -> " + list.get(0).get(1)
                : "Delete " + list.size() + " edges", s -> {
            Cell c = cell(s, cell);
            Set<Integer> drop = new java.util.HashSet<>();
            for (List<String> e : list) {
                drop.add(edgeIndex(c, e.get(0), e.get(1)));
            }
            List<Edge> edges = new ArrayList<>();
            for (int i = 0; i < c.edges().size(); i++) {
                if (!drop.contains(i)) {
                    edges.add(c.edges().get(i));
                }
            }
            return s.withCell(c.withEdges(edges));
        });
    }

    /** Replaces the op of an edge: a fixed op, or a LayerChoice (its key must not belong to another kind of choice). */
    public static Edit setOp(String cell, String from, String to, EdgeOp op) {
        String what = op instanceof LayerChoice lc ? "Make LayerChoice " + lc.key() + " on " + from + " -> " + to
                : "Set op of " + from + " -> " + to + " to " + ((OpCall) op).label();
        return Edit.of(what, s -> {
            Cell c = cell(s, cell);
            int i = edgeIndex(c, from, to);
            if (op instanceof LayerChoice lc) {
                if (lc.candidates().isEmpty()) {
                    throw new EditException("a LayerChoice needs at least one candidate");
                }
                checkKey(s, lc, c.edges().get(i).op() instanceof LayerChoice old ? old : null);
            }
            List<Edge> edges = new ArrayList<>(c.edges());
            Edge e = edges.get(i);
            edges.set(i, new Edge(e.from(), e.to(), op, e.stride()));
            return s.withCell(c.withEdges(edges));
        });
    }

    /** Makes a node's incoming edges the candidates of an InputChoice that keeps {@code nChosen} of them. */
    public static Edit makeInputChoice(String cell, String node, String key, int nChosen, Reduction reduction) {
        return Edit.of("Make InputChoice " + key + " on " + node, s -> {
            Cell c = cell(s, cell);
            Node n = node(c, node);
            if (n.kind() == NodeKind.INPUT) {
                throw new EditException(node + " is an input node: it has no incoming edges to choose from");
            }
            int incoming = c.incoming(node).size();
            if (incoming < 2) {
                throw new EditException(node + " has " + incoming + " incoming edge" + (incoming == 1 ? "" : "s")
                        + ": an InputChoice needs at least two to choose from");
            }
            if (nChosen != InputChoice.ANY && (nChosen < 1 || nChosen > incoming)) {
                throw new EditException("n_chosen must be from 1 to " + incoming + " (the incoming edges of " + node + "), got " + nChosen);
            }
            InputChoice ic = new InputChoice(key, nChosen, reduction, false);
            checkKey(s, ic, n.inputChoice());
            return s.withCell(c.withNodes(c.nodes().stream().map(x -> x == n ? n.withInputChoice(ic) : x).toList()));
        });
    }

    public static Edit removeInputChoice(String cell, String node) {
        return Edit.of("Remove InputChoice of " + node, s -> {
            Cell c = cell(s, cell);
            Node n = node(c, node);
            return s.withCell(c.withNodes(c.nodes().stream().map(x -> x == n
                    ? new Node(n.name(), n.kind(), n.reduction(), null, n.looseEnds()) : x).toList()));
        });
    }

    // ---- lookups ------------------------------------------------------------------------------------------

    static Cell cell(SearchSpace s, String name) throws EditException {
        Cell c = s.cells().get(name);
        if (c == null) {
            throw new EditException("no cell named '" + name + "'");
        }
        return c;
    }

    static Node node(Cell c, String name) throws EditException {
        return c.node(name).orElseThrow(() -> new EditException("cell " + c.name() + " has no node named '" + name + "'"));
    }

    private static int edge(Cell c, String from, String to) {
        return c.edge(from, to).map(c.edges()::indexOf).orElse(-1);
    }

    static int edgeIndex(Cell c, String from, String to) throws EditException {
        int i = edge(c, from, to);
        if (i < 0) {
            throw new EditException("cell " + c.name() + " has no edge " + from + " -> " + to);
        }
        return i;
    }

    /** A path of edges from {@code a} to {@code b} (its nodes, a first), or empty when there is none. */
    static List<String> path(Cell c, String a, String b) {
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> todo = new ArrayDeque<>(List.of(a));
        cameFrom.put(a, null);
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (n.equals(b)) {
                List<String> p = new ArrayList<>();
                for (String x = b; x != null; x = cameFrom.get(x)) {
                    p.add(0, x);
                }
                return p;
            }
            for (Edge e : c.outgoing(n)) {
                if (!cameFrom.containsKey(e.to())) {
                    cameFrom.put(e.to(), n);
                    todo.add(e.to());
                }
            }
        }
        return List.of();
    }

    /**
     * A key may be shared only by choices of the same kind with the same options (they decide together);
     * {@code replaced} is the mutable the new one takes the place of, if any.
     */
    static void checkKey(SearchSpace s, Mutable m, Mutable replaced) throws EditException {
        if (m.key() == null || m.key().isBlank()) {
            throw new EditException("a choice needs a key");
        }
        for (Mutable other : s.mutables()) {
            if (other == replaced || !m.key().equals(other.key())) {
                continue;
            }
            if (!other.getClass().equals(m.getClass())) {
                throw new EditException("key '" + m.key() + "' belongs to " + article(other.kindName()) + "; "
                        + article(m.kindName()) + " cannot share it");
            }
            if (m instanceof LayerChoice a && !a.labels().equals(((LayerChoice) other).labels())) {
                throw new EditException("key '" + m.key() + "' is shared with a LayerChoice of other candidates ("
                        + String.join(", ", ((LayerChoice) other).labels()) + "): choices sharing a key decide together,"
                        + " so their candidates must be the same");
            }
        }
    }

    private static String article(String kind) {
        return ("AEIOU".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind;
    }

    static void checkKey(SearchSpace s, Mutable m) throws EditException {
        checkKey(s, m, null);
    }

    static boolean usedAsReduction(SearchSpace s, String cell) {
        return s.network().stages().stream().anyMatch(st -> cell.equals(st.cell()) && st.role() == io.cellforge.space.Role.REDUCTION);
    }

    /** Part of a cell, copied: intermediate nodes and the edges between them. */
    public record Fragment(List<Node> nodes, List<Edge> edges) {
        public Fragment {
            nodes = List.copyOf(nodes);
            edges = List.copyOf(edges);
        }
    }

    /** The selected intermediate nodes (inputs and the output are not copied) and the edges among them. */
    public static Fragment copy(Cell c, Collection<String> names) {
        Set<String> keep = new LinkedHashSet<>();
        for (Node n : c.nodes()) {
            if (names.contains(n.name()) && n.kind() == NodeKind.INTERMEDIATE) {
                keep.add(n.name());
            }
        }
        return new Fragment(c.nodes().stream().filter(n -> keep.contains(n.name())).toList(),
                c.edges().stream().filter(e -> keep.contains(e.from()) && keep.contains(e.to())).toList());
    }

    /** The names the nodes of a fragment get when pasted into a cell: fresh ones, in the fragment's order. */
    public static Map<String, String> pasteNames(Cell c, Fragment f) {
        Set<String> taken = new java.util.HashSet<>();
        c.nodes().forEach(n -> taken.add(n.name()));
        Map<String, String> names = new LinkedHashMap<>();
        for (Node n : f.nodes()) {
            String fresh = fresh(n.name(), taken);
            taken.add(fresh);
            names.put(n.name(), fresh);
        }
        return names;
    }

    /** A name not taken: the base's prefix (without trailing digits) and the next number after those in use. */
    public static String fresh(String base, Set<String> taken) {
        String prefix = base.replaceAll("\\d+$", "");
        int next = 0;
        for (String t : taken) {
            if (t.startsWith(prefix) && t.substring(prefix.length()).matches("\\d+")) {
                next = Math.max(next, Integer.parseInt(t.substring(prefix.length())) + 1);
            }
        }
        String name = prefix + next;
        while (taken.contains(name)) {
            name = prefix + (++next);
        }
        return name;
    }

    /**
     * Pastes a fragment under fresh node names. Its choices get fresh keys, so the copy is searched on its own;
     * an InputChoice left with fewer than two incoming edges is dropped.
     */
    public static Edit paste(String cell, Fragment f) {
        return Edit.of("Paste " + f.nodes().size() + " node" + (f.nodes().size() == 1 ? "" : "s"), s -> {
            Cell c = cell(s, cell);
            if (f.nodes().isEmpty()) {
                return s;
            }
            Map<String, String> names = pasteNames(c, f);
            Set<String> keys = new java.util.HashSet<>();
            s.mutables().forEach(m -> keys.add(m.key()));
            List<Node> nodes = new ArrayList<>(c.nodes());
            int at = c.output().map(nodes::indexOf).orElse(nodes.size());
            List<Edge> edges = new ArrayList<>(c.edges());
            for (Edge e : f.edges()) {
                EdgeOp op = e.op();
                if (op instanceof LayerChoice lc) {
                    String k = freshKey(lc.key(), keys);
                    keys.add(k);
                    op = new LayerChoice(k, lc.candidates());
                }
                edges.add(new Edge(names.get(e.from()), names.get(e.to()), op, e.stride()));
            }
            for (Node n : f.nodes()) {
                InputChoice ic = n.inputChoice();
                long incoming = f.edges().stream().filter(e -> e.to().equals(n.name())).count();
                if (ic != null) {
                    if (incoming < 2) {
                        ic = null;
                    } else {
                        String k = freshKey(ic.key(), keys);
                        keys.add(k);
                        ic = new InputChoice(k, ic.nChosen() == InputChoice.ANY ? ic.nChosen() : (int) Math.min(ic.nChosen(), incoming),
                                ic.reduction(), ic.allowNone());
                    }
                }
                nodes.add(at++, new Node(names.get(n.name()), n.kind(), n.reduction(), ic, n.looseEnds()));
            }
            return s.withCell(new Cell(c.name(), nodes, edges, c.preprocess()));
        });
    }

    private static String freshKey(String key, Set<String> taken) {
        for (int i = 2; ; i++) {
            if (!taken.contains(key + "_" + i)) {
                return key + "_" + i;
            }
        }
    }
}

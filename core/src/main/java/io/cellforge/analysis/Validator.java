package io.cellforge.analysis;

import io.cellforge.space.Place;

import io.cellforge.space.Problem;

import io.cellforge.ops.OpCatalog;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.UserOp;
import io.cellforge.space.ValueChoice;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every problem of a space, each with its place: the structure of each cell (cycles, dangling edges,
 * unreachable or unused nodes, InputChoice sizes), the keys (shared keys must be compatible), op names and
 * parameters, and the shapes of the whole supernet (stride and channel mismatches).
 */
public final class Validator {
    private Validator() {
    }

    public static List<Problem> validate(SearchSpace space) {
        List<Problem> out = new ArrayList<>();
        space.cells().values().forEach(c -> structure(c, out));
        keys(space, out);
        userOps(space, out);
        for (Stage st : space.network().stages()) {
            if (st.kind() == StageKind.CELL && !space.cells().containsKey(st.cell())) {
                out.add(Problem.error(Place.stage(st.name()), "no cell named '" + st.cell() + "'"));
            }
        }
        Set<String> used = space.network().stages().stream().filter(s -> s.kind() == StageKind.CELL)
                .map(Stage::cell).collect(Collectors.toSet());
        for (String c : space.cells().keySet()) {
            if (!used.contains(c)) {
                out.add(Problem.warning(Place.cell(c), "is not used by any stage"));
            }
        }
        if (out.stream().noneMatch(Problem::isError)) {
            // Shapes only make sense once the structure is sound; the evaluator reports with places.
            for (Problem p : Evaluator.supernet(space).problems()) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static void structure(Cell cell, List<Problem> out) {
        Place where = Place.cell(cell.name());
        Map<String, Node> nodes = new HashMap<>();
        for (Node n : cell.nodes()) {
            if (nodes.put(n.name(), n) != null) {
                out.add(Problem.error(Place.node(cell.name(), n.name()), "the name is used twice"));
            }
        }
        long inputs = cell.nodes().stream().filter(n -> n.kind() == NodeKind.INPUT).count();
        long outputs = cell.nodes().stream().filter(n -> n.kind() == NodeKind.OUTPUT).count();
        if (inputs < 1 || inputs > 2) {
            out.add(Problem.error(where, "needs one or two input nodes, has " + inputs));
        }
        if (outputs != 1) {
            out.add(Problem.error(where, "needs exactly one output node, has " + outputs));
        }
        boolean dangling = false;
        Set<String> seenEdges = new HashSet<>();
        for (Edge e : cell.edges()) {
            Place place = Place.edge(cell.name(), e.from(), e.to());
            Node from = nodes.get(e.from());
            Node to = nodes.get(e.to());
            if (from == null || to == null) {
                out.add(Problem.error(place, "refers to node '" + (from == null ? e.from() : e.to()) + "', which does not exist"));
                dangling = true;
                continue;
            }
            if (to.kind() == NodeKind.INPUT) {
                out.add(Problem.error(place, "ends at input node " + to.name() + "; inputs come from previous cells"));
            }
            if (from.kind() == NodeKind.OUTPUT) {
                out.add(Problem.error(place, "starts at the output node"));
            }
            if (e.from().equals(e.to())) {
                out.add(Problem.error(place, "connects a node to itself"));
            }
            if (!seenEdges.add(e.label()) && !(e.op() instanceof LayerChoice)) {
                out.add(Problem.warning(place, "there are two edges between these nodes"));
            }
        }
        if (dangling) {
            return;
        }
        List<String> cycle = findCycle(cell);
        if (!cycle.isEmpty()) {
            out.add(Problem.error(where, "has a cycle: " + String.join(" -> ", cycle)));
            return;
        }
        Set<String> fromInputs = Evaluator.reachable(cell, cell.inputs().stream().map(Node::name).toList(), true);
        Set<String> toOutput = cell.output().map(o -> Evaluator.reachable(cell, List.of(o.name()), false)).orElse(Set.of());
        for (Node n : cell.nodes()) {
            Place place = Place.node(cell.name(), n.name());
            if (n.kind() != NodeKind.INPUT && !fromInputs.contains(n.name()) && !n.looseEnds()) {
                out.add(Problem.error(place, "is unreachable from the cell's inputs"));
            }
            if (n.kind() != NodeKind.OUTPUT && cell.output().isPresent() && !toOutput.contains(n.name())) {
                out.add(Problem.warning(place, "is unused: nothing leads from it to the output"));
            }
            InputChoice ic = n.inputChoice();
            if (ic != null) {
                int candidates = cell.incoming(n.name()).size();
                if (ic.nChosen() != InputChoice.ANY && ic.nChosen() < 1) {
                    out.add(Problem.error(place, "InputChoice '" + ic.key() + "' must choose at least 1 input, n_chosen is " + ic.nChosen()));
                } else if (ic.nChosen() > candidates) {
                    out.add(Problem.error(place, "InputChoice '" + ic.key() + "' chooses " + ic.nChosen() + " of "
                            + candidates + " incoming edges"));
                }
                if (candidates == 0) {
                    out.add(Problem.error(place, "InputChoice '" + ic.key() + "' has no candidate inputs"));
                }
            }
        }
    }

    /**
     * A cycle as a list of node names (first repeated at the end), or empty. A depth-first search with its own
     * stack: a cell may chain many thousand nodes, deeper than the thread's stack.
     */
    static List<String> findCycle(Cell cell) {
        Set<String> done = new HashSet<>();
        Map<String, Integer> onPath = new HashMap<>(); // node -> its position in path
        List<String> path = new ArrayList<>();
        Deque<Iterator<Edge>> pending = new ArrayDeque<>(); // the unvisited outgoing edges of each node on the path
        for (Node start : cell.nodes()) {
            if (done.contains(start.name())) {
                continue;
            }
            onPath.put(start.name(), 0);
            path.add(start.name());
            pending.push(cell.outgoing(start.name()).iterator());
            while (!pending.isEmpty()) {
                Iterator<Edge> it = pending.peek();
                if (!it.hasNext()) {
                    String n = path.remove(path.size() - 1);
                    onPath.remove(n);
                    done.add(n);
                    pending.pop();
                    continue;
                }
                String to = it.next().to();
                Integer at = onPath.get(to);
                if (at != null) {
                    List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
                    cycle.add(to);
                    return cycle;
                }
                if (!done.contains(to)) {
                    onPath.put(to, path.size());
                    path.add(to);
                    pending.push(cell.outgoing(to).iterator());
                }
            }
        }
        return List.of();
    }

    private static void keys(SearchSpace space, List<Problem> out) {
        OpCatalog catalog = Evaluator.catalogOf(space);
        Map<String, Mutable> first = new HashMap<>();
        Map<String, Integer> firstInputCount = new HashMap<>();
        for (Cell cell : space.cells().values()) {
            for (Node n : cell.nodes()) {
                if (n.inputChoice() != null) {
                    check(n.inputChoice(), Place.node(cell.name(), n.name()), first, out);
                    int count = cell.incoming(n.name()).size();
                    Integer prev = firstInputCount.putIfAbsent(n.inputChoice().key(), count);
                    if (prev != null && prev != count) {
                        out.add(Problem.error(Place.key(n.inputChoice().key()), "shared by InputChoices with " + prev
                                + " and " + count + " candidates"));
                    }
                }
            }
            for (Edge e : cell.edges()) {
                Place place = Place.edge(cell.name(), e.from(), e.to());
                if (e.op() instanceof LayerChoice lc) {
                    check(lc, place, first, out);
                    ops(lc.candidates(), place, catalog, out);
                } else {
                    ops(List.of((OpCall) e.op()), place, catalog, out);
                }
            }
        }
        List<Stage> stages = space.network().stages();
        for (int i = 0; i < stages.size(); i++) {
            Stage st = stages.get(i);
            Place place = Place.stage(i, st.name());
            if (st.op() instanceof LayerChoice lc) {
                check(lc, place, first, out);
                ops(lc.candidates(), place, catalog, out);
            } else if (st.op() instanceof OpCall c) {
                ops(List.of(c), place, catalog, out);
            }
            for (Param p : new Param[] {st.channels(), st.widen(), st.stride(), st.repeat()}) {
                ref(p, place, space, out);
            }
        }
        for (int i = 0; i < space.network().stem().size(); i++) {
            ops(space.network().stem().get(i), Place.named("stem"), catalog, out);
        }
        ops(space.network().head(), Place.named("head"), catalog, out);
        for (ValueChoice vc : space.values().values()) {
            check(vc, Place.named("value " + vc.key()), first, out);
            if (vc.candidates().isEmpty()) {
                out.add(Problem.error(Place.named("value " + vc.key()), "ValueChoice has no candidates"));
            }
            if (new LinkedHashSet<>(vc.candidates()).size() != vc.candidates().size()) {
                out.add(Problem.error(Place.named("value " + vc.key()), "ValueChoice lists a candidate twice"));
            }
        }
    }

    private static void check(Mutable m, Place place, Map<String, Mutable> first, List<Problem> out) {
        if (m.key() == null || m.key().isBlank()) {
            out.add(Problem.error(place, m.kindName() + " has no key"));
            return;
        }
        Mutable prev = first.putIfAbsent(m.key(), m);
        if (m instanceof LayerChoice lc) {
            if (lc.candidates().isEmpty()) {
                out.add(Problem.error(place, "LayerChoice '" + lc.key() + "' has no candidates"));
            }
            if (new LinkedHashSet<>(lc.labels()).size() != lc.labels().size()) {
                out.add(Problem.error(place, "LayerChoice '" + lc.key() + "' lists a candidate twice"));
            }
        }
        if (prev == null || prev == m) {
            return;
        }
        String k = "key " + m.key();
        if (!prev.kindName().equals(m.kindName())) {
            out.add(Problem.error(place, k + " is shared by a " + prev.kindName() + " and a " + m.kindName()));
        } else if (m instanceof LayerChoice lc && !((LayerChoice) prev).labels().equals(lc.labels())) {
            out.add(Problem.error(place, k + " is shared by LayerChoices with different candidates: "
                    + ((LayerChoice) prev).labels() + " vs " + lc.labels()));
        } else if (m instanceof InputChoice ic && (((InputChoice) prev).nChosen() != ic.nChosen())) {
            out.add(Problem.error(place, k + " is shared by InputChoices with n_chosen " + ((InputChoice) prev).nChosen()
                    + " and " + ic.nChosen()));
        } else if (m instanceof ValueChoice vc && !((ValueChoice) prev).candidates().equals(vc.candidates())) {
            out.add(Problem.error(place, k + " is shared by ValueChoices with different candidates"));
        }
    }

    private static void ops(List<OpCall> calls, Place place, OpCatalog catalog, List<Problem> out) {
        for (OpCall c : calls) {
            if (catalog.find(c.op()).isEmpty()) {
                out.add(Problem.error(place, "unknown op '" + c.op() + "'"
                        + catalog.closest(c.op()).map(s -> " (did you mean '" + s + "'?)").orElse("")));
            }
        }
    }

    private static void ref(Param p, Place place, SearchSpace space, List<Problem> out) {
        if (p != null && p.isRef() && !space.values().containsKey(p.ref())) {
            out.add(Problem.error(place, "refers to $" + p.ref() + ", which is not a ValueChoice of the space"));
        }
    }

    private static void userOps(SearchSpace space, List<Problem> out) {
        OpCatalog builtin = OpCatalog.builtin();
        OpCatalog all = Evaluator.catalogOf(space);
        for (UserOp u : space.userOps().values()) {
            if (builtin.isBuiltin(u.name())) {
                out.add(Problem.error(Place.named("op " + u.name()), "has the name of a built-in op"));
            }
            if (u.layers().isEmpty()) {
                out.add(Problem.error(Place.named("op " + u.name()), "has no layers"));
            }
            ops(u.layers(), Place.named("op " + u.name()), all, out);
        }
    }
}

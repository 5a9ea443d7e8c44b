package io.cellforge.app.diagram;

import io.cellforge.ops.OpCatalog;
import io.cellforge.space.Cell;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the kernels of dynamic convolutions come from: the weight generator each dynamic op names ({@code generator:
 * $NAME}, or the network's only one), and which parts of the network hold such ops, so that the views draw the
 * generator feeding them. As the evaluator reads them: every candidate of a LayerChoice, user ops followed into.
 */
public final class WeightFeeds {
    private WeightFeeds() {
    }

    /** Whether an op, or a candidate of a LayerChoice, takes its kernels from a weight generator (user ops aside). */
    public static boolean dynamic(EdgeOp op) {
        return calls(op).stream().anyMatch(c -> OpCatalog.builtin().isDynamic(c.op()));
    }

    /** The generator a dynamic op takes its kernels from, or null where it names none the network has. */
    public static String generator(Network.Context cx, OpCall call) {
        Param p = call.params().get("generator");
        String name = p != null ? (p.isRef() ? p.ref() : null)
                : cx.generators().size() == 1 ? cx.generators().keySet().iterator().next() : null;
        return name != null && cx.generators().containsKey(name) ? name : null;
    }

    /** The generators the ops of an edge or a stage take kernels from (every candidate, user ops followed into). */
    public static Set<String> generators(SearchSpace s, EdgeOp op) {
        Set<String> out = new LinkedHashSet<>();
        collect(s, calls(op), out, new HashSet<>());
        return out;
    }

    /**
     * By box of the network view (the stem, each stage by name, the head): the generators its ops take kernels from,
     * for the boxes that have any, in the stack's order.
     */
    public static Map<String, Set<String>> ofNetwork(SearchSpace s) {
        Network n = s.network();
        Map<String, Set<String>> out = new LinkedHashMap<>();
        List<OpCall> stem = new ArrayList<>();
        n.stem().forEach(stem::addAll);
        put(out, "stem", s, stem);
        for (Stage st : n.stages()) {
            List<OpCall> calls = new ArrayList<>();
            if (st.kind() == StageKind.CELL) {
                Cell c = s.cells().get(st.cell());
                if (c != null) {
                    c.edges().forEach(e -> calls.addAll(calls(e.op())));
                }
            } else if (st.op() != null) {
                calls.addAll(calls(st.op()));
            }
            put(out, st.name(), s, calls);
        }
        List<OpCall> head = new ArrayList<>(n.head());
        if (n.auxiliary() != null) {
            head.add(n.auxiliary().op());
        }
        put(out, "head", s, head);
        return out;
    }

    private static void put(Map<String, Set<String>> out, String id, SearchSpace s, List<OpCall> calls) {
        Set<String> g = new LinkedHashSet<>();
        collect(s, calls, g, new HashSet<>());
        if (!g.isEmpty()) {
            out.put(id, g);
        }
    }

    private static void collect(SearchSpace s, List<OpCall> calls, Set<String> out, Set<String> seenUserOps) {
        for (OpCall c : calls) {
            if (OpCatalog.builtin().isDynamic(c.op())) {
                String g = generator(s.network().context(), c);
                if (g != null) {
                    out.add(g);
                }
            } else if (s.userOps().containsKey(c.op()) && seenUserOps.add(c.op())) {
                collect(s, s.userOps().get(c.op()).layers(), out, seenUserOps);
            }
        }
    }

    private static List<OpCall> calls(EdgeOp op) {
        return op instanceof LayerChoice lc ? lc.candidates() : op instanceof OpCall c ? List.of(c) : List.of();
    }
}

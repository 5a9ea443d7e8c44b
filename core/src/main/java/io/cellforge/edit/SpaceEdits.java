package io.cellforge.edit;

import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Edits of a space beyond one cell's graph: keys, op parameters and ValueChoices, the network's settings and stages. */
public final class SpaceEdits {
    private SpaceEdits() {
    }

    /** Renames a key everywhere it is used: choices sharing it, and {@code $key} references of a ValueChoice. */
    public static Edit renameKey(String from, String to) {
        return Edit.of("Rename key " + from + " to " + to, s -> {
            checkKeyName(to);
            if (from.equals(to)) {
                return s;
            }
            if (s.mutables().stream().noneMatch(m -> m.key().equals(from))) {
                throw new EditException("no choice has the key '" + from + "'");
            }
            Optional<Mutable> taken = s.mutables().stream().filter(m -> m.key().equals(to)).findFirst();
            if (taken.isPresent()) {
                throw new EditException("key '" + to + "' is already used by a " + taken.get().kindName()
                        + "; to make two choices decide together, set the shared key on one choice in the inspector");
            }
            Map<String, Cell> cells = new LinkedHashMap<>();
            for (Cell c : s.cells().values()) {
                List<Node> nodes = c.nodes().stream().map(n -> n.inputChoice() != null && n.inputChoice().key().equals(from)
                        ? n.withInputChoice(new InputChoice(to, n.inputChoice().nChosen(), n.inputChoice().reduction(),
                        n.inputChoice().allowNone())) : n).toList();
                List<Edge> edges = c.edges().stream().map(e -> e.op() instanceof LayerChoice lc && lc.key().equals(from)
                        ? new Edge(e.from(), e.to(), new LayerChoice(to, lc.candidates()), e.stride()) : e).toList();
                cells.put(c.name(), new Cell(c.name(), nodes, edges, c.preprocess()));
            }
            List<Stage> stages = s.network().stages().stream().map(st -> st.op() instanceof LayerChoice lc && lc.key().equals(from)
                    ? st.withOp(new LayerChoice(to, lc.candidates())) : st).toList();
            Map<String, ValueChoice> values = new LinkedHashMap<>();
            s.values().forEach((k, v) -> values.put(k.equals(from) ? to : k, k.equals(from) ? new ValueChoice(to, v.candidates()) : v));
            return s.withCells(cells).withNetwork(s.network().withStages(stages)).withValues(values)
                    .mapParams(p -> p.isRef() && p.ref().equals(from) ? Param.ref(to) : p);
        });
    }

    /** Sets one parameter of an edge's fixed op: a number or a {@code $key} of a ValueChoice of the space. */
    public static Edit setParam(String cell, String from, String to, String param, Param value) {
        return Edit.of("Set " + param + " of " + from + " -> " + to + " to " + (value == null ? "default" : value), s -> {
            Cell c = CellEdits.cell(s, cell);
            int i = CellEdits.edgeIndex(c, from, to);
            Edge e = c.edges().get(i);
            if (!(e.op() instanceof OpCall op)) {
                throw new EditException(from + " -> " + to + " is a LayerChoice: set parameters on its candidates' ops");
            }
            checkParam(s, op.op(), param, value);
            Map<String, Param> params = new LinkedHashMap<>(op.params());
            if (value == null) {
                params.remove(param);
            } else {
                params.put(param, value);
            }
            List<Edge> edges = new ArrayList<>(c.edges());
            edges.set(i, new Edge(from, to, new OpCall(op.op(), params), e.stride()));
            return s.withCell(c.withEdges(edges));
        });
    }

    /**
     * Makes a numeric parameter of an edge's op a ValueChoice: the space gains (or shares) the choice {@code key}
     * with these candidates and the parameter refers to it.
     */
    public static Edit setValueChoice(String cell, String from, String to, String param, String key, List<Double> candidates) {
        return Edit.of("Make ValueChoice " + key + " for " + param + " of " + from + " -> " + to, s -> {
            checkKeyName(key);
            if (candidates.size() < 2) {
                throw new EditException("a ValueChoice needs at least two candidate values");
            }
            if (candidates.stream().distinct().count() != candidates.size()) {
                throw new EditException("the candidate values of " + key + " repeat a value");
            }
            ValueChoice vc = new ValueChoice(key, candidates);
            ValueChoice old = s.values().get(key);
            if (old == null) {
                CellEdits.checkKey(s, vc);
            } else if (!old.candidates().equals(vc.candidates())) {
                throw new EditException("key '" + key + "' is shared with a ValueChoice of other values (" + String.join(", ",
                        old.labels()) + "): choices sharing a key decide together, so their values must be the same");
            }
            Map<String, ValueChoice> values = new LinkedHashMap<>(s.values());
            values.put(key, vc);
            return setParam(cell, from, to, param, Param.ref(key)).apply(s.withValues(values));
        });
    }

    public static Edit setStride(String cell, String from, String to, int stride) {
        return Edit.of("Set stride of " + from + " -> " + to + " to " + stride, s -> {
            if (stride < 1 || stride > 2) {
                throw new EditException("stride must be 1 or 2, got " + stride);
            }
            Cell c = CellEdits.cell(s, cell);
            int i = CellEdits.edgeIndex(c, from, to);
            List<Edge> edges = new ArrayList<>(c.edges());
            Edge e = edges.get(i);
            edges.set(i, new Edge(from, to, e.op(), stride));
            return s.withCell(c.withEdges(edges));
        });
    }

    /** How a node without an InputChoice combines its inputs (an InputChoice has its own reduction). */
    public static Edit setMerge(String cell, String node, Reduction merge) {
        return Edit.of("Set merge of " + node + " to " + merge.yamlName(), s -> {
            Cell c = CellEdits.cell(s, cell);
            Node n = CellEdits.node(c, node);
            Node m = n.inputChoice() != null
                    ? n.withInputChoice(new InputChoice(n.inputChoice().key(), n.inputChoice().nChosen(), merge, n.inputChoice().allowNone()))
                    : new Node(n.name(), n.kind(), merge, null, n.looseEnds());
            return s.withCell(c.withNodes(c.nodes().stream().map(x -> x == n ? m : x).toList()));
        });
    }

    /** The network's size: initial channels, classes and input shape. */
    public static Edit setNetwork(int channels, int classes, Shape input) {
        return Edit.of("Set network settings", s -> {
            if (channels < 1 || classes < 1) {
                throw new EditException("channels and classes must be at least 1");
            }
            if (input.channels() < 1 || input.height() < 1 || input.width() < 1) {
                throw new EditException("the input shape needs positive channels, height and width, got " + input);
            }
            return s.withNetwork(s.network().withChannels(channels).withClasses(classes).withInput(input));
        });
    }

    /**
     * The network's width set to {@code channels}, with every width written as a number scaled by the same ratio:
     * the stem's conv outputs and the stages' literal channels (NAS-Bench-201's stem of C and blocks of 2C and 4C,
     * DARTS's stem of 3C). Cells that keep their width on every edge (no preprocessing) then meet a stem of theirs.
     * Refused, naming the width, when one does not scale to a whole number of channels: the space is then drawn
     * for its own width only.
     */
    public static Edit setWidth(int channels) {
        return Edit.of("Set width to " + channels + " channels", s -> {
            if (channels < 1) {
                throw new EditException("channels must be at least 1");
            }
            Network n = s.network();
            if (channels == n.channels()) {
                return s;
            }
            List<List<OpCall>> stem = new ArrayList<>();
            for (List<OpCall> seq : n.stem()) {
                List<OpCall> out = new ArrayList<>();
                for (OpCall op : seq) {
                    Param w = op.params().get("out");
                    out.add(w == null || w.isRef() ? op : op.with("out", scaled(w, n.channels(), channels, "the stem's " + op.op() + " out")));
                }
                stem.add(out);
            }
            List<Stage> stages = new ArrayList<>();
            for (int i = 0; i < n.stages().size(); i++) {
                Stage st = n.stages().get(i);
                Param w = st.channels();
                stages.add(w == null || w.isRef() ? st
                        : st.withChannels(scaled(w, n.channels(), channels, "stage '" + (st.name() == null ? "stage " + i : st.name()) + "' channels")));
            }
            return s.withNetwork(new Network(n.input(), n.classes(), channels, stem, stages, n.head(), n.auxiliary(), n.affine(), n.context()));
        });
    }

    private static Param scaled(Param width, int from, int to, String what) throws EditException {
        double v = width.value() * to / from;
        if (v < 1 || v != Math.rint(v)) {
            throw new EditException(what + " (" + width + ") does not follow the network's " + from + " channels to " + to);
        }
        return Param.of(v);
    }

    /**
     * The number of cells of a plain stack of cells (DARTS, ENAS micro style): normal cells with reduction
     * cells at a third and two thirds, as DARTS places them.
     */
    public static Edit setLayers(int layers) {
        return Edit.of("Set layers to " + layers, s -> {
            if (layers < 1) {
                throw new EditException("a network needs at least one cell, got " + layers);
            }
            List<Stage> st = s.network().stages();
            if (st.isEmpty() || st.stream().anyMatch(x -> x.kind() != StageKind.CELL || x.repeat() != null)) {
                throw new EditException("the network is not a plain stack of cells; its stages are set in the YAML file");
            }
            String normal = st.stream().filter(x -> x.role() == Role.NORMAL).map(Stage::cell).findFirst().orElse(st.get(0).cell());
            String reduce = st.stream().filter(x -> x.role() == Role.REDUCTION).map(Stage::cell).findFirst().orElse(null);
            List<Stage> out = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                boolean red = reduce != null && layers >= 3 && (i == layers / 3 || i == 2 * layers / 3);
                out.add(Stage.cell("cell " + i, red ? reduce : normal, red ? Role.REDUCTION : Role.NORMAL));
            }
            Network n = s.network();
            Network.Auxiliary aux = n.auxiliary() == null ? null
                    : new Network.Auxiliary(Math.min(n.auxiliary().after(), 2 * layers / 3), n.auxiliary().op());
            return s.withNetwork(n.withStages(out).withAuxiliary(aux));
        });
    }

    /**
     * The settings of a block stage: its op (a fixed op or a LayerChoice, whose key it may share with choices of the
     * same candidates), its width, stride and repeat (literals or {@code $key}s of ValueChoices) and whether it adds
     * an identity shortcut. Null channels or stride take the defaults (the running width, stride 1).
     */
    public static Edit setStage(String name, EdgeOp op, Param channels, Param stride, Param repeat, boolean residual) {
        return Edit.of("Set stage " + name, s -> {
            int i = stageIndex(s, name);
            Stage st = s.network().stages().get(i);
            if (st.kind() != StageKind.BLOCK) {
                throw new EditException("stage " + name + " is a cell stage: set its cell and role instead");
            }
            if (op == null) {
                throw new EditException("stage " + name + " needs an op");
            }
            if (op instanceof OpCall call) {
                checkOp(s, "stage " + name, call);
            } else {
                LayerChoice lc = (LayerChoice) op;
                try {
                    checkKeyName(lc.key());
                } catch (EditException e) {
                    throw new EditException("stage " + name + ": " + e.getMessage());
                }
                if (lc.candidates().size() < 2) {
                    throw new EditException("the LayerChoice of stage " + name + " needs at least two candidates");
                }
                if (lc.labels().stream().distinct().count() != lc.candidates().size()) {
                    throw new EditException("the candidates of stage " + name + " repeat an op");
                }
                for (OpCall c : lc.candidates()) {
                    checkOp(s, "stage " + name, c);
                }
                try {
                    CellEdits.checkKey(s, lc, st.op() instanceof LayerChoice old ? old : null);
                } catch (EditException e) {
                    throw new EditException("stage " + name + ": " + e.getMessage());
                }
            }
            checkStageParam(s, name, "channels", channels, MAX_CHANNELS);
            checkStageParam(s, name, "stride", stride, MAX_STRIDE);
            checkStageParam(s, name, "repeat", repeat, MAX_REPEAT);
            Stage out = new Stage(st.name(), StageKind.BLOCK, null, op, st.role(), channels, st.widen(), stride, repeat, residual);
            return s.withNetwork(s.network().withStages(replaced(s, i, out)));
        });
    }

    /** Which cell a cell stage instantiates, and its role (a reduction cell halves the size). */
    public static Edit setCellStage(String name, String cell, Role role) {
        return Edit.of("Set stage " + name + " to " + cell + " (" + role.yamlName() + ")", s -> {
            int i = stageIndex(s, name);
            Stage st = s.network().stages().get(i);
            if (st.kind() != StageKind.CELL) {
                throw new EditException("stage " + name + " is a block: set its op instead");
            }
            if (!s.cells().containsKey(cell)) {
                throw new EditException("stage " + name + " cannot use cell '" + cell + "': the space has "
                        + String.join(", ", s.cells().keySet()));
            }
            Stage out = new Stage(st.name(), StageKind.CELL, cell, null, role, st.channels(), st.widen(), st.stride(),
                    st.repeat(), st.residual());
            return s.withNetwork(s.network().withStages(replaced(s, i, out)));
        });
    }

    /**
     * The generator a context added to a space without one starts with: the zoo's dynamic-strokes generator, a
     * hidden layer whose output every dynamic op's head reads.
     */
    public static final List<OpCall> STARTER_GENERATOR = List.of(OpCall.of("linear", "out", 16), OpCall.of("relu"));
    /** The name of that generator, which dynamic ops use when they name none. */
    public static final String STARTER_NAME = "g";

    /**
     * The number of context values per sample. A space without a context gains one, with the starter generator
     * {@link #STARTER_NAME}, so that a dynamic op dropped in afterwards has kernels to take.
     */
    public static Edit setContext(int features) {
        return Edit.of("Set context to " + features + " values", s -> {
            if (features < 1 || features > MAX_CHANNELS) {
                throw new EditException("the context needs 1.." + MAX_CHANNELS + " values per sample, got " + features);
            }
            Network.Context cx = s.network().context();
            Network.Context out = cx.present() ? new Network.Context(features, cx.generators())
                    : new Network.Context(features, Map.of(STARTER_NAME, STARTER_GENERATOR));
            return s.withNetwork(s.network().withContext(out));
        });
    }

    /** The layers of a weight generator of the network, applied to the context vector in order. */
    public static Edit setGenerator(String name, List<OpCall> layers) {
        return Edit.of("Set generator " + name, s -> {
            Network.Context cx = s.network().context();
            if (!cx.generators().containsKey(name)) {
                throw new EditException("the network has no weight generator '" + name + "'"
                        + (cx.generators().isEmpty() ? "" : " (it has " + String.join(", ", cx.generators().keySet()) + ")"));
            }
            if (layers.isEmpty()) {
                throw new EditException("generator " + name + " needs at least one layer");
            }
            for (OpCall l : layers) {
                if (OpCatalog.builtin().isDynamic(l.op())) {
                    throw new EditException("generator " + name + ": " + l.op() + " takes kernels from a generator itself");
                }
                checkOp(s, "generator " + name, l);
            }
            Map<String, List<OpCall>> g = new LinkedHashMap<>(cx.generators());
            g.put(name, layers);
            return s.withNetwork(s.network().withContext(new Network.Context(cx.features(), g)));
        });
    }

    /**
     * Takes the context and its generators out of the network; refused, naming the place, while an op still takes
     * its kernels from a generator.
     */
    public static Edit removeContext() {
        return Edit.of("Remove context", s -> {
            if (!s.network().context().present()) {
                return s;
            }
            Optional<String> user = dynamicUser(s);
            if (user.isPresent()) {
                throw new EditException(user.get() + " takes its kernels from a weight generator: give it static ops first");
            }
            return s.withNetwork(s.network().withContext(Network.Context.NONE));
        });
    }

    /** The first place whose op (or a candidate, or a user op it calls) is dynamic, in words. */
    private static Optional<String> dynamicUser(SearchSpace s) {
        java.util.function.Predicate<List<OpCall>> dynamic = calls -> dynamic(s, calls, new java.util.HashSet<>());
        for (Cell c : s.cells().values()) {
            for (Edge e : c.edges()) {
                if (dynamic.test(calls(e.op()))) {
                    return Optional.of("cell " + c.name() + ", edge " + e.from() + " -> " + e.to());
                }
            }
        }
        Network n = s.network();
        for (int i = 0; i < n.stages().size(); i++) {
            Stage st = n.stages().get(i);
            if (st.op() != null && dynamic.test(calls(st.op()))) {
                return Optional.of("stage " + (st.name() == null ? "stage " + i : st.name()));
            }
        }
        if (n.stem().stream().anyMatch(dynamic)) {
            return Optional.of("the stem");
        }
        if (n.auxiliary() != null && dynamic.test(List.of(n.auxiliary().op()))) {
            return Optional.of("the auxiliary head");
        }
        return dynamic.test(n.head()) ? Optional.of("the head") : Optional.empty();
    }

    /** Whether one of these ops is dynamic, user ops followed into (each once: a user op may call itself). */
    private static boolean dynamic(SearchSpace s, List<OpCall> calls, java.util.Set<String> seen) {
        for (OpCall c : calls) {
            if (OpCatalog.builtin().isDynamic(c.op()) || s.userOps().containsKey(c.op()) && seen.add(c.op())
                    && dynamic(s, s.userOps().get(c.op()).layers(), seen)) {
                return true;
            }
        }
        return false;
    }

    private static List<OpCall> calls(EdgeOp op) {
        return op instanceof LayerChoice lc ? lc.candidates() : List.of((OpCall) op);
    }

    /** The limits the evaluator holds stages to. */
    private static final int MAX_CHANNELS = 1 << 20;
    private static final int MAX_STRIDE = 64;
    private static final int MAX_REPEAT = 1000;

    private static int stageIndex(SearchSpace s, String name) throws EditException {
        List<Stage> st = s.network().stages();
        for (int i = 0; i < st.size(); i++) {
            if (name.equals(st.get(i).name())) {
                return i;
            }
        }
        throw new EditException("the network has no stage named '" + name + "'");
    }

    private static List<Stage> replaced(SearchSpace s, int i, Stage st) {
        List<Stage> out = new ArrayList<>(s.network().stages());
        out.set(i, st);
        return out;
    }

    /** {@code where}: the place named in a refusal ("stage b1", "generator g"). */
    private static void checkOp(SearchSpace s, String where, OpCall call) throws EditException {
        if (OpCatalog.builtin().find(call.op()).isEmpty() && !s.userOps().containsKey(call.op())) {
            throw new EditException(where + ": there is no op '" + call.op() + "'"
                    + OpCatalog.builtin().closest(call.op()).map(x -> "; did you mean " + x + "?").orElse(""));
        }
        for (Map.Entry<String, Param> p : call.params().entrySet()) {
            try {
                checkParam(s, call.op(), p.getKey(), p.getValue());
            } catch (EditException e) {
                throw new EditException(where + ": " + e.getMessage());
            }
        }
    }

    /** A whole number in 1..max, or a ValueChoice of the space; null keeps the default. */
    private static void checkStageParam(SearchSpace s, String stage, String what, Param p, int max) throws EditException {
        if (p == null) {
            return;
        }
        if (p.isRef()) {
            if (!s.values().containsKey(p.ref())) {
                throw new EditException("stage " + stage + ": " + what + " $" + p.ref() + " is not a ValueChoice of the space");
            }
            return;
        }
        double v = p.value();
        if (v != Math.rint(v) || v < 1 || v > max) {
            throw new EditException("stage " + stage + ": " + what + " must be a whole number in 1.." + max + ", got " + p);
        }
    }

    static void checkKeyName(String key) throws EditException {
        if (key == null || key.isBlank()) {
            throw new EditException("a key must not be empty");
        }
        if (!key.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
            throw new EditException("key '" + key + "' may hold letters, digits, '_', '.' and '-', and starts with a letter or '_'");
        }
    }

    private static void checkParam(SearchSpace s, String op, String param, Param value) throws EditException {
        Optional<OpDef> def = OpCatalog.builtin().find(op);
        if (def.isPresent() && !def.get().params().contains(param)) {
            throw new EditException(op + " has no parameter '" + param + "'" + (def.get().params().isEmpty() ? ""
                    : " (it takes " + String.join(", ", def.get().params()) + ")"));
        }
        if (param.equals("generator") && OpCatalog.builtin().isDynamic(op) && value != null) {
            if (!value.isRef() || !s.network().context().generators().containsKey(value.ref())) {
                throw new EditException(op + ": generator names a weight generator of the network as $NAME"
                        + (s.network().context().generators().isEmpty() ? " (it has none)"
                        : " (it has " + String.join(", ", s.network().context().generators().keySet()) + ")"));
            }
            return;
        }
        if (value != null && value.isRef() && !s.values().containsKey(value.ref())
                && !List.of("stride", "C_in", "C_out").contains(value.ref())) {
            throw new EditException("$" + value.ref() + " is not a ValueChoice of the space");
        }
    }
}

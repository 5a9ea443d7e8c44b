package io.cellforge.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellforge.space.Place;
import io.cellforge.space.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.zoo.DartsCells;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NNI's choice dicts, in the keys and op names of NNI's own model of each zoo space (read from microsoft/nni):
 * <ul>
 * <li>version 1: the mutables of NNI 1.x, still in NNI 2.0-2.8 ({@code nni.nas.pytorch.fixed.apply_fixed_architecture}):
 * DartsCell ({@code normal_n2_p0: "sepconv3x3"}, {@code normal_n2_switch}), ENAS micro ({@code normal_node_0_x_op}),
 * ENAS macro (automatic keys {@code LayerChoice1}, {@code InputChoice3}), NASBench201Cell ({@code "0_1": "conv_3x3"});</li>
 * <li>version 2: NNI 2.8-2.10's space hub ({@code nni.retiarii.hub.pytorch}): {@code normal/op_2_0},
 * {@code normal/input_2_0: 0}, NAS-Bench-201 {@code cell/0_1};</li>
 * <li>version 3: NNI 3.0's hub ({@code nni.nas.hub.pytorch}): as 2, with inputs as one-element lists ({@code [0]}).</li>
 * </ul>
 * A space with no NNI model (a user's own) is written as a plain dict of its own keys.
 */
public final class NniFormats {
    static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                .maxStringLength(1_000_000).maxNumberLength(100).build());
    }

    /** The versions {@code --nni-version} takes; 0 is the default of the space (1 where NNI 1.x has its model). */
    public static final Set<Integer> VERSIONS = Set.of(1, 2, 3);

    // nni/nas/pytorch/search_space_zoo/darts_cell.py (Node) and examples/nas/darts/model.py: the LayerChoice's names.
    static final List<String> DARTS_CELL_NAMES = List.of("maxpool", "avgpool", "skipconnect", "sepconv3x3", "sepconv5x5",
            "dilconv3x3", "dilconv5x5");
    // nni/nas/hub/pytorch/nasnet.py, DARTS.DARTS_OPS (the same list in NNI 2.8-2.10's retiarii hub); 'none' is left out.
    static final List<String> DARTS_OPS = List.of("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
            "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5");
    // nni/nas/hub/pytorch/nasnet.py, NASNet.NASNET_OPS: to name the NASNet space when a file is of it.
    static final List<String> NASNET_OPS = List.of("skip_connect", "conv_3x1_1x3", "conv_7x1_1x7", "dil_conv_3x3",
            "avg_pool_3x3", "max_pool_3x3", "max_pool_5x5", "max_pool_7x7", "conv_1x1", "conv_3x3", "sep_conv_3x3",
            "sep_conv_5x5", "sep_conv_7x7");
    // nni/nas/pytorch/nasbench201/nasbench201.py (NNI 1.x NASBench201Cell): OPS in its order, and Cellforge's names.
    static final List<String> NB201_CELL_NAMES = List.of("none", "avg_pool_3x3", "conv_3x3", "conv_1x1", "skip_connect");
    // nni/nas/hub/pytorch/nasbench201.py PRIMITIVES (NNI 2.8+).
    static final List<String> NB201_HUB_NAMES = List.of("none", "skip_connect", "conv_1x1", "conv_3x3", "avg_pool_3x3");
    static final Map<String, String> NB201_TO_OURS = Map.of("conv_3x3", "nor_conv_3x3", "conv_1x1", "nor_conv_1x1");
    // examples/nas/enas/micro.py Cell and macro.py ENASLayer: LayerChoices of unnamed lists, so NNI names them "0", "1", ...
    static final List<String> ENAS_MICRO_OPS = List.of("sep_conv_bn_3x3", "sep_conv_bn_5x5", "avg_pool_bn_3x3",
            "max_pool_bn_3x3", "skip_connect");
    static final List<String> ENAS_MACRO_OPS = List.of("enas_conv_3x3", "enas_sep_conv_3x3", "enas_conv_5x5",
            "enas_sep_conv_5x5", "enas_avg_pool_3x3", "enas_max_pool_3x3");

    private static final Pattern HUB_CELL = Pattern.compile("([^/]+)/(op|input)_(\\d+)_(\\d+)");
    private static final Pattern HUB_NB201 = Pattern.compile("([^/]+)/(\\d+)_(\\d+)");
    private static final Pattern NB201_CELL = Pattern.compile("(\\d+)_(\\d+)");
    private static final Pattern ENAS_MICRO = Pattern.compile("(normal|reduce)_node_(\\d+)_([xy])_(input|op)");
    private static final Pattern AUTO = Pattern.compile("(LayerChoice|InputChoice)(\\d+)");

    private NniFormats() {
    }

    /** The NNI model of a Cellforge space, found by its keys. */
    enum Model { DARTS, NB201, ENAS_MICRO, ENAS_MACRO, GENERIC }

    static Model modelOf(SearchSpace space) {
        Map<String, Mutable> k = space.mutablesByKey();
        if (dartsShaped(space)) {
            return Model.DARTS;
        }
        if (k.keySet().equals(Set.of("n1_p0", "n2_p0", "n2_p1", "n3_p0", "n3_p1", "n3_p2"))) {
            return Model.NB201;
        }
        if (k.get("normal_n2_x_op") instanceof LayerChoice && k.get("normal_n2_x_input") instanceof InputChoice) {
            return Model.ENAS_MICRO;
        }
        if (k.get("layer_0") instanceof LayerChoice && k.get("layer_1_skip") instanceof InputChoice) {
            return Model.ENAS_MACRO;
        }
        return Model.GENERIC;
    }

    /** DartsCell's shape and keys: cells normal and reduce, node i fed by every earlier node, a switch on each. */
    private static boolean dartsShaped(SearchSpace space) {
        for (String name : List.of("normal", "reduce")) {
            Cell c = space.cells().get(name);
            if (c == null || c.inputs().size() != 2 || c.intermediates().isEmpty()) {
                return false;
            }
            for (Node n : c.intermediates()) {
                int i = c.stateIndex(n.name());
                List<Edge> in = c.incoming(n.name());
                if (n.inputChoice() == null || !n.inputChoice().key().equals(DartsCells.switchKey(name, i)) || in.size() != i) {
                    return false;
                }
                for (int j = 0; j < i; j++) {
                    if (!(in.get(j).op() instanceof LayerChoice lc) || !lc.key().equals(DartsCells.opKey(name, i, j))
                            || c.stateIndex(in.get(j).from()) != j) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** A decoded value with where its key stands (file:line:column). */
    record Entry(Object value, String at) {
    }

    // ---- reading ------------------------------------------------------------------------------------------

    /** The entries of an NNI dict: JSON as {@code json.load} reads it, or a Python literal as NNI prints it. */
    static Map<String, Entry> entries(String text, String source) throws LoadException {
        if (isPython(text)) {
            PyLiteral.Node root = PyLiteral.parse(text, source);
            if (!(root.value() instanceof Map<?, ?> m)) {
                throw new LoadException(root.where(source), "an NNI choice dict is a dict {'key': choice}");
            }
            Map<String, Entry> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) {
                String key = (String) e.getKey();
                out.put(key, new Entry(plain((PyLiteral.Node) e.getValue(), root.keyAt().get(key), key), root.keyAt().get(key)));
            }
            return out;
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(text)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new LoadException(at(source, p.currentTokenLocation()), "an NNI choice dict is a JSON object {\"key\": choice}");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                String keyAt = at(source, p.currentTokenLocation());
                p.nextToken();
                JsonNode value = JSON.readTree(p);
                out.put(key, new Entry(jsonRaw(value, keyAt, key), keyAt));
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new LoadException(at(source, p.currentTokenLocation()), "unexpected text after the choice dict");
            }
        } catch (JsonProcessingException e) {
            throw new LoadException(at(source, e.getLocation()), "JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new LoadException(source, "JSON: " + e.getMessage());
        }
        return out;
    }

    /** A Python repr ({'key': ...}) or a JSON-like dict with a trailing comma, which json.load would refuse. */
    static boolean isPython(String text) {
        return startsPythonDict(text) || Pattern.compile(",\\s*[}\\]]").matcher(text).find();
    }

    /** {@code {'}: how a dict NNI printed starts (JSON has no single quotes). */
    public static boolean startsPythonDict(String text) {
        return Pattern.compile("\\A\\s*\\{\\s*'").matcher(text).find();
    }

    private static Object plain(PyLiteral.Node n, String at, String key) throws LoadException {
        Object v = n.value();
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                out.add(plain((PyLiteral.Node) x, at, key));
            }
            return out;
        }
        if (v instanceof Map<?, ?> || v == null) {
            throw new LoadException(at, "key '" + key + "': a choice is text, a number, a boolean or a list");
        }
        return v;
    }

    private static String at(String source, JsonLocation l) {
        return l == null ? source + ":1:1" : source + ":" + Math.max(1, l.getLineNr()) + ":" + Math.max(1, l.getColumnNr());
    }

    private static Object jsonRaw(JsonNode n, String source, String key) throws LoadException {
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode x : n) {
                l.add(jsonRaw(x, source, key));
            }
            return l;
        }
        throw new LoadException(source, "key '" + key + "': a choice is text, a number, a boolean or a list");
    }

    /** What the keys of a file say it is, independently of the space it is read against. */
    enum FileKind { HUB, NB201_CELL, ENAS_MICRO, AUTO, OWN }

    static FileKind kindOf(Map<String, Entry> e) {
        if (e.isEmpty()) {
            return FileKind.OWN;
        }
        if (e.keySet().stream().anyMatch(k -> HUB_CELL.matcher(k).matches() || HUB_NB201.matcher(k).matches())) {
            return FileKind.HUB;
        }
        if (e.keySet().stream().allMatch(k -> NB201_CELL.matcher(k).matches())) {
            return FileKind.NB201_CELL;
        }
        if (e.keySet().stream().anyMatch(k -> ENAS_MICRO.matcher(k).matches())) {
            return FileKind.ENAS_MICRO;
        }
        if (e.keySet().stream().allMatch(k -> AUTO.matcher(k).matches())) {
            return FileKind.AUTO;
        }
        return FileKind.OWN;
    }

    /**
     * The zoo space an NNI file is of, by its keys alone (for the CLI when no --zoo is given); a file of an NNI
     * space Cellforge does not have is refused in one line naming its first key.
     */
    public static Optional<String> zooSpaceOf(String text, String source) throws LoadException {
        Map<String, Entry> e = entries(text, source);
        switch (kindOf(e)) {
            case HUB -> {
                refuseForeignHub(e);
                boolean nb = e.keySet().stream().anyMatch(k -> HUB_NB201.matcher(k).matches());
                return Optional.of(nb ? "nas-bench-201" : "darts-search");
            }
            case NB201_CELL -> {
                return Optional.of("nas-bench-201");
            }
            case ENAS_MICRO -> {
                return Optional.of("enas-micro");
            }
            case AUTO -> {
                refuseForeignAuto(e);
                return Optional.of("enas-macro");
            }
            default -> {
                return e.containsKey("normal_n2_p0") || e.containsKey("normal_n2_switch") ? Optional.of("darts-search") : Optional.empty();
            }
        }
    }

    /** Reads an NNI dict of {@code space}; keys NNI has and Cellforge's space has not are added to {@code warnings}. */
    public static Architecture read(String text, String source, SearchSpace space, List<Problem> warnings) throws LoadException {
        Map<String, Entry> e = entries(text, source);
        Model m = modelOf(space);
        FileKind kind = kindOf(e);
        switch (kind) {
            case HUB -> {
                refuseForeignHub(e);
                if (m == Model.DARTS) {
                    return readDartsHub(e, source, space, warnings);
                }
                if (m == Model.NB201) {
                    return readNb201(e, source, space, true);
                }
                throw mismatch(e, "NNI's hub form (normal/op_2_0, cell/0_1) of DARTS or NAS-Bench-201", space);
            }
            case NB201_CELL -> {
                if (m == Model.NB201) {
                    return readNb201(e, source, space, false);
                }
                throw mismatch(e, "NNI's NASBench201Cell (keys \"0_1\" ...)", space);
            }
            case ENAS_MICRO -> {
                if (m == Model.ENAS_MICRO) {
                    return readEnasMicro(e, source, space);
                }
                throw mismatch(e, "NNI's ENAS micro layer (normal_node_0_x_op ...)", space);
            }
            case AUTO -> {
                refuseForeignAuto(e);
                if (m == Model.ENAS_MACRO) {
                    return readEnasMacro(e, source, space);
                }
                throw mismatch(e, "NNI's ENAS macro model (keys LayerChoice1, LayerChoice2, InputChoice3 ...)", space);
            }
            default -> {
                return m == Model.DARTS ? readDartsCell(e, source, space) : bind(e, source, space);
            }
        }
    }

    private static LoadException mismatch(Map<String, Entry> e, String what, SearchSpace space) {
        Entry first = e.values().iterator().next();
        return new LoadException(first.at(), "the dict is " + what + "; space '" + space.name() + "' is not that space");
    }

    private static Architecture bind(Map<String, Entry> e, String source, SearchSpace space) throws LoadException {
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        e.forEach((k, v) -> {
            raw.put(k, v.value());
            where.put(k, v.at());
        });
        return ArchFormats.bind(space, raw, where, source);
    }

    /**
     * A LayerChoice value as NNI 1.x's FixedArchitecture reads it (nni/nas/pytorch/fixed.py,
     * _from_human_readable_architecture): a name or an index into NNI's names (or either in a one-element list), or a
     * one-hot list as long as NNI's LayerChoice. Turned into Cellforge's label; a value in Cellforge's own names or
     * one-hot length (what Cellforge wrote before) is left to {@link ArchFormats#bind}.
     */
    private static Object nniOp(Object v, List<String> nniNames, List<String> ours) {
        Object x = v instanceof List<?> l && l.size() == 1 && !(l.get(0) instanceof Boolean) ? l.get(0) : v;
        int idx = -1;
        if (x instanceof String s) {
            idx = nniNames.indexOf(s);
        } else if (x instanceof Number n && n.doubleValue() == n.intValue()) {
            idx = n.intValue();
        } else if (x instanceof List<?> l && l.size() == nniNames.size() && l.stream().allMatch(b -> b instanceof Boolean)
                && l.indexOf(Boolean.TRUE) >= 0 && l.indexOf(Boolean.TRUE) == l.lastIndexOf(Boolean.TRUE)) {
            idx = l.indexOf(Boolean.TRUE);
        }
        return idx >= 0 && idx < ours.size() ? ours.get(idx) : x;
    }

    /**
     * fixed.py takes a list of floats as long as the candidates as a multi-hot array too (what a mutator's
     * sample holds); as a mask of 0.0 and 1.0 it is a list of booleans here. Ints stay indices.
     */
    private static Object floatMask(Object v) {
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Double d && (d == 0.0 || d == 1.0))) {
            return l.stream().map(x -> (Object) ((Double) x == 1.0)).toList();
        }
        return v;
    }

    // DartsCell (NNI 1.x): Cellforge's keys are NNI's; the op names are NNI's own.
    private static Architecture readDartsCell(Map<String, Entry> e, String source, SearchSpace space) throws LoadException {
        Map<String, Entry> t = new LinkedHashMap<>();
        for (var x : e.entrySet()) {
            Object v = floatMask(x.getValue().value());
            if (space.mutablesByKey().get(x.getKey()) instanceof LayerChoice lc && !(v instanceof String s && lc.indexOf(s) >= 0)
                    && !(v instanceof List<?> l && l.size() == lc.candidates().size())) {
                v = nniOp(v, DARTS_CELL_NAMES, DARTS_OPS);
            }
            t.put(x.getKey(), new Entry(v, x.getValue().at()));
        }
        Architecture a = bind(t, source, space);
        // NNI exports an op for every edge, also those its switch drops; in the network those decide nothing.
        Map<String, Decision> kept = new LinkedHashMap<>(a.choices());
        for (Cell c : space.cells().values()) {
            for (Node n : c.intermediates()) {
                if (n.inputChoice() == null || !(a.choices().get(n.inputChoice().key()) instanceof Decision.Inputs in)) {
                    continue;
                }
                List<Edge> incoming = c.incoming(n.name());
                for (int i = 0; i < incoming.size(); i++) {
                    if (!in.indices().contains(i) && incoming.get(i).op() instanceof LayerChoice lc) {
                        kept.remove(lc.key());
                    }
                }
            }
        }
        return new Architecture(kept);
    }

    /** NNI hub cells: {@code normal/op_2_0} the op of node 2's first input, {@code normal/input_2_0} which input. */
    private static Architecture readDartsHub(Map<String, Entry> e, String source, SearchSpace space, List<Problem> warnings)
            throws LoadException {
        Map<String, Decision> out = new LinkedHashMap<>();
        Set<String> read = new java.util.HashSet<>();
        for (var x : e.entrySet()) {
            String k = x.getKey();
            if (k.equals("width") || k.equals("depth")) {
                hubSetting(k, x.getValue(), space, warnings);
            } else if (!HUB_CELL.matcher(k).matches()) {
                throw new LoadException(x.getValue().at(), "key '" + k + "' is not a choice of NNI's DARTS space "
                        + "(normal/op_N_K, normal/input_N_K, reduce/..., width, depth)");
            }
        }
        for (String cellName : List.of("normal", "reduce")) {
            Cell cell = space.cells().get(cellName);
            for (Node n : cell.intermediates()) {
                int i = cell.stateIndex(n.name());
                List<Edge> in = cell.incoming(n.name());
                List<Integer> chosen = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    String opKey = cellName + "/op_" + i + "_" + k;
                    String inKey = cellName + "/input_" + i + "_" + k;
                    Entry op = need(e, opKey, source);
                    Entry input = need(e, inKey, source);
                    read.add(opKey);
                    read.add(inKey);
                    // nni/mutable/mutable.py: Categorical.check_contains (op in DARTS_OPS) and
                    // CategoricalMultiple._parse_simple_format (a list of n_chosen=1 of range(i)); NNI 2.8-2.10 took a bare int.
                    if (!(op.value() instanceof String name) || !DARTS_OPS.contains(name)) {
                        throw new LoadException(op.at(), "key '" + opKey + "': " + describe(op.value())
                                + " is not an op of NNI's DARTS space (" + String.join(", ", DARTS_OPS) + ")");
                    }
                    Object iv = input.value() instanceof List<?> l && l.size() == 1 ? l.get(0) : input.value();
                    if (!(iv instanceof Number num) || num.doubleValue() != num.intValue() || num.intValue() < 0 || num.intValue() >= i) {
                        throw new LoadException(input.at(), "key '" + inKey + "': the input of node " + i + " is one of 0.."
                                + (i - 1) + ", as [j] (NNI 3) or j (NNI 2), found " + describe(iv));
                    }
                    int from = num.intValue();
                    int idx = -1;
                    for (int j = 0; j < in.size(); j++) {
                        if (cell.stateIndex(in.get(j).from()) == from) {
                            idx = j;
                        }
                    }
                    if (idx < 0 || !(in.get(idx).op() instanceof LayerChoice lc)) {
                        throw new LoadException(input.at(), "key '" + inKey + "': space '" + space.name() + "' has no choice on the edge "
                                + DartsCells.node(from) + "->" + n.name());
                    }
                    if (chosen.contains(idx)) {
                        throw new LoadException(input.at(), "key '" + inKey + "': node " + i + " takes both its ops from node " + from
                                + "; space '" + space.name() + "' has one edge per pair of nodes, so it keeps two different inputs");
                    }
                    if (lc.indexOf(name) < 0) {
                        throw new LoadException(op.at(), "key '" + opKey + "': '" + name + "' is not a candidate of " + lc.key());
                    }
                    chosen.add(idx);
                    out.put(lc.key(), new Decision.Op(name));
                }
                if (n.inputChoice() == null) {
                    throw new LoadException(source + ":1:1", "space '" + space.name() + "' has no InputChoice on " + cellName + " node " + n.name());
                }
                out.put(n.inputChoice().key(), new Decision.Inputs(chosen));
            }
        }
        for (var x : e.entrySet()) {
            if (HUB_CELL.matcher(x.getKey()).matches() && !read.contains(x.getKey())) {
                throw new LoadException(x.getValue().at(), "key '" + x.getKey() + "' is not a choice of NNI's DARTS space "
                        + "(cells normal and reduce, nodes 2..5, ops and inputs 0 and 1)");
            }
        }
        return new Architecture(out);
    }

    private static Entry need(Map<String, Entry> e, String key, String source) throws LoadException {
        Entry x = e.get(key);
        if (x == null) {
            // nni/mutable/exception.py SampleMissingError: every label of the space needs a value.
            throw new LoadException(source + ":1:1", "key '" + key + "' is missing; NNI's model of the space needs it");
        }
        return x;
    }

    /** width and depth of NNI's DARTS space are the network's channels and cells; another value is a warning. */
    private static void hubSetting(String k, Entry v, SearchSpace space, List<Problem> warnings) throws LoadException {
        if (!(v.value() instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw new LoadException(v.at(), "key '" + k + "': a number, found " + describe(v.value()));
        }
        int have = k.equals("width") ? space.network().channels() : cellCount(space);
        if (n.intValue() != have) {
            warnings.add(Problem.warning(Place.named("key '" + k + "'"), "NNI's " + k + " is " + n.intValue() + "; space '" + space.name()
                    + "' has " + have + (k.equals("width") ? " channels" : " cells") + ", which the architecture keeps").withSource(v.at()));
        }
    }

    static int cellCount(SearchSpace space) {
        int n = 0;
        for (Stage st : space.network().stages()) {
            if (st.kind() == StageKind.CELL) {
                n += st.repeat() == null || st.repeat().isRef() ? 1 : st.repeat().value().intValue();
            }
        }
        return n;
    }

    private static String describe(Object v) {
        return v instanceof List<?> ? "a list " + v : v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    // NASBench201Cell: key "j_i" (NNI 1.x) or "cell/j_i" (hub) is the edge from node j to node i.
    private static Architecture readNb201(Map<String, Entry> e, String source, SearchSpace space, boolean hub) throws LoadException {
        Map<String, Entry> t = new LinkedHashMap<>();
        for (var x : e.entrySet()) {
            Matcher m = (hub ? HUB_NB201 : NB201_CELL).matcher(x.getKey());
            if (!m.matches()) {
                throw new LoadException(x.getValue().at(), "key '" + x.getKey() + "' is not an edge of NNI's NAS-Bench-201 cell");
            }
            int from = Integer.parseInt(m.group(hub ? 2 : 1));
            int to = Integer.parseInt(m.group(hub ? 3 : 2));
            List<String> names = hub ? NB201_HUB_NAMES : NB201_CELL_NAMES;
            List<String> ours = names.stream().map(s -> NB201_TO_OURS.getOrDefault(s, s)).toList();
            if (x.getValue().value() instanceof String op && !names.contains(op)) {
                // Named by the file's key, not the space's n1_p0 it maps to.
                throw new LoadException(x.getValue().at(), "key '" + x.getKey() + "': '" + op + "' is not an op of NNI's "
                        + "NASBench201Cell (" + String.join(", ", names) + ")");
            }
            t.put("n" + to + "_p" + from, new Entry(nniOp(floatMask(x.getValue().value()), names, ours), x.getValue().at()));
        }
        return bind(t, source, space);
    }

    private static Architecture readEnasMicro(Map<String, Entry> e, String source, SearchSpace space) throws LoadException {
        Map<String, Entry> t = new LinkedHashMap<>();
        for (var x : e.entrySet()) {
            Matcher m = ENAS_MICRO.matcher(x.getKey());
            if (!m.matches()) {
                throw new LoadException(x.getValue().at(), "key '" + x.getKey() + "' is not a choice of NNI's ENAS micro layer");
            }
            String key = m.group(1) + "_n" + (Integer.parseInt(m.group(2)) + 2) + "_" + m.group(3) + "_" + m.group(4);
            Object v = floatMask(x.getValue().value());
            if (m.group(4).equals("op")) {
                v = nniOp(v, List.of("0", "1", "2", "3", "4"), ENAS_MICRO_OPS);
            } else {
                // choose_from is [NO_KEY, NO_KEY, "normal_node_0", ...]: a name is its index there (fixed.py: choose_from.index).
                v = inputIndex(v, name -> {
                    Matcher nm = Pattern.compile(m.group(1) + "_node_(\\d+)").matcher(name);
                    return name.isEmpty() ? 0 : nm.matches() ? Integer.parseInt(nm.group(1)) + 2 : -1;
                });
            }
            t.put(key, new Entry(v, x.getValue().at()));
        }
        return bind(t, source, space);
    }

    private interface NameIndex {
        int of(String name);
    }

    private static Object inputIndex(Object v, NameIndex names) {
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        if (items.stream().noneMatch(x -> x instanceof String)) {
            return v;
        }
        List<Object> out = new ArrayList<>();
        for (Object x : items) {
            out.add(x instanceof String s && names.of(s) >= 0 ? (Object) (long) names.of(s) : x);
        }
        return out;
    }

    /** ENAS macro's keys as NNI 1.x numbers them: layer 0's LayerChoice1, then LayerChoice(2k) and InputChoice(2k+1). */
    private static boolean isEnasMacro(Map<String, Entry> e) {
        List<String> keys = new ArrayList<>(e.keySet());
        if (keys.isEmpty() || !keys.get(0).equals("LayerChoice1") || keys.size() % 2 == 0) {
            return false;
        }
        for (int k = 1; 2 * k <= keys.size() - 1; k++) {
            if (!keys.get(2 * k - 1).equals("LayerChoice" + 2 * k) || !keys.get(2 * k).equals("InputChoice" + (2 * k + 1))) {
                return false;
            }
        }
        return true;
    }

    private static Architecture readEnasMacro(Map<String, Entry> e, String source, SearchSpace space) throws LoadException {
        Map<String, Entry> t = new LinkedHashMap<>();
        for (var x : e.entrySet()) {
            Matcher m = AUTO.matcher(x.getKey());
            m.matches();
            int n = Integer.parseInt(m.group(2));
            Object v = floatMask(x.getValue().value());
            String key;
            if (m.group(1).equals("LayerChoice")) {
                key = "layer_" + (n / 2);
                v = nniOp(v, List.of("0", "1", "2", "3", "4", "5"), ENAS_MACRO_OPS);
            } else {
                key = "layer_" + (n / 2) + "_skip";
                // choose_from is ["layer_0", ..., "layer_{k-1}"]; an empty list chooses none.
                v = inputIndex(v, name -> name.matches("layer_\\d+") ? Integer.parseInt(name.substring(6)) : -1);
            }
            t.put(key, new Entry(v, x.getValue().at()));
        }
        return bind(t, source, space);
    }

    /** Automatic keys of another NNI space than ENAS macro: named, and refused. */
    private static void refuseForeignAuto(Map<String, Entry> e) throws LoadException {
        if (isEnasMacro(e)) {
            return;
        }
        Entry first = e.values().iterator().next();
        boolean layersOnly = e.keySet().stream().allMatch(k -> k.startsWith("LayerChoice"));
        int width = first.value() instanceof List<?> l ? l.size() : -1;
        String which;
        if (layersOnly && width == 4) {
            which = "NNI's SPOS ShuffleNetV2 space (examples/nas/spos, later oneshot/spos: LayerChoice1..LayerChoice" + e.size()
                    + ", 4 blocks each)";
        } else if (width == 8) {
            which = "NNI's TextNAS space (examples/nas/legacy/textnas: LayerChoices of 8 ops with InputChoices between)";
        } else {
            which = "a space of NNI's automatic keys (LayerChoiceN, InputChoiceN) that is not ENAS macro";
        }
        throw new LoadException(first.at(), "this is " + which + ": Cellforge does not have that space");
    }

    /** A hub dict of another space than DARTS or NAS-Bench-201 (NASNet and its kin): named, and refused. */
    private static void refuseForeignHub(Map<String, Entry> e) throws LoadException {
        for (var x : e.entrySet()) {
            Matcher m = HUB_CELL.matcher(x.getKey());
            if (!m.matches()) {
                continue;
            }
            boolean op = m.group(2).equals("op");
            Object v = x.getValue().value();
            // An op of NASNet's list that DARTS lacks; an unknown one ('none') is left to the DARTS reader to refuse.
            boolean foreignOp = op && v instanceof String s && NASNET_OPS.contains(s) && !DARTS_OPS.contains(s);
            if (Integer.parseInt(m.group(3)) > 5 || foreignOp) {
                boolean nasnet = e.values().stream().allMatch(y -> !(y.value() instanceof String s) || NASNET_OPS.contains(s));
                throw new LoadException(x.getValue().at(), "this is "
                        + (nasnet ? "NNI's NASNet space (nni.nas.hub.pytorch.NASNet: 5 nodes per cell, ops such as max_pool_7x7)"
                        : "an NNI hub cell space other than DARTS")
                        + " (key '" + x.getKey() + "'" + (foreignOp ? " is '" + v + "'" : "") + "): Cellforge does not have that space");
            }
        }
    }

    // ---- writing ------------------------------------------------------------------------------------------

    /** The dict of {@code arch} in NNI {@code version} (0: the default for the space, see the class comment). */
    public static String write(SearchSpace space, Architecture arch, int version) throws LoadException {
        Model m = modelOf(space);
        if (version != 0 && !VERSIONS.contains(version)) {
            throw new LoadException("", "NNI version " + version + " is not one of 1, 2, 3");
        }
        if (m == Model.GENERIC) {
            return json(generic(space, arch));
        }
        int v = version == 0 ? 1 : version;
        if (v >= 2 && (m == Model.ENAS_MICRO || m == Model.ENAS_MACRO)) {
            throw new LoadException("", "NNI " + v + ".x has no model of space '" + space.name() + "' (NNI 1.x's ENAS "
                    + (m == Model.ENAS_MICRO ? "micro" : "macro") + " is gone from its hub); write it with NNI version 1");
        }
        return json(switch (m) {
            case DARTS -> v == 1 ? dartsCell(space, arch) : dartsHub(space, arch, v);
            case NB201 -> nb201(space, arch, v);
            case ENAS_MICRO -> enasMicro(space, arch);
            default -> enasMacro(space, arch);
        });
    }

    private static String json(Map<String, Object> o) {
        ObjectNode n = JSON.createObjectNode();
        o.forEach((k, v) -> n.set(k, JSON.valueToTree(v)));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A space of the user's own: its keys, op labels, InputChoices as the candidates' labels. */
    private static Map<String, Object> generic(SearchSpace space, Architecture arch) {
        Map<String, Object> o = new LinkedHashMap<>();
        arch.choices().forEach((k, d) -> o.put(k, ArchFormats.rawOf(space, k, d, true)));
        return o;
    }

    private static String opOf(Architecture arch, String key) throws LoadException {
        if (arch.get(key).orElse(null) instanceof Decision.Op op) {
            return op.label();
        }
        throw new LoadException("", "key '" + key + "': NNI's model of the space needs an op here, the architecture has "
                + arch.get(key).map(Object::toString).orElse("no decision"));
    }

    private static List<Integer> inputsOf(Architecture arch, String key) throws LoadException {
        if (arch.get(key).orElse(null) instanceof Decision.Inputs in) {
            return in.indices();
        }
        throw new LoadException("", "key '" + key + "': NNI's model of the space needs inputs here, the architecture has "
                + arch.get(key).map(Object::toString).orElse("no decision"));
    }

    private static String toNni(String key, String op, List<String> nniNames, List<String> ours, String model) throws LoadException {
        int i = ours.indexOf(op);
        if (i < 0) {
            throw new LoadException("", "key '" + key + "': NNI's " + model + " has no '" + op + "' (its ops: "
                    + String.join(", ", nniNames) + ")");
        }
        return nniNames.get(i);
    }

    private static int indexIn(String key, String op, List<String> ours, String model) throws LoadException {
        int i = ours.indexOf(op);
        if (i < 0) {
            throw new LoadException("", "key '" + key + "': NNI's " + model + " has no '" + op + "' (its ops, by index: "
                    + String.join(", ", ours) + ")");
        }
        return i;
    }

    /** NNI 1.x DartsCell: every LayerChoice key (FixedArchitecture wants them all) and the switch's choose_from keys. */
    private static Map<String, Object> dartsCell(SearchSpace space, Architecture arch) throws LoadException {
        Map<String, Object> o = new LinkedHashMap<>();
        for (String cellName : List.of("normal", "reduce")) {
            Cell cell = space.cells().get(cellName);
            for (Node n : cell.intermediates()) {
                List<Edge> in = cell.incoming(n.name());
                List<Integer> kept = inputsOf(arch, n.inputChoice().key());
                for (int j = 0; j < in.size(); j++) {
                    LayerChoice lc = (LayerChoice) in.get(j).op();
                    Optional<Decision> d = arch.get(lc.key());
                    if (kept.contains(j)) {
                        o.put(lc.key(), toNni(lc.key(), opOf(arch, lc.key()), DARTS_CELL_NAMES, DARTS_OPS, "DartsCell"));
                    } else {
                        // An edge the switch drops still needs a key; its op is never run, so any of NNI's names does.
                        String op = d.map(x -> ((Decision.Op) x).label()).filter(DARTS_OPS::contains).orElse(DARTS_OPS.get(0));
                        o.put(lc.key(), DARTS_CELL_NAMES.get(DARTS_OPS.indexOf(op)));
                    }
                }
                List<String> labels = ArchFormats.inputLabels(space, n.inputChoice());
                o.put(n.inputChoice().key(), kept.stream().map(labels::get).toList());
            }
        }
        return o;
    }

    /** NNI 2.8+ hub DARTS: per node two ops and their inputs, plus the network's width and depth. */
    private static Map<String, Object> dartsHub(SearchSpace space, Architecture arch, int version) throws LoadException {
        Map<String, Object> o = new LinkedHashMap<>();
        // DARTS() makes width and depth choices ('width', 'depth'); a DARTS(width=C, num_cells=N) ignores them.
        o.put("width", space.network().channels());
        o.put("depth", cellCount(space));
        for (String cellName : List.of("normal", "reduce")) {
            Cell cell = space.cells().get(cellName);
            for (Node n : cell.intermediates()) {
                int i = cell.stateIndex(n.name());
                List<Edge> in = cell.incoming(n.name());
                List<Integer> kept = inputsOf(arch, n.inputChoice().key());
                if (kept.size() != 2) {
                    throw new LoadException("", "key '" + n.inputChoice().key() + "': NNI's DARTS cell takes two inputs per node, "
                            + "the architecture keeps " + kept.size());
                }
                for (int k = 0; k < 2; k++) {
                    Edge edge = in.get(kept.get(k));
                    String key = ((LayerChoice) edge.op()).key();
                    String op = opOf(arch, key);
                    if (!DARTS_OPS.contains(op)) {
                        throw new LoadException("", "key '" + key + "': NNI's DARTS space has no '" + op + "' (its ops: "
                                + String.join(", ", DARTS_OPS) + ")");
                    }
                    int from = cell.stateIndex(edge.from());
                    o.put(cellName + "/op_" + i + "_" + k, op);
                    o.put(cellName + "/input_" + i + "_" + k, version == 2 ? (Object) from : List.of(from));
                }
            }
        }
        return o;
    }

    private static Map<String, Object> nb201(SearchSpace space, Architecture arch, int version) throws LoadException {
        Map<String, Object> o = new LinkedHashMap<>();
        List<String> names = version == 1 ? NB201_CELL_NAMES : NB201_HUB_NAMES;
        List<String> ours = names.stream().map(s -> NB201_TO_OURS.getOrDefault(s, s)).toList();
        // NASBench201Cell creates its LayerChoices node by node: 0_1, 0_2, 1_2, 0_3, 1_3, 2_3.
        for (int i = 1; i <= 3; i++) {
            for (int j = 0; j < i; j++) {
                String key = "n" + i + "_p" + j;
                o.put((version == 1 ? "" : "cell/") + j + "_" + i, toNni(key, opOf(arch, key), names, ours, "NASBench201Cell"));
            }
        }
        return o;
    }

    /** ENAS micro: the LayerChoice's names are "0".."4" and choose_from repeats NO_KEY, so NNI exports both as indices. */
    private static Map<String, Object> enasMicro(SearchSpace space, Architecture arch) throws LoadException {
        Map<String, Object> o = new LinkedHashMap<>();
        for (String cellName : List.of("normal", "reduce")) {
            for (int m = 0; space.mutablesByKey().containsKey(cellName + "_n" + (m + 2) + "_x_op"); m++) {
                for (String xy : List.of("x", "y")) {
                    String base = cellName + "_n" + (m + 2) + "_" + xy;
                    String nniBase = cellName + "_node_" + m + "_" + xy;
                    List<Integer> in = inputsOf(arch, base + "_input");
                    o.put(nniBase + "_input", in.size() == 1 ? (Object) in.get(0) : in);
                    o.put(nniBase + "_op", indexIn(base + "_op", opOf(arch, base + "_op"), ENAS_MICRO_OPS, "ENAS micro layer"));
                }
            }
        }
        return o;
    }

    /** ENAS macro: automatic keys; choose_from ("layer_0".."layer_{k-1}") is unique, so inputs export as names. */
    private static Map<String, Object> enasMacro(SearchSpace space, Architecture arch) throws LoadException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("LayerChoice1", indexIn("layer_0", opOf(arch, "layer_0"), ENAS_MACRO_OPS, "ENAS macro model"));
        for (int k = 1; space.mutablesByKey().containsKey("layer_" + k); k++) {
            o.put("LayerChoice" + 2 * k, indexIn("layer_" + k, opOf(arch, "layer_" + k), ENAS_MACRO_OPS, "ENAS macro model"));
            List<String> names = inputsOf(arch, "layer_" + k + "_skip").stream().map(i -> "layer_" + i).toList();
            o.put("InputChoice" + (2 * k + 1), names.size() == 1 ? (Object) names.get(0) : names);
        }
        return o;
    }
}

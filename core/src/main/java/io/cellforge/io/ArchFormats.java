package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.arch.Genotype;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reading and writing architecture descriptions. A description is always read against the space it
 * describes: keys and decisions are checked there, and every error names the source and the key.
 */
public final class ArchFormats {
    private ArchFormats() {
    }

    // ---- dispatch ------------------------------------------------------------------------------------------

    /** Reads a whole architecture of {@code space}: a decision missing for any of its choices is an error. */
    public static Architecture read(ArchFormat f, String text, String source, SearchSpace space) throws LoadException {
        return read(f, text, source, space, new ArrayList<>());
    }

    /** {@link #read}, adding to {@code warnings} what the file says and the space has no place for (NNI's width, depth). */
    public static Architecture read(ArchFormat f, String text, String source, SearchSpace space, List<Problem> warnings)
            throws LoadException {
        Architecture a = switch (f) {
            case YAML -> readYaml(text, source, space);
            case NNI -> NniFormats.read(text, source, space, warnings);
            case GENOTYPE -> fromGenotype(parseGenotype(text, source, space.userOps().keySet()), space, source);
            case MODNAS -> ModularNasDesc.readFile(text, source, space);
            case NB201 -> readNb201(text, source, space);
        };
        requireComplete(space, a, source + ":1:1");
        return a;
    }

    /** Refuses an architecture that leaves choices of its space open, naming them (the first ten when many). */
    public static void requireComplete(SearchSpace space, Architecture a, String source) throws LoadException {
        List<String> open = Fixing.undecided(space, a);
        if (!open.isEmpty()) {
            int total = space.mutablesByKey().size();
            String listed = String.join(", ", open.subList(0, Math.min(10, open.size())))
                    + (open.size() > 10 ? ", ... (" + open.size() + " in all)" : "");
            throw new LoadException(source, "the architecture leaves " + open.size() + " of the " + total
                    + " choices of space '" + space.name() + "' undecided: " + listed);
        }
    }

    public static String write(ArchFormat f, SearchSpace space, Architecture arch) throws LoadException {
        return switch (f) {
            case YAML -> writeYaml(space, arch);
            case NNI -> NniFormats.write(space, arch, 0);
            case GENOTYPE -> toGenotype(space, arch).toString() + "\n";
            case MODNAS -> ModularNasDesc.write(space, arch);
            case NB201 -> toNb201(space, arch) + "\n";
        };
    }

    /** Guesses the format of a text: Genotype(, |...|, a JSON object, or YAML (ours when it says cellforge:). */
    public static ArchFormat sniff(String text) {
        String t = text.stripLeading();
        if (t.startsWith("Genotype") || ArchaiDesc.isArchai(t)) {
            return ArchFormat.GENOTYPE;
        }
        if (t.startsWith("|")) {
            return ArchFormat.NB201;
        }
        if (t.startsWith("{") && (t.contains("\"") || NniFormats.startsPythonDict(t))) {
            return ArchFormat.NNI; // JSON, or a Python dict as NNI 3 prints its export
        }
        if (t.contains("cellforge:")) {
            return ArchFormat.YAML;
        }
        return ArchFormat.MODNAS;
    }

    // ---- binding raw values to the space's mutables ---------------------------------------------------------

    /** Turns raw decoded values (text, numbers, booleans, lists) into decisions for the space's keys. */
    public static Architecture bind(SearchSpace space, Map<String, Object> raw, Map<String, String> where, String source)
            throws LoadException {
        Map<String, Mutable> keys = space.mutablesByKey();
        Map<String, Decision> out = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            String at = where.getOrDefault(e.getKey(), source);
            Mutable m = keys.get(e.getKey());
            if (m == null) {
                throw new LoadException(at, "key '" + e.getKey() + "' is not a choice of space '" + space.name() + "'"
                        + hint(e.getKey(), keys.keySet()));
            }
            out.put(e.getKey(), decision(space, m, e.getValue(), at));
        }
        return new Architecture(out);
    }

    private static String hint(String key, java.util.Collection<String> keys) {
        if (keys.isEmpty()) {
            return " (the space has no choices)";
        }
        List<String> some = keys.stream().limit(6).toList();
        return " (its keys are " + String.join(", ", some) + (keys.size() > 6 ? ", ..." : "") + ")";
    }

    private static Decision decision(SearchSpace space, Mutable m, Object v, String at) throws LoadException {
        String k = "key '" + m.key() + "'";
        if (m instanceof LayerChoice lc) {
            if (v instanceof List<?> l && l.size() == 1 && l.get(0) instanceof String s) {
                v = s;
            }
            if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Boolean)) {
                int idx = l.indexOf(Boolean.TRUE);
                if (idx < 0 || l.lastIndexOf(Boolean.TRUE) != idx || l.size() != lc.candidates().size()) {
                    throw new LoadException(at, k + ": a one-hot list must have " + lc.candidates().size()
                            + " entries with exactly one true");
                }
                return new Decision.Op(lc.labels().get(idx));
            }
            if (v instanceof Number n) {
                int idx = n.intValue();
                if (n.doubleValue() != idx || idx < 0 || idx >= lc.candidates().size()) {
                    throw new LoadException(at, k + ": candidate index " + n + " is out of range 0.." + (lc.candidates().size() - 1));
                }
                return new Decision.Op(lc.labels().get(idx));
            }
            if (v instanceof String s) {
                if (lc.indexOf(s) < 0) {
                    throw new LoadException(at, k + ": '" + s + "' is not a candidate (" + String.join(", ", lc.labels()) + ")");
                }
                return new Decision.Op(s);
            }
            throw new LoadException(at, k + ": a LayerChoice takes an op name, found " + describe(v));
        }
        if (m instanceof ValueChoice vc) {
            if (!(v instanceof Number n)) {
                throw new LoadException(at, k + ": a ValueChoice takes a number, found " + describe(v));
            }
            if (!vc.candidates().contains(n.doubleValue())) {
                throw new LoadException(at, k + ": " + n + " is not a candidate " + vc.candidates());
            }
            return new Decision.Value(n.doubleValue());
        }
        InputChoice ic = (InputChoice) m;
        List<String> labels = inputLabels(space, ic);
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        List<Integer> idx = new ArrayList<>();
        if (!items.isEmpty() && items.stream().allMatch(x -> x instanceof Boolean)) {
            if (items.size() != labels.size()) {
                throw new LoadException(at, k + ": a mask must have " + labels.size() + " entries, found " + items.size());
            }
            for (int i = 0; i < items.size(); i++) {
                if ((Boolean) items.get(i)) {
                    idx.add(i);
                }
            }
        } else {
            for (Object x : items) {
                int i;
                if (x instanceof Number n && n.doubleValue() == n.intValue()) {
                    i = n.intValue();
                } else if (x instanceof String s) {
                    i = labels.indexOf(s);
                    if (i < 0) {
                        throw new LoadException(at, k + ": '" + s + "' is not a candidate input (" + String.join(", ", labels) + ")");
                    }
                } else {
                    throw new LoadException(at, k + ": an InputChoice takes a list of inputs, found " + describe(x));
                }
                if (i < 0 || i >= labels.size()) {
                    throw new LoadException(at, k + ": input " + i + " is out of range 0.." + (labels.size() - 1));
                }
                idx.add(i);
            }
        }
        if (idx.stream().distinct().count() != idx.size()) {
            throw new LoadException(at, k + ": an input is chosen twice");
        }
        if (ic.nChosen() != InputChoice.ANY && idx.size() != ic.nChosen() && !(idx.isEmpty() && ic.allowNone())) {
            throw new LoadException(at, k + ": chooses " + idx.size() + " inputs but n_chosen is " + ic.nChosen());
        }
        if (idx.isEmpty() && !ic.allowNone()) {
            throw new LoadException(at, k + ": must choose at least one input");
        }
        return new Decision.Inputs(idx);
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        return "'" + v + "'";
    }

    /** The candidate labels of an InputChoice: its node's incoming edges (their LayerChoice key, else the source). */
    public static List<String> inputLabels(SearchSpace space, InputChoice ic) {
        return space.inputCandidates(ic.key()).stream().map(Cell::candidateLabel).toList();
    }

    /** Raw form of a decision for export; InputChoices as candidate labels (NNI) or indices (ours). */
    static Object rawOf(SearchSpace space, String key, Decision d, boolean labels) {
        if (d instanceof Decision.Op op) {
            return op.label();
        }
        if (d instanceof Decision.Value v) {
            double x = v.value();
            return x == Math.rint(x) ? (Object) (long) x : (Object) x;
        }
        List<Integer> idx = ((Decision.Inputs) d).indices();
        if (!labels) {
            return idx;
        }
        Mutable m = space.mutablesByKey().get(key);
        List<String> names = m instanceof InputChoice ic ? inputLabels(space, ic) : List.of();
        return idx.stream().map(i -> i < names.size() ? (Object) names.get(i) : (Object) i).toList();
    }

    // ---- our YAML ------------------------------------------------------------------------------------------

    static Architecture readYaml(String text, String source, SearchSpace space) throws LoadException {
        YNode root = YNode.parse(text, source);
        Map<String, YNode> top = root.map(List.of("cellforge", "kind", "space", "choices"));
        YNode v = YNode.req(top, "cellforge", root);
        if (v.integer() != SpaceYaml.VERSION) {
            throw v.error("schema version " + v.integer() + " is not " + SpaceYaml.VERSION);
        }
        YNode kind = YNode.req(top, "kind", root);
        if (!kind.str().equals("architecture")) {
            throw kind.error("expected kind: architecture, found '" + kind.str() + "'");
        }
        if (YNode.opt(top, "space").isPresent()) {
            top.get("space").str(); // a space name, not a list or a mapping: spaceNameOf reads it
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        YNode choices = YNode.opt(top, "choices").orElse(root);
        if (choices != root) {
            for (var e : choices.map().entrySet()) {
                raw.put(e.getKey(), yamlRaw(e.getValue()));
                where.put(e.getKey(), e.getValue().where());
            }
        }
        Architecture a = bind(space, raw, where, source);
        requireComplete(space, a, choices.where());
        return a;
    }

    /** The space name an architecture YAML file names, if any (so the CLI can find it in the zoo). */
    public static Optional<String> spaceNameOf(String text, String source) {
        try {
            YNode root = YNode.parse(text, source);
            if (!root.isMap()) {
                return Optional.empty();
            }
            YNode s = root.map().get("space");
            return s == null || !s.isScalar() ? Optional.empty() : Optional.of(s.str());
        } catch (LoadException e) {
            return Optional.empty();
        }
    }

    static Object yamlRaw(YNode n) throws LoadException {
        if (n.isSeq()) {
            List<Object> l = new ArrayList<>();
            for (YNode x : n.seq()) {
                l.add(yamlRaw(x));
            }
            return l;
        }
        if (n.isMap()) {
            throw n.error("a decision is a name, a number or a list, not a mapping");
        }
        String s = n.str();
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        if (n.isNumber()) {
            return n.number();
        }
        return s;
    }

    static String writeYaml(SearchSpace space, Architecture arch) {
        StringBuilder b = new StringBuilder("cellforge: ").append(SpaceYaml.VERSION).append("\nkind: architecture\n");
        b.append("space: ").append(Yaml.scalar(space.name())).append('\n');
        b.append("choices:");
        if (arch.choices().isEmpty()) {
            b.append(" {}");
        }
        b.append('\n');
        arch.choices().forEach((k, d) -> {
            Object r = rawOf(space, k, d, false);
            b.append("  ").append(Yaml.scalar(k)).append(": ")
                    .append(r instanceof String s ? Yaml.scalar(s) : r.toString()).append('\n');
        });
        return b.toString();
    }

    // ---- DARTS genotype ------------------------------------------------------------------------------------

    /**
     * A genotype in any dialect {@link Genotype#parse} reads, or the DARTS model of an Archai model description; an op
     * Cellforge has not is refused at its line and column.
     */
    public static Genotype parseGenotype(String text, String source) throws LoadException {
        return parseGenotype(text, source, java.util.Set.of());
    }

    /** {@code userOps}: ops of the space the genotype is read against (VEGA 1.x's own sep_conv), known besides the catalog's. */
    static Genotype parseGenotype(String text, String source, java.util.Set<String> userOps) throws LoadException {
        if (ArchaiDesc.isArchai(text)) {
            return ArchaiDesc.read(text, source);
        }
        Genotype g;
        try {
            g = Genotype.parse(text);
        } catch (FormatException e) {
            throw new LoadException(e.where().isEmpty() ? source : source + ":" + e.where(),
                    e.getMessage().substring(e.where().isEmpty() ? 0 : e.where().length() + 2));
        }
        List<Genotype.Op> ops = new ArrayList<>(g.normal());
        if (g.reduce() != null) {
            ops.addAll(g.reduce());
        }
        for (Genotype.Op op : ops) {
            if (io.cellforge.ops.OpCatalog.builtin().find(op.name()).isEmpty() && !userOps.contains(op.name())) {
                throw new LoadException(source + ":" + lineColumn(text, op.name()), unknownOp(op.name()));
            }
        }
        return g;
    }

    static String unknownOp(String name) {
        return "unknown op '" + name + "'" + io.cellforge.ops.OpCatalog.builtin().closest(name).map(c -> " (did you mean '" + c + "'?)")
                .orElse("");
    }

    /** line:column of the first quoted {@code name} in the text. */
    private static String lineColumn(String text, String name) {
        int single = text.indexOf("'" + name + "'");
        int dbl = text.indexOf("\"" + name + "\"");
        int at = single < 0 ? Math.max(0, dbl) : dbl < 0 ? single : Math.min(single, dbl);
        int line = 1;
        int col = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return line + ":" + col;
    }

    /** The decisions a genotype makes in a DARTS search space (cells normal and reduce, NNI keys). */
    public static Architecture fromGenotype(Genotype g, SearchSpace space, String source) throws LoadException {
        if (g.reduce() == null) {
            throw new LoadException(source, "reduce=None stands for GDAS's fixed reduction cell, which is no architecture of "
                    + "space '" + space.name() + "' (stats --genotype counts it)");
        }
        for (var cell : List.of(Map.entry("normal", g.normalInputs()), Map.entry("reduce", g.reduceInputs()))) {
            if (!cell.getValue().stream().allMatch(n -> n == 2)) {
                throw new LoadException(source, "the genotype's " + cell.getKey() + " nodes sum " + cell.getValue()
                        + " edges; a DARTS space keeps two a node (stats --genotype counts it)");
            }
        }
        Map<String, Decision> out = new LinkedHashMap<>();
        cellFromGenotype("normal", g.normal(), g.normalConcat(), space, source, out);
        cellFromGenotype("reduce", g.reduce(), g.reduceConcat(), space, source, out);
        return new Architecture(out);
    }

    private static void cellFromGenotype(String name, List<Genotype.Op> ops, List<Integer> concat, SearchSpace space,
                                         String source, Map<String, Decision> out) throws LoadException {
        Cell cell = space.cells().get(name);
        if (cell == null) {
            throw new LoadException(source, "a genotype needs a DARTS space with cells 'normal' and 'reduce'; space '"
                    + space.name() + "' has " + space.cells().keySet());
        }
        List<Node> mids = cell.intermediates();
        if (mids.size() != ops.size() / 2) {
            throw new LoadException(source, "the genotype's " + name + " cell has " + ops.size() / 2
                    + " nodes but the space's has " + mids.size());
        }
        List<Integer> spaceConcat = cell.output().map(o -> cell.incoming(o.name()).stream()
                .map(e -> cell.stateIndex(e.from())).toList()).orElse(List.of());
        if (!spaceConcat.equals(concat)) {
            throw new LoadException(source, name + "_concat " + concat + " differs from the space's " + spaceConcat);
        }
        for (int i = 0; i < mids.size(); i++) {
            Node n = mids.get(i);
            List<Edge> in = cell.incoming(n.name());
            List<Integer> chosen = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                Genotype.Op op = ops.get(2 * i + k);
                int idx = -1;
                for (int j = 0; j < in.size(); j++) {
                    if (cell.stateIndex(in.get(j).from()) == op.input() && !chosen.contains(j)) {
                        idx = j;
                        break;
                    }
                }
                if (idx < 0) {
                    throw new LoadException(source, name + " node " + (i + 2) + ": the space has no edge from node " + op.input());
                }
                chosen.add(idx);
                Edge e = in.get(idx);
                if (!(e.op() instanceof LayerChoice lc)) {
                    throw new LoadException(source, name + " edge " + e.label() + " has no LayerChoice");
                }
                if (lc.indexOf(op.name()) < 0) {
                    throw new LoadException(source, name + " node " + (i + 2) + ": '" + op.name()
                            + "' is not a candidate of " + lc.key() + " (" + String.join(", ", lc.labels()) + ")");
                }
                out.put(lc.key(), new Decision.Op(op.name()));
            }
            if (n.inputChoice() != null) {
                out.put(n.inputChoice().key(), new Decision.Inputs(chosen));
            } else if (in.size() != 2) {
                throw new LoadException(source, name + " node " + n.name() + " has no InputChoice to keep two of its "
                        + in.size() + " inputs");
            }
        }
    }

    /** The genotype of an architecture of a DARTS space: per node, its chosen edges in candidate order. */
    public static Genotype toGenotype(SearchSpace space, Architecture arch) throws LoadException {
        List<Genotype.Op> normal = cellToGenotype(space, arch, "normal");
        List<Genotype.Op> reduce = cellToGenotype(space, arch, "reduce");
        return new Genotype(normal, concatOf(space.cells().get("normal")), reduce, concatOf(space.cells().get("reduce")));
    }

    static List<Integer> concatOf(Cell c) {
        return c.output().map(o -> c.incoming(o.name()).stream().map(e -> c.stateIndex(e.from())).toList()).orElse(List.of());
    }

    private static List<Genotype.Op> cellToGenotype(SearchSpace space, Architecture arch, String name) throws LoadException {
        Cell cell = space.cells().get(name);
        if (cell == null || cell.inputs().size() != 2) {
            throw new LoadException("", "a genotype is written from a DARTS space (cells 'normal' and 'reduce' with two inputs); '"
                    + space.name() + "' is not one");
        }
        List<Genotype.Op> out = new ArrayList<>();
        for (Node n : cell.intermediates()) {
            List<Edge> in = cell.incoming(n.name());
            List<Edge> chosen = in;
            if (n.inputChoice() != null) {
                Decision d = arch.get(n.inputChoice().key()).orElseThrow(() ->
                        new LoadException("", "no decision for " + n.inputChoice().key()));
                chosen = ((Decision.Inputs) d).indices().stream().map(in::get).toList();
            }
            if (chosen.size() != 2) {
                throw new LoadException("", name + " node " + n.name() + " keeps " + chosen.size()
                        + " inputs; a genotype needs exactly two");
            }
            for (Edge e : chosen) {
                String op;
                if (e.op() instanceof LayerChoice lc) {
                    Decision d = arch.get(lc.key()).orElseThrow(() -> new LoadException("", "no decision for " + lc.key()));
                    op = ((Decision.Op) d).label();
                } else {
                    op = ((io.cellforge.space.OpCall) e.op()).label();
                }
                out.add(new Genotype.Op(op, cell.stateIndex(e.from())));
            }
        }
        return out;
    }

    // ---- ModularNAS arch_desc: ModularNasDesc -----------------------------------------------------------

    // ---- NAS-Bench-201 --------------------------------------------------------------------------------------

    /** The one cell of an NB201-like space: one input, every non-input node fed through LayerChoices. */
    private static Cell nb201Cell(SearchSpace space) throws LoadException {
        for (Cell c : space.cells().values()) {
            if (c.inputs().size() == 1 && !c.edges().isEmpty() && c.edges().stream().allMatch(e -> e.op() instanceof LayerChoice)) {
                return c;
            }
        }
        throw new LoadException("", "a NAS-Bench-201 string needs a space whose cell has one input and a LayerChoice on "
                + "every edge; '" + space.name() + "' has none");
    }

    private static List<Node> nb201Nodes(Cell c) {
        List<Node> l = new ArrayList<>(c.nodes().stream().filter(n -> n.kind() != NodeKind.OUTPUT).toList());
        c.output().ifPresent(l::add);
        return l;
    }

    static Architecture readNb201(String text, String source, SearchSpace space) throws LoadException {
        Cell cell = nb201Cell(space);
        List<Node> nodes = nb201Nodes(cell);
        String t = text.strip();
        if (!t.startsWith("|") || !t.endsWith("|") || t.length() < 2) {
            throw new LoadException(source + ":1:1", "a NAS-Bench-201 string looks like |op~0|+|op~0|op~1|+|...|");
        }
        String[] groups = t.split("\\+", -1);
        if (groups.length != nodes.size() - 1) {
            throw new LoadException(source + ":1:1", "the string has " + groups.length + " nodes after the input but the cell has "
                    + (nodes.size() - 1));
        }
        Map<String, Decision> out = new LinkedHashMap<>();
        int col = 1;
        for (int g = 0; g < groups.length; g++) {
            String group = groups[g];
            Node to = nodes.get(g + 1);
            if (!group.startsWith("|") || !group.endsWith("|") || group.length() < 2) {
                throw new LoadException(source + ":1:" + col, "node " + (g + 1) + ": expected |op~input|...|");
            }
            String[] items = group.substring(1, group.length() - 1).split("\\|", -1);
            int itemCol = col + 1;
            for (String item : items) {
                int tilde = item.lastIndexOf('~');
                if (tilde <= 0) {
                    throw new LoadException(source + ":1:" + itemCol, "expected op~input, found '" + item + "'");
                }
                String op = item.substring(0, tilde);
                int from;
                try {
                    from = Integer.parseInt(item.substring(tilde + 1));
                } catch (NumberFormatException e) {
                    throw new LoadException(source + ":1:" + (itemCol + tilde + 1), "expected an input number after '~'");
                }
                if (from < 0 || from > g) {
                    throw new LoadException(source + ":1:" + (itemCol + tilde + 1), "node " + (g + 1) + " can only take inputs 0.." + g);
                }
                String fromName = nodes.get(from).name();
                String at = source + ":1:" + itemCol;
                Edge e = cell.incoming(to.name()).stream().filter(x -> x.from().equals(fromName)).findFirst()
                        .orElseThrow(() -> new LoadException(at, "the cell has no edge " + fromName + "->" + to.name()));
                LayerChoice lc = (LayerChoice) e.op();
                if (lc.indexOf(op) < 0) {
                    throw new LoadException(source + ":1:" + itemCol, "'" + op + "' is not a candidate of " + lc.key()
                            + " (" + String.join(", ", lc.labels()) + ")");
                }
                if (out.put(lc.key(), new Decision.Op(op)) != null) {
                    throw new LoadException(source + ":1:" + itemCol, "edge " + e.label() + " appears twice");
                }
                itemCol += item.length() + 1;
            }
            col += group.length() + 1;
        }
        for (Edge e : cell.edges()) {
            if (!out.containsKey(((LayerChoice) e.op()).key())) {
                throw new LoadException(source + ":1:1", "edge " + e.label() + " is missing from the string");
            }
        }
        return new Architecture(out);
    }

    static String toNb201(SearchSpace space, Architecture arch) throws LoadException {
        Cell cell = nb201Cell(space);
        List<Node> nodes = nb201Nodes(cell);
        List<String> groups = new ArrayList<>();
        for (int g = 1; g < nodes.size(); g++) {
            StringBuilder b = new StringBuilder("|");
            for (int from = 0; from < g; from++) {
                String fromName = nodes.get(from).name();
                String toName = nodes.get(g).name();
                for (Edge e : cell.incoming(toName)) {
                    if (e.from().equals(fromName)) {
                        LayerChoice lc = (LayerChoice) e.op();
                        Decision d = arch.get(lc.key()).orElseThrow(() -> new LoadException("", "no decision for " + lc.key()));
                        b.append(((Decision.Op) d).label()).append('~').append(from).append('|');
                    }
                }
            }
            groups.add(b.toString());
        }
        return String.join("+", groups);
    }
}

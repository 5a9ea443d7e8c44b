package io.cellforge.io;

import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Point;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.UserOp;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Cellforge's own YAML schema for search spaces, version {@value #VERSION}; documented in the README.
 * Reading reports the first error as "file:line:column: what is wrong"; writing is deterministic, so that
 * load, save, load gives an equal model and a saved file diffs cleanly.
 */
public final class SpaceYaml {
    public static final int VERSION = 1;

    private SpaceYaml() {
    }

    /** A model and where its elements stood in the file. */
    public record Loaded(SearchSpace space, SourceMap sources) {
    }

    // ---- reading -------------------------------------------------------------------------------------------

    public static Loaded read(String text, String source) throws LoadException {
        YNode root = YNode.parse(text, source);
        SourceMap map = new SourceMap();
        Map<String, YNode> top = root.map(List.of("cellforge", "kind", "name", "description", "network", "values", "ops",
                "cells", "meta", "layout"));
        YNode version = YNode.req(top, "cellforge", root);
        int v = version.integer();
        if (v != VERSION) {
            throw version.error("this file is schema version " + v + "; this Cellforge reads version " + VERSION);
        }
        Optional<YNode> kind = YNode.opt(top, "kind");
        if (kind.isPresent() && !kind.get().str().equals("space")) {
            throw kind.get().error("expected kind: space, found '" + kind.get().str() + "' (an architecture file?)");
        }
        String name = YNode.opt(top, "name").isPresent() ? top.get("name").str() : "untitled";
        String description = YNode.opt(top, "description").isPresent() ? top.get("description").str() : "";

        Map<String, ValueChoice> values = new LinkedHashMap<>();
        if (YNode.opt(top, "values").isPresent()) {
            for (var e : top.get("values").map().entrySet()) {
                List<Double> cands = new ArrayList<>();
                for (YNode c : e.getValue().seq()) {
                    cands.add(c.number());
                }
                values.put(e.getKey(), new ValueChoice(e.getKey(), cands));
                map.put("value " + e.getKey(), e.getValue().where());
            }
        }
        Map<String, UserOp> ops = new LinkedHashMap<>();
        if (YNode.opt(top, "ops").isPresent()) {
            for (var e : top.get("ops").map().entrySet()) {
                Map<String, YNode> o = e.getValue().map(List.of("description", "layers"));
                List<OpCall> layers = new ArrayList<>();
                for (YNode l : YNode.req(o, "layers", e.getValue()).seq()) {
                    layers.add(opCall(l));
                }
                String about = YNode.opt(o, "description").isPresent() ? o.get("description").str() : "";
                ops.put(e.getKey(), new UserOp(e.getKey(), about, layers));
                map.put("op " + e.getKey(), e.getValue().where());
            }
        }
        Map<String, Cell> cells = new LinkedHashMap<>();
        if (YNode.opt(top, "cells").isPresent()) {
            for (var e : top.get("cells").map().entrySet()) {
                cells.put(e.getKey(), cell(e.getKey(), e.getValue(), map));
            }
        }
        Network network = network(YNode.req(top, "network", root), map);
        map.put("network", top.get("network").where());
        Map<String, String> meta = new LinkedHashMap<>();
        if (YNode.opt(top, "meta").isPresent()) {
            for (var e : top.get("meta").map().entrySet()) {
                meta.put(e.getKey(), e.getValue().str());
            }
        }
        Map<String, Map<String, Point>> positions = YNode.opt(top, "layout").isPresent() ? layout(top.get("layout"), cells)
                : Map.of();
        return new Loaded(new SearchSpace(name, description, network, cells, values, ops, meta, positions), map);
    }

    /** The designer's drawing: {@code cell: {node: [x, y]}}, for nodes the cells have. */
    private static Map<String, Map<String, Point>> layout(YNode n, Map<String, Cell> cells) throws LoadException {
        Map<String, Map<String, Point>> out = new LinkedHashMap<>();
        for (var c : n.map().entrySet()) {
            Cell cell = cells.get(c.getKey());
            if (cell == null) {
                throw c.getValue().error("layout names cell '" + c.getKey() + "', which the file does not define");
            }
            Map<String, Point> p = new LinkedHashMap<>();
            for (var e : c.getValue().map().entrySet()) {
                if (cell.node(e.getKey()).isEmpty()) {
                    throw e.getValue().error("layout of cell " + c.getKey() + " names node '" + e.getKey()
                            + "', which the cell does not have");
                }
                List<YNode> xy = e.getValue().seq();
                if (xy.size() != 2) {
                    throw e.getValue().error("a node's position is [x, y], found " + xy.size() + " numbers");
                }
                p.put(e.getKey(), new Point(xy.get(0).number(), xy.get(1).number()));
            }
            out.put(c.getKey(), p);
        }
        return out;
    }

    /** A name (of a node, cell, key): non-empty text. */
    static String name(YNode n, String what) throws LoadException {
        String s = n.str().trim();
        if (s.isEmpty() || n.isNull()) {
            throw n.error(what + " cannot be empty");
        }
        return s;
    }


    private static Network network(YNode n, SourceMap map) throws LoadException {
        Map<String, YNode> m = n.map(List.of("input", "classes", "channels", "affine", "stem", "stages", "head", "auxiliary",
                "context"));
        YNode in = YNode.req(m, "input", n);
        List<YNode> dims = in.seq();
        if (dims.size() != 3) {
            throw in.error("input is [channels, height, width], found " + dims.size() + " numbers");
        }
        Shape input = new Shape(dims.get(0).integer(1, 1 << 16), dims.get(1).integer(1, 1 << 16), dims.get(2).integer(1, 1 << 16));
        int classes = YNode.req(m, "classes", n).integer(1, 1 << 24);
        int channels = YNode.opt(m, "channels").isPresent() ? m.get("channels").integer(1, 1 << 20) : input.channels();
        boolean affine = YNode.opt(m, "affine").isEmpty() || m.get("affine").bool();
        List<List<OpCall>> stem = new ArrayList<>();
        if (YNode.opt(m, "stem").isPresent()) {
            List<YNode> items = m.get("stem").seq();
            if (!items.isEmpty() && items.get(0).isSeq()) {
                for (YNode seq : items) {
                    stem.add(opList(seq));
                }
            } else {
                stem.add(opList(m.get("stem")));
            }
        }
        List<Stage> stages = new ArrayList<>();
        List<YNode> st = YNode.req(m, "stages", n).seq();
        for (int i = 0; i < st.size(); i++) {
            Stage s = stage(st.get(i), i);
            stages.add(s);
            map.putStage(i, s.name(), st.get(i).where());
            if (s.op() instanceof LayerChoice lc) {
                map.put("key " + lc.key(), st.get(i).where());
            }
        }
        List<OpCall> head = YNode.opt(m, "head").isPresent() ? opList(m.get("head")) : List.of();
        if (YNode.opt(m, "stem").isPresent()) {
            map.put("stem", m.get("stem").where());
        }
        if (YNode.opt(m, "head").isPresent()) {
            map.put("head", m.get("head").where());
        }
        Network.Auxiliary aux = null;
        if (YNode.opt(m, "auxiliary").isPresent()) {
            YNode a = m.get("auxiliary");
            Map<String, YNode> am = a.map(List.of("after", "op"));
            aux = new Network.Auxiliary(YNode.req(am, "after", a).integer(0, 100_000), opCall(YNode.req(am, "op", a)));
            map.put("auxiliary head", a.where());
        }
        Network.Context context = Network.Context.NONE;
        if (YNode.opt(m, "context").isPresent()) {
            YNode c = m.get("context");
            Map<String, YNode> cm = c.map(List.of("features", "generators"));
            Map<String, List<OpCall>> generators = new LinkedHashMap<>();
            if (YNode.opt(cm, "generators").isPresent()) {
                for (var g : cm.get("generators").map().entrySet()) {
                    generators.put(g.getKey(), opList(g.getValue()));
                    map.put("generator " + g.getKey(), g.getValue().where());
                }
            }
            context = new Network.Context(YNode.req(cm, "features", c).integer(1, 1 << 20), generators);
            map.put("context", c.where());
        }
        return new Network(input, classes, channels, stem, stages, head, aux, affine, context);
    }

    private static Stage stage(YNode n, int index) throws LoadException {
        Map<String, YNode> m = n.map(List.of("name", "cell", "op", "choice", "role", "channels", "widen", "stride",
                "repeat", "residual"));
        String name = YNode.opt(m, "name").isPresent() ? m.get("name").str() : "stage " + index;
        Role role = Role.NORMAL;
        if (YNode.opt(m, "role").isPresent()) {
            YNode r = m.get("role");
            String v = r.str();
            role = Role.parse(v).orElseThrow(() -> r.error("role is normal or reduction, found '" + v + "'"));
        }
        int kinds = (m.containsKey("cell") ? 1 : 0) + (m.containsKey("op") ? 1 : 0) + (m.containsKey("choice") ? 1 : 0);
        if (kinds != 1) {
            throw n.error("a stage has exactly one of 'cell' (a cell instance), 'op' or 'choice' (a block)");
        }
        Param channels = YNode.opt(m, "channels").isPresent() ? param(m.get("channels")) : null;
        Param widen = YNode.opt(m, "widen").isPresent() ? param(m.get("widen")) : null;
        Param stride = YNode.opt(m, "stride").isPresent() ? param(m.get("stride")) : null;
        Param repeat = YNode.opt(m, "repeat").isPresent() ? param(m.get("repeat")) : null;
        boolean residual = YNode.opt(m, "residual").isPresent() && m.get("residual").bool();
        if (m.containsKey("cell")) {
            return new Stage(name, StageKind.CELL, name(m.get("cell"), "a cell name"), null, role, channels, widen, stride, repeat, residual);
        }
        EdgeOp op = m.containsKey("op") ? opCall(m.get("op")) : layerChoice(m.get("choice"));
        return new Stage(name, StageKind.BLOCK, null, op, role, channels, widen, stride, repeat, residual);
    }

    private static Cell cell(String name, YNode n, SourceMap map) throws LoadException {
        String where = "cell " + name;
        map.put(where, n.where());
        Map<String, YNode> m = n.map(List.of("preprocess", "inputs", "nodes", "output", "edges"));
        Preprocess pre = Preprocess.NONE;
        if (YNode.opt(m, "preprocess").isPresent()) {
            YNode p = m.get("preprocess");
            String v = p.str();
            pre = Preprocess.parse(v).orElseThrow(() -> p.error("preprocess is one of darts, enas, enas_reduce, none; found '"
                    + v + "'"));
        }
        List<Node> nodes = new ArrayList<>();
        for (YNode i : YNode.req(m, "inputs", n).seq()) {
            String in = name(i, "an input name");
            nodes.add(Node.input(in));
            map.put(where + ", node " + in, i.where());
        }
        if (YNode.opt(m, "nodes").isPresent()) {
            for (YNode x : m.get("nodes").seq()) {
                Node node = node(x, NodeKind.INTERMEDIATE);
                nodes.add(node);
                map.put(where + ", node " + node.name(), x.where());
                if (node.inputChoice() != null) {
                    map.put("key " + node.inputChoice().key(), x.where());
                }
            }
        }
        YNode out = YNode.req(m, "output", n);
        Node output = node(out, NodeKind.OUTPUT);
        nodes.add(output);
        map.put(where + ", node " + output.name(), out.where());
        List<Edge> edges = new ArrayList<>();
        if (YNode.opt(m, "edges").isPresent()) {
            for (YNode e : m.get("edges").seq()) {
                Edge edge = edge(e);
                edges.add(edge);
                map.put(where + ", edge " + edge.label(), e.where());
                if (edge.op() instanceof LayerChoice lc) {
                    map.put("key " + lc.key(), e.where());
                }
            }
        }
        return new Cell(name, nodes, edges, pre);
    }

    private static Node node(YNode n, NodeKind kind) throws LoadException {
        if (n.isScalar()) {
            return new Node(name(n, "a node name"), kind, Reduction.SUM, null, false);
        }
        Map<String, YNode> m = n.map(List.of("name", "reduction", "input_choice", "loose_ends"));
        String name = name(YNode.req(m, "name", n), "a node name");
        Reduction r = YNode.opt(m, "reduction").isPresent() ? reduction(m.get("reduction")) : Reduction.SUM;
        InputChoice ic = null;
        if (YNode.opt(m, "input_choice").isPresent()) {
            YNode c = m.get("input_choice");
            Map<String, YNode> cm = c.map(List.of("key", "n_chosen", "reduction", "allow_none"));
            int k = InputChoice.ANY;
            if (YNode.opt(cm, "n_chosen").isPresent() && !cm.get("n_chosen").str().equals("any")) {
                k = cm.get("n_chosen").integer(0, 10_000);
            }
            ic = new InputChoice(name(YNode.req(cm, "key", c), "a key"), k,
                    YNode.opt(cm, "reduction").isPresent() ? reduction(cm.get("reduction")) : r,
                    YNode.opt(cm, "allow_none").isPresent() && cm.get("allow_none").bool());
        }
        boolean loose = YNode.opt(m, "loose_ends").isPresent() && m.get("loose_ends").bool();
        if (loose && kind != NodeKind.OUTPUT) {
            throw m.get("loose_ends").error("only the output node can take loose ends");
        }
        return new Node(name, kind, r, ic, loose);
    }

    private static Reduction reduction(YNode n) throws LoadException {
        String v = n.str();
        return Reduction.parse(v).orElseThrow(() -> n.error("reduction is sum, mean or concat; found '" + v + "'"));
    }

    private static Edge edge(YNode n) throws LoadException {
        Map<String, YNode> m = n.map(List.of("from", "to", "op", "choice", "stride"));
        if (m.containsKey("op") && m.containsKey("choice")) {
            throw n.error("an edge has either 'op' or 'choice', not both");
        }
        EdgeOp op = YNode.opt(m, "choice").isPresent() ? layerChoice(m.get("choice"))
                : YNode.opt(m, "op").isPresent() ? opCall(m.get("op")) : OpCall.of("identity");
        int stride = YNode.opt(m, "stride").isPresent() ? m.get("stride").integer(1, 64) : 1;
        return new Edge(name(YNode.req(m, "from", n), "an edge's 'from'"), name(YNode.req(m, "to", n), "an edge's 'to'"), op, stride);
    }

    static LayerChoice layerChoice(YNode n) throws LoadException {
        Map<String, YNode> m = n.map(List.of("key", "candidates"));
        List<OpCall> cands = new ArrayList<>();
        for (YNode c : YNode.req(m, "candidates", n).seq()) {
            cands.add(opCall(c));
        }
        return new LayerChoice(name(YNode.req(m, "key", n), "a key"), cands);
    }

    private static List<OpCall> opList(YNode n) throws LoadException {
        List<OpCall> out = new ArrayList<>();
        for (YNode x : n.seq()) {
            out.add(opCall(x));
        }
        return out;
    }

    /** {@code sep_conv_3x3} or {@code {op: conv, kernel: 3, out: $width}}. */
    static OpCall opCall(YNode n) throws LoadException {
        if (n.isScalar()) {
            String s = n.str().trim();
            if (s.isEmpty()) {
                throw n.error("expected an op name");
            }
            return OpCall.of(s);
        }
        Map<String, YNode> m = n.map();
        String name = name(YNode.req(m, "op", n), "an op name");
        Map<String, Param> params = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            if (!e.getKey().equals("op")) {
                params.put(e.getKey(), param(e.getValue()));
            }
        }
        return new OpCall(name, params);
    }

    static Param param(YNode n) throws LoadException {
        String s = n.str().trim();
        if (s.startsWith("$")) {
            if (s.length() == 1) {
                throw n.error("'$' must be followed by the name of a value");
            }
            return Param.ref(s.substring(1));
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Param.of(n.bool() ? 1 : 0);
        }
        return Param.of(n.number());
    }

    // ---- writing -------------------------------------------------------------------------------------------

    public static String write(SearchSpace s) {
        StringBuilder b = new StringBuilder();
        b.append("cellforge: ").append(VERSION).append('\n');
        b.append("kind: space\n");
        b.append("name: ").append(Yaml.scalar(s.name())).append('\n');
        if (!s.description().isEmpty()) {
            b.append("description: ").append(Yaml.scalar(s.description())).append('\n');
        }
        Network n = s.network();
        b.append("network:\n");
        b.append("  input: [").append(n.input().channels()).append(", ").append(n.input().height()).append(", ")
                .append(n.input().width()).append("]\n");
        b.append("  classes: ").append(n.classes()).append('\n');
        b.append("  channels: ").append(n.channels()).append('\n');
        if (!n.affine()) {
            b.append("  affine: false\n");
        }
        if (!n.stem().isEmpty()) {
            b.append("  stem:\n");
            for (List<OpCall> seq : n.stem()) {
                b.append("    - ").append(flowOps(seq)).append('\n');
            }
        }
        b.append("  stages:\n");
        for (Stage st : n.stages()) {
            b.append("    - ").append(stage(st)).append('\n');
        }
        if (!n.head().isEmpty()) {
            b.append("  head: ").append(flowOps(n.head())).append('\n');
        }
        if (n.auxiliary() != null) {
            b.append("  auxiliary: {after: ").append(n.auxiliary().after()).append(", op: ")
                    .append(flowOp(n.auxiliary().op())).append("}\n");
        }
        if (n.context().present()) {
            b.append("  context:\n    features: ").append(n.context().features()).append('\n');
            if (!n.context().generators().isEmpty()) {
                b.append("    generators:\n");
                n.context().generators().forEach((k, seq) -> b.append("      ").append(Yaml.scalar(k)).append(": ")
                        .append(flowOps(seq)).append('\n'));
            }
        }
        if (!s.values().isEmpty()) {
            b.append("values:\n");
            for (ValueChoice v : s.values().values()) {
                b.append("  ").append(Yaml.scalar(v.key())).append(": [")
                        .append(String.join(", ", v.candidates().stream().map(d -> Param.of(d).toString()).toList()))
                        .append("]\n");
            }
        }
        if (!s.userOps().isEmpty()) {
            b.append("ops:\n");
            for (UserOp u : s.userOps().values()) {
                b.append("  ").append(Yaml.scalar(u.name())).append(":\n");
                if (!u.description().isEmpty()) {
                    b.append("    description: ").append(Yaml.scalar(u.description())).append('\n');
                }
                b.append("    layers: ").append(flowOps(u.layers())).append('\n');
            }
        }
        if (!s.cells().isEmpty()) {
            b.append("cells:\n");
            for (Cell c : s.cells().values()) {
                writeCell(b, c);
            }
        }
        if (!s.meta().isEmpty()) {
            b.append("meta:\n");
            s.meta().forEach((k, v) -> b.append("  ").append(Yaml.scalar(k)).append(": ").append(Yaml.scalar(v)).append('\n'));
        }
        if (!s.positions().isEmpty()) {
            b.append("layout:\n");
            s.positions().forEach((cell, nodes) -> {
                b.append("  ").append(Yaml.scalar(cell)).append(":\n");
                nodes.forEach((node, p) -> b.append("    ").append(Yaml.scalar(node)).append(": [").append(coordinate(p.x()))
                        .append(", ").append(coordinate(p.y())).append("]\n"));
            });
        }
        return b.toString();
    }

    /** Whole numbers without a fraction; others in Java's shortest form, which reads back to the same double. */
    private static String coordinate(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static void writeCell(StringBuilder b, Cell c) {
        b.append("  ").append(Yaml.scalar(c.name())).append(":\n");
        b.append("    preprocess: ").append(c.preprocess().yamlName()).append('\n');
        b.append("    inputs: [").append(String.join(", ", c.inputs().stream().map(x -> Yaml.scalar(x.name())).toList()))
                .append("]\n");
        List<Node> mid = c.intermediates();
        if (!mid.isEmpty()) {
            b.append("    nodes:\n");
            for (Node x : mid) {
                b.append("      - ").append(node(x)).append('\n');
            }
        }
        b.append("    output: ").append(c.output().map(SpaceYaml::node).orElse("out")).append('\n');
        if (!c.edges().isEmpty()) {
            b.append("    edges:\n");
            for (Edge e : c.edges()) {
                b.append("      - {from: ").append(Yaml.scalar(e.from())).append(", to: ").append(Yaml.scalar(e.to()));
                if (e.op() instanceof LayerChoice lc) {
                    b.append(", choice: ").append(choice(lc));
                } else if (!((OpCall) e.op()).label().equals("identity")) {
                    b.append(", op: ").append(flowOp((OpCall) e.op()));
                }
                if (e.stride() != 1) {
                    b.append(", stride: ").append(e.stride());
                }
                b.append("}\n");
            }
        }
    }

    private static String node(Node x) {
        boolean plain = x.inputChoice() == null && x.merge() == Reduction.SUM && !x.looseEnds();
        if (plain) {
            return Yaml.scalar(x.name());
        }
        StringBuilder b = new StringBuilder("{name: ").append(Yaml.scalar(x.name()));
        if (x.merge() != Reduction.SUM && x.inputChoice() == null) {
            b.append(", reduction: ").append(x.merge().yamlName());
        }
        if (x.looseEnds()) {
            b.append(", loose_ends: true");
        }
        InputChoice ic = x.inputChoice();
        if (ic != null) {
            b.append(", input_choice: {key: ").append(Yaml.scalar(ic.key())).append(", n_chosen: ")
                    .append(ic.nChosen() == InputChoice.ANY ? "any" : Integer.toString(ic.nChosen()))
                    .append(", reduction: ").append(ic.reduction().yamlName());
            if (ic.allowNone()) {
                b.append(", allow_none: true");
            }
            b.append('}');
        }
        return b.append('}').toString();
    }

    private static String stage(Stage st) {
        StringBuilder b = new StringBuilder("{name: ").append(Yaml.scalar(st.name()));
        if (st.kind() == StageKind.CELL) {
            b.append(", cell: ").append(Yaml.scalar(st.cell()));
        } else if (st.op() instanceof LayerChoice lc) {
            b.append(", choice: ").append(choice(lc));
        } else if (st.op() != null) {
            b.append(", op: ").append(flowOp((OpCall) st.op()));
        }
        if (st.role() == Role.REDUCTION) {
            b.append(", role: reduction");
        }
        append(b, "channels", st.channels());
        append(b, "widen", st.widen());
        append(b, "stride", st.stride());
        append(b, "repeat", st.repeat());
        if (st.residual()) {
            b.append(", residual: true");
        }
        return b.append('}').toString();
    }

    private static void append(StringBuilder b, String k, Param p) {
        if (p != null) {
            b.append(", ").append(k).append(": ").append(param(p));
        }
    }

    private static String param(Param p) {
        return p.isRef() ? Yaml.scalar("$" + p.ref()) : p.toString();
    }

    private static String choice(LayerChoice lc) {
        return "{key: " + Yaml.scalar(lc.key()) + ", candidates: " + flowOps(lc.candidates()) + "}";
    }

    static String flowOps(List<OpCall> ops) {
        return "[" + String.join(", ", ops.stream().map(SpaceYaml::flowOp).toList()) + "]";
    }

    static String flowOp(OpCall c) {
        if (c.params().isEmpty()) {
            return Yaml.scalar(c.op());
        }
        StringBuilder b = new StringBuilder("{op: ").append(Yaml.scalar(c.op()));
        c.params().forEach((k, v) -> b.append(", ").append(Yaml.scalar(k)).append(": ").append(param(v)));
        return b.append('}').toString();
    }

    static final Set<String> RESERVED = Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n", "~");
}

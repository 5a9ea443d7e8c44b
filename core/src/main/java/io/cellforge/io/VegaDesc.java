package io.cellforge.io;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A searched architecture of a space read from a VEGA file, written back as the description VEGA builds the
 * network from: the file's own modules with every hyper-parameter set to what was read (its chosen or first
 * candidate) and every searched doublechannel/downsample list spelled out, without the hyper-parameters. VEGA 0.9
 * builds it with {@code FineGrainedSpaceFactory.from_desc} (the desc its generator builds after
 * {@code search_space.update(params)}); VEGA 1.x with {@code ModuleSerializable.from_desc} as a fully-train step's
 * {@code model.model_desc} (or {@code model_desc_file}).
 */
public final class VegaDesc {
    private VegaDesc() {
    }

    /** The keys {@link Vega} gives searched list positions: {@code module.doublechannel.3}. */
    private static final Pattern LIST_KEY = Pattern.compile("(.+)\\.(doublechannel|downsample)\\.(\\d+)");

    /**
     * {@code text}/{@code source}: the VEGA file the space was read from; {@code step}: the pipeline step, or null
     * for the one the reader picks; {@code space}: the space read from it; {@code arch}: a whole architecture of it.
     */
    public static String write(String text, String source, String step, SearchSpace space, Architecture arch) throws LoadException {
        YNode root = YNode.parse(text, source);
        YNode container = root;
        YNode ss;
        var located = VegaPipeline.locate(root, step);
        if (located.isPresent()) {
            container = located.get().container();
            ss = located.get().space();
        } else {
            ss = root.isMap() ? root.map().get("search_space") : null;
            if (ss == null) {
                throw root.error("not a VEGA space: --to vega needs the VEGA file the architecture was searched in (--space FILE)");
            }
        }
        ArchFormats.requireComplete(space, arch, source);
        Map<String, YNode> top = ss.map();
        if (top.containsKey("backbone") && top.get("backbone").isMap() && !top.get("backbone").map().isEmpty()
                && top.get("backbone").map().keySet().iterator().next().equals("ResNetVariant")) {
            return backboneNas(top, source, space, arch);
        }
        YNode darts = VegaDarts.network(top);
        if (darts != null) {
            return darts(top, darts, source, space, arch);
        }
        YNode desc = ss;
        Map<String, List<YNode>> hypers = new LinkedHashMap<>();
        Map<String, YNode> ssMap = ss.map();
        boolean v1 = !ssMap.containsKey("modules") && ssMap.containsKey("hyperparameters");
        if (v1) {
            desc = container.map().get("model").map().get("model_desc");
            for (YNode item : ssMap.get("hyperparameters").seq()) {
                Map<String, YNode> m = item.map();
                String key = m.get("key").str();
                String type = m.containsKey("type") ? m.get("type").str() : "CATEGORY";
                if (type.equals("CATEGORY") && key.startsWith("network.")) {
                    hypers.put(key.substring("network.".length()), m.get("range").seq());
                }
            }
        } else if (ssMap.containsKey("hyper_parameters")) {
            for (var e : ssMap.get("hyper_parameters").map().entrySet()) {
                hypers.put(e.getKey(), e.getValue().seq());
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) plain(desc);
        out.remove("hyper_parameters");
        // What was read: a hyper-parameter's first candidate (VEGA sets one of them before building).
        for (var h : hypers.entrySet()) {
            String[] path = h.getKey().split("\\.");
            Map<String, Object> at = out;
            for (int i = 0; i < path.length - 1 && at != null; i++) {
                at = at.get(path[i]) instanceof Map<?, ?> m ? cast(m) : null;
            }
            if (at != null) {
                at.put(path[path.length - 1], plain(h.getValue().get(0)));
            }
        }
        // The searched positions, as the 0/1 lists VEGA's VariantLayer and ResNetGeneral take.
        Map<String, TreeMap<Integer, Integer>> lists = new LinkedHashMap<>();
        for (ValueChoice vc : space.values().values()) {
            Matcher m = LIST_KEY.matcher(vc.key());
            if (!m.matches()) {
                throw new LoadException(source, "choice '" + vc.key() + "' is not one VEGA's description can hold");
            }
            double v = ((Decision.Value) arch.get(vc.key()).orElseThrow()).value();
            lists.computeIfAbsent(m.group(1) + "." + m.group(2), k -> new TreeMap<>()).put(Integer.parseInt(m.group(3)), v == 2 ? 1 : 0);
        }
        if (space.mutablesByKey().size() != space.values().size()) {
            throw new LoadException(source, "space '" + space.name() + "' has choices VEGA's description cannot hold");
        }
        for (var l : lists.entrySet()) {
            int dot = l.getKey().lastIndexOf('.');
            Object module = out.get(l.getKey().substring(0, dot));
            if (!(module instanceof Map<?, ?> mod)) {
                throw new LoadException(source, "no module '" + l.getKey().substring(0, dot) + "' in " + desc.where());
            }
            // Positions the candidates agree on keep the read list's entry; a count (BackboneNasCodec) had no list.
            String param = l.getKey().substring(dot + 1);
            List<Object> list = cast(mod).get(param) instanceof List<?> read ? new ArrayList<>(read) : new ArrayList<>();
            for (var e : l.getValue().entrySet()) {
                while (list.size() <= e.getKey()) {
                    list.add(0);
                }
                list.set(e.getKey(), e.getValue());
            }
            cast(mod).put(param, list);
        }
        String how = v1 ? "VEGA's model_desc (a fully-train step's model.model_desc or model_desc_file)"
                : "VEGA's FineGrainedSpace description (what FineGrainedSpaceFactory.from_desc builds)";
        return "# " + how + " of the architecture searched in " + Escape.line(source) + "\n" + dump(out);
    }

    /**
     * VEGA 0.9 BackboneNas: the description its BackboneNasCodec.decode makes and NetworkDesc.to_model builds
     * ({@code name} picks the network class): the backbone's candidates set to the first (what was read), its
     * doublechannel and downsample to the chosen 0/1 lists, the head's base_channel to the backbone's width.
     */
    private static String backboneNas(Map<String, YNode> ss, String source, SearchSpace space, Architecture arch) throws LoadException {
        Map<String, Object> backbone = new LinkedHashMap<>();
        backbone.put("name", "ResNetVariant");
        for (var e : ss.get("backbone").map().get("ResNetVariant").map().entrySet()) {
            backbone.put(e.getKey(), plain(e.getValue().isSeq() ? e.getValue().seq().get(0) : e.getValue()));
        }
        for (String k : List.of("doublechannel", "downsample")) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; space.values().containsKey("backbone." + k + "." + i); i++) {
                l.add(((Decision.Value) arch.get("backbone." + k + "." + i).orElseThrow()).value() == 2 ? 1 : 0);
            }
            backbone.put(k, l);
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("name", "LinearClassificationHead");
        YNode hn = ss.get("head") != null && ss.get("head").isMap() ? ss.get("head").map().get("LinearClassificationHead") : null;
        Object classes = hn != null && hn.map().get("num_classes") != null
                ? plain(hn.map().get("num_classes").isSeq() ? hn.map().get("num_classes").seq().get(0) : hn.map().get("num_classes")) : 10;
        head.put("num_classes", classes);
        int doublings = (int) ((List<?>) backbone.get("doublechannel")).stream().filter(x -> x.equals(1)).count();
        int depth = ((Number) backbone.get("base_depth")).intValue();
        head.put("base_channel", ((Number) backbone.get("base_channel")).intValue() * (depth < 50 ? 1 : 4) << doublings);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("modules", List.of("backbone", "head"));
        out.put("backbone", backbone);
        out.put("head", head);
        return "# VEGA 0.9's BackboneNas network description (what NetworkDesc.to_model builds) of the architecture searched in "
                + Escape.line(source) + "\n" + dump(out);
    }

    /**
     * VEGA's DARTS: the file's own description with {@code search: False} and each cell's genotype the derived
     * [op, to, from] edges, two per node, as VEGA's Cell._compile reads them (what VEGA's DARTS search hands its
     * fully-train step; that step's template sets the evaluation's channels and cells).
     */
    @SuppressWarnings("unchecked")
    private static String darts(Map<String, YNode> ss, YNode net, String source, SearchSpace space, Architecture arch) throws LoadException {
        io.cellforge.arch.Genotype g = ArchFormats.toGenotype(space, arch);
        Map<String, Object> out = new LinkedHashMap<>();
        String module = ss.get("modules").seq().get(0).str();
        out.put("modules", List.of(module));
        Map<String, Object> n = (Map<String, Object>) plain(net);
        n.put("search", false);
        Map<String, Object> cells = n.containsKey("cells") ? (Map<String, Object>) n.get("cells") : n;
        for (String cell : List.of("normal", "reduce")) {
            List<io.cellforge.arch.Genotype.Op> ops = cell.equals("normal") ? g.normal() : g.reduce();
            List<Object> edges = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                String op = ops.get(i).name();
                edges.add(List.of(op.startsWith(VegaDarts.VEGA1_SEP) ? op.substring(VegaDarts.VEGA1_SEP.length()) : op, 2 + i / 2,
                        ops.get(i).input()));
            }
            ((Map<String, Object>) cells.get(cell)).put("genotype", edges);
            ((Map<String, Object>) cells.get(cell)).put("concat", new ArrayList<>(cell.equals("normal") ? g.normalConcat() : g.reduceConcat()));
        }
        out.put(module, n);
        return "# VEGA's DARTS network description (search: False, the derived genotype) of the architecture searched in "
                + Escape.line(source) + "\n" + dump(out);
    }

    private static String dump(Map<String, Object> out) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.AUTO);
        o.setIndent(4);
        o.setWidth(120);
        return new Yaml(o).dump(out);
    }

    /** True when {@code text} is a VEGA space this class writes for (not Cellforge's, not ModularNAS's). */
    public static boolean isVega(String text, String source, String step) {
        try {
            YNode root = YNode.parse(text, source);
            var located = VegaPipeline.locate(root, step);
            return located.isPresent() ? !ForeignSpaces.isModnasSpace(located.get().space()) : ForeignSpaces.detect(root).equals("vega");
        } catch (LoadException e) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** The node as plain values, numbers as numbers: what PyYAML's safe loader gives VEGA. */
    private static Object plain(YNode n) throws LoadException {
        if (n.isMap()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (var e : n.map().entrySet()) {
                m.put(e.getKey(), plain(e.getValue()));
            }
            return m;
        }
        if (n.isSeq()) {
            List<Object> l = new ArrayList<>();
            for (YNode x : n.seq()) {
                l.add(plain(x));
            }
            return l;
        }
        if (n.isNull()) {
            return null;
        }
        String s = n.str();
        if (s.matches("-?[0-9]+") && s.length() < 10) {
            return Integer.parseInt(s);
        }
        if (n.isNumber() && s.matches("[-+0-9.eE]+")) {
            return Double.parseDouble(s);
        }
        return switch (s) {
            case "True", "true" -> Boolean.TRUE;
            case "False", "false" -> Boolean.FALSE;
            default -> s;
        };
    }
}

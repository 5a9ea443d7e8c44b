package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.ops.Shape;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.ValueChoice;
import io.cellforge.zoo.Zoo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cellforge.io.ForeignSpaces.note;

/**
 * VEGA's ResNet family, built block by block as VEGA builds it: the {@code FineGrainedSpace} modules of VEGA 0.9
 * ({@code vega/search_space/fine_grained_space}: ResNet, ResNetVariant, InitialBlock, SmallInputInitialBlock,
 * BasicLayer, VariantLayer, LinearClassificationHead, AdaptiveAvgPool2d, View, Linear) and the {@code model_desc}
 * networks of VEGA 1.x ({@code vega/networks/resnet.py}: ResNet over ResNetGeneral), with the space's
 * {@code hyper_parameters} (0.9) or {@code hyperparameters} list (1.x) applied as VEGA applies them: a flattened key
 * {@code module.param} set in the description before the modules are built.
 */
final class Vega {
    private Vega() {
    }

    static final int MAX_WIDTH = 1 << 20;
    static final int MAX_BLOCKS = 10_000;

    /** A searched key of the space: {@code module.param} with its candidates, from {@code where}. */
    record Hyper(String module, String param, List<YNode> values, YNode where) {
        String key() {
            return module + "." + param;
        }
    }

    /** VEGA 0.9 constructor parameters of each FineGrainedSpace module type (what a key may set). */
    static final Map<String, Set<String>> PARAMS_09 = Map.of(
            "ResNet", Set.of("depth", "block", "items", "num_class", "num_reps", "init_plane", "out_plane"),
            "ResNetVariant", Set.of("base_depth", "base_channel", "doublechannel", "downsample", "small_input", "num_class"),
            "InitialBlock", Set.of("init_plane"),
            "SmallInputInitialBlock", Set.of("init_plane"),
            "BasicLayer", Set.of("in_plane", "expansion", "block", "layer_reps", "items", "groups", "base_width"),
            "VariantLayer", Set.of("in_plane", "out_plane", "doublechannel", "downsample", "expansion", "block", "groups",
                    "base_width"),
            "LinearClassificationHead", Set.of("base_channel", "num_class"),
            "AdaptiveAvgPool2d", Set.of("output_size"),
            "View", Set.of(),
            "Linear", Set.of("in_features", "out_features", "bias"));
    /** VEGA 1.x {@code vega/networks/resnet.py} ResNet.__init__. */
    static final Set<String> PARAMS_RESNET_1X = Set.of("depth", "base_channel", "out_plane", "stages", "num_class",
            "small_input", "doublechannel", "downsample");

    /** The ResNets VEGA 1.x's ResNetGeneral knows: block kind and blocks per stage. */
    static final Map<Integer, int[]> GENERAL_BLOCKS = Map.of(18, new int[] {2, 2, 2, 2}, 20, new int[] {3, 3, 3, 2},
            34, new int[] {3, 4, 6, 3}, 50, new int[] {3, 4, 6, 3}, 101, new int[] {3, 4, 23, 3}, 152, new int[] {3, 8, 36, 3});

    static Imported read(YNode root, String name, VegaPipeline.Step step) throws LoadException {
        List<Problem> notes = new ArrayList<>();
        Map<String, YNode> top = root.map();
        // A file holding the description itself (VEGA's model_desc JSON) is its own space.
        YNode ssNode = step != null ? step.space() : top.containsKey("search_space") ? top.get("search_space") : root;
        Map<String, YNode> ss = ssNode.map();
        YNode desc = ssNode;
        List<Hyper> hypers = new ArrayList<>();
        if (!ss.containsKey("modules") && ss.containsKey("hyperparameters")) {
            // VEGA 1.x: the space is a list of hyperparameters over the step's model.model_desc.
            YNode model = top.get("model");
            if (model == null || !model.isMap() || !model.map().containsKey("model_desc")) {
                throw ssNode.error("VEGA hyperparameters but no model.model_desc in this step to apply them to");
            }
            desc = model.map().get("model_desc");
            hypers.addAll(hyperList(ss.get("hyperparameters"), notes));
            for (String k : ss.keySet()) {
                if (!k.equals("hyperparameters")) {
                    notes.add(note(ss.get(k), "search_space." + k, "not mapped"));
                }
            }
        }
        // Nodes are told apart by their place: every map() gives new YNode objects.
        String descAt = desc.where();
        for (String k : ssNode == root ? Set.<String>of() : top.keySet()) {
            YNode v = top.get(k);
            boolean read = v.where().equals(ssNode.where()) || (step != null && (k.equals("pipe_step") || k.equals("dataset")))
                    || (k.equals("model") && v.isMap() && v.map().get("model_desc") != null
                    && v.map().get("model_desc").where().equals(descAt));
            if (!read) {
                notes.add(note(v, (step != null ? step.name() + "." : "") + k,
                        "not mapped: only the space is read from a VEGA file"));
            }
        }
        Map<String, YNode> d = desc.map();
        if (!d.containsKey("modules")) {
            throw desc.error("not read: this VEGA space has no modules (it holds " + String.join(", ", d.keySet())
                    + "); Cellforge reads FineGrainedSpace modules, and hyperparameters over a model_desc");
        }
        YNode darts = VegaDarts.network(d);
        if (darts != null) {
            SearchSpace sp = VegaDarts.read(darts, name, step != null ? step.input() : null, notes);
            SourceMap map = new SourceMap();
            map.fallback(darts.where());
            return new Imported(sp, notes, null, map, false);
        }
        Imported backbone = backboneNas(d, ssNode, name, step, notes);
        if (backbone != null) {
            return backbone;
        }
        if (d.containsKey("type") && d.get("type").isScalar() && d.get("type").str().equals("SearchSpace")) {
            throw desc.error("not read: VEGA's SearchSpace of candidate networks (" + candidates(d)
                    + "), built by VEGA's own network classes; Cellforge reads FineGrainedSpace modules and model_desc ResNets");
        }
        boolean fineGrained = d.containsKey("type") && d.get("type").isScalar() && d.get("type").str().equals("FineGrainedSpace");
        String prefix = desc == ssNode ? "search_space." : "model.model_desc.";
        if (fineGrained && YNode.opt(d, "hyper_parameters").isPresent()) {
            for (var e : d.get("hyper_parameters").map().entrySet()) {
                hypers.add(hyper(e.getKey(), e.getValue().seq(), e.getValue()));
            }
        }
        List<String> modules = new ArrayList<>();
        for (YNode m : YNode.req(d, "modules", desc).seq()) {
            modules.add(m.str());
        }
        for (String k : d.keySet()) {
            if (!k.equals("type") && !k.equals("modules") && !k.equals("hyper_parameters") && !modules.contains(k)) {
                notes.add(note(d.get(k), prefix + k, "not mapped: not listed in modules"));
            }
        }
        Map<String, List<Hyper>> byModule = new LinkedHashMap<>();
        for (Hyper h : hypers) {
            if (!modules.contains(h.module())) {
                notes.add(note(h.where(), h.key(), "not mapped: '" + h.module() + "' is no module of this space"));
            } else {
                byModule.computeIfAbsent(h.module(), k -> new ArrayList<>()).add(h);
            }
        }
        Builder b = new Builder(notes, fineGrained);
        for (String modName : modules) {
            YNode modNode = d.get(modName);
            if (modNode == null) {
                throw desc.error("module '" + modName + "' is listed in modules but not defined");
            }
            b.module(new Args(modName, modNode, byModule.getOrDefault(modName, List.of()), notes, fineGrained));
        }
        Shape input = step != null && step.input() != null ? step.input() : null;
        if (input == null) {
            input = b.largeInput ? new Shape(3, 224, 224) : new Shape(3, 32, 32);
            notes.add(note(ssNode, "search_space", "the file names no dataset Cellforge knows, so no input size; assumed " + input));
        }
        if (b.stages.isEmpty()) {
            throw desc.error("not read: no module of this space maps to layers (" + candidates(d) + ")");
        }
        if (b.head.isEmpty()) {
            notes.add(note(desc, prefix.substring(0, prefix.length() - 1), "VEGA builds no classifier head from these modules"));
        }
        Network net = new Network(input, b.classes, b.base, b.stem, b.stages, b.head, null, true);
        SearchSpace whole = new SearchSpace(name, "", net, Map.of(), b.values, Map.of(), Map.of());
        SourceMap map = new SourceMap();
        for (int i = 0; i < b.stages.size(); i++) {
            map.putStage(i, b.stages.get(i).name(), b.stageWhere.get(i));
        }
        map.fallback(ssNode.where());
        return new Imported(whole, notes, null, map, false);
    }

    /**
     * VEGA 0.9 BackboneNas ({@code algorithms/nas/backbone_nas}): a SearchSpace of {@code backbone: {ResNetVariant:
     * {param: [candidates]}}} and {@code head: {LinearClassificationHead: {num_classes: [n]}}}; the codec turns the
     * doublechannel and downsample counts into positions and gives the head the backbone's width.
     */
    private static Imported backboneNas(Map<String, YNode> d, YNode ssNode, String name, VegaPipeline.Step step,
                                        List<Problem> notes) throws LoadException {
        if (!d.containsKey("type") || !d.get("type").isScalar() || !d.get("type").str().equals("SearchSpace")
                || !(d.get("backbone") != null && d.get("backbone").isMap() && !d.get("backbone").map().isEmpty()
                && d.get("backbone").map().keySet().iterator().next().equals("ResNetVariant"))) {
            return null;
        }
        Map<String, YNode> bb = d.get("backbone").map();
        for (String k : bb.keySet()) {
            if (!k.equals("ResNetVariant")) {
                notes.add(note(bb.get(k), "backbone." + k, "not mapped: only the first network of a BackboneNas backbone is built"));
            }
        }
        YNode rv = bb.get("ResNetVariant");
        List<Hyper> hypers = new ArrayList<>();
        for (var e : rv.map().entrySet()) {
            hypers.add(new Hyper("backbone", e.getKey(), e.getValue().isSeq() ? e.getValue().seq() : List.of(e.getValue()), e.getValue()));
        }
        Builder b = new Builder(notes, true);
        Args a = new Args("backbone", rv, Map.of(), "ResNetVariant", hypers, notes, true);
        a.codecCounts = true;
        b.module(a);
        b.pool();
        int classes = 10;
        YNode head = d.get("head");
        if (head != null && head.isMap() && head.map().containsKey("LinearClassificationHead")) {
            YNode n = head.map().get("LinearClassificationHead").map().get("num_classes");
            if (n != null) {
                classes = (n.isSeq() ? n.seq().get(0) : n).integer(1, 1 << 24);
                if (n.isSeq() && n.seq().size() > 1) {
                    notes.add(note(n, "head.num_classes", "not mapped: a choice of classes; read with " + classes));
                }
            }
        } else if (head != null) {
            notes.add(note(head, "head", "not mapped: only LinearClassificationHead is read"));
        }
        b.classes = classes;
        b.head.add(OpCall.of("linear"));
        Shape input = step != null && step.input() != null ? step.input() : new Shape(3, 32, 32);
        Network net = new Network(input, classes, b.base, b.stem, b.stages, b.head, null, true);
        SourceMap map = new SourceMap();
        for (int i = 0; i < b.stages.size(); i++) {
            map.putStage(i, b.stages.get(i).name(), b.stageWhere.get(i));
        }
        map.fallback(ssNode.where());
        return new Imported(new SearchSpace(name, "", net, Map.of(), b.values, Map.of(), Map.of()), notes, null, map, false);
    }

    /** "name: Type" for every module, to say in one line what a space holds. */
    private static String candidates(Map<String, YNode> d) throws LoadException {
        List<String> out = new ArrayList<>();
        for (YNode m : d.get("modules").seq()) {
            YNode mod = d.get(m.str());
            String type = mod == null || !mod.isMap() ? "?" : mod.map().containsKey("type") ? typeName(mod.map().get("type"))
                    : mod.map().containsKey("name") ? typeName(mod.map().get("name")) : String.join("/", mod.map().keySet());
            out.add(m.str() + ": " + type);
        }
        return String.join(", ", out);
    }

    private static String typeName(YNode t) throws LoadException {
        return t.isScalar() ? t.str() : t.describe();
    }

    /** VEGA 1.x {@code hyperparameters: [{key: network.backbone.depth, type: CATEGORY, range: [...]}]}. */
    private static List<Hyper> hyperList(YNode list, List<Problem> notes) throws LoadException {
        List<Hyper> out = new ArrayList<>();
        for (YNode item : list.seq()) {
            Map<String, YNode> m = item.map();
            String key = YNode.req(m, "key", item).str();
            String type = YNode.opt(m, "type").isPresent() ? m.get("type").str() : "CATEGORY";
            if (!type.equals("CATEGORY")) {
                notes.add(note(item, key, "not mapped: only CATEGORY hyperparameters map onto Cellforge's choices, not " + type));
                continue;
            }
            if (!key.startsWith("network.")) {
                notes.add(note(item, key, "not mapped: only network.* hyperparameters shape the network"));
                continue;
            }
            if (key.indexOf('.', "network.".length()) < 0) {
                notes.add(note(item, key, "not mapped: names no parameter of a module"));
                continue;
            }
            out.add(hyper(key.substring("network.".length()), YNode.req(m, "range", item).seq(), item));
        }
        return out;
    }

    private static Hyper hyper(String key, List<YNode> values, YNode where) throws LoadException {
        int dot = key.lastIndexOf('.');
        if (dot <= 0) {
            throw where.error("hyper-parameter key '" + key + "' is not of the form module.parameter");
        }
        if (values.isEmpty()) {
            throw where.error("hyper-parameter '" + key + "' has no candidates");
        }
        // VEGA splits the flattened key on every dot: module.param (a deeper key sets a field inside a parameter).
        int first = key.indexOf('.');
        return new Hyper(key.substring(0, first), key.substring(first + 1), values, where);
    }

    /** One module's arguments: its own fields, with the space's hyper-parameters set over them as VEGA does. */
    private static final class Args {
        final String name;
        final YNode node;
        final Map<String, YNode> own;
        final String type;
        final Map<String, Hyper> hyper = new LinkedHashMap<>();
        final Set<String> used = new HashSet<>();
        final List<Problem> notes;
        final Set<String> known;

        /** VEGA 0.9 BackboneNas: the network's parameters are lists of candidates, and counts set the positions. */
        boolean codecCounts;

        Args(String name, YNode node, List<Hyper> hypers, List<Problem> notes, boolean fineGrained) throws LoadException {
            this(name, node, node.map(), typeName(YNode.req(node.map(), "type", node)), hypers, notes, fineGrained);
        }

        Args(String name, YNode node, Map<String, YNode> own, String type, List<Hyper> hypers, List<Problem> notes,
             boolean fineGrained) {
            this.name = name;
            this.node = node;
            this.own = own;
            this.type = type;
            this.notes = notes;
            this.known = fineGrained ? PARAMS_09.get(type) : type.equals("ResNet") ? PARAMS_RESNET_1X : null;
            for (Hyper h : hypers) {
                if (known != null && !known.contains(h.param())) {
                    notes.add(note(h.where(), h.key(), "not mapped: VEGA's " + type + " has no parameter '" + h.param() + "'"));
                } else {
                    hyper.put(h.param(), h);
                }
            }
        }

        /** The value VEGA builds with: a hyper-parameter's (the first candidate, when several), else the module's own. */
        YNode get(String k) {
            used.add(k);
            Hyper h = hyper.get(k);
            return h != null ? h.values().get(0) : YNode.opt(own, k).orElse(null);
        }

        boolean has(String k) {
            return get(k) != null;
        }

        int integer(String k, int fallback, int min, int max) throws LoadException {
            YNode v = get(k);
            return v == null ? fallback : v.integer(min, max);
        }

        int required(String k, int min, int max) throws LoadException {
            YNode v = get(k);
            if (v == null) {
                throw node.error("missing '" + k + "' (VEGA's " + type + " requires it)");
            }
            return v.integer(min, max);
        }

        /** The hyper-parameter choosing {@code k} among several candidates, or null. */
        Hyper searched(String k) {
            Hyper h = hyper.get(k);
            return h != null && h.values().size() > 1 ? h : null;
        }

        /** A searched key Cellforge holds no choice for: read with VEGA's first candidate, said with its line. */
        void firstOnly(String k, String why) throws LoadException {
            Hyper h = searched(k);
            if (h != null) {
                notes.add(note(h.where(), h.key(), "not mapped: " + why + "; read with the first candidate, "
                        + h.values().get(0).describe()));
            }
        }

        YNode where(String k) {
            Hyper h = hyper.get(k);
            return h != null ? h.where() : own.containsKey(k) ? own.get(k) : node;
        }

        /** Notes every field and hyper-parameter the build did not use. */
        void finish() {
            for (String k : own.keySet()) {
                if (!k.equals("type") && !used.contains(k)) {
                    notes.add(note(own.get(k), name + "." + k, known != null && !known.contains(k)
                            ? "not mapped: VEGA's " + type + " has no parameter '" + k + "'" : "not mapped"));
                }
            }
            for (Hyper h : hyper.values()) {
                if (!used.contains(h.param())) {
                    notes.add(note(h.where(), h.key(), "not mapped"));
                }
            }
        }
    }

    /** The network as the modules build it, in order, with the channels flowing between them. */
    private static final class Builder {
        final List<Problem> notes;
        final boolean fineGrained;
        final List<List<OpCall>> stem = new ArrayList<>();
        final List<Stage> stages = new ArrayList<>();
        final List<String> stageWhere = new ArrayList<>();
        final List<OpCall> head = new ArrayList<>();
        final Map<String, ValueChoice> values = new LinkedHashMap<>();
        int classes = 10;
        int base = 3;
        /** Channels out of the last module; -1 once a searched width makes them vary. */
        int channels = 3;
        boolean largeInput;
        boolean pooled;
        boolean identityNoted;

        Builder(List<Problem> notes, boolean fineGrained) {
            this.notes = notes;
            this.fineGrained = fineGrained;
        }

        void module(Args a) throws LoadException {
            switch (a.type) {
                case "ResNet" -> {
                    if (fineGrained) {
                        resNet09(a);
                    } else {
                        resNet1x(a);
                    }
                }
                case "ResNetVariant" -> resNetVariant(a);
                case "InitialBlock" -> initialBlock(a.required("init_plane", 1, 1 << 16), a.node);
                case "SmallInputInitialBlock" -> smallInputBlock(a.required("init_plane", 1, 1 << 16), a.node);
                case "BasicLayer" -> basicLayer(a);
                case "VariantLayer" -> {
                    requireChannels(a.required("in_plane", 1, MAX_WIDTH), a.where("in_plane"), "in_plane");
                    a.required("out_plane", 1, MAX_WIDTH);
                    notes.add(note(a.where("out_plane"), a.name + ".out_plane",
                            "VEGA's VariantLayer requires out_plane but ignores it: its widths follow in_plane and doublechannel"));
                    variant(a, channels, a.integer("expansion", 1, 1, 64));
                }
                case "LinearClassificationHead" -> {
                    requireChannels(a.required("base_channel", 1, MAX_WIDTH), a.where("base_channel"), "base_channel");
                    classes = a.required("num_class", 1, 1 << 24);
                    head.add(OpCall.of("gap"));
                    head.add(OpCall.of("linear"));
                    channels = classes;
                }
                case "AdaptiveAvgPool2d" -> {
                    YNode size = a.get("output_size");
                    if (size != null && !(size.isSeq() && size.seq().size() == 2 && size.seq().get(0).integer() == 1
                            && size.seq().get(1).integer() == 1) && !(size.isScalar() && size.integer() == 1)) {
                        throw a.where("output_size").error("only AdaptiveAvgPool2d to 1x1 is mapped (global average pooling)");
                    }
                    head.add(OpCall.of("gap"));
                    pooled = true;
                }
                case "View" -> {
                }
                case "Linear" -> {
                    requireChannels(a.required("in_features", 1, MAX_WIDTH), a.where("in_features"), "in_features");
                    if (a.has("bias") && !a.get("bias").bool()) {
                        throw a.where("bias").error("a Linear without bias is not mapped (Cellforge's linear has one)");
                    }
                    if (!pooled) {
                        head.add(OpCall.of("gap"));
                        notes.add(note(a.node, a.name, "a Linear over the unpooled feature map is not mapped; read after global average pooling"));
                    }
                    classes = a.required("out_features", 1, 1 << 24);
                    head.add(OpCall.of("linear"));
                    channels = classes;
                }
                case "Quant", "Prune" -> notes.add(note(a.node, a.name, "not mapped: the " + a.type
                        + " process (Cellforge searches architectures, not quantization or pruning); the network is read without it"));
                default -> notes.add(note(a.node, a.name, "not mapped: VEGA module type '" + a.type + "' is unknown to Cellforge"));
            }
            if (!a.type.equals("Quant") && !a.type.equals("Prune") && (fineGrained ? PARAMS_09.containsKey(a.type) : a.type.equals("ResNet"))) {
                a.finish();
            }
        }

        /** VEGA's InitialBlock: conv 7x7 stride 2 (no bias), BN, ReLU, max-pool 3x3 stride 2. */
        void initialBlock(int plane, YNode where) throws LoadException {
            requireChannels(3, where, "the RGB input");
            stem.add(List.of(Zoo.conv(plane, 7, 2, 3), OpCall.of("bn"), OpCall.of("relu"),
                    new OpCall("max_pool", Map.of("kernel", Param.of(3), "stride", Param.of(2), "padding", Param.of(1)))));
            base = plane;
            channels = plane;
            largeInput = true;
        }

        /** VEGA's SmallInputInitialBlock: conv 3x3 stride 1 (no bias), BN, ReLU. */
        void smallInputBlock(int plane, YNode where) throws LoadException {
            requireChannels(3, where, "the RGB input");
            stem.add(List.of(Zoo.conv(plane, 3, 1, 1), OpCall.of("bn"), OpCall.of("relu")));
            base = plane;
            channels = plane;
        }

        /**
         * VEGA 0.9 ResNet: InitialBlock(init_plane), BasicLayer(init_plane, expansion, block, num_reps, items), global
         * pooling, Linear(out_plane x expansion, num_class). Depths 18, 34, 50 and 101 fix the block and num_reps.
         */
        void resNet09(Args a) throws LoadException {
            int depth = a.required("depth", 1, 100_000);
            int[] reps = switch (depth) {
                case 18 -> new int[] {2, 2, 2, 2};
                case 34, 50 -> new int[] {3, 4, 6, 3};
                case 101 -> new int[] {3, 4, 23, 3};
                default -> null;
            };
            boolean bottleneck;
            if (reps != null) {
                bottleneck = depth >= 50;
                if (a.has("num_reps")) {
                    notes.add(note(a.where("num_reps"), a.name + ".num_reps", "has no effect: VEGA's ResNet takes num_reps "
                            + java.util.Arrays.toString(reps) + " from depth " + depth));
                }
                if (a.has("block")) {
                    notes.add(note(a.where("block"), a.name + ".block", "has no effect: VEGA's ResNet takes the block from depth " + depth));
                }
            } else {
                YNode block = a.get("block");
                if (block == null) {
                    throw a.where("depth").error("VEGA's ResNet knows depths 18, 34, 50 and 101; depth " + depth + " needs a block");
                }
                bottleneck = isBottleneck(block);
            }
            int exp = bottleneck ? 4 : 1;
            int init = a.integer("init_plane", 64, 1, 1 << 16);
            initialBlock(init, a.node);
            YNode items = a.get("items");
            if (items != null) {
                YNode n = a.get("num_reps");
                int count = reps != null ? reps.length : n == null ? 4 : n.isSeq() ? n.seq().size() : n.integer(1, MAX_BLOCKS);
                repeat(a, items, count, bottleneck);
            } else {
                if (reps == null) {
                    YNode n = a.get("num_reps");
                    if (n == null || !n.isSeq()) {
                        throw a.where("num_reps").error("without items, VEGA's BasicLayer needs num_reps as a list of blocks per layer");
                    }
                    reps = new int[n.seq().size()];
                    for (int i = 0; i < reps.length; i++) {
                        reps[i] = n.seq().get(i).integer(1, MAX_BLOCKS);
                    }
                }
                layers(a, reps, bottleneck, a.where(a.has("num_reps") && depth != 18 && depth != 34 && depth != 50 && depth != 101
                        ? "num_reps" : "depth"));
            }
            a.firstOnly("depth", "Cellforge has no choice of depth (it changes the block and their number)");
            int outPlane = a.integer("out_plane", 512, 1, MAX_WIDTH);
            pool();
            requireChannels(outPlane * exp, a.where("out_plane"), "VEGA's Linear (out_plane x expansion)");
            classes = a.integer("num_class", 10, 1, 1 << 24);
            head.add(OpCall.of("linear"));
            channels = classes;
        }

        /**
         * VEGA 1.x ResNet (vega/networks/resnet.py): ResNetGeneral(small_input, base_channel, depth, stages,
         * doublechannel, downsample), global pooling, Linear(last conv's out_channels, num_class).
         */
        void resNet1x(Args a) throws LoadException {
            int depth = a.integer("depth", 18, 1, 100_000);
            int[] reps = GENERAL_BLOCKS.get(depth);
            if (reps == null) {
                throw a.where("depth").error("VEGA's ResNetGeneral knows depths 18, 20, 34, 50, 101 and 152, not " + depth);
            }
            a.firstOnly("depth", "Cellforge has no choice of depth (it changes the block and their number)");
            a.firstOnly("base_channel", "Cellforge has no choice of the stem width");
            int stagesUsed = Math.min(a.integer("stages", 4, 1, 4), reps.length);
            int[] blocks = java.util.Arrays.copyOf(reps, stagesUsed);
            int bc = a.integer("base_channel", 64, 1, 1 << 16);
            boolean small = !a.has("small_input") || a.get("small_input").bool();
            if (small) {
                smallInputBlock(bc, a.node);
            } else {
                initialBlock(bc, a.node);
            }
            List<Integer> struct = defaultStruct(blocks);
            List<Integer> dc = positions(a, "doublechannel", struct);
            List<Integer> ds = positions(a, "downsample", struct);
            if (dc.size() != ds.size()) {
                throw a.node.error("doublechannel and downsample must have the same length (" + dc.size() + " vs " + ds.size() + ")");
            }
            variantBlocks(a, dc, ds, depth >= 50 ? 4 : 1, depth >= 50, bc, countChoice(a, "doublechannel", struct.size()),
                    countChoice(a, "downsample", struct.size()));
            pool();
            if (a.has("out_plane")) {
                requireChannels(a.required("out_plane", 1, MAX_WIDTH), a.where("out_plane"), "out_plane");
            }
            classes = a.integer("num_class", 10, 1, 1 << 24);
            head.add(OpCall.of("linear"));
            channels = classes;
        }

        /**
         * A list parameter of ResNetGeneral (doublechannel, downsample): the model's own list, or the default
         * structure when it has none. A CATEGORY over counts is BackboneNasCodec's: how many blocks to set.
         */
        private List<Integer> positions(Args a, String k, List<Integer> struct) throws LoadException {
            Hyper h = a.hyper.get(k);
            if (h != null && h.values().get(0).isScalar()) {
                a.used.add(k);
                return struct;
            }
            YNode v = a.get(k);
            return v == null ? struct : intList(v);
        }

        /**
         * The blocks a BackboneNasCodec count chooses among: VEGA keeps the default structure for the count 3 and
         * otherwise sets that many blocks at random. Cellforge chooses each block on its own, a wider set.
         */
        private Set<Integer> countChoice(Args a, String k, int blocks) throws LoadException {
            Hyper h = a.hyper.get(k);
            if (h == null || !h.values().get(0).isScalar()) {
                return Set.of();
            }
            List<Integer> counts = intList(h.where().isMap() ? h.where().map().get("range") : h.where());
            notes.add(note(h.where(), h.key(), "VEGA's BackboneNasCodec sets " + counts + " of the " + blocks
                    + " blocks at random positions; Cellforge chooses every block's " + k + " on its own, so other counts are in the space too"));
            Set<Integer> all = new HashSet<>();
            for (int i = 0; i < blocks; i++) {
                all.add(i);
            }
            return all;
        }

        /** VEGA 0.9 ResNetVariant: the small-input (or initial) block, a VariantLayer, pooling, Linear(512 x expansion). */
        void resNetVariant(Args a) throws LoadException {
            int depth = a.required("base_depth", 1, 1000);
            boolean bottleneck = switch (depth) {
                case 18, 34 -> false;
                case 50, 101 -> true;
                default -> throw a.where("base_depth").error("VEGA's ResNetVariant knows base_depth 18, 34, 50 and 101, not " + depth);
            };
            a.firstOnly("base_depth", "Cellforge has no choice of depth (it changes the block)");
            a.firstOnly("base_channel", "Cellforge has no choice of the stem width");
            int bc = a.required("base_channel", 1, 1 << 16);
            boolean small = !a.has("small_input") || a.get("small_input").bool();
            if (small) {
                smallInputBlock(bc, a.node);
            } else {
                initialBlock(bc, a.node);
            }
            int exp = bottleneck ? 4 : 1;
            if (a.codecCounts) {
                // search_space/networks/pytorch/backbones/resnet_variant.py, as BackboneNasCodec.decode sets it.
                List<Integer> struct = defaultStruct(GENERAL_BLOCKS.get(depth));
                Hyper dcCount = a.hyper.get("doublechannel");
                Hyper dsCount = a.hyper.get("downsample");
                if (dcCount != null && dsCount != null && !intList(dcCount.where()).equals(intList(dsCount.where()))) {
                    notes.add(note(dsCount.where(), dsCount.key(), "VEGA's BackboneNasCodec drops every sample whose doublechannel and "
                            + "downsample counts differ; Cellforge's choices include them"));
                }
                a.used.add("doublechannel");
                a.used.add("downsample");
                variantBlocks(a, struct, struct, exp, bottleneck, bc, countChoice(a, "doublechannel", struct.size()),
                        countChoice(a, "downsample", struct.size()));
                return;
            }
            variant(a, bc, exp, bottleneck);
            pool();
            requireChannels(512 * exp, a.node, "VEGA's ResNetVariant Linear (512 x expansion)");
            classes = a.integer("num_class", 10, 1, 1 << 24);
            head.add(OpCall.of("linear"));
            channels = classes;
        }

        /** ResNetGeneral._generate_default_struct: per stage [0] * blocks, the first of every stage but the first 1. */
        static List<Integer> defaultStruct(int[] blocks) {
            List<Integer> struct = new ArrayList<>();
            for (int i = 0; i < blocks.length; i++) {
                for (int j = 0; j < blocks[i]; j++) {
                    struct.add(i > 0 && j == 0 ? 1 : 0);
                }
            }
            return struct;
        }

        private void variant(Args a, int inPlane, int exp) throws LoadException {
            variant(a, inPlane, exp, requiredBlock(a, exp, "VariantLayer"));
        }

        /** The layer's block, required, and whether it is a bottleneck; its expansion must be the block's (4 or 1). */
        private boolean requiredBlock(Args a, int exp, String module) throws LoadException {
            YNode block = a.get("block");
            if (block == null) {
                throw a.node.error("missing 'block' (VEGA's " + module + " requires it)");
            }
            boolean bottleneck = isBottleneck(block);
            if ((bottleneck ? 4 : 1) != exp) {
                throw a.where("expansion").error("expansion " + exp + " does not fit " + (bottleneck ? "BottleneckBlock (4)" : "BasicBlock (1)")
                        + ": VEGA's network would not fit together");
            }
            return bottleneck;
        }

        /** VEGA 0.9 VariantLayer: doublechannel doubles the width of block i, downsample makes it stride 2. */
        private void variant(Args a, int inPlane, int exp, boolean bottleneck) throws LoadException {
            groupsDefault(a);
            YNode dcNode = listParam(a, "doublechannel");
            YNode dsNode = listParam(a, "downsample");
            if (dcNode == null || dsNode == null) {
                throw a.node.error("missing '" + (dcNode == null ? "doublechannel" : "downsample") + "' (VEGA's " + a.type + " requires it)");
            }
            List<Integer> dc = intList(dcNode);
            List<Integer> ds = intList(dsNode);
            if (dc.size() != ds.size()) {
                throw a.node.error("doublechannel and downsample must have the same length (" + dc.size() + " vs " + ds.size() + ")");
            }
            variantBlocks(a, dc, ds, exp, bottleneck, inPlane, listChoice(a, "doublechannel", bottleneck, dc.size()),
                    listChoice(a, "downsample", bottleneck, ds.size()));
        }

        /**
         * A list parameter: a hyper-parameter's first candidate list, or, when its candidates are 0s and 1s (VEGA's
         * documentation: the positions a search algorithm sets), the module's own list.
         */
        private static YNode listParam(Args a, String k) {
            Hyper h = a.hyper.get(k);
            if (h != null && h.values().get(0).isScalar()) {
                a.used.add(k);
                return YNode.opt(a.own, k).orElse(h.where());
            }
            return a.get(k);
        }

        /**
         * A hyper-parameter over whole lists: a position where the candidates differ becomes a choice of 1 or 2, one
         * where they agree stays fixed.
         */
        private Set<Integer> listChoice(Args a, String k, boolean bottleneck, int blocks) throws LoadException {
            Hyper h = a.searched(k);
            if (h == null) {
                return Set.of();
            }
            if (bottleneck && k.equals("doublechannel")) {
                a.firstOnly(k, "a searched width of BottleneckBlocks has no counterpart in Cellforge");
                return Set.of();
            }
            Set<Integer> differ = new HashSet<>();
            if (h.values().get(0).isScalar()) {
                // RandomSearch would set the whole list to one of these numbers, which VariantLayer cannot take.
                notes.add(note(h.where(), h.key(), "VEGA 0.9's RandomSearch would set " + k + " to one number of this list and "
                        + "fail; read as VEGA's documentation describes it: every position of " + k + " is searched"));
                for (int i = 0; i < blocks; i++) {
                    differ.add(i);
                }
                return differ;
            }
            List<Integer> first = intList(h.values().get(0));
            for (YNode c : h.values()) {
                List<Integer> l = intList(c);
                if (l.size() != blocks) {
                    throw c.error("a candidate of " + l.size() + " entries for a layer of " + blocks + " blocks");
                }
                for (int i = 0; i < blocks; i++) {
                    if (!l.get(i).equals(first.get(i))) {
                        differ.add(i);
                    }
                }
            }
            notes.add(note(h.where(), h.key(), "VEGA picks one of " + h.values().size()
                    + " lists; Cellforge chooses every differing position on its own, so their combinations are in the space too"));
            return differ;
        }

        /**
         * Blocks with VEGA's VariantLayer / ResNetGeneral widths: out = previous out, doubled where doublechannel is
         * 1; in = previous out x expansion. {@code dcAt}/{@code dsAt}: the positions that are a choice of 1 or 2.
         */
        private void variantBlocks(Args a, List<Integer> dc, List<Integer> ds, int exp, boolean bottleneck, int inPlane,
                                   Set<Integer> dcAt, Set<Integer> dsAt) throws LoadException {
            if (dc.size() > MAX_BLOCKS) {
                throw a.where("doublechannel").error("more than " + MAX_BLOCKS + " blocks");
            }
            requireChannels(inPlane, a.node, "the first block");
            if (bottleneck && !dcAt.isEmpty()) {
                a.firstOnly("doublechannel", "a searched width of BottleneckBlocks has no counterpart in Cellforge");
                notes.add(note(a.where("doublechannel"), a.name + ".doublechannel",
                        "not mapped: a searched width of BottleneckBlocks has no counterpart in Cellforge; read with " + dc));
                dcAt = Set.of();
            }
            String op = bottleneck ? "bottleneck" : "basic_block";
            long out = inPlane;
            for (int i = 0; i < dc.size(); i++) {
                out = dc.get(i) == 0 ? out : out * 2;
                if (out * exp > MAX_WIDTH) {
                    throw a.where("doublechannel").error("block " + i + " would be " + out * exp + " channels wide; at most " + MAX_WIDTH);
                }
                boolean searchDs = dsAt.contains(i);
                boolean searchDc = dcAt.contains(i);
                Param stride = Param.of(ds.get(i) == 0 ? 1 : 2);
                String where = a.where(searchDs ? "downsample" : "doublechannel").where();
                if (searchDs) {
                    String key = a.name + ".downsample." + i;
                    values.put(key, new ValueChoice(key, List.of(1.0, 2.0)));
                    stride = Param.ref(key);
                }
                if (!dcAt.isEmpty()) {
                    // Widths relative to the running width: only BasicBlocks (expansion 1) keep that exact.
                    Param widen = Param.of(dc.get(i) == 0 ? 1 : 2);
                    if (searchDc) {
                        String key = a.name + ".doublechannel." + i;
                        values.put(key, new ValueChoice(key, List.of(1.0, 2.0)));
                        widen = Param.ref(key);
                    }
                    if (i == 0 && channels != base) {
                        throw a.node.error("a searched doublechannel needs the layer to follow the initial block directly");
                    }
                    stages.add(new Stage("block" + stages.size(), StageKind.BLOCK, null, OpCall.of(op), Role.NORMAL, null, widen,
                            stride, null, false));
                    channels = -1;
                } else {
                    stages.add(new Stage("block" + stages.size(), StageKind.BLOCK, null, OpCall.of(op), Role.NORMAL,
                            Param.of((int) (out * exp)), null, stride, null, false));
                    channels = (int) (out * exp);
                }
                stageWhere.add(where);
            }
        }

        /**
         * VEGA 0.9 BasicLayer without items: layer i has layer_reps[i] blocks of width 64 x 2^i (not in_plane x 2^i:
         * VEGA fixes 64), the first of every layer but the first with stride 2.
         */
        void basicLayer(Args a) throws LoadException {
            int inPlane = a.required("in_plane", 1, MAX_WIDTH);
            requireChannels(inPlane, a.where("in_plane"), "in_plane");
            int exp = a.required("expansion", 1, 64);
            boolean bottleneck = requiredBlock(a, exp, "BasicLayer");
            YNode repsNode = a.get("layer_reps");
            if (repsNode == null) {
                throw a.node.error("missing 'layer_reps' (VEGA's BasicLayer requires it)");
            }
            YNode items = a.get("items");
            if (items != null) {
                repeat(a, items, repsNode.isSeq() ? repsNode.seq().size() : repsNode.integer(1, MAX_BLOCKS), bottleneck);
                return;
            }
            groupsDefault(a);
            int[] reps = new int[repsNode.seq().size()];
            for (int i = 0; i < reps.length; i++) {
                reps[i] = repsNode.seq().get(i).integer(1, MAX_BLOCKS);
            }
            layers(a, reps, bottleneck, repsNode);
        }

        private void layers(Args a, int[] reps, boolean bottleneck, YNode where) throws LoadException {
            int exp = bottleneck ? 4 : 1;
            for (int i = 0; i < reps.length; i++) {
                long width = (64L << Math.min(i, 40)) * exp;
                if (width > MAX_WIDTH) {
                    throw (where.isSeq() && where.seq().size() == reps.length ? where.seq().get(i) : where)
                            .error("layer " + (i + 1) + " would be " + width + " channels wide; at most " + MAX_WIDTH);
                }
                stages.add(Stage.block("layer" + (i + 1), OpCall.of(bottleneck ? "bottleneck" : "basic_block"), (int) width,
                        i == 0 ? 1 : 2, false).withRepeat(Param.of(reps[i])));
                stageWhere.add(where.isSeq() && where.seq().size() == reps.length ? where.seq().get(i).where() : where.where());
                noteIdentity(a);
                channels = (int) width;
            }
        }

        /**
         * VEGA's Repeat over items: block i takes every items list's entry i (its last entry once the list is
         * shorter; a scalar for all): inchannel, outchannel, stride, inner_plane (BasicBlock), groups, base_width.
         */
        private void repeat(Args a, YNode itemsNode, int count, boolean bottleneck) throws LoadException {
            Map<String, YNode> items = itemsNode.map();
            Set<String> keys = bottleneck ? Set.of("inchannel", "outchannel", "stride", "groups", "base_width")
                    : Set.of("inchannel", "outchannel", "stride", "groups", "base_width", "inner_plane");
            for (String k : items.keySet()) {
                if (!keys.contains(k)) {
                    throw items.get(k).error("VEGA's " + (bottleneck ? "BottleneckBlock" : "BasicBlock") + " takes no '" + k + "'");
                }
            }
            for (String k : List.of("inchannel", "outchannel")) {
                if (!items.containsKey(k)) {
                    throw itemsNode.error("missing '" + k + "' (every block of VEGA's Repeat needs it)");
                }
            }
            int exp = bottleneck ? 4 : 1;
            String op = bottleneck ? "bottleneck" : "basic_block";
            for (int i = 0; i < count; i++) {
                YNode inNode = item(items, "inchannel", i);
                requireChannels(inNode.integer(1, MAX_WIDTH), inNode, "items.inchannel[" + i + "]");
                int out = item(items, "outchannel", i).integer(1, MAX_WIDTH / exp);
                int stride = items.containsKey("stride") ? item(items, "stride", i).integer(1, 64) : 1;
                for (String k : List.of("groups", "base_width")) {
                    if (items.containsKey(k) && item(items, k, i).integer() != (k.equals("groups") ? 1 : 64)) {
                        throw item(items, k, i).error("VEGA's " + k + " other than " + (k.equals("groups") ? 1 : 64)
                                + " (grouped ResNeXt blocks) has no counterpart in Cellforge");
                    }
                }
                Map<String, Param> params = new LinkedHashMap<>();
                if (items.containsKey("inner_plane")) {
                    params.put("inner", Param.of(item(items, "inner_plane", i).integer(1, MAX_WIDTH)));
                }
                stages.add(Stage.block("block" + stages.size(), new OpCall(op, params), out * exp, stride, false));
                stageWhere.add(item(items, "outchannel", i).where());
                if (stride == 1 && channels == out * exp) {
                    noteIdentity(a);
                }
                channels = out * exp;
            }
            groupsDefault(a);
        }

        /** VEGA's Repeat: entry i of a list, its last entry past the end, or the scalar itself. */
        private static YNode item(Map<String, YNode> items, String k, int i) throws LoadException {
            YNode v = items.get(k);
            if (!v.isSeq()) {
                return v;
            }
            List<YNode> s = v.seq();
            if (s.isEmpty()) {
                throw v.error("items." + k + " is empty");
            }
            return s.get(i < s.size() ? i : s.size() - 1);
        }

        private void groupsDefault(Args a) throws LoadException {
            for (String k : List.of("groups", "base_width")) {
                if (a.has(k) && a.get(k).integer() != (k.equals("groups") ? 1 : 64)) {
                    throw a.where(k).error("VEGA's " + k + " other than " + (k.equals("groups") ? 1 : 64)
                            + " (grouped ResNeXt blocks) has no counterpart in Cellforge");
                }
            }
        }

        /**
         * VEGA 0.9 builds an identity ShortCut as an empty FineGrainedSpace, whose to_model() is None, and Add skips
         * None children: the block then has no shortcut at all. Cellforge's block adds the identity, as ResNet does.
         */
        private void noteIdentity(Args a) {
            if (fineGrained && !identityNoted) {
                identityNoted = true;
                notes.add(note(a.node, a.name, "VEGA 0.9 leaves out the identity shortcut of a block whose shape does not change "
                        + "(its empty ShortCut becomes None, which Add skips); Cellforge adds it, as ResNet does. Counts are the same"));
            }
        }

        private void pool() {
            if (!pooled) {
                head.add(OpCall.of("gap"));
            }
            pooled = true;
        }

        /** VEGA wires modules by the widths it is given: a module expecting other channels than it gets fails there. */
        private void requireChannels(int expected, YNode where, String what) throws LoadException {
            if (channels >= 0 && channels != expected) {
                throw where.error(what + " is " + expected + " channels, but " + (channels == 3 && stem.isEmpty() ? "the input has 3"
                        : "the module before gives " + channels) + ": VEGA's network would fail here");
            }
            if (channels < 0) {
                notes.add(note(where, what, "takes " + expected + " channels, and the searched widths vary: only the "
                        + "architectures that end " + expected + " channels wide build in VEGA"));
            }
        }

        private static boolean isBottleneck(YNode b) throws LoadException {
            String t = b.isScalar() ? b.str() : YNode.req(b.map(), "type", b).str();
            return switch (t) {
                case "BasicBlock" -> false;
                case "BottleneckBlock" -> true;
                default -> throw b.error("block type '" + t + "' is not BasicBlock or BottleneckBlock");
            };
        }
    }

    static List<Integer> intList(YNode n) throws LoadException {
        return ForeignSpaces.intList(n);
    }
}

package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.Shape;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.cellforge.io.ForeignSpaces.note;

/**
 * ModularNAS configs, read as ModularNAS builds them: the model ({@code model.type}, {@code model.args}), then its
 * constructors in order, each converting the Slots not yet converted. Two dialects:
 * <ul>
 * <li>a standalone config (combo_nas, {@code examples/config/*.yaml}): top-level {@code model}, {@code mixed_op}
 * with {@code primitives}, {@code convert.predefined_search_args}; the MobileNetV2 search converter keeps the first
 * Slot the predefined block ({@code fix_first}) and adds {@code NIL} to the Slots of stride 1 and equal widths
 * ({@code add_zero_op}), both true unless set;</li>
 * <li>a VEGA {@code ModNasArchSpace} ({@code vega/algorithms/nas/modnas/compat/arch_space.py}): its own keys, the
 * {@code search} (or, for a fully-train step, {@code augment}) section applied over them as
 * {@code modnas.utils.wrapper.init_all} applies a routine, then {@code get_default_constructors}: {@code mixed_op}
 * ({@code DefaultMixedOpConstructor} over every Slot, {@code candidates}), {@code arch_desc}, then {@code construct}.</li>
 * </ul>
 * Names are looked up as ModularNAS's registry does: lower case, without '-', '_' and spaces. The optimizer and
 * estimator settings Cellforge has are carried into {@link Imported#search()}; the rest is a warning with its line.
 */
final class ModularNas {
    private ModularNas() {
    }

    /** {@code Registry.get_reg_name}: how ModularNAS looks a name up. */
    static String reg(String id) {
        return id.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(" ", "");
    }

    /** Mixed ops: combo_nas names, then the modnas/VEGA classes ({@code modnas/arch_space/mixed_ops.py}). */
    static final Map<String, String> MIXED_OP_STRATEGY = Map.of(
            "weightedsum", "darts", "softmaxsummixedop", "darts",
            "bingate", "proxyless", "binarygatemixedop", "proxyless",
            "bingateuniform", "proxyless-uniform", "binarygateuniformmixedop", "proxyless-uniform",
            "gumbelsum", "", "gumbelsummixedop", "", "index", "", "indexmixedop", "");

    static Imported read(YNode root, String name, VegaPipeline.Step step) throws LoadException {
        List<Problem> notes = new ArrayList<>();
        Config cfg = step != null || root.map().containsKey("search_space") ? vegaConfig(root, step, notes) : standalone(root, notes);
        Build b = build(cfg, step, notes);
        SearchSpace s = b.space;
        Map<String, String> meta = new LinkedHashMap<>(s.meta());
        meta.put("modnas.model", cfg.model.map().get("type").str());
        if (b.mixedOp != null) {
            meta.put("modnas.mixed_op", b.mixedOp);
        } else {
            meta.remove("modnas.mixed_op");
        }
        s = s.withMeta(meta).withName(name);
        SearchConfig search = step != null ? ModularNasSettings.vega(step, b.mixedOp, notes)
                : ModularNasSettings.standalone(root, b.mixedOp, notes);
        SourceMap map = new SourceMap();
        map.fallback(cfg.model.where());
        return new Imported(s, notes, null, map, false, search);
    }

    // ---- the config ModularNAS ends up with -----------------------------------------------------------------

    /**
     * What the constructors are built from: the model, the mixed op (null when none), the construct chain in order
     * (key, spec), the arch_desc (null when none); {@code comboSearch}: the combo_nas MobileNetV2 search converter
     * converts what is left, with these flags.
     */
    private record Config(YNode model, YNode mixedOp, List<Map.Entry<String, YNode>> construct, YNode archDesc,
                          boolean comboSearch, boolean fixFirst, boolean addZeroOp, YNode ops) {
    }

    private static Config standalone(YNode root, List<Problem> notes) throws LoadException {
        Map<String, YNode> top = root.map();
        YNode model = YNode.req(top, "model", root);
        boolean fixFirst = true;
        boolean addZeroOp = true;
        YNode convert = top.get("convert");
        if (convert != null && convert.isMap()) {
            for (var e : convert.map().entrySet()) {
                if (e.getKey().equals("predefined_search_args")) {
                    for (var a : e.getValue().map().entrySet()) {
                        switch (a.getKey()) {
                            case "fix_first" -> fixFirst = a.getValue().bool();
                            case "add_zero_op" -> addZeroOp = a.getValue().bool();
                            default -> notes.add(note(a.getValue(), "convert.predefined_search_args." + a.getKey(), "not mapped"));
                        }
                    }
                } else {
                    notes.add(note(e.getValue(), "convert." + e.getKey(), "not read: it converts for another routine than the search"));
                }
            }
        }
        for (String k : top.keySet()) {
            if (k.equals("search")) {
                for (String sk : top.get(k).map().keySet()) {
                    if (!Set.of("estimator", "data_loader").contains(sk)) {
                        notes.add(note(top.get(k).map().get(sk), "search." + sk, "not mapped"));
                    }
                }
            } else if (!Set.of("model", "mixed_op", "convert", "optim", "construct", "arch_desc", "ops").contains(k)) {
                notes.add(note(top.get(k), k, "not mapped"));
            }
        }
        // combo_nas lists the mixed op's primitives; modnas's own configs its candidates (DefaultMixedOpConstructor).
        YNode mixed = top.get("mixed_op");
        boolean combo = mixed != null && mixed.isMap() && mixed.map().containsKey("primitives");
        List<Map.Entry<String, YNode>> construct = new ArrayList<>();
        addConstruct(top.get("construct"), construct);
        YNode archDesc = top.containsKey("arch_desc") && !top.get("arch_desc").isNull() ? top.get("arch_desc") : null;
        return new Config(model, mixed, construct, archDesc, combo, fixFirst, addZeroOp, top.get("ops"));
    }

    private static Config vegaConfig(YNode root, VegaPipeline.Step step, List<Problem> notes) throws LoadException {
        Map<String, YNode> top = root.map();
        YNode ssNode = step != null ? step.space() : top.get("search_space");
        if (step == null) {
            for (String k : top.keySet()) {
                if (!k.equals("search_space")) {
                    notes.add(note(top.get(k), k, "not mapped"));
                }
            }
        }
        YNode custom = null;
        for (var e : ssNode.map().entrySet()) {
            if (e.getValue().isMap() && e.getValue().map().containsKey("type")
                    && e.getValue().map().get("type").str().equals("ModNasArchSpace")) {
                custom = e.getValue();
            }
        }
        if (custom == null) {
            throw ssNode.error("no module of type ModNasArchSpace in search_space");
        }
        Map<String, YNode> c = custom.map();
        // ModNasArchSpace builds its network at once (a fully-train step) when proc is augment, an arch_desc is given
        // or fully_train is set; otherwise the search routine applies the search section (trainer_callback.py).
        boolean augment = (c.containsKey("proc") && c.get("proc").str().equals("augment"))
                || (c.containsKey("arch_desc") && !c.get("arch_desc").isNull())
                || (c.containsKey("fully_train") && c.get("fully_train").isScalar() && !c.get("fully_train").str().equals("false")
                && !c.get("fully_train").str().equals("False"));
        String routine = augment ? "augment" : "search";
        Map<String, YNode> section = c.containsKey(routine) && c.get(routine).isMap() ? c.get(routine).map() : Map.of();
        List<Map.Entry<String, YNode>> construct = new ArrayList<>();
        // VEGA 1.3's ModNasArchSpace takes construct for a search and desc_construct for a fully-train network.
        YNode own = c.get(augment ? "desc_construct" : "construct");
        addConstruct(own, construct);
        addConstruct(section.get("construct"), construct);
        YNode model = section.containsKey("model") ? section.get("model") : YNode.req(c, "model", custom);
        YNode mixed = section.containsKey("mixed_op") ? section.get("mixed_op") : c.get("mixed_op");
        YNode archDesc = c.containsKey("arch_desc") && !c.get("arch_desc").isNull() ? c.get("arch_desc") : null;
        Set<String> read = Set.of("type", "model", "mixed_op", "construct", "desc_construct", "arch_desc", "search", "augment",
                "proc", "fully_train", "device_ids", "ops");
        for (String k : c.keySet()) {
            if (!read.contains(k)) {
                notes.add(note(c.get(k), k, "not mapped"));
            }
        }
        String other = augment ? "search" : "augment";
        if (c.containsKey(other)) {
            notes.add(note(c.get(other), other, "not read: this step runs the " + routine + " routine"));
        }
        YNode unused = c.get(augment ? "construct" : "desc_construct");
        if (unused != null) {
            notes.add(note(unused, augment ? "construct" : "desc_construct", "not read: this step runs the " + routine + " routine"));
        }
        for (String k : section.keySet()) {
            if (!Set.of("model", "mixed_op", "construct").contains(k)) {
                notes.add(note(section.get(k), routine + "." + k, "not mapped"));
            }
        }
        return new Config(model, mixed, construct, archDesc, false, false, false, c.get("ops"));
    }

    /** Entries of a construct map after those already listed; an entry of the same key replaces it in place. */
    private static void addConstruct(YNode n, List<Map.Entry<String, YNode>> into) throws LoadException {
        if (n == null || n.isNull()) {
            return;
        }
        for (var e : n.map().entrySet()) {
            int at = -1;
            for (int i = 0; i < into.size(); i++) {
                if (into.get(i).getKey().equals(e.getKey())) {
                    at = i;
                }
            }
            if (at >= 0) {
                into.set(at, Map.entry(e.getKey(), e.getValue()));
            } else {
                into.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
    }

    // ---- the network ----------------------------------------------------------------------------------------

    private record Build(SearchSpace space, String mixedOp) {
    }

    private static Build build(Config cfg, VegaPipeline.Step step, List<Problem> notes) throws LoadException {
        Map<String, YNode> mm = cfg.model.map();
        YNode typeNode = YNode.req(mm, "type", cfg.model);
        String type = reg(typeNode.str());
        Map<String, YNode> args = mm.containsKey("args") && !mm.get("args").isNull() ? mm.get("args").map() : Map.of();
        if (type.equals("darts")) {
            return buildDarts(cfg, typeNode, args, notes);
        }
        if (cfg.ops != null) {
            notes.add(note(cfg.ops, "ops", "not mapped: it configures ModularNAS's own ops (ops.py), which the MobileNetV2 "
                    + "blocks do not use"));
        }
        List<int[]> table;
        boolean cifar;
        switch (type) {
            case "imagenetmobilenetv2" -> { table = Zoo.MODNAS_ORI_CFGS; cifar = false; }
            case "cifarmobilenetv2" -> { table = Zoo.MODNAS_ORI_CFGS; cifar = true; }
            case "imagenetmobilenetv2gpu" -> { table = Zoo.MODNAS_GPU_CFGS; cifar = false; }
            case "cifarmobilenetv2gpu" -> { table = Zoo.MODNAS_GPU_CFGS; cifar = true; }
            case "mobilenetv2" -> {
                table = null;
                cifar = false;
                if (!args.containsKey("cfgs")) {
                    throw cfg.model.error("model MobileNetV2 takes its table from args.cfgs, which this model lacks");
                }
            }
            default -> throw typeNode.error("ModularNAS model '" + typeNode.str() + "' is not read: Cellforge builds ModularNAS's "
                    + "MobileNetV2 backbones exactly (ImageNet_MobileNetV2, CIFAR_MobileNetV2, their _GPU tables, MobileNetV2 "
                    + "with cfgs) and its DARTS search network, not this one");
        }
        int chnIn = 3;
        int classes = 1000;
        double dropout = 0.2;
        double width = 1.0;
        double depth = 1.0;
        List<int[]> given = null;
        YNode cfgsNode = null;
        for (var e : args.entrySet()) {
            YNode v = e.getValue();
            switch (e.getKey()) {
                case "chn_in" -> chnIn = v.integer(1, 4096);
                case "n_classes" -> classes = v.integer(1, 1_000_000);
                case "dropout_rate" -> dropout = v.number();
                case "width_coeff" -> width = v.isNull() ? 0 : v.number();
                case "depth_coeff" -> depth = v.isNull() ? 0 : v.number();
                case "resolution" -> { } // MobileNetV2.__init__ deletes it
                case "cfgs" -> {
                    cfgsNode = v;
                    given = new ArrayList<>();
                    for (YNode row : v.seq()) {
                        List<YNode> r = row.seq();
                        if (r.size() != 4) {
                            throw row.error("a cfgs row is [t, c, n, s], found " + r.size() + " numbers");
                        }
                        given.add(new int[] {r.get(0).integer(0, 64), r.get(1).integer(1, 1 << 16), r.get(2).integer(0, 1000),
                                r.get(3).integer(1, 64)});
                    }
                    if (given.size() < 2) {
                        throw v.error("cfgs needs the stem row and at least one stage row");
                    }
                }
                default -> notes.add(note(v, "model.args." + e.getKey(), "not mapped"));
            }
        }
        // mobilenetv2(cfgs, cifar) sets the stem's and row 6's stride to 1 for CIFAR, on the given table too
        // (combo_nas's cifar_mobilenetv2 used a given table as it was).
        List<int[]> rows = given != null ? given : table;
        if (cifar && (given == null || !cfg.comboSearch)) {
            if (rows.size() < 7) {
                throw (cfgsNode != null ? cfgsNode : typeNode).error("the CIFAR backbone sets row 6's stride; this table has "
                        + rows.size() + " rows");
            }
            rows = Zoo.modnasCfgs(rows, true);
        }
        List<int[]> cfgs = new ArrayList<>();
        for (int[] r : rows) {
            cfgs.add(new int[] {r[0], roundFilters(r[1], width), roundRepeats(r[2], depth), r[3]});
        }
        List<Zoo.MbSlot> geometry = Zoo.mbSlots(cfgs);
        List<List<String>> slots = new ArrayList<>();
        for (int i = 0; i < geometry.size(); i++) {
            slots.add(null);
        }
        String mixedOp = null;
        // get_default_constructors: mixed_op first (DefaultMixedOpConstructor), then arch_desc, then construct.
        if (cfg.mixedOp != null && !cfg.comboSearch) {
            mixedOp = mixedOpType(cfg.mixedOp, notes);
            List<String> cands = candidates(cfg.mixedOp, "candidates");
            convertMixed(slots, geometry, cands, false, false);
        }
        if (cfg.archDesc != null) {
            fromArchDesc(cfg.archDesc, slots, geometry, cfg.construct, notes);
        }
        for (var e : cfg.construct) {
            YNode spec = e.getValue();
            if (e.getKey().equals("arch_desc") && cfg.archDesc != null) {
                continue;
            }
            String con = spec.isMap() ? YNode.req(spec.map(), "type", spec).str() : spec.str();
            Map<String, YNode> conArgs = spec.isMap() && spec.map().containsKey("args") ? spec.map().get("args").map() : Map.of();
            switch (reg(con)) {
                case "mobilenetv2predefinedconstructor" -> convertPredefined(slots, geometry, spec);
                case "defaultmixedopconstructor", "mobilenetv2searchconstructor" -> {
                    boolean search = reg(con).equals("mobilenetv2searchconstructor");
                    YNode mixed = YNode.req(conArgs, "mixed_op", spec);
                    mixedOp = mixedOpType(mixed, notes);
                    List<String> cands = candidates(YNode.req(conArgs, "candidates", spec), null);
                    boolean ff = !conArgs.containsKey("fix_first") || conArgs.get("fix_first").bool();
                    boolean zero = !conArgs.containsKey("add_zero_op") || conArgs.get("add_zero_op").bool();
                    convertMixed(slots, geometry, cands, search && ff, search && zero);
                }
                case "mobilenetv2elasticconstructor" -> notes.add(note(spec, "construct." + e.getKey(), "not mapped: elastic "
                        + "width and depth (progressive shrinking) are not in Cellforge; read as the network before it"));
                case "mobilenetv2archdescconstructor", "defaultslotarchdescconstructor" -> notes.add(note(spec,
                        "construct." + e.getKey(), "not applied: no arch_desc is given to it"));
                default -> {
                    if (spec.isMap() && MIXED_OP_STRATEGY.containsKey(reg(con)) && spec.map().containsKey("primitives")) {
                        // The VEGA docs' construct.mixed_op: ModularNAS would look the mixed op up among constructors.
                        notes.add(note(spec, "construct." + e.getKey(), "'" + con + "' is a mixed op, not a constructor: "
                                + "read as DefaultMixedOpConstructor over its primitives"));
                        mixedOp = con;
                        convertMixed(slots, geometry, candidates(spec.map().get("primitives"), null), false, false);
                    } else {
                        throw spec.error("constructor '" + con + "' is not read: Cellforge reads MobileNetV2PredefinedConstructor, "
                                + "MobileNetV2SearchConstructor, DefaultMixedOpConstructor, the arch_desc constructors and "
                                + "(as a warning) MobileNetV2ElasticConstructor");
                    }
                }
            }
        }
        if (cfg.comboSearch) {
            mixedOp = mixedOpType(cfg.mixedOp, notes);
            List<String> cands = candidates(cfg.mixedOp, "primitives");
            convertMixed(slots, geometry, cands, cfg.fixFirst, cfg.addZeroOp);
        }
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) == null) {
                throw cfg.model.error("no constructor converts Slot " + i + " of " + slots.size()
                        + ": ModularNAS would leave it empty (give a mixed_op or a predefined constructor)");
            }
        }
        Shape input = step != null && step.input() != null ? new Shape(chnIn, step.input().height(), step.input().width())
                : new Shape(chnIn, cifar ? 32 : 224, cifar ? 32 : 224);
        SearchSpace s = Zoo.mobileNetV2(cfgs, input, classes, roundFilters(1280, width), dropout, slots);
        return new Build(s, mixedOp);
    }

    /** ModularNAS's primitives that are DARTS's (ops.py registrations), under Cellforge's names. */
    private static final Map<String, String> DARTS_PRIMITIVES = Map.of("NIL", "none", "MAX", "max_pool_3x3", "AVG", "avg_pool_3x3",
            "IDT", "skip_connect", "SC3", "sep_conv_3x3", "SC5", "sep_conv_5x5", "DC3", "dil_conv_3x3", "DC5", "dil_conv_5x5");

    /**
     * ModularNAS's DARTS model (darts.py's DARTSLikeNet, combo_nas's the same) under a mixed op: DARTS's search network,
     * which it is exactly when its ops are ReLU-conv-BN without affine BN (ops_order act_weight_bn, affine False), the
     * stem triples the width (channel_multiplier 3), cells have 4 nodes and share their alphas, and no auxiliary head.
     */
    private static Build buildDarts(Config cfg, YNode typeNode, Map<String, YNode> args, List<Problem> notes) throws LoadException {
        if (cfg.mixedOp == null) {
            throw typeNode.error("ModularNAS model 'DARTS' without a mixed_op is not read: ModularNAS builds its Slots from an "
                    + "arch_desc (--arch_desc), which this file does not give; read the architecture with --zoo darts-eval");
        }
        for (String k : List.of("chn", "n_classes", "layers", "channel_multiplier", "shared_a", "auxiliary")) {
            if (!args.containsKey(k)) {
                throw cfg.model.error("DARTSLikeNet takes model.args." + k + ", which this model lacks");
            }
        }
        int chnIn = args.containsKey("chn_in") ? args.get("chn_in").integer(1, 4096) : 3;
        int chn = args.get("chn").integer(1, 1 << 16);
        int classes = args.get("n_classes").integer(1, 1_000_000);
        int layers = args.get("layers").integer(3, 1000);
        String differs = null;
        YNode at = null;
        if (args.get("channel_multiplier").integer() != 3) {
            differs = "channel_multiplier " + args.get("channel_multiplier").str() + " (DARTS's stem is 3 x chn wide)";
            at = args.get("channel_multiplier");
        } else if (args.containsKey("nodes") && args.get("nodes").integer() != 4) {
            differs = "nodes " + args.get("nodes").str() + " (DARTS's cells have 4)";
            at = args.get("nodes");
        } else if (!args.get("shared_a").bool()) {
            differs = "shared_a False (DARTS shares the alphas of the cells of a kind)";
            at = args.get("shared_a");
        } else if (args.get("auxiliary").bool()) {
            differs = "auxiliary True (DARTS searches without the auxiliary head)";
            at = args.get("auxiliary");
        }
        // The ops config: combo_nas's ops.ops_order and ops.affine; modnas's defaults are bn_act_weight and affine BN.
        Map<String, YNode> ops = cfg.ops != null && cfg.ops.isMap() ? cfg.ops.map() : Map.of();
        String order = ops.containsKey("ops_order") ? ops.get("ops_order").str() : "bn_act_weight";
        boolean affine = ops.containsKey("affine") ? ops.get("affine").bool()
                : !ops.containsKey("bn") || !ops.get("bn").map().containsKey("affine") || ops.get("bn").map().get("affine").bool();
        if (differs == null && !order.equals("act_weight_bn")) {
            differs = "ops_order " + order + " (DARTS's ops are ReLU, conv, BN: act_weight_bn)";
            at = ops.containsKey("ops_order") ? ops.get("ops_order") : cfg.model;
        } else if (differs == null && affine) {
            differs = "affine BatchNorm in the cells (DARTS searches with affine False)";
            at = ops.containsKey("affine") ? ops.get("affine") : cfg.model;
        }
        if (differs != null) {
            throw at.error("ModularNAS's DARTS model is read as DARTS's search network, which it is not with " + differs);
        }
        for (var e : args.entrySet()) {
            if (!Set.of("chn_in", "chn", "n_classes", "layers", "nodes", "channel_multiplier", "shared_a", "auxiliary").contains(e.getKey())) {
                notes.add(note(e.getValue(), "model.args." + e.getKey(), "not mapped"));
            }
        }
        String mixedOp = mixedOpType(cfg.mixedOp, notes);
        YNode list = YNode.req(cfg.mixedOp.map(), cfg.comboSearch ? "primitives" : "candidates", cfg.mixedOp);
        List<String> cands = new ArrayList<>();
        for (YNode p : list.seq()) {
            String op = DARTS_PRIMITIVES.get(p.str());
            if (op == null) {
                throw p.error("primitive '" + p.str() + "' is not read: Cellforge builds ModularNAS's DARTS primitives "
                        + DARTS_PRIMITIVES.keySet() + " exactly, not this one");
            }
            cands.add(op);
        }
        if (!cfg.construct.isEmpty() || cfg.archDesc != null) {
            throw (cfg.archDesc != null ? cfg.archDesc : cfg.construct.get(0).getValue()).error(
                    "constructors beyond the mixed op are not read on ModularNAS's DARTS model");
        }
        SearchSpace s = Zoo.dartsSearch(chn, layers, classes, new Shape(chnIn, 32, 32), cands);
        return new Build(s, mixedOp);
    }

    /** {@code round_filters} of mobilenetv2.py, divisor 8. */
    static int roundFilters(int filters, double coeff) {
        if (coeff == 0) {
            return filters;
        }
        double f = filters * coeff;
        int n = Math.max(8, (int) (f + 4) / 8 * 8);
        if (n < 0.9 * f) {
            n += 8;
        }
        return n;
    }

    static int roundRepeats(int repeats, double coeff) {
        return coeff == 0 ? repeats : (int) Math.ceil(coeff * repeats);
    }

    private static String mixedOpType(YNode mixed, List<Problem> notes) throws LoadException {
        Map<String, YNode> m = mixed.map();
        YNode t = YNode.req(m, "type", mixed);
        String strategy = MIXED_OP_STRATEGY.get(reg(t.str()));
        if (strategy == null) {
            throw t.error("mixed op '" + t.str() + "' is not one of ModularNAS's: SoftmaxSumMixedOp, BinaryGateMixedOp, "
                    + "BinaryGateUniformMixedOp, GumbelSumMixedOp, IndexMixedOp (WeightedSum, BinGate, BinGateUniform, "
                    + "GumbelSum, Index in combo_nas)");
        }
        for (String k : m.keySet()) {
            if (!Set.of("type", "primitives", "candidates").contains(k)) {
                notes.add(note(m.get(k), "mixed_op." + k, "not mapped"));
            }
        }
        return t.str();
    }

    /** The candidates of a mixed op (its {@code key} entry) or a list node ({@code key} null). */
    private static List<String> candidates(YNode n, String key) throws LoadException {
        YNode list = n;
        if (key != null) {
            list = YNode.req(n.map(), key, n);
        }
        List<String> out = new ArrayList<>();
        for (YNode p : list.seq()) {
            out.add(primitive(p));
        }
        if (out.isEmpty()) {
            throw list.error("the mixed op lists no candidates");
        }
        return out;
    }

    private static String primitive(YNode p) throws LoadException {
        String op = p.str();
        if (OpCatalog.builtin().find(op).filter(d -> d.group().equals(OpCatalog.GROUP_MODNAS)).isEmpty()) {
            throw p.error("primitive '" + op + "' is not read: Cellforge builds ModularNAS's MBxEy (x in 3, 5, 7; y in 1, 3, 6), "
                    + "NIL and IDT exactly, not this one");
        }
        return op;
    }

    /** Every Slot not yet converted gets the candidates; fix_first keeps the first the predefined block. */
    private static void convertMixed(List<List<String>> slots, List<Zoo.MbSlot> geometry, List<String> cands, boolean fixFirst,
                                     boolean addZeroOp) throws LoadException {
        boolean first = true;
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) != null) {
                continue;
            }
            Zoo.MbSlot g = geometry.get(i);
            if (fixFirst && first) {
                slots.set(i, List.of(predefined(g, null)));
            } else {
                List<String> c = new ArrayList<>(cands);
                if (addZeroOp && g.stride() == 1 && g.chnIn() == g.chnOut()) {
                    c.add("NIL");
                }
                slots.set(i, c);
            }
            first = false;
        }
    }

    private static void convertPredefined(List<List<String>> slots, List<Zoo.MbSlot> geometry, YNode at) throws LoadException {
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) == null) {
                slots.set(i, List.of(predefined(geometry.get(i), at)));
            }
        }
    }

    /** {@code mbv2_predefined_convert_fn}: MobileInvertedConv with the row's expansion t, kernel 3. */
    private static String predefined(Zoo.MbSlot g, YNode at) throws LoadException {
        String op = "MB3E" + g.t();
        if (OpCatalog.builtin().find(op).isEmpty()) {
            throw new LoadException(at == null ? "" : at.where(), "the predefined block of expansion " + g.t()
                    + " has no counterpart in Cellforge (MB3E1, MB3E3, MB3E6)");
        }
        return op;
    }

    /**
     * The arch_desc constructor: {@code DefaultSlotArchDescConstructor} builds item i on Slot i;
     * {@code MobileNetV2ArchDescConstructor} (fix_first) builds the first Slot predefined and skips its item.
     */
    private static void fromArchDesc(YNode desc, List<List<String>> slots, List<Zoo.MbSlot> geometry,
                                     List<Map.Entry<String, YNode>> construct, List<Problem> notes) throws LoadException {
        boolean fixFirst = false;
        for (var e : construct) {
            if (e.getKey().equals("arch_desc")) {
                String con = e.getValue().isMap() ? e.getValue().map().get("type").str() : e.getValue().str();
                fixFirst = reg(con).equals("mobilenetv2archdescconstructor");
            }
        }
        if (desc.isScalar()) {
            throw desc.error("arch_desc names a file; give its list here or read it with convert --space");
        }
        if (!desc.isSeq()) {
            throw desc.error("arch_desc is a list, one item per Slot in order (DefaultSlotArchDescConstructor indexes it)");
        }
        List<YNode> items = desc.seq();
        int next = 0;
        boolean first = true;
        for (int i = 0; i < slots.size(); i++) {
            if (slots.get(i) != null) {
                continue;
            }
            if (next >= items.size()) {
                throw desc.error("arch_desc lists " + items.size() + " items but the network has " + slots.size() + " Slots");
            }
            YNode it = items.get(next++);
            if (it.isSeq() && it.seq().size() == 1) {
                it = it.seq().get(0);
            }
            slots.set(i, List.of(fixFirst && first ? predefined(geometry.get(i), it) : primitive(it)));
            first = false;
        }
        if (next < items.size()) {
            notes.add(note(items.get(next), "arch_desc", (items.size() - next) + " items after the last Slot are not used"));
        }
    }
}

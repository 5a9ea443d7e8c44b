package io.cellforge.io;

import io.cellforge.analysis.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.ops.OpCatalog;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.cellforge.io.ForeignSpaces.intList;
import static io.cellforge.io.ForeignSpaces.note;

/**
 * VEGA's {@code FineGrainedSpace} (ResNet, ResNetVariant and fine-grained ResNet modules), read from a file's top
 * level or from the step of a pipeline config that {@link VegaPipeline} picked.
 */
final class Vega {
    private Vega() {
    }

    /** Deeper than this, a CIFAR ResNet would repeat its blocks more than a stage's 1,000 times. */
    static final int MAX_CIFAR_DEPTH = 6 * 1000 + 2;
    static final int MAX_WIDTH = 1 << 20;

    static Imported read(YNode root, String name, VegaPipeline.Step step) throws LoadException {
        List<Problem> notes = new ArrayList<>();
        Map<String, YNode> top = root.map();
        YNode ssNode = step != null ? step.space() : top.get("search_space");
        for (String k : top.keySet()) {
            // A step's dataset decides the input; its pipe_step says what kind of step it is.
            boolean read = top.get(k) == ssNode || (step != null && (k.equals("pipe_step") || k.equals("dataset")
                    || (k.equals("model") && top.get(k).map().get("model_desc") == ssNode)));
            if (!read) {
                notes.add(note(top.get(k), (step != null ? step.name() + "." : "") + k,
                        "not mapped: only the space is read from a VEGA file"));
            }
        }
        Map<String, YNode> ss = ssNode.map();
        List<String> modules = new ArrayList<>();
        for (YNode m : YNode.req(ss, "modules", ssNode).seq()) {
            modules.add(m.str());
        }
        Map<String, List<Integer>> hyper = new LinkedHashMap<>();
        if (YNode.opt(ss, "hyper_parameters").isPresent()) {
            for (var e : ss.get("hyper_parameters").map().entrySet()) {
                hyper.put(e.getKey(), intList(e.getValue()));
            }
        }
        for (String k : ss.keySet()) {
            if (!k.equals("type") && !k.equals("modules") && !k.equals("hyper_parameters") && !modules.contains(k)) {
                notes.add(note(ss.get(k), "search_space." + k, "not mapped: not listed in modules"));
            }
        }
        List<List<OpCall>> stem = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        List<OpCall> head = new ArrayList<>();
        Map<String, ValueChoice> values = new LinkedHashMap<>();
        int classes = 10;
        Shape input = new Shape(3, 32, 32);
        boolean inputStated = false;
        int base = 64;
        SearchSpace whole = null;
        String wholeWhere = null;
        // Where each stage came from, so that problems found later name the module's line.
        List<String> stageWhere = new ArrayList<>();
        for (String modName : modules) {
            YNode modNode = ss.get(modName);
            if (modNode == null) {
                throw ssNode.error("module '" + modName + "' is listed in modules but not defined");
            }
            Map<String, YNode> mod = modNode.map();
            String type = YNode.req(mod, "type", modNode).str();
            switch (type) {
                case "ResNet" -> {
                    int depth = YNode.req(mod, "depth", modNode).integer();
                    classes = YNode.opt(mod, "num_class").isPresent() ? mod.get("num_class").integer(1, 1 << 24) : classes;
                    if (YNode.opt(mod, "block").isPresent() && YNode.opt(mod, "items").isPresent()) {
                        whole = vegaResNetItems(mod, modNode, classes);
                    } else if (depth == 18 || depth == 34 || depth == 50 || depth == 101 || depth == 152) {
                        whole = Zoo.resnet(depth).withNetwork(Zoo.resnet(depth).network().withClasses(classes));
                    } else if (depth >= 8 && depth <= MAX_CIFAR_DEPTH && (depth - 2) % 6 == 0) {
                        whole = Zoo.cifarResNet(depth).withNetwork(Zoo.cifarResNet(depth).network().withClasses(classes));
                    } else {
                        throw mod.get("depth").error("ResNet depth " + depth + " is not 18, 34, 50, 101, 152 or 6n+2 from 8 to "
                                + MAX_CIFAR_DEPTH);
                    }
                    wholeWhere = modNode.where();
                    inputStated = true;
                    for (String k : mod.keySet()) {
                        if (!Set.of("type", "depth", "num_class", "block", "items", "init_plane", "out_plane", "num_reps").contains(k)) {
                            notes.add(note(mod.get(k), modName + "." + k, "not mapped"));
                        }
                    }
                }
                case "ResNetVariant" -> {
                    int depth = YNode.opt(mod, "base_depth").isPresent() ? mod.get("base_depth").integer() : 18;
                    if (depth != 18) {
                        notes.add(note(mod.get("base_depth"), modName + ".base_depth",
                                "only BasicBlock variants (depth 18) are mapped; read as BasicBlocks"));
                    }
                    int bc = YNode.opt(mod, "base_channel").isPresent() ? mod.get("base_channel").integer(1, 1 << 16) : 64;
                    List<Integer> dc = intList(YNode.req(mod, "doublechannel", modNode));
                    List<Integer> ds = intList(YNode.req(mod, "downsample", modNode));
                    if (dc.size() != ds.size()) {
                        throw modNode.error("doublechannel and downsample must have the same length (" + dc.size()
                                + " vs " + ds.size() + ")");
                    }
                    boolean search = hyper.containsKey(modName + ".doublechannel") || hyper.containsKey(modName + ".downsample");
                    whole = Zoo.resnetVariant(bc, dc, ds, classes, search);
                    wholeWhere = modNode.where();
                    inputStated = true;
                }
                case "InitialBlock" -> {
                    int p = YNode.opt(mod, "init_plane").isPresent() ? mod.get("init_plane").integer(1, 1 << 16) : 64;
                    stem.add(List.of(Zoo.conv(p, 7, 2, 3), OpCall.of("bn"), OpCall.of("relu"),
                            new OpCall("max_pool", Map.of("kernel", Param.of(3), "stride", Param.of(2), "padding", Param.of(1)))));
                    input = new Shape(3, 224, 224);
                    base = p;
                }
                case "SmallInputInitialBlock" -> {
                    int p = YNode.opt(mod, "init_plane").isPresent() ? mod.get("init_plane").integer(1, 1 << 16) : 32;
                    stem.add(List.of(Zoo.conv(p, 3, 1, 1), OpCall.of("bn"), OpCall.of("relu")));
                    base = p;
                }
                case "BasicLayer" -> {
                    int expansion = YNode.opt(mod, "expansion").isPresent() ? mod.get("expansion").integer(1, 64) : 1;
                    int inPlane = YNode.opt(mod, "in_plane").isPresent() ? mod.get("in_plane").integer(1, 1 << 16) : base;
                    String block = blockOf(mod, modNode, expansion);
                    YNode repsNode = YNode.req(mod, "layer_reps", modNode);
                    List<Integer> reps = intList(repsNode);
                    for (int i = 0; i < reps.size(); i++) {
                        // Each layer doubles the width: refuse before the shift overflows.
                        long width = ((long) inPlane << Math.min(i, 40)) * (block.equals("bottleneck") ? 4 : 1);
                        if (width > MAX_WIDTH) {
                            throw repsNode.seq().get(i).error("layer " + (i + 1) + " would be " + width + " channels wide (in_plane "
                                    + inPlane + " doubled per layer); at most " + MAX_WIDTH);
                        }
                        stages.add(Stage.block("layer" + (i + 1), OpCall.of(block), (int) width,
                                i == 0 ? 1 : 2, false).withRepeat(Param.of(reps.get(i))));
                        stageWhere.add(repsNode.seq().get(i).where());
                    }
                }
                case "VariantLayer" -> {
                    List<Integer> dc = intList(YNode.req(mod, "doublechannel", modNode));
                    List<Integer> ds = intList(YNode.req(mod, "downsample", modNode));
                    if (dc.size() != ds.size()) {
                        throw modNode.error("doublechannel and downsample must have the same length");
                    }
                    int expansion = YNode.opt(mod, "expansion").isPresent() ? mod.get("expansion").integer(1, 64) : 1;
                    String block = blockOf(mod, modNode, expansion);
                    if (YNode.opt(mod, "out_plane").isPresent()) {
                        notes.add(note(mod.get("out_plane"), modName + ".out_plane",
                                "not mapped: widths follow in_plane and doublechannel"));
                    }
                    boolean searchDc = hyper.containsKey(modName + ".doublechannel");
                    boolean searchDs = hyper.containsKey(modName + ".downsample");
                    for (int i = 0; i < dc.size(); i++) {
                        Param widen = Param.of(dc.get(i) == 0 ? 1 : 2);
                        Param stride = Param.of(ds.get(i) == 0 ? 1 : 2);
                        if (searchDc) {
                            values.put("doublechannel_" + i, new ValueChoice("doublechannel_" + i, List.of(1.0, 2.0)));
                            widen = Param.ref("doublechannel_" + i);
                        }
                        if (searchDs) {
                            values.put("downsample_" + i, new ValueChoice("downsample_" + i, List.of(1.0, 2.0)));
                            stride = Param.ref("downsample_" + i);
                        }
                        stages.add(new Stage("block" + i, StageKind.BLOCK, null, OpCall.of(block), Role.NORMAL, null, widen,
                                stride, null, false));
                        stageWhere.add(modNode.where());
                    }
                }
                case "AdaptiveAvgPool2d" -> head.add(OpCall.of("gap"));
                case "View" -> {
                }
                case "Linear" -> {
                    classes = YNode.opt(mod, "out_features").isPresent() ? mod.get("out_features").integer(1, 1 << 24) : classes;
                    head.add(OpCall.of("linear"));
                }
                case "LinearClassificationHead" -> {
                    classes = YNode.opt(mod, "num_class").isPresent() ? mod.get("num_class").integer(1, 1 << 24) : classes;
                    head.add(OpCall.of("gap"));
                    head.add(OpCall.of("linear"));
                }
                case "Quant", "Prune" -> notes.add(note(modNode, modName, "not mapped: the " + type
                        + " process (Cellforge searches architectures, not quantization or pruning)"));
                default -> notes.add(note(modNode, modName, "not mapped: VEGA module type '" + type + "' is unknown to Cellforge"));
            }
        }
        if (step != null && step.input() != null) {
            input = step.input();
            inputStated = true;
        }
        if (whole == null) {
            if (stages.isEmpty()) {
                throw ssNode.error("no module of this space could be mapped to layers");
            }
            if (!inputStated) {
                notes.add(note(ssNode, "search_space", "VEGA does not state the input size; assumed " + input));
            }
            Network net = new Network(input, classes, base, stem, stages, head, null, true);
            whole = new SearchSpace(name, "", net, Map.of(), values, Map.of(), Map.of());
        }
        if (step != null && step.input() != null) {
            whole = whole.withNetwork(whole.network().withInput(step.input()));
        }
        SourceMap map = new SourceMap();
        List<Stage> built = whole.network().stages();
        for (int i = 0; i < built.size(); i++) {
            map.putStage(i, built.get(i).name(), wholeWhere != null ? wholeWhere : stageWhere.get(i));
        }
        map.fallback(ssNode.where());
        return new Imported(whole.withName(name), notes, null, map, false);
    }

    private static SearchSpace vegaResNetItems(Map<String, YNode> mod, YNode modNode, int classes) throws LoadException {
        Map<String, YNode> items = mod.get("items").map();
        List<Integer> out = intList(YNode.req(items, "outchannel", mod.get("items")));
        List<Integer> stride = intList(YNode.req(items, "stride", mod.get("items")));
        if (out.size() != stride.size()) {
            throw mod.get("items").error("items.outchannel and items.stride must have the same length");
        }
        int init = YNode.opt(mod, "init_plane").isPresent() ? mod.get("init_plane").integer(1, 1 << 16) : 16;
        String block = blockOf(mod, modNode, 1);
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < out.size(); i++) {
            stages.add(Stage.block("block" + i, OpCall.of(block), out.get(i), stride.get(i), false));
        }
        Network net = new Network(new Shape(3, 32, 32), classes, init,
                List.of(List.of(Zoo.conv(init, 3, 1, 1), OpCall.of("bn"), OpCall.of("relu"))), stages,
                List.of(OpCall.of("gap"), OpCall.of("linear")), null, true);
        return new SearchSpace("resnet", "", net, Map.of(), Map.of(), Map.of(), Map.of());
    }

    private static String blockOf(Map<String, YNode> mod, YNode modNode, int expansion) throws LoadException {
        if (YNode.opt(mod, "block").isEmpty()) {
            return expansion == 4 ? "bottleneck" : "basic_block";
        }
        YNode b = mod.get("block");
        String t = b.isScalar() ? b.str() : YNode.req(b.map(), "type", b).str();
        return switch (t) {
            case "BasicBlock" -> "basic_block";
            case "BottleneckBlock", "Bottleneck" -> "bottleneck";
            default -> throw b.error("block type '" + t + "' is not BasicBlock or BottleneckBlock");
        };
    }
}

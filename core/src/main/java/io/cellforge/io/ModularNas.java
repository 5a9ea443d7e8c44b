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
 * ModularNAS's {@code ModNasArchSpace} (MobileNetV2 backbones with a mixed op over primitives), from a standalone
 * ModularNAS config or from a VEGA file or pipeline step that holds one.
 */
final class ModularNas {
    private ModularNas() {
    }

    static final Set<String> MIXED_OPS = Set.of("BinGate", "BinGateUniform", "WeightedSum", "GumbelSum", "Index");

    static Imported read(YNode root, String name, VegaPipeline.Step step) throws LoadException {
        List<Problem> notes = new ArrayList<>();
        Map<String, YNode> top = root.map();
        YNode model;
        YNode mixed;
        YNode archDesc = null;
        if (step != null || top.containsKey("search_space")) {
            YNode ssNode = step != null ? step.space() : top.get("search_space");
            for (String k : top.keySet()) {
                if (top.get(k) != ssNode && !(step != null && k.equals("model") && top.get(k).map().get("model_desc") == ssNode)) {
                    notes.add(note(top.get(k), (step != null ? step.name() + "." : "") + k,
                            "not mapped: choose the strategy and training settings when searching"));
                }
            }
            Map<String, YNode> ss = ssNode.map();
            YNode custom = null;
            for (var e : ss.entrySet()) {
                if (e.getValue().isMap() && e.getValue().map().containsKey("type")
                        && e.getValue().map().get("type").str().equals("ModNasArchSpace")) {
                    custom = e.getValue();
                }
            }
            if (custom == null) {
                throw ssNode.error("no module of type ModNasArchSpace in search_space");
            }
            Map<String, YNode> c = custom.map();
            model = YNode.req(c, "model", custom);
            YNode construct = YNode.opt(c, "construct").orElse(null);
            mixed = construct == null ? null : construct.map().get("mixed_op");
            if (construct != null) {
                for (String k : construct.map().keySet()) {
                    if (!k.equals("mixed_op")) {
                        notes.add(note(construct.map().get(k), "construct." + k, "not mapped: only mixed_op constructors are read"));
                    }
                }
            }
            archDesc = c.get("arch_desc");
            for (String k : c.keySet()) {
                if (!Set.of("type", "model", "construct", "arch_desc", "desc_construct").contains(k)) {
                    notes.add(note(c.get(k), k, "not mapped"));
                }
            }
        } else {
            model = top.get("model");
            mixed = top.get("mixed_op");
            for (String k : top.keySet()) {
                if (!k.equals("model") && !k.equals("mixed_op")) {
                    notes.add(note(top.get(k), k, "not mapped"));
                }
            }
        }
        Map<String, YNode> mm = model.map();
        YNode typeNode = YNode.req(mm, "type", model);
        String type = typeNode.str();
        boolean cifar;
        boolean gpu;
        switch (type) {
            case "ImageNet_MobileNetV2" -> { cifar = false; gpu = false; }
            case "CIFAR_MobileNetV2" -> { cifar = true; gpu = false; }
            case "ImageNet_MobileNetV2_GPU" -> { cifar = false; gpu = true; }
            case "CIFAR_MobileNetV2_GPU" -> { cifar = true; gpu = true; }
            default -> throw typeNode.error("model type '" + type + "' is not one of ImageNet_MobileNetV2, CIFAR_MobileNetV2, "
                    + "ImageNet_MobileNetV2_GPU, CIFAR_MobileNetV2_GPU");
        }
        if (gpu) {
            notes.add(note(typeNode, "model.type", "the _GPU backbone is read as ProxylessNAS's GPU search backbone "
                    + "(widths 24/40/80/96/192/320, 4 blocks per stage): ModularNAS does not publish its table"));
        }
        List<String> primitives = new ArrayList<>(Zoo.MB_CANDIDATES);
        String mixedType = "WeightedSum";
        if (mixed != null) {
            Map<String, YNode> mx = mixed.map();
            if (YNode.opt(mx, "type").isPresent()) {
                mixedType = mx.get("type").str();
                String canonical = switch (mixedType) {
                    case "BinaryGateMixedOp" -> "BinGate";
                    case "BinaryGateUniformMixedOp" -> "BinGateUniform";
                    case "WeightedSumMixedOp" -> "WeightedSum";
                    case "GumbelSumMixedOp" -> "GumbelSum";
                    case "IndexMixedOp" -> "Index";
                    default -> mixedType;
                };
                if (!MIXED_OPS.contains(canonical)) {
                    throw mx.get("type").error("mixed_op type '" + mixedType + "' is not one of " + MIXED_OPS);
                }
                mixedType = canonical;
            }
            YNode prims = mx.containsKey("primitives") ? mx.get("primitives") : mx.get("candidates");
            if (prims == null && mx.containsKey("args")) {
                YNode args = mx.get("args");
                prims = args.isMap() ? args.map().get("primitives") : null;
            }
            if (prims != null) {
                primitives.clear();
                for (YNode p : prims.seq()) {
                    String op = p.str();
                    if (OpCatalog.builtin().find(op).filter(d -> d.group().equals(OpCatalog.GROUP_MODNAS)).isEmpty()) {
                        throw p.error("primitive '" + op + "' is not a ModularNAS primitive (MBxEy for x in 3,5,7 and y in 1,3,6, NIL, IDT)");
                    }
                    primitives.add(op);
                }
                if (primitives.isEmpty()) {
                    throw prims.error("mixed_op lists no primitives");
                }
            }
        }
        SearchSpace s = Zoo.mobileNetV2(cifar, gpu, primitives);
        Map<String, String> meta = new LinkedHashMap<>(s.meta());
        meta.put("modnas.mixed_op", mixedType);
        meta.put("modnas.model", type);
        s = s.withMeta(meta).withName(name);
        Architecture arch = null;
        if (archDesc != null && !archDesc.isNull()) {
            arch = ArchFormats.readArchDesc(archDesc, s);
            ArchFormats.requireComplete(s, arch, archDesc.where());
        }
        SourceMap map = new SourceMap();
        map.fallback(model.where());
        return new Imported(s, notes, arch, map, false);
    }
}

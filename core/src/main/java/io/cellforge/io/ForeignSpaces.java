package io.cellforge.io;

import io.cellforge.space.Place;
import io.cellforge.space.Problem;
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

/**
 * Reads the YAML of other NAS tools into the model: VEGA ({@link Vega}) and ModularNAS ({@link ModularNas}), from
 * a file's top level or from a step of a VEGA pipeline config ({@link VegaPipeline}). Whatever has no counterpart in
 * Cellforge is listed as a warning with its line.
 */
public final class ForeignSpaces {
    private ForeignSpaces() {
    }

    /** True when a parsed file is a VEGA or ModularNAS file this class reads. */
    static boolean claims(YNode root) throws LoadException {
        return VegaPipeline.isPipeline(root) || !detect(root).isEmpty();
    }

    /** Reads the space of a VEGA or ModularNAS file; {@code step}: the pipeline step to read, or null for the default. */
    static Imported read(YNode root, String name, String step) throws LoadException {
        var located = VegaPipeline.locate(root, step);
        if (located.isPresent()) {
            VegaPipeline.Step s = located.get();
            Imported im = isModnasSpace(s.space()) ? ModularNas.read(s.container(), name, s) : Vega.read(s.container(), name, s);
            List<Problem> notes = new ArrayList<>(s.notes());
            notes.addAll(im.notMapped());
            return new Imported(im.space(), notes, im.arch(), im.sources(), im.ownSchema(), im.search());
        }
        if (step != null) {
            throw root.error("--step " + step + " was given, but this file is no VEGA pipeline config (it has no pipeline:)");
        }
        return switch (detect(root)) {
            case "vega" -> Vega.read(root, name, null);
            case "modnas" -> ModularNas.read(root, name, null);
            default -> throw root.error("not a VEGA or ModularNAS space");
        };
    }

    /** Which reader fits a file without a pipeline: "vega", "modnas", or "" when neither. */
    static String detect(YNode root) throws LoadException {
        if (!root.isMap()) {
            return "";
        }
        Map<String, YNode> top = root.map();
        // A standalone ModularNAS config: a model with its type beside a routine's sections.
        YNode model = top.get("model");
        if (model != null && model.isMap() && model.map().containsKey("type")
                && top.keySet().stream().anyMatch(k -> Set.of("mixed_op", "search", "augment", "optim", "estim", "construct").contains(k))) {
            return "modnas";
        }
        YNode ss = top.get("search_space");
        if (ss == null && VegaDarts.network(top) != null) {
            return "vega"; // a VEGA DARTS description on its own (model_desc JSON)
        }
        if (ss == null || !ss.isMap()) {
            return "";
        }
        if (isModnasSpace(ss)) {
            return "modnas";
        }
        Map<String, YNode> m = ss.map();
        String type = m.containsKey("type") && m.get("type").isScalar() ? m.get("type").str() : "";
        return type.equals("FineGrainedSpace") ? "vega" : type.equals("SearchSpace") ? "modnas" : "";
    }

    /** A space (search_space or model_desc) whose modules include one of type ModNasArchSpace. */
    static boolean isModnasSpace(YNode space) throws LoadException {
        if (space == null || !space.isMap()) {
            return false;
        }
        for (YNode v : space.map().values()) {
            if (v.isMap() && v.map().containsKey("type") && v.map().get("type").isScalar()
                    && v.map().get("type").str().equals("ModNasArchSpace")) {
                return true;
            }
        }
        return false;
    }

    static List<Integer> intList(YNode n) throws LoadException {
        List<Integer> out = new ArrayList<>();
        for (YNode x : n.seq()) {
            out.add(x.integer());
        }
        return out;
    }

    static Problem note(YNode n, String place, String message) {
        return Problem.warning(Place.named(place), message).withSource(n.where());
    }
}

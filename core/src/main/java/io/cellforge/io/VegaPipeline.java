package io.cellforge.io;

import io.cellforge.space.Place;
import io.cellforge.space.Problem;
import io.cellforge.ops.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A VEGA pipeline config: {@code pipeline: [nas, fully_train]} names steps, each a top-level mapping that may hold a
 * {@code search_space} or a {@code model: {model_desc: ...}}. One step is read: the one asked for, else the first
 * search step with a space, else the first step with a space.
 */
final class VegaPipeline {
    private VegaPipeline() {
    }

    /** The pipe_step types VEGA runs a search in. */
    static final Set<String> SEARCH_STEPS = Set.of("SearchPipeStep", "NasPipeStep");

    /**
     * The step read. {@code container} holds the space ({@code search_space}, or {@code model.model_desc}) and is what
     * the space readers are given; {@code input} is the image shape of the step's dataset, null when it names none
     * Cellforge knows.
     */
    record Step(String name, YNode container, YNode space, List<String> steps, Shape input, List<Problem> notes) {
        Step {
            steps = List.copyOf(steps);
            notes = List.copyOf(notes);
        }
    }

    static boolean isPipeline(YNode root) throws LoadException {
        return root.isMap() && root.map().containsKey("pipeline");
    }

    /** The step to read, or empty when the file is no pipeline config. {@code wanted}: a step name, or null. */
    static Optional<Step> locate(YNode root, String wanted) throws LoadException {
        if (!isPipeline(root)) {
            return Optional.empty();
        }
        Map<String, YNode> top = root.map();
        YNode pipe = top.get("pipeline");
        List<String> steps = new ArrayList<>();
        for (YNode s : pipe.seq()) {
            String n = s.str();
            if (!top.containsKey(n) || !top.get(n).isMap()) {
                throw s.error("pipeline step '" + n + "' is not defined in this file");
            }
            steps.add(n);
        }
        if (steps.isEmpty()) {
            throw pipe.error("the pipeline lists no steps");
        }
        String chosen = wanted;
        if (chosen != null) {
            if (!steps.contains(chosen)) {
                throw pipe.error("no pipeline step '" + chosen + "'; the steps are " + String.join(", ", steps));
            }
            if (spaceOf(top.get(chosen)) == null) {
                throw top.get(chosen).error("step '" + chosen + "' has no search_space or model.model_desc");
            }
        } else {
            for (String n : steps) {
                if (spaceOf(top.get(n)) != null && isSearchStep(top.get(n))) {
                    chosen = n;
                    break;
                }
            }
            if (chosen == null) {
                chosen = steps.stream().filter(n -> spaceOf(top.get(n)) != null).findFirst().orElseThrow(() ->
                        pipe.error("no step of the pipeline (" + String.join(", ", steps)
                                + ") has a search_space or a model.model_desc"));
            }
        }
        YNode step = top.get(chosen);
        List<Problem> notes = new ArrayList<>();
        long withSpace = steps.stream().filter(n -> spaceOf(top.get(n)) != null).count();
        notes.add(Problem.warning(Place.named(chosen), "read pipeline step '" + chosen + "'"
                + (withSpace > 1 ? " of " + String.join(", ", steps) + "; choose another with --step NAME (in the app: File > Import > Another step of the VEGA pipeline)" : ""))
                .withSource(step.where()));
        for (String k : top.keySet()) {
            if (!k.equals("pipeline") && !k.equals("general") && !k.equals(chosen)) {
                notes.add(Problem.warning(Place.named(k), steps.contains(k) ? "not read: another step of the pipeline"
                        : "not mapped").withSource(top.get(k).where()));
            }
        }
        return Optional.of(new Step(chosen, step, spaceOf(step), steps, datasetInput(step), notes));
    }

    private static boolean isSearchStep(YNode step) {
        try {
            YNode ps = step.map().get("pipe_step");
            return ps != null && ps.isMap() && ps.map().get("type") != null && SEARCH_STEPS.contains(ps.map().get("type").str());
        } catch (LoadException e) {
            return false;
        }
    }

    /** The step's space: its search_space, else its model.model_desc; null when neither is a mapping. */
    static YNode spaceOf(YNode step) {
        if (step == null || !step.isMap()) {
            return null;
        }
        try {
            Map<String, YNode> m = step.map();
            YNode ss = m.get("search_space");
            if (ss != null && ss.isMap()) {
                return ss;
            }
            YNode model = m.get("model");
            if (model != null && model.isMap() && model.map().get("model_desc") != null && model.map().get("model_desc").isMap()) {
                return model.map().get("model_desc");
            }
        } catch (LoadException e) {
            return null;
        }
        return null;
    }

    /** The image shape of VEGA's dataset classes (vega/datasets/common): what the network's input is. */
    static Shape datasetInput(YNode step) throws LoadException {
        YNode ds = step.map().get("dataset");
        if (ds == null || !ds.isMap() || ds.map().get("type") == null) {
            return null;
        }
        return switch (ds.map().get("type").str()) {
            case "Cifar10", "Cifar100" -> new Shape(3, 32, 32);
            case "Mnist", "FashionMnist" -> new Shape(1, 28, 28);
            case "Imagenet", "ImageNet" -> new Shape(3, 224, 224);
            default -> null;
        };
    }
}

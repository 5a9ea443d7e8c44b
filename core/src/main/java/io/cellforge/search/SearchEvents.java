package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.arch.Architecture;
import io.cellforge.space.SearchSpace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a running search tells its listeners; immutable records, safe to hand to another thread. */
public final class SearchEvents {
    private SearchEvents() {
    }

    /** After each step: the losses and accuracies of its batches and the probabilities of every choice. */
    public record Step(int epoch, int epochs, int step, int stepsPerEpoch, double trainLoss, double trainAccuracy,
                       double validLoss, double imagesPerSecond, Map<String, double[]> weights) {

        /** The form of a step in an events file. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "step");
            m.put("epoch", epoch);
            m.put("step", step);
            m.put("train_loss", trainLoss);
            m.put("train_accuracy", trainAccuracy);
            m.put("valid_loss", Double.isNaN(validLoss) ? null : validLoss);
            m.put("images_per_s", imagesPerSecond);
            m.put("weights", weights);
            return m;
        }

        /** A step read back from an events file, which does not repeat the epoch count and steps per epoch. */
        public static Step fromJson(Map<String, Object> m, int epochs, int stepsPerEpoch) {
            return new Step(num(m, "epoch").intValue(), epochs, num(m, "step").intValue(), stepsPerEpoch, num(m, "train_loss"),
                    num(m, "train_accuracy"), num(m, "valid_loss"), num(m, "images_per_s"), weightsFromJson(m.get("weights")));
        }

        public Step withCounts(int epochs, int stepsPerEpoch) {
            return new Step(epoch, epochs, step, stepsPerEpoch, trainLoss, trainAccuracy, validLoss, imagesPerSecond, weights);
        }
    }

    /** After each epoch: means over the epoch, accuracy on the held-out half, and the architecture derived now. */
    public record Epoch(int epoch, int epochs, double trainLoss, double trainAccuracy, double validLoss,
                        double validAccuracy, Map<String, double[]> weights, Architecture derived, double seconds) {

        /** The form events files, checkpoints and result.json share. */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "epoch");
            m.put("epoch", epoch);
            m.put("epochs", epochs);
            m.put("train_loss", trainLoss);
            m.put("train_accuracy", trainAccuracy);
            m.put("valid_loss", validLoss);
            m.put("valid_accuracy", validAccuracy);
            m.put("seconds", seconds);
            m.put("weights", weights);
            return m;
        }

        /** An epoch read back from an events file or a checkpoint; the derived architecture is derived again. */
        public static Epoch fromJson(Map<String, Object> m, SearchSpace space) {
            Map<String, double[]> w = weightsFromJson(m.get("weights"));
            return new Epoch(num(m, "epoch").intValue(), num(m, "epochs").intValue(), num(m, "train_loss"), num(m, "train_accuracy"),
                    num(m, "valid_loss"), num(m, "valid_accuracy"), w, Derivation.derive(space, w), num(m, "seconds"));
        }
    }

    /** Probabilities as JSON gives them back: a map of key to a list of numbers. */
    @SuppressWarnings("unchecked")
    public static Map<String, double[]> weightsFromJson(Object o) {
        Map<String, double[]> w = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) {
            ((Map<String, List<Number>>) m).forEach((k, v) -> w.put(k, v.stream().mapToDouble(Number::doubleValue).toArray()));
        }
        return w;
    }

    /** A number of a JSON object; NaN when absent or null (a step's valid loss, when the strategy has none). */
    static Double num(Map<String, Object> m, String k) {
        return m.get(k) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** "4m07s", or "1h02m": how long is left, for progress lines; "-" before it can be told. */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "-";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }

    /** Receives events on the search's thread; keep the work short or hand it on. */
    public interface Listener {
        default void started(String backend, SearchConfig config, int stepsPerEpoch) {
        }

        default void step(Step s) {
        }

        default void epoch(Epoch e) {
        }

        /** A run continued from a checkpoint, at this epoch and step (before any step of it is reported). */
        default void resumed(int epoch, int step) {
        }

        /** A steer was applied before the step it names ({@link Steer#epoch}, {@link Steer#step}). */
        default void steered(Steer s) {
        }

        /** Something went wrong that the search survives (a checkpoint that could not be saved). */
        default void warning(String message) {
        }

        /** SPOS: after each generation of the evolutionary search, the best architecture so far and its accuracy. */
        default void generation(int generation, int generations, double bestAccuracy, Architecture best) {
        }
    }
}

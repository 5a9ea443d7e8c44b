package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.SearchSpace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a running search tells its listeners, one-shot (steps, epochs) and multi-trial (trials) alike; immutable
 * records, safe to hand to another thread.
 */
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

    /**
     * Multi-trial: trial {@code index} of a run of {@code budget} trials scored, with its scores by name, wall time
     * in seconds and seed; {@code best} is the number of the best feasible trial so far (-1 while there is none)
     * and {@code bestScores} its scores (empty then). {@code replayed}: read from the trial log of the run
     * resumed, not run again.
     */
    public record Trial(int index, int budget, Architecture architecture, Map<String, Double> scores, double seconds, long seed,
                        int best, Map<String, Double> bestScores, boolean replayed) {
        public Trial {
            scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
            bestScores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bestScores));
        }

        /** The form of a trial in an events file; its first five fields are a trial log's line ({@code trials.jsonl}). */
        public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "trial");
            m.put("index", index);
            m.put("architecture", raw(architecture));
            m.put("scores", scores);
            m.put("seconds", seconds);
            m.put("seed", seed);
            m.put("budget", budget);
            m.put("best", best < 0 ? null : best);
            m.put("best_scores", bestScores);
            m.put("replayed", replayed);
            return m;
        }

        /**
         * A trial read back from an events file or a trial log line (which has no budget nor best: 0 and -1 then).
         *
         * @throws IllegalArgumentException naming the field missing or of the wrong kind
         */
        public static Trial fromJson(Map<String, Object> m) {
            Object best = m.get("best");
            return new Trial(whole(m, "index"), m.get("budget") == null ? 0 : whole(m, "budget"), architecture(required(m, "architecture")),
                    scores(required(m, "scores"), "scores"), number(m, "seconds"), wholeLong(m, "seed"),
                    best == null ? -1 : whole(m, "best"), m.get("best_scores") == null ? Map.of() : scores(m.get("best_scores"), "best_scores"),
                    Boolean.TRUE.equals(m.get("replayed")));
        }

        /** Decisions as JSON values: an op's label, a value's number, the list of chosen inputs. */
        public static Map<String, Object> raw(Architecture a) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (var e : a.choices().entrySet()) {
                Decision d = e.getValue();
                Object v;
                if (d instanceof Decision.Op op) {
                    v = op.label();
                } else if (d instanceof Decision.Value val) {
                    v = val.value();
                } else {
                    v = ((Decision.Inputs) d).indices();
                }
                m.put(e.getKey(), v);
            }
            return m;
        }

        /** The decisions {@link #raw} wrote. */
        public static Architecture architecture(Object raw) {
            if (!(raw instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("'architecture' is not an object of decisions");
            }
            Map<String, Decision> choices = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                Decision d;
                if (v instanceof String label) {
                    d = new Decision.Op(label);
                } else if (v instanceof Number n) {
                    d = new Decision.Value(n.doubleValue());
                } else if (v instanceof List<?> l) {
                    List<Integer> idx = new java.util.ArrayList<>();
                    for (Object x : l) {
                        if (!(x instanceof Number n)) {
                            throw new IllegalArgumentException("the inputs of '" + k + "' are not all numbers");
                        }
                        idx.add(n.intValue());
                    }
                    d = new Decision.Inputs(idx);
                } else {
                    throw new IllegalArgumentException("the decision of '" + k + "' is neither a label, a number nor a list");
                }
                choices.put(String.valueOf(k), d);
            });
            return new Architecture(choices);
        }

        private static Map<String, Double> scores(Object o, String field) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("'" + field + "' is not an object of numbers");
            }
            Map<String, Double> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                if (!(v instanceof Number n)) {
                    throw new IllegalArgumentException("the score '" + k + "' is not a number");
                }
                out.put(String.valueOf(k), n.doubleValue());
            });
            return out;
        }

        private static Object required(Map<String, Object> m, String field) {
            Object v = m.get(field);
            if (v == null) {
                throw new IllegalArgumentException("no '" + field + "'");
            }
            return v;
        }

        private static double number(Map<String, Object> m, String field) {
            if (!(required(m, field) instanceof Number n)) {
                throw new IllegalArgumentException("'" + field + "' is not a number");
            }
            return n.doubleValue();
        }

        private static long wholeLong(Map<String, Object> m, String field) {
            if (!(required(m, field) instanceof Number n) || n instanceof Double || n instanceof Float) {
                throw new IllegalArgumentException("'" + field + "' is not a whole number");
            }
            return n.longValue();
        }

        private static int whole(Map<String, Object> m, String field) {
            long v = wholeLong(m, field);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("'" + field + "' is out of range: " + v);
            }
            return (int) v;
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

        /**
         * Multi-trial: {@code trials} trials of an earlier run were read from its log; they come next as
         * {@link Trial#replayed()} trials, before any new one.
         */
        default void trialsResumed(int trials) {
        }

        /** Multi-trial: a trial is scored (or replayed), in the order of trial numbers. */
        default void trial(Trial t) {
        }
    }
}

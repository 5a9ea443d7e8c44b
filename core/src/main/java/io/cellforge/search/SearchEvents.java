package io.cellforge.search;

import io.cellforge.arch.Architecture;

import java.util.LinkedHashMap;
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
    }

    /** Receives events on the search's thread; keep the work short or hand it on. */
    public interface Listener {
        default void started(String backend, SearchConfig config, int stepsPerEpoch) {
        }

        default void step(Step s) {
        }

        default void epoch(Epoch e) {
        }

        /** SPOS: after each generation of the evolutionary search, the best architecture so far and its accuracy. */
        default void generation(int generation, int generations, double bestAccuracy, Architecture best) {
        }
    }
}

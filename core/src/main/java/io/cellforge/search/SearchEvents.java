package io.cellforge.search;

import io.cellforge.arch.Architecture;

import java.util.Map;

/** What a running search tells its listeners; immutable records, safe to hand to another thread. */
public final class SearchEvents {
    private SearchEvents() {
    }

    /** After each step: the losses and accuracies of its batches and the probabilities of every choice. */
    public record Step(int epoch, int epochs, int step, int stepsPerEpoch, double trainLoss, double trainAccuracy,
                       double validLoss, double imagesPerSecond, Map<String, double[]> weights) {
    }

    /** After each epoch: means over the epoch, accuracy on the held-out half, and the architecture derived now. */
    public record Epoch(int epoch, int epochs, double trainLoss, double trainAccuracy, double validLoss,
                        double validAccuracy, Map<String, double[]> weights, Architecture derived, double seconds) {
    }

    /** Receives events on the search's thread; keep the work short or hand it on. */
    public interface Listener {
        default void started(String backend, SearchConfig config, int stepsPerEpoch) {
        }

        default void step(Step s) {
        }

        default void epoch(Epoch e) {
        }
    }
}

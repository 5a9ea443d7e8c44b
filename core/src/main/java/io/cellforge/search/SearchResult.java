package io.cellforge.search;

import io.cellforge.arch.Architecture;

import java.util.List;
import java.util.Map;

/**
 * The outcome: the derived architecture, the final choice probabilities, every epoch, whether it ran to the end,
 * and how a person steered it ({@link Steer}, in the order applied).
 */
public record SearchResult(Architecture architecture, Map<String, double[]> weights, List<SearchEvents.Epoch> epochs,
                           boolean completed, String backend, List<Steer> steering) {
    public SearchResult {
        epochs = List.copyOf(epochs);
        steering = List.copyOf(steering);
    }

    public SearchResult(Architecture architecture, Map<String, double[]> weights, List<SearchEvents.Epoch> epochs,
                        boolean completed, String backend) {
        this(architecture, weights, epochs, completed, backend, List.of());
    }
}

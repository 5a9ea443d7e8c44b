package io.cellforge.search;

import io.cellforge.arch.Architecture;

import java.util.List;
import java.util.Map;

/** The outcome: the derived architecture, the final choice probabilities, every epoch, and whether it ran to the end. */
public record SearchResult(Architecture architecture, Map<String, double[]> weights, List<SearchEvents.Epoch> epochs,
                           boolean completed, String backend) {
    public SearchResult {
        epochs = List.copyOf(epochs);
    }
}

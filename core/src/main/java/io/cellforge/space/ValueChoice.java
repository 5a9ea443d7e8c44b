package io.cellforge.space;

import java.util.List;

/** A numeric hyper-parameter chosen among candidates: channels, kernel size, expansion ratio, depth. */
public record ValueChoice(String key, List<Double> candidates) implements Mutable {
    public ValueChoice {
        candidates = List.copyOf(candidates);
    }

    public long optionCount() {
        return candidates.size();
    }

    @Override
    public String kindName() {
        return "ValueChoice";
    }
}

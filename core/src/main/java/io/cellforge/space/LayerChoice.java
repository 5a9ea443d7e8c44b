package io.cellforge.space;

import java.util.List;

/** One of several candidate ops. */
public record LayerChoice(String key, List<OpCall> candidates) implements Mutable, EdgeOp {
    public LayerChoice {
        candidates = List.copyOf(candidates);
    }

    public static LayerChoice of(String key, List<String> names) {
        return new LayerChoice(key, names.stream().map(OpCall::of).toList());
    }

    public List<String> labels() {
        return candidates.stream().map(OpCall::label).toList();
    }

    public int indexOf(String label) {
        return labels().indexOf(label);
    }

    public long optionCount() {
        return candidates.size();
    }

    @Override
    public String kindName() {
        return "LayerChoice";
    }
}

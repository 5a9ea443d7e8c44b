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

    public double largest() {
        return candidates.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The candidates as labels: whole numbers without a decimal point. */
    public List<String> labels() {
        return candidates.stream().map(ValueChoice::label).toList();
    }

    public static String label(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public String kindName() {
        return "ValueChoice";
    }
}

package io.cellforge.trial;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an estimator found for one architecture, by name: {@link #ACCURACY} (a fraction, higher is better),
 * {@link #PARAMS}, {@link #MACS} and {@link #LATENCY} (milliseconds measured on this machine), lower is better,
 * and whatever else an estimator reports (a table's other columns). Names keep their order.
 */
public record Scores(Map<String, Double> values) {
    public static final String ACCURACY = "accuracy";
    public static final String PARAMS = "params";
    public static final String MACS = "macs";
    public static final String LATENCY = "latency_ms";

    public Scores {
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Optional<Double> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The accuracy, which every estimator reports. */
    public double accuracy() {
        Double a = values.get(ACCURACY);
        if (a == null) {
            throw new IllegalStateException("these scores have no " + ACCURACY + ": " + values.keySet());
        }
        return a;
    }

    public Scores with(String name, double value) {
        Map<String, Double> m = new LinkedHashMap<>(values);
        m.put(name, value);
        return new Scores(m);
    }

    /** Whether a higher value of {@code name} is better (accuracy and any score named *accuracy*), else lower. */
    public static boolean higherIsBetter(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).contains(ACCURACY);
    }
}

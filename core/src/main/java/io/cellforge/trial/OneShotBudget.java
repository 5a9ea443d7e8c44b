package io.cellforge.trial;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.arch.Architecture;
import io.cellforge.io.FileWrites;
import io.cellforge.plan.PlanException;
import io.cellforge.search.CostTerm;
import io.cellforge.search.SearchResult;
import io.cellforge.space.SearchSpace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A one-shot search's budget, as the CLI's {@code --constraint} and {@code --cost-weight} give it to a DARTS-family
 * search: bounds {@code SCORE<=X} on multiply-adds, parameters or latency, each an expected-cost term of the
 * architecture loss ({@link CostTerm}) of that weight. The run folder keeps it ({@value #FILE}: the budget, then what
 * the search ended with), so that a resumed run searches under the same budget and its result says how it fared.
 */
public record OneShotBudget(List<Constraint> bounds, double weight) {
    public static final String FILE = "budget.json";
    public static final OneShotBudget NONE = new OneShotBudget(List.of(), 1);
    /** The costs a budget can bound: what the one-shot strategies can take as an expected cost. */
    public static final List<String> COSTS = List.of(Scores.MACS, Scores.PARAMS, Scores.LATENCY);
    /** The one-shot strategies without architecture weights: nothing for a cost term to pull on. */
    public static final List<String> WITHOUT_WEIGHTS = List.of("spos");
    private static final ObjectMapper JSON = new ObjectMapper();

    public OneShotBudget {
        bounds = List.copyOf(bounds);
    }

    public boolean isEmpty() {
        return bounds.isEmpty();
    }

    /**
     * Reads a budget as the run panel gives it ({@code macs<=2e5, params<=1e5}, by commas or spaces) and its cost
     * weight; a refusal's message says what is expected.
     */
    public static OneShotBudget parse(String text, double weight, String strategy) {
        return parse(Arrays.stream(text == null ? new String[0] : text.split("[,;\\s]+")).filter(s -> !s.isBlank()).toList(),
                weight, strategy);
    }

    /** Reads a budget as the CLI's {@code --constraint}s give it, one bound each. */
    public static OneShotBudget parse(List<String> parts, double weight, String strategy) {
        List<Constraint> out = new ArrayList<>();
        for (String part : parts) {
            Constraint c;
            try {
                c = Constraint.parse(part);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("budget: " + e.getMessage());
            }
            if (c.bound() != Constraint.Bound.AT_MOST && c.bound() != Constraint.Bound.BELOW) {
                throw new IllegalArgumentException("budget " + part + ": a one-shot search takes budgets SCORE<=X (of macs, params or latency_ms)");
            }
            if (!COSTS.contains(c.score())) {
                throw new IllegalArgumentException("budget " + part + ": a one-shot search takes budgets of macs, params or latency_ms, not "
                        + c.score());
            }
            if (!(c.limit() > 0)) {
                throw new IllegalArgumentException("budget " + part + ": the limit must be positive");
            }
            out.add(c);
        }
        if (!out.isEmpty() && !(weight >= 0 && Double.isFinite(weight))) {
            throw new IllegalArgumentException("the cost weight must be a number of at least 0, not " + weight);
        }
        if (!out.isEmpty() && WITHOUT_WEIGHTS.contains(strategy)) {
            throw new IllegalArgumentException("budget: " + strategy + " has no architecture weights for a budget to pull on; use a DARTS-family "
                    + "strategy, or a multi-trial one with constraints");
        }
        return new OneShotBudget(out, weight);
    }

    /** Whether a bound needs the latency table (timed once, cached on disk). */
    public boolean needsLatency() {
        return bounds.stream().anyMatch(c -> c.score().equals(Scores.LATENCY));
    }

    /**
     * The budget's cost terms over {@code space} (the space as searched); latency times each layer once, cached in
     * {@code latencyCache}.
     */
    public List<CostTerm> terms(SearchSpace space, Path latencyCache, int batch) throws IOException, PlanException {
        LatencyTable lut = null;
        List<CostTerm> out = new ArrayList<>();
        for (Constraint c : bounds) {
            if (c.score().equals(Scores.LATENCY) && lut == null) {
                Files.createDirectories(latencyCache);
                lut = LatencyTable.build(space, LatencyTable.Settings.of(batch), latencyCache);
            }
            out.add(new CostTerm(c.score(), space, cost(space, c.score(), lut), c.limit(), weight));
        }
        return out;
    }

    /** An architecture's cost by name: multiply-adds and parameters counted, latency from the table. */
    public static ToDoubleFunction<Architecture> cost(SearchSpace space, String score, LatencyTable lut) {
        return a -> {
            if (score.equals(Scores.LATENCY)) {
                try {
                    return lut.latencyMs(a);
                } catch (PlanException | IOException e) {
                    throw new IllegalArgumentException("the latency could not be measured: " + e.getMessage(), e);
                }
            }
            NetworkStats st = Evaluator.evaluate(space, a);
            if (!st.ok()) {
                throw new IllegalArgumentException("an architecture does not build: " + st.problems().get(0));
            }
            return score.equals(Scores.MACS) ? st.macs() : st.params();
        };
    }

    /** Keeps the budget in a new run's folder, before the search starts. */
    public void write(Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budgets", bounds.stream().map(Constraint::toString).toList());
        m.put("cost_weight", weight);
        Files.createDirectories(dir);
        FileWrites.writeAtomically(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
    }

    /** The budget a run folder keeps; {@link #NONE} when it has none. */
    public static OneShotBudget read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return NONE;
        }
        Map<?, ?> m = JSON.readValue(Files.readString(f, StandardCharsets.UTF_8), Map.class);
        List<Constraint> bounds = new ArrayList<>();
        if (m.get("budgets") instanceof List<?> l) {
            try {
                l.forEach(b -> bounds.add(Constraint.parse(String.valueOf(b))));
            } catch (IllegalArgumentException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
        }
        return new OneShotBudget(bounds, m.get("cost_weight") instanceof Number w ? w.doubleValue() : 1);
    }

    /**
     * How the search fared against each term: the expected cost under the final weights and the cost of the
     * architecture found, in words (as the CLI says it) and kept in the run folder beside the budget ({@code dir}; none
     * when null).
     */
    public String report(List<CostTerm> terms, SearchSpace space, SearchResult r, Path dir) throws IOException {
        Map<String, Object> expected = new LinkedHashMap<>();
        Map<String, Object> found = new LinkedHashMap<>();
        List<String> words = new ArrayList<>();
        for (CostTerm t : terms) {
            double e = t.expected(r.weights());
            double a = t.name().equals(Scores.LATENCY) ? Double.NaN : cost(space, t.name(), null).applyAsDouble(r.architecture());
            expected.put(t.name(), e);
            if (!Double.isNaN(a)) {
                found.put(t.name(), a);
            }
            words.add(String.format(Locale.ROOT, "%s expected %.4g under the final weights (budget %.4g)%s", t.name(), e, t.budget(),
                    Double.isNaN(a) ? "" : String.format(Locale.ROOT, ", %.4g in the architecture found", a)));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budgets", bounds.stream().map(Constraint::toString).toList());
        m.put("cost_weight", weight);
        m.put("expected", expected);
        m.put("found", found);
        if (dir != null) {
            FileWrites.writeAtomically(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
        }
        return String.join("; ", words);
    }

    /** The budget in a line, for the runs table: {@code macs<=200000 (weight 1)}. */
    public String describe() {
        return String.join(", ", bounds.stream().map(Constraint::toString).toList())
                + String.format(Locale.ROOT, " (weight %s)", weight == Math.rint(weight) ? String.valueOf((long) weight) : String.valueOf(weight));
    }
}

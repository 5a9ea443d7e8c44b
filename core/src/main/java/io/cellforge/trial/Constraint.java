package io.cellforge.trial;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A bound on one score, as a user writes it: {@code macs<=2e8}, {@code params<=1e6}, {@code latency_ms<=5}. */
public record Constraint(String score, Bound bound, double limit) {

    public enum Bound {
        AT_MOST("<="), AT_LEAST(">="), BELOW("<"), ABOVE(">");

        final String symbol;

        Bound(String symbol) {
            this.symbol = symbol;
        }
    }

    private static final Pattern FORM = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(<=|>=|<|>)\\s*(\\S+)\\s*");

    /** Reads {@code NAME<=NUMBER} (or >=, <, >); the message of a refusal says what was expected. */
    public static Constraint parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("constraint '" + text + "' does not read as SCORE<=NUMBER (e.g. macs<=2e8, params<=1e6, "
                    + "latency_ms<=5)");
        }
        double limit;
        try {
            limit = Double.parseDouble(m.group(3));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("constraint '" + text + "': '" + m.group(3) + "' is not a number");
        }
        if (!Double.isFinite(limit)) {
            throw new IllegalArgumentException("constraint '" + text + "': the limit must be a finite number");
        }
        Bound b = switch (m.group(2)) {
            case "<=" -> Bound.AT_MOST;
            case ">=" -> Bound.AT_LEAST;
            case "<" -> Bound.BELOW;
            default -> Bound.ABOVE;
        };
        return new Constraint(m.group(1).toLowerCase(Locale.ROOT), b, limit);
    }

    /** The score this bounds; an estimator that does not report it cannot be held to it. */
    public double valueIn(Scores s) {
        return s.get(score).orElseThrow(() -> new IllegalArgumentException("the constraint " + this + " needs the score '" + score
                + "', which the estimator does not report (it reports " + String.join(", ", s.values().keySet()) + ")"));
    }

    public boolean holds(Scores s) {
        double v = valueIn(s);
        return switch (bound) {
            case AT_MOST -> v <= limit;
            case AT_LEAST -> v >= limit;
            case BELOW -> v < limit;
            case ABOVE -> v > limit;
        };
    }

    /** How far past the limit, relative to it (0 when it holds): the penalty's measure. */
    public double excess(Scores s) {
        if (holds(s)) {
            return 0;
        }
        double v = valueIn(s);
        double scale = Math.max(Math.abs(limit), 1e-12);
        return Math.abs(v - limit) / scale;
    }

    @Override
    public String toString() {
        return score + bound.symbol + io.cellforge.space.ValueChoice.label(limit);
    }
}

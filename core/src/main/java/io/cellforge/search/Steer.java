package io.cellforge.search;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A person steering a running one-shot search (Tyagi, Xie and Mueller, "Visual Steering for One-Shot Deep Neural
 * Network Synthesis"): prune a candidate of a LayerChoice, pin the choice to one candidate (every other pruned),
 * or restore every candidate. The search applies it before its next step and records where it did
 * ({@code epoch}, {@code step}; -1 while pending), so that the event log, a resumed run and the result show it.
 */
public record Steer(Kind kind, String key, String label, int epoch, int step) {
    public enum Kind {
        PRUNE, PIN, RESTORE;

        String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Steer {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a steer needs a choice key");
        }
        if (kind != Kind.RESTORE && (label == null || label.isEmpty())) {
            throw new IllegalArgumentException(kind.json() + " " + key + " needs a candidate");
        }
        label = kind == Kind.RESTORE ? "" : label;
    }

    public static Steer prune(String key, String label) {
        return new Steer(Kind.PRUNE, key, label, -1, -1);
    }

    public static Steer pin(String key, String label) {
        return new Steer(Kind.PIN, key, label, -1, -1);
    }

    public static Steer restore(String key) {
        return new Steer(Kind.RESTORE, key, "", -1, -1);
    }

    /** This steer as applied before step {@code step} of epoch {@code epoch}. */
    public Steer at(int epoch, int step) {
        return new Steer(kind, key, label, epoch, step);
    }

    /** The key's pruned candidates after this steer, from those pruned before it and the key's candidates. */
    public Set<String> apply(Set<String> prunedBefore, List<String> labels) {
        if (kind != Kind.RESTORE && !labels.contains(label)) {
            throw new IllegalArgumentException("'" + label + "' is not a candidate of " + key + " (" + String.join(", ", labels) + ")");
        }
        Set<String> out = new LinkedHashSet<>();
        switch (kind) {
            case PRUNE -> {
                out.addAll(prunedBefore);
                out.add(label);
                if (out.size() >= labels.size()) {
                    throw new IllegalArgumentException("pruning " + label + " would leave " + key + " no candidate");
                }
            }
            case PIN -> labels.stream().filter(l -> !l.equals(label)).forEach(out::add);
            case RESTORE -> {
            }
        }
        return out;
    }

    /** A line a person reads: "epoch 3, step 12: pruned skip_connect of normal_n2_p0". */
    public String describe() {
        String what = switch (kind) {
            case PRUNE -> "pruned " + label + " of " + key;
            case PIN -> "pinned " + key + " to " + label;
            case RESTORE -> "restored every candidate of " + key;
        };
        return epoch < 0 ? what : "epoch " + (epoch + 1) + ", step " + (step + 1) + ": " + what;
    }

    /** The form of a steer in events files, checkpoints and result.json. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "steer");
        m.put("action", kind.json());
        m.put("key", key);
        if (kind != Kind.RESTORE) {
            m.put("candidate", label);
        }
        m.put("epoch", epoch);
        m.put("step", step);
        return m;
    }

    /** A steer read back; the message names what is wrong with a malformed one. */
    public static Steer fromJson(Map<?, ?> m) {
        Object a = m.get("action");
        Kind k = null;
        for (Kind x : Kind.values()) {
            if (x.json().equals(a)) {
                k = x;
            }
        }
        if (k == null) {
            throw new IllegalArgumentException("a steer's action must be prune, pin or restore, not " + a);
        }
        if (!(m.get("key") instanceof String key) || !(m.get("epoch") instanceof Number e) || !(m.get("step") instanceof Number s)) {
            throw new IllegalArgumentException("a steer needs a key, an epoch and a step");
        }
        Object c = m.get("candidate");
        return new Steer(k, key, c instanceof String l ? l : "", e.intValue(), s.intValue());
    }
}

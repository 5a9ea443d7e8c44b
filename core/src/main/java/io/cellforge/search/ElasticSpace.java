package io.cellforge.search;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.Cell;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A space Once-for-All can train as one network: blocks of {@code mbconv} whose kernel, expansion and depth are
 * ValueChoices ({@code kernel: $k, expand: $e}, and {@code depth: $d, position: p} for the blocks a stage's depth can
 * skip), so that every choice is a slice of the same weights: the largest kernel's centre, the first channels of the
 * largest expansion, the first blocks of the deepest stage. A space with anything else to choose (a LayerChoice
 * among separate ops, an InputChoice, a ValueChoice of a width) is refused, naming the key.
 */
public final class ElasticSpace {
    /** What a ValueChoice is to an elastic block. */
    public enum Role { KERNEL, EXPANSION, DEPTH }

    /** Progressive shrinking's phases, in order: what each one samples; keys it does not sample are largest. */
    public enum Phase {
        LARGEST, KERNEL, EXPANSION, DEPTH;

        /** Whether this phase samples keys of {@code role}: the kernel from KERNEL on, then expansion, then depth. */
        boolean samples(Role role) {
            return switch (role) {
                case KERNEL -> this != LARGEST;
                case EXPANSION -> this == EXPANSION || this == DEPTH;
                case DEPTH -> this == DEPTH;
            };
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final SearchSpace space;
    private final Map<String, Role> roles;

    private ElasticSpace(SearchSpace space, Map<String, Role> roles) {
        this.space = space;
        this.roles = Collections.unmodifiableMap(roles);
    }

    /** The elastic keys of {@code space}; an IllegalArgumentException naming the key or op that is not elastic. */
    public static ElasticSpace of(SearchSpace space) {
        String hint = "; progressive shrinking shares one set of weights, so it needs blocks of mbconv with $kernel and $expand "
                + "ValueChoices (and depth: $d, position: p for elastic depth), as the zoo's ofa-mini has";
        for (Mutable m : space.mutablesByKey().values()) {
            if (m instanceof LayerChoice lc) {
                throw new IllegalArgumentException("'" + lc.key() + "' is a LayerChoice among separate ops (" + String.join(", ", lc.labels())
                        + "), whose weights cannot be one network's" + hint);
            }
            if (m instanceof InputChoice ic) {
                throw new IllegalArgumentException("'" + ic.key() + "' is an InputChoice, which no elastic network has" + hint);
            }
        }
        if (!space.network().context().generators().isEmpty()) {
            throw new IllegalArgumentException("the network has weight generators (" + String.join(", ",
                    space.network().context().generators().keySet()) + "), whose dynamic convolutions no elastic network slices" + hint);
        }
        if (!space.cells().isEmpty()) {
            Cell c = space.cells().values().iterator().next();
            throw new IllegalArgumentException("the space is made of cells (cell '" + c.name() + "'), not of mbconv blocks" + hint);
        }
        List<OpCall> fixed = new ArrayList<>(space.network().head());
        space.network().stem().forEach(fixed::addAll);
        for (OpCall op : fixed) {
            for (Param p : op.params().values()) {
                if (p.isRef() && space.values().containsKey(p.ref())) {
                    throw new IllegalArgumentException("ValueChoice '" + p.ref() + "' sets a parameter of " + op.op() + " in the stem or "
                            + "head; only mbconv blocks are elastic" + hint);
                }
            }
        }
        Map<String, Role> roles = new LinkedHashMap<>();
        Map<String, String> where = new LinkedHashMap<>();
        List<Stage> stages = space.network().stages();
        for (int i = 0; i < stages.size(); i++) {
            Stage st = stages.get(i);
            String place = "stage " + (st.name() == null ? i : st.name());
            for (Param p : java.util.Arrays.asList(st.channels(), st.widen(), st.stride(), st.repeat())) {
                if (p != null && p.isRef() && space.values().containsKey(p.ref())) {
                    throw new IllegalArgumentException("ValueChoice '" + p.ref() + "' sets a width, stride or repeat of " + place
                            + ", which no slice of shared weights can follow" + hint);
                }
            }
            if (st.kind() != StageKind.BLOCK || !(st.op() instanceof OpCall call)) {
                continue;
            }
            boolean mb = call.op().equals("mbconv");
            Param position = call.params().get("position");
            if (mb && call.params().containsKey("depth") && !st.residual() && (position == null || position.isRef() || position.value() > 1)) {
                throw new IllegalArgumentException(place + " can be skipped by its stage's depth but is not residual: skipped, it "
                        + "would pass on zeros instead of its input; give it residual: true" + hint);
            }
            for (var e : call.params().entrySet()) {
                Param p = e.getValue();
                if (!p.isRef() || !space.values().containsKey(p.ref())) {
                    continue;
                }
                Role r = !mb ? null : switch (e.getKey()) {
                    case "kernel" -> Role.KERNEL;
                    case "expand" -> Role.EXPANSION;
                    case "depth" -> Role.DEPTH;
                    default -> null;
                };
                if (r == null) {
                    throw new IllegalArgumentException("ValueChoice '" + p.ref() + "' sets " + e.getKey() + " of op " + call.op() + " in "
                            + place + "; only mbconv's kernel, expand and depth are elastic" + hint);
                }
                Role was = roles.putIfAbsent(p.ref(), r);
                if (was != null && was != r) {
                    throw new IllegalArgumentException("ValueChoice '" + p.ref() + "' is the " + was.name().toLowerCase() + " of "
                            + where.get(p.ref()) + " and the " + r.name().toLowerCase() + " of " + place + "; a key has one role");
                }
                where.putIfAbsent(p.ref(), place);
            }
        }
        for (ValueChoice vc : space.values().values()) {
            Role r = roles.get(vc.key());
            if (r == null) {
                throw new IllegalArgumentException("ValueChoice '" + vc.key() + "' is no mbconv block's kernel, expand or depth" + hint);
            }
            for (double v : vc.candidates()) {
                if (v != Math.rint(v) || v < 1) {
                    throw new IllegalArgumentException("ValueChoice '" + vc.key() + "' has candidate " + ValueChoice.label(v)
                            + "; a kernel, expansion or depth is a whole number of at least 1");
                }
            }
            // A smaller kernel is the centre of the largest: their sizes differ by an even number of taps.
            if (r == Role.KERNEL && vc.candidates().stream().mapToLong(v -> (long) (vc.largest() - v)).anyMatch(d -> d % 2 != 0)) {
                throw new IllegalArgumentException("the kernel sizes " + vc.labels() + " of '" + vc.key() + "' are not all odd (or all even): "
                        + "a smaller kernel must be the centre of the largest");
            }
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("space '" + space.name() + "' has no elastic block" + hint);
        }
        return new ElasticSpace(space, roles);
    }

    public SearchSpace space() {
        return space;
    }

    /** Every elastic key, in the space's order, with its role. */
    public Map<String, Role> roles() {
        return roles;
    }

    /** Every key at its largest value: the network whose weights every other one slices. */
    public Architecture largest() {
        return sample(Phase.LARGEST, new Random(0));
    }

    /** One architecture of a phase: the keys it samples uniformly, the others at their largest value. */
    public Architecture sample(Phase phase, Random rng) {
        Map<String, Decision> m = new LinkedHashMap<>();
        for (var e : roles.entrySet()) {
            ValueChoice vc = space.values().get(e.getKey());
            double v = phase.samples(e.getValue()) ? vc.candidates().get(rng.nextInt(vc.candidates().size())) : vc.largest();
            m.put(e.getKey(), new Decision.Value(v));
        }
        return new Architecture(m);
    }

    /** The keys of one role, in order. */
    public List<String> keys(Role role) {
        List<String> out = new ArrayList<>();
        roles.forEach((k, r) -> {
            if (r == role) {
                out.add(k);
            }
        });
        return out;
    }
}

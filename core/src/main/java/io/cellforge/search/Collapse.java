package io.cellforge.search;

import io.cellforge.ops.OpArgs;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.ShapeException;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.OpCall;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * DARTS's collapse towards parameter-free ops (skip connections and pools winning edge after edge while the
 * supernet's accuracy still rises: Zela et al. 2020, "Understanding and Robustifying DARTS"; Liang et al. 2019,
 * DARTS+), read from the choice probabilities as DARTS users watch for it by hand.
 * <p>
 * A choice's leading op is its strongest candidate other than the zero op, as DARTS's derivation takes it (the
 * zero op's weight grows in sound searches too, Liu et al. 2019 sec. 2.4). Counted are the LayerChoices of normal
 * cells (reduction cells are mostly pools in sound results: DARTS V2's has six of eight edges parameter-free) that
 * offer both parameter-free and parametric candidates. The search <em>collapses</em> when more than
 * {@value #THRESHOLD} of them lead with a parameter-free op: DARTS V2's published normal cell has 2 of its 8 kept
 * edges parameter-free (25%), DARTS+ stops a search at the second skip connection of a normal cell, and a cell
 * that most edges leave without parameters is the degenerate result those papers describe. Near-uniform alphas
 * say nothing, so a lead counts only once its candidate holds at least {@value #DECISIVE} times an equal share
 * of the non-zero candidates' probability: at initialisation none does, and a fresh search does not warn by
 * chance (with the DARTS ops, 3 of the 7 non-zero candidates are parameter-free, so near-uniform alphas would
 * lead with one on about 43% of the edges).
 */
public final class Collapse {
    public static final double THRESHOLD = 0.5;
    public static final double DECISIVE = 1.25;

    /** The share of counted choices whose leading op is parameter-free (decisively), and those choices' keys. */
    public record Reading(double share, int counted, Set<String> parameterFreeLeads) {
        public boolean collapsing() {
            return counted > 0 && share > THRESHOLD;
        }

        /** One line for the event log and the app. */
        public String message() {
            return String.format("%d of %d choices of the normal cells lead with a parameter-free op (%.0f%%, above %.0f%%): "
                    + "the search may be collapsing towards skip connections and pools (%s)", parameterFreeLeads.size(), counted,
                    100 * share, 100 * THRESHOLD, String.join(", ", parameterFreeLeads));
        }
    }

    private Collapse() {
    }

    public static Reading read(SearchSpace space, Map<String, double[]> probabilities) {
        Map<String, LayerChoice> choices = normalChoices(space);
        int counted = 0;
        Set<String> free = new TreeSet<>();
        for (Map.Entry<String, LayerChoice> e : choices.entrySet()) {
            double[] p = probabilities.get(e.getKey());
            List<OpCall> cands = e.getValue().candidates();
            if (p == null || p.length != cands.size()) {
                continue;
            }
            boolean[] paramFree = new boolean[cands.size()];
            boolean anyFree = false;
            boolean anyParams = false;
            for (int i = 0; i < cands.size(); i++) {
                if (Derivation.ZERO_OPS.contains(cands.get(i).op())) {
                    continue;
                }
                paramFree[i] = parameterFree(cands.get(i));
                anyFree |= paramFree[i];
                anyParams |= !paramFree[i];
            }
            if (!anyFree || !anyParams) {
                continue;
            }
            int lead = -1;
            int nonZero = 0;
            double mass = 0;
            for (int i = 0; i < p.length; i++) {
                if (!Derivation.ZERO_OPS.contains(cands.get(i).op())) {
                    nonZero++;
                    mass += p[i];
                    lead = lead < 0 || p[i] > p[lead] ? i : lead;
                }
            }
            counted++;
            if (paramFree[lead] && p[lead] >= DECISIVE * mass / nonZero) {
                free.add(e.getKey());
            }
        }
        return new Reading(counted == 0 ? 0 : (double) free.size() / counted, counted, free);
    }

    /** The LayerChoices (by key, first occurrence) of the cells that some stage uses as a normal cell. */
    private static Map<String, LayerChoice> normalChoices(SearchSpace space) {
        Set<String> normal = new TreeSet<>();
        for (Stage st : space.network().stages()) {
            if (st.kind() == StageKind.CELL && st.role() != Role.REDUCTION) {
                normal.add(st.cell());
            }
        }
        Map<String, LayerChoice> m = new LinkedHashMap<>();
        for (Cell c : space.cells().values()) {
            if (!normal.contains(c.name())) {
                continue;
            }
            for (Edge e : c.edges()) {
                if (e.op() instanceof LayerChoice lc) {
                    m.putIfAbsent(lc.key(), lc);
                }
            }
        }
        return m;
    }

    /** Whether the op holds no weights at stride 1 (skip connection, pools, pools with an affine-free BatchNorm). */
    static boolean parameterFree(OpCall op) {
        var def = OpCatalog.builtin().find(op.op());
        if (def.isEmpty()) {
            return false; // a user op: counted as parametric, whatever it holds
        }
        try {
            return def.get().build(OpArgs.of(16, 16, 1)).params() == 0;
        } catch (ShapeException | RuntimeException e) {
            return false;
        }
    }
}

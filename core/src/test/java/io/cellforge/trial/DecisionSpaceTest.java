package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.space.InputChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionSpaceTest {

    @Test
    void nasBench201HasSixKeysOfFiveOpsAnd15625Architectures() {
        DecisionSpace d = DecisionSpace.of(Zoo.get("nas-bench-201").orElseThrow());
        assertEquals(6, d.keys().size());
        d.keys().forEach(k -> assertEquals(5, k.size()));
        assertEquals(BigInteger.valueOf(15_625), d.size());
    }

    @Test
    void aValueChoiceAddsItsValuesAsOptions() {
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        SearchSpace wide = nb.withValues(Map.of("width", new ValueChoice("width", List.of(16.0, 32.0, 64.0))));
        DecisionSpace d = DecisionSpace.of(wide);
        assertEquals(BigInteger.valueOf(15_625 * 3), d.size());
        DecisionSpace.Key w = d.keys().stream().filter(k -> k.name().equals("width")).findFirst().orElseThrow();
        assertEquals(List.of(new Decision.Value(16), new Decision.Value(32), new Decision.Value(64)), w.options());
    }

    @Test
    void inputChoicesCountAsTheirOptionCountSays() {
        for (int n = 1; n <= 6; n++) {
            for (InputChoice ic : List.of(new InputChoice("k", 2, Reduction.SUM, false), new InputChoice("k", 2, Reduction.SUM, true),
                    new InputChoice("k", 1, Reduction.SUM, true), new InputChoice("k", InputChoice.ANY, Reduction.SUM, false),
                    new InputChoice("k", InputChoice.ANY, Reduction.SUM, true))) {
                List<Decision> opts = DecisionSpace.inputOptions(ic, n);
                assertEquals(ic.optionCount(n), opts.size(), ic + " over " + n);
                assertEquals(opts.size(), new HashSet<>(opts).size(), "no option twice");
                for (Decision o : opts) {
                    List<Integer> idx = ((Decision.Inputs) o).indices();
                    int count = n;
                    assertTrue(idx.stream().allMatch(i -> i >= 0 && i < count));
                    if (ic.nChosen() != InputChoice.ANY) {
                        assertTrue(idx.size() == ic.nChosen() || (ic.allowNone() && idx.isEmpty()), o.toString());
                    }
                    if (!ic.allowNone()) {
                        assertTrue(!idx.isEmpty());
                    }
                }
            }
        }
        assertEquals(List.of(new Decision.Inputs(List.of(0, 1)), new Decision.Inputs(List.of(0, 2)), new Decision.Inputs(List.of(1, 2))),
                DecisionSpace.inputOptions(new InputChoice("k", 2, Reduction.SUM, false), 3));
    }

    @Test
    void theDartsSpaceHasItsInputChoicesAndSharedKeysOnce() {
        SearchSpace s = Zoo.get("darts-mini").orElseThrow();
        DecisionSpace d = DecisionSpace.of(s);
        Map<String, Mutable> byKey = s.mutablesByKey();
        assertEquals(byKey.keySet().stream().toList(), d.keys().stream().map(DecisionSpace.Key::name).toList());
        BigInteger expected = BigInteger.ONE;
        for (Mutable m : byKey.values()) {
            long c = m instanceof InputChoice ic ? ic.optionCount(s.inputCandidates(ic.key()).size())
                    : m instanceof io.cellforge.space.LayerChoice lc ? lc.optionCount() : ((ValueChoice) m).optionCount();
            expected = expected.multiply(BigInteger.valueOf(c));
        }
        assertEquals(expected, d.size());
        assertTrue(d.keys().stream().anyMatch(k -> k.mutable() instanceof InputChoice));
    }

    @Test
    void indexAndArchitectureAreInverse() {
        DecisionSpace d = DecisionSpace.of(Zoo.get("darts-mini").orElseThrow());
        Random rng = new Random(3);
        for (int i = 0; i < 200; i++) {
            BigInteger idx = new BigInteger(d.size().bitLength() - 1, rng);
            Architecture a = d.architecture(idx);
            assertEquals(idx, d.index(a));
        }
        assertEquals(BigInteger.ZERO, d.index(d.architecture(BigInteger.ZERO)));
        assertEquals(d.size().subtract(BigInteger.ONE), d.index(d.architecture(d.size().subtract(BigInteger.ONE))));
        assertThrows(IllegalArgumentException.class, () -> d.architecture(d.size()));
    }

    @Test
    void mutateOneChangesExactlyOneDecision() {
        DecisionSpace d = DecisionSpace.of(Zoo.get("darts-mini").orElseThrow());
        Random rng = new Random(5);
        Set<Integer> changedKeys = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            int[] a = d.random(rng);
            int[] b = d.mutateOne(a, rng);
            int changed = 0;
            for (int k = 0; k < a.length; k++) {
                if (a[k] != b[k]) {
                    changed++;
                    changedKeys.add(k);
                }
            }
            assertEquals(1, changed);
        }
        long open = d.keys().stream().filter(k -> k.size() > 1).count();
        assertEquals(open, changedKeys.size(), "every key with a choice gets mutated some time");
    }
}

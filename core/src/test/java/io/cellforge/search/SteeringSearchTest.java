package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Steering a running search ({@link Steer}): applied from the next step, recorded, kept across a resume. */
class SteeringSearchTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    /** Steers (on OneShotSearchTest's tiny space) asked for while step {@code at} is reported; records what it hears. */
    private static final class Steering implements SearchEvents.Listener {
        final SearchControl control;
        final int at;
        final List<Steer> asked;
        final List<Steer> steered = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<SearchEvents.Step> steps = new ArrayList<>();
        int stopAt = -1;

        Steering(SearchControl control, int at, List<Steer> asked) {
            this.control = control;
            this.at = at;
            this.asked = asked;
        }

        @Override
        public void step(SearchEvents.Step s) {
            steps.add(s);
            if (steps.size() == at) {
                asked.forEach(control::steer);
            }
            if (steps.size() == stopAt) {
                control.stop();
            }
        }

        @Override
        public void steered(Steer s) {
            steered.add(s);
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    }

    private static final List<Steer> STEERS = List.of(Steer.prune("n1_p0", "sep_conv_3x3"), Steer.pin("n2_p0", "max_pool_3x3"));

    @ParameterizedTest
    @ValueSource(strings = {"darts", "gdas", "spos", "proxyless"})
    void aSteerAppliesFromTheNextStepAndTheResultRecordsIt(String strategy) throws Exception {
        SearchConfig cfg = SearchConfig.builder(strategy).epochs(1).seed(3).lr(0.1).archLr(3e-2).generations(1).build();
        SearchControl control = new SearchControl();
        Steering l = new Steering(control, 3, STEERS);
        SearchResult r = new OneShotSearch(OneShotSearchTest.tiny(), digits, cfg).run(l, control);
        assertTrue(r.completed());
        List<Steer> applied = List.of(STEERS.get(0).at(0, 3), STEERS.get(1).at(0, 3)); // asked during step 3 (index 2)
        assertEquals(applied, l.steered);
        assertEquals(applied, r.steering());
        assertEquals(new Decision.Op("max_pool_3x3"), r.architecture().get("n2_p0").orElseThrow(), "pinned");
        assertNotEquals(new Decision.Op("sep_conv_3x3"), r.architecture().get("n1_p0").orElseThrow(), "pruned");
        if (!strategy.equals("spos")) {
            double[] before = l.steps.get(2).weights().get("n1_p0");
            assertTrue(before[3] > 0, "before the steer");
            for (SearchEvents.Step s : l.steps.subList(3, l.steps.size())) {
                assertEquals(0.0, s.weights().get("n1_p0")[3], 0.0, "step " + s.step());
                assertEquals(1.0, s.weights().get("n2_p0")[1], 0.0, "step " + s.step());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"darts", "spos"})
    void aResumedRunKeepsTheSteeringAndEndsAsTheUninterruptedOne(String strategy, @TempDir Path dir) throws Exception {
        SearchConfig cfg = SearchConfig.builder(strategy).epochs(2).seed(5).lr(0.1).archLr(3e-2).generations(1).build();
        SearchControl c1 = new SearchControl();
        SearchResult straight = new OneShotSearch(OneShotSearchTest.tiny(), digits, cfg).run(new Steering(c1, 4, STEERS), c1);

        Path ckpt = dir.resolve("ckpt");
        SearchControl c2 = new SearchControl();
        Steering first = new Steering(c2, 4, STEERS);
        first.stopAt = 16; // in the second epoch, after the steer
        assertFalse(new OneShotSearch(OneShotSearchTest.tiny(), digits, cfg).run(first, c2, ckpt, null).completed());
        SearchResult resumed = new OneShotSearch(OneShotSearchTest.tiny(), digits, cfg)
                .run(new SearchEvents.Listener() { }, new SearchControl(), ckpt, ckpt);
        assertTrue(resumed.completed());
        assertEquals(straight.steering(), resumed.steering());
        assertEquals(straight.architecture(), resumed.architecture());
        for (String k : straight.weights().keySet()) {
            double[] a = straight.weights().get(k);
            double[] b = resumed.weights().get(k);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5, k + "[" + i + "]");
            }
        }
    }

    @Test
    void aSteerThatCannotApplyIsAWarningAndTheSearchGoesOn() throws Exception {
        SearchControl control = new SearchControl();
        Steering l = new Steering(control, 1, List.of(Steer.prune("n1_p0", "conv_7x7"), Steer.prune("nope", "none")));
        SearchResult r = new OneShotSearch(OneShotSearchTest.tiny(), digits, SearchConfig.darts(1, 64, 2)).run(l, control);
        assertTrue(r.completed());
        assertTrue(r.steering().isEmpty());
        List<String> notApplied = l.warnings.stream().filter(w -> w.startsWith("not applied")).toList();
        assertEquals(2, notApplied.size(), l.warnings::toString);
        assertTrue(l.warnings.get(0).contains("'conv_7x7' is not a candidate of n1_p0"), l.warnings.get(0));
        assertTrue(l.warnings.get(1).contains("no LayerChoice 'nope'"), l.warnings.get(1));
    }

    @Test
    void aCellLeftToSkipConnectionsWarnsOfCollapseOnce() throws Exception {
        SearchControl control = new SearchControl();
        Steering l = new Steering(control, 1, List.of(Steer.pin("n1_p0", "skip_connect"), Steer.pin("n2_p0", "skip_connect"),
                Steer.pin("n2_p1", "max_pool_3x3")));
        new OneShotSearch(OneShotSearchTest.tiny(), digits, SearchConfig.darts(2, 64, 2)).run(l, control);
        assertEquals(1, l.warnings.size(), "once as it crosses, not every epoch: " + l.warnings);
        assertTrue(l.warnings.get(0).startsWith("3 of 3 choices of the normal cells lead with a parameter-free op"), l.warnings.get(0));
    }
}

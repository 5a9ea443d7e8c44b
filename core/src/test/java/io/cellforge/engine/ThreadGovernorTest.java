package io.cellforge.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The governor's choices from a given load and given pass times (no real timing), and its reading of /proc. */
class ThreadGovernorTest {
    private final AtomicReference<Double> load = new AtomicReference<>(0.0);
    private final List<Integer> applied = new ArrayList<>();

    private ThreadGovernor governor(int cores) {
        return new ThreadGovernor(cores, true, load::get, applied::add);
    }

    /** Runs a pass of {@code kind}, which takes {@code seconds(threads)}; returns the threads it ran with. */
    private static int pass(ThreadGovernor g, int kind, java.util.function.IntToDoubleFunction seconds) {
        int n = g.begin(kind);
        g.end(kind, (long) (seconds.applyAsDouble(n) * 1e9), true);
        return n;
    }

    @Test
    void onAnIdleMachineItTimesBothCountsAndKeepsTheFaster() {
        ThreadGovernor g = governor(2);
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            used.add(pass(g, 1, n -> n == 2 ? 3.0 : 4.0));
        }
        // half the cores while the load is not known and until a pass is timed there (the first at each count is
        // not), then both counts alternately until each has two timed passes
        assertEquals(List.of(1, 1, 2, 2, 2, 1, 2, 2, 2, 2), used);
        assertTrue(g.settled());

        // a pass slowed by something else (a short burst the load reading missed) does not decide: the fastest does
        ThreadGovernor noisy = governor(2);
        double[] twoThreads = {3.0, 9.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0}; // the first (untimed), then a slow timed one
        int[] at = {0};
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seen.add(pass(noisy, 1, n -> n == 2 ? twoThreads[Math.min(at[0]++, twoThreads.length - 1)] : 4.0));
        }
        assertEquals(2, seen.get(9), "passes: " + seen);

        ThreadGovernor slowWithTwo = governor(2);
        List<Integer> small = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            small.add(pass(slowWithTwo, 1, n -> n == 2 ? 5.0 : 4.0)); // small batches: one thread was faster
        }
        assertEquals(1, small.get(9), "passes: " + small);
    }

    @Test
    void itTriesTheSlowerCountAgainNowAndThen() {
        ThreadGovernor g = governor(2);
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < 3 * ThreadGovernor.PROBE_EVERY; i++) {
            used.add(pass(g, 1, n -> n == 2 ? 3.0 : 4.0));
        }
        long probes = used.subList(10, used.size()).stream().filter(n -> n == 1).count();
        assertTrue(probes >= 2 && probes <= 3, "a probe every " + ThreadGovernor.PROBE_EVERY + " passes: " + used);
    }

    @Test
    void besideABusyProgramItNeverTakesEveryCore() {
        load.set(1.0);
        ThreadGovernor g = governor(2);
        for (int i = 0; i < 60; i++) {
            assertEquals(1, pass(g, 1, n -> n == 2 ? 1.0 : 4.0), "pass " + i);
        }
        ThreadGovernor eight = governor(8);
        load.set(2.9);
        for (int i = 0; i < 10; i++) {
            assertTrue(pass(eight, 1, n -> 1.0) <= 5, "8 cores, 2.9 of them busy");
        }
    }

    @Test
    void aPassDuringWhichTheLoadChangedIsNotTimed() {
        ThreadGovernor g = governor(2);
        pass(g, 1, n -> n == 2 ? 3.0 : 4.0); // one thread, untimed (its first pass)
        pass(g, 1, n -> n == 2 ? 3.0 : 4.0); // one thread, timed
        pass(g, 1, n -> n == 2 ? 3.0 : 4.0); // two threads, untimed (its first pass)
        assertFalse(g.settled());
        // two threads again, slowed by a program that started meanwhile: not timed, so two threads still lack
        // their two timed passes and come first
        int n = g.begin(1);
        assertEquals(2, n);
        load.set(1.0);
        g.end(1, 50_000_000_000L, true);
        load.set(0.0);
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            used.add(pass(g, 1, t -> t == 2 ? 3.0 : 4.0));
        }
        assertEquals(List.of(2, 2, 1, 2, 2, 2), used);
    }

    @Test
    void whileAnotherNetworkRunsAPassInThisProcessItTakesHalfTheCores() {
        ThreadGovernor search = governor(2);
        ThreadGovernor retraining = governor(2);
        pass(search, 1, n -> 1.0); // one thread, untimed
        pass(search, 1, n -> 1.0); // one, timed
        pass(search, 1, n -> 1.0); // two, untimed (the first at two)
        assertEquals(2, search.begin(1), "alone, two threads");
        assertEquals(1, retraining.begin(1), "beside it: the load from /proc does not show this process's own passes");
        retraining.end(1, 1_000_000_000L, true);
        search.end(1, 9_000_000_000L, true); // slowed by the other: not timed
        // the pass beside the other did not count: two threads have one timed pass after the next, not two
        assertEquals(2, pass(search, 1, n -> 3.0));
        assertEquals(2, pass(search, 1, n -> 3.0), "a pass timed beside the other network's would have counted");
    }

    @Test
    void aPassThatFailedIsNotTimedAndLeavesNoPassRunning() {
        ThreadGovernor g = governor(2);
        pass(g, 1, n -> 1.0); // one thread, untimed
        g.begin(1);
        g.end(1, 1_000_000L, false); // failed after a millisecond: were it timed, the kind would look short
        List<Integer> used = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            used.add(pass(g, 1, n -> n == 2 ? 3.0 : 4.0));
        }
        assertEquals(List.of(1, 2, 2, 2), used, "one thread timed, then two: the failed pass neither timed nor still running");
    }

    @Test
    void shortPassesStayOnHalfTheCores() {
        ThreadGovernor g = governor(2);
        for (int i = 0; i < 3 * ThreadGovernor.PROBE_EVERY; i++) {
            assertEquals(1, pass(g, 1, n -> n == 2 ? 0.01 : 0.1), "pass " + i);
        }
        assertTrue(g.settled());
    }

    @Test
    void kindsOfPassAreTimedApart() {
        ThreadGovernor g = governor(2);
        List<Integer> big = new ArrayList<>();
        List<Integer> small = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            big.add(pass(g, 64, n -> n == 2 ? 3.0 : 4.0));
            small.add(pass(g, 8, n -> n == 2 ? 0.5 : 0.4));
        }
        assertEquals(2, big.get(9));
        assertEquals(1, small.get(9));
        assertTrue(applied.size() > 2, "the count is set whenever it changes: " + applied);
    }

    @Test
    void pinnedOrInactiveItDoesWhatItIsTold() {
        ThreadGovernor off = new ThreadGovernor(2, false, load::get, applied::add);
        assertEquals(0, pass(off, 1, n -> 1.0));
        assertTrue(applied.isEmpty(), "inactive: the count stays as it was");
        off.pin(2);
        assertEquals(2, pass(off, 1, n -> 1.0));
        load.set(1.0);
        assertEquals(2, pass(off, 1, n -> 1.0));
        assertEquals(List.of(2), applied);
    }

    @Test
    void itReadsTheKernelsCounters() {
        String stat = "cpu  4705 150 1120 16250 520 20 30 7 0 0\ncpu0 2000 75 560 8125 260 10 15 3 0 0\nintr 1\n";
        long[] t = ThreadGovernor.Load.cpuTimes(stat);
        assertEquals(4705 + 150 + 1120 + 20 + 30 + 7, t[0], "busy: user nice system irq softirq steal");
        assertEquals(4705 + 150 + 1120 + 16250 + 520 + 20 + 30 + 7, t[1]);
        // a command name with spaces and parentheses, as a thread may have
        String self = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 12 0 0 0 311 42 0 0 20 0 30 0 123 0 0";
        assertEquals(311 + 42, ThreadGovernor.Load.selfTime(self));
        assertEquals(1.0, ThreadGovernor.Load.othersCores(150, 200, 50, 2), 1e-12, "150 busy ticks of 200 on 2 CPUs, 50 ours");
        assertEquals(0.0, ThreadGovernor.Load.othersCores(40, 200, 50, 2), 1e-12, "never below zero");
        if (ThreadGovernor.Load.readable()) {
            double now = ThreadGovernor.Load.othersCores();
            assertFalse(Double.isNaN(now));
            assertTrue(now >= 0, "from this machine's /proc: " + now);
        }
    }
}

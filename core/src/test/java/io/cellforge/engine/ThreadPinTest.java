package io.cellforge.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A count pinned for one Java thread (parallel trials): its passes take it whatever the load, others do not. */
class ThreadPinTest {
    @Test
    void aThreadsPinHoldsForItsPassesOnlyAndEndsWhenClosed() throws Exception {
        List<Integer> applied = new ArrayList<>();
        ThreadGovernor g = new ThreadGovernor(8, true, () -> 0.0, applied::add);
        try (Backend.ThreadPin pin = Backend.pinThreads(2)) {
            for (int i = 0; i < 30; i++) {
                assertEquals(2, g.begin(1), "pass " + i);
                g.end(1, 1_000_000_000L, true);
            }
            AtomicInteger elsewhere = new AtomicInteger();
            Thread t = new Thread(() -> {
                ThreadGovernor other = new ThreadGovernor(8, true, () -> 0.0, n -> { });
                elsewhere.set(other.begin(1));
                other.end(1, 1, true);
            });
            t.start();
            t.join();
            assertEquals(4, elsewhere.get(), "another thread's network chooses for itself (half the cores, untimed yet)");
            try (Backend.ThreadPin inner = Backend.pinThreads(1)) {
                assertEquals(1, g.begin(1));
                g.end(1, 1, true);
            }
            assertEquals(2, g.begin(1), "an inner pin gives back the outer one");
            g.end(1, 1, true);
        }
        // the pinned passes were never timed: the governor starts choosing from its first untimed pass
        assertEquals(4, g.begin(1));
        g.end(1, 1, true);
    }
}

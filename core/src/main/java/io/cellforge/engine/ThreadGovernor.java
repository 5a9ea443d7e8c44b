package io.cellforge.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntConsumer;

/**
 * How many OpenMP threads a network's passes take (libnd4j's and oneDNN's team; the Java kernels are not
 * counted). An OpenMP team waits at every barrier for its slowest thread, so a team as large as the machine
 * collapses beside another busy program (the DARTS step kept 34% of its speed with two threads beside one busy
 * process, 89% with one). Alone, a second thread paid at large batches only (DARTS step, 2 cores: batch 64 7.2
 * to 8.7 img/s, batch 32 7.3 to 7.7, batch 16 6.8 to 4.9). So, per network and per kind of pass, the governor
 * measures: while the other programs on the machine use less than a quarter of a core (from {@code /proc/stat}),
 * it times passes with half the cores and, unless they are short, with all free ones, {@value #SAMPLES} each, and
 * keeps the count of the fastest recent pass, trying the other again every {@value #PROBE_EVERY} passes; when they
 * use more, it takes half the cores or fewer, as it does while another network's pass runs in this process. Where
 * the load cannot be read (not Linux), or OMP_NUM_THREADS is set, the count stays as it was;
 * {@code -Dcellforge.threads=N} fixes it.
 * Floating-point sums inside a kernel may differ in their last bits between thread counts.
 */
final class ThreadGovernor {
    static final int PROBE_EVERY = 24;
    /** Timed passes at each count before choosing; each count is judged by its fastest of the last ones. */
    static final int SAMPLES = 2;
    /**
     * Passes shorter than this stay on half the cores untried: the second thread cost more than it gave on small
     * work (batch 8: -43%, batch 16: -21%), and trying it on a short search (darts-mini on digits) cost 8%.
     */
    static final double SMALL_PASS_S = 0.25;
    private static final int KEPT = 3;

    private final int cores;
    private final boolean active;
    private final DoubleSupplier othersCores;
    private final Applier apply;
    private int pinned;
    private final Map<Integer, Kind> kinds = new HashMap<>();
    private int current = -1;
    private int startFree;
    /** Passes running now in this process (a search and a retraining in the app): the load does not show them. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING = new java.util.concurrent.atomic.AtomicInteger();
    /** Passes begun in this process, to tell whether another began during one's own. */
    private static final java.util.concurrent.atomic.AtomicLong BEGUN = new java.util.concurrent.atomic.AtomicLong();
    private boolean counted;
    private boolean startedAlone;
    private long begunAs;
    /**
     * A count for every pass run on one Java thread ({@link Backend#pinThreads}): a trial beside others takes its
     * share of the cores whatever the load, and the same count at every run (the same sums for the same seed).
     */
    private static final ThreadLocal<Integer> PINNED_HERE = new ThreadLocal<>();
    /** The process's native thread counts, shared by every network's governor. */
    private static final Applier NATIVE = new Applier(Backend::setNativeThreads);

    /** Sets a count where it differs from the last one set, or was set on another thread (OpenMP's is per thread). */
    private static final class Applier {
        private final IntConsumer set;
        private int count = -1;
        private Thread by;

        Applier(IntConsumer set) {
            this.set = set;
        }

        synchronized void accept(int n) {
            if (n != count || Thread.currentThread() != by) {
                set.accept(n);
                count = n;
                by = Thread.currentThread();
            }
        }
    }

    /** The timings of one kind of pass (a batch size and what it differentiates). */
    private static final class Kind {
        /** The last timed passes at each thread count, newest last. */
        final java.util.ArrayDeque<Double>[] seconds;
        /** Passes at each thread count: the first at each is not timed (it makes the kernels' primitives). */
        final int[] runs;
        int passes;

        @SuppressWarnings("unchecked")
        Kind(int cores) {
            seconds = new java.util.ArrayDeque[cores + 1];
            for (int i = 0; i <= cores; i++) {
                seconds[i] = new java.util.ArrayDeque<>();
            }
            runs = new int[cores + 1];
        }

        int samples(int threads) {
            return seconds[threads].size();
        }

        /** The fastest recent pass: a pass slowed by something else says little about the count. */
        double fastest(int threads) {
            return seconds[threads].stream().mapToDouble(Double::doubleValue).min().orElse(Double.MAX_VALUE);
        }
    }

    /**
     * {@code othersCores}: the other programs' load, in cores; {@code apply} sets the native thread count; inactive,
     * the governor leaves the count alone (unless {@linkplain #pin pinned}).
     */
    ThreadGovernor(int cores, boolean active, DoubleSupplier othersCores, IntConsumer apply) {
        this(cores, active, othersCores, new Applier(apply));
    }

    private ThreadGovernor(int cores, boolean active, DoubleSupplier othersCores, Applier apply) {
        this.cores = cores;
        this.active = active && cores > 1;
        this.othersCores = othersCores;
        this.apply = apply;
    }

    /** The governor for this process: off where the user set OMP_NUM_THREADS, on a GPU, or without /proc. */
    static ThreadGovernor forThisProcess(boolean onDevice) {
        ThreadGovernor g = new ThreadGovernor(Runtime.getRuntime().availableProcessors(),
                !onDevice && System.getenv("OMP_NUM_THREADS") == null && Load.readable(), Load::othersCores, NATIVE);
        if (fixedCount() > 0 && !onDevice) {
            g.pin(fixedCount());
        }
        return g;
    }

    /** Whether this process's networks choose their thread counts (for the backend's description). */
    static boolean choosesHere(boolean onDevice) {
        return forThisProcess(onDevice).active && fixedCount() == 0;
    }

    /** {@code -Dcellforge.threads=N}, 0 where not set. */
    private static int fixedCount() {
        return Integer.getInteger("cellforge.threads", 0);
    }

    /** Runs every pass from now on with {@code n} threads. */
    void pin(int n) {
        pinned = Math.max(1, n);
    }

    /** Whether every kind of pass so far has been timed enough to choose its count (or the governor does not choose). */
    boolean settled() {
        if (pinned > 0 || !active) {
            return true;
        }
        int half = Math.max(1, cores / 2);
        return kinds.values().stream().allMatch(k -> (k.samples(half) > 0 && k.fastest(half) < SMALL_PASS_S)
                || (k.samples(half) >= SAMPLES && k.samples(cores) >= SAMPLES));
    }

    /** The count of this Java thread's passes from now on; 0 gives the choice back to the governors. */
    static Integer pinHere(int n) {
        Integer before = PINNED_HERE.get();
        if (n > 0) {
            PINNED_HERE.set(n);
        } else {
            PINNED_HERE.remove();
        }
        return before;
    }

    /**
     * Sets the native thread count for a pass of {@code kind}; returns it, or 0 when the governor leaves it alone.
     * A count pinned for the whole process comes first, then one pinned for this thread (such a pass is never timed).
     */
    int begin(int kind) {
        if (pinned == 0 && !active) {
            return 0;
        }
        int n;
        boolean alone = false;
        Integer here = PINNED_HERE.get();
        if (pinned > 0) {
            n = pinned;
        } else if (here != null) {
            kinds.computeIfAbsent(kind, k -> new Kind(cores));
            n = Math.min(cores, here);
        } else {
            alone = RUNNING.get() == 0;
            startFree = alone ? free(othersCores.getAsDouble()) : Math.max(1, cores / 2);
            n = choose(kinds.computeIfAbsent(kind, k -> new Kind(cores)), startFree);
        }
        apply.accept(n); // the libnd4j and BLAS counts are the process's: another network may have set them since
        current = n;
        if (pinned == 0) {
            counted = true;
            startedAlone = alone;
            begunAs = BEGUN.incrementAndGet();
            RUNNING.incrementAndGet();
        }
        return n;
    }

    /**
     * Ends the pass begun with {@link #begin}; a pass that completed is timed when it ran alone in this process and
     * the machine's load did not change meanwhile.
     */
    void end(int kind, long nanos, boolean completed) {
        if (pinned > 0 || !active || !counted) {
            return;
        }
        counted = false;
        boolean alone = RUNNING.getAndDecrement() == 1 && startedAlone && BEGUN.get() == begunAs;
        Kind k = kinds.get(kind);
        k.passes++;
        if (++k.runs[current] == 1 || !completed || !alone || free(othersCores.getAsDouble()) != startFree) {
            return;
        }
        k.seconds[current].addLast(nanos / 1e9);
        if (k.seconds[current].size() > KEPT) {
            k.seconds[current].removeFirst();
        }
    }

    /** The threads that leave the other programs' share of the machine alone. */
    private int free(double others) {
        return Math.max(1, Math.min(cores, cores - (int) Math.ceil(others - 0.25)));
    }

    private int choose(Kind k, int free) {
        int half = Math.max(1, cores / 2);
        if (free <= half) {
            return free;
        }
        if (k.passes == 0 || k.samples(half) == 0 || k.fastest(half) < SMALL_PASS_S) {
            return half; // the load is not known yet, or the pass not timed yet, or too short to gain
        }
        if (k.samples(free) < SAMPLES || k.samples(half) < SAMPLES) {
            return k.samples(free) <= k.samples(half) ? free : half; // alternating, so that both see the same warm-up
        }
        int best = k.fastest(free) <= k.fastest(half) ? free : half;
        return k.passes % PROBE_EVERY == 0 ? (best == free ? half : free) : best;
    }

    /** The other programs' use of the CPUs, in cores, from the kernel's counters (Linux). */
    static final class Load {
        private static final Path STAT = Path.of("/proc/stat");
        private static final Path SELF = Path.of("/proc/self/stat");
        private static final long MIN_WINDOW_NS = 250_000_000L;
        private static long lastAt;
        private static long lastBusy;
        private static long lastTotal;
        private static long lastSelf;
        private static double others;

        private Load() {
        }

        static boolean readable() {
            return Files.isReadable(STAT) && Files.isReadable(SELF);
        }

        /** The latest estimate, over the last quarter of a second or more. */
        static synchronized double othersCores() {
            long now = System.nanoTime();
            if (lastAt != 0 && now - lastAt < MIN_WINDOW_NS) {
                return others;
            }
            try {
                long[] cpu = cpuTimes(Files.readString(STAT));
                long self = selfTime(Files.readString(SELF));
                if (lastAt != 0 && cpu[1] > lastTotal) {
                    others = othersCores(cpu[0] - lastBusy, cpu[1] - lastTotal, self - lastSelf,
                            Runtime.getRuntime().availableProcessors());
                }
                lastAt = now;
                lastBusy = cpu[0];
                lastTotal = cpu[1];
                lastSelf = self;
            } catch (IOException | RuntimeException e) {
                // unreadable this time: the previous estimate stands
            }
            return others;
        }

        /** Cores the others used: the machine's busy time less this process's, over the window, in clock ticks. */
        static double othersCores(long busy, long total, long self, int cpus) {
            return Math.max(0, (double) (busy - self) / total * cpus);
        }

        /** Busy and total ticks of all CPUs from /proc/stat's first line (steal counts as busy: it is not ours). */
        static long[] cpuTimes(String stat) {
            String[] f = stat.substring(0, stat.indexOf('\n')).trim().split("\\s+");
            long total = 0;
            long idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                long v = Long.parseLong(f[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v; // idle, iowait
                }
            }
            return new long[] {total - idle, total};
        }

        /** This process's user + system ticks from /proc/self/stat (fields 14 and 15, after the command's name). */
        static long selfTime(String stat) {
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
    }
}

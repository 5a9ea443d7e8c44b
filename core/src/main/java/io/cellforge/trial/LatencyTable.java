package io.cellforge.trial;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.engine.Backend;
import io.cellforge.engine.OpTimer;
import io.cellforge.io.FileWrites;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.ops.ShapeException;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;
import io.cellforge.train.Retrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Latency measured on this machine, as ModularNAS's LUT metrics and ProxylessNAS's latency table: every distinct
 * layer the space's networks can hold (an op with its channels and stride, on its input shape) timed once through
 * the engine, a forward pass in inference at the batch size given ({@link OpTimer}: warm-up passes, then the
 * median of several, taken in rounds over several layers), and kept in {@value #FILE} in the caller's folder
 * under the CPU's model name, the engine's backend, the batch size and the thread count, so that a later table on
 * this machine reads what was timed.
 *
 * <p>An architecture's latency is the <b>additive LUT model</b>: the sum of the times of the layers along its
 * network (the final network, as retrained: stem, every chosen op, the cells' preprocessing, the head; not a layer
 * whose output only {@code none} reads, which the engine does not compute). Node sums, concatenations and residual
 * additions are not in it, nor the engine's own work around the kernels, nor the overlap and caching a real pass
 * has; so it ranks architectures by their cost here rather than predicting a pass to the millisecond.
 *
 * <p>The table is filled when built: every candidate of every choice, on the shapes it meets when every key takes
 * each of its options in turn. A layer an estimate meets that is not in it yet (a shape only a combination of two
 * ValueChoices gives) is timed then and added to the file. Safe to use from several trial threads at once.
 */
public final class LatencyTable {
    /** The cache file inside the caller's folder. */
    public static final String FILE = "latency-lut.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** One read-merge-write of a cache file at a time in this process. */
    private static final Object FILE_LOCK = new Object();

    /** How the layers are timed: batch size, OpenMP threads, untimed warm-up passes, timed passes (the median kept). */
    public record Settings(int batch, int threads, int warmups, int runs) {
        public Settings {
            if (batch < 1 || threads < 1 || warmups < 0 || runs < 1) {
                throw new IllegalArgumentException("latency settings need a batch, a thread and a timed run: batch " + batch
                        + ", threads " + threads + ", warm-ups " + warmups + ", runs " + runs);
            }
        }

        /** One thread (a figure the machine's other work disturbs least), 2 warm-up passes, the median of 5. */
        public static Settings of(int batch) {
            return new Settings(batch, 1, 2, 5);
        }
    }

    /** One layer of an architecture's network and its time here. */
    public record Part(String where, String op, double ms) {
    }

    private final SearchSpace network;
    private final Settings settings;
    private final Path file;
    private final String machine;
    private final Map<String, Double> ms = new ConcurrentHashMap<>();
    private int timed;

    private LatencyTable(SearchSpace space, Settings settings, Path folder) {
        this.network = Retrain.finalNetwork(space);
        this.settings = settings;
        this.file = folder.resolve(FILE);
        this.machine = cpuModel() + " | " + backend() + " | batch " + settings.batch() + " | " + settings.threads()
                + (settings.threads() == 1 ? " thread" : " threads");
    }

    /**
     * The table of a space on this machine: read from {@code folder}'s {@value #FILE} where it holds this machine's
     * times, every layer not there timed and written back (only that file, in that folder, is ever written).
     */
    public static LatencyTable build(SearchSpace space, Settings settings, Path folder) throws IOException, PlanException {
        LatencyTable t = new LatencyTable(space, settings, folder);
        t.ms.putAll(t.read());
        Map<String, Op> missing = new LinkedHashMap<>();
        List<Architecture> covering = covering(space);
        PlanException first = null;
        int planned = 0;
        for (Architecture a : covering) {
            try {
                for (Op op : ops(Evaluator.fixedPlan(t.network, a), false)) { // dead here, live in another
                    if (!t.ms.containsKey(op.signature())) {
                        missing.putIfAbsent(op.signature(), op);
                    }
                }
                planned++;
            } catch (PlanException e) {
                first = first == null ? e : first; // a combination of options that does not build: the others cover
            }
        }
        if (planned == 0 && first != null) {
            throw first;
        }
        t.time(new ArrayList<>(missing.values()));
        if (!missing.isEmpty()) {
            t.write();
        }
        return t;
    }

    /**
     * {@code s} with the latency of {@code arch} from {@code table} added, as every estimator reports it; with no
     * table, {@code s} as it is.
     */
    public static Scores withLatency(Scores s, LatencyTable table, Architecture arch) throws EstimateException {
        if (table == null) {
            return s;
        }
        try {
            return s.with(Scores.LATENCY, table.latencyMs(arch));
        } catch (PlanException | IOException e) {
            throw new EstimateException("its latency cannot be read: " + e.getMessage(), e);
        }
    }

    /** The latency of an architecture's network here in milliseconds: the sum of its layers' ({@link #parts}). */
    public double latencyMs(Architecture arch) throws PlanException, IOException {
        return parts(arch).stream().mapToDouble(Part::ms).sum();
    }

    /** The layers of an architecture's network in order, each with its time (timed now when not in the table). */
    public List<Part> parts(Architecture arch) throws PlanException, IOException {
        List<Part> out = new ArrayList<>();
        boolean added = false;
        for (Op op : ops(Evaluator.fixedPlan(network, arch), true)) {
            Double t = ms.get(op.signature());
            if (t == null) {
                synchronized (this) {
                    t = ms.get(op.signature());
                    if (t == null) {
                        t = time(op);
                        added = true;
                    }
                }
            }
            out.add(new Part(op.where(), op.signature(), t));
        }
        if (added) {
            write();
        }
        return out;
    }

    /** The time of a layer signature (as {@link Part#op} names it), if timed. */
    public Optional<Double> ms(String signature) {
        return Optional.ofNullable(ms.get(signature));
    }

    /** Layers in the table. */
    public int size() {
        return ms.size();
    }

    /** Layers this table timed itself (0 when the file had them all). */
    public synchronized int timedHere() {
        return timed;
    }

    /** What the times are of: the CPU, the backend, the batch size and the threads. */
    public String machine() {
        return machine;
    }

    public Settings settings() {
        return settings;
    }

    /** A layer applied to its input in a network's plan. */
    private record Op(String where, Layer layer, Shape in) {
        String signature() {
            return layer + " on " + in;
        }
    }

    /**
     * The layers a forward pass computes, in order: as the engine does, a layer whose output reaches the logits
     * only through zeros ({@code none}, {@code noise}: they read nothing) is not computed, so not counted unless
     * {@code onlyLive} is false.
     */
    private static List<Op> ops(Plan plan, boolean onlyLive) {
        Set<Integer> live = new HashSet<>(Set.of(plan.logits()));
        List<Plan.Step> steps = plan.steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Plan.Step s = steps.get(i);
            if (!live.contains(s.out())) {
                continue;
            }
            if (s instanceof Plan.Apply a && !(a.layer() instanceof Layer.Zero) && !(a.layer() instanceof Layer.Noise)) {
                live.add(a.in());
            } else if (s instanceof Plan.Merge m) {
                live.addAll(m.ins());
            } else if (s instanceof Plan.Add a) {
                live.add(a.a());
                live.add(a.b());
            } else if (s instanceof Plan.DropPath d) {
                live.add(d.in());
            } else if (s instanceof Plan.Mixed m) {
                live.add(m.in());
            }
        }
        List<Op> out = new ArrayList<>();
        for (Plan.Step s : steps) {
            if (s instanceof Plan.Apply a && (live.contains(a.out()) || !onlyLive)) {
                out.add(new Op(a.where(), a.layer(), plan.shapes().get(a.in())));
            }
        }
        return out;
    }

    private synchronized double time(Op op) throws PlanException {
        time(List.of(op));
        return ms.get(op.signature());
    }

    /**
     * Times layers in rounds, a pass of each per round ({@value #AT_ONCE} at a time), so that a burst of other work
     * on the machine slows one pass of several layers rather than every pass of one; each keeps its median.
     */
    private synchronized void time(List<Op> ops) throws PlanException {
        for (int from = 0; from < ops.size(); from += AT_ONCE) {
            List<Op> group = ops.subList(from, Math.min(ops.size(), from + AT_ONCE));
            List<OpTimer> timers = new ArrayList<>();
            for (Op op : group) {
                try {
                    timers.add(new OpTimer(op.layer(), op.in(), settings.batch()));
                } catch (ShapeException e) {
                    throw new PlanException(List.of(io.cellforge.space.Problem.error(io.cellforge.space.Place.NONE,
                            op.where() + ": " + e.getMessage())));
                }
            }
            for (int w = 0; w < settings.warmups(); w++) {
                timers.forEach(x -> x.pass(settings.threads()));
            }
            double[][] runs = new double[group.size()][settings.runs()];
            for (int r = 0; r < settings.runs(); r++) {
                for (int i = 0; i < timers.size(); i++) {
                    runs[i][r] = timers.get(i).pass(settings.threads());
                }
            }
            for (int i = 0; i < group.size(); i++) {
                ms.put(group.get(i).signature(), OpTimer.median(runs[i]));
                timed++;
            }
        }
    }

    /** Layers compiled at once while timing in rounds: their buffers stay small beside a trial's. */
    private static final int AT_ONCE = 8;

    /**
     * Architectures that together hold every candidate of every choice: each LayerChoice and ValueChoice takes its
     * options in turn, and, for each of those, each InputChoice its windows of consecutive inputs in turn (so that
     * every edge is kept with every op it can carry).
     */
    static List<Architecture> covering(SearchSpace space) {
        Map<String, List<Decision>> ops = new LinkedHashMap<>();
        Map<String, List<Decision>> inputs = new LinkedHashMap<>();
        for (Map.Entry<String, Mutable> e : space.mutablesByKey().entrySet()) {
            Mutable m = e.getValue();
            List<Decision> opts = new ArrayList<>();
            if (m instanceof LayerChoice lc) {
                lc.labels().forEach(l -> opts.add(new Decision.Op(l)));
            } else if (m instanceof ValueChoice vc) {
                vc.candidates().forEach(v -> opts.add(new Decision.Value(v)));
            } else if (m instanceof InputChoice ic) {
                int n = space.inputCandidates(ic.key()).size();
                int k = ic.nChosen() == InputChoice.ANY ? 1 : Math.min(ic.nChosen(), n);
                for (int t = 0; t < Math.max(1, k == 0 ? 1 : n); t++) {
                    List<Integer> w = new ArrayList<>();
                    for (int j = 0; j < k; j++) {
                        w.add((t + j) % n);
                    }
                    opts.add(new Decision.Inputs(w));
                }
                if (ic.nChosen() == InputChoice.ANY && n > 1) {
                    opts.add(new Decision.Inputs(IntStream.range(0, n).boxed().toList()));
                }
            }
            if (!opts.isEmpty()) {
                (m instanceof InputChoice ? inputs : ops).put(e.getKey(), opts);
            }
        }
        int opRounds = ops.values().stream().mapToInt(List::size).max().orElse(1);
        int inputRounds = inputs.values().stream().mapToInt(List::size).max().orElse(1);
        List<Architecture> out = new ArrayList<>();
        for (int i = 0; i < opRounds; i++) {
            for (int j = 0; j < inputRounds; j++) {
                Map<String, Decision> d = new LinkedHashMap<>();
                int oi = i;
                int ij = j;
                ops.forEach((k, v) -> d.put(k, v.get(oi % v.size())));
                inputs.forEach((k, v) -> d.put(k, v.get(ij % v.size())));
                out.add(new Architecture(d));
            }
        }
        return out;
    }

    // ---- the cache file ---------------------------------------------------------------------------------

    /** This machine's times in the file; empty when there is no file yet. */
    private Map<String, Double> read() throws IOException {
        synchronized (FILE_LOCK) {
            return readAll().getOrDefault(machine, Map.of());
        }
    }

    private Map<String, Map<String, Double>> readAll() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            Map<?, ?> root = JSON.readValue(file.toFile(), Map.class);
            Map<String, Map<String, Double>> out = new TreeMap<>();
            if (!(root.get("tables") instanceof Map<?, ?> tables)) {
                throw new IOException("it has no \"tables\" object");
            }
            for (var t : tables.entrySet()) {
                if (!(t.getValue() instanceof Map<?, ?> entries)) {
                    throw new IOException("table \"" + t.getKey() + "\" is not an object");
                }
                Map<String, Double> m = new TreeMap<>();
                for (var e : entries.entrySet()) {
                    if (!(e.getValue() instanceof Number n) || !(n.doubleValue() >= 0)) {
                        throw new IOException("\"" + e.getKey() + "\" is not a time in milliseconds");
                    }
                    m.put(String.valueOf(e.getKey()), n.doubleValue());
                }
                out.put(String.valueOf(t.getKey()), m);
            }
            return out;
        } catch (JsonProcessingException e) {
            throw new IOException("the latency table " + file + " is not JSON (" + e.getOriginalMessage() + "); delete it to time again", e);
        } catch (IOException e) {
            throw new IOException("the latency table " + file + " cannot be read: " + e.getMessage() + "; delete it to time again", e);
        }
    }

    /** Merges this table into the file (other machines' tables, and times another table wrote meanwhile, kept). */
    private void write() throws IOException {
        synchronized (FILE_LOCK) {
            Map<String, Map<String, Double>> all = readAll();
            Map<String, Double> mine = new TreeMap<>(all.getOrDefault(machine, Map.of()));
            mine.putAll(ms);
            all.put(machine, mine);
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("about", "per-layer forward times in milliseconds (Cellforge latency table), by machine");
            root.put("tables", all);
            FileWrites.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        }
    }

    /** The CPU's model name from /proc/cpuinfo (as lscpu shows it), or the JVM's architecture where it cannot be read. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && line.indexOf(':') > 0) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture is what is known
        }
        return System.getProperty("os.arch");
    }

    /** The engine's backend and kernels, without its thread policy (the table's own thread count says that). */
    private static String backend() {
        String d = Backend.init();
        int end = d.indexOf(')');
        return end > 0 ? d.substring(0, end + 1) : d;
    }
}

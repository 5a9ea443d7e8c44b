package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.Gates;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.zoo.Zoo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bench", mixinStandardHelpOptions = true, description = {"Benchmarks (not tests): print one JSON object.",
        "  darts-step: the DARTS search step on 3x32x32 inputs, C=16, 8 cells, 8 ops per edge: one weight step on a",
        "  train batch and one first-order alpha step on a valid batch, median after warm-up steps (until the",
        "  engine has timed both thread counts, 8 at most).",
        "  contention: darts-step alone, beside one busy process, and two at once, each in its own process,",
        "  with each rate as a share of the one alone.",
        "  scaling: darts-step at each of --batches with each of --threads engine threads, a process each.",
        "  stats: the figures of `stats` (architectures, parameter and multiply-add ranges, supernet) of a space made",
        "  for the size: with --choices N one cell chaining N nodes, each edge a LayerChoice of the 8 DARTS ops;",
        "  with --stages S --repeat R the DARTS search cell in S stages of R copies each; C=16 on 3x32x32.",
        "  first-step --out FILE: the loss and every gradient (norm, absolute sum, first 16 values) of one training pass",
        "  of the darts-step supernet at a fixed seed on a fixed synthetic batch, as JSON (to compare two builds).",
        "  compare A B [--rtol R]: one line for each value of first-step output B farther than R from A's; exit 1 if any.",
        "  nas-bench-201 [--table FILE] [--seeds N] [--budgets 25,50,100,200]: every multi-trial strategy on the",
        "  NAS-Bench-201 table, the mean and standard deviation of the best test accuracy found within each budget.",
        "  retrain-step [--arch GENOTYPE_FILE] [--input CxHxW] [--channels C] [--layers L] [--batch N]: training steps of",
        "  the genotype's evaluation network as `retrain` runs them; ../shared/bench/torch_retrain.py is its PyTorch peer",
        "  (default: torch_retrain.py's genotype, C=8, 5 cells, 1x28x28, batch 64)."})
final class BenchCommand implements Callable<Integer> {
    private static final int MAX_WARM_UP = 8;
    @Parameters(index = "0", paramLabel = "NAME", description = "darts-step, retrain-step, contention, scaling, stats, first-step, compare or nas-bench-201")
    String name;
    @Parameters(index = "1..*", paramLabel = "FILE", arity = "0..*", description = "compare: the two first-step outputs")
    List<Path> files = List.of();
    @Option(names = "--out", paramLabel = "FILE", description = "first-step: where to write the JSON")
    Path out;
    @Option(names = "--rtol", defaultValue = "1e-3", description = "compare: the relative tolerance (default ${DEFAULT-VALUE})")
    double rtol;
    @Option(names = "--batch", description = "darts-step and its kin: default 32; retrain-step: default 64")
    Integer batch;
    @Option(names = "--steps", description = "measured steps (darts-step: default 3; retrain-step: 20)")
    Integer steps;
    @Option(names = "--arch", paramLabel = "FILE", description = "retrain-step: a file holding a DARTS Genotype(...)")
    Path arch;
    @Option(names = "--input", paramLabel = "CxHxW", defaultValue = "1x28x28", description = "retrain-step: default ${DEFAULT-VALUE}")
    String input;
    @Option(names = "--channels", defaultValue = "8", description = "retrain-step: C (default ${DEFAULT-VALUE})")
    int channels;
    @Option(names = "--layers", defaultValue = "5", description = "retrain-step: cells (default ${DEFAULT-VALUE})")
    int layers;
    @Option(names = "--classes", defaultValue = "10", description = "retrain-step: default ${DEFAULT-VALUE}")
    int classes;
    @Option(names = "--profile", description = "add the time of each kind of operation, summed over the measured steps")
    boolean profile;
    @Option(names = "--wait-policy", defaultValue = "passive",
            description = "contention: passive (the engine's) or default (OpenMP's spin-waiting, as before)")
    String waitPolicy;
    @Option(names = "--batches", paramLabel = "B,B,...", split = ",", defaultValue = "8,16,32,64",
            description = "scaling: batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batches;
    @Option(names = "--threads", paramLabel = "T,T,...", split = ",", defaultValue = "1,2",
            description = "scaling: engine thread counts (default ${DEFAULT-VALUE})")
    List<Integer> threads;
    @Option(names = "--choices", paramLabel = "N", description = "stats: LayerChoices in one chained cell (default 1000 unless --stages)")
    Integer choices;
    @Option(names = "--stages", paramLabel = "S", description = "stats: stages of the DARTS search cell")
    Integer stages;
    @Option(names = "--repeat", paramLabel = "R", defaultValue = "1", description = "stats: copies of the cell in each stage (1..1000)")
    int repeat;

    @Option(names = "--table", paramLabel = "FILE", description = "nas-bench-201: the table (default ../shared/data/nas-bench-201-test-accuracy.csv)")
    Path table;
    @Option(names = "--seeds", defaultValue = "100", description = "nas-bench-201: runs per strategy and budget (default ${DEFAULT-VALUE})")
    int seeds;
    @Option(names = "--budgets", paramLabel = "N,N,...", split = ",", defaultValue = "25,50,100,200",
            description = "nas-bench-201: query budgets (default ${DEFAULT-VALUE})")
    List<Integer> budgets;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (name.equals("stats")) {
            return stats();
        }
        if (name.equals("nas-bench-201")) {
            Nb201Bench.run(table, seeds, budgets, spec.commandLine().getOut());
            return 0;
        }
        if (name.equals("compare")) {
            if (files.size() != 2 || !(rtol > 0)) {
                throw new Main.UserError("bench compare takes two first-step outputs and a --rtol above 0");
            }
            return FirstStepBench.compare(files.get(0), files.get(1), rtol, spec.commandLine().getOut()) == 0 ? 0 : 1;
        }
        if (!files.isEmpty()) {
            throw new Main.UserError("bench " + name + " takes no file arguments");
        }
        if (!List.of("darts-step", "retrain-step", "contention", "scaling", "first-step").contains(name)) {
            throw new Main.UserError("unknown benchmark '" + name
                    + "'; available: darts-step, retrain-step, contention, scaling, stats, first-step, compare, nas-bench-201");
        }
        boolean retrainStep = name.equals("retrain-step");
        int batch = this.batch != null ? this.batch : retrainStep ? 64 : 32;
        int steps = this.steps != null ? this.steps : retrainStep ? 20 : 3;
        if (batch < 1 || steps < 1) {
            throw new Main.UserError("--batch and --steps must be at least 1");
        }
        if (retrainStep) {
            if (channels < 1 || layers < 3 || classes < 2) {
                throw new Main.UserError("--channels must be at least 1, --layers at least 3 and --classes at least 2");
            }
            String text = arch == null ? RetrainStepBench.DEFAULT_GENOTYPE : Inputs.text(arch);
            var o = RetrainStepBench.run(Inputs.genotype(text), channels, layers, shape(input), classes, batch, steps, profile,
                    spec.commandLine().getErr());
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }
        if (name.equals("first-step")) {
            if (out == null) {
                throw new Main.UserError("bench first-step needs --out FILE");
            }
            FirstStepBench.write(batch, out);
            return 0;
        }
        if (name.equals("scaling")) {
            var o = new ScalingBench(batches, threads, steps, spec.commandLine().getErr()).run();
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }
        if (name.equals("contention")) {
            var o = new ContentionBench(batch, steps, waitPolicy, spec.commandLine().getErr()).run();
            spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
            return 0;
        }
        String backend = Backend.init();
        SearchSpace space = Zoo.dartsSearch(16, 8, 10, new Shape(3, 32, 32), OpCatalog.DARTS_PRIMITIVES);
        long t0 = System.nanoTime();
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space), CompiledNetwork.Options.darts(1));
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, INDArray> weights = net.weights();
        Map<String, INDArray> arch = net.arch();
        Optimizers.Sgd sgd = new Optimizers.Sgd(0.9, 3e-4);
        Optimizers.Adam adam = new Optimizers.Adam(0.5, 0.999, 1e-3);
        INDArray[] train = batch(batch, 1);
        INDArray[] valid = batch(batch, 2);
        List<Double> ms = new ArrayList<>();
        Map<String, long[]> timings = null;
        Map<Integer, Integer> threadCounts = Map.of();
        // The first step allocates the buffers; the next ones let the engine time both thread counts (ThreadGovernor).
        int warmUp = 1;
        for (int i = 0; i <= steps; i++) {
            long s = System.nanoTime();
            var a = net.train(valid[0], valid[1], Gates.NONE, EnumSet.of(CompiledNetwork.Grad.ARCH));
            adam.step(arch, new HashMap<>(a.gradients()), 3e-4);
            var w = net.train(train[0], train[1], Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS));
            Map<String, INDArray> g = new HashMap<>(w.gradients());
            Optimizers.clipGradNorm(g, 5);
            sgd.step(weights, g, 0.025);
            double stepMs = (System.nanoTime() - s) / 1e6;
            if (i > 0) {
                ms.add(stepMs);
                spec.commandLine().getErr().printf("step %d/%d: %.0f ms%n", i, steps, stepMs);
            } else {
                spec.commandLine().getErr().printf("warm-up %d: %.0f ms%n", warmUp, stepMs);
                if (!net.threadsSettled() && warmUp < MAX_WARM_UP) {
                    warmUp++;
                    i--;
                    continue;
                }
                threadCounts = net.threadCounts();
                if (profile) {
                    timings = net.profile();
                }
            }
            spec.commandLine().getErr().flush();
        }
        Collections.sort(ms);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("benchmark", "darts-step");
        o.put("batch", batch);
        o.put("steps", steps);
        o.put("warm_up_steps", warmUp);
        putStepTimes(o, batch, ms);
        o.put("build_s", buildSeconds);
        o.put("kernels", net.operationCount());
        o.put("reference_kernels", net.referenceKernels());
        o.put("supernet_params", net.parameterCount());
        o.put("peak_rss_mb", peakRssMb());
        o.put("backend", backend);
        Map<String, Integer> passes = new LinkedHashMap<>();
        threadCounts.forEach((t, n) -> passes.put(Integer.toString(t), n));
        o.put("passes_by_openmp_threads", passes);
        o.put("cpu", cpuModel());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        putProfile(o, timings, steps);
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
        return 0;
    }

    private int stats() throws Exception {
        if (stages != null && choices != null) {
            throw new Main.UserError("give --choices or --stages, not both");
        }
        if ((stages != null && (stages < 1 || stages > 100)) || repeat < 1 || repeat > 1000
                || (choices != null && (choices < 1 || choices > 100_000))) {
            throw new Main.UserError("--choices must be 1..100000, --stages 1..100 and --repeat 1..1000");
        }
        SearchSpace space = stages != null ? stagedSpace(stages, repeat) : chainSpace(choices == null ? 1000 : choices);
        long t0 = System.nanoTime();
        SpaceStats st = SpaceStats.of(space);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("benchmark", "stats");
        o.put("space", space.name());
        o.put("choices", space.mutablesByKey().size());
        o.put("cells", space.network().stages().size() * (long) repeat);
        o.put("seconds", seconds);
        o.put("architectures_digits", st.architectures().toString().length());
        o.put("params", List.of(st.minParams().value(), st.maxParams().value()));
        o.put("macs", List.of(st.minMacs().value(), st.maxMacs().value()));
        o.put("supernet_params", st.supernetParams());
        o.put("peak_rss_mb", peakRssMb());
        o.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        o.put("cpu", cpuModel());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(o));
        return 0;
    }

    /** One cell chaining {@code n} nodes, each edge a LayerChoice of the DARTS ops. */
    static SearchSpace chainSpace(int n) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0")));
        List<Edge> edges = new ArrayList<>();
        String prev = "in0";
        for (int i = 0; i < n; i++) {
            nodes.add(Node.intermediate("n" + i));
            edges.add(Edge.of(prev, "n" + i, LayerChoice.of("e" + i, OpCatalog.DARTS_PRIMITIVES)));
            prev = "n" + i;
        }
        nodes.add(Node.output("out", Reduction.SUM));
        edges.add(Edge.of(prev, "out", OpCall.of("identity")));
        SearchSpace darts = Zoo.dartsSearch(16, 1, 10, new Shape(3, 32, 32), OpCatalog.DARTS_PRIMITIVES);
        Cell cell = new Cell("chain", nodes, edges, Preprocess.DARTS);
        Network net = darts.network().withStages(List.of(Stage.cell("chain", "chain", Role.NORMAL)));
        return new SearchSpace("chain-" + n, "", net, Map.of("chain", cell), Map.of(), Map.of(), Map.of());
    }

    /** The DARTS search cell (normal) in {@code stages} stages of {@code repeat} copies. */
    static SearchSpace stagedSpace(int stages, int repeat) {
        SearchSpace darts = Zoo.dartsSearch(16, 1, 10, new Shape(3, 32, 32), OpCatalog.DARTS_PRIMITIVES);
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            list.add(Stage.cell("stage " + i, "normal", Role.NORMAL).withRepeat(Param.of(repeat)));
        }
        return darts.withNetwork(darts.network().withStages(list)).withCells(Map.of("normal", darts.cells().get("normal")))
                .withName("darts-" + stages + "x" + repeat);
    }

    /** The images/s of the median step and the median, fastest and slowest step times; {@code ms} sorted. */
    static void putStepTimes(Map<String, Object> o, int batch, List<Double> ms) {
        double median = ms.get(ms.size() / 2);
        o.put("images_per_s", batch / (median / 1000));
        o.put("step_ms_median", median);
        o.put("step_ms_min", ms.get(0));
        o.put("step_ms_max", ms.get(ms.size() - 1));
    }

    /** With --profile: the time and calls of each kind of operation per step, the costliest first. */
    static void putProfile(Map<String, Object> o, Map<String, long[]> timings, int steps) {
        if (timings != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            timings.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                    .forEach(e -> p.put(e.getKey(), Map.of("ms", e.getValue()[0] / 1e6 / steps, "calls", e.getValue()[1] / steps)));
            o.put("profile_per_step", p);
        }
    }

    /** "1x28x28" as a shape. */
    static Shape shape(String text) {
        String[] p = text.trim().split("[xX×]");
        try {
            if (p.length == 3) {
                Shape s = new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
                if (s.channels() > 0 && s.height() > 0 && s.width() > 0) {
                    return s;
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new Main.UserError("--input takes CxHxW with three positive whole numbers, e.g. 1x28x28; got '" + text + "'");
    }

    /** The CPU's model name, to set beside every figure measured on it. */
    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    /** A random batch: images and one-hot labels. */
    private static INDArray[] batch(int batch, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, (i * 7 + seed) % 10, 1.0);
        }
        return new INDArray[] {x, y};
    }

    /** The process's peak resident memory (VmHWM), which includes ND4J's off-heap buffers. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}

package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.LoadException;
import io.cellforge.space.SearchSpace;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.Objective;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.TableEstimator;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialRunner;
import io.cellforge.zoo.Zoo;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * `bench nas-bench-201`: every multi-trial strategy on the NAS-Bench-201 table, for each budget (queries) and many
 * seeds; the strategy maximises the test accuracy column of each dataset (the table has no validation column), and
 * the figure is the mean and standard deviation over seeds of the best test accuracy found within the budget.
 */
final class Nb201Bench {
    static final Path DEFAULT_TABLE = Path.of("../shared/data/nas-bench-201-test-accuracy.csv");
    static final Map<String, String> DATASETS = Map.of("cifar10", "CIFAR10TestAccuracy200Epochs", "cifar100", "CIFAR100TestAccuracy200Epochs",
            "imagenet16-120", "ImageNetTestAccuracy200Epochs");
    static final List<String> ORDER = List.of("cifar10", "cifar100", "imagenet16-120");

    private Nb201Bench() {
    }

    static void run(Path table, int seeds, List<Integer> budgets, PrintWriter out) throws Exception {
        if (seeds < 1 || budgets.isEmpty() || budgets.stream().anyMatch(b -> b < 1)) {
            throw new Main.UserError("--seeds and every --budgets value must be at least 1");
        }
        Path t = table == null ? DEFAULT_TABLE : table;
        if (!Files.exists(t)) {
            throw new Main.UserError(t + ": no such file; give the NAS-Bench-201 table with --table FILE");
        }
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        TableEstimator estimator;
        try {
            estimator = TableEstimator.read(t, "ArchitectureString", ORDER.stream().map(DATASETS::get).toList(), nb);
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
        DecisionSpace space = DecisionSpace.of(nb);
        int maxBudget = budgets.stream().mapToInt(Integer::intValue).max().orElseThrow();
        long start = System.nanoTime();
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, Object> results = new LinkedHashMap<>();
        Map<String, Object> optimum = new LinkedHashMap<>();
        try {
            for (String dataset : ORDER) {
                String column = DATASETS.get(dataset);
                optimum.put(dataset, estimator.rows().values().stream().mapToDouble(s -> s.get(column).orElseThrow()).max().orElseThrow());
                Objective objective = Objective.of(column);
                Map<String, Object> byStrategy = new LinkedHashMap<>();
                for (String strategy : Strategies.NAMES) {
                    List<Future<double[]>> runs = new ArrayList<>();
                    for (int seed = 0; seed < seeds; seed++) {
                        long s = seed;
                        runs.add(pool.submit(() -> bestAt(Strategies.create(strategy, space, objective, s), estimator, objective, column,
                                maxBudget, s, budgets)));
                    }
                    double[][] best = new double[seeds][];
                    for (int i = 0; i < seeds; i++) {
                        best[i] = runs.get(i).get();
                    }
                    Map<String, Object> byBudget = new LinkedHashMap<>();
                    for (int b = 0; b < budgets.size(); b++) {
                        double mean = 0;
                        for (double[] r : best) {
                            mean += r[b];
                        }
                        mean /= seeds;
                        double var = 0;
                        for (double[] r : best) {
                            var += (r[b] - mean) * (r[b] - mean);
                        }
                        double std = seeds > 1 ? Math.sqrt(var / (seeds - 1)) : 0;
                        byBudget.put(Integer.toString(budgets.get(b)), Map.of("mean", round(mean), "std", round(std)));
                    }
                    byStrategy.put(strategy, byBudget);
                }
                results.put(dataset, byStrategy);
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("benchmark", "nas-bench-201");
        m.put("machine", machine());
        m.put("table", t.toString());
        m.put("measure", "best test accuracy (%) found within the budget of queries; mean and standard deviation over seeds");
        m.put("seeds", seeds);
        m.put("budgets", budgets);
        m.put("threads", threads);
        m.put("optimum", optimum);
        m.put("results", results);
        m.put("seconds", round((System.nanoTime() - start) / 1e9));
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
        out.flush();
    }

    /** One run: the best value of {@code column} among the first b trials, for each budget b. */
    private static double[] bestAt(io.cellforge.trial.TrialStrategy strategy, TableEstimator estimator, Objective objective, String column,
                                   int maxBudget, long seed, List<Integer> budgets) throws Exception {
        List<Trial> trials = new LocalTrialRunner(1).run(strategy, estimator, objective, maxBudget, seed, List.of(), TrialRunner.Sink.NONE,
                new io.cellforge.search.SearchEvents.Listener() {
                }, () -> false).trials();
        double[] out = new double[budgets.size()];
        for (int b = 0; b < budgets.size(); b++) {
            double best = Double.NEGATIVE_INFINITY;
            for (Trial t : trials.subList(0, Math.min(budgets.get(b), trials.size()))) {
                best = Math.max(best, t.scores().get(column).orElseThrow());
            }
            out[b] = best;
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }

    /** The CPU's model name as lscpu prints it (from /proc/cpuinfo), else the JVM's architecture. */
    static String machine() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }
}

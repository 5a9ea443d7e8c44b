package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench scaling}: the DARTS step at each batch size with each number of engine threads, one process at a
 * time (OMP_NUM_THREADS for libnd4j, which reads it when it loads, and as many threads for the Java kernels), so
 * that a figure says how the step grows with the batch and how much a second core buys.
 */
final class ScalingBench {
    private final List<Integer> batches;
    private final List<Integer> threads;
    private final int steps;
    private final PrintWriter err;

    ScalingBench(List<Integer> batches, List<Integer> threads, int steps, PrintWriter err) {
        if (batches.isEmpty() || threads.isEmpty() || batches.stream().anyMatch(b -> b < 1 || b > 4096)
                || threads.stream().anyMatch(t -> t < 1 || t > 1024)) {
            throw new Main.UserError("--batches takes sizes 1..4096 and --threads counts 1..1024, each a comma-separated list");
        }
        this.batches = List.copyOf(batches);
        this.threads = List.copyOf(threads);
        this.steps = steps;
        this.err = err;
    }

    /**
     * The engine's Java kernels (BatchNorm, depthwise backward) run on the common pool, whose workers and the calling
     * thread share the work: {@code t} threads in all, or none beside the caller for one.
     */
    static List<String> javaKernelThreads(int t) {
        return t == 1 ? List.of("-Dcellforge.kernels.serial=true")
                : List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + (t - 1));
    }

    Map<String, Object> run() throws IOException, InterruptedException {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int t : threads) {
            for (int b : batches) {
                JsonNode j = BenchChildren.results(List.of(BenchChildren.dartsStep(b, steps,
                        Map.of("OMP_NUM_THREADS", Integer.toString(t)), javaKernelThreads(t)))).get(0);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("threads", t);
                r.put("batch", b);
                r.put("images_per_s", j.get("images_per_s").asDouble());
                r.put("step_ms_median", j.get("step_ms_median").asDouble());
                r.put("peak_rss_mb", j.get("peak_rss_mb").asLong());
                r.put("backend", j.get("backend").asText()); // says the threads the engine took
                runs.add(r);
                err.printf("%d thread%s, batch %d: %.3f img/s%n", t, t == 1 ? "" : "s", b, j.get("images_per_s").asDouble());
                err.flush();
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("benchmark", "scaling");
        o.put("steps", steps);
        o.put("cpu", BenchCommand.cpuModel());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        o.put("runs", runs);
        return o;
    }
}

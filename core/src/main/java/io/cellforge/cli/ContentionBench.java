package io.cellforge.cli;


import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench contention}: the DARTS step alone, beside one busy single-threaded process, and two at once, each
 * in a process of its own, as on a desktop where something else always runs. Reports each rate as a share of the
 * idle one. {@code --wait-policy default} runs the children with OpenMP's own spin-waiting, to compare.
 */
final class ContentionBench {
    private final int batch;
    private final int steps;
    private final String waitPolicy;
    private final PrintWriter err;

    ContentionBench(int batch, int steps, String waitPolicy, PrintWriter err) {
        if (!waitPolicy.equals("passive") && !waitPolicy.equals("default")) {
            throw new Main.UserError("--wait-policy is passive (the engine's) or default (OpenMP's spin-waiting)");
        }
        this.batch = batch;
        this.steps = steps;
        this.waitPolicy = waitPolicy;
        this.err = err;
    }

    Map<String, Object> run() throws IOException, InterruptedException {
        double idle = rate(List.of(bench())).get(0);
        err.printf("alone: %.3f img/s%n", idle);
        Process busy = BenchChildren.java(Busy.class.getName()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        double besideBusy;
        try {
            besideBusy = rate(List.of(bench())).get(0);
        } finally {
            busy.destroyForcibly().waitFor();
        }
        err.printf("beside a busy process: %.3f img/s%n", besideBusy);
        List<Double> pair = rate(List.of(bench(), bench()));
        err.printf("two at once: %.3f + %.3f img/s%n", pair.get(0), pair.get(1));

        Map<String, Object> o = new LinkedHashMap<>();
        o.put("benchmark", "contention");
        o.put("batch", batch);
        o.put("steps", steps);
        o.put("wait_policy", waitPolicy);
        o.put("cpu", BenchCommand.cpuModel());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        o.put("alone_images_per_s", idle);
        o.put("beside_busy_images_per_s", besideBusy);
        o.put("beside_busy_share", besideBusy / idle);
        o.put("two_at_once_images_per_s", pair);
        o.put("two_at_once_shares", pair.stream().map(r -> r / idle).toList());
        o.put("two_at_once_total_share", (pair.get(0) + pair.get(1)) / idle);
        return o;
    }

    /** A {@code bench darts-step} child, started now. */
    private Process bench() throws IOException {
        // OpenMP's default when nothing is set: spin about 3 ms before sleeping (GOMP_SPINCOUNT wins over the policy).
        return BenchChildren.dartsStep(batch, steps, waitPolicy.equals("default") ? Map.of("GOMP_SPINCOUNT", "300000") : Map.of());
    }

    /** Waits for the children and reads their images per second. */
    private static List<Double> rate(List<Process> children) throws IOException, InterruptedException {
        return BenchChildren.results(children).stream().map(j -> j.get("images_per_s").asDouble()).toList();
    }

    /** One busy thread until killed, as {@code yes > /dev/null} is. */
    public static final class Busy {
        public static void main(String[] args) {
            long x = 0;
            while (x != -1) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                if (x == 42) {
                    System.out.println(x);
                }
            }
        }
    }
}

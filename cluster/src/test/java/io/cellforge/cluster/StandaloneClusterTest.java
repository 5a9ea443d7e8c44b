package io.cellforge.cluster;

import io.cellforge.arch.Architecture;
import io.cellforge.trial.EstimateException;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import io.cellforge.trial.TrialRun;
import io.cellforge.trial.TrialRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Spark standalone master and two workers on loopback, each a child JVM started as {@code cellforge-cluster.jar
 * master|worker} starts them: a search's trials run on both workers, one worker is killed while it runs a trial,
 * and the search ends with every trial once in its log, scored as a local run with the same seed scores them.
 */
class StandaloneClusterTest {
    /** Guards against a cluster that never comes up; the test waits for conditions, not for times. */
    static final Duration LIMIT = Duration.ofMinutes(5);
    private final List<Process> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        for (Process p : nodes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (String k : List.of(SparkTrialRunner.NO_EXECUTOR_WARNING, "spark.driver.host", "spark.driver.bindAddress", "spark.scheduler.minRegisteredResourcesRatio",
                "spark.scheduler.maxRegisteredResourcesWaitingTime", "spark.executor.memory")) {
            System.clearProperty(k);
        }
    }

    /**
     * The subnet trials, each marking where it runs; on the victim worker's executor, once {@code hold} exists, a
     * trial marks itself held and waits for its worker's end.
     */
    record Marked(SubNetJob job, String dir) implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            Estimator inner = job.estimator();
            Path d = Path.of(dir);
            long worker = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            return new Estimator() {
                @Override
                public Scores estimate(Architecture a, long seed) throws EstimateException {
                    try {
                        long victim = Long.parseLong(Files.readString(d.resolve("victim")).trim());
                        if (worker == victim && Files.exists(d.resolve("hold"))) {
                            Files.writeString(d.resolve("held-" + seed), "");
                            for (long end = System.nanoTime() + LIMIT.toNanos(); System.nanoTime() < end; ) {
                                Thread.sleep(100); // killed with its worker before this ends
                            }
                            throw new EstimateException("the victim worker was never killed");
                        }
                    } catch (IOException | InterruptedException e) {
                        throw new EstimateException(e.toString(), e);
                    }
                    return inner.estimate(a, seed);
                }

                @Override
                public String name() {
                    return inner.name();
                }
            };
        }
    }

    @Test
    void trialsRunOnBothWorkersAndAKilledWorkerLosesNone(@TempDir Path dir) throws Exception {
        String cp = System.getProperty("java.class.path");
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home/jars"));
        int masterPort = freePort();
        String url = "spark://127.0.0.1:" + masterPort;
        Path masterLog = dir.resolve("master.log");
        start(ClusterNode.master("127.0.0.1", masterPort, 0, cp), masterLog);
        Process victim = start(ClusterNode.worker(url, "127.0.0.1", 0, 0, 1, "2g", dir.resolve("w1"), sparkHome.getParent(), cp),
                dir.resolve("w1.log"));
        Process other = start(ClusterNode.worker(url, "127.0.0.1", 0, 0, 1, "2g", dir.resolve("w2"), sparkHome.getParent(), cp),
                dir.resolve("w2.log"));
        await("both workers registered with the master", dir, () -> count(masterLog, "Registering worker 127.0.0.1:") >= 2);
        String victimPort = workerPort(dir.resolve("w1.log"));
        String otherPort = workerPort(dir.resolve("w2.log"));
        Files.writeString(dir.resolve("victim"), Long.toString(victim.pid()));

        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        System.setProperty("spark.executor.memory", "1g");
        // Trials start once both executors are there, so that the first round runs on both.
        System.setProperty("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        System.setProperty("spark.scheduler.maxRegisteredResourcesWaitingTime", "300s");

        Path logFile = dir.resolve(TrialLog.FILE);
        AtomicInteger logged = new AtomicInteger();
        CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
            await("a trial held on the victim worker", dir, () -> held(dir) != null);
            victim.descendants().forEach(ProcessHandle::destroyForcibly); // its executor, as a machine that goes down
            victim.destroyForcibly();
        });
        TrialRun run;
        try (TrialLog log = TrialLog.create(logFile)) {
            run = Tiny.grid(new SparkTrialRunner(url, new Marked(Tiny.job(), dir.toString()), 2), Tiny.BUDGET, t -> {
                log.write(t);
                if (logged.incrementAndGet() == 2) {
                    Files.writeString(dir.resolve("hold"), ""); // the victim's next trial waits to be killed
                }
            });
        }
        kill.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(victim.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS) && other.isAlive());

        // Every trial once in the driver's log, the held one run again on the other worker.
        List<Trial> trials = TrialLog.read(logFile);
        assertEquals(Tiny.BUDGET, trials.size(), Files.readString(logFile));
        assertEquals(Tiny.BUDGET, trials.stream().map(Trial::index).distinct().count());
        Map<String, List<Integer>> byWorker = trials.stream().collect(Collectors.groupingBy(t -> t.worker().split(" executor ")[0],
                Collectors.mapping(Trial::index, Collectors.toList())));
        assertEquals(java.util.Set.of("worker 127.0.0.1:" + victimPort, "worker 127.0.0.1:" + otherPort), byWorker.keySet(), byWorker.toString());
        long heldSeed = held(dir);
        Trial retried = trials.stream().filter(t -> t.seed() == heldSeed).findFirst().orElseThrow();
        assertTrue(retried.worker().startsWith("worker 127.0.0.1:" + otherPort + " "), retried.worker());

        // As a local run of the same seed, budget and parallel trials scores them.
        TrialRun here = Tiny.grid(new LocalTrialRunner(2), Tiny.BUDGET, TrialRunner.Sink.NONE);
        SparkTrialRunnerTest.assertSameTrials(here, run);
    }

    @Test
    void aMasterWithNoWorkerSaysSoAndStopEndsTheWait(@TempDir Path dir) throws Exception {
        int masterPort = freePort();
        String url = "spark://127.0.0.1:" + masterPort;
        Path masterLog = dir.resolve("master.log");
        start(ClusterNode.master("127.0.0.1", masterPort, 0, System.getProperty("java.class.path")), masterLog);
        await("the master up", dir, () -> count(masterLog, "I have been elected leader") >= 1);
        System.setProperty("spark.driver.host", "127.0.0.1");
        System.setProperty("spark.driver.bindAddress", "127.0.0.1");
        System.setProperty(SparkTrialRunner.NO_EXECUTOR_WARNING, "1s");

        List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        io.cellforge.trial.Objective o = io.cellforge.trial.Objective.of(Scores.ACCURACY);
        CompletableFuture<TrialRun> run = CompletableFuture.supplyAsync(() -> {
            try {
                return new SparkTrialRunner(url, Tiny.job(), 1).run(io.cellforge.trial.Strategies.create("grid",
                        io.cellforge.trial.DecisionSpace.of(Tiny.space()), o, Tiny.SEED), Tiny.local(), o, 2, Tiny.SEED, List.of(),
                        TrialRunner.Sink.NONE, new io.cellforge.search.SearchEvents.Listener() {
                            @Override
                            public void warning(String message) {
                                warnings.add(message);
                            }
                        }, stop::get);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            await("the warning that no executor joined", dir, () -> !warnings.isEmpty());
            assertEquals(List.of("no executor has joined on " + url + " yet: the trials wait for a worker with a free core and 1g of memory"
                    + " (spark.task.cpus, spark.executor.memory); stopping the search ends the wait"), warnings);
        } finally {
            stop.set(true); // the run's SparkContext ends with it, whatever the test found
        }
        java.util.concurrent.ExecutionException ended = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> run.get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals("stopped before any executor joined on " + url + ": no trial ran there", ended.getCause().getMessage());
    }

    private Process start(ProcessBuilder pb, Path log) throws IOException {
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        nodes.add(p);
        return p;
    }

    /** The port a worker's log says it started on ("Successfully started service 'sparkWorker' on port N"). */
    static String workerPort(Path log) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("service 'sparkWorker' on port (\\d+)").matcher(Files.readString(log));
        assertTrue(m.find(), log + ": " + Files.readString(log));
        return m.group(1);
    }

    static Long held(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("held-")).map(n -> Long.parseLong(n.substring(5)))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static int count(Path file, String text) {
        try {
            String s = Files.exists(file) ? Files.readString(file) : "";
            return s.split(java.util.regex.Pattern.quote(text), -1).length - 1;
        } catch (IOException e) {
            return 0;
        }
    }

    static void await(String what, Path dir, BooleanSupplier condition) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("waited " + LIMIT + " for " + what + "; logs in " + dir + ":\n" + logs(dir));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    static String logs(Path dir) {
        StringBuilder b = new StringBuilder();
        for (String n : List.of("master.log", "w1.log", "w2.log")) {
            try {
                String s = Files.readString(dir.resolve(n));
                b.append("--- ").append(n).append('\n').append(s, Math.max(0, s.length() - 3000), s.length()).append('\n');
            } catch (IOException e) {
                b.append("--- ").append(n).append(": none\n");
            }
        }
        return b.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

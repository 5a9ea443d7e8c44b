package io.cellforge.cluster;

import io.cellforge.arch.Architecture;
import io.cellforge.search.SearchEvents;
import io.cellforge.trial.EstimateException;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.Objective;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialRun;
import io.cellforge.trial.TrialRunner;
import io.cellforge.trial.TrialStrategy;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Runs each trial as one Spark task (a job of one partition) in {@link LocalTrialRunner}'s rounds of
 * {@code parallel}: the driver proposes, appends each trial to the sink (its trial log, the one record of the run)
 * as its task ends, and has the strategy observe the round in trial order, so a run here proposes and scores as a
 * local one of the same seed and parallel trials. The executors build the trials' estimator once each from a
 * broadcast {@link Source} (the space and the images cross the network once per executor, not per trial); a task
 * lost with its executor, or failed, is retried elsewhere by Spark ({@code spark.task.maxFailures}).
 */
public final class SparkTrialRunner implements TrialRunner {
    /** Where an executor's trials get their estimator: shipped once per executor, built once per executor JVM. */
    public interface Source extends Serializable {
        Estimator estimator();
    }

    /**
     * Executors' estimators by application and broadcast: one per search, reused by all its trials. Broadcast ids
     * start again in each application, and an embedded master's executor is this JVM, which runs one search after
     * another.
     */
    private static final Map<String, Estimator> BUILT = new ConcurrentHashMap<>();

    private static final int MASTER_CONNECT_MILLIS = 5_000;
    /** How long the trials wait for a first executor before the user is told (a Spark time: 20s, 2min). */
    static final String NO_EXECUTOR_WARNING = "spark.cellforge.noExecutorWarning";

    private final String master;
    private final Source source;
    private final int parallel;
    private final BooleanSupplier cancel;

    /** {@code master}: a Spark master URL (spark://host:7077, local[4], yarn, k8s://...); never cancelled. */
    public SparkTrialRunner(String master, Source source, int parallel) {
        this(master, source, parallel, () -> false);
    }

    /**
     * {@code cancel}: when true, the trials running are cancelled where they are (a run's {@code stop} lets them end,
     * as a local run's does, unless no executor has joined: then nothing runs that could end).
     */
    public SparkTrialRunner(String master, Source source, int parallel, BooleanSupplier cancel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("at least one trial at a time");
        }
        this.master = master;
        this.source = source;
        this.parallel = parallel;
        this.cancel = cancel;
    }

    @Override
    public TrialRun run(TrialStrategy strategy, Estimator estimator, Objective objective, int budget, long seed, List<Trial> logged,
                        Sink sink, SearchEvents.Listener listener, BooleanSupplier stop) throws EstimateException, IOException {
        requireMasterAnswers(master);
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf(master));
        } catch (Exception e) { // Spark's SparkException is a checked one, thrown from Scala
            throw new EstimateException("no Spark application could start on " + master + ": " + why(e).substring(2), e);
        }
        try (JavaSparkContext sc = context) {
            Broadcast<Source> shipped = sc.broadcast(source);
            String key = sc.sc().applicationId() + "/" + shipped.id();
            AtomicInteger executors = new AtomicInteger();
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onExecutorAdded(SparkListenerExecutorAdded added) {
                    executors.incrementAndGet();
                }

                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                    listener.warning("executor " + removed.executorId() + " lost (" + removed.reason() + "): its trials run again on the others");
                }
            });
            // Cancel ends the trials' tasks, as it ends a local trial's training; stop waits for them between rounds, but a
            // cluster whose workers never take the trials (none registered, too few cores or too little memory) would
            // wait for ever, and would look hung without a word.
            boolean embedded = master.startsWith("local");
            long since = System.nanoTime();
            long patience = TimeUnit.SECONDS.toNanos(sc.getConf().getTimeAsSeconds(NO_EXECUTOR_WARNING, "20s"));
            Thread watch = new Thread(() -> {
                try {
                    boolean said = embedded;
                    while (!cancel.getAsBoolean() && !(stop.getAsBoolean() && executors.get() == 0 && !embedded)) {
                        Thread.sleep(200);
                        if (!said && executors.get() == 0 && System.nanoTime() - since > patience) {
                            said = true;
                            listener.warning("no executor has joined on " + master + " yet: the trials wait for a worker with a free core and "
                                    + sc.getConf().get("spark.executor.memory", "1g") + " of memory (spark.executor.memory); Stop ends the run");
                        }
                    }
                    if (!sc.sc().isStopped()) { // stopped by its master: nothing runs to cancel
                        sc.cancelAllJobs();
                    }
                } catch (InterruptedException | IllegalStateException e) {
                    // the run ended
                }
            }, "trial stop watch");
            watch.setDaemon(true);
            watch.start();
            try {
                LocalTrialRunner.Worker onCluster = (index, a, trialSeed, here) -> {
                    sc.setJobDescription("trial " + index);
                    LinkedHashMap<String, Object> raw = new LinkedHashMap<>(SearchEvents.Trial.raw(a));
                    Outcome o;
                    try {
                        o = sc.parallelize(List.of(index), 1).map(i -> estimate(shipped, key, raw, trialSeed)).collect().get(0);
                    } catch (Exception e) { // Spark's own exceptions are checked ones, thrown from Scala
                        // Ctrl+C stops the context too (Spark's shutdown hook): a cancel is said as one
                        if (cancel.getAsBoolean()) {
                            throw new EstimateException("trial " + index + " was stopped on the cluster before it ended");
                        }
                        if (stop.getAsBoolean() && executors.get() == 0 && !embedded) {
                            throw new EstimateException("stopped before any executor joined on " + master + ": no trial ran there");
                        }
                        if (sc.sc().isStopped()) {
                            throw new EstimateException("the Spark application on " + master + " ended before trial " + index
                                    + " did (its master stopped, lost every worker, or killed it); the trials logged are kept:"
                                    + " resume the run when the cluster is back", e);
                        }
                        throw new EstimateException("trial " + index + " failed on the cluster" + why(e), e);
                    }
                    return new Trial(index, a, new Scores(o.scores()), o.seconds(), trialSeed, o.worker());
                };
                return new LocalTrialRunner(parallel, onCluster).run(strategy, estimator, objective, budget, seed, logged, sink, listener, stop);
            } finally {
                watch.interrupt();
                BUILT.remove(key); // an embedded master's: the driver's JVM goes on
            }
        }
    }

    /**
     * A standalone master that nobody answers at would only be given up on after Spark's three 20-second tries, and
     * then as "SparkContext has been shutdown": one of its hosts must take a connection now.
     */
    static void requireMasterAnswers(String master) throws EstimateException {
        if (!master.startsWith("spark://")) {
            return; // local[N] runs here; yarn and k8s are found through their own settings
        }
        List<String> tried = new java.util.ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new EstimateException("no Spark application could start on " + master + ": '" + hostPort + "' is not host:port");
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), MASTER_CONNECT_MILLIS);
                return;
            } catch (IOException e) {
                tried.add(host + ":" + port + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw new EstimateException("no Spark master answers at " + master + ": " + String.join(", ", tried)
                + "; start one (cellforge-cluster master), or check the host and port");
    }

    /**
     * The settings of a Cellforge job: Spark's UI off and a task tried four times before its trial fails, unless
     * the {@code spark.*} system properties (java -Dspark.executor.memory=4g ...) say otherwise.
     */
    static SparkConf conf(String master) {
        return new SparkConf().setMaster(master).setAppName("cellforge trials").setIfMissing("spark.task.maxFailures", "4")
                .setIfMissing("spark.ui.enabled", "false");
    }

    private static final java.util.regex.Pattern ABORTED = java.util.regex.Pattern.compile(
            "(?s).*failed (\\d+) times, most recent failure: Lost task [^:]*\\): (?:io\\.cellforge\\.trial\\.EstimateException: )?(.*)");

    /**
     * The task's own error after its last try, from Spark's "Job aborted due to stage failure: Task 0 in stage 3.0
     * failed 4 times, most recent failure: Lost task 0.3 ... (host executor 1): CLASS: MESSAGE" and stack.
     */
    static String why(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        java.util.regex.Matcher t = ABORTED.matcher(m);
        String text = t.matches() ? t.group(2) : m;
        int cut = text.indexOf("\n");
        text = (cut < 0 ? text : text.substring(0, cut)).strip();
        return (t.matches() ? " after " + t.group(1) + " tries" : "") + ": " + text;
    }

    /** On an executor: the trial's scores, seconds and where it ran. */
    private static Outcome estimate(Broadcast<Source> shipped, String key, Map<String, Object> raw, long trialSeed) throws EstimateException {
        Estimator e = BUILT.computeIfAbsent(key, k -> shipped.value().estimator());
        long t0 = System.nanoTime();
        Scores s = e.estimate(SearchEvents.Trial.architecture(raw), trialSeed);
        return new Outcome(new LinkedHashMap<>(s.values()), (System.nanoTime() - t0) / 1e9, here());
    }

    /**
     * This executor, as the trial log names it: its standalone worker (the {@code --worker-url} its worker started
     * it with) or host, and its executor id.
     */
    static String here() {
        SparkEnv env = SparkEnv.get();
        String id = env.executorId();
        List<String> args = arguments();
        int at = args.indexOf("--worker-url");
        String worker = at >= 0 && at + 1 < args.size() ? args.get(at + 1).replace("spark://Worker@", "worker ")
                : "host " + env.blockManager().blockManagerId().host();
        return worker + " executor " + id;
    }

    /** This JVM's command line: /proc's whole one on Linux (ProcessHandle's is cut short on long ones), else ProcessHandle's. */
    private static List<String> arguments() {
        try {
            return List.of(new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().info().arguments().map(List::of).orElse(List.of());
        }
    }

    /** What a task sends back. */
    record Outcome(LinkedHashMap<String, Double> scores, double seconds, String worker) implements Serializable {
    }
}

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
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;

import java.io.IOException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.BooleanSupplier;

/**
 * Runs each trial as one Spark task (a job of one partition) in {@link LocalTrialRunner}'s rounds of
 * {@code parallel}: the driver proposes, appends each trial to the sink (its trial log, the one record of the run)
 * as its task ends, and has the strategy observe the round in trial order, so a run here proposes and scores as a
 * local one of the same seed and parallel trials. The executors build the trials' estimator once each from a
 * broadcast {@link Source} (the space and the images cross the network once per executor, not per trial); a task
 * lost with its executor, or failed otherwise, is retried elsewhere by Spark ({@code spark.task.maxFailures}); a
 * trial's own error (a child that cannot be trained) fails the run as it does here, tried once.
 */
public final class SparkTrialRunner implements TrialRunner {
    /** Where an executor's trials get their estimator: shipped once per executor, built once per executor JVM. */
    public interface Source extends Serializable {
        Estimator estimator();
    }

    /**
     * Executors' estimators by application and broadcast: one per search, reused by all its trials. Broadcast ids
     * start again in each application, and an embedded master's executor is this JVM, which runs one search after
     * another: an ended search's entry is {@link #ENDED} (a few bytes a search), its estimator closed.
     */
    private static final Map<String, Estimator> BUILT = new ConcurrentHashMap<>();
    /** In {@link #BUILT} once a search has ended: a task of it that starts late builds nothing and trains nothing. */
    private static final Estimator ENDED = new Estimator() {
        @Override
        public Scores estimate(Architecture a, long seed) throws EstimateException {
            throw new EstimateException("the search ended before this trial started");
        }

        @Override
        public String name() {
            return "ended";
        }
    };

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
        SparkConf conf = Masters.conf(master, System.getenv());
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf);
        } catch (Exception e) { // Spark's SparkException is a checked one, thrown from Scala
            throw new EstimateException("no Spark application could start on " + master + ": " + why(e).substring(2), e);
        }
        try (JavaSparkContext sc = context) {
            Broadcast<Source> shipped = sc.broadcast(source);
            String key = sc.sc().applicationId() + "/" + shipped.id();
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                    listener.warning("executor " + removed.executorId() + " lost (" + removed.reason() + "): its trials run again on another");
                }
            });
            // Cancel ends the trials' tasks, as it ends a local trial's training; stop waits for them between rounds, but a
            // cluster whose workers never take the trials (none registered, too few cores or too little memory) would
            // wait for ever, and would look hung without a word.
            boolean embedded = master.startsWith("local");
            // Executors counted as they are, not from their events: some register before a listener can be added.
            IntSupplier executors = () -> embedded ? 1 : Math.max(0, sc.sc().statusTracker().getExecutorInfos().length - 1); // less the driver
            AtomicBoolean joined = new AtomicBoolean();
            long since = System.nanoTime();
            long patience = TimeUnit.SECONDS.toNanos(sc.getConf().getTimeAsSeconds(NO_EXECUTOR_WARNING, "20s"));
            Thread watch = new Thread(() -> {
                try {
                    boolean said = embedded;
                    while (!cancel.getAsBoolean() && !(stop.getAsBoolean() && executors.getAsInt() == 0)) {
                        Thread.sleep(200);
                        int live = executors.getAsInt();
                        joined.compareAndSet(false, live > 0);
                        if (!said && live == 0 && System.nanoTime() - since > patience) {
                            said = true;
                            int cpus = sc.getConf().getInt("spark.task.cpus", 1);
                            listener.warning("no executor has joined on " + master + " yet: the trials wait for a worker with "
                                    + (cpus == 1 ? "a free core" : cpus + " free cores") + " and " + sc.getConf().get("spark.executor.memory", "1g")
                                    + " of memory (spark.task.cpus, spark.executor.memory); stopping the search ends the wait");
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
                        if (o.failure() != null) { // the trial's own error: it fails as it would here, tried once
                            throw new EstimateException("trial " + index + " failed on " + o.worker() + ": " + o.failure());
                        }
                    } catch (EstimateException e) {
                        throw e;
                    } catch (Exception e) { // Spark's own exceptions are checked ones, thrown from Scala
                        // Ctrl+C stops the context too (Spark's shutdown hook): a cancel is said as one
                        if (cancel.getAsBoolean()) {
                            throw new EstimateException("trial " + index + " was stopped on the cluster before it ended");
                        }
                        if (stop.getAsBoolean() && executors.getAsInt() == 0) {
                            throw new EstimateException(joined.get()
                                    ? "stopped while no executor was left on " + master + " to end trial " + index + "; the trials logged are kept"
                                    : "stopped before any executor joined on " + master + ": no trial ran there");
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
                // An embedded master's executor is this JVM, which goes on: the trainings a failed or cancelled round
                // left running end now (a standalone executor's end with the application).
                if (BUILT.put(key, ENDED) instanceof AutoCloseable trainings) {
                    try {
                        trainings.close();
                    } catch (Exception e) {
                        listener.warning("the trials left running could not be stopped: " + e.getMessage());
                    }
                }
            }
        }
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

    /**
     * On an executor: the trial's scores, seconds and where it ran, or its own error (a child that cannot be trained
     * fails as it would here; Spark's retries are for tasks lost with their executor, or that failed otherwise).
     */
    private static Outcome estimate(Broadcast<Source> shipped, String key, Map<String, Object> raw, long trialSeed) {
        Estimator e = BUILT.computeIfAbsent(key, k -> shipped.value().estimator());
        long t0 = System.nanoTime();
        try {
            Scores s = e.estimate(SearchEvents.Trial.architecture(raw), trialSeed);
            return new Outcome(new LinkedHashMap<>(s.values()), (System.nanoTime() - t0) / 1e9, here(), null);
        } catch (EstimateException failed) {
            return new Outcome(new LinkedHashMap<>(), (System.nanoTime() - t0) / 1e9, here(), failed.getMessage());
        }
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

    /** What a task sends back: scores, or the trial's own error ({@code failure}). */
    record Outcome(LinkedHashMap<String, Double> scores, double seconds, String worker, String failure) implements Serializable {
    }
}

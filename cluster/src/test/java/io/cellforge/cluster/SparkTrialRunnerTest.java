package io.cellforge.cluster;

import io.cellforge.arch.Architecture;
import io.cellforge.trial.EstimateException;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialRun;
import io.cellforge.trial.TrialRunner;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Subnet trials as Spark tasks on an embedded {@code local[2]}: the scores of the local runner, failed tasks retried. */
class SparkTrialRunnerTest {

    static void assertSameTrials(TrialRun expected, TrialRun actual) {
        assertEquals(expected.trials().size(), actual.trials().size());
        for (int i = 0; i < expected.trials().size(); i++) {
            Trial a = expected.trials().get(i);
            Trial b = actual.trials().get(i);
            assertEquals(a.architecture(), b.architecture(), "trial " + i);
            assertEquals(a.seed(), b.seed(), "trial " + i);
            assertEquals(a.scores().values(), b.scores().values(), "trial " + i);
        }
        assertEquals(expected.best().map(Trial::index), actual.best().map(Trial::index));
    }

    @Test
    void aGridOnSparkScoresAsTheLocalRunnerWithTheSameSeed() throws Exception {
        TrialRun here = Tiny.grid(new LocalTrialRunner(2), 4, TrialRunner.Sink.NONE);
        List<Trial> logged = Collections.synchronizedList(new ArrayList<>());
        TrialRun spark = Tiny.grid(new SparkTrialRunner("local[2]", Tiny.job(), 2), 4, logged::add);
        assertSameTrials(here, spark);
        assertEquals(4, logged.size(), "every trial reached the sink");
        assertTrue(logged.stream().allMatch(t -> t.worker().endsWith("executor driver")), logged.toString());
    }

    /** The subnet trials, but the first try of trial 1's task dies. */
    record FailingOnce(SubNetJob job) implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            Estimator inner = job.estimator();
            long failing = TrialRunner.trialSeed(Tiny.SEED, 1);
            return new Estimator() {
                @Override
                public Scores estimate(Architecture a, long seed) throws EstimateException {
                    if (seed == failing && TaskContext.get().attemptNumber() == 0) {
                        throw new IllegalStateException("the executor lost its trial");
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
    void aTrialWhoseTaskFailsOnceIsRetriedAndKept() throws Exception {
        TrialRun here = Tiny.grid(new LocalTrialRunner(2), 4, TrialRunner.Sink.NONE);
        List<Trial> logged = Collections.synchronizedList(new ArrayList<>());
        // local[2,2]: two cores, two tries a task
        TrialRun spark = Tiny.grid(new SparkTrialRunner("local[2,2]", new FailingOnce(Tiny.job()), 2), 4, logged::add);
        assertEquals(4, logged.size());
        assertSameTrials(here, spark);
    }

    static final java.util.concurrent.atomic.AtomicInteger TRIES = new java.util.concurrent.atomic.AtomicInteger();

    /** Trials that fail by themselves, as a child too large for the executor does. */
    record AlwaysFailing() implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            return new Estimator() {
                @Override
                public Scores estimate(Architecture a, long seed) throws EstimateException {
                    TRIES.incrementAndGet();
                    throw new EstimateException("the child network cannot be trained: out of memory");
                }

                @Override
                public String name() {
                    return "subnet";
                }
            };
        }
    }

    @Test
    void aTrialThatFailsByItselfEndsTheRunWithItsOwnMessageTriedOnceAsHere() throws Exception {
        TRIES.set(0);
        EstimateException e = assertThrows(EstimateException.class,
                () -> Tiny.grid(new SparkTrialRunner("local[1,2]", new AlwaysFailing(), 1), 2, TrialRunner.Sink.NONE));
        assertTrue(e.getMessage().matches("trial 0 failed on host \\S+ executor driver: the child network cannot be trained: out of memory"),
                e.getMessage());
        assertEquals(1, TRIES.get(), "Spark's retries are for lost tasks, not for a trial's own error");
    }

    /** Trials whose task dies every time, as on an executor that cannot run them. */
    record AlwaysDying() implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            return new Estimator() {
                @Override
                public Scores estimate(Architecture a, long seed) {
                    throw new IllegalStateException("no native library for this CPU");
                }

                @Override
                public String name() {
                    return "subnet";
                }
            };
        }
    }

    @Test
    void aTaskThatDiesEveryTryEndsTheRunWithItsLastMessage() throws Exception {
        EstimateException e = assertThrows(EstimateException.class,
                () -> Tiny.grid(new SparkTrialRunner("local[1,2]", new AlwaysDying(), 1), 2, TrialRunner.Sink.NONE));
        assertTrue(e.getMessage().startsWith("trial 0 failed on the cluster after 2 tries: ") && e.getMessage().contains("no native library for this CPU")
                && !e.getMessage().contains("\tat "), e.getMessage());
    }

    @Test
    void aStopLetsTheTrialsRunningEndAndEndsTheRunBetweenRoundsAsALocalStopDoes() throws Exception {
        TrialRun here = Tiny.grid(new LocalTrialRunner(2), 2, TrialRunner.Sink.NONE);
        List<Trial> logged = Collections.synchronizedList(new ArrayList<>());
        TrialRun spark = Tiny.grid(new SparkTrialRunner("local[2]", Tiny.job(), 2), 6, logged::add, () -> !logged.isEmpty());
        assertFalse(spark.completed());
        assertEquals(2, logged.size(), "the round running when the stop came ended and was logged: " + logged);
        assertSameTrials(here, spark);
    }

    /** Set by a test: the blocked trials may return. */
    static final java.util.concurrent.atomic.AtomicBoolean RELEASE = new java.util.concurrent.atomic.AtomicBoolean();
    static final java.util.concurrent.atomic.AtomicBoolean BLOCKED = new java.util.concurrent.atomic.AtomicBoolean();

    /** Trials that run until released, as a long training does. */
    record Blocking() implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            return new Estimator() {
                @Override
                public Scores estimate(Architecture a, long seed) throws EstimateException {
                    BLOCKED.set(true);
                    while (!RELEASE.get()) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            throw new EstimateException("interrupted", e);
                        }
                    }
                    return new Scores(java.util.Map.of(Scores.ACCURACY, 0.5));
                }

                @Override
                public String name() {
                    return "subnet";
                }
            };
        }
    }

    @Test
    void aCancelEndsTheTrialsWhereTheyAre() throws Exception {
        RELEASE.set(false);
        BLOCKED.set(false);
        try {
            EstimateException e = assertThrows(EstimateException.class, () -> Tiny.grid(new SparkTrialRunner("local[1]", new Blocking(), 1, BLOCKED::get),
                    2, TrialRunner.Sink.NONE));
            assertEquals("trial 0 was stopped on the cluster before it ended", e.getMessage());
        } finally {
            RELEASE.set(true);
        }
    }

    static final List<Integer> THREADS = Collections.synchronizedList(new ArrayList<>());

    /** The subnet trials, their estimator's threads a trial noted as the executor builds it. */
    record Noting(SubNetJob job) implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            SubNetJob.Trainings e = job.estimator();
            THREADS.add(e.estimator().threadsPerTrial());
            return e;
        }
    }

    @Test
    void aTaskOfSeveralCpusTrainsWithAsManyThreadsAsALocalTrialAloneDoes() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        io.cellforge.trial.Objective o = io.cellforge.trial.Objective.of(Scores.ACCURACY);
        // alone here: all the cores are its threads
        io.cellforge.trial.SubNetEstimator alone = new io.cellforge.trial.SubNetEstimator(Tiny.space(), Tiny.digits(), Tiny.config(), 0.8, 1, null,
                new io.cellforge.search.SearchControl());
        assertEquals(cores, alone.threadsPerTrial());
        TrialRun here = new LocalTrialRunner(1).run(io.cellforge.trial.Strategies.create("grid", io.cellforge.trial.DecisionSpace.of(Tiny.space()), o,
                Tiny.SEED), alone, o, 2, Tiny.SEED, List.of(), TrialRunner.Sink.NONE, new io.cellforge.search.SearchEvents.Listener() { }, () -> false);
        THREADS.clear();
        System.setProperty("spark.task.cpus", String.valueOf(cores));
        TrialRun spark;
        try {
            spark = Tiny.grid(new SparkTrialRunner("local[" + cores + "]", new Noting(Tiny.job()), 1), 2, TrialRunner.Sink.NONE);
        } finally {
            System.clearProperty("spark.task.cpus");
        }
        assertEquals(List.of(cores), THREADS, "a task of " + cores + " cpus trains with as many threads");
        assertSameTrials(here, spark);

        THREADS.clear();
        Tiny.grid(new SparkTrialRunner("local[" + cores + "]", new Noting(Tiny.job()), 1), 1, TrialRunner.Sink.NONE);
        assertEquals(List.of(1), THREADS, "one thread a task by default, as many tasks at once as cores");
    }

    /** How the long trial of {@link FailingBesideALongOne} ended: its error's message. */
    static final java.util.concurrent.atomic.AtomicReference<String> LONG_ONE = new java.util.concurrent.atomic.AtomicReference<>();
    static final CountDownLatch LONG_ONE_TRAINING = new CountDownLatch(1);

    /** Trial 1 trains for 1,000 epochs unless stopped; trial 0, beside it, fails once trial 1 trains. */
    record FailingBesideALongOne(SubNetJob longJob) implements SparkTrialRunner.Source {
        @Override
        public Estimator estimator() {
            SubNetJob.Trainings inner = longJob.estimator();
            long failing = TrialRunner.trialSeed(Tiny.SEED, 0);
            final class Both implements Estimator, AutoCloseable {
                @Override
                public Scores estimate(Architecture a, long seed) throws EstimateException {
                    if (seed == failing) {
                        try {
                            LONG_ONE_TRAINING.await(StandaloneClusterTest.LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new EstimateException("this child cannot be trained");
                    }
                    LONG_ONE_TRAINING.countDown();
                    try {
                        return inner.estimate(a, seed);
                    } catch (EstimateException e) {
                        LONG_ONE.set(e.getMessage());
                        throw e;
                    }
                }

                @Override
                public String name() {
                    return inner.name();
                }

                @Override
                public void close() {
                    inner.close();
                }
            }
            return new Both();
        }
    }

    @Test
    void onAnEmbeddedMasterTheTrainingsARunLeavesRunningEndWithIt() throws Exception {
        LONG_ONE.set(null);
        SubNetJob longJob = SubNetJob.of(Tiny.space(), Tiny.digits(), io.cellforge.train.Retrain.Config.darts(1000, 32, Tiny.SEED), 0.8);
        EstimateException e = assertThrows(EstimateException.class,
                () -> Tiny.grid(new SparkTrialRunner("local[2]", new FailingBesideALongOne(longJob), 2), 2, TrialRunner.Sink.NONE));
        assertTrue(e.getMessage().endsWith(": this child cannot be trained"), e.getMessage());
        // not after its 1,000 epochs: the run's end stopped it (the test's limit guards against a training that goes on)
        StandaloneClusterTest.await("the long trial stopped", Path.of("."), () -> LONG_ONE.get() != null);
        assertEquals("the trial was stopped before its 1000 epochs ended", LONG_ONE.get());
    }
}

package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.search.SearchEvents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Runs up to {@code parallel} trials at once from threads of this machine. Trials go in rounds of {@code parallel}:
 * the round's architectures are all proposed first, estimated at once, and observed in the order of their numbers
 * when all have ended, so that the strategy sees the same sequence whatever the threads' timing (and a run resumed
 * from its log, with the same number of parallel trials, ends as an uninterrupted one). Each trial is estimated
 * {@link Worker where} the runner is told: here by the run's estimator, or on a cluster's worker.
 */
public final class LocalTrialRunner implements TrialRunner {
    /** Where a trial is estimated; called from the runner's threads, one trial a call. */
    public interface Worker {
        /** Trial {@code index}, architecture {@code a}, scored with {@code trialSeed}; {@code here} is the run's estimator. */
        Trial estimate(int index, Architecture a, long trialSeed, Estimator here) throws EstimateException;

        /** On this machine, by the run's estimator. */
        Worker HERE = (index, a, trialSeed, here) -> {
            long t0 = System.nanoTime();
            Scores s = here.estimate(a, trialSeed);
            return new Trial(index, a, s, (System.nanoTime() - t0) / 1e9, trialSeed);
        };
    }

    private final int parallel;
    private final Worker worker;

    public LocalTrialRunner(int parallel) {
        this(parallel, Worker.HERE);
    }

    /** Rounds of {@code parallel} trials, each estimated by {@code worker}. */
    public LocalTrialRunner(int parallel, Worker worker) {
        if (parallel < 1) {
            throw new IllegalArgumentException("at least one trial at a time");
        }
        this.parallel = parallel;
        this.worker = worker;
    }

    public int parallel() {
        return parallel;
    }

    @Override
    public TrialRun run(TrialStrategy strategy, Estimator estimator, Objective objective, int budget, long seed, List<Trial> logged,
                        Sink sink, SearchEvents.Listener listener, BooleanSupplier stop) throws EstimateException, IOException {
        long start = System.nanoTime();
        Map<Integer, Trial> earlier = new HashMap<>();
        for (Trial t : logged) {
            earlier.put(t.index(), t);
        }
        int replayed = (int) logged.stream().filter(t -> t.index() < budget).count();
        if (replayed > 0) {
            listener.trialsResumed(replayed);
        }
        List<Trial> done = new ArrayList<>();
        Optional<Trial> best = Optional.empty();
        boolean exhausted = false;
        ExecutorService pool = parallel > 1 ? Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "trial");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            while (done.size() < budget && !exhausted) {
                // Replayed trials never ask to stop: only new work does.
                boolean allLogged = true;
                for (int i = done.size(); i < Math.min(budget, done.size() + parallel); i++) {
                    allLogged &= earlier.containsKey(i);
                }
                if (!allLogged && stop.getAsBoolean()) {
                    break;
                }
                int first = done.size();
                List<Architecture> round = new ArrayList<>();
                while (round.size() < Math.min(parallel, budget - first)) {
                    Optional<Architecture> a = strategy.propose();
                    if (a.isEmpty()) {
                        exhausted = true;
                        break;
                    }
                    round.add(a.get());
                }
                List<Trial> scored = estimateRound(round, first, estimator, seed, earlier, sink, pool);
                for (Trial t : scored) {
                    strategy.observe(t);
                    done.add(t);
                    if (objective.feasible(t.scores())
                            && (best.isEmpty() || objective.fitness(t.scores()) > objective.fitness(best.get().scores()))) {
                        best = Optional.of(t);
                    }
                    listener.trial(t.event(budget, best, earlier.containsKey(t.index())));
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return new TrialRun(done, objective, done.size() >= budget || exhausted, (System.nanoTime() - start) / 1e9);
    }

    private List<Trial> estimateRound(List<Architecture> round, int first, Estimator estimator, long seed, Map<Integer, Trial> earlier,
                                      Sink sink, ExecutorService pool) throws EstimateException, IOException {
        List<Future<Trial>> running = new ArrayList<>();
        Trial[] out = new Trial[round.size()];
        for (int j = 0; j < round.size(); j++) {
            int index = first + j;
            Architecture a = round.get(j);
            Trial old = earlier.get(index);
            if (old != null) {
                if (!old.architecture().equals(a)) {
                    throw TrialRunner.mismatch(index, old.architecture(), a);
                }
                out[j] = old;
                continue;
            }
            if (pool == null) {
                out[j] = estimate(index, a, estimator, seed, sink);
            } else {
                int at = j;
                running.add(pool.submit(() -> out[at] = estimate(index, a, estimator, seed, sink)));
            }
        }
        try {
            for (Future<Trial> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while trials ran", e);
        } catch (ExecutionException e) {
            running.forEach(f -> f.cancel(true));
            Throwable c = e.getCause();
            if (c instanceof EstimateException ee) {
                throw ee;
            }
            if (c instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c);
        }
        return List.of(out);
    }

    private Trial estimate(int index, Architecture a, Estimator estimator, long seed, Sink sink) throws EstimateException {
        Trial t = worker.estimate(index, a, TrialRunner.trialSeed(seed, index), estimator);
        try {
            sink.append(t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }
}

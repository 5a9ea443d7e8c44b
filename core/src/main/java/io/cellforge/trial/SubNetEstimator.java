package io.cellforge.trial;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.MemoryEstimate;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.engine.Backend;
import io.cellforge.plan.PlanException;
import io.cellforge.search.SearchControl;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * ModularNAS's SubNetEstimator: each architecture's child network (the architecture fixed into the space, as
 * retraining builds it) trained from scratch by the engine's retraining path ({@link Retrain}) for a few epochs
 * on part of the training images, and scored by its accuracy on the rest of them, the validation images (the
 * test images are never used while searching). It also reports the child's parameters and multiply-adds
 * ({@link Evaluator}), and its latency here when given a {@link LatencyTable}.
 *
 * <p>Trials run side by side: at most {@code parallel} at once (more callers wait), each on its share of the cores
 * ({@link Backend#pinThreads}: cores / parallel OpenMP threads), so that they never oversubscribe the machine and a
 * trial's seed gives the same accuracy whatever else runs. {@link #maxParallel} bounds {@code parallel} by the
 * cores and the memory a trial needs.
 *
 * <p>To construct one: {@code new SubNetEstimator(space, data, Retrain.Config.darts(epochs, batch, 0), 0.8,
 * SubNetEstimator.maxParallel(space, batch, 1), latencyTableOrNull, new SearchControl())}: the config's seed
 * chooses the validation images, each trial trains with its own seed.
 */
public final class SubNetEstimator implements Estimator {
    /** The part of the training images a subnet trial trains on in the CLI and the app; the rest validates it. */
    public static final double TRAIN_PORTION = 0.8;

    private final SearchSpace space;
    private final SearchSpace network;
    private final DataBundle split;
    private final Retrain.Config config;
    private final LatencyTable latency;
    private final SearchControl control;
    private final Semaphore slots;
    private final int threads;
    private final int parallel;

    /**
     * {@code trainPortion}: the part of the training images each child trains on (the rest, the same for every
     * trial, validates it); {@code latency} may be null (no latency reported); {@code control} stops the trials.
     */
    public SubNetEstimator(SearchSpace space, DataBundle data, Retrain.Config config, double trainPortion, int parallel,
                           LatencyTable latency, SearchControl control) {
        if (!(trainPortion > 0 && trainPortion < 1)) {
            throw new IllegalArgumentException("the part of the images a child trains on must be in (0, 1), got " + trainPortion);
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("at least one trial must be able to run, not " + parallel);
        }
        this.space = space;
        this.network = Retrain.finalNetwork(space);
        Dataset[] parts = data.train().split(trainPortion, config.seed());
        this.split = new DataBundle(parts[0], parts[1], data.description());
        this.config = config;
        this.latency = latency;
        this.control = control;
        this.parallel = parallel;
        this.slots = new Semaphore(parallel, true);
        this.threads = Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
    }

    /**
     * How many trials of this space can train at once here: no more than the cores ({@code threadsPerTrial} each),
     * nor than the memory left to the process holds trials of its largest children (the architectures of most
     * parameters and of most multiply-adds, at {@code batch}); at least 1 (a trial too large is refused with its
     * own message when it starts).
     */
    public static int maxParallel(SearchSpace space, int batch, int threadsPerTrial) throws PlanException {
        if (threadsPerTrial < 1) {
            throw new IllegalArgumentException("a trial needs at least one thread, not " + threadsPerTrial);
        }
        int byCores = Math.max(1, Runtime.getRuntime().availableProcessors() / threadsPerTrial);
        Backend.init(); // JavaCPP's cap on native memory is set as ND4J starts
        SpaceStats stats = SpaceStats.of(space);
        SearchSpace net = Retrain.finalNetwork(space);
        long perTrial = 0;
        for (SpaceStats.Extreme e : List.of(stats.maxParams(), stats.maxMacs())) {
            perTrial = Math.max(perTrial, MemoryEstimate.retrain(Evaluator.fixedPlan(net, e.arch()), batch).totalBytes());
        }
        long byMemory = Backend.memoryLimits().availableBytes() / Math.max(1, perTrial);
        return (int) Math.max(1, Math.min(byCores, byMemory));
    }

    @Override
    public Scores estimate(Architecture architecture, long seed) throws EstimateException {
        EstimateException.requireComplete(space, architecture);
        Retrain.Config cfg = new Retrain.Config(config.epochs(), config.batchSize(), seed, config.lr(), config.momentum(),
                config.weightDecay(), config.gradClip(), config.augment(), config.dropPath());
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EstimateException("interrupted while waiting for a free trial slot", e);
        }
        Retrain.Result r;
        try (Backend.ThreadPin pin = Backend.pinThreads(threads)) {
            r = Retrain.run(space, architecture, split, cfg, e -> { }, control);
        } catch (PlanException e) {
            throw new EstimateException("the child network cannot be trained: " + e.getMessage(), e);
        } finally {
            slots.release();
        }
        if (!r.completed()) {
            throw new EstimateException("the trial was stopped before its " + config.epochs() + " epochs ended");
        }
        Scores s = new Scores(Map.of(Scores.ACCURACY, r.testAccuracy()))
                .with(Scores.PARAMS, r.params())
                .with(Scores.MACS, Evaluator.evaluate(network, architecture).macs());
        return LatencyTable.withLatency(s, latency, architecture);
    }

    /** How many trials may train at once, and the OpenMP threads of each. */
    public int parallel() {
        return parallel;
    }

    public int threadsPerTrial() {
        return threads;
    }

    @Override
    public String name() {
        return "subnet";
    }
}

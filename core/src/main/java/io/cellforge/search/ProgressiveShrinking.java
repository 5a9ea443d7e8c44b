package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.MemoryEstimate;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.ElasticNetwork;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.relax.Gates;
import io.cellforge.plan.PlanException;
import io.cellforge.search.ElasticSpace.Phase;
import io.cellforge.space.Place;
import io.cellforge.space.Problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Once-for-All's progressive shrinking (Cai et al., 2020): one elastic network ({@link ElasticNetwork}: every
 * sub-network a slice of the largest one's weights) trained first as its largest network, then with the kernel
 * sizes sampled, then the expansions too, then the depths too ({@link Phase}, the order of this project's brief; the
 * paper shrinks depth before width), the same number of epochs each, a new sub-network every step, each phase on a
 * cosine learning rate of its own. No knowledge distillation from the largest network (OFA's) is done. Then any
 * sub-network is scored with those weights by its accuracy on held-out images: the training images are split, a
 * part to train on, the rest to validate on (the test images are never used). BatchNorm normalises with the
 * statistics of each batch, in training and in scoring, so there are no running statistics to recalibrate: a
 * sub-network's validation batch sets its own, as OFA's recalibration approximates.
 */
public final class ProgressiveShrinking {
    /** Sub-networks compiled and kept for reuse (the largest one trains a whole phase; scores may come back). */
    private static final int KEPT = 16;

    /** {@code epochsPerPhase}: each of the four phases; {@code trainPortion}: the part of the training images trained on. */
    public record Config(int epochsPerPhase, int batchSize, double lr, double momentum, double weightDecay, double trainPortion, long seed) {
        public Config {
            if (epochsPerPhase < 1 || batchSize < 1) {
                throw new IllegalArgumentException("progressive shrinking needs at least one epoch per phase and a batch of at least one, got "
                        + epochsPerPhase + " and " + batchSize);
            }
            if (!(trainPortion > 0 && trainPortion < 1)) {
                throw new IllegalArgumentException("the part of the images trained on must be in (0, 1), got " + trainPortion);
            }
        }

        /** SGD at 0.05 with momentum 0.9 and weight decay 3e-5 (OFA's), on 80% of the training images. */
        public static Config of(int epochsPerPhase, int batchSize, long seed) {
            return new Config(epochsPerPhase, batchSize, 0.05, 0.9, 3e-5, 0.8, seed);
        }
    }

    /** What the training tells as it goes. */
    public interface Listener {
        default void phase(Phase phase, int epochs, int stepsPerEpoch) {
        }

        /** Every step: the sub-network it trained and its loss. */
        default void step(Phase phase, int epoch, int step, Architecture sampled, double loss) {
        }

        default void epoch(Phase phase, int epoch, double meanLoss, double seconds) {
        }
    }

    private final ElasticSpace elastic;
    private final ElasticNetwork network;
    private final Batches valid;
    private final Dataset validData;
    private final Map<Architecture, ElasticNetwork.Sub> kept = new LinkedHashMap<>(KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Architecture, ElasticNetwork.Sub> e) {
            return size() > KEPT;
        }
    };
    private boolean completed = true;

    private ProgressiveShrinking(ElasticSpace elastic, ElasticNetwork network, Batches valid, Dataset validData) {
        this.elastic = elastic;
        this.network = network;
        this.valid = valid;
        this.validData = validData;
    }

    /** Trains the elastic network of {@code elastic} on {@code data}; stopped through {@code control}, it keeps what it learnt. */
    public static ProgressiveShrinking train(ElasticSpace elastic, DataBundle data, Config cfg, Listener listener, SearchControl control)
            throws PlanException {
        var space = elastic.space();
        OneShotSearch.requireFits(space, data);
        var largest = Evaluator.fixedPlan(space, elastic.largest());
        MemoryEstimate.retrain(largest, cfg.batchSize()).check(Backend.memoryLimits()); // before ND4J allocates
        Dataset[] parts = data.train().split(cfg.trainPortion(), cfg.seed());
        if (parts[0].size() == 0 || parts[1].size() == 0) {
            throw new PlanException(List.of(Problem.error(Place.NONE, "progressive shrinking needs images to train on and to validate on; "
                    + data.train().name() + " has " + data.train().size())));
        }
        Backend.init();
        int classes = space.network().classes();
        float[][] stats = data.train().channelStats();
        Batches train = new Batches(parts[0], stats, Math.min(cfg.batchSize(), parts[0].size()), classes, cfg.seed());
        Batches valid = new Batches(parts[1], stats, Math.min(cfg.batchSize(), parts[1].size()), classes, cfg.seed() + 1);
        ProgressiveShrinking ps = new ProgressiveShrinking(elastic, new ElasticNetwork(largest, cfg.momentum(), cfg.weightDecay(), cfg.seed()),
                valid, parts[1]);
        Random rng = new Random(cfg.seed() * 31 + 7);
        int steps = train.stepsPerEpoch();
        for (Phase phase : Phase.values()) {
            listener.phase(phase, cfg.epochsPerPhase(), steps);
            for (int epoch = 0; epoch < cfg.epochsPerPhase(); epoch++) {
                long t0 = System.nanoTime();
                double sum = 0;
                for (int step = 0; step < steps; step++) {
                    if (!control.proceed()) {
                        ps.completed = false;
                        return ps;
                    }
                    Architecture a = elastic.sample(phase, rng);
                    double lr = Optimizers.cosine(cfg.lr(), 0, epoch * steps + step, cfg.epochsPerPhase() * steps);
                    Batches.Batch b = train.next();
                    double loss = ps.sub(a).train(b.x(), b.y(), lr);
                    sum += loss;
                    listener.step(phase, epoch, step, a, loss);
                }
                listener.epoch(phase, epoch, sum / steps, (System.nanoTime() - t0) / 1e9);
            }
        }
        return ps;
    }

    /**
     * The accuracy of a sub-network with the shared weights on the first {@code batches} full validation batches (every
     * full one when fewer). Scores from several threads take turns.
     */
    public synchronized double accuracy(Architecture a, int batches) throws PlanException {
        ElasticNetwork.Sub sub = sub(a);
        sub.load();
        return OneShotSearch.evaluate(sub.network(), valid, validationImages(batches), Gates.NONE)[1];
    }

    /** The first {@code batches} full batches of the validation images (every full one when fewer). */
    Dataset validationImages(int batches) {
        int b = valid.batchSize();
        int n = (int) Math.min((long) batches * b, validData.size() / b * b);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return validData.subset(idx, validData.name());
    }

    /** How the validation images are batched. */
    Batches validation() {
        return valid;
    }

    /** The sub-network of an architecture (compiled once while it stays among the last few used). */
    synchronized ElasticNetwork.Sub sub(Architecture a) throws PlanException {
        ElasticNetwork.Sub s = kept.get(a);
        if (s == null) {
            s = network.sub(Evaluator.fixedPlan(elastic.space(), a));
            kept.put(a, s);
        }
        return s;
    }

    /** The shared weights (the largest network's). */
    public ElasticNetwork network() {
        return network;
    }

    public ElasticSpace elastic() {
        return elastic;
    }

    /** Whether every phase ran all its epochs (the training was not stopped). */
    public boolean completed() {
        return completed;
    }
}

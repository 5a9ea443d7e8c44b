package io.cellforge.train;

import io.cellforge.settings.Augment;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.MemoryEstimate;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.relax.Gates;
import io.cellforge.model.TrainedModel;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.search.SearchControl;
import io.cellforge.space.Network;
import io.cellforge.space.SearchSpace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains the network an architecture chooses from scratch, as the DARTS evaluation does: affine BatchNorm with
 * running statistics, SGD with momentum, cosine schedule to zero, clipping, and optionally drop-path (each
 * non-identity edge op of a cell dropped per sample with a probability rising linearly from 0 to
 * {@code dropPath}); reports accuracy on the test images.
 */
public final class Retrain {
    private Retrain() {
    }

    /**
     * {@code normalisation}: the per-channel mean and std ({@code [2][channels]}) the images are fed with, e.g. the
     * search's (its run folder's {@code data.json}), so that the network and its export see the same numbers;
     * null: from the training images. {@code init}: a saved model of the same network to continue training from (its
     * weights and running statistics); null: from scratch.
     */
    public record Config(int epochs, int batchSize, long seed, double lr, double momentum, double weightDecay, double gradClip,
                         Augment augment, double dropPath, float[][] normalisation, TrainedModel init) {
        public Config(int epochs, int batchSize, long seed, double lr, double momentum, double weightDecay, double gradClip,
                      Augment augment, double dropPath) {
            this(epochs, batchSize, seed, lr, momentum, weightDecay, gradClip, augment, dropPath, null, null);
        }

        public Config {
            // Written so that NaN fails each test.
            if (!(dropPath >= 0 && dropPath < 1)) {
                throw new IllegalArgumentException("drop-path probability must be in [0, 1), got " + dropPath);
            }
            if (!(lr > 0 && lr < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
            }
        }

        /** DARTS's evaluation settings without drop-path (its paper uses 0.2 on CIFAR-10). */
        public static Config darts(int epochs, int batchSize, long seed) {
            return new Config(epochs, batchSize, seed, 0.025, 0.9, 3e-4, 5, Augment.NONE, 0);
        }

        public Config withLr(double l) {
            return new Config(epochs, batchSize, seed, l, momentum, weightDecay, gradClip, augment, dropPath, normalisation, init);
        }

        public Config withAugment(Augment a) {
            return new Config(epochs, batchSize, seed, lr, momentum, weightDecay, gradClip, a, dropPath, normalisation, init);
        }

        public Config withDropPath(double p) {
            return new Config(epochs, batchSize, seed, lr, momentum, weightDecay, gradClip, augment, p, normalisation, init);
        }

        public Config withNormalisation(float[][] n) {
            return new Config(epochs, batchSize, seed, lr, momentum, weightDecay, gradClip, augment, dropPath, n, init);
        }

        public Config withInit(TrainedModel m) {
            return new Config(epochs, batchSize, seed, lr, momentum, weightDecay, gradClip, augment, dropPath, normalisation, m);
        }
    }

    public record Epoch(int epoch, int epochs, double trainLoss, double trainAccuracy, double testAccuracy, double seconds) {
    }

    /** A training step's running figures for its epoch: loss and accuracy so far, and images per second. */
    public record Step(int epoch, int epochs, int step, int steps, double trainLoss, double trainAccuracy, double imagesPerSecond) {
    }

    /**
     * {@code normalisation}: the per-channel mean and std the network was trained and tested with; {@code model}: what
     * was trained, to save ({@link io.cellforge.model.ModelFile}), evaluate or export (null when stopped before the end).
     */
    public record Result(double testAccuracy, long params, List<Epoch> epochs, boolean completed, String backend, float[][] normalisation,
                         TrainedModel model) {
        public Result {
            epochs = List.copyOf(epochs);
        }
    }

    /** The network an architecture of a search space chooses, with affine BatchNorm as a final network has. */
    public static SearchSpace finalNetwork(SearchSpace space) {
        Network n = space.network();
        return space.withNetwork(new Network(n.input(), n.classes(), n.channels(), n.stem(), n.stages(), n.head(),
                n.auxiliary(), true, n.context()));
    }

    public static Result run(SearchSpace space, Architecture arch, DataBundle data, Config cfg, Consumer<Epoch> listener,
                             SearchControl control) throws PlanException {
        return run(space, arch, data, cfg, listener, s -> { }, control);
    }

    /** {@link #run}, telling {@code stepListener} of every step (for a progress bar and its ETA). */
    public static Result run(SearchSpace space, Architecture arch, DataBundle data, Config cfg, Consumer<Epoch> listener,
                             Consumer<Step> stepListener, SearchControl control) throws PlanException {
        io.cellforge.search.OneShotSearch.requireFits(space, data);
        int classes = space.network().classes();
        SearchSpace fin = finalNetwork(space);
        Plan plan = Evaluator.fixedPlan(fin, arch);
        io.cellforge.search.OneShotSearch.requireContext(space, data, plan.contextFeatures());
        MemoryEstimate.retrain(plan, cfg.batchSize()).check(io.cellforge.engine.Backend.memoryLimits()); // before ND4J allocates
        String backend = Backend.init();
        CompiledNetwork net = new CompiledNetwork(plan,
                CompiledNetwork.Options.retrain(cfg.seed()));
        if (cfg.init() != null) {
            try {
                cfg.init().assignTo(net);
            } catch (TrainedModel.MismatchException e) {
                throw new IllegalArgumentException("the model to continue from is not this network: " + e.getMessage(), e);
            }
        }
        // A continued model keeps being fed as it was trained.
        float[][] stats = cfg.normalisation() != null ? cfg.normalisation()
                : cfg.init() != null ? cfg.init().normalisation() : data.train().channelStats();
        if (stats[0].length != data.train().shape().channels()) {
            throw new IllegalArgumentException("a normalisation of " + stats[0].length + " channels for images of "
                    + data.train().shape().channels());
        }
        Batches train = new Batches(data.train(), stats, Math.min(cfg.batchSize(), data.train().size()), classes, cfg.seed())
                .augmented(cfg.augment());
        Optimizers.Sgd sgd = new Optimizers.Sgd(cfg.momentum(), cfg.weightDecay());
        Map<String, INDArray> weights = net.weights();
        List<Epoch> history = new ArrayList<>();
        boolean completed = true;
        double test = 0;
        for (int epoch = 0; epoch < cfg.epochs() && completed; epoch++) {
            long t0 = System.nanoTime();
            double lr = Optimizers.cosine(cfg.lr(), 0, epoch, cfg.epochs());
            net.setDropPath(cfg.dropPath() * epoch / cfg.epochs());
            double loss = 0;
            int correct = 0;
            int seen = 0;
            int steps = train.stepsPerEpoch();
            for (int step = 0; step < steps; step++) {
                if (control.isStopped()) {
                    completed = false;
                    break;
                }
                Batches.Batch b = train.next();
                CompiledNetwork.Result og = net.train(b, Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS));
                Map<String, INDArray> grads = new HashMap<>(og.gradients());
                Optimizers.clipGradNorm(grads, cfg.gradClip());
                sgd.step(weights, grads, lr);
                loss += og.loss();
                correct += Batches.correct(og.logits(), b.labels());
                seen += b.labels().length;
                stepListener.accept(new Step(epoch, cfg.epochs(), step, steps, loss / (step + 1), (double) correct / seen,
                        seen / Math.max(1e-9, (System.nanoTime() - t0) / 1e9)));
            }
            if (!completed || seen == 0) {
                break; // a stopped epoch is not reported as one
            }
            test = accuracy(net, train, data.test(), cfg.batchSize());
            Epoch e = new Epoch(epoch, cfg.epochs(), loss / Math.max(1, seen / train.batchSize()), (double) correct / seen, test,
                    (System.nanoTime() - t0) / 1e9);
            history.add(e);
            listener.accept(e);
        }
        // A stopped run's weights moved on after its last test: no model whose accuracy would not be its own.
        TrainedModel model = !completed || history.isEmpty() ? null : TrainedModel.of(fin, arch, net, classNames(data, classes), stats, test,
                cfg.batchSize());
        return new Result(test, net.parameterCount(), history, completed, backend, stats, model);
    }

    /**
     * The names of the network's {@code classes} outputs: the training images' names, then the test images' where
     * those have more, then the output's number (a network may have more classes than its data show).
     */
    static List<String> classNames(DataBundle d, int classes) {
        List<String> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            out.add(c < d.train().classNames().size() ? d.train().classNames().get(c)
                    : c < d.test().classNames().size() ? d.test().classNames().get(c) : Integer.toString(c));
        }
        return out;
    }

    /** Accuracy in inference mode (running statistics) over every image of {@code d}, remainder included. */
    public static double accuracy(CompiledNetwork net, Batches normaliser, Dataset d, int batch) {
        int ok = 0;
        for (int start = 0; start < d.size(); start += batch) {
            int n = Math.min(batch, d.size() - start);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = start + i;
            }
            Batches.Batch b = normaliser.make(d, idx);
            ok += Batches.correct(net.evaluate(b, Gates.NONE).logits(), b.labels());
        }
        return (double) ok / d.size();
    }
}

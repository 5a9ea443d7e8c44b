package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.MemoryEstimate;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.Checkpoint;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.engine.relax.Gates;
import io.cellforge.io.LoadException;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.space.SearchSpace;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One-shot search: the supernet of a space trained on half of the training images while a {@link Strategy}
 * moves its architecture weights (on the other half, for bilevel strategies), then the architecture derived
 * from them. {@code darts}, {@code darts2}: DARTS first and second order. {@code gdas}, {@code snas}: Gumbel-softmax
 * relaxations. {@code spos}: single-path training and evolution. {@code proxyless}: ProxylessNAS-G's binary gates;
 * {@code proxyless-uniform}: the same with paths drawn uniformly (ModularNAS's BinGateUniform).
 */
public final class OneShotSearch {
    /** SPOS evolution: population, parents, children of each kind per generation, mutation probability. */
    static final int POPULATION = 20;
    static final int PARENTS = 5;
    static final int CHILDREN = 10;
    static final double MUTATION = 0.1;
    /** Validation batches a candidate is judged on during the evolution. */
    static final int FITNESS_BATCHES = 4;

    private final SearchSpace space;
    private final DataBundle data;
    private final SearchConfig cfg;
    private final List<CostTerm> costs;

    public OneShotSearch(SearchSpace space, DataBundle data, SearchConfig cfg) {
        this(space, data, cfg, List.of());
    }

    /** {@code costs}: budgets whose expected cost joins the architecture loss (ProxylessNAS's latency loss, for any cost). */
    public OneShotSearch(SearchSpace space, DataBundle data, SearchConfig cfg, List<CostTerm> costs) {
        this.space = space;
        this.data = data;
        this.cfg = cfg;
        this.costs = List.copyOf(costs);
    }

    public SearchResult run(SearchEvents.Listener listener, SearchControl control) throws PlanException {
        try {
            return run(listener, control, null, null);
        } catch (LoadException | IOException e) {
            throw new IllegalStateException("no checkpoint was involved", e);
        }
    }

    /**
     * Runs, saving a checkpoint into {@code checkpoint} (if given) after every epoch and when stopped, and
     * continuing from {@code resume} (if given) exactly where that run stood.
     */
    public SearchResult run(SearchEvents.Listener listener, SearchControl control, Path checkpoint, Path resume)
            throws PlanException, LoadException, IOException {
        Trained t = train(listener, control, checkpoint, resume, null);
        if (t.strategy().evolves()) {
            Architecture best = t.completed() ? evolve(t.net(), t.valid(), t.validData(), listener, control)
                    : Sampling.uniform(space, t.net().plan(), t.net().pruned(), new Random(cfg.seed()));
            return new SearchResult(best, oneHot(best), t.history(), t.completed() && !control.isStopped(), t.backend(), t.steering());
        }
        Map<String, double[]> p = t.net().probabilities();
        return new SearchResult(Derivation.derive(space, p), p, t.history(), t.completed(), t.backend(), t.steering());
    }

    /**
     * A single-path supernet trained by SPOS (the weights its evolution scores paths with), for scoring
     * architectures of the space by their path's accuracy on validation images. One pass at a time: scoring from
     * several threads takes turns.
     */
    public static final class Supernet {
        private final CompiledNetwork net;
        private final Batches valid;
        private final Dataset validData;
        private final boolean completed;

        private Supernet(CompiledNetwork net, Batches valid, Dataset validData, boolean completed) {
            this.net = net;
            this.valid = valid;
            this.validData = validData;
            this.completed = completed;
        }

        /**
         * The accuracy of an architecture's path on the first {@code batches} full validation batches (as SPOS's
         * evolution judges, with {@value OneShotSearch#FITNESS_BATCHES}), or on every full one when fewer; keys the architecture
         * does not decide take their first candidate.
         */
        public synchronized double accuracy(Architecture a, int batches) {
            return fitness(net, valid, validData, a, batches);
        }

        /** Whether its training ran every epoch (it was not stopped). */
        public boolean completed() {
            return completed;
        }

        /** Its weights by name, live: the next stage of a chain copies them, tests compare them. */
        Map<String, INDArray> weights() {
            return net.weights();
        }
    }

    /**
     * Trains the supernet as {@link #run} does, without the evolution after it; the strategy must be a single-path
     * one ({@code spos}).
     */
    public Supernet trainSupernet(SearchEvents.Listener listener, SearchControl control) throws PlanException {
        return trainSupernet(listener, control, null);
    }

    /**
     * As {@link #trainSupernet(SearchEvents.Listener, SearchControl)}, the weights starting from those of
     * {@code warm} (a supernet of the same space trained before, a chain's warm-up) instead of a fresh
     * initialisation; null for a fresh one. {@code warm} itself is left as it was.
     */
    public Supernet trainSupernet(SearchEvents.Listener listener, SearchControl control, Supernet warm) throws PlanException {
        if (!Strategy.of(cfg.strategy()).evolves()) {
            throw new IllegalArgumentException("a supernet to score paths with is trained by spos, not " + cfg.strategy());
        }
        try {
            Trained t = train(listener, control, null, null, warm);
            return new Supernet(t.net(), t.valid(), t.validData(), t.completed());
        } catch (LoadException | IOException e) {
            throw new IllegalStateException("no checkpoint was involved", e);
        }
    }

    /** What the training of the supernet leaves for the derivation. */
    private record Trained(Strategy strategy, CompiledNetwork net, Batches valid, Dataset validData, List<SearchEvents.Epoch> history,
                           List<Steer> steering, boolean completed, String backend) {
    }

    private Trained train(SearchEvents.Listener listener, SearchControl control, Path checkpoint, Path resume, Supernet warm)
            throws PlanException, LoadException, IOException {
        requireFits(space, data);
        int classes = space.network().classes();
        Plan plan = Evaluator.supernetPlan(space);
        requireContext(space, data, plan.contextFeatures());
        MemoryEstimate.search(plan, cfg.batchSize()).check(io.cellforge.engine.Backend.memoryLimits()); // before ND4J allocates
        Dataset[] halves = data.train().split(cfg.trainPortion(), cfg.seed());
        if (halves[1].size() == 0) {
            throw new PlanException(List.of(io.cellforge.space.Problem.error(io.cellforge.space.Place.NONE, "the search needs at least 2 training "
                    + "images (one to train the weights on, one to choose on); " + data.train().name() + " has " + data.train().size())));
        }
        String backend = Backend.init();
        float[][] stats = data.train().channelStats();
        Batches train = new Batches(halves[0], stats, Math.min(cfg.batchSize(), halves[0].size()), classes, cfg.seed())
                .augmented(cfg.augment());
        Batches valid = new Batches(halves[1], stats, Math.min(cfg.batchSize(), halves[1].size()), classes, cfg.seed() + 1);
        Strategy strategy = Strategy.of(cfg.strategy());
        CompiledNetwork net = new CompiledNetwork(plan,
                CompiledNetwork.Options.darts(cfg.seed()).withMixedOp(strategy.mixedOp()));
        Optimizers.Sgd sgd = new Optimizers.Sgd(cfg.momentum(), cfg.weightDecay());
        Optimizers.Adam adam = new Optimizers.Adam(cfg.archBeta1(), cfg.archBeta2(), cfg.archWeightDecay());
        Map<String, INDArray> weights = net.weights();
        Map<String, INDArray> arch = net.arch();
        if (warm != null) {
            startFrom(weights, warm.weights());
        }
        Strategy.Context context = new Strategy.Context(space, net, sgd, cfg);
        boolean bilevel = strategy.bilevel() && !arch.isEmpty();
        boolean jointly = !strategy.bilevel() && !arch.isEmpty(); // SNAS: one pass gives both gradients
        int steps = Math.min(train.stepsPerEpoch(), valid.stepsPerEpoch());
        List<SearchEvents.Epoch> history = new ArrayList<>();
        List<Steer> steering = new ArrayList<>();
        int startEpoch = 0;
        int startStep = 0;
        double[] sums = new double[4]; // train loss, valid loss, correct, seen: the running sums of the current epoch
        if (resume != null) {
            Checkpoint ck = Checkpoint.open(resume);
            String ckStrategy = ck.string("strategy");
            String ckSpace = ck.string("space");
            if (!space.name().equals(ckSpace) || !cfg.strategy().equals(ckStrategy)) {
                throw new LoadException(resume.toString(), "this checkpoint is of a " + Checkpoint.shown(ckStrategy) + " search of '"
                        + Checkpoint.shown(ckSpace) + "', not of a " + cfg.strategy() + " search of '" + space.name() + "'");
            }
            // Resuming continues the run as it was started: same settings (more epochs may be asked for).
            ck.requireSame("config", cfg.toMap(), java.util.Set.of("epochs"));
            // requireSame reads only the keys this run has: a warm-up (written only when set) is compared both ways.
            Object warmup = ck.map("config").getOrDefault("warmup", 0);
            if (!(warmup instanceof Number w) || w.doubleValue() != cfg.warmup()) {
                throw ck.error("config.warmup", "is " + Checkpoint.shown(String.valueOf(warmup)) + " but this run's is " + cfg.warmup()
                        + ": resume with the settings the run was started with");
            }
            ck.whole(ck.map("config").get("epochs"), 1, Integer.MAX_VALUE, "config.epochs");
            startEpoch = ck.integer("epoch", 0, cfg.epochs());
            startStep = ck.integer("step", 0, startEpoch == cfg.epochs() ? 0 : Math.max(0, steps - 1));
            long stepsDone = (long) startEpoch * steps + startStep;
            int adamSteps = ck.integer("adam_steps", 0, (int) Math.min(Integer.MAX_VALUE, stepsDone));
            int[] t = position(ck, "train_batches", startEpoch, halves[0].size());
            int[] v = position(ck, "valid_batches", startEpoch, halves[1].size());
            List<?> sm = ck.list("sums", 4);
            sums[0] = ck.number(sm.get(0), "sums[0]");
            sums[1] = ck.number(sm.get(1), "sums[1]");
            long seenMax = (long) startStep * train.batchSize();
            sums[3] = ck.whole(sm.get(3), 0, seenMax, "sums[3]");
            sums[2] = ck.whole(sm.get(2), 0, (long) sums[3], "sums[2]");
            List<?> epochs = ck.list("history", startEpoch);
            for (int i = 0; i < epochs.size(); i++) {
                history.add(epochFromCheckpoint(ck, epochs.get(i), i));
            }
            if (!history.isEmpty()) {
                // a collapse already told before the stop is not told again
                collapsing = Collapse.read(space, history.get(history.size() - 1).weights()).collapsing();
            }
            if (ck.has("steering")) {
                for (Object o : ck.list("steering", -1)) {
                    String field = "steering[" + steering.size() + "]";
                    if (!(o instanceof Map<?, ?> m)) {
                        throw ck.error(field, "must be an object");
                    }
                    try {
                        Steer st = Steer.fromJson(m);
                        steer(net, st);
                        steering.add(st);
                    } catch (IllegalArgumentException e) {
                        throw ck.error(field, e.getMessage());
                    }
                }
            }
            // Every field is known good; now the arrays, each file checked before ND4J sees it.
            ck.restore("weights", weights);
            ck.restore("arch", arch);
            sgd.state().putAll(ck.restoreSome("sgd", weights));
            adam.firstMoments().putAll(ck.restoreSome("adam_m", arch));
            adam.secondMoments().putAll(ck.restoreSome("adam_v", arch));
            adam.restoreSteps(adamSteps);
            train.seek(t[0], t[1]);
            valid.seek(v[0], v[1]);
        }
        listener.started(backend, cfg, steps);
        if (resume != null) {
            listener.resumed(startEpoch, startStep);
        }
        boolean completed = true;
        for (int epoch = startEpoch; epoch < cfg.epochs() && completed; epoch++) {
            long t0 = System.nanoTime();
            double lr = Optimizers.cosine(cfg.lr(), cfg.lrMin(), epoch, cfg.epochs());
            boolean resumed = epoch == startEpoch;
            double lossSum = resumed ? sums[0] : 0;
            double validLossSum = resumed ? sums[1] : 0;
            int correct = resumed ? (int) sums[2] : 0;
            int seen = resumed ? (int) sums[3] : 0;
            for (int step = resumed ? startStep : 0; step < steps; step++) {
                if (!control.proceed()) {
                    completed = false;
                    if (checkpoint != null) {
                        save(listener, checkpoint, weights, arch, sgd, adam, train, valid, epoch, step,
                                new double[] {lossSum, validLossSum, correct, seen}, history, steering);
                    }
                    break;
                }
                for (Steer st : control.takeSteers()) {
                    try {
                        steer(net, st);
                    } catch (IllegalArgumentException e) {
                        listener.warning("not applied: " + st.describe() + ": " + e.getMessage());
                        continue;
                    }
                    Steer done = st.at(epoch, step);
                    steering.add(done);
                    listener.steered(done);
                }
                long s0 = System.nanoTime();
                double tau = tau(epoch);
                // Noise from (seed, epoch, step): a resumed run draws what the uninterrupted one drew.
                Random noise = new Random(cfg.seed() * 1_000_003L + epoch * 10_007L + step);
                // The warm-up epochs train the weights only: the architecture weights and their optimizer wait.
                boolean warming = epoch < cfg.warmup();
                Batches.Batch tb;
                if (bilevel && !warming) {
                    Batches.Batch vb = valid.next();
                    tb = train.next();
                    Strategy.ArchStep a = strategy.archStep(context, tb, vb, noise, tau, lr);
                    validLossSum += a.validLoss();
                    adam.step(arch, withCosts(a.gradient(), net), cfg.archLr());
                    strategy.afterArchStep(context);
                } else {
                    tb = train.next();
                }
                Set<Grad> wanted = jointly && !warming ? EnumSet.of(Grad.WEIGHTS, Grad.ARCH) : EnumSet.of(Grad.WEIGHTS);
                Gates gates = strategy.weightGates(context, noise, tau);
                CompiledNetwork.Result w = net.train(tb, gates, wanted);
                if (jointly && !warming) {
                    Map<String, INDArray> ga = new HashMap<>();
                    arch.keySet().forEach(k -> ga.put(k, w.gradients().get(k)));
                    adam.step(arch, withCosts(ga, net), cfg.archLr());
                }
                Map<String, INDArray> grads = new HashMap<>(w.gradients());
                grads.keySet().retainAll(weights.keySet());
                Optimizers.clipGradNorm(grads, cfg.gradClip());
                sgd.step(weights, grads, lr);
                double loss = w.loss();
                int ok = Batches.correct(w.logits(), tb.labels());
                lossSum += loss;
                correct += ok;
                seen += tb.labels().length;
                double secs = (System.nanoTime() - s0) / 1e9;
                // Images per second count training images, as the benchmark and the PyTorch reference do.
                listener.step(new SearchEvents.Step(epoch, cfg.epochs(), step, steps, loss, (double) ok / tb.labels().length,
                        bilevel && !warming ? validLossSum / (step + 1) : Double.NaN, tb.labels().length / secs,
                        net.probabilities()));
            }
            if (!completed || seen == 0) {
                break; // a stopped epoch is not an epoch: no report, and the checkpoint keeps the position within it
            }
            double[] v = evaluate(net, valid, halves[1], strategy.evaluationGates(context, tau(epoch)));
            Map<String, double[]> p = net.probabilities();
            SearchEvents.Epoch e = new SearchEvents.Epoch(epoch, cfg.epochs(), lossSum / Math.max(1, seen / train.batchSize()),
                    (double) correct / seen, v[0], v[1], p, Derivation.derive(space, p), (System.nanoTime() - t0) / 1e9);
            history.add(e);
            listener.epoch(e);
            Collapse.Reading c = Collapse.read(space, p);
            if (c.collapsing() && !collapsing) {
                listener.warning(c.message()); // once as it crosses, again only after it recovered
            }
            collapsing = c.collapsing();
            if (checkpoint != null) {
                save(listener, checkpoint, weights, arch, sgd, adam, train, valid, epoch + 1, 0, new double[4], history, steering);
            }
        }
        return new Trained(strategy, net, valid, halves[1], history, steering, completed, backend);
    }

    /** Copies a warm supernet's weights into a new one's; both are of this space's supernet plan, so each name has its tensor. */
    private void startFrom(Map<String, INDArray> weights, Map<String, INDArray> warm) {
        if (!warm.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException("the warm supernet is not of '" + space.name() + "': its weights are other ones");
        }
        weights.forEach((k, w) -> {
            INDArray from = warm.get(k);
            if (!java.util.Arrays.equals(from.shape(), w.shape())) {
                throw new IllegalArgumentException("the warm supernet is not of '" + space.name() + "': " + k + " is "
                        + java.util.Arrays.toString(from.shape()) + ", not " + java.util.Arrays.toString(w.shape()));
            }
            w.assign(from);
        });
    }

    /** Whether the last epoch read as a collapse towards parameter-free ops ({@link Collapse}). */
    private boolean collapsing;

    /** The architecture gradient with each cost term's added (the gradient itself when there are none). */
    private Map<String, INDArray> withCosts(Map<String, INDArray> gradient, CompiledNetwork net) {
        if (costs.isEmpty()) {
            return gradient;
        }
        Map<String, double[]> p = net.probabilities();
        Map<String, INDArray> g = new HashMap<>(gradient);
        for (CostTerm t : costs) {
            t.gradient(p).forEach((key, d) -> {
                String k = CompiledNetwork.alphaName(key);
                INDArray have = g.get(k);
                if (have != null) {
                    g.put(k, have.add(org.nd4j.linalg.factory.Nd4j.createFromArray(d).castTo(have.dataType()).reshape(have.shape())));
                }
            });
        }
        return g;
    }

    /** Applies a steer to the supernet; the message says why one cannot apply. */
    private static void steer(CompiledNetwork net, Steer st) {
        List<String> labels = net.layerChoices().get(st.key());
        if (labels == null) {
            throw new IllegalArgumentException("the supernet has no LayerChoice '" + st.key() + "'");
        }
        net.prune(st.key(), st.apply(net.pruned().getOrDefault(st.key(), Set.of()), labels));
    }

    /** SPOS's evolutionary search: the fittest of a population, bred by crossover and mutation. */
    private Architecture evolve(CompiledNetwork net, Batches valid, Dataset d, SearchEvents.Listener listener,
                                SearchControl control) {
        Random r = new Random(cfg.seed() + 17);
        Map<Architecture, Double> fitness = new LinkedHashMap<>();
        List<Architecture> population = new ArrayList<>();
        while (population.size() < POPULATION) {
            population.add(Sampling.uniform(space, net.plan(), net.pruned(), r));
        }
        Architecture best = population.get(0);
        for (int g = 0; g <= cfg.generations() && !control.isStopped(); g++) {
            for (Architecture a : population) {
                fitness.computeIfAbsent(a, x -> fitness(net, valid, d, x, FITNESS_BATCHES));
            }
            population.sort(java.util.Comparator.comparingDouble((Architecture a) -> -fitness.get(a)));
            best = population.get(0);
            listener.generation(g, cfg.generations(), fitness.get(best), best);
            if (g == cfg.generations()) {
                break;
            }
            List<Architecture> parents = population.subList(0, Math.min(PARENTS, population.size()));
            List<Architecture> next = new ArrayList<>(parents);
            for (int i = 0; i < CHILDREN; i++) {
                next.add(Sampling.mutate(space, net.plan(), net.pruned(), parents.get(r.nextInt(parents.size())), MUTATION, r));
                next.add(Sampling.crossover(parents.get(r.nextInt(parents.size())), parents.get(r.nextInt(parents.size())), r));
            }
            population = new ArrayList<>(new java.util.LinkedHashSet<>(next));
        }
        return best;
    }

    /** Accuracy of one path of the supernet on the first {@code batches} validation batches. */
    private static double fitness(CompiledNetwork net, Batches valid, Dataset d, Architecture a, int batches) {
        int b = valid.batchSize();
        int n = (int) Math.min((long) batches * b, d.size() / b * b);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Dataset part = d.subset(idx, d.name());
        return evaluate(net, valid, part, net.gatesFor(a))[1];
    }

    /** The decisions of an architecture as probabilities (one-hot), for views and result files. */
    private Map<String, double[]> oneHot(Architecture a) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (var x : space.mutablesByKey().values()) {
            if (x instanceof io.cellforge.space.LayerChoice lc) {
                double[] p = new double[lc.candidates().size()];
                a.get(lc.key()).ifPresent(dd -> p[Math.max(0, lc.indexOf(((io.cellforge.arch.Decision.Op) dd).label()))] = 1);
                m.put(lc.key(), p);
            } else if (x instanceof io.cellforge.space.ValueChoice vc && a.get(vc.key()).orElse(null) instanceof io.cellforge.arch.Decision.Value v) {
                double[] p = new double[vc.candidates().size()];
                p[Math.max(0, vc.candidates().indexOf(v.value()))] = 1;
                m.put(vc.key(), p);
            }
        }
        return m;
    }

    /** The Gumbel temperature of an epoch: from tauMax at the first epoch linearly to tauMin at the last. */
    private double tau(int epoch) {
        return cfg.tauMin() + (cfg.tauMax() - cfg.tauMin()) * (1 - (double) epoch / Math.max(1, cfg.epochs() - 1));
    }

    /** Where a batch iterator stood: [epoch, position], the epoch at most the run's, the position within the data. */
    private static int[] position(Checkpoint ck, String field, int epoch, int size) throws LoadException {
        List<?> p = ck.list(field, 2);
        return new int[] {(int) ck.whole(p.get(0), 0, epoch + 1L, field + "[0]"), (int) ck.whole(p.get(1), 0, size, field + "[1]")};
    }

    private SearchEvents.Epoch epochFromCheckpoint(Checkpoint ck, Object o, int i) throws LoadException {
        String field = "history[" + i + "]";
        if (!(o instanceof Map<?, ?> m)) {
            throw ck.error(field, "must be an object");
        }
        ck.whole(m.get("epoch"), i, i, field + ".epoch");
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) m;
        if (!(e.get("weights") instanceof Map<?, ?> w)) {
            throw ck.error(field + ".weights", "must be an object of lists of numbers");
        }
        for (var x : w.entrySet()) {
            if (!(x.getValue() instanceof List<?> l)) {
                throw ck.error(field + ".weights", "must be an object of lists of numbers");
            }
            for (Object n : l) {
                ck.number(n, field + ".weights");
            }
        }
        try {
            return SearchEvents.Epoch.fromJson(e, space);
        } catch (RuntimeException bad) {
            throw ck.error(field, "does not fit this space: " + Checkpoint.shown(String.valueOf(bad.getMessage())));
        }
    }

    /** Saves a checkpoint; a save that fails is a warning, the previous checkpoint stays and the search goes on. */
    private void save(SearchEvents.Listener listener, Path dir, Map<String, INDArray> weights, Map<String, INDArray> arch,
                      Optimizers.Sgd sgd, Optimizers.Adam adam, Batches train, Batches valid, int epoch, int step,
                      double[] sums, List<SearchEvents.Epoch> history, List<Steer> steering) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("strategy", cfg.strategy());
        meta.put("space", space.name());
        meta.put("config", cfg.toMap());
        meta.put("epoch", epoch);
        meta.put("step", step);
        meta.put("adam_steps", adam.steps());
        meta.put("train_batches", train.position());
        meta.put("valid_batches", valid.position());
        meta.put("sums", sums);
        List<Map<String, Object>> epochs = new ArrayList<>();
        history.forEach(e -> epochs.add(e.toJson()));
        meta.put("history", epochs);
        meta.put("steering", steering.stream().map(Steer::toJson).toList());
        Map<String, Map<String, INDArray>> groups = new LinkedHashMap<>();
        groups.put("weights", weights);
        groups.put("arch", arch);
        groups.put("sgd", sgd.state());
        groups.put("adam_m", adam.firstMoments());
        groups.put("adam_v", adam.secondMoments());
        try {
            Checkpoint.save(dir, meta, groups);
        } catch (IOException e) {
            listener.warning("the checkpoint could not be saved (" + e.getMessage() + "); the previous one in " + dir
                    + " is kept and the search goes on");
        }
    }

    /**
     * Refuses, in one line, data that cannot feed the space's network ({@link DataBundle#misfit}): called by
     * the search and the retraining before anything is built, and so by the CLI and the app.
     */
    public static void requireFits(SearchSpace space, DataBundle data) throws PlanException {
        var misfit = data.misfit(space.network().input(), space.network().classes(), "space '" + space.name() + "'");
        if (misfit.isPresent()) {
            throw new PlanException(List.of(io.cellforge.space.Problem.error(io.cellforge.space.Place.NONE, misfit.get())));
        }
    }

    /**
     * Refuses data without the context vectors a network's weight generators read (of {@code features} values a
     * sample; 0 when it reads none), or with vectors of another width.
     */
    public static void requireContext(SearchSpace space, DataBundle data, int features) throws PlanException {
        var misfit = data.contextMisfit(features, "space '" + space.name() + "'");
        if (misfit.isPresent()) {
            throw new PlanException(List.of(io.cellforge.space.Problem.error(io.cellforge.space.Place.named("context"),
                    misfit.get() + "; give data with a context (IDX context files, CSV context:K columns; the bundled strokes "
                            + "have 4 values a sample)")));
        }
    }

    /** Loss and accuracy over the full batches of a dataset, forward only. */
    static double[] evaluate(CompiledNetwork net, Batches batches, Dataset d, Gates gates) {
        int b = batches.batchSize();
        double loss = 0;
        int ok = 0;
        int n = 0;
        for (int start = 0; start + b <= d.size(); start += b) {
            int[] idx = new int[b];
            for (int i = 0; i < b; i++) {
                idx[i] = start + i;
            }
            Batches.Batch batch = batches.make(d, idx);
            CompiledNetwork.Result out = net.evaluate(batch, gates);
            loss += out.loss() * b;
            ok += Batches.correct(out.logits(), batch.labels());
            n += b;
        }
        return new double[] {loss / Math.max(1, n), (double) ok / Math.max(1, n)};
    }
}

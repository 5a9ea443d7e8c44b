package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.Checkpoint;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.io.LoadException;
import io.cellforge.plan.PlanException;
import io.cellforge.space.SearchSpace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * One-shot search by gradient. {@code darts}: first-order DARTS (Liu et al. 2019), alternately an Adam step of the
 * architecture weights on a validation batch and an SGD step of the network weights on a training batch.
 * {@code darts2}: second-order DARTS, the architecture gradient taken at weights unrolled by one SGD step, less the
 * finite-difference Hessian-vector product of the paper (as the DARTS repository's architect.py computes it).
 * {@code gdas}: the same bilevel loop over a hard Gumbel-softmax (one path forward, straight-through backward;
 * Dong and Yang 2019). {@code snas}: a soft Gumbel-softmax, weights and architecture learning from the same
 * training batch (Xie et al. 2019). The Gumbel temperature falls linearly from {@code tauMax} to {@code tauMin}.
 * {@code spos}: single-path one-shot (Guo et al. 2020): each step trains one uniformly drawn path, then an
 * evolutionary search over the trained supernet picks the path with the best validation accuracy.
 * {@code proxyless}: ProxylessNAS-G (Cai et al. 2019), one path sampled from softmax(alpha) per step through binary
 * gates; alpha learns on validation batches from the gates' gradients.
 */
public final class OneShotSearch {
    public static final List<String> STRATEGIES = List.of("darts", "darts2", "gdas", "snas", "spos", "proxyless");
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

    public OneShotSearch(SearchSpace space, DataBundle data, SearchConfig cfg) {
        this.space = space;
        this.data = data;
        this.cfg = cfg;
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
        String backend = Backend.init();
        Dataset[] halves = data.train().split(cfg.trainPortion(), cfg.seed());
        float[][] stats = data.train().channelStats();
        Batches train = new Batches(halves[0], stats, Math.min(cfg.batchSize(), halves[0].size()), cfg.seed())
                .augmented(cfg.augment());
        Batches valid = new Batches(halves[1], stats, Math.min(cfg.batchSize(), halves[1].size()), cfg.seed() + 1);
        CompiledNetwork.MixedOp mixed = switch (cfg.strategy()) {
            case "darts", "darts2" -> CompiledNetwork.MixedOp.WEIGHTED_SUM;
            case "gdas" -> CompiledNetwork.MixedOp.GUMBEL_HARD;
            case "snas" -> CompiledNetwork.MixedOp.GUMBEL_SUM;
            case "spos" -> CompiledNetwork.MixedOp.INDEX;
            case "proxyless" -> CompiledNetwork.MixedOp.BIN_GATE;
            default -> throw new IllegalArgumentException("unknown strategy '" + cfg.strategy() + "'; available: " + STRATEGIES);
        };
        boolean bilevel = !cfg.strategy().equals("snas");
        boolean singlePath = cfg.strategy().equals("spos");
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space),
                CompiledNetwork.Options.darts(cfg.seed()).withMixedOp(mixed));
        Optimizers.Sgd sgd = new Optimizers.Sgd(cfg.momentum(), cfg.weightDecay());
        Optimizers.Adam adam = new Optimizers.Adam(cfg.archBeta1(), cfg.archBeta2(), cfg.archWeightDecay());
        Map<String, INDArray> weights = net.weights();
        Map<String, INDArray> arch = net.arch();
        int steps = Math.min(train.stepsPerEpoch(), valid.stepsPerEpoch());
        List<SearchEvents.Epoch> history = new ArrayList<>();
        int startEpoch = 0;
        int startStep = 0;
        double[] sums = new double[4]; // train loss, valid loss, correct, seen: the running sums of the current epoch
        if (resume != null) {
            Map<String, Object> meta = Checkpoint.meta(resume);
            if (!space.name().equals(meta.get("space")) || !cfg.strategy().equals(meta.get("strategy"))) {
                throw new LoadException(resume.toString(), "this checkpoint is of a " + meta.get("strategy") + " search of '"
                        + meta.get("space") + "', not of a " + cfg.strategy() + " search of '" + space.name() + "'");
            }
            Checkpoint.restore(resume, "weights", weights);
            Checkpoint.restore(resume, "arch", arch);
            sgd.state().putAll(Checkpoint.restoreAll(resume, "sgd"));
            adam.firstMoments().putAll(Checkpoint.restoreAll(resume, "adam_m"));
            adam.secondMoments().putAll(Checkpoint.restoreAll(resume, "adam_v"));
            adam.restoreSteps(((Number) meta.get("adam_steps")).intValue());
            startEpoch = ((Number) meta.get("epoch")).intValue();
            startStep = ((Number) meta.get("step")).intValue();
            @SuppressWarnings("unchecked")
            List<Number> t = (List<Number>) meta.get("train_batches");
            @SuppressWarnings("unchecked")
            List<Number> v = (List<Number>) meta.get("valid_batches");
            train.seek(t.get(0).intValue(), t.get(1).intValue());
            valid.seek(v.get(0).intValue(), v.get(1).intValue());
            @SuppressWarnings("unchecked")
            List<Number> sm = (List<Number>) meta.get("sums");
            for (int i = 0; i < 4; i++) {
                sums[i] = sm.get(i).doubleValue();
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> epochs = (List<Map<String, Object>>) meta.get("history");
            for (Map<String, Object> e : epochs) {
                history.add(epochFromJson(e));
            }
        }
        listener.started(backend, cfg, steps);
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
                        save(checkpoint, weights, arch, sgd, adam, train, valid, epoch, step,
                                new double[] {lossSum, validLossSum, correct, seen}, history);
                    }
                    break;
                }
                long s0 = System.nanoTime();
                double tau = tau(epoch);
                // Noise from (seed, epoch, step): a resumed run draws what the uninterrupted one drew.
                Random noise = new Random(cfg.seed() * 1_000_003L + epoch * 10_007L + step);
                Batches.Batch tb;
                if (bilevel && !arch.isEmpty()) {
                    Batches.Batch vb = valid.next();
                    tb = train.next();
                    Map<String, INDArray> gates = net.sampleGates(noise, tau);
                    Map<String, INDArray> ga;
                    if (cfg.strategy().equals("proxyless")) {
                        ga = binaryGateArchGradient(net, vb, noise);
                        validLossSum += lastValidLoss;
                    } else if (cfg.strategy().equals("darts2")) {
                        ga = unrolledArchGradient(net, weights, arch, sgd, tb, vb, gates, lr);
                        validLossSum += lastValidLoss;
                    } else {
                        CompiledNetwork.Result a = net.train(vb.x(), vb.y(), gates, EnumSet.of(Grad.ARCH));
                        validLossSum += a.loss();
                        ga = new HashMap<>(a.gradients());
                    }
                    adam.step(arch, ga, cfg.archLr());
                } else {
                    tb = train.next();
                }
                // Single level (SNAS): one pass gives both gradients.
                Set<Grad> wanted = bilevel ? EnumSet.of(Grad.WEIGHTS) : EnumSet.of(Grad.WEIGHTS, Grad.ARCH);
                Map<String, INDArray> gates = singlePath ? net.gatesFor(Sampling.uniform(space, noise)) : net.sampleGates(noise, tau);
                if (cfg.strategy().equals("proxyless")) {
                    sampleBinaryGates(net, noise);
                }
                CompiledNetwork.Result w = net.train(tb.x(), tb.y(), gates, wanted);
                if (!bilevel && !arch.isEmpty()) {
                    Map<String, INDArray> ga = new HashMap<>();
                    arch.keySet().forEach(k -> ga.put(k, w.gradients().get(k)));
                    adam.step(arch, ga, cfg.archLr());
                }
                Map<String, INDArray> grads = new HashMap<>(w.gradients());
                grads.keySet().retainAll(weights.keySet());
                net.gradientMasks().forEach((k, mask) -> {
                    if (grads.containsKey(k)) {
                        grads.get(k).muli(mask);
                    }
                });
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
                        bilevel && !arch.isEmpty() ? validLossSum / (step + 1) : Double.NaN, tb.labels().length / secs,
                        net.probabilities()));
            }
            if (!completed || seen == 0) {
                break; // a stopped epoch is not an epoch: no report, and the checkpoint keeps the position within it
            }
            if (cfg.strategy().equals("proxyless")) {
                sampleBinaryGates(net, null); // the most likely path
            }
            double[] v = evaluate(net, valid, halves[1], singlePath
                    ? net.gatesFor(Sampling.uniform(space, new Random(cfg.seed()))) : net.sampleGates(null, tau(epoch)));
            Map<String, double[]> p = net.probabilities();
            SearchEvents.Epoch e = new SearchEvents.Epoch(epoch, cfg.epochs(), lossSum / Math.max(1, seen / train.batchSize()),
                    (double) correct / seen, v[0], v[1], p, Derivation.derive(space, p), (System.nanoTime() - t0) / 1e9);
            history.add(e);
            listener.epoch(e);
            if (checkpoint != null) {
                save(checkpoint, weights, arch, sgd, adam, train, valid, epoch + 1, 0, new double[4], history);
            }
        }
        if (singlePath) {
            Architecture best = completed ? evolve(net, valid, halves[1], listener, control) : Sampling.uniform(space, new Random(cfg.seed()));
            return new SearchResult(best, oneHot(best), history, completed && !control.isStopped(), backend);
        }
        Map<String, double[]> p = net.probabilities();
        return new SearchResult(Derivation.derive(space, p), p, history, completed, backend);
    }

    /** One path per key drawn from softmax(alpha); with no generator, the most likely one. */
    private static void sampleBinaryGates(CompiledNetwork net, Random r) {
        Map<String, double[]> p = net.probabilities();
        net.binaryGates().forEach((key, gate) -> {
            double[] pk = p.get(key);
            int pick = 0;
            if (r == null) {
                for (int i = 1; i < pk.length; i++) {
                    pick = pk[i] > pk[pick] ? i : pick;
                }
            } else {
                double u = r.nextDouble();
                double acc = 0;
                pick = pk.length - 1;
                for (int i = 0; i < pk.length; i++) {
                    acc += pk[i];
                    if (u < acc) {
                        pick = i;
                        break;
                    }
                }
            }
            gate.assign(0);
            gate.putScalar(pick, 1);
        });
    }

    /**
     * ProxylessNAS-G: with a sampled path, dL/dalpha_i = sum_j dL/dg_j p_j (delta_ij - p_i), where g are the binary
     * gates and p = softmax(alpha).
     */
    private Map<String, INDArray> binaryGateArchGradient(CompiledNetwork net, Batches.Batch valid, Random r) {
        sampleBinaryGates(net, r);
        CompiledNetwork.Result og = net.train(valid.x(), valid.y(), Map.of(), EnumSet.of(Grad.GATES));
        lastValidLoss = og.loss();
        Map<String, double[]> p = net.probabilities();
        Map<String, INDArray> grads = new HashMap<>();
        for (String key : net.binaryGates().keySet()) {
            double[] dg = og.gradients().get("bingate/" + key).toDoubleVector();
            double[] pk = p.get(key);
            double[] da = new double[pk.length];
            for (int i = 0; i < pk.length; i++) {
                for (int j = 0; j < pk.length; j++) {
                    da[i] += dg[j] * pk[j] * ((i == j ? 1 : 0) - pk[i]);
                }
            }
            grads.put("alpha/" + key, Nd4j.createFromArray(da).castTo(net.dataType()));
        }
        return grads;
    }

    /** SPOS's evolutionary search: the fittest of a population, bred by crossover and mutation. */
    private Architecture evolve(CompiledNetwork net, Batches valid, Dataset d, SearchEvents.Listener listener,
                                SearchControl control) {
        Random r = new Random(cfg.seed() + 17);
        Map<Architecture, Double> fitness = new LinkedHashMap<>();
        List<Architecture> population = new ArrayList<>();
        while (population.size() < POPULATION) {
            population.add(Sampling.uniform(space, r));
        }
        Architecture best = population.get(0);
        for (int g = 0; g <= cfg.generations() && !control.isStopped(); g++) {
            for (Architecture a : population) {
                fitness.computeIfAbsent(a, x -> fitness(net, valid, d, x));
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
                next.add(Sampling.mutate(space, parents.get(r.nextInt(parents.size())), MUTATION, r));
                next.add(Sampling.crossover(parents.get(r.nextInt(parents.size())), parents.get(r.nextInt(parents.size())), r));
            }
            population = new ArrayList<>(new java.util.LinkedHashSet<>(next));
        }
        return best;
    }

    /** Accuracy of one path of the supernet on the first validation batches. */
    private static double fitness(CompiledNetwork net, Batches valid, Dataset d, Architecture a) {
        int b = valid.batchSize();
        int n = Math.min(FITNESS_BATCHES * b, d.size() / b * b);
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
            }
        }
        return m;
    }

    /** The Gumbel temperature of an epoch: from tauMax at the first epoch linearly to tauMin at the last. */
    private double tau(int epoch) {
        return cfg.tauMin() + (cfg.tauMax() - cfg.tauMin()) * (1 - (double) epoch / Math.max(1, cfg.epochs() - 1));
    }

    double lastValidLoss;

    /**
     * Second-order DARTS: w' = w - lr (momentum buffer + grad_w L_train + wd w); the architecture gradient of
     * L_valid at w', less lr times (grad_a L_train(w + R v) - grad_a L_train(w - R v)) / 2R with v = grad_w' L_valid
     * and R = 0.01 / |v|. The weights are restored afterwards.
     */
    Map<String, INDArray> unrolledArchGradient(CompiledNetwork net, Map<String, INDArray> weights,
                                               Map<String, INDArray> arch, Optimizers.Sgd sgd, Batches.Batch train,
                                               Batches.Batch valid, Map<String, INDArray> gates, double lr) {
        Map<String, INDArray> saved = new HashMap<>();
        weights.forEach((k, v) -> saved.put(k, v.dup()));
        Map<String, INDArray> gw = net.train(train.x(), train.y(), gates, EnumSet.of(Grad.WEIGHTS)).gradients();
        for (var e : weights.entrySet()) {
            INDArray g = gw.get(e.getKey()).dup();
            INDArray mask = net.gradientMasks().get(e.getKey());
            if (mask != null) {
                g.muli(mask);
            }
            g.addi(e.getValue().mul(cfg.weightDecay()));
            INDArray buf = sgd.state().get(e.getKey());
            if (buf != null) {
                g.addi(buf.mul(cfg.momentum()));
            }
            e.getValue().subi(g.muli(lr));
        }
        CompiledNetwork.Result v = net.train(valid.x(), valid.y(), gates, EnumSet.of(Grad.WEIGHTS, Grad.ARCH));
        lastValidLoss = v.loss();
        Map<String, INDArray> dalpha = new HashMap<>();
        arch.keySet().forEach(k -> dalpha.put(k, v.gradients().get(k).dup()));
        Map<String, INDArray> vector = new HashMap<>();
        double norm = 0;
        for (String k : weights.keySet()) {
            INDArray g = v.gradients().get(k).dup();
            INDArray mask = net.gradientMasks().get(k);
            if (mask != null) {
                g.muli(mask);
            }
            vector.put(k, g);
            double n = g.norm2Number().doubleValue();
            norm += n * n;
        }
        double r = 0.01 / Math.max(Math.sqrt(norm), 1e-12);
        weights.forEach((k, w) -> w.assign(saved.get(k)).addi(vector.get(k).mul(r)));
        Map<String, INDArray> plus = net.train(train.x(), train.y(), gates, EnumSet.of(Grad.ARCH)).gradients();
        Map<String, INDArray> gPlus = new HashMap<>();
        plus.forEach((k, g) -> gPlus.put(k, g.dup()));
        weights.forEach((k, w) -> w.assign(saved.get(k)).subi(vector.get(k).mul(r)));
        Map<String, INDArray> minus = net.train(train.x(), train.y(), gates, EnumSet.of(Grad.ARCH)).gradients();
        weights.forEach((k, w) -> w.assign(saved.get(k)));
        for (String k : arch.keySet()) {
            dalpha.get(k).subi(gPlus.get(k).sub(minus.get(k)).divi(2 * r).muli(lr));
        }
        return dalpha;
    }

    private void save(Path dir, Map<String, INDArray> weights, Map<String, INDArray> arch, Optimizers.Sgd sgd,
                      Optimizers.Adam adam, Batches train, Batches valid, int epoch, int step, double[] sums,
                      List<SearchEvents.Epoch> history) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("version", 1);
        meta.put("strategy", cfg.strategy());
        meta.put("space", space.name());
        meta.put("config", cfg);
        meta.put("epoch", epoch);
        meta.put("step", step);
        meta.put("adam_steps", adam.steps());
        meta.put("train_batches", train.position());
        meta.put("valid_batches", valid.position());
        meta.put("sums", sums);
        List<Map<String, Object>> epochs = new ArrayList<>();
        history.forEach(e -> epochs.add(e.toJson()));
        meta.put("history", epochs);
        Map<String, Map<String, INDArray>> groups = new LinkedHashMap<>();
        groups.put("weights", weights);
        groups.put("arch", arch);
        groups.put("sgd", sgd.state());
        groups.put("adam_m", adam.firstMoments());
        groups.put("adam_v", adam.secondMoments());
        Checkpoint.save(dir, meta, groups);
    }

    @SuppressWarnings("unchecked")
    private SearchEvents.Epoch epochFromJson(Map<String, Object> m) {
        Map<String, double[]> w = new LinkedHashMap<>();
        ((Map<String, List<Number>>) m.get("weights")).forEach((k, v) -> w.put(k, v.stream().mapToDouble(Number::doubleValue).toArray()));
        return new SearchEvents.Epoch(((Number) m.get("epoch")).intValue(), ((Number) m.get("epochs")).intValue(),
                ((Number) m.get("train_loss")).doubleValue(), ((Number) m.get("train_accuracy")).doubleValue(),
                ((Number) m.get("valid_loss")).doubleValue(), ((Number) m.get("valid_accuracy")).doubleValue(), w,
                Derivation.derive(space, w), ((Number) m.get("seconds")).doubleValue());
    }

    /** Loss and accuracy over the full batches of a dataset, forward only. */
    static double[] evaluate(CompiledNetwork net, Batches batches, Dataset d, Map<String, INDArray> gates) {
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
            CompiledNetwork.Result out = net.evaluate(batch.x(), batch.y(), gates);
            loss += out.loss() * b;
            ok += Batches.correct(out.logits(), batch.labels());
            n += b;
        }
        return new double[] {loss / Math.max(1, n), (double) ok / Math.max(1, n)};
    }
}

package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.engine.Backend;
import io.cellforge.engine.Batches;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.SameDiffNetwork;
import io.cellforge.plan.PlanException;
import io.cellforge.space.SearchSpace;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * First-order DARTS (Liu et al. 2019): alternately one Adam step of the architecture weights on a validation
 * batch and one SGD step of the network weights on a training batch, both halves of the training images.
 */
public final class DartsSearch {
    private final SearchSpace space;
    private final DataBundle data;
    private final SearchConfig cfg;

    public DartsSearch(SearchSpace space, DataBundle data, SearchConfig cfg) {
        this.space = space;
        this.data = data;
        this.cfg = cfg;
    }

    public SearchResult run(SearchEvents.Listener listener, SearchControl control) throws PlanException {
        String backend = Backend.init();
        Dataset[] halves = data.train().split(cfg.trainPortion(), cfg.seed());
        float[][] stats = data.train().channelStats();
        Batches train = new Batches(halves[0], stats, Math.min(cfg.batchSize(), halves[0].size()), cfg.seed());
        Batches valid = new Batches(halves[1], stats, Math.min(cfg.batchSize(), halves[1].size()), cfg.seed() + 1);
        SameDiffNetwork net = new SameDiffNetwork(Evaluator.supernetPlan(space), SameDiffNetwork.Options.darts(cfg.seed()));
        Optimizers.Sgd sgd = new Optimizers.Sgd(cfg.momentum(), cfg.weightDecay());
        Optimizers.Adam adam = new Optimizers.Adam(cfg.archBeta1(), cfg.archBeta2(), cfg.archWeightDecay());
        Map<String, INDArray> weights = arrays(net, net.weightNames());
        Map<String, INDArray> arch = arrays(net, net.archNames());
        int steps = Math.min(train.stepsPerEpoch(), valid.stepsPerEpoch());
        listener.started(backend, cfg, steps);
        List<SearchEvents.Epoch> history = new ArrayList<>();
        boolean completed = true;
        for (int epoch = 0; epoch < cfg.epochs() && completed; epoch++) {
            long t0 = System.nanoTime();
            double lr = Optimizers.cosine(cfg.lr(), cfg.lrMin(), epoch, cfg.epochs());
            double lossSum = 0;
            double validLossSum = 0;
            int correct = 0;
            int seen = 0;
            for (int step = 0; step < steps; step++) {
                if (!control.proceed()) {
                    completed = false;
                    break;
                }
                long s0 = System.nanoTime();
                Batches.Batch vb = valid.next();
                if (!arch.isEmpty()) {
                    OutAndGrad a = net.graph().calculateGradientsAndOutputs(feed(vb), List.of(SameDiffNetwork.LOSS), arch.keySet());
                    validLossSum += a.getOutputs().get(SameDiffNetwork.LOSS).getDouble(0);
                    adam.step(arch, new HashMap<>(a.getGradients()), cfg.archLr());
                }
                Batches.Batch tb = train.next();
                OutAndGrad w = net.graph().calculateGradientsAndOutputs(feed(tb),
                        List.of(SameDiffNetwork.LOSS, SameDiffNetwork.LOGITS), weights.keySet());
                Map<String, INDArray> grads = new HashMap<>(w.getGradients());
                net.gradientMasks().forEach((k, mask) -> {
                    if (grads.containsKey(k)) {
                        grads.get(k).muli(mask);
                    }
                });
                Optimizers.clipGradNorm(grads, cfg.gradClip());
                sgd.step(weights, grads, lr);
                double loss = w.getOutputs().get(SameDiffNetwork.LOSS).getDouble(0);
                int ok = Batches.correct(w.getOutputs().get(SameDiffNetwork.LOGITS), tb.labels());
                lossSum += loss;
                correct += ok;
                seen += tb.labels().length;
                double secs = (System.nanoTime() - s0) / 1e9;
                listener.step(new SearchEvents.Step(epoch, cfg.epochs(), step, steps, loss, (double) ok / tb.labels().length,
                        arch.isEmpty() ? Double.NaN : validLossSum / (step + 1), 2 * tb.labels().length / secs, probabilities(net)));
            }
            if (seen == 0) {
                break;
            }
            double[] v = evaluate(net, valid, halves[1]);
            Map<String, double[]> p = probabilities(net);
            SearchEvents.Epoch e = new SearchEvents.Epoch(epoch, cfg.epochs(), lossSum / Math.max(1, seen / train.batchSize()),
                    (double) correct / seen, v[0], v[1], p, Derivation.derive(space, p), (System.nanoTime() - t0) / 1e9);
            history.add(e);
            listener.epoch(e);
        }
        Map<String, double[]> p = probabilities(net);
        return new SearchResult(Derivation.derive(space, p), p, history, completed, backend);
    }

    private static Map<String, INDArray> feed(Batches.Batch b) {
        return Map.of(SameDiffNetwork.INPUT, b.x(), SameDiffNetwork.LABELS, b.y());
    }

    private static Map<String, INDArray> arrays(SameDiffNetwork net, List<String> names) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        names.forEach(n -> m.put(n, net.graph().getVariable(n).getArr()));
        return m;
    }

    /** Loss and accuracy over the full batches of a dataset, forward only. */
    static double[] evaluate(SameDiffNetwork net, Batches batches, Dataset d) {
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
            Map<String, INDArray> out = net.graph().output(feed(batch), SameDiffNetwork.LOSS, SameDiffNetwork.LOGITS);
            loss += out.get(SameDiffNetwork.LOSS).getDouble(0) * b;
            ok += Batches.correct(out.get(SameDiffNetwork.LOGITS), batch.labels());
            n += b;
        }
        return new double[] {loss / Math.max(1, n), (double) ok / Math.max(1, n)};
    }

    /** The softmax of every key's architecture weights. */
    static Map<String, double[]> probabilities(SameDiffNetwork net) {
        Map<String, double[]> out = new LinkedHashMap<>();
        net.archLogits().forEach((k, a) -> {
            double max = Double.NEGATIVE_INFINITY;
            for (float x : a) {
                max = Math.max(max, x);
            }
            double[] p = new double[a.length];
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                p[i] = Math.exp(a[i] - max);
                sum += p[i];
            }
            for (int i = 0; i < a.length; i++) {
                p[i] /= sum;
            }
            out.put(k, p);
        });
        return out;
    }
}

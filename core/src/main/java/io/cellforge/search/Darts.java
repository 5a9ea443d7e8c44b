package io.cellforge.search;

import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.relax.Gates;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * DARTS (Liu et al. 2019): every candidate weighted by softmax(alpha). First order: alpha's gradient on a
 * validation batch at the current weights. Second order: at weights unrolled by one SGD step, less the
 * finite-difference Hessian-vector product of the paper (as the DARTS repository's architect.py computes it).
 */
final class Darts implements Strategy {
    private final boolean secondOrder;

    Darts(boolean secondOrder) {
        this.secondOrder = secondOrder;
    }

    @Override
    public CompiledNetwork.MixedOp mixedOp() {
        return CompiledNetwork.MixedOp.WEIGHTED_SUM;
    }

    @Override
    public ArchStep archStep(Context c, Batches.Batch train, Batches.Batch valid, Random noise, double tau, double lr) {
        if (secondOrder) {
            return unrolled(c, train, valid, lr);
        }
        CompiledNetwork.Result a = c.net().train(valid, Gates.NONE, EnumSet.of(Grad.ARCH));
        return new ArchStep(new HashMap<>(a.gradients()), a.loss());
    }

    @Override
    public Gates weightGates(Context c, Random noise, double tau) {
        return Gates.NONE;
    }

    @Override
    public Gates evaluationGates(Context c, double tau) {
        return Gates.NONE;
    }

    /**
     * w' = w - lr (momentum buffer + grad_w L_train + wd w); the architecture gradient of L_valid at w', less lr
     * times (grad_a L_train(w + R v) - grad_a L_train(w - R v)) / 2R with v = grad_w' L_valid and R = 0.01 / |v|.
     * The weights are restored afterwards.
     */
    static ArchStep unrolled(Context c, Batches.Batch train, Batches.Batch valid, double lr) {
        CompiledNetwork net = c.net();
        Map<String, INDArray> weights = net.weights();
        Map<String, INDArray> arch = net.arch();
        Optimizers.Sgd sgd = c.sgd();
        Map<String, INDArray> saved = new HashMap<>();
        weights.forEach((k, v) -> saved.put(k, v.dup()));
        Map<String, INDArray> gw = net.train(train, Gates.NONE, EnumSet.of(Grad.WEIGHTS)).gradients();
        for (var e : weights.entrySet()) {
            INDArray g = gw.get(e.getKey()).dup();
            g.addi(e.getValue().mul(c.cfg().weightDecay()));
            INDArray buf = sgd.state().get(e.getKey());
            if (buf != null) {
                g.addi(buf.mul(c.cfg().momentum()));
            }
            e.getValue().subi(g.muli(lr));
        }
        CompiledNetwork.Result v = net.train(valid, Gates.NONE, EnumSet.of(Grad.WEIGHTS, Grad.ARCH));
        double validLoss = v.loss();
        Map<String, INDArray> dalpha = new HashMap<>();
        arch.keySet().forEach(k -> dalpha.put(k, v.gradients().get(k).dup()));
        Map<String, INDArray> vector = new HashMap<>();
        double norm = 0;
        for (String k : weights.keySet()) {
            INDArray g = v.gradients().get(k).dup();
            vector.put(k, g);
            double n = g.norm2Number().doubleValue();
            norm += n * n;
        }
        double r = 0.01 / Math.max(Math.sqrt(norm), 1e-12);
        weights.forEach((k, w) -> w.assign(saved.get(k)).addi(vector.get(k).mul(r)));
        Map<String, INDArray> gPlus = new HashMap<>();
        net.train(train, Gates.NONE, EnumSet.of(Grad.ARCH)).gradients().forEach((k, g) -> gPlus.put(k, g.dup()));
        weights.forEach((k, w) -> w.assign(saved.get(k)).subi(vector.get(k).mul(r)));
        Map<String, INDArray> minus = net.train(train, Gates.NONE, EnumSet.of(Grad.ARCH)).gradients();
        weights.forEach((k, w) -> w.assign(saved.get(k)));
        for (String k : arch.keySet()) {
            dalpha.get(k).subi(gPlus.get(k).sub(minus.get(k)).divi(2 * r).muli(lr));
        }
        return new ArchStep(dalpha, validLoss);
    }
}

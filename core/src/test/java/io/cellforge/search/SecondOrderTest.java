package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.analysis.Evaluator;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.CompiledNetwork.Grad;
import io.cellforge.engine.relax.Gates;
import io.cellforge.plan.Plan;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The second-order DARTS gradient approximates the derivative of the validation loss at the unrolled weights. */
class SecondOrderTest {

    static Batches.Batch batch(Plan p, int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, p.input().channels(), p.input().height(), p.input().width());
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, r.nextGaussian());
        }
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, p.classes());
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(p.classes()), 1.0);
        }
        return new Batches.Batch(x, y, null, null);
    }

    @Test
    void theUnrolledGradientMatchesTheDerivativeOfTheUnrolledLoss() throws Exception {
        SearchSpace s = OneShotSearchTest.tiny();
        Plan plan = Evaluator.supernetPlan(s);
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(4).withDataType(DataType.DOUBLE));
        Map<String, INDArray> weights = net.weights();
        Map<String, INDArray> arch = net.arch();
        Random init = new Random(8); // the test's own generator: ND4J's global one depends on the tests run before
        for (INDArray a : arch.values()) {
            for (long i = 0; i < a.length(); i++) {
                a.putScalar(i, 0.5 * init.nextGaussian());
            }
        }
        Batches.Batch train = batch(plan, 6, 1);
        Batches.Batch valid = batch(plan, 6, 2);
        double lr = 0.05;
        SearchConfig cfg = SearchConfig.of("darts2", 1, 6, 4);
        Map<String, INDArray> approx = Darts.unrolled(new Strategy.Context(s, net, new Optimizers.Sgd(0.9, cfg.weightDecay()), cfg),
                train, valid, lr).gradient();

        // The exact objective, differentiated numerically in one alpha entry at a time.
        String key = "alpha/n2_p1";
        INDArray alpha = arch.get(key);
        Map<String, INDArray> saved = new HashMap<>();
        weights.forEach((k, w) -> saved.put(k, w.dup()));
        double eps = 1e-4;
        Map<String, INDArray> first = new HashMap<>();
        net.train(valid.x(), valid.y(), Gates.NONE, EnumSet.of(Grad.ARCH)).gradients().forEach((k, v) -> first.put(k, v.dup()));
        double errSecond = 0;
        double errFirst = 0;
        for (int i = 0; i < alpha.length(); i++) {
            double orig = alpha.getDouble(i);
            alpha.putScalar(i, orig + eps);
            double up = unrolledValidLoss(net, weights, saved, train, valid, lr, cfg.weightDecay());
            alpha.putScalar(i, orig - eps);
            double down = unrolledValidLoss(net, weights, saved, train, valid, lr, cfg.weightDecay());
            alpha.putScalar(i, orig);
            double exact = (up - down) / (2 * eps);
            double second = approx.get(key).getDouble(i);
            assertEquals(exact, second, 0.03 * Math.abs(exact) + 1e-6, key + "[" + i + "]");
            errSecond += (second - exact) * (second - exact);
            errFirst += (first.get(key).getDouble(i) - exact) * (first.get(key).getDouble(i) - exact);
        }
        // At the original weights the first-order gradient ignores the unrolling; the second order accounts for it.
        System.out.printf("second-order error %.3g, first-order error %.3g%n", Math.sqrt(errSecond), Math.sqrt(errFirst));
        assertTrue(Math.sqrt(errSecond) < 0.25 * Math.sqrt(errFirst),
                "second order error " + Math.sqrt(errSecond) + " vs first order " + Math.sqrt(errFirst));
    }

    /** L_valid(w - lr (grad_w L_train(w) + wd w)) with w the saved weights; the weights are restored after. */
    private static double unrolledValidLoss(CompiledNetwork net, Map<String, INDArray> weights, Map<String, INDArray> saved,
                                            Batches.Batch train, Batches.Batch valid, double lr, double wd) {
        weights.forEach((k, w) -> w.assign(saved.get(k)));
        Map<String, INDArray> g = net.train(train.x(), train.y(), Gates.NONE, EnumSet.of(Grad.WEIGHTS)).gradients();
        weights.forEach((k, w) -> w.subi(g.get(k).add(w.mul(wd)).muli(lr)));
        double loss = net.train(valid.x(), valid.y(), Gates.NONE, EnumSet.noneOf(Grad.class)).loss();
        weights.forEach((k, w) -> w.assign(saved.get(k)));
        return loss;
    }
}

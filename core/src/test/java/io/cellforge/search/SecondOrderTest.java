package io.cellforge.search;

import io.cellforge.analysis.Evaluator;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.SameDiffNetwork;
import io.cellforge.plan.Plan;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The second-order DARTS gradient approximates the derivative of the validation loss at the unrolled weights. */
class SecondOrderTest {

    static Map<String, INDArray> batch(Plan p, int n, long seed) {
        Random r = new Random(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, p.input().channels(), p.input().height(), p.input().width());
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, r.nextGaussian());
        }
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, p.classes());
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(p.classes()), 1.0);
        }
        return Map.of(SameDiffNetwork.INPUT, x, SameDiffNetwork.LABELS, y);
    }

    @Test
    void theUnrolledGradientMatchesTheDerivativeOfTheUnrolledLoss() throws Exception {
        SearchSpace s = OneShotSearchTest.tiny();
        Plan plan = Evaluator.supernetPlan(s);
        SameDiffNetwork net = new SameDiffNetwork(plan, SameDiffNetwork.Options.darts(4).withDataType(DataType.DOUBLE));
        Map<String, INDArray> weights = new LinkedHashMap<>();
        net.weightNames().forEach(n -> weights.put(n, net.graph().getVariable(n).getArr()));
        Map<String, INDArray> arch = new LinkedHashMap<>();
        net.archNames().forEach(n -> arch.put(n, net.graph().getVariable(n).getArr()));
        Random init = new Random(8); // the test's own generator: ND4J's global one depends on the tests run before
        for (INDArray a : arch.values()) {
            for (long i = 0; i < a.length(); i++) {
                a.putScalar(i, 0.5 * init.nextGaussian());
            }
        }
        Map<String, INDArray> train = batch(plan, 6, 1);
        Map<String, INDArray> valid = batch(plan, 6, 2);
        double lr = 0.05;
        SearchConfig cfg = SearchConfig.of("darts2", 1, 6, 4);
        OneShotSearch search = new OneShotSearch(s, null, cfg);
        Map<String, INDArray> approx = search.unrolledArchGradient(net, weights, arch, new Optimizers.Sgd(0.9, cfg.weightDecay()),
                train, valid, lr);

        // The exact objective, differentiated numerically in one alpha entry at a time.
        String key = "alpha/n2_p1";
        INDArray alpha = arch.get(key);
        Map<String, INDArray> saved = new HashMap<>();
        weights.forEach((k, w) -> saved.put(k, w.dup()));
        double eps = 1e-4;
        Map<String, INDArray> first = net.graph().calculateGradients(valid, arch.keySet());
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
    private static double unrolledValidLoss(SameDiffNetwork net, Map<String, INDArray> weights, Map<String, INDArray> saved,
                                            Map<String, INDArray> train, Map<String, INDArray> valid, double lr, double wd) {
        weights.forEach((k, w) -> w.assign(saved.get(k)));
        Map<String, INDArray> g = net.graph().calculateGradients(train, weights.keySet());
        weights.forEach((k, w) -> w.subi(g.get(k).add(w.mul(wd)).muli(lr)));
        double loss = net.graph().outputSingle(valid, SameDiffNetwork.LOSS).getDouble(0);
        weights.forEach((k, w) -> w.assign(saved.get(k)));
        return loss;
    }
}

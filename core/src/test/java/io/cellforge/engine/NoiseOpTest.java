package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Genotype;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RobustDARTS's noise op (search space s4) trains in the engine: fresh noise each step, the same for the same seed. */
class NoiseOpTest {
    static final String S4 = ("Genotype(normal=[('noise', 1), ('sep_conv_3x3', 0), ('noise', 0), ('skip_connect', 2)],"
            + " normal_concat=[2, 3], reduce=[('noise', 1), ('max_pool_3x3', 0), ('noise', 2), ('skip_connect', 0)], reduce_concat=[2, 3])");

    static INDArray logits(long seed, INDArray x, INDArray y, int times) throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(Zoo.dartsEval(Genotype.parse(S4), 4, 3, 10, false, false)),
                CompiledNetwork.Options.retrain(seed));
        INDArray out = null;
        for (int i = 0; i < times; i++) {
            out = net.evaluate(x, y, java.util.Map.of()).logits().dup();
        }
        return out;
    }

    @Test
    void noiseIsDrawnAfreshEachStepFromTheSeededGenerator() throws Exception {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 10);
        y.putScalar(0, 1, 1.0);
        y.putScalar(1, 3, 1.0);
        INDArray first = logits(5, x, y, 1);
        assertEquals(first, logits(5, x, y, 1), "the same seed draws the same noise");
        assertNotEquals(first, logits(5, x, y, 2), "the next step draws new noise");
        assertTrue(first.amaxNumber().doubleValue() > 0);
    }
}

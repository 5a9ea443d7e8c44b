package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Genotype;
import io.cellforge.engine.relax.Gates;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the peers' genotypes added runs in the engine, not only in the counts. */
class InteropOpsEngineTest {
    static final String S4 = ("Genotype(normal=[('noise', 1), ('sep_conv_3x3', 0), ('noise', 0), ('skip_connect', 2)],"
            + " normal_concat=[2, 3], reduce=[('noise', 1), ('max_pool_3x3', 0), ('noise', 2), ('skip_connect', 0)], reduce_concat=[2, 3])");

    static INDArray logits(long seed, INDArray x, INDArray y, int times) throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(Zoo.dartsEval(Genotype.parse(S4), 4, 3, 10, false, false)),
                CompiledNetwork.Options.retrain(seed));
        INDArray out = null;
        for (int i = 0; i < times; i++) {
            out = net.evaluate(x, y, Gates.NONE).logits().dup();
        }
        return out;
    }

    /** RobustDARTS's noise op (search space s4): fresh noise each step, the same for the same seed. */
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

    /** Archai's two stems both read the image; GDAS's reduce=None cell and conv_3x1_1x3 are built from plain layers. */
    @Test
    void archaiStemsGdasReductionAndConv313TrainOneStep() throws Exception {
        Genotype g = Genotype.parse("Genotype(normal=[('conv_3x1_1x3', 0), ('sep_conv_3x3', 1)], normal_concat=[2],"
                + " reduce=None, reduce_concat=[2, 3, 4, 5])");
        for (var space : java.util.List.of(Zoo.archaiEval(g, 8, 3, 10, false), Zoo.dartsEval(g, 8, 3, 10, false, false))) {
            CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space), CompiledNetwork.Options.retrain(1));
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 10);
            y.putScalar(0, 1, 1.0);
            y.putScalar(1, 3, 1.0);
            var r = net.train(x, y, Gates.NONE, java.util.EnumSet.of(CompiledNetwork.Grad.WEIGHTS));
            assertTrue(Double.isFinite(r.loss()), space.name());
            // GDAS's 8-group convolutions: dense kernels whose cross-group taps are masked zeros that get no gradient.
            int grouped = 0;
            for (var e : net.gradientMasks().entrySet()) {
                INDArray off = e.getValue().rsub(1);
                if (off.sumNumber().doubleValue() > 0 && e.getKey().contains("conv_w")) {
                    grouped++;
                    assertEquals(0.0, net.weights().get(e.getKey()).mul(off).amaxNumber().doubleValue(), e.getKey());
                    assertEquals(0.0, r.gradients().get(e.getKey()).mul(off).amaxNumber().doubleValue(), e.getKey());
                }
            }
            assertEquals(8, grouped, "two factorized convs of two GDAS reduction cells, 2 layers each");
            assertEquals(Evaluator.evaluate(space, io.cellforge.arch.Architecture.empty()).params(), net.parameterCount(), space.name());
        }
    }
}

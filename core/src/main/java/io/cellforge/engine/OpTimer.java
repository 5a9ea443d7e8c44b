package io.cellforge.engine;

import io.cellforge.engine.relax.Gates;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.ops.ShapeException;
import io.cellforge.plan.Plan;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Times one layer's forward pass as the engine runs it inside a network (inference, running statistics): the
 * layer compiled alone, fed random images, and only its own kernels timed (the engine's per-operation profile),
 * not the copy of the input in nor the loss after. What a latency table (ModularNAS's LUT) is made of.
 */
public final class OpTimer {
    private OpTimer() {
    }

    /**
     * The median of {@code runs} timed forward passes of {@code layer} on a batch of {@code batch} images of shape
     * {@code in}, in milliseconds, after {@code warmups} untimed ones (the first makes the kernels' primitives), with
     * {@code threads} OpenMP threads. A layer the engine computes as a view of its input (identity) takes 0.
     */
    public static double forwardMillis(Layer layer, Shape in, int batch, int threads, int warmups, int runs) throws ShapeException {
        if (batch < 1 || runs < 1 || warmups < 0) {
            throw new IllegalArgumentException("a timing needs a batch and a run, got batch " + batch + ", " + runs + " runs");
        }
        Shape out = layer.output(in);
        Plan plan = new Plan(in, (int) out.size(), List.of(new Plan.Apply(1, 0, layer, "timed")), Map.of(0, in, 1, out), 1, -1, Map.of());
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.retrain(1));
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, in.channels(), in.height(), in.width());
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, (int) out.size());
        double[] ms = new double[runs];
        try (Backend.ThreadPin pin = Backend.pinThreads(threads)) {
            for (int i = 0; i < warmups + runs; i++) {
                Map<String, long[]> profile = net.profile();
                net.evaluate(x, y, Gates.NONE);
                if (i >= warmups) {
                    ms[i - warmups] = profile.values().stream().mapToLong(t -> t[0]).sum() / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return runs % 2 == 1 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    }
}

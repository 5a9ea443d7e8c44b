package io.cellforge.cli;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.engine.Backend;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.relax.Gates;
import io.cellforge.ops.Shape;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.zoo.Zoo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench retrain-step}: training steps of a derived network as {@code retrain} runs them (affine BatchNorm with
 * running statistics, SGD with momentum and weight decay, clipping at 5), on the DARTS evaluation network of a genotype
 * built as {@code ../shared/bench/torch_retrain.py} builds it (stem 3C, reductions at 1/3 and 2/3, no auxiliary head, no
 * drop-path), so that the two print comparable images/s for the same settings.
 */
final class RetrainStepBench {
    /** torch_retrain.py's default genotype: the architecture a darts-mini search derived on digits. */
    static final String DEFAULT_GENOTYPE = "Genotype(normal=[('avg_pool_3x3', 1), ('avg_pool_3x3', 0), ('max_pool_3x3', 1), "
            + "('avg_pool_3x3', 2), ('avg_pool_3x3', 1), ('avg_pool_3x3', 2), ('max_pool_3x3', 4), ('avg_pool_3x3', 1)], "
            + "normal_concat=range(2, 6), reduce=[('dil_conv_5x5', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 1), "
            + "('sep_conv_3x3', 0), ('avg_pool_3x3', 3), ('max_pool_3x3', 0), ('max_pool_3x3', 2), ('dil_conv_5x5', 1)], "
            + "reduce_concat=range(2, 6))";
    private static final int MAX_WARM_UP = 8;

    private RetrainStepBench() {
    }

    /** The network the benchmark trains: the genotype's evaluation network at {@code c} channels, {@code layers} cells. */
    static SearchSpace network(Genotype g, int c, int layers, Shape input, int classes) {
        SearchSpace s = Zoo.dartsEval(g, c, layers, classes, false, false);
        return Retrain.finalNetwork(s.withNetwork(s.network().withInput(input)));
    }

    static Map<String, Object> run(Genotype g, int c, int layers, Shape input, int classes, int batch, int steps, boolean profile,
                                   PrintWriter err) throws Exception {
        String backend = Backend.init();
        SearchSpace space = network(g, c, layers, input, classes);
        long t0 = System.nanoTime();
        CompiledNetwork net = new CompiledNetwork(Evaluator.fixedPlan(space, Architecture.empty()), CompiledNetwork.Options.retrain(1));
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, INDArray> weights = net.weights();
        Optimizers.Sgd sgd = new Optimizers.Sgd(0.9, 3e-4);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, input.channels(), input.height(), input.width());
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, (i * 7L) % classes, 1.0);
        }
        List<Double> ms = new ArrayList<>();
        Map<String, long[]> timings = null;
        int warmUp = 1;
        for (int i = 0; i <= steps; i++) {
            long s = System.nanoTime();
            var r = net.train(x, y, Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS));
            Map<String, INDArray> grads = new HashMap<>(r.gradients());
            Optimizers.clipGradNorm(grads, 5);
            sgd.step(weights, grads, 0.025);
            double stepMs = (System.nanoTime() - s) / 1e6;
            if (i > 0) {
                ms.add(stepMs);
                err.printf("step %d/%d: %.1f ms%n", i, steps, stepMs);
            } else {
                err.printf("warm-up %d: %.1f ms%n", warmUp, stepMs);
                // The engine times both thread counts on its first passes (ThreadGovernor): measure after it settles.
                if (!net.threadsSettled() && warmUp < MAX_WARM_UP) {
                    warmUp++;
                    i--;
                    continue;
                }
                if (profile) {
                    timings = net.profile();
                }
            }
            err.flush();
        }
        Collections.sort(ms);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("benchmark", "retrain-step");
        o.put("input", List.of(input.channels(), input.height(), input.width()));
        o.put("channels", c);
        o.put("layers", layers);
        o.put("classes", classes);
        o.put("batch", batch);
        o.put("steps", steps);
        o.put("warm_up_steps", warmUp);
        o.put("params", net.parameterCount());
        BenchCommand.putStepTimes(o, batch, ms);
        o.put("build_s", buildSeconds);
        o.put("kernels", net.operationCount());
        o.put("reference_kernels", net.referenceKernels());
        o.put("peak_rss_mb", BenchCommand.peakRssMb());
        o.put("backend", backend);
        o.put("cpu", BenchCommand.cpuModel());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        BenchCommand.putProfile(o, timings, steps);
        return o;
    }
}

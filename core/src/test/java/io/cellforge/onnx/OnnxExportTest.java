package io.cellforge.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.cellforge.adapt.Adaptation;
import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.engine.CompiledNetwork;
import io.cellforge.engine.Optimizers;
import io.cellforge.engine.relax.Gates;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.model.TrainedModel;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.space.SearchSpace;
import io.cellforge.train.Retrain;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.zoo.Zoo;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exported graph, run by ONNX Runtime on raw pixels of the bundled digits, gives the logits Cellforge's engine
 * gives in inference mode (running statistics) on the same images normalised, for one network of each family.
 */
class OnnxExportTest {
    static final int BATCH = 16;
    static final DataBundle DIGITS = digits();

    static DataBundle digits() {
        try {
            return Datasets.digits();
        } catch (io.cellforge.io.LoadException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDartsCellNetworkWithDartsV2GivesTheEnginesLogits() throws Exception {
        SearchSpace s = Retrain.finalNetwork(Zoo.get("darts-mini").orElseThrow());
        Architecture v2 = ArchFormats.fromGenotype(Genotype.DARTS_V2, s, "DARTS_V2");
        Onnx.ModelProto onnx = agrees(s, v2);
        Set<String> ops = opTypes(onnx);
        // separable and dilated convs (depthwise + pointwise), max pool, skip, factorized reduce, the cells' concat
        assertTrue(ops.containsAll(Set.of("Conv", "MaxPool", "BatchNormalization", "Relu", "Concat", "Sum", "Slice", "GlobalAveragePool",
                "Gemm", "Sub", "Div")), ops.toString());
        assertTrue(onnx.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Conv")
                && n.getAttributeList().stream().anyMatch(a -> a.getName().equals("dilations") && a.getInts(0) == 2)), "dil_conv keeps its dilation");
        assertTrue(onnx.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Conv")
                && n.getAttributeList().stream().anyMatch(a -> a.getName().equals("group") && a.getI() > 1)), "depthwise convs are grouped");
        assertEquals(OnnxExport.OPSET, onnx.getOpsetImport(0).getVersion());
        assertEquals("N", onnx.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam(), "batch symbolic");
    }

    @Test
    void aNasBench201NetworkWithEveryOpKindGivesTheEnginesLogits() throws Exception {
        SearchSpace s = fitted(Zoo.nasBench201(4, 1, 10));
        Architecture a = ArchFormats.read(ArchFormat.NB201,
                "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|", "test", s);
        Onnx.ModelProto onnx = agrees(s, a);
        Onnx.NodeProto avg = onnx.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("AveragePool")).findFirst().orElseThrow();
        assertEquals(0, avg.getAttributeList().stream().filter(x -> x.getName().equals("count_include_pad")).findFirst().orElseThrow().getI(),
                "NAS-Bench-201's avg pool does not count the padding");
    }

    /** Three channels of other means and spreads: each channel is normalised by its own constants in the graph. */
    @Test
    void colourImagesAreNormalisedPerChannelAsTheEngineNormalisesThem() throws Exception {
        DataBundle rgb = new DataBundle(colour(DIGITS.train()), colour(DIGITS.test()), "digits in three channels");
        float[][] stats = rgb.train().channelStats();
        assertTrue(Math.abs(stats[0][0] - stats[0][1]) > 0.1 && Math.abs(stats[1][0] - stats[1][2]) > 0.01, "channels differ");
        SearchSpace s = Retrain.finalNetwork(Adaptation.toData(Zoo.nasBench201(4, 1, 10), rgb.train().shape(), 10).space());
        Architecture a = ArchFormats.read(ArchFormat.NB201,
                "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|", "test", s);
        agrees(Evaluator.fixedPlan(s, a), s, a, rgb);
    }

    /** A grey image as three channels: its pixels, their negative, their square. */
    static Dataset colour(Dataset grey) {
        int per = (int) grey.shape().size();
        byte[] px = new byte[grey.size() * per * 3];
        for (int i = 0; i < grey.size(); i++) {
            for (int j = 0; j < per; j++) {
                double v = grey.value(i * per + j);
                px[(i * 3) * per + j] = (byte) Math.round(v * 255);
                px[(i * 3 + 1) * per + j] = (byte) Math.round((1 - v) * 255);
                px[(i * 3 + 2) * per + j] = (byte) Math.round(v * v * 255);
            }
        }
        Shape sh = grey.shape();
        return new Dataset(grey.name() + " rgb", new Shape(3, sh.height(), sh.width()), grey.classNames(), px, Dataset.EIGHT_BIT, grey.labels());
    }

    @Test
    void aMobileNetV2ChildGivesTheEnginesLogits() throws Exception {
        SearchSpace s = fitted(Zoo.get("mobilenetv2-cifar").orElseThrow());
        DecisionSpace d = DecisionSpace.of(s);
        int[] options = new int[d.keys().size()];
        for (int i = 0; i < options.length; i++) {
            options[i] = i % d.keys().get(i).size(); // a mix of kernels and expansions
        }
        Onnx.ModelProto onnx = agrees(s, d.architecture(options));
        assertTrue(opTypes(onnx).contains("Clip"), "ReLU6 is a Clip");
    }

    @Test
    void aResNet20WithOptionAShortcutsGivesTheEnginesLogits() throws Exception {
        SearchSpace s = fitted(Zoo.get("resnet20-cifar").orElseThrow());
        Onnx.ModelProto onnx = agrees(s, Architecture.empty());
        assertTrue(opTypes(onnx).containsAll(Set.of("Pad", "Slice")), "option-A shortcuts subsample and pad channels");
    }

    /** A dilated depthwise conv with a channel multiplier, a grouped conv with a bias, ReLU6, an avg pool counting padding. */
    @Test
    void convolutionsKeepTheirGroupsMultipliersDilationsAndBiases() throws Exception {
        Shape in = new Shape(1, 8, 8);
        List<Layer> layers = List.of(Layer.Conv.square(1, 4, 3, 1, 1, 1, 1),
                new Layer.Conv(4, 8, 3, 3, 1, 1, 2, 2, 2, 4, false),
                new Layer.Conv(8, 8, 3, 3, 2, 2, 1, 1, 1, 2, true),
                new Layer.BatchNorm(8, true), new Layer.Activation(Layer.ActivationKind.RELU6),
                new Layer.Pool(Layer.PoolKind.AVG, 3, 1, 1, true), new Layer.GlobalAvgPool(), new Layer.Linear(8, 10, true));
        List<Plan.Step> steps = new java.util.ArrayList<>();
        Map<Integer, Shape> shapes = new HashMap<>(Map.of(0, in));
        Shape x = in;
        for (int i = 0; i < layers.size(); i++) {
            steps.add(new Plan.Apply(i + 1, i, layers.get(i), "layer " + i));
            x = layers.get(i).output(x);
            shapes.put(i + 1, x);
        }
        Plan plan = new Plan(in, 10, steps, shapes, layers.size(), -1, Map.of());
        Onnx.ModelProto onnx = agrees(plan, Zoo.blank(), Architecture.empty());
        assertTrue(opTypes(onnx).containsAll(Set.of("Conv", "Clip", "AveragePool")), opTypes(onnx).toString());
    }

    @Test
    void anOpOnnxCannotExpressIsRefusedByName() throws Exception {
        Shape in = new Shape(1, 8, 8);
        Layer noise = new Layer.Noise(1);
        Layer gap = new Layer.GlobalAvgPool();
        Layer linear = new Layer.Linear(1, 10, true);
        Plan plan = new Plan(in, 10, List.of(new Plan.Apply(1, 0, noise, "cell 0, edge 1 (noise)"), new Plan.Apply(2, 1, gap, "head"),
                new Plan.Apply(3, 2, linear, "classifier")), Map.of(0, in, 1, in, 2, gap.output(in), 3, new Shape(10, 1, 1)), 3, -1, Map.of());
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.retrain(1));
        TrainedModel m = TrainedModel.of(Zoo.blank(), Architecture.empty(), net, DIGITS.train().classNames(), DIGITS.train().channelStats(),
                0, BATCH);
        var e = assertThrows(OnnxExport.InexpressibleException.class, () -> OnnxExport.toOnnx(m, plan));
        assertTrue(e.getMessage().startsWith("cell 0, edge 1 (noise): noise"), e.getMessage());
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    static SearchSpace fitted(SearchSpace s) throws Exception {
        return Retrain.finalNetwork(Adaptation.toData(s, DIGITS.train().shape(), 10).space());
    }

    static Set<String> opTypes(Onnx.ModelProto m) {
        return m.getGraph().getNodeList().stream().map(Onnx.NodeProto::getOpType).collect(Collectors.toSet());
    }

    /**
     * Trains the network two steps (so that the running statistics are not their start), exports it, and compares
     * ONNX Runtime's logits on raw pixels with the engine's in inference mode.
     */
    static Onnx.ModelProto agrees(SearchSpace s, Architecture a) throws Exception {
        return agrees(Evaluator.fixedPlan(s, a), s, a);
    }

    static Onnx.ModelProto agrees(Plan plan, SearchSpace s, Architecture a) throws Exception {
        return agrees(plan, s, a, DIGITS);
    }

    static Onnx.ModelProto agrees(Plan plan, SearchSpace s, Architecture a, DataBundle data) throws Exception {
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.retrain(7));
        float[][] stats = data.train().channelStats();
        Batches train = new Batches(data.train(), stats, BATCH, 10, 3);
        Optimizers.Sgd sgd = new Optimizers.Sgd(0.9, 3e-4);
        for (int i = 0; i < 2; i++) {
            Batches.Batch b = train.next();
            var r = net.train(b.x(), b.y(), Gates.NONE, EnumSet.of(CompiledNetwork.Grad.WEIGHTS));
            sgd.step(net.weights(), new HashMap<>(r.gradients()), 0.05);
        }
        TrainedModel m = TrainedModel.of(s, a, net, data.train().classNames(), stats, 0, BATCH);
        int[] idx = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            idx[i] = i;
        }
        Dataset test = data.test();
        INDArray expected = net.evaluate(train.make(test, idx).x(), train.make(test, idx).y(), Gates.NONE).logits().dup();
        Onnx.ModelProto onnx = OnnxExport.toOnnx(m, plan);
        float[][] got = run(onnx, test, idx);
        double worst = 0;
        for (int i = 0; i < BATCH; i++) {
            for (int c = 0; c < 10; c++) {
                worst = Math.max(worst, Math.abs(got[i][c] - expected.getDouble(i, c)));
            }
        }
        System.out.printf("%s: %d ONNX nodes, largest logit difference %.2e%n", s.name(), onnx.getGraph().getNodeCount(), worst);
        assertTrue(worst < 1e-4, s.name() + ": ONNX Runtime's logits differ from the engine's by " + worst);
        assertTrue(expected.std(0).maxNumber().doubleValue() > 1e-3, "the logits differ between images");
        return onnx;
    }

    /** ONNX Runtime on the images' raw pixels in [0, 1], as a deployer reads them. */
    static float[][] run(Onnx.ModelProto onnx, Dataset d, int[] idx) throws Exception {
        Shape sh = d.shape();
        int per = (int) sh.size();
        float[] x = new float[idx.length * per];
        for (int i = 0; i < idx.length; i++) {
            for (int j = 0; j < per; j++) {
                x[i * per + j] = d.value(idx[i] * per + j);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnx.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {idx.length, sh.channels(), sh.height(), sh.width()});
             OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
            return (float[][]) r.get(OnnxExport.OUTPUT).orElseThrow().getValue();
        }
    }
}

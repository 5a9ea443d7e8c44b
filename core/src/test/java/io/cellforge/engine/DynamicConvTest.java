package io.cellforge.engine;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.engine.relax.Gates;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Problem;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static io.cellforge.engine.CompiledNetwork.Grad.ARCH;
import static io.cellforge.engine.CompiledNetwork.Grad.WEIGHTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Convolutions whose kernels a weight generator makes per sample from a context vector (issue 17, seed 003). */
public class DynamicConvTest {
    static final List<String> CANDIDATES = List.of("dyn_conv_3x3", "dyn_sep_conv_3x3", "dyn_dil_conv_3x3", "sep_conv_3x3",
            "skip_connect");

    /** One LayerChoice edge over the dynamic kinds and two static ops, on 2x6x6 images with 3 context values. */
    static SearchSpace space(List<String> candidates) {
        Cell c = new Cell("c", List.of(Node.input("in0"), Node.intermediate("a"), Node.output("out", Reduction.SUM)),
                List.of(Edge.of("in0", "a", LayerChoice.of("e", candidates)), Edge.of("a", "out", OpCall.of("identity"))),
                Preprocess.NONE);
        Network.Context context = new Network.Context(3, Map.of("g", List.of(OpCall.of("linear", "out", 5), OpCall.of("relu"))));
        Network net = new Network(new Shape(2, 6, 6), 3, 2, List.of(), List.of(Stage.cell("c", "c", Role.NORMAL)),
                List.of(OpCall.of("gap"), OpCall.of("linear")), null, true, context);
        return new SearchSpace("dynamic", "", net, Map.of("c", c), Map.of(), Map.of(), Map.of());
    }

    @Test
    void gradientsFlowThroughTheGeneratorTheDynamicConvolutionsAndTheMixedOp() throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space(CANDIDATES)), CompiledNetwork.Options.darts(3)
                .withDataType(DataType.DOUBLE));
        assertEquals(3, net.contextFeatures());
        assertTrue(net.weights().keySet().stream().anyMatch(k -> k.startsWith("dyn_w")), "the heads are weights");
        // Weights of the trunk (fc), of every head (dyn) and alpha: each checked against central differences.
        assertTrue(CompiledNetworkTest.check(net, Gates.NONE, EnumSet.of(WEIGHTS, ARCH)) > 100);
    }

    @Test
    void theKernelsDependOnTheContextAndAStaticConvolutionsDoNot() throws Exception {
        SearchSpace s = space(CANDIDATES);
        for (String op : List.of("dyn_conv_3x3", "dyn_dil_conv_3x3", "sep_conv_3x3")) {
            Plan plan = Evaluator.fixedPlan(s, new Architecture(Map.of("e", new Decision.Op(op))));
            CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(5).withDataType(DataType.DOUBLE));
            INDArray[] b = CompiledNetworkTest.batch(DataType.DOUBLE, plan.input(), 4, 3, 17);
            INDArray one = Nd4j.zeros(DataType.DOUBLE, 4, 3);
            INDArray other = Nd4j.ones(DataType.DOUBLE, 4, 3);
            INDArray l1 = net.evaluate(b[0], one, b[1], Gates.NONE).logits().dup();
            INDArray l2 = net.evaluate(b[0], other, b[1], Gates.NONE).logits().dup();
            if (op.startsWith("dyn")) {
                assertNotEquals(0, l1.sub(l2).norm2Number().doubleValue(), 0.0, op + " reads the context");
            } else {
                assertEquals(0, l1.sub(l2).norm2Number().doubleValue(), 0.0, op + " does not");
            }
        }
    }

    @Test
    void eachSampleIsConvolvedWithItsOwnGeneratedKernel() throws Exception {
        // A 1x1 dense dynamic conv with no ReLU/BN, on a generator that passes the context through (no layers): the
        // head's weights set by hand so that sample i's kernel is exactly its context value, times its image.
        SearchSpace s = space(CANDIDATES);
        Network n = s.network();
        s = s.withNetwork(n.withContext(new Network.Context(1, Map.of("g", List.of()))).withChannels(1).withInput(new Shape(1, 2, 2))
                .withHead(List.of(new OpCall("linear", Map.of("in", Param.of(4), "out", Param.of(3))))));
        s = s.withCell(new Cell("c", s.cells().get("c").nodes(), List.of(Edge.of("in0", "a", new OpCall("dyn_conv", Map.of("kernel", Param.of(1)))),
                Edge.of("a", "out", OpCall.of("identity"))), Preprocess.NONE));
        Plan plan = Evaluator.fixedPlan(s, Architecture.empty());
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.darts(1).withDataType(DataType.DOUBLE));
        net.weights().forEach((k, w) -> w.assign(k.startsWith("dyn_w") ? 1 : 0));
        INDArray fc = net.weights().entrySet().stream().filter(e -> e.getKey().startsWith("fc_w")).findFirst().orElseThrow().getValue();
        fc.assign(0).putScalar(new long[] {0, 0}, 1); // logit 0 = the conv's first pixel
        INDArray x = Nd4j.createFromArray(new double[] {1, 2, 3, 4, 5, 6, 7, 8}).reshape(2, 1, 2, 2);
        INDArray context = Nd4j.createFromArray(new double[][] {{2}, {-3}});
        INDArray logits = net.evaluate(x, context, Nd4j.zeros(DataType.DOUBLE, 2, 3), Gates.NONE).logits();
        assertEquals(2 * 1, logits.getDouble(0, 0), 1e-12);
        assertEquals(-3 * 5, logits.getDouble(1, 0), 1e-12);
    }

    @Test
    void countsAreExactForTheGeneratorAndEachCandidatesHead() {
        SearchSpace s = space(CANDIDATES);
        // Generator: linear 3 -> 5 with bias. dyn_conv_3x3 on 2 channels: a 2x2x3x3 kernel of 36 values, made by a head
        // of (5 + 1) x 36; its multiply-adds at 6x6: the conv's 36 x 2 x 2 x 9 and the head's 5 x 36. BN: 4.
        NetworkStats conv = Evaluator.evaluate(s, new Architecture(Map.of("e", new Decision.Op("dyn_conv_3x3"))));
        NetworkStats.Part generator = conv.parts().stream().filter(p -> p.name().equals("generator g")).findFirst().orElseThrow();
        assertEquals(20, generator.params());
        assertEquals(15, generator.macs());
        NetworkStats.Part cell = conv.parts().stream().filter(p -> p.kind().equals("cell c")).findFirst().orElseThrow();
        assertEquals(6 * 36 + 4, cell.params());
        assertEquals(36 * 2 * 2 * 9 + 5 * 36, cell.macs());
        // dyn_dil_conv_3x3: depthwise 2x1x3x3 (18 values) and pointwise 2x2 (4), each with its own head.
        NetworkStats dil = Evaluator.evaluate(s, new Architecture(Map.of("e", new Decision.Op("dyn_dil_conv_3x3"))));
        assertEquals(6 * 18 + 6 * 4 + 4, dil.parts().stream().filter(p -> p.kind().equals("cell c")).findFirst().orElseThrow().params());
        // A derived network without a dynamic convolution carries no generator.
        NetworkStats fixed = Evaluator.evaluate(s, new Architecture(Map.of("e", new Decision.Op("sep_conv_3x3"))));
        assertTrue(fixed.parts().stream().noneMatch(p -> p.kind().equals("weight generator")), fixed.parts().toString());
        assertEquals(0, plan(s, "sep_conv_3x3").contextFeatures(), "nor reads a context");
        assertEquals(3, plan(s, "dyn_sep_conv_3x3").contextFeatures());
        // The supernet holds every head once, and the engine exactly the counted parameters.
        NetworkStats supernet = Evaluator.supernet(s);
        assertTrue(supernet.ok(), supernet.problems().toString());
        assertEquals(supernet.params(), new CompiledNetwork(plan(s), CompiledNetwork.Options.darts(1)).parameterCount());
    }

    private static Plan plan(SearchSpace s, String op) {
        try {
            return Evaluator.fixedPlan(s, new Architecture(Map.of("e", new Decision.Op(op))));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Plan plan(SearchSpace s) {
        try {
            return Evaluator.supernetPlan(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theSpaceFileKeepsTheContextAndTheGenerators() throws Exception {
        SearchSpace s = space(CANDIDATES);
        String yaml = SpaceYaml.write(s);
        assertTrue(yaml.contains("  context:\n    features: 3\n    generators:\n      g: [{op: linear, out: 5}, relu]\n"), yaml);
        SearchSpace back = SpaceYaml.read(yaml, "dynamic.yaml").space();
        assertEquals(s, back);
        assertEquals(yaml, SpaceYaml.write(back));
    }

    @Test
    void aDynamicConvolutionWithoutItsGeneratorSaysWhereAndWhy() {
        SearchSpace s = space(CANDIDATES);
        SearchSpace none = s.withNetwork(s.network().withContext(Network.Context.NONE));
        Problem p = Evaluator.supernet(none).problems().stream().findFirst().orElseThrow(() -> new AssertionError(SpaceYaml.write(none)));
        assertEquals("cell c, edge in0->a", p.place());
        assertTrue(p.message().contains("dyn_conv_3x3 takes its kernels from a weight generator, and the network declares none"), p.message());

        SearchSpace wrong = s.withCell(new Cell("c", s.cells().get("c").nodes(), List.of(
                Edge.of("in0", "a", new OpCall("dyn_conv_3x3", Map.of("generator", Param.ref("h")))),
                Edge.of("a", "out", OpCall.of("identity"))), Preprocess.NONE));
        Problem q = Evaluator.supernet(wrong).problems().get(0);
        assertTrue(q.message().contains("refers to $h, which is not a weight generator of the network (it has g)"), q.message());

        SearchSpace unread = s.withNetwork(s.network().withContext(new Network.Context(0, Map.of("g", List.of()))));
        assertEquals("declares weight generators but no features per sample for them to read",
                Evaluator.supernet(unread).problems().get(0).message());
    }

    /** A node keeping 1 of 2 inputs: in0 -> a (e1, may be dynamic) or in0 -> b -> a (e2). */
    public static SearchSpace gated() {
        SearchSpace s = space(CANDIDATES);
        Cell c = new Cell("c", List.of(Node.input("in0"), Node.intermediate("b"),
                Node.intermediate("a").withInputChoice(new io.cellforge.space.InputChoice("a_in", 1, Reduction.SUM, false)),
                Node.output("out", Reduction.SUM)),
                List.of(Edge.of("in0", "b", OpCall.of("identity")), Edge.of("in0", "a", LayerChoice.of("e1", CANDIDATES)),
                        Edge.of("b", "a", LayerChoice.of("e2", CANDIDATES)),
                        Edge.of("a", "out", OpCall.of("identity"))), Preprocess.NONE);
        return s.withCell(c);
    }

    @Test
    void aDynamicOpOnAnInputTheArchitectureDropsBringsNoGenerator() throws Exception {
        SearchSpace s = gated();
        Architecture dropped = new Architecture(Map.of("e1", new Decision.Op("dyn_conv_3x3"), "e2", new Decision.Op("sep_conv_3x3"),
                "a_in", new Decision.Inputs(List.of(1))));
        NetworkStats st = Evaluator.evaluate(s, dropped);
        assertTrue(st.ok(), st.problems().toString());
        assertTrue(st.parts().stream().noneMatch(p -> p.kind().equals("weight generator")), st.parts().toString());
        assertTrue(st.dynamic().isEmpty());
        assertEquals(0, Evaluator.fixedPlan(s, dropped).contextFeatures());
        Architecture kept = dropped.with("a_in", new Decision.Inputs(List.of(0)));
        assertEquals(3, Evaluator.fixedPlan(s, kept).contextFeatures());
        assertEquals(20 + 6 * 36 + 4 + 9, Evaluator.evaluate(s, kept).params(), "generator, head, BN and the head's linear");
    }

    @Test
    void aDynamicLayerIsTimedWithItsHead() throws Exception {
        Layer dyn = new Layer.DynamicConv("g", 5, Layer.Conv.square(2, 2, 3, 1, 1, 1, 1));
        assertTrue(new OpTimer(dyn, new Shape(2, 6, 6), 4).medianMillis(1, 1, 1) > 0);
    }

    @Test
    void anElasticNetworkRefusesWeightGeneratorsByName() {
        SearchSpace ofa = io.cellforge.zoo.Zoo.get("ofa-mini").orElseThrow();
        Network n = ofa.network();
        List<List<OpCall>> stem = List.of(List.of(new OpCall("dyn_conv", Map.of("kernel", Param.of(3)))));
        SearchSpace s = ofa.withNetwork(new Network(n.input(), n.classes(), n.channels(), stem, n.stages(), n.head(), n.auxiliary(),
                n.affine(), new Network.Context(4, Map.of("g", List.of()))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> io.cellforge.search.ElasticSpace.of(s));
        assertTrue(e.getMessage().startsWith("the network has weight generators (g), whose dynamic convolutions no elastic network"),
                e.getMessage());
    }

    @Test
    void aDerivedDynamicNetworkIsEstimatedAndRefusedByOnnxWithTheReason() throws Exception {
        SearchSpace s = io.cellforge.train.Retrain.finalNetwork(space(CANDIDATES));
        Architecture a = new Architecture(Map.of("e", new Decision.Op("dyn_dil_conv_3x3")));
        Plan plan = Evaluator.fixedPlan(s, a);
        // The estimate counts the kernels a head makes per sample (18 and 4 values) and the im2col columns of the two
        // convolutions (2 x 3 x 3 and 2 x 1 x 1 values a pixel of 6x6), each with its gradient.
        Plan fixedStatic = Evaluator.fixedPlan(s, new Architecture(Map.of("e", new Decision.Op("skip_connect"))));
        assertTrue(io.cellforge.analysis.MemoryEstimate.retrain(plan, 8).activationBytes()
                > io.cellforge.analysis.MemoryEstimate.retrain(fixedStatic, 8).activationBytes() + 8L * 4 * 2 * (18 + 4 + (18 + 2) * 36));
        CompiledNetwork net = new CompiledNetwork(plan, CompiledNetwork.Options.retrain(1));
        io.cellforge.model.TrainedModel m = io.cellforge.model.TrainedModel.of(s, a, net, List.of("a", "b", "c"),
                new float[][] {{0, 0}, {1, 1}}, 0, 8);
        io.cellforge.onnx.OnnxExport.InexpressibleException e = assertThrows(io.cellforge.onnx.OnnxExport.InexpressibleException.class,
                () -> io.cellforge.onnx.OnnxExport.toOnnx(m));
        assertTrue(e.getMessage().contains("weight generators g, and ONNX's Conv takes one kernel for the whole batch"), e.getMessage());
    }

    @Test
    void aNetworkThatReadsAContextRefusesABatchWithout() throws Exception {
        CompiledNetwork net = new CompiledNetwork(Evaluator.supernetPlan(space(CANDIDATES)), CompiledNetwork.Options.darts(3));
        INDArray[] b = CompiledNetworkTest.batch(DataType.FLOAT, net.plan().input(), 2, 3, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.train(b[0], b[1], Gates.NONE, EnumSet.of(WEIGHTS)));
        assertTrue(e.getMessage().contains("read 3 context values a sample, and the data have none"), e.getMessage());
    }

    @Test
    void theFloatEngineMatchesTheDoubleOne() throws Exception {
        // The float build runs oneDNN's blocked layouts where it can; the dynamic op converts to and from NCHW.
        Plan plan = Evaluator.supernetPlan(space(CANDIDATES).withNetwork(space(CANDIDATES).network().withChannels(16)
                .withInput(new Shape(16, 6, 6))));
        CompiledNetwork f = new CompiledNetwork(plan, CompiledNetwork.Options.darts(9));
        CompiledNetwork d = new CompiledNetwork(plan, CompiledNetwork.Options.darts(9).withDataType(DataType.DOUBLE));
        INDArray[] b = CompiledNetworkTest.batch(DataType.DOUBLE, plan.input(), 3, 3, 4);
        INDArray context = CompiledNetworkTest.batch(DataType.DOUBLE, new Shape(3, 1, 1), 3, 1, 5)[0].reshape(3, 3);
        double lf = f.train(b[0].castTo(DataType.FLOAT), context.castTo(DataType.FLOAT), b[1].castTo(DataType.FLOAT), Gates.NONE,
                EnumSet.of(WEIGHTS)).loss();
        double ld = d.train(b[0], context, b[1], Gates.NONE, EnumSet.of(WEIGHTS)).loss();
        assertEquals(ld, lf, 1e-4 * Math.abs(ld));
    }
}

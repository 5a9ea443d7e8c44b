package io.cellforge.onnx;

import io.cellforge.io.FileWrites;
import io.cellforge.model.TrainedModel;
import io.cellforge.ops.Layer;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.space.Reduction;
import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A trained model as an ONNX graph (opset 13) for inference: weights and BatchNorm running statistics as
 * initialisers, the batch dimension symbolic. The graph takes what Cellforge's readers give, raw pixels in [0, 1]
 * ({@code pixels}, NCHW float32), and normalises them first ({@code Sub} mean, {@code Div} std per channel), so that a
 * deployer feeds the images as read; it gives the main head's {@code logits} [N, classes]. The plan is walked as
 * {@link io.cellforge.engine.CompiledNetwork} compiles it, so the tensors come by the names the engine gave them; the
 * ops map one to one (drop-path and dropout are identities at inference; zero ops are dropped from sums). Written
 * with ONNX's own protobuf schema (the generated classes ND4J ships).
 */
public final class OnnxExport {
    public static final int OPSET = 13;
    /** ONNX IR version 7 is the one of opset 13. */
    public static final long IR_VERSION = 7;
    public static final String INPUT = "pixels";
    public static final String OUTPUT = "logits";
    static final double BN_EPS = io.cellforge.engine.ops.BatchNormOp.EPS;

    /** An op of the network that ONNX cannot express (exactly), named with its place in the space. */
    public static final class InexpressibleException extends Exception {
        InexpressibleException(String message) {
            super(message);
        }
    }

    private final TrainedModel model;
    private final Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
    private final Map<Integer, Value> values = new HashMap<>();
    private final Set<String> initialisers = new HashSet<>();
    private int weightCounter;
    private int runningCounter;
    private int nodeCounter;
    private String batchDim;

    /** A tensor of the graph; {@code zero}: all zeros, not yet made (a none op), {@code flat}: [N, features]. */
    private record Value(String name, Shape shape, boolean zero, boolean flat) {
        static Value of(String name, Shape s) {
            return new Value(name, s, false, false);
        }
    }

    private OnnxExport(TrainedModel model) {
        this.model = model;
    }

    /** The ONNX model of {@code m}. */
    public static Onnx.ModelProto toOnnx(TrainedModel m) throws PlanException, InexpressibleException, TrainedModel.MismatchException {
        return new OnnxExport(m).build(m.plan());
    }

    /** The ONNX model of {@code m} computing {@code plan} (tests: a plan no space gives). */
    static Onnx.ModelProto toOnnx(TrainedModel m, Plan plan) throws InexpressibleException, TrainedModel.MismatchException {
        return new OnnxExport(m).build(plan);
    }

    /** Writes {@code m} as ONNX to {@code file}, atomically. */
    public static void write(TrainedModel m, Path file) throws IOException, PlanException, InexpressibleException,
            TrainedModel.MismatchException {
        byte[] bytes = toOnnx(m).toByteArray();
        FileWrites.writeAtomically(file, out -> out.write(bytes));
    }

    private Onnx.ModelProto build(Plan plan) throws InexpressibleException, TrainedModel.MismatchException {
        if (plan.context() >= 0) {
            throw new InexpressibleException("the network's dynamic convolutions take a kernel per sample from weight generators "
                    + String.join(", ", plan.generators().keySet()) + ", and ONNX's Conv takes one kernel for the whole batch: "
                    + "a network with a context input has no ONNX form here");
        }
        Shape in = plan.input();
        graph.setName(model.space().name().isEmpty() ? "cellforge" : model.space().name());
        graph.addInput(valueInfo(INPUT, in.channels(), in.height(), in.width()));
        long[] perChannel = {1, in.channels(), 1, 1};
        String mean = constant("normalisation_mean", perChannel, model.normalisation()[0]);
        String std = constant("normalisation_std", perChannel, model.normalisation()[1]);
        String centred = node("Sub", List.of(INPUT, mean), "normalise_sub");
        values.put(0, Value.of(node("Div", List.of(centred, std), "normalise_div"), in));
        for (Plan.Step s : plan.steps()) {
            values.put(s.out(), step(s));
        }
        Value logits = values.get(plan.logits());
        String last = materialise(logits).name();
        if (!logits.flat()) {
            last = node("Flatten", List.of(last), "flatten_logits", intAttr("axis", 1));
        }
        graph.addNode(Onnx.NodeProto.newBuilder().setOpType("Identity").addInput(last).addOutput(OUTPUT).setName("logits"));
        graph.addOutput(Onnx.ValueInfoProto.newBuilder().setName(OUTPUT).setType(tensorType(List.of(-1L, (long) plan.classes()))));
        prune();
        return Onnx.ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("Cellforge").setProducerVersion("0.1.0")
                .setDocString("input: raw pixels in [0, 1], NCHW float32 (normalised by the first nodes); output: logits")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph).build();
    }

    // ---- the plan ---------------------------------------------------------------------------------------

    private Value step(Plan.Step s) throws InexpressibleException, TrainedModel.MismatchException {
        if (s instanceof Plan.Apply a) {
            return layer(a.layer(), values.get(a.in()), a.where());
        }
        if (s instanceof Plan.Add a) {
            return sum(List.of(values.get(a.a()), values.get(a.b())), 1, a.where());
        }
        if (s instanceof Plan.DropPath d) {
            return values.get(d.in()); // inference never drops a path
        }
        if (s instanceof Plan.Mixed m) {
            throw new InexpressibleException(m.where() + ": a LayerChoice still open (" + m.key() + "); export a retrained network");
        }
        Plan.Merge m = (Plan.Merge) s;
        if (m.key() != null) {
            throw new InexpressibleException(m.where() + ": an InputChoice still open (" + m.key() + "); export a retrained network");
        }
        List<Value> ins = m.ins().stream().map(values::get).toList();
        if (m.reduction() == Reduction.CONCAT) {
            return ins.size() == 1 ? ins.get(0) : concat(ins, m.where());
        }
        if (ins.size() == 1) {
            return ins.get(0);
        }
        return sum(ins, m.reduction() == Reduction.MEAN ? 1.0 / ins.size() : 1, m.where());
    }

    /** As the engine compiles a layer, in the same order, so that every weight is taken by the name it was given. */
    private Value layer(Layer l, Value in, String where) throws InexpressibleException, TrainedModel.MismatchException {
        Shape o;
        try {
            o = l.output(in.shape());
        } catch (io.cellforge.ops.ShapeException e) {
            throw new IllegalStateException("the plan's shapes are inconsistent at " + where + ": " + e.getMessage(), e);
        }
        String w = where.replaceAll("[^A-Za-z0-9_]+", "_");
        if (l instanceof Layer.Dropout d) {
            return in;
        } else if (l instanceof Layer.Identity i) {
            return in;
        } else if (l instanceof Layer.Sequential seq) {
            Value x = in;
            for (Layer c : seq.layers()) {
                x = layer(c, x, where);
            }
            return x;
        } else if (l instanceof Layer.Sum sum) {
            List<Value> parts = new ArrayList<>();
            for (Layer b : sum.branches()) {
                parts.add(layer(b, in, where));
            }
            return parts.size() == 1 ? parts.get(0) : sum(parts, 1, where);
        } else if (l instanceof Layer.Concat cat) {
            List<Value> parts = new ArrayList<>();
            for (Layer b : cat.branches()) {
                parts.add(layer(b, in, where));
            }
            return parts.size() == 1 ? parts.get(0) : concat(parts, where);
        } else if (l instanceof Layer.Zero z) {
            return new Value(null, o, true, false);
        } else if (l instanceof Layer.Noise n) {
            throw new InexpressibleException(where + ": noise (RobustDARTS's op) cannot be exported: its output is "
                + "random noise drawn afresh each pass, not a function of the input that ONNX could express");
        } else if (l instanceof Layer.Conv c) {
            return Value.of(conv(c, fourD(in).name(), w), o);
        } else if (l instanceof Layer.BatchNorm bn) {
            String scale;
            String bias;
            if (bn.affine()) {
                scale = weight(nextWeight("bn_gamma"), null);
                bias = weight(nextWeight("bn_beta"), null);
            } else {
                float[] ones = new float[bn.channels()];
                java.util.Arrays.fill(ones, 1);
                scale = constant("bn_scale_one_" + runningCounter, new long[] {bn.channels()}, ones);
                bias = constant("bn_bias_zero_" + runningCounter, new long[] {bn.channels()}, new float[bn.channels()]);
            }
            int r = runningCounter++;
            String mean = weight(io.cellforge.engine.CompiledNetwork.runningMeanName(r), null);
            String var = weight(io.cellforge.engine.CompiledNetwork.runningVarName(r), null);
            Value x = materialise(in);
            return new Value(node("BatchNormalization", List.of(x.name(), scale, bias, mean, var), w + "_bn",
                    floatAttr("epsilon", (float) BN_EPS)), o, false, x.flat());
        } else if (l instanceof Layer.Activation a) {
            Value x = materialise(in);
            String y = a.kind() == Layer.ActivationKind.RELU ? node("Relu", List.of(x.name()), w + "_relu")
                    : node("Clip", List.of(x.name(), scalar("relu6_min", 0), scalar("relu6_max", 6)), w + "_relu6");
            return new Value(y, o, false, x.flat());
        } else if (l instanceof Layer.Pool p) {
            List<Onnx.AttributeProto> attrs = new ArrayList<>(List.of(intsAttr("kernel_shape", p.kernel(), p.kernel()),
                    intsAttr("strides", p.stride(), p.stride()), intsAttr("pads", p.padding(), p.padding(), p.padding(), p.padding())));
            if (p.kind() == Layer.PoolKind.AVG) {
                attrs.add(intAttr("count_include_pad", p.countIncludePad() ? 1 : 0));
            }
            return Value.of(node(p.kind() == Layer.PoolKind.MAX ? "MaxPool" : "AveragePool", List.of(fourD(in).name()),
                    w + (p.kind() == Layer.PoolKind.MAX ? "_maxpool" : "_avgpool"), attrs.toArray(Onnx.AttributeProto[]::new)), o);
        } else if (l instanceof Layer.GlobalAvgPool g) {
            return Value.of(node("GlobalAveragePool", List.of(fourD(in).name()), w + "_gap"), o);
        } else if (l instanceof Layer.Linear lin) {
            String wt = weight(nextWeight("fc_w"), new long[] {lin.in(), lin.out()});
            List<String> ins = new ArrayList<>();
            Value x = materialise(in);
            ins.add(x.flat() ? x.name() : node("Flatten", List.of(x.name()), w + "_flatten", intAttr("axis", 1)));
            ins.add(wt);
            if (lin.bias()) {
                ins.add(weight(nextWeight("fc_b"), new long[] {lin.out()}));
            }
            return new Value(node("Gemm", ins, w + "_linear"), o, false, true);
        } else if (l instanceof Layer.ShiftCrop s) {
            // x[:, :, 1:, 1:], FactorizedReduce's second path
            return Value.of(node("Slice", List.of(fourD(in).name(), longs("crop_starts", 1, 1), longs("crop_ends", Integer.MAX_VALUE, Integer.MAX_VALUE),
                    longs("hw_axes", 2, 3)), w + "_crop"), o);
        } else if (l instanceof Layer.PadShortcut p) {
            // ResNet option A: x[:, :, ::s, ::s], its channels padded with zeros on both sides
            String sub = node("Slice", List.of(fourD(in).name(), longs("zero_starts", 0, 0),
                    longs("hw_ends", Integer.MAX_VALUE, Integer.MAX_VALUE), longs("hw_axes", 2, 3),
                    longs("steps_" + p.stride(), p.stride(), p.stride())), w + "_subsample");
            int before = (p.out() - p.in()) / 2;
            int after = p.out() - p.in() - before;
            return Value.of(node("Pad", List.of(sub, longs("pads_" + before + "_" + after, 0, before, 0, 0, 0, after, 0, 0)),
                    w + "_padchannels", stringAttr("mode", "constant")), o);
        }
        throw new InexpressibleException(where + ": " + l.getClass().getSimpleName() + " has no ONNX form");
    }

    /**
     * A convolution: the engine's kernel [kH', kW', in, out] (a dilated one spread out with zeros between the taps, a
     * grouped one dense with zeros between the groups) or depthwise [kH', kW', in, multiplier] becomes ONNX's
     * [out, in / groups, kH, kW] with its dilation and groups.
     */
    private String conv(Layer.Conv c, String x, String w) throws TrainedModel.MismatchException {
        List<String> ins = new ArrayList<>();
        String bias = c.bias() ? nextWeight("conv_b") : null; // the engine names the bias first
        int d = c.dilation();
        long sh = (long) (c.kernelH() - 1) * d + 1;
        long sw = (long) (c.kernelW() - 1) * d + 1;
        boolean depthwise = c.groups() > 1 && c.groups() == c.in() && c.out() % c.in() == 0;
        String name = nextWeight(depthwise ? "dw_w" : "conv_w");
        TrainedModel.Tensor k = model.tensor(name);
        int inPer = c.in() / c.groups();
        int outPer = c.out() / c.groups();
        long[] engineShape = depthwise ? new long[] {sh, sw, c.in(), outPer} : new long[] {sh, sw, c.in(), c.out()};
        requireShape(name, k, engineShape);
        float[] onnx = new float[c.out() * inPer * c.kernelH() * c.kernelW()];
        long rowIn = engineShape[2] * engineShape[3];
        for (int o = 0; o < c.out(); o++) {
            int g = o / outPer;
            for (int i = 0; i < inPer; i++) {
                for (int y = 0; y < c.kernelH(); y++) {
                    for (int xx = 0; xx < c.kernelW(); xx++) {
                        long tap = ((long) y * d * sw + (long) xx * d) * rowIn;
                        long at = depthwise ? tap + (long) g * outPer + (o % outPer) : tap + (long) (g * inPer + i) * c.out() + o;
                        onnx[((o * inPer + i) * c.kernelH() + y) * c.kernelW() + xx] = k.values()[(int) at];
                    }
                }
            }
        }
        ins.add(x);
        ins.add(initialiser(name, new long[] {c.out(), inPer, c.kernelH(), c.kernelW()}, onnx));
        if (bias != null) {
            ins.add(weight(bias, new long[] {c.out()}));
        }
        return node("Conv", ins, w + "_conv", intsAttr("kernel_shape", c.kernelH(), c.kernelW()),
                intsAttr("strides", c.strideH(), c.strideW()), intsAttr("pads", c.padH(), c.padW(), c.padH(), c.padW()),
                intsAttr("dilations", d, d), intAttr("group", c.groups()));
    }

    /** Branches added (scaled, for a mean): zeros dropped, nothing left is zeros. */
    private Value sum(List<Value> parts, double scale, String where) {
        List<String> live = parts.stream().filter(v -> !v.zero()).map(v -> fourD(v).name()).toList();
        Shape s = parts.get(0).shape();
        if (live.isEmpty()) {
            return new Value(null, s, true, false);
        }
        String w = where.replaceAll("[^A-Za-z0-9_]+", "_");
        String y = live.size() == 1 ? live.get(0) : node("Sum", live, w + "_sum");
        if (scale != 1) {
            y = node("Mul", List.of(y, scalar("mean_" + parts.size(), (float) scale)), w + "_mean");
        }
        return Value.of(y, s);
    }

    private Value concat(List<Value> parts, String where) {
        List<String> names = parts.stream().map(v -> fourD(v).name()).toList();
        int c = parts.stream().mapToInt(v -> v.shape().channels()).sum();
        return Value.of(node("Concat", names, where.replaceAll("[^A-Za-z0-9_]+", "_") + "_concat", intAttr("axis", 1)),
                parts.get(0).shape().withChannels(c));
    }

    /** A zero value as a tensor of zeros [N, C, H, W] (the batch from the input's shape). */
    private Value materialise(Value v) {
        if (!v.zero()) {
            return v;
        }
        if (batchDim == null) {
            String shape = node("Shape", List.of(INPUT), "input_shape");
            batchDim = node("Slice", List.of(shape, longs("zero_start", 0), longs("one_end", 1)), "batch_size");
        }
        Shape s = v.shape();
        String full = node("Concat", List.of(batchDim, longs("chw_" + s.channels() + "_" + s.height() + "_" + s.width(), s.channels(),
                s.height(), s.width())), "zeros_shape", intAttr("axis", 0));
        Onnx.TensorProto zero = Onnx.TensorProto.newBuilder().setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber()).addDims(1)
                .setRawData(floats(new float[1])).build();
        return Value.of(node("ConstantOfShape", List.of(full), "zeros", Onnx.AttributeProto.newBuilder().setName("value")
                .setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(zero).build()), s);
    }

    /** A [N, C, H, W] tensor: zeros made, a linear layer's [N, F] unsqueezed to [N, F, 1, 1]. */
    private Value fourD(Value v) {
        Value x = materialise(v);
        if (!x.flat()) {
            return x;
        }
        return Value.of(node("Unsqueeze", List.of(x.name(), longs("hw_axes", 2, 3)), "unsqueeze"), x.shape());
    }

    // ---- tensors ----------------------------------------------------------------------------------------

    private String nextWeight(String kind) {
        return kind + "_" + (weightCounter++);
    }

    /** A tensor of the model as an initialiser of its own name, checked against the shape the plan needs. */
    private String weight(String name, long[] shape) throws TrainedModel.MismatchException {
        TrainedModel.Tensor t = model.tensor(name);
        if (shape != null) {
            requireShape(name, t, shape);
        }
        return initialiser(name, t.shape(), t.values());
    }

    private static void requireShape(String name, TrainedModel.Tensor t, long[] shape) throws TrainedModel.MismatchException {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new TrainedModel.MismatchException(name, "shape " + java.util.Arrays.toString(t.shape()) + " where the network needs "
                    + java.util.Arrays.toString(shape));
        }
    }

    private String initialiser(String name, long[] shape, float[] values) {
        if (initialisers.add(name)) {
            Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.FLOAT.getNumber())
                    .setRawData(floats(values));
            for (long d : shape) {
                t.addDims(d);
            }
            graph.addInitializer(t);
        }
        return name;
    }

    private String constant(String name, long[] shape, float[] values) {
        return initialiser(name, shape, values);
    }

    private String scalar(String name, float v) {
        return initialiser(name, new long[0], new float[] {v});
    }

    private String longs(String name, long... v) {
        if (initialisers.add(name)) {
            ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long x : v) {
                b.putLong(x);
            }
            graph.addInitializer(Onnx.TensorProto.newBuilder().setName(name).setDataType(Onnx.TensorProto.DataType.INT64.getNumber())
                    .addDims(v.length).setRawData(ByteString.copyFrom(b.array())));
        }
        return name;
    }

    private static ByteString floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return ByteString.copyFrom(b.array());
    }

    // ---- nodes --------------------------------------------------------------------------------------------

    /** Adds a node with one output, named after its place; returns the output's name. */
    private String node(String op, List<String> inputs, String name, Onnx.AttributeProto... attrs) {
        String unique = name + "_" + (nodeCounter++);
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(unique).addAllInput(inputs).addOutput(unique);
        for (Onnx.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        graph.addNode(n);
        return unique;
    }

    private static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static Onnx.AttributeProto intsAttr(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static Onnx.AttributeProto floatAttr(String name, float v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static Onnx.AttributeProto stringAttr(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, long c, long h, long w) {
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(tensorType(List.of(-1L, c, h, w))).build();
    }

    /** A float tensor type; -1 is the symbolic batch dimension {@code N}. */
    private static Onnx.TypeProto tensorType(List<Long> dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                .setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber()).setShape(shape)).build();
    }

    /** Drops what the logits do not depend on (an auxiliary head) and the initialisers nothing reads. */
    private void prune() {
        Set<String> needed = new HashSet<>(Set.of(OUTPUT));
        List<Onnx.NodeProto> kept = new ArrayList<>();
        for (int i = graph.getNodeCount() - 1; i >= 0; i--) {
            Onnx.NodeProto n = graph.getNode(i);
            if (n.getOutputList().stream().anyMatch(needed::contains)) {
                kept.add(0, n);
                needed.addAll(n.getInputList());
            }
        }
        List<Onnx.TensorProto> inits = graph.getInitializerList().stream().filter(t -> needed.contains(t.getName())).toList();
        graph.clearNode().addAllNode(kept).clearInitializer().addAllInitializer(inits);
    }
}

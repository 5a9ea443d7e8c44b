package io.cellforge.ops;

import io.cellforge.ops.Layer.Activation;
import io.cellforge.ops.Layer.ActivationKind;
import io.cellforge.ops.Layer.BatchNorm;
import io.cellforge.ops.Layer.Concat;
import io.cellforge.ops.Layer.Conv;
import io.cellforge.ops.Layer.PoolKind;
import io.cellforge.ops.Layer.Sequential;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in ops: a table from the names used in papers and YAML files to layer builders, as the DARTS
 * repository's {@code OPS} dict. Semantics follow the reference code exactly (order of ReLU/conv/BN, padding,
 * dilation, affine), because parameter counts and trained weights must match the published networks.
 */
public final class OpCatalog {

    public static final String GROUP_PRIMITIVE = "Primitives";
    public static final String GROUP_DARTS = "DARTS";
    public static final String GROUP_NB201 = "NAS-Bench-201";
    public static final String GROUP_ENAS_MICRO = "ENAS micro";
    public static final String GROUP_ENAS_MACRO = "ENAS macro";
    public static final String GROUP_MODNAS = "ModularNAS";
    public static final String GROUP_BLOCKS = "Blocks";
    public static final String GROUP_HEADS = "Heads";
    public static final String GROUP_DYNAMIC = "Dynamic";
    public static final String GROUP_USER = "User ops";

    /** The eight DARTS candidates in the order of {@code genotypes.PRIMITIVES}. */
    public static final List<String> DARTS_PRIMITIVES = List.of("none", "max_pool_3x3", "avg_pool_3x3",
            "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5");
    public static final List<String> NB201_PRIMITIVES = List.of("none", "skip_connect", "nor_conv_1x1",
            "nor_conv_3x3", "avg_pool_3x3");
    public static final List<String> ENAS_MICRO_PRIMITIVES = List.of("sep_conv_bn_3x3", "sep_conv_bn_5x5",
            "avg_pool_bn_3x3", "max_pool_bn_3x3", "skip_connect");
    public static final List<String> ENAS_MACRO_PRIMITIVES = List.of("enas_conv_3x3", "enas_sep_conv_3x3",
            "enas_conv_5x5", "enas_sep_conv_5x5", "enas_avg_pool_3x3", "enas_max_pool_3x3");

    private static final OpCatalog BUILTIN = new OpCatalog(builtins());

    private final Map<String, OpDef> ops;

    private OpCatalog(Map<String, OpDef> ops) {
        this.ops = ops;
    }

    public static OpCatalog builtin() {
        return BUILTIN;
    }

    /** The built-in table extended with a space's user-defined ops (which may not shadow a built-in name). */
    public OpCatalog with(Collection<OpDef> userOps) {
        Map<String, OpDef> all = new LinkedHashMap<>(ops);
        for (OpDef d : userOps) {
            all.putIfAbsent(d.name(), d);
        }
        return new OpCatalog(all);
    }

    public Optional<OpDef> find(String name) {
        return Optional.ofNullable(ops.get(name));
    }

    public boolean isBuiltin(String name) {
        return BUILTIN.ops.containsKey(name);
    }

    public Collection<OpDef> all() {
        return ops.values();
    }

    /** The closest known name, for "did you mean" in error messages. */
    public Optional<String> closest(String name) {
        String best = null;
        int bestDist = Integer.MAX_VALUE;
        for (String k : ops.keySet()) {
            int d = editDistance(name.toLowerCase(), k.toLowerCase());
            if (d < bestDist) {
                bestDist = d;
                best = k;
            }
        }
        return bestDist <= Math.max(2, name.length() / 3) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- building blocks shared by several ops --------------------------------------------------------

    static Layer relu() {
        return new Activation(ActivationKind.RELU);
    }

    static Layer relu6() {
        return new Activation(ActivationKind.RELU6);
    }

    /** DARTS ReLUConvBN. */
    public static Layer reluConvBn(int cIn, int cOut, int k, int stride, int pad, boolean affine) {
        return Sequential.of(relu(), Conv.square(cIn, cOut, k, stride, pad, 1, 1), new BatchNorm(cOut, affine));
    }

    /** DARTS FactorizedReduce: two offset 1x1 stride-2 convolutions, concatenated. */
    public static Layer factorizedReduce(int cIn, int cOut, boolean affine) throws ShapeException {
        if (cOut % 2 != 0) {
            throw new ShapeException("FactorizedReduce needs an even number of output channels, got " + cOut);
        }
        Layer path1 = Conv.square(cIn, cOut / 2, 1, 2, 0, 1, 1);
        Layer path2 = Sequential.of(new Layer.ShiftCrop(), Conv.square(cIn, cOut / 2, 1, 2, 0, 1, 1));
        return Sequential.of(relu(), new Concat(List.of(path1, path2)), new BatchNorm(cOut, affine));
    }

    /** DARTS DilConv: ReLU, depthwise (dilated) conv, pointwise conv, BN. */
    static Layer dilConv(int cIn, int cOut, int k, int stride, int pad, int dilation, boolean affine) {
        return Sequential.of(relu(), Conv.square(cIn, cIn, k, stride, pad, dilation, cIn),
                Conv.square(cIn, cOut, 1, 1, 0, 1, 1), new BatchNorm(cOut, affine));
    }

    /** DARTS SepConv: two DilConvs without dilation, the first carrying the stride. */
    static Layer sepConv(int cIn, int cOut, int k, int stride, int pad, boolean affine) {
        return Sequential.of(dilConv(cIn, cIn, k, stride, pad, 1, affine), dilConv(cIn, cOut, k, 1, pad, 1, affine));
    }

    static void sameChannels(String op, OpArgs a) throws ShapeException {
        if (a.cIn() != a.cOut()) {
            throw new ShapeException(op + " cannot change channels (" + a.cIn() + " -> " + a.cOut() + ")");
        }
    }

    static Layer pool(String op, PoolKind kind, OpArgs a) throws ShapeException {
        sameChannels(op, a);
        return new Layer.Pool(kind, 3, a.stride(), 1, false);
    }

    /** ENAS StdConv: 1x1 conv, BN without affine, ReLU. */
    static Layer stdConv(int cIn, int cOut) {
        return Sequential.of(Conv.square(cIn, cOut, 1, 1, 0, 1, 1), new BatchNorm(cOut, false), relu());
    }

    /** MobileNetV2 / ModularNAS inverted conv without its residual, which the enclosing block adds. */
    public static Layer mbConv(int cIn, int cOut, int kernel, int expand, int stride) throws ShapeException {
        if (expand < 1 || kernel < 1) {
            throw new ShapeException("an inverted conv needs kernel and expansion of at least 1, got " + kernel + " and " + expand);
        }
        List<Layer> l = new ArrayList<>();
        int hidden = Math.round((float) cIn * expand);
        if (expand != 1) {
            l.add(Conv.square(cIn, hidden, 1, 1, 0, 1, 1));
            l.add(new BatchNorm(hidden, true));
            l.add(relu6());
        }
        l.add(Conv.square(hidden, hidden, kernel, stride, kernel / 2, 1, hidden));
        l.add(new BatchNorm(hidden, true));
        l.add(relu6());
        l.add(Conv.square(hidden, cOut, 1, 1, 0, 1, 1));
        l.add(new BatchNorm(cOut, true));
        return new Sequential(l);
    }

    private static Layer projection(OpArgs a) {
        return Sequential.of(Conv.square(a.cIn(), a.cOut(), 1, a.stride(), 0, 1, 1), new BatchNorm(a.cOut(), true));
    }

    private static boolean needsProjection(OpArgs a) {
        return a.stride() != 1 || a.cIn() != a.cOut();
    }

    // ---- the table --------------------------------------------------------------------------------------

    private static Map<String, OpDef> builtins() {
        Map<String, OpDef> m = new LinkedHashMap<>();
        // Primitives: the layers user-defined ops, stems and heads are made of.
        put(m, "conv", GROUP_PRIMITIVE, "Convolution, no bias unless bias: 1",
                List.of("out", "kernel", "stride", "padding", "dilation", "groups", "bias"), a -> {
                    int k = a.intParam("kernel", 3);
                    int d = a.intParam("dilation", 1);
                    return new Conv(a.cIn(), a.intParam("out", a.cOut()), k, k, a.intParam("stride", 1),
                            a.intParam("stride", 1), a.intParam("padding", d * (k - 1) / 2),
                            a.intParam("padding", d * (k - 1) / 2), d, a.intParam("groups", 1), a.flag("bias", false));
                });
        put(m, "dwconv", GROUP_PRIMITIVE, "Depthwise convolution (groups = channels)",
                List.of("kernel", "stride", "padding", "dilation"), a -> {
                    int k = a.intParam("kernel", 3);
                    int d = a.intParam("dilation", 1);
                    int pad = a.intParam("padding", d * (k - 1) / 2);
                    return Conv.square(a.cIn(), a.cIn(), k, a.intParam("stride", 1), pad, d, a.cIn());
                });
        put(m, "bn", GROUP_PRIMITIVE, "BatchNorm over the input's channels", List.of("affine"),
                a -> new BatchNorm(a.cIn(), a.flag("affine", a.affine())));
        put(m, "relu", GROUP_PRIMITIVE, "ReLU", List.of(), a -> relu());
        put(m, "relu6", GROUP_PRIMITIVE, "ReLU6", List.of(), a -> relu6());
        put(m, "max_pool", GROUP_PRIMITIVE, "Max pooling", List.of("kernel", "stride", "padding"),
                a -> new Layer.Pool(PoolKind.MAX, a.intParam("kernel", 3), a.intParam("stride", 1),
                        a.intParam("padding", 0), false));
        put(m, "avg_pool", GROUP_PRIMITIVE, "Average pooling (count_include_pad: 0 by default)",
                List.of("kernel", "stride", "padding", "count_include_pad"),
                a -> new Layer.Pool(PoolKind.AVG, a.intParam("kernel", 3), a.intParam("stride", 1),
                        a.intParam("padding", 0), a.flag("count_include_pad", false)));
        put(m, "gap", GROUP_PRIMITIVE, "Global average pooling to 1x1", List.of(), a -> new Layer.GlobalAvgPool());
        put(m, "linear", GROUP_PRIMITIVE, "Fully connected layer over the flattened input (bias by default)",
                List.of("in", "out", "bias"),
                a -> new Layer.Linear(a.intParam("in", a.cIn()), a.intParam("out", a.cOut()), a.flag("bias", true)));
        put(m, "dropout", GROUP_PRIMITIVE, "Dropout", List.of("rate"), a -> new Layer.Dropout(a.doubleParam("rate", 0)));
        put(m, "from_input", GROUP_PRIMITIVE, "Begins a stem sequence that reads the network's input (Archai's parallel stems)",
                List.of(), a -> {
                    throw new ShapeException("from_input can only begin a stem sequence");
                });
        put(m, "identity", GROUP_PRIMITIVE, "Identity", List.of(), a -> {
            sameChannels("identity", a);
            return a.stride() == 1 ? new Layer.Identity() : new Layer.Pool(PoolKind.MAX, 1, a.stride(), 0, false);
        });

        // DARTS (cnn/operations.py).
        put(m, "none", GROUP_DARTS, "Zero: no connection", List.of(), a -> {
            sameChannels("none", a);
            return new Layer.Zero(a.stride());
        });
        put(m, "max_pool_3x3", GROUP_DARTS, "MaxPool 3x3, padding 1", List.of(), a -> pool("max_pool_3x3", PoolKind.MAX, a));
        put(m, "avg_pool_3x3", GROUP_DARTS, "AvgPool 3x3, padding 1, count_include_pad=False", List.of(),
                a -> pool("avg_pool_3x3", PoolKind.AVG, a));
        put(m, "skip_connect", GROUP_DARTS, "Identity; FactorizedReduce at stride 2", List.of(), a -> {
            if (a.stride() == 1) {
                sameChannels("skip_connect", a);
                return new Layer.Identity();
            }
            if (a.stride() != 2) {
                throw new ShapeException("skip_connect supports stride 1 or 2, not " + a.stride());
            }
            return factorizedReduce(a.cIn(), a.cOut(), a.affine());
        });
        for (int k : new int[] {3, 5, 7}) {
            put(m, "sep_conv_" + k + "x" + k, GROUP_DARTS,
                    "Two (ReLU, depthwise " + k + "x" + k + ", pointwise, BN) in a row", List.of(),
                    a -> sepConv(a.cIn(), a.cOut(), k, a.stride(), k / 2, a.affine()));
        }
        for (int k : new int[] {3, 5}) {
            put(m, "dil_conv_" + k + "x" + k, GROUP_DARTS,
                    "ReLU, depthwise " + k + "x" + k + " dilation 2, pointwise, BN", List.of(),
                    a -> dilConv(a.cIn(), a.cOut(), k, a.stride(), k - 1, 2, a.affine()));
        }
        put(m, "conv_7x1_1x7", GROUP_DARTS, "ReLU, conv 1x7, conv 7x1, BN", List.of(), a -> Sequential.of(relu(),
                new Conv(a.cIn(), a.cOut(), 1, 7, 1, a.stride(), 0, 3, 1, 1, false),
                new Conv(a.cOut(), a.cOut(), 7, 1, a.stride(), 1, 3, 0, 1, 1, false),
                new BatchNorm(a.cOut(), a.affine())));

        // RobustDARTS's search space s4 (src/operations.py: NoiseOp(stride, 0., 1.)).
        put(m, "noise", GROUP_DARTS, "Gaussian noise N(0, 1) in place of the input (RobustDARTS s4)", List.of(), a -> {
            sameChannels("noise", a);
            return new Layer.Noise(a.stride());
        });
        // AutoDL-Projects adds it to the DARTS table for SETN (nas_infer_model/operations.py, Conv313).
        put(m, "conv_3x1_1x3", GROUP_DARTS, "ReLU, conv 1x3, conv 3x1, BN", List.of(), a -> Sequential.of(relu(),
                new Conv(a.cIn(), a.cOut(), 1, 3, 1, a.stride(), 0, 1, 1, 1, false),
                new Conv(a.cOut(), a.cOut(), 3, 1, a.stride(), 1, 1, 0, 1, 1, false),
                new BatchNorm(a.cOut(), a.affine())));

        // SNAS-Series' OPS (SNAS/operations.py): its pools are followed by a BN, which DARTS's are not.
        put(m, "snas_max_pool_3x3", GROUP_DARTS, "SNAS MaxPool 3x3, padding 1, then BN", List.of(),
                a -> Sequential.of(pool("snas_max_pool_3x3", PoolKind.MAX, a), new BatchNorm(a.cOut(), a.affine())));
        put(m, "snas_avg_pool_3x3", GROUP_DARTS, "SNAS AvgPool 3x3, padding 1, count_include_pad=False, then BN", List.of(),
                a -> Sequential.of(pool("snas_avg_pool_3x3", PoolKind.AVG, a), new BatchNorm(a.cOut(), a.affine())));

        // NAS-Bench-201 (its none, skip_connect and avg_pool_3x3 are the DARTS ones).
        put(m, "nor_conv_1x1", GROUP_NB201, "ReLU, conv 1x1, BN", List.of(),
                a -> reluConvBn(a.cIn(), a.cOut(), 1, a.stride(), 0, a.affine()));
        put(m, "nor_conv_3x3", GROUP_NB201, "ReLU, conv 3x3, BN", List.of(),
                a -> reluConvBn(a.cIn(), a.cOut(), 3, a.stride(), 1, a.affine()));

        // ENAS micro (NNI enas_ops): SepConvBN is ReLU, one separable conv, BN; pools are followed by BN.
        for (int k : new int[] {3, 5}) {
            put(m, "sep_conv_bn_" + k + "x" + k, GROUP_ENAS_MICRO, "ReLU, depthwise " + k + "x" + k + ", pointwise, BN",
                    List.of(), a -> dilConv(a.cIn(), a.cOut(), k, a.stride(), k / 2, 1, true));
        }
        put(m, "avg_pool_bn_3x3", GROUP_ENAS_MICRO, "AvgPool 3x3 then BN", List.of(),
                a -> Sequential.of(pool("avg_pool_bn_3x3", PoolKind.AVG, a), new BatchNorm(a.cOut(), false)));
        put(m, "max_pool_bn_3x3", GROUP_ENAS_MICRO, "MaxPool 3x3 then BN", List.of(),
                a -> Sequential.of(pool("max_pool_bn_3x3", PoolKind.MAX, a), new BatchNorm(a.cOut(), false)));

        // ENAS macro branches: StdConv first, then the branch, then BN (+ReLU for conv branches).
        for (int k : new int[] {3, 5}) {
            put(m, "enas_conv_" + k + "x" + k, GROUP_ENAS_MACRO, "StdConv, conv " + k + "x" + k + ", BN, ReLU", List.of(),
                    a -> Sequential.of(stdConv(a.cIn(), a.cOut()),
                            Conv.square(a.cOut(), a.cOut(), k, a.stride(), k / 2, 1, 1),
                            new BatchNorm(a.cOut(), false), relu()));
            put(m, "enas_sep_conv_" + k + "x" + k, GROUP_ENAS_MACRO,
                    "StdConv, separable conv " + k + "x" + k + ", BN, ReLU", List.of(),
                    a -> Sequential.of(stdConv(a.cIn(), a.cOut()),
                            Conv.square(a.cOut(), a.cOut(), k, a.stride(), k / 2, 1, a.cOut()),
                            Conv.square(a.cOut(), a.cOut(), 1, 1, 0, 1, 1),
                            new BatchNorm(a.cOut(), false), relu()));
        }
        put(m, "enas_avg_pool_3x3", GROUP_ENAS_MACRO, "StdConv, AvgPool 3x3, BN", List.of(),
                a -> Sequential.of(stdConv(a.cIn(), a.cOut()), new Layer.Pool(PoolKind.AVG, 3, a.stride(), 1, false),
                        new BatchNorm(a.cOut(), false)));
        put(m, "enas_max_pool_3x3", GROUP_ENAS_MACRO, "StdConv, MaxPool 3x3, BN", List.of(),
                a -> Sequential.of(stdConv(a.cIn(), a.cOut()), new Layer.Pool(PoolKind.MAX, 3, a.stride(), 1, false),
                        new BatchNorm(a.cOut(), false)));

        // ModularNAS primitives: MBxEy = inverted conv with kernel x and expansion y; NIL; IDT.
        for (int k : new int[] {3, 5, 7}) {
            for (int e : new int[] {1, 3, 6}) {
                put(m, "MB" + k + "E" + e, GROUP_MODNAS, "Mobile inverted conv, kernel " + k + ", expansion " + e,
                        List.of(), a -> mbConv(a.cIn(), a.cOut(), k, e, a.stride()));
            }
        }
        // depth and position: Once-for-All's elastic depth, a stage running its first `depth` blocks; a block past it
        // is NIL, so that the residual shortcut around it passes its input on unchanged.
        put(m, "mbconv", GROUP_MODNAS, "Mobile inverted conv with kernel and expand parameters (for ValueChoice); with depth "
                        + "and position, skipped (NIL inside its residual block) when position > depth",
                List.of("kernel", "expand", "depth", "position"), a -> {
                    int position = a.intParam("position", 1);
                    if (position < 1) {
                        throw new ShapeException("mbconv's position in its stage counts from 1, got " + position);
                    }
                    if (position > 1 && (a.stride() != 1 || a.cIn() != a.cOut())) {
                        throw new ShapeException("mbconv at position " + position + " can be skipped by its stage's depth, so it must "
                                + "keep its input's shape (stride 1, " + a.cIn() + " -> " + a.cOut() + " channels)");
                    }
                    if (position > a.intParam("depth", Integer.MAX_VALUE)) {
                        return new Layer.Zero(1, a.cOut());
                    }
                    return mbConv(a.cIn(), a.cOut(), a.intParam("kernel", 3), a.intParam("expand", 6), a.stride());
                });
        put(m, "NIL", GROUP_MODNAS, "Zeros of the output's shape", List.of(), a -> new Layer.Zero(a.stride(), a.cOut()));
        put(m, "IDT", GROUP_MODNAS, "Identity", List.of(), a -> {
            sameChannels("IDT", a);
            if (a.stride() != 1) {
                throw new ShapeException("IDT cannot have stride " + a.stride());
            }
            return new Layer.Identity();
        });

        // Blocks.
        put(m, "basic_block", GROUP_BLOCKS, "ResNet BasicBlock, 1x1 projection shortcut when the shape changes; inner: the "
                        + "first conv's width (default: the output's, VEGA's inner_plane)",
                List.of("inner"), a -> basicBlock(a, needsProjection(a) ? projection(a) : new Layer.Identity()));
        put(m, "basic_block_a", GROUP_BLOCKS, "CIFAR ResNet BasicBlock, option-A shortcut (subsample, zero-pad)",
                List.of(), a -> basicBlock(a, needsProjection(a)
                        ? new Layer.PadShortcut(a.cIn(), a.cOut(), a.stride()) : new Layer.Identity()));
        put(m, "bottleneck", GROUP_BLOCKS, "ResNet Bottleneck (out = 4 x width), stride on the 3x3", List.of(), a -> {
            if (a.cOut() % 4 != 0) {
                throw new ShapeException("bottleneck output channels must be a multiple of 4, got " + a.cOut());
            }
            int w = a.cOut() / 4;
            Layer body = Sequential.of(Conv.square(a.cIn(), w, 1, 1, 0, 1, 1), new BatchNorm(w, true), relu(),
                    Conv.square(w, w, 3, a.stride(), 1, 1, 1), new BatchNorm(w, true), relu(),
                    Conv.square(w, a.cOut(), 1, 1, 0, 1, 1), new BatchNorm(a.cOut(), true));
            return Sequential.of(new Layer.Sum(List.of(body, needsProjection(a) ? projection(a) : new Layer.Identity())),
                    relu());
        });
        put(m, "nb201_resblock", GROUP_BLOCKS, "NAS-Bench-201 residual block: ReLUConvBN x2, avg-pool+1x1 shortcut",
                List.of(), a -> {
                    Layer body = Sequential.of(reluConvBn(a.cIn(), a.cOut(), 3, a.stride(), 1, true),
                            reluConvBn(a.cOut(), a.cOut(), 3, 1, 1, true));
                    Layer shortcut = a.stride() == 2
                            ? Sequential.of(new Layer.Pool(PoolKind.AVG, 2, 2, 0, true), Conv.square(a.cIn(), a.cOut(), 1, 1, 0, 1, 1))
                            : a.cIn() != a.cOut() ? reluConvBn(a.cIn(), a.cOut(), 1, 1, 0, true) : new Layer.Identity();
                    return new Layer.Sum(List.of(body, shortcut));
                });
        put(m, "factorized_reduce", GROUP_BLOCKS, "DARTS FactorizedReduce (halves the size)", List.of(),
                a -> factorizedReduce(a.cIn(), a.cOut(), a.affine()));
        put(m, "relu_conv_bn_1x1", GROUP_BLOCKS, "ReLU, conv 1x1, BN (DARTS preprocessing)", List.of(),
                a -> reluConvBn(a.cIn(), a.cOut(), 1, a.stride(), 0, a.affine()));
        put(m, "std_conv", GROUP_BLOCKS, "ENAS StdConv: conv 1x1, BN, ReLU", List.of(), a -> stdConv(a.cIn(), a.cOut()));
        put(m, "conv_bn_relu", GROUP_BLOCKS, "Conv, BN, ReLU (kernel 3 by default)", List.of("kernel"), a -> {
            int k = a.intParam("kernel", 3);
            return Sequential.of(Conv.square(a.cIn(), a.cOut(), k, a.stride(), k / 2, 1, 1), new BatchNorm(a.cOut(), a.affine()), relu());
        });

        // The hand-designed reduction cell GDAS builds for reduce=None (GDAS lib/nas/construct_utils.py, Transition):
        // its BNs are affine whatever the network says.
        put(m, "gdas_reduce_conv", GROUP_BLOCKS, "GDAS reduction: ReLU, conv 1x3 and 3x1 in 8 groups, BN, ReLU, conv 1x1, BN",
                List.of(), a -> {
                    if (a.cIn() % 8 != 0 || a.cOut() % 8 != 0) {
                        throw new ShapeException("gdas_reduce_conv needs channels divisible by its 8 groups, got "
                                + a.cIn() + " -> " + a.cOut());
                    }
                    return Sequential.of(relu(), new Conv(a.cIn(), a.cOut(), 1, 3, 1, a.stride(), 0, 1, 1, 8, false),
                            new Conv(a.cOut(), a.cOut(), 3, 1, a.stride(), 1, 1, 0, 1, 8, false), new BatchNorm(a.cOut(), true),
                            relu(), Conv.square(a.cOut(), a.cOut(), 1, 1, 0, 1, 1), new BatchNorm(a.cOut(), true));
                });
        put(m, "gdas_reduce_pool", GROUP_BLOCKS, "GDAS reduction: MaxPool 3x3, padding 1, then BN", List.of(),
                a -> Sequential.of(pool("gdas_reduce_pool", PoolKind.MAX, a), new BatchNorm(a.cOut(), true)));

        // Dynamic convolutions (NNI issue 2693): kernels made per sample by a weight generator of the network, the
        // DARTS shapes otherwise (the seed's DilConv is dyn_dil_conv: ReLU, depthwise dilated, pointwise, BN).
        put(m, "dyn_conv", GROUP_DYNAMIC, "Convolution whose kernel the weight generator makes per sample (no ReLU, no BN)",
                List.of("kernel", "dilation", "generator"), a -> {
                    int k = a.intParam("kernel", 3);
                    int d = a.intParam("dilation", 1);
                    return dynamic(a, "dyn_conv", Conv.square(a.cIn(), a.cOut(), k, a.stride(), d * (k - 1) / 2, d, 1));
                });
        for (int k : new int[] {3, 5}) {
            put(m, "dyn_conv_" + k + "x" + k, GROUP_DYNAMIC, "ReLU, generated conv " + k + "x" + k + ", BN",
                    List.of("generator"), a -> Sequential.of(relu(),
                            dynamic(a, "dyn_conv_" + k + "x" + k, Conv.square(a.cIn(), a.cOut(), k, a.stride(), k / 2, 1, 1)),
                            new BatchNorm(a.cOut(), a.affine())));
            put(m, "dyn_sep_conv_" + k + "x" + k, GROUP_DYNAMIC, "ReLU, generated depthwise " + k + "x" + k
                    + ", generated pointwise, BN", List.of("generator"), a -> dynamicDilConv(a, "dyn_sep_conv_" + k + "x" + k, k, k / 2, 1));
            put(m, "dyn_dil_conv_" + k + "x" + k, GROUP_DYNAMIC, "ReLU, generated depthwise " + k + "x" + k
                    + " dilation 2, generated pointwise, BN", List.of("generator"), a -> dynamicDilConv(a, "dyn_dil_conv_" + k + "x" + k, k, k - 1, 2));
        }

        // Auxiliary heads of the DARTS evaluation networks (input 8x8 on CIFAR, 14x14 on ImageNet).
        put(m, "darts_aux_cifar", GROUP_HEADS, "DARTS auxiliary head for CIFAR", List.of(), a -> Sequential.of(relu(),
                new Layer.Pool(PoolKind.AVG, 5, 3, 0, false), Conv.square(a.cIn(), 128, 1, 1, 0, 1, 1),
                new BatchNorm(128, true), relu(), Conv.square(128, 768, 2, 1, 0, 1, 1), new BatchNorm(768, true),
                relu(), new Layer.Linear(768, a.cOut(), true)));
        put(m, "darts_aux_imagenet", GROUP_HEADS, "DARTS auxiliary head for ImageNet (no BN after the 768 conv, as published)",
                List.of(), a -> Sequential.of(relu(), new Layer.Pool(PoolKind.AVG, 5, 2, 0, false),
                        Conv.square(a.cIn(), 128, 1, 1, 0, 1, 1), new BatchNorm(128, true), relu(),
                        Conv.square(128, 768, 2, 1, 0, 1, 1), relu(), new Layer.Linear(768, a.cOut(), true)));
        return m;
    }

    private static Layer dynamic(OpArgs a, String op, Conv shape) throws ShapeException {
        OpArgs.Generator g = a.requireGenerator(op);
        return new Layer.DynamicConv(g.name(), g.features(), shape);
    }

    /** DARTS's DilConv with both kernels generated: the seed's DilConv, whose forward takes {@code params}. */
    private static Layer dynamicDilConv(OpArgs a, String op, int k, int pad, int dilation) throws ShapeException {
        return Sequential.of(relu(), dynamic(a, op, Conv.square(a.cIn(), a.cIn(), k, a.stride(), pad, dilation, a.cIn())),
                dynamic(a, op, Conv.square(a.cIn(), a.cOut(), 1, 1, 0, 1, 1)), new BatchNorm(a.cOut(), a.affine()));
    }

    /** Whether an op of the catalog takes its kernels from a weight generator. */
    public boolean isDynamic(String name) {
        return find(name).filter(d -> d.group().equals(GROUP_DYNAMIC)).isPresent();
    }

    private static Layer basicBlock(OpArgs a, Layer shortcut) throws ShapeException {
        int inner = a.intParam("inner", a.cOut());
        if (inner < 1) {
            throw new ShapeException("inner width must be at least 1, got " + inner);
        }
        Layer body = Sequential.of(Conv.square(a.cIn(), inner, 3, a.stride(), 1, 1, 1), new BatchNorm(inner, true),
                relu(), Conv.square(inner, a.cOut(), 3, 1, 1, 1, 1), new BatchNorm(a.cOut(), true));
        return Sequential.of(new Layer.Sum(List.of(body, shortcut)), relu());
    }

    private static void put(Map<String, OpDef> m, String name, String group, String description, List<String> params,
                            OpDef.Builder b) {
        m.put(name, new OpDef(name, group, description, params, b));
    }
}

package io.cellforge.zoo;

import io.cellforge.arch.Genotype;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.ValueChoice;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The search spaces and networks of the literature, each a parameterised builder; the YAML files under
 * {@code resources/spaces/} are these builders' output (a test keeps them equal).
 */
public final class Zoo {
    private Zoo() {
    }

    public record Entry(String name, String description, Supplier<SearchSpace> builder) {
    }

    /** The candidates of ModularNAS's MobileNetV2 example. */
    public static final List<String> MB_CANDIDATES = List.of("MB3E3", "MB3E6", "MB5E3", "MB5E6", "MB7E3", "MB7E6");

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add("darts-search", "DARTS search network for CIFAR-10: C=16, 8 cells, 4 nodes, 8 ops per edge",
                () -> dartsSearch(16, 8, 10, new Shape(3, 32, 32), OpCatalog.DARTS_PRIMITIVES));
        add("darts-mini", "Small DARTS space for 8x8 inputs (digits): C=8, 5 cells, 4 nodes, 8 ops per edge",
                () -> dartsSearch(8, 5, 10, new Shape(1, 8, 8), OpCatalog.DARTS_PRIMITIVES).withName("darts-mini"));
        add("darts-eval", "DARTS evaluation network for CIFAR-10 with DARTS_V2: C=36, 20 cells, auxiliary head",
                () -> dartsEval(Genotype.DARTS_V2, 36, 20, 10, false, true));
        add("darts-imagenet", "DARTS ImageNet network (mobile setting) with DARTS_V2: C=48, 14 cells",
                () -> dartsEval(Genotype.DARTS_V2, 48, 14, 1000, true, false));
        add("enas-micro", "ENAS micro search space (NNI ENASMicroLayer): 5 nodes, 2 normal layers per stage",
                () -> enasMicro(20, 2, 5, 10));
        add("enas-macro", "ENAS macro search space (NNI ENASMacroGeneralModel): 12 layers, 24 filters",
                () -> enasMacro(12, 24, 10));
        add("mobilenetv2-imagenet", "MobileNetV2 1.0 for ImageNet with a MBxEy choice per block (ModularNAS)",
                () -> mobileNetV2(false, false, MB_CANDIDATES));
        add("mobilenetv2-cifar", "MobileNetV2 for CIFAR-10 (ModularNAS: stem and the 160-wide stage at stride 1) with MBxEy choices",
                () -> mobileNetV2(true, false, MB_CANDIDATES));
        add("ofa-mini", "Elastic MobileNetV2 for 8x8 digits (Once-for-All): 2 stages of up to 3 mbconv blocks",
                () -> ofa(new Shape(1, 8, 8), 10, 16, new int[][] {{16, 1, 3}, {24, 2, 3}}, List.of(1.0, 2.0, 3.0), 64));
        add("ofa-cifar", "Elastic MobileNetV2 for CIFAR-10 (Once-for-All): 4 stages of up to 4 mbconv blocks",
                () -> ofa(new Shape(3, 32, 32), 10, 24, new int[][] {{24, 1, 4}, {32, 2, 4}, {64, 2, 4}, {96, 2, 4}}, List.of(2.0, 3.0, 4.0), 640));
        add("resnet18", "ResNet-18 for ImageNet", () -> resnet(18));
        add("resnet34", "ResNet-34 for ImageNet", () -> resnet(34));
        add("resnet50", "ResNet-50 for ImageNet", () -> resnet(50));
        for (int d : new int[] {20, 32, 44, 56, 110}) {
            add("resnet" + d + "-cifar", "CIFAR ResNet-" + d + " with option-A shortcuts", () -> cifarResNet(d));
        }
        add("resnet-variant", "VEGA ResNetVariant: 8 BasicBlocks whose doublechannel/downsample are hyper-parameters",
                () -> resnetVariant(64, List.of(0, 0, 1, 0, 1, 0, 1, 0), List.of(0, 0, 1, 0, 1, 0, 1, 0), 10, true));
        add("nas-bench-201", "NAS-Bench-201 cell space: 4 nodes, 6 edges, 5 ops; 3 stages of 5 cells",
                () -> nasBench201(16, 5, 10));
        add("dynamic-strokes", "Dynamic convolutions for the bundled strokes: static or generated kernels on 3 edges",
                Zoo::dynamicStrokes);
    }

    private static void add(String name, String description, Supplier<SearchSpace> b) {
        ENTRIES.put(name, new Entry(name, description, () -> {
            SearchSpace s = b.get();
            return new SearchSpace(name, description, s.network(), s.cells(), s.values(), s.userOps(), s.meta(), s.positions());
        }));
    }

    public static List<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    public static Optional<SearchSpace> get(String name) {
        return Optional.ofNullable(ENTRIES.get(name)).map(e -> e.builder().get());
    }

    // ---- dynamic convolutions -----------------------------------------------------------------------------

    /** Static candidates and dynamic ones on every edge; the generator reads the context, one-hot of 4 in strokes. */
    public static final List<String> DYNAMIC_CANDIDATES = List.of("skip_connect", "nor_conv_3x3", "sep_conv_3x3",
            "dyn_conv_3x3", "dyn_sep_conv_3x3", "dyn_dil_conv_3x3");

    static SearchSpace dynamicStrokes() {
        Cell cell = new Cell("cell", List.of(Node.input("in0"), Node.intermediate("n1"), Node.intermediate("n2"),
                Node.output("out", Reduction.SUM)), List.of(
                Edge.of("in0", "n1", LayerChoice.of("n1_p0", DYNAMIC_CANDIDATES)),
                Edge.of("in0", "n2", LayerChoice.of("n2_p0", DYNAMIC_CANDIDATES)),
                Edge.of("n1", "n2", LayerChoice.of("n2_p1", DYNAMIC_CANDIDATES)),
                Edge.of("n1", "out", OpCall.of("identity")), Edge.of("n2", "out", OpCall.of("identity"))), Preprocess.NONE);
        Network.Context context = new Network.Context(4, Map.of("g", List.of(OpCall.of("linear", "out", 16), OpCall.of("relu"))));
        Network net = new Network(new Shape(1, 16, 16), 2, 8, List.of(List.of(conv(8, 3, 1, 1), OpCall.of("bn", "affine", 1))),
                List.of(Stage.cell("cell 0", "cell", Role.NORMAL), Stage.cell("cell 1", "cell", Role.NORMAL)), gapLinear(), null,
                false, context);
        return new SearchSpace("dynamic-strokes", "", net, Map.of("cell", cell), Map.of(), Map.of(), Map.of());
    }

    // ---- DARTS ---------------------------------------------------------------------------------------------

    static List<Stage> dartsStages(int layers) {
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            boolean red = i == layers / 3 || i == 2 * layers / 3;
            stages.add(Stage.cell("cell " + i, red ? "reduce" : "normal", red ? Role.REDUCTION : Role.NORMAL));
        }
        return stages;
    }

    private static List<List<OpCall>> cifarStem(int out) {
        return List.of(List.of(conv(out, 3, 1, 1), OpCall.of("bn")));
    }

    private static List<OpCall> gapLinear() {
        return List.of(OpCall.of("gap"), OpCall.of("linear"));
    }

    public static SearchSpace dartsSearch(int c, int layers, int classes, Shape input, List<String> ops) {
        Map<String, Cell> cells = new LinkedHashMap<>();
        cells.put("normal", DartsCells.search("normal", false, 4, ops));
        cells.put("reduce", DartsCells.search("reduce", true, 4, ops));
        // model_search.py keeps the stem's BatchNorm affine while the cells are affine-free.
        List<List<OpCall>> stem = List.of(List.of(conv(3 * c, 3, 1, 1), OpCall.of("bn", "affine", 1)));
        Network net = new Network(input, classes, c, stem, dartsStages(layers), gapLinear(), null, false);
        return new SearchSpace("darts-search", "", net, cells, Map.of(), Map.of(), Map.of());
    }

    /** The DARTS evaluation network (model.py) for a genotype, CIFAR or ImageNet. */
    public static SearchSpace dartsEval(Genotype g, int c, int layers, int classes, boolean imagenet, boolean auxiliary) {
        return dartsEval(g, c, layers, classes, imagenet, auxiliary, Map.of());
    }

    /** {@link #dartsEval} with the genotype's op names read through one of {@link DartsCells#OP_TABLES}. */
    public static SearchSpace dartsEval(Genotype g, int c, int layers, int classes, boolean imagenet, boolean auxiliary,
                                        Map<String, String> opTable) {
        Map<String, Cell> cells = new LinkedHashMap<>();
        cells.put("normal", DartsCells.fixed("normal", false, g.normal(), g.normalInputs(), g.normalConcat(), opTable));
        cells.put("reduce", g.reduce() == null ? DartsCells.gdasReduction("reduce")
                : DartsCells.fixed("reduce", true, g.reduce(), g.reduceInputs(), g.reduceConcat(), opTable));
        List<List<OpCall>> stem;
        List<OpCall> head;
        Shape input;
        if (imagenet) {
            input = new Shape(3, 224, 224);
            stem = List.of(
                    List.of(conv(c / 2, 3, 2, 1), OpCall.of("bn"), OpCall.of("relu"), conv(c, 3, 2, 1), OpCall.of("bn")),
                    List.of(OpCall.of("relu"), conv(c, 3, 2, 1), OpCall.of("bn")));
            head = List.of(new OpCall("avg_pool", Map.of("kernel", Param.of(7), "stride", Param.of(7))), OpCall.of("linear"));
        } else {
            input = new Shape(3, 32, 32);
            stem = cifarStem(3 * c);
            head = gapLinear();
        }
        Network.Auxiliary aux = auxiliary
                ? new Network.Auxiliary(2 * layers / 3, OpCall.of(imagenet ? "darts_aux_imagenet" : "darts_aux_cifar")) : null;
        Network net = new Network(input, classes, c, stem, dartsStages(layers), head, aux, true);
        return new SearchSpace("darts-eval", "", net, cells, Map.of(), Map.of(), Map.of());
    }

    /**
     * The network Archai's evaluation builds from a DARTS model description (confs/algos/darts.yaml, nas.eval.model_desc:
     * the DARTS CIFAR network, but two stems, stem_conv3x3 each, both from the image, feed s0 and s1 of the first cell).
     */
    public static SearchSpace archaiEval(Genotype g, int c, int layers, int classes, boolean auxiliary) {
        SearchSpace s = dartsEval(g, c, layers, classes, false, auxiliary);
        Network n = s.network();
        List<OpCall> stem = n.stem().get(0);
        List<OpCall> second = new ArrayList<>(List.of(OpCall.of(Network.FROM_INPUT)));
        second.addAll(stem);
        return s.withNetwork(new Network(n.input(), n.classes(), n.channels(), List.of(stem, second), n.stages(), n.head(),
                n.auxiliary(), n.affine())).withName("archai-eval");
    }

    // ---- NAS-Bench-201 -----------------------------------------------------------------------------------

    public static Cell nb201Cell(String name) {
        List<Node> nodes = List.of(Node.input("in0"), Node.intermediate("n1"), Node.intermediate("n2"),
                Node.output("n3", Reduction.SUM));
        List<Edge> edges = new ArrayList<>();
        String[] names = {"in0", "n1", "n2", "n3"};
        for (int to = 1; to <= 3; to++) {
            for (int from = 0; from < to; from++) {
                edges.add(Edge.of(names[from], names[to], LayerChoice.of("n" + to + "_p" + from, OpCatalog.NB201_PRIMITIVES)));
            }
        }
        return new Cell(name, nodes, edges, Preprocess.NONE);
    }

    public static SearchSpace nasBench201(int c, int n, int classes) {
        List<Stage> stages = new ArrayList<>();
        stages.add(Stage.cell("stage 1", "cell", Role.NORMAL).withRepeat(Param.of(n)));
        stages.add(Stage.block("reduce 1", OpCall.of("nb201_resblock"), 2 * c, 2, false));
        stages.add(Stage.cell("stage 2", "cell", Role.NORMAL).withRepeat(Param.of(n)));
        stages.add(Stage.block("reduce 2", OpCall.of("nb201_resblock"), 4 * c, 2, false));
        stages.add(Stage.cell("stage 3", "cell", Role.NORMAL).withRepeat(Param.of(n)));
        List<OpCall> head = List.of(OpCall.of("bn"), OpCall.of("relu"), OpCall.of("gap"), OpCall.of("linear"));
        Network net = new Network(new Shape(3, 32, 32), classes, c, cifarStem(c), stages, head, null, true);
        return new SearchSpace("nas-bench-201", "", net, Map.of("cell", nb201Cell("cell")), Map.of(), Map.of(), Map.of());
    }

    // ---- ENAS ------------------------------------------------------------------------------------------------

    /** One ENAS micro layer: each node picks two inputs (one per slot) and an op for each, and sums them. */
    public static Cell enasMicroCell(String name, boolean reduction, int numNodes) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0"), Node.input("in1")));
        List<Edge> edges = new ArrayList<>();
        List<String> previous = new ArrayList<>(List.of("in0", "in1"));
        for (int i = 0; i < numNodes; i++) {
            String n = "n" + (i + 2);
            for (String slot : List.of("x", "y")) {
                String s = n + "_" + slot;
                String prefix = name + "_" + n + "_" + slot;
                nodes.add(Node.intermediate(s).withInputChoice(new InputChoice(prefix + "_input", 1, Reduction.SUM, false)));
                for (String p : previous) {
                    edges.add(Edge.of(p, s, OpCall.of("identity")));
                }
                edges.add(Edge.of(s, n, LayerChoice.of(prefix + "_op", OpCatalog.ENAS_MICRO_PRIMITIVES)));
            }
            nodes.add(Node.intermediate(n));
            previous.add(n);
        }
        nodes.add(new Node("out", NodeKind.OUTPUT, Reduction.MEAN, null, true));
        return new Cell(name, nodes, edges, reduction ? Preprocess.ENAS_REDUCE : Preprocess.ENAS);
    }

    public static SearchSpace enasMicro(int c, int layersPerStage, int numNodes, int classes) {
        Map<String, Cell> cells = new LinkedHashMap<>();
        cells.put("normal", enasMicroCell("normal", false, numNodes));
        cells.put("reduce", enasMicroCell("reduce", true, numNodes));
        List<Stage> stages = new ArrayList<>();
        for (int stage = 0; stage < 3; stage++) {
            if (stage > 0) {
                stages.add(Stage.cell("reduce " + stage, "reduce", Role.REDUCTION));
            }
            stages.add(Stage.cell("normal " + stage, "normal", Role.NORMAL).withRepeat(Param.of(layersPerStage)));
        }
        List<OpCall> head = List.of(OpCall.of("relu"), OpCall.of("gap"), OpCall.of("dropout"), OpCall.of("linear"));
        Network net = new Network(new Shape(3, 32, 32), classes, c, cifarStem(3 * c), stages, head, null, true);
        return new SearchSpace("enas-micro", "", net, cells, Map.of(), Map.of(), Map.of());
    }

    /**
     * ENAS macro as one cell: layer i applies a LayerChoice of six branches to layer i-1 and adds any subset of
     * the earlier layers (an InputChoice with n_chosen any). After layers num/3-1 and 2num/3-1 every kept tensor
     * is reduced by a FactorizedReduce (one per tensor here; NNI shares one module among them).
     */
    public static Cell enasMacroCell(int numLayers) {
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0")));
        List<Edge> edges = new ArrayList<>();
        List<String> rep = new ArrayList<>(List.of("in0")); // current (possibly reduced) tensor of stem, L0, L1...
        int d = numLayers / 3;
        List<Integer> pools = List.of(d - 1, 2 * d - 1);
        int poolCount = 0;
        for (int i = 0; i < numLayers; i++) {
            String layer = "L" + i;
            if (i >= 1) {
                String skip = layer + "_skip";
                nodes.add(Node.intermediate(skip).withInputChoice(
                        new InputChoice("layer_" + i + "_skip", InputChoice.ANY, Reduction.SUM, true)));
                for (int j = 0; j < i; j++) {
                    edges.add(Edge.of(rep.get(j), skip, OpCall.of("identity")));
                }
                edges.add(Edge.of(skip, layer, OpCall.of("identity")));
            }
            nodes.add(Node.intermediate(layer));
            edges.add(Edge.of(rep.get(i), layer, LayerChoice.of("layer_" + i, OpCatalog.ENAS_MACRO_PRIMITIVES)));
            rep.add(layer);
            if (pools.contains(i)) {
                poolCount++;
                for (int j = 0; j < rep.size(); j++) {
                    String p = "pool" + poolCount + "_" + (j == 0 ? "stem" : "L" + (j - 1));
                    nodes.add(Node.intermediate(p));
                    edges.add(new Edge(rep.get(j), p, OpCall.of("factorized_reduce"), 2));
                    rep.set(j, p);
                }
            }
        }
        nodes.add(Node.output("out", Reduction.SUM));
        edges.add(Edge.of(rep.get(rep.size() - 1), "out", OpCall.of("identity")));
        return new Cell("macro", nodes, edges, Preprocess.NONE);
    }

    public static SearchSpace enasMacro(int numLayers, int filters, int classes) {
        List<OpCall> head = List.of(OpCall.of("gap"), OpCall.of("dropout"), OpCall.of("linear"));
        Network net = new Network(new Shape(3, 32, 32), classes, filters, cifarStem(filters),
                List.of(Stage.cell("layers", "macro", Role.NORMAL)), head, null, true);
        return new SearchSpace("enas-macro", "", net, Map.of("macro", enasMacroCell(numLayers)), Map.of(), Map.of(), Map.of());
    }

    // ---- MobileNetV2 -----------------------------------------------------------------------------------------

    /**
     * ModularNAS's {t, c, n, s} tables ({@code modnas/arch_space/torch/mobilenetv2.py}, {@code _mbv2_ori_cfgs} and
     * {@code _mbv2_gpu_cfgs}): row 0 is the stem conv (c its width, s its stride), each further row a stage of n
     * inverted-residual blocks, each block one Slot: 17 Slots, 22 on the _GPU table.
     */
    public static final List<int[]> MODNAS_ORI_CFGS = List.of(new int[] {0, 32, 1, 2}, new int[] {1, 16, 1, 1},
            new int[] {6, 24, 2, 2}, new int[] {6, 32, 3, 2}, new int[] {6, 64, 4, 2}, new int[] {6, 96, 3, 1},
            new int[] {6, 160, 3, 2}, new int[] {6, 320, 1, 1});
    public static final List<int[]> MODNAS_GPU_CFGS = List.of(new int[] {0, 32, 1, 2}, new int[] {1, 16, 1, 1},
            new int[] {6, 24, 4, 2}, new int[] {6, 40, 4, 2}, new int[] {6, 80, 4, 2}, new int[] {6, 96, 4, 1},
            new int[] {6, 192, 4, 2}, new int[] {6, 320, 1, 1});

    /** A table as ModularNAS's {@code mobilenetv2(cfgs, cifar)} uses it: CIFAR sets the stem's and row 6's stride to 1. */
    public static List<int[]> modnasCfgs(List<int[]> cfgs, boolean cifar) {
        List<int[]> out = new ArrayList<>();
        for (int[] r : cfgs) {
            out.add(r.clone());
        }
        if (cifar) {
            out.get(0)[3] = 1;
            out.get(6)[3] = 1;
        }
        return out;
    }

    /** One Slot per block of a table, in ModularNAS's order: its input and output widths and stride. */
    public record MbSlot(int t, int chnIn, int chnOut, int stride) {
    }

    public static List<MbSlot> mbSlots(List<int[]> cfgs) {
        List<MbSlot> out = new ArrayList<>();
        for (int row = 1; row < cfgs.size(); row++) {
            int[] r = cfgs.get(row);
            for (int i = 0; i < r[2]; i++) {
                out.add(new MbSlot(r[0], i == 0 ? cfgs.get(row - 1)[1] : r[1], r[1], i == 0 ? r[3] : 1));
            }
        }
        return out;
    }

    /**
     * MobileNetV2 with a LayerChoice (keys {@code b1, b2, ...}) on every inverted-residual block after the first,
     * on ModularNAS's table and strides; {@code candidates} of size one gives the fixed network.
     */
    public static SearchSpace mobileNetV2(boolean cifar, boolean gpu, List<String> candidates) {
        List<int[]> cfgs = modnasCfgs(gpu ? MODNAS_GPU_CFGS : MODNAS_ORI_CFGS, cifar);
        List<List<String>> slots = new ArrayList<>();
        for (MbSlot s : mbSlots(cfgs)) {
            slots.add(slots.isEmpty() ? List.of("MB3E" + s.t()) : candidates);
        }
        SearchSpace s = mobileNetV2(cfgs, cifar ? new Shape(3, 32, 32) : new Shape(3, 224, 224), cifar ? 10 : 1000, 1280,
                0.2, slots);
        return s.withName(cifar ? "mobilenetv2-cifar" : "mobilenetv2-imagenet");
    }

    /**
     * ModularNAS's {@code MobileNetV2}: stem conv 3x3 to cfgs[0]'s width at its stride, BN, ReLU6; one block per Slot
     * ({@link #mbSlots}) holding {@code slots.get(i)} (one op: fixed; more: a LayerChoice keyed {@code b<i>}), with the
     * identity shortcut when stride 1 and widths equal; conv 1x1 to {@code last}, BN, ReLU6, pool, dropout, linear.
     */
    public static SearchSpace mobileNetV2(List<int[]> cfgs, Shape input, int classes, int last, double dropout,
                                          List<List<String>> slots) {
        List<MbSlot> geometry = mbSlots(cfgs);
        if (geometry.size() != slots.size()) {
            throw new IllegalArgumentException("the table has " + geometry.size() + " Slots, " + slots.size() + " were given");
        }
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < geometry.size(); i++) {
            List<String> c = slots.get(i);
            EdgeOp op = c.size() == 1 ? OpCall.of(c.get(0)) : LayerChoice.of("b" + i, c);
            stages.add(Stage.block("b" + i, op, geometry.get(i).chnOut(), geometry.get(i).stride(), true));
        }
        List<OpCall> head = List.of(conv(last, 1, 1, 0), OpCall.of("bn"), OpCall.of("relu6"), OpCall.of("gap"),
                OpCall.of("dropout", "rate", dropout), OpCall.of("linear"));
        int stem = cfgs.get(0)[1];
        Network net = new Network(input, classes, stem,
                List.of(List.of(conv(stem, 3, cfgs.get(0)[3], 1), OpCall.of("bn"), OpCall.of("relu6"))), stages, head, null, true);
        return new SearchSpace(input.height() <= 64 ? "mobilenetv2-cifar" : "mobilenetv2-imagenet", "", net, Map.of(), Map.of(),
                Map.of(), Map.of("modnas.mixed_op", "BinGate"));
    }

    // ---- Once-for-All -----------------------------------------------------------------------------------------

    /**
     * An elastic MobileNetV2 (Once-for-All): stem conv 3x3 to {@code stem} channels, BN, ReLU6; per stage
     * {width, stride, blocks} that many residual mbconv blocks, each with its own kernel ({@code sSbB_k}: 3, 5, 7) and
     * expansion ({@code sSbB_e}: 3, 4, 6), the blocks after the first skipped beyond the stage's depth ({@code sS_depth}:
     * {@code depths}); conv 1x1 to {@code last}, BN, ReLU6, pool, linear.
     */
    public static SearchSpace ofa(Shape input, int classes, int stem, int[][] stages, List<Double> depths, int last) {
        Map<String, ValueChoice> values = new LinkedHashMap<>();
        List<Stage> blocks = new ArrayList<>();
        for (int s = 0; s < stages.length; s++) {
            String depth = "s" + (s + 1) + "_depth";
            for (int b = 1; b <= stages[s][2]; b++) {
                String name = "s" + (s + 1) + "b" + b;
                values.put(name + "_k", new ValueChoice(name + "_k", List.of(3.0, 5.0, 7.0)));
                values.put(name + "_e", new ValueChoice(name + "_e", List.of(3.0, 4.0, 6.0)));
                Map<String, Param> p = new LinkedHashMap<>();
                p.put("kernel", Param.ref(name + "_k"));
                p.put("expand", Param.ref(name + "_e"));
                if (b > 1) {
                    p.put("depth", Param.ref(depth));
                    p.put("position", Param.of(b));
                }
                blocks.add(Stage.block(name, new OpCall("mbconv", p), stages[s][0], b == 1 ? stages[s][1] : 1, true));
            }
            values.put(depth, new ValueChoice(depth, depths));
        }
        List<OpCall> head = List.of(conv(last, 1, 1, 0), OpCall.of("bn"), OpCall.of("relu6"), OpCall.of("gap"), OpCall.of("linear"));
        Network net = new Network(input, classes, stem, List.of(List.of(conv(stem, 3, 1, 1), OpCall.of("bn"), OpCall.of("relu6"))),
                blocks, head, null, true);
        return new SearchSpace("ofa", "", net, Map.of(), values, Map.of(), Map.of());
    }

    // ---- ResNet ----------------------------------------------------------------------------------------------

    public static SearchSpace resnet(int depth) {
        int[] reps = switch (depth) {
            case 18 -> new int[] {2, 2, 2, 2};
            case 34, 50 -> new int[] {3, 4, 6, 3};
            case 101 -> new int[] {3, 4, 23, 3};
            case 152 -> new int[] {3, 8, 36, 3};
            default -> throw new IllegalArgumentException("ResNet depth must be 18, 34, 50, 101 or 152, not " + depth);
        };
        boolean bottleneck = depth >= 50;
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int width = 64 << i;
            stages.add(Stage.block("layer" + (i + 1), OpCall.of(bottleneck ? "bottleneck" : "basic_block"),
                    bottleneck ? 4 * width : width, i == 0 ? 1 : 2, false).withRepeat(Param.of(reps[i])));
        }
        List<List<OpCall>> stem = List.of(List.of(conv(64, 7, 2, 3), OpCall.of("bn"), OpCall.of("relu"),
                new OpCall("max_pool", Map.of("kernel", Param.of(3), "stride", Param.of(2), "padding", Param.of(1)))));
        Network net = new Network(new Shape(3, 224, 224), 1000, 64, stem, stages, gapLinear(), null, true);
        return new SearchSpace("resnet" + depth, "", net, Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** He et al.'s CIFAR ResNet-(6n+2), option-A shortcuts. */
    public static SearchSpace cifarResNet(int depth) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("CIFAR ResNet depth must be 6n+2, not " + depth);
        }
        int n = (depth - 2) / 6;
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stages.add(Stage.block("stage" + (i + 1), OpCall.of("basic_block_a"), 16 << i, i == 0 ? 1 : 2, false)
                    .withRepeat(Param.of(n)));
        }
        Network net = new Network(new Shape(3, 32, 32), 10, 16,
                List.of(List.of(conv(16, 3, 1, 1), OpCall.of("bn"), OpCall.of("relu"))), stages, gapLinear(), null, true);
        return new SearchSpace("resnet" + depth + "-cifar", "", net, Map.of(), Map.of(), Map.of(), Map.of());
    }

    /**
     * VEGA ResNetVariant / VariantLayer: one BasicBlock per list entry; doublechannel[i] doubles the width
     * (widen 2), downsample[i] makes the block stride 2. With {@code search}, each entry is a ValueChoice.
     */
    public static SearchSpace resnetVariant(int base, List<Integer> doublechannel, List<Integer> downsample, int classes,
                                            boolean search) {
        if (doublechannel.size() != downsample.size()) {
            throw new IllegalArgumentException("doublechannel and downsample must have the same length");
        }
        List<Stage> stages = new ArrayList<>();
        Map<String, ValueChoice> values = new LinkedHashMap<>();
        for (int i = 0; i < doublechannel.size(); i++) {
            Param widen = Param.of(doublechannel.get(i) == 0 ? 1 : 2);
            Param stride = Param.of(downsample.get(i) == 0 ? 1 : 2);
            if (search) {
                values.put("doublechannel_" + i, new ValueChoice("doublechannel_" + i, List.of(1.0, 2.0)));
                values.put("downsample_" + i, new ValueChoice("downsample_" + i, List.of(1.0, 2.0)));
                widen = Param.ref("doublechannel_" + i);
                stride = Param.ref("downsample_" + i);
            }
            stages.add(new Stage("block" + i, StageKind.BLOCK, null, OpCall.of("basic_block"), Role.NORMAL, null, widen,
                    stride, null, false));
        }
        Network net = new Network(new Shape(3, 32, 32), classes, base,
                List.of(List.of(conv(base, 3, 1, 1), OpCall.of("bn"), OpCall.of("relu"))), stages, gapLinear(), null, true);
        return new SearchSpace("resnet-variant", "", net, Map.of(), values, Map.of(), Map.of());
    }

    /** A {@code conv} primitive as stems and heads use it. */
    public static OpCall conv(int out, int kernel, int stride, int padding) {
        Map<String, Param> p = new LinkedHashMap<>();
        p.put("out", Param.of(out));
        p.put("kernel", Param.of(kernel));
        if (stride != 1) {
            p.put("stride", Param.of(stride));
        }
        p.put("padding", Param.of(padding));
        return new OpCall("conv", p);
    }

    /**
     * What File > New opens: the darts-mini network (digits-sized, so a search runs at once) whose normal and
     * reduction cells hold only their two inputs and the output, to be drawn.
     */
    public static SearchSpace blank() {
        SearchSpace mini = dartsSearch(8, 5, 10, new Shape(1, 8, 8), OpCatalog.DARTS_PRIMITIVES);
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (String name : List.of("normal", "reduce")) {
            cells.put(name, new Cell(name, List.of(Node.input("in0"), Node.input("in1"), Node.output("out", Reduction.CONCAT)),
                    List.of(), Preprocess.DARTS));
        }
        return new SearchSpace("untitled", "", mini.network(), cells, Map.of(), Map.of(), Map.of());
    }
}

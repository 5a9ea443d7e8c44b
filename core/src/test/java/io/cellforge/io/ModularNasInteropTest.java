package io.cellforge.io;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.space.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every file of shared/interop/modnas (standalone ModularNAS configs and ModularNAS-in-VEGA pipelines), read as
 * ModularNAS builds it. The expected Slots, candidates and counts are derived here from ModularNAS's published
 * code (CreeperLin/modnas 21a5166, modnas/arch_space/torch/mobilenetv2.py), not from Cellforge's tables or ops;
 * the parameter and multiply-add figures were also measured on ModularNAS's own code with torch 1.13
 * (get_default_constructors over the same config, convs and linear layers counted by forward hooks).
 */
class ModularNasInteropTest {
    static final Path DIR = Path.of("../../shared/interop/modnas");

    // mobilenetv2.py's _mbv2_ori_cfgs and _mbv2_gpu_cfgs, rows [t, c, n, s]; row 0 is conv_first.
    static final int[][] ORI = {{0, 32, 1, 2}, {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};
    static final int[][] GPU = {{0, 32, 1, 2}, {1, 16, 1, 1}, {6, 24, 4, 2}, {6, 40, 4, 2}, {6, 80, 4, 2}, {6, 96, 4, 1},
            {6, 192, 4, 2}, {6, 320, 1, 1}};
    static final List<String> SIX = List.of("MB3E3", "MB3E6", "MB5E3", "MB5E6", "MB7E3", "MB7E6");

    /** mobilenetv2(cifar=True): cfgs[0][3] = 1; cfgs[6][3] = 1. */
    static int[][] cifar(int[][] t) {
        int[][] c = new int[t.length][];
        for (int i = 0; i < t.length; i++) {
            c[i] = t[i].clone();
        }
        c[0][3] = 1;
        c[6][3] = 1;
        return c;
    }

    /** One Slot per MobileInvertedResidualBlock: _make_bottlenecks over rows 1.., _make_stage's n blocks, stride on the first. */
    record Slot(int t, int in, int out, int stride) {
    }

    static List<Slot> slots(int[][] cfgs) {
        List<Slot> out = new ArrayList<>();
        for (int i = 1; i < cfgs.length; i++) {
            int chnIn = cfgs[i - 1][1];
            for (int b = 0; b < cfgs[i][2]; b++) {
                out.add(new Slot(cfgs[i][0], chnIn, cfgs[i][1], b == 0 ? cfgs[i][3] : 1));
                chnIn = cfgs[i][1];
            }
        }
        return out;
    }

    /**
     * Parameters and multiply-adds (convs and linear layers) of MobileNetV2 with {@code ops.get(i)} ("MBkEe") on Slot i,
     * following mobilenetv2.py: conv_first 3x3 (stride s0, pad 1) + BN; MobileInvertedConv(chn_in, chn_out, stride,
     * expansion e, kernel k, padding k//2): 1x1 expand + BN (left out when chn_in == chn_in * e), kxk depthwise + BN,
     * 1x1 project + BN; conv_last 1x1 to 1280 + BN; Linear(1280, n_classes). BN: weight and bias per channel.
     */
    static long[] count(int[][] cfgs, int hw, int classes, List<String> ops) {
        long params = 0;
        long macs = 0;
        int h = (hw + 2 - 3) / cfgs[0][3] + 1;
        params += 3L * 9 * cfgs[0][1] + 2L * cfgs[0][1];
        macs += (long) h * h * cfgs[0][1] * 3 * 9;
        List<Slot> s = slots(cfgs);
        for (int i = 0; i < s.size(); i++) {
            Slot sl = s.get(i);
            int k = ops.get(i).charAt(2) - '0';
            int e = ops.get(i).charAt(4) - '0';
            int chn = sl.in() * e;
            if (chn != sl.in()) {
                params += (long) sl.in() * chn + 2L * chn;
                macs += (long) h * h * sl.in() * chn;
            }
            int ho = (h + 2 * (k / 2) - k) / sl.stride() + 1;
            params += (long) chn * k * k + 2L * chn;
            macs += (long) ho * ho * chn * k * k;
            params += (long) chn * sl.out() + 2L * sl.out();
            macs += (long) ho * ho * chn * sl.out();
            h = ho;
        }
        int last = cfgs[cfgs.length - 1][1];
        params += (long) last * 1280 + 2 * 1280;
        macs += (long) h * h * last * 1280;
        params += 1280L * classes + classes;
        macs += 1280L * classes;
        return new long[] {params, macs};
    }

    /**
     * What a claimed file must give: the table ModularNAS builds (with its strides), the input side and classes,
     * the candidates of every Slot (one name: a fixed block), the op fixed on every choice for the count, and the
     * count measured on ModularNAS's code.
     */
    record Claim(int[][] cfgs, int hw, int classes, List<List<String>> candidates, String pick, long params, long macs) {
    }

    /** A DARTS search network: chn, layers, classes, the candidates of every edge, the supernet's and DARTS_V2's counts. */
    record DartsClaim(int chn, int layers, int classes, List<String> candidates, long superParams, long superMacs,
                      long v2Params, long v2Macs) {
    }

    /** A file Cellforge does not claim: the place of its one clean line, and what the line says. */
    record Refusal(String place, String says) {
    }

    /** Every Slot the six MBxEy candidates: DefaultMixedOpConstructor over every Slot (wrapper.get_mixed_op_constructor). */
    static List<List<String>> everySlot(int[][] cfgs) {
        return Collections.nCopies(slots(cfgs).size(), SIX);
    }

    /** MobileNetV2PredefinedConstructor: MobileInvertedConv(expansion=t, kernel 3) on every Slot. */
    static List<List<String>> predefined(int[][] cfgs) {
        return slots(cfgs).stream().map(s -> List.of("MB3E" + s.t())).toList();
    }

    /** combo_nas's get_predefined_search_converter(fix_first, add_zero_op): the first predefined, NIL where stride 1 and in == out. */
    static List<List<String>> comboSearch(int[][] cfgs, List<String> prims) {
        List<List<String>> out = new ArrayList<>();
        for (Slot s : slots(cfgs)) {
            if (out.isEmpty()) {
                out.add(List.of("MB3E" + s.t()));
            } else {
                List<String> c = new ArrayList<>(prims);
                if (s.stride() == 1 && s.in() == s.out()) {
                    c.add("NIL");
                }
                out.add(c);
            }
        }
        return out;
    }

    static final Map<String, Object> EXPECTED = new LinkedHashMap<>();

    static {
        int[][] cifarGpu = cifar(GPU);
        // VEGA's search steps: search.mixed_op with candidates; SoftmaxSum (darts.yml), BinaryGate (pxl.yml); 10 classes.
        for (String f : List.of("vega_v1.3.0__darts.yml", "vega_v1.8.0__darts.yml", "vega_vmaster__darts.yml",
                "vega_v1.3.0__pxl.yml", "vega_vmaster__pxl.yml")) {
            EXPECTED.put(f, new Claim(cifarGpu, 32, 10, everySlot(cifarGpu), "MB3E3", 1_928_730, 43_066_752));
        }
        // Fully-train steps (MobileNetV2PredefinedConstructor) and ps.yml's search step (predefined, then elastic).
        for (String f : List.of("vega_v1.3.0__mbv2.yml", "vega_v1.8.0__mbv2.yml", "vega_vmaster__mbv2.yml",
                "vega_v1.3.0__ps.yml", "vega_v1.8.0__ps.yml", "vega_vmaster__ps.yml")) {
            EXPECTED.put(f, new Claim(cifarGpu, 32, 10, predefined(cifarGpu), null, 3_416_586, 68_294_912));
        }
        // The docs' space: no model.args, so MobileNetV2's n_classes default of 1000.
        EXPECTED.put("vega_docs_modnas_search_space.yml", new Claim(cifarGpu, 32, 1000, everySlot(cifarGpu), "MB7E6",
                5_121_864, 101_238_528));
        // Imagenet_MobileNetV2 with model.args.cfgs (the _GPU table) over its own table, fix_first and add_zero_op.
        EXPECTED.put("modnas_mobilenetv2_pxl.yaml", new Claim(GPU, 224, 1000, comboSearch(GPU, SIX), "MB5E6",
                4_852_200, 526_208_768));
        String notBuilt = "is not read: Cellforge builds ModularNAS's MobileNetV2 backbones exactly";
        // DARTS under WeightedSum over AVG MAX SC3 SC5 DC3 DC5 IDT NIL, ops act_weight_bn without affine BN: DARTS's
        // search network. Measured on ModularNAS's code: the supernet 1,930,618 parameters (what DARTS's
        // train_search.py logs) and 300,255,744 multiply-adds; DARTS_V2 on it (the arch_desc Cellforge writes, given to
        // DefaultRecursiveArchDescConstructor) 239,898 and 43,444,736.
        EXPECTED.put("modnas_darts.yaml", new DartsClaim(16, 8, 10, List.of("avg_pool_3x3", "max_pool_3x3", "sep_conv_3x3",
                "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5", "skip_connect", "none"), 1_930_618, 300_255_744, 239_898, 43_444_736));
        EXPECTED.put("modnas_darts_augment.yaml", new Refusal("modnas_darts_augment.yaml:41:9",
                "ModularNAS model 'DARTS' without a mixed_op is not read"));
        EXPECTED.put("modnas_pxl.yaml", new Refusal("modnas_pxl.yaml:97:9", "ModularNAS model 'ProxylessNAS' " + notBuilt));
        EXPECTED.put("modnas_test_search_pxl_search.yaml", new Refusal("modnas_test_search_pxl_search.yaml:88:9",
                "ModularNAS model 'ProxylessNAS' " + notBuilt));
        EXPECTED.put("modnas_test_uniform_pxl_uniform.yaml", new Refusal("modnas_test_uniform_pxl_uniform.yaml:88:9",
                "ModularNAS model 'ProxylessNAS' " + notBuilt));
        EXPECTED.put("modnas_resnet10_random.yaml", new Refusal("modnas_resnet10_random.yaml:74:9",
                "ModularNAS model 'CIFAR-ResNet-10' " + notBuilt));
        EXPECTED.put("modnas_test_metrics_lut_metrics_pxl.yaml", new Refusal("modnas_test_metrics_lut_metrics_pxl.yaml:84:9",
                "ModularNAS model 'CIFAR-ResNet-10' " + notBuilt));
        EXPECTED.put("modnas_test_mixed_op_mbconv.yaml", new Refusal("modnas_test_mixed_op_mbconv.yaml:117:9",
                "ModularNAS model 'mobilenetv3_small' " + notBuilt));
        // CIFAR_MobileNetV2 is read, but its mixed op's first primitive, ModularNAS's SepConv, is not Cellforge's.
        EXPECTED.put("modnas_test_arch_space_mobilenetv2.yaml", new Refusal("modnas_test_arch_space_mobilenetv2.yaml:103:7",
                "primitive 'SC3' is not read"));
    }

    @Test
    void theCountFollowsModularNasAsMeasuredOnItsOwnCode() {
        // ImageNet_MobileNetV2 predefined: 3,504,872 parameters, 300,774,272 multiply-adds (torch, modnas 21a5166).
        assertArrayEquals(new long[] {3_504_872, 300_774_272}, count(ORI, 224, 1000, predefined(ORI).stream().map(l -> l.get(0)).toList()));
        // CIFAR_MobileNetV2 predefined, 10 classes: 2,236,682 and 43,758,080.
        int[][] c = cifar(ORI);
        assertArrayEquals(new long[] {2_236_682, 43_758_080}, count(c, 32, 10, predefined(c).stream().map(l -> l.get(0)).toList()));
        // The Slots ModularNAS builds (counted there too): 17 on the original table, 22 on _GPU.
        assertEquals(17, slots(ORI).size());
        assertEquals(22, slots(GPU).size());
    }

    @Test
    void everyFileIsReadAsModularNasBuildsItOrRefusedInOneLine() throws Exception {
        assumeTrue(Files.isDirectory(DIR));
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path p : files) {
            String name = p.getFileName().toString();
            Object want = EXPECTED.get(name);
            if (want == null) {
                fail(name + " is new in " + DIR + ": say here what Cellforge makes of it");
            }
            if (want instanceof Refusal r) {
                LoadException e = assertThrows(LoadException.class, () -> SpaceFiles.readSpace(p), name);
                assertTrue(e.getMessage().startsWith(DIR.resolve(r.place()).toString() + ": "), e.getMessage());
                assertTrue(e.getMessage().contains(r.says()), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
                continue;
            }
            if (want instanceof DartsClaim d) {
                checkDarts(name, SpaceFiles.readSpace(p).space(), d);
                continue;
            }
            Claim c = (Claim) want;
            Imported im = SpaceFiles.readSpace(p);
            SearchSpace s = im.space();
            List<Slot> geometry = slots(c.cfgs());
            List<Stage> stages = s.network().stages();
            assertEquals(geometry.size(), stages.size(), name + ": Slots");
            assertEquals(c.hw(), s.network().input().height(), name);
            assertEquals(c.classes(), s.network().classes(), name);
            assertEquals(c.cfgs()[0][3], s.network().stem().get(0).get(0).params().getOrDefault("stride", io.cellforge.space.Param.of(1)).value().intValue(), name + ": stem stride");
            Map<String, Decision> pick = new LinkedHashMap<>();
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                Stage st = stages.get(i);
                assertEquals(geometry.get(i).out(), st.channels().value().intValue(), name + " Slot " + i);
                assertEquals(geometry.get(i).stride(), st.stride().value().intValue(), name + " Slot " + i);
                List<String> cands = st.op() instanceof LayerChoice lc ? lc.labels() : List.of(((OpCall) st.op()).label());
                assertEquals(c.candidates().get(i), cands, name + " Slot " + i);
                if (st.op() instanceof LayerChoice lc) {
                    pick.put(lc.key(), new Decision.Op(c.pick()));
                    chosen.add(c.pick());
                } else {
                    chosen.add(cands.get(0));
                }
            }
            NetworkStats st = Evaluator.evaluate(s, new Architecture(pick));
            assertTrue(st.ok(), name + ": " + st.problems());
            assertArrayEquals(new long[] {c.params(), c.macs()}, count(c.cfgs(), c.hw(), c.classes(), chosen), name + ": the count here");
            assertArrayEquals(new long[] {c.params(), c.macs()}, new long[] {st.params(), st.macs()}, name + ": Cellforge's count");
            for (Problem n : im.notMapped()) {
                assertTrue(n.source().startsWith(p.toString() + ":"), name + ": every warning has its line: " + n.source());
            }
        }
    }

    /**
     * DAGLayer with CombinationEnumerator: node i of a cell has an edge (a Slot) from each of the 2 + i states before it,
     * 14 per cell; with shared_a, DARTSSearchConstructor gives the Slots of a name (normal_k, reduce_k) one mixed op's
     * alphas: 28 choices of op, and per node the two inputs DARTS keeps.
     */
    private static void checkDarts(String name, SearchSpace s, DartsClaim d) throws LoadException {
        int edges = 0;
        for (int i = 0; i < 4; i++) {
            edges += 2 + i;
        }
        List<LayerChoice> ops = s.mutablesByKey().values().stream().filter(m -> m instanceof LayerChoice).map(m -> (LayerChoice) m).toList();
        assertEquals(2 * edges, ops.size(), name);
        for (LayerChoice lc : ops) {
            assertEquals(d.candidates(), lc.labels(), name + " " + lc.key());
        }
        assertEquals(d.layers(), s.network().stages().size(), name);
        assertEquals(d.classes(), s.network().classes(), name);
        NetworkStats sup = Evaluator.supernet(s);
        assertArrayEquals(new long[] {d.superParams(), d.superMacs()}, new long[] {sup.params(), sup.macs()}, name + ": supernet");
        NetworkStats v2 = Evaluator.evaluate(s, ArchFormats.fromGenotype(io.cellforge.arch.Genotype.DARTS_V2, s, name));
        assertArrayEquals(new long[] {d.v2Params(), d.v2Macs()}, new long[] {v2.params(), v2.macs()}, name + ": DARTS_V2");
    }

    @Test
    void dartsSettingsAreCarriedIntoTheSearch() throws Exception {
        Imported im = read("modnas_darts.yaml");
        SearchConfig c = im.search();
        // optim DARTS (the unrolled step), a_optim adam 0.0003 [0.5, 0.999] 0.001; estimator sgd 0.025 0.9 0.0003, cosine
        // to 0.001, w_grad_clip 5, 10 epochs; trn_batch_size 4, valid_ratio 0.1 of the training images.
        assertEquals("darts2", c.strategy());
        assertEquals(10, c.epochs());
        assertEquals(4, c.batchSize());
        assertEquals(0.9, c.trainPortion(), 1e-12);
        assertEquals(0.025, c.lr());
        assertEquals(0.001, c.lrMin());
        assertEquals(5.0, c.gradClip());
        assertEquals(3e-4, c.archLr());
        assertEquals(0.5, c.archBeta1());
        assertEquals(1e-3, c.archWeightDecay());
        // w_momentum 0.9 and w_weight_decay 0.0003 equal the weights': nothing to say about them.
        assertFalse(im.notMapped().stream().anyMatch(n -> n.place().startsWith("optim.args.w_")), im.notMapped().toString());
        assertTrue(warns(im, "search.estimator.search.w_optim.args.nesterov", "Nesterov"));
    }

    private static Imported read(String file) throws LoadException {
        Path p = DIR.resolve(file);
        assumeTrue(Files.isRegularFile(p));
        return SpaceFiles.readSpace(p);
    }

    private static boolean warns(Imported im, String place, String says) {
        return im.notMapped().stream().anyMatch(n -> n.place().equals(place) && n.message().contains(says));
    }

    @Test
    void standaloneSettingsAreCarriedIntoTheSearch() throws Exception {
        Imported im = read("modnas_mobilenetv2_pxl.yaml");
        SearchConfig c = im.search();
        // optim BinGate, a_optim adam lr 0.001 betas [0.0, 0.999] wd 0, n_samples 2; the search estimator: sgd lr 0.025
        // momentum 0.9 weight_decay 0.00004, cosine to eta_min 0.0, 120 epochs after the Default (weights-only)
        // warm-up estimator's 40; trn_batch_size 2048.
        assertEquals("proxyless", c.strategy());
        assertEquals(160, c.epochs());
        assertEquals(40, c.warmup());
        assertEquals(2048, c.batchSize());
        assertEquals(0.025, c.lr());
        assertEquals(0.9, c.momentum());
        assertEquals(4e-5, c.weightDecay());
        assertEquals(0.0, c.lrMin());
        assertEquals(0.001, c.archLr());
        assertEquals(0.0, c.archBeta1());
        assertEquals(0.999, c.archBeta2());
        assertEquals(0.0, c.archWeightDecay());
        assertEquals(2, c.pathSamples());
        // the warm-up's own optimizer (lr 0.05) is not Cellforge's: its warm-up trains with the search's settings
        assertTrue(warns(im, "search.estimator.warmup.w_optim", "not mapped: Cellforge's warm-up trains with the search estimator's"),
                im.notMapped().toString());
        assertTrue(warns(im, "search.estimator.search.arch_update_intv", "not mapped"));
    }

    @Test
    void vegaTrainerAndAlgorithmSettingsAreCarriedIntoTheSearch() throws Exception {
        Imported im = read("vega_vmaster__pxl.yml");
        SearchConfig c = im.search();
        // BinaryGateOptim without a_optim: its default Adam (lr 0.006, betas 0/0.999, no decay); the trainer's SGD;
        // the estimator's epochs (1) over the trainer's (3); dataset batch_size 256, train_portion 0.8.
        assertEquals("proxyless", c.strategy());
        assertEquals(1, c.epochs());
        assertEquals(256, c.batchSize());
        assertEquals(0.8, c.trainPortion());
        assertEquals(0.025, c.lr());
        assertEquals(3e-4, c.weightDecay());
        assertEquals(0.001, c.lrMin());
        assertEquals(0.006, c.archLr());
        assertEquals(0.0, c.archBeta1());
        c = read("vega_v1.8.0__darts.yml").search();
        // DARTSOptim takes the unrolled (second-order) step; GradientBasedOptim's default Adam: 3e-4, 0.5/0.999, 1e-3.
        assertEquals("darts2", c.strategy());
        assertEquals(0.5, c.trainPortion());
        assertEquals(3e-4, c.archLr());
        assertEquals(0.5, c.archBeta1());
        assertEquals(1e-3, c.archWeightDecay());
    }

    @Test
    void progressiveShrinkingAndTheElasticConstructorAreWarningsAtTheirLines() throws Exception {
        Imported im = read("vega_vmaster__ps.yml");
        assertNull(im.search(), "EvolutionOptim has no Cellforge strategy");
        assertTrue(warns(im, "nas.search_algorithm.optim.type", "EvolutionOptim"), im.notMapped().toString());
        assertTrue(warns(im, "nas.trainer.modnas.estim.ps", "progressive shrinking is not in Cellforge"), im.notMapped().toString());
        assertTrue(warns(im, "construct.elastic", "progressive shrinking"), im.notMapped().toString());
        Problem ps = im.notMapped().stream().filter(n -> n.place().equals("nas.trainer.modnas.estim.ps")).findFirst().orElseThrow();
        // The ps estimator's mapping begins at its type: line.
        assertEquals(DIR.resolve("vega_vmaster__ps.yml") + ":59:21", ps.source());
    }

    @Test
    void aModelTableGivenInTheFileOverridesModularNasTable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("modnas.yaml");
        {
            // CIFAR_MobileNetV2 with a two-stage table: the CIFAR variant still sets row 6's stride, so ModularNAS
            // fails on it (IndexError), and Cellforge says so at the table.
            Files.writeString(f, "model:\n  type: CIFAR_MobileNetV2\n  args:\n    cfgs: [[0, 32, 1, 2], [1, 16, 1, 1], [6, 24, 2, 2]]\n"
                    + "mixed_op:\n  type: BinaryGateMixedOp\n  candidates: [MB3E3]\n");
            LoadException e = assertThrows(LoadException.class, () -> SpaceFiles.readSpace(f));
            assertTrue(e.getMessage().startsWith(f + ":4:11: the CIFAR backbone sets row 6's stride"), e.getMessage());
            // ImageNet_MobileNetV2 with it: 3 Slots, all converted by the mixed op (new-style candidates: no fix_first).
            Files.writeString(f, "model:\n  type: ImageNet_MobileNetV2\n  args:\n    cfgs: [[0, 32, 1, 2], [1, 16, 1, 1], [6, 24, 2, 2]]\n"
                    + "mixed_op:\n  type: BinaryGateMixedOp\n  candidates: [MB3E3, MB5E6]\n");
            SearchSpace s = SpaceFiles.readSpace(f).space();
            assertEquals(3, s.network().stages().size());
            assertEquals(3, s.mutablesByKey().size());
        }
    }
}

package io.cellforge.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.cli.CliTest;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every VEGA file of ../shared/interop/vega, read as VEGA's own code reads it, against counts made here from VEGA's
 * published module code (huawei-noah/vega v0.9.3 {@code vega/search_space/fine_grained_space/blocks/blocks.py},
 * {@code cells/basic.py}, {@code networks/resnet.py}; master {@code vega/networks/resnet_general.py},
 * {@code vega/modules/blocks/blocks.py}), not from Cellforge's op catalog.
 */
class VegaInteropTest {
    static final Path VEGA = Path.of("../../shared/interop/vega");
    static final Path MODNAS = Path.of("../../shared/interop/modnas");

    // ---- an independent count of VEGA's networks ---------------------------------------------------------
    // Multiply-adds as Cellforge reports them: convolutions k*k*cin*cout per output pixel and Linear in*out;
    // BatchNorm, ReLU, pooling and the residual add count none. Parameters: conv weights (VEGA's convs have
    // bias=False), BN weight and bias (2 per channel), Linear weight and bias.

    /** The network being counted: channels, spatial size, parameters and multiply-adds so far. */
    static final class Net {
        long params;
        long macs;
        int c;
        int h;

        Net(int c, int h) {
            this.c = c;
            this.h = h;
        }

        /** nn.Conv2d(c, out, k, stride, padding, bias=False) then BatchNorm2d(out). */
        Net convBn(int out, int k, int stride, int pad) {
            int ho = (h + 2 * pad - k) / stride + 1;
            params += (long) k * k * c * out + 2L * out;
            macs += (long) k * k * c * out * ho * ho;
            c = out;
            h = ho;
            return this;
        }

        Net maxPool3s2() {
            h = (h + 2 - 3) / 2 + 1;
            return this;
        }

        /** VEGA's BasicBlock: BasicConv (3x3 stride, BN, ReLU, 3x3, BN; inner_plane the first width) + ShortCut. */
        Net basic(int in, int out, int stride, int inner) {
            assertEquals(c, in, "a block's inchannel is what the previous module gives");
            int h0 = h;
            convBn(inner, 3, stride, 1).convBn(out, 3, 1, 1);
            shortcut(in, out, stride, h0);
            return this;
        }

        /** VEGA's BottleneckBlock: BottleConv 1x1, 3x3 stride, 1x1 to 4*out, each with BN, + ShortCut. */
        Net bottleneck(int in, int out, int stride) {
            assertEquals(c, in);
            int h0 = h;
            convBn(out, 1, 1, 0).convBn(out, 3, stride, 1).convBn(out * 4, 1, 1, 0);
            shortcut(in, out * 4, stride, h0);
            return this;
        }

        /** ShortCut: conv1X1(in, out, stride) + BN when the stride or the width changes, else nothing to count. */
        private void shortcut(int in, int out, int stride, int h0) {
            if (stride != 1 || in != out) {
                int ho = (h0 - 1) / stride + 1;
                params += (long) in * out + 2L * out;
                macs += (long) in * out * ho * ho;
            }
        }

        /** AdaptiveAvgPool2d((1, 1)), View, Linear(in, classes). */
        Net linear(int in, int classes) {
            assertEquals(c, in, "the Linear's in_features are the channels it gets");
            params += (long) in * classes + classes;
            macs += (long) in * classes;
            c = classes;
            h = 1;
            return this;
        }
    }

    /** VEGA's InitialBlock: conv 7x7 stride 2 padding 3, BN, ReLU, MaxPool2d(3, 2, 1). */
    static Net initialBlock(int plane, int size) {
        return new Net(3, size).convBn(plane, 7, 2, 3).maxPool3s2();
    }

    /** VEGA's SmallInputInitialBlock: conv3x3(3, plane, stride 1), BN, ReLU. */
    static Net smallInputBlock(int plane, int size) {
        return new Net(3, size).convBn(plane, 3, 1, 1);
    }

    /** v0.9.3 BasicLayer without items: layer i of layer_reps[i] blocks of width 64 * 2^i (VEGA fixes 64). */
    static Net basicLayer(Net n, int[] reps, boolean bottleneck) {
        for (int i = 0; i < reps.length; i++) {
            int width = 64 << i;
            for (int j = 0; j < reps[i]; j++) {
                int stride = i > 0 && j == 0 ? 2 : 1;
                if (bottleneck) {
                    n.bottleneck(n.c, width, stride);
                } else {
                    n.basic(n.c, width, stride, width);
                }
            }
        }
        return n;
    }

    /** VariantLayer / ResNetGeneral: out doubles where doublechannel is 1, stride 2 where downsample is 1. */
    static Net variant(Net n, int[] dc, int[] ds) {
        int out = n.c;
        for (int i = 0; i < dc.length; i++) {
            out = dc[i] == 0 ? out : out * 2;
            n.basic(n.c, out, ds[i] == 0 ? 1 : 2, out);
        }
        return n;
    }

    /** v0.9.3 Repeat over items (entry i, or the last one past the end) with BasicBlocks. */
    static Net items(Net n, int count, int[] in, int[] out, int[] stride, int[] inner) {
        for (int i = 0; i < count; i++) {
            int o = out[Math.min(i, out.length - 1)];
            n.basic(in[Math.min(i, in.length - 1)], o, stride[Math.min(i, stride.length - 1)],
                    inner == null ? o : inner[Math.min(i, inner.length - 1)]);
        }
        return n;
    }

    /** What each claimed file builds, counted from VEGA's code; the figures are checked against `stats --json`. */
    static Map<String, Net> expected() {
        Map<String, Net> m = new LinkedHashMap<>();
        // Every file's step reads dataset Cifar10: 3x32x32 (vega/datasets/conf/cifar10.py: RandomCrop size 32).
        // ResNet(depth 50-style via BasicLayer): InitialBlock(64), BasicLayer(64, 4, BottleneckBlock, [3,4,6,3]),
        // Linear(2048, 10).
        m.put("v0.9.3__examples__fine_grained_space__resnet__resnet.yml",
                basicLayer(initialBlock(64, 32), new int[] {3, 4, 6, 3}, true).linear(2048, 10));
        // ResNetVariant(18, 64, dc, ds): SmallInputInitialBlock(64), VariantLayer, Linear(512 * 1, 10).
        m.put("v0.9.3__examples__fine_grained_space__resnet__resnet_variant.yml",
                variant(smallInputBlock(64, 32), new int[] {0, 0, 1, 0, 1, 0, 1, 0}, new int[] {0, 0, 1, 0, 1, 0, 1, 0}).linear(512, 10));
        // SmallInputInitialBlock(32), VariantLayer(in 32, BasicBlock), LinearClassificationHead(512, 10).
        m.put("v0.9.3__examples__fine_grained_space__backbone_nas__backbone_nas.yml",
                variant(smallInputBlock(32, 32), new int[] {0, 1, 1, 0, 1, 0, 0, 1}, new int[] {1, 1, 0, 1, 0, 0, 0, 1}).linear(512, 10));
        // ResNet depth 20 (not in _block_setting): the block from `block`, InitialBlock(init_plane 16), Repeat of
        // num_reps 9 over items, Linear(out_plane 60 * 1, num_class 10 by default).
        m.put("v0.9.3__examples__fine_grained_space__prune__prune.yml",
                items(initialBlock(16, 32), 9, new int[] {16, 15, 15, 15, 29, 29, 29, 60, 60}, new int[] {15, 15, 15, 29, 29, 29, 60, 60, 60},
                        new int[] {1, 1, 1, 2, 1, 1, 2, 1, 1}, new int[] {14, 16, 16, 29, 30, 30, 62, 60, 62}).linear(60, 10));
        m.put("v0.9.3__examples__fine_grained_space__quant__quant.yml",
                items(initialBlock(16, 32), 9, new int[] {16, 16, 16, 16, 32, 32, 32, 64, 64}, new int[] {16, 16, 16, 32, 32, 32, 64, 64, 64},
                        new int[] {1, 1, 1, 2, 1, 1, 2, 1, 1}, null).linear(64, 10));
        // ResNet depth 18: BasicBlock [2,2,2,2] whatever num_reps or block say; InitialBlock(64), Linear(512, 10).
        for (String f : List.of("v0.9.3__examples__fine_grained_space__quant__quant_resnet18.yml",
                "v0.9.3__examples__fine_grained_space__resnet__general_resnet.yml")) {
            m.put(f, basicLayer(initialBlock(64, 32), new int[] {2, 2, 2, 2}, false).linear(512, 10));
        }
        return m;
    }

    /**
     * The same figures from VEGA's own code: v0.9.3's FineGrainedSpaceFactory.from_desc(search_space).to_model()
     * (hyper-parameters set to their first candidate, Prune's process left out: it loads a checkpoint) run with
     * torch 1.13 on a 1x3x32x32 input, parameters summed and conv/linear multiply-adds counted by forward hooks.
     */
    static final Map<String, long[]> VEGA_RUN = Map.of(
            "v0.9.3__examples__fine_grained_space__backbone_nas__backbone_nas.yml", new long[] {7_579_114, 96_310_272},
            "v0.9.3__examples__fine_grained_space__prune__prune.yml", new long[] {243_651, 2_845_488},
            "v0.9.3__examples__fine_grained_space__quant__quant.yml", new long[] {274_394, 3_125_888},
            "v0.9.3__examples__fine_grained_space__quant__quant_resnet18.yml", new long[] {11_181_642, 37_016_576},
            "v0.9.3__examples__fine_grained_space__resnet__general_resnet.yml", new long[] {11_181_642, 37_016_576},
            "v0.9.3__examples__fine_grained_space__resnet__resnet.yml", new long[] {23_528_522, 83_431_424},
            "v0.9.3__examples__fine_grained_space__resnet__resnet_variant.yml", new long[] {11_173_962, 555_422_720});

    /** The step each claimed pipeline file reads (its only search step). */
    static final Map<String, String> STEP = Map.of("vmaster__examples__nas__backbone_nas__backbone_nas.yml", "nas");

    static List<Path> files(Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(dir), dir + " is not here (a clone without ../shared)");
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void everyVegaFileIsReadWithVegasCountsOrRefusedInOneLine() throws Exception {
        Map<String, Net> want = expected();
        Set<String> spaces = Set.of("vmaster__examples__nas__backbone_nas__backbone_nas.yml",
                "v0.9.3__examples__nas__backbone_nas__backbone_nas.yml", "v0.9.3__examples__nas__darts_cnn__darts.yml",
                "vmaster__examples__nas__darts_cnn__darts.yml", "vmaster__examples__nas__cars__cars.yml",
                "vmaster__examples__nas__cars__genotype_7.json");
        List<String> refused = new ArrayList<>();
        for (Path f : files(VEGA)) {
            String n = f.getFileName().toString();
            CliTest.Run r = run("stats", f.toString(), "--json");
            if (want.containsKey(n)) {
                assertEquals(0, r.code(), n + ": " + r.err());
                JsonNode j = new ObjectMapper().readTree(r.out());
                assertEquals(want.get(n).params, j.get("params").asLong(), n + " parameters");
                assertEquals(want.get(n).macs, j.get("macs").asLong(), n + " multiply-adds");
                assertEquals(VEGA_RUN.get(n)[0], want.get(n).params, n + ": the count here is VEGA's");
                assertEquals(VEGA_RUN.get(n)[1], want.get(n).macs, n + ": the count here is VEGA's");
                Imported im = SpaceFiles.readSpace(f);
                assertEquals(new Shape(3, 32, 32), im.space().network().input(), n + ": Cifar10 is 3x32x32");
                assertTrue(im.notMapped().get(0).toString().contains("read pipeline step 'nas"), n + ": " + im.notMapped().get(0));
            } else if (spaces.contains(n)) {
                assertEquals(0, r.code(), n + ": " + r.err());
            } else {
                // Not claimed: one line naming the file and the place, and what it is.
                assertEquals(1, r.code(), n);
                String line = r.err().strip();
                assertFalse(line.contains("\n"), n + ": one line: " + line);
                assertTrue(line.matches("cellforge: " + java.util.regex.Pattern.quote(f.toString()) + ":\\d+:\\d+: .+"), line);
                assertTrue(line.contains("not read") || line.contains("not a search space") || line.contains("no step"), line);
                refused.add(n);
            }
        }
        assertEquals(want.size() + spaces.size() + refused.size(), files(VEGA).size());
        assertTrue(refused.contains("vmaster__examples__nas__sr_ea__sr_ea.yml"), refused.toString());
    }

    /**
     * VEGA 1.x backbone_nas: hyperparameters over model_desc ResNet(num_class 10). depth and base_channel are read
     * with their first candidates (18, 32), doublechannel and downsample become a choice per block. The default
     * structure of ResNetGeneral(18) (BackboneNasCodec's count 3) is [0,0,1,0,1,0,1,0] for both.
     */
    @Test
    void vegaOneBackboneNasMapsItsCategoriesOntoChoices(@TempDir Path dir) throws Exception {
        Path f = VEGA.resolve("vmaster__examples__nas__backbone_nas__backbone_nas.yml");
        Assumptions.assumeTrue(Files.exists(f));
        Imported im = SpaceFiles.readSpace(f);
        assertEquals(16, im.space().values().size());
        assertEquals(new Shape(3, 32, 32), im.space().network().input());
        String notes = im.notMapped().toString();
        assertTrue(notes.contains(":27:17: warning: backbone.depth: not mapped"), notes);
        assertTrue(notes.contains(":30:17: warning: backbone.base_channel: not mapped"), notes);
        assertTrue(notes.contains(":11:5: warning: nas: read pipeline step 'nas'"), notes);
        int[] def = {0, 0, 1, 0, 1, 0, 1, 0};
        Path arch = dir.resolve("a.yaml");
        Files.writeString(arch, archYaml("backbone", def, def));
        CliTest.Run r = run("stats", f.toString(), "--arch", arch.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        Net want = variant(smallInputBlock(32, 32), def, def).linear(256, 10);
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(want.params, j.get("params").asLong());
        assertEquals(want.macs, j.get("macs").asLong());
    }

    static String archYaml(String module, int[] dc, int[] ds) {
        StringBuilder b = new StringBuilder("cellforge: 1\nkind: architecture\nchoices:\n");
        for (int i = 0; i < dc.length; i++) {
            b.append("  ").append(module).append(".doublechannel.").append(i).append(": ").append(dc[i] == 1 ? 2 : 1).append('\n');
            b.append("  ").append(module).append(".downsample.").append(i).append(": ").append(ds[i] == 1 ? 2 : 1).append('\n');
        }
        return b.toString();
    }

    /** ModularNAS's VEGA pipelines: only which step is read (their spaces are ModularNAS's, tested there). */
    @Test
    void theSearchStepOfEveryVegaPipelineIsPicked() throws Exception {
        for (Path f : files(MODNAS)) {
            String n = f.getFileName().toString();
            if (!n.startsWith("vega_")) {
                continue;
            }
            YNode root = YNode.parse(SpaceFiles.readText(f), f.toString());
            var step = VegaPipeline.locate(root, null);
            String text = Files.readString(f);
            if (!text.contains("\npipeline:")) {
                assertTrue(step.isEmpty(), n);
            } else {
                // pipeline: [nas, fully_train] reads nas (its SearchPipeStep); pipeline: [fully_train] its only step.
                String expected = text.contains("pipeline: [nas, fully_train]") ? "nas" : "fully_train";
                assertEquals(expected, step.orElseThrow().name(), n);
                assertTrue(step.get().notes().get(0).toString().contains("read pipeline step '" + expected + "'"), n);
            }
        }
    }

    // ---- --step ------------------------------------------------------------------------------------------

    static final String TWO_STEPS = """
            pipeline: [nas, fully_train]
            nas:
                pipe_step:
                    type: SearchPipeStep
                dataset:
                    type: Cifar10
                search_space:
                    type: FineGrainedSpace
                    modules: ['init', 'layer', 'head']
                    init: {type: SmallInputInitialBlock, init_plane: 16}
                    layer: {type: VariantLayer, block: {type: BasicBlock}, in_plane: 16, out_plane: 32, expansion: 1,
                            doublechannel: [0, 1], downsample: [0, 1]}
                    head: {type: LinearClassificationHead, base_channel: 32, num_class: 10}
            fully_train:
                pipe_step:
                    type: TrainPipeStep
                dataset:
                    type: Imagenet
                model:
                    model_desc:
                        modules: [backbone]
                        backbone: {type: ResNet, depth: 18, num_class: 1000}
            """;

    @Test
    void stepOptionReadsTheSearchStepByDefaultAnotherWhenNamedAndListsTheStepsOtherwise(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("two.yml");
        Files.writeString(f, TWO_STEPS);
        CliTest.Run r = run("validate", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("read pipeline step 'nas' of nas, fully_train; choose another with --step NAME"), r.out());
        // SmallInputInitialBlock(16) + BasicBlock(16, 16) + BasicBlock(16, 32, stride 2) + Linear(32, 10) on 32x32.
        Net small = variant(smallInputBlock(16, 32), new int[] {0, 1}, new int[] {0, 1}).linear(32, 10);
        JsonNode j = new ObjectMapper().readTree(run("stats", f.toString(), "--json").out());
        assertEquals(small.params, j.get("params").asLong());
        // The other step: VEGA 1.x ResNet(18) with SmallInputInitialBlock(64), the default structure, on Imagenet's 224.
        int[] def = {0, 0, 1, 0, 1, 0, 1, 0};
        Net r18 = variant(smallInputBlock(64, 224), def, def).linear(512, 1000);
        r = run("stats", f.toString(), "--step", "fully_train", "--json");
        assertEquals(0, r.code(), r.err());
        j = new ObjectMapper().readTree(r.out());
        assertEquals(r18.params, j.get("params").asLong());
        assertEquals(r18.macs, j.get("macs").asLong());
        for (String cmd : List.of("validate", "stats", "convert", "search")) {
            List<String> args = new ArrayList<>(List.of(cmd, f.toString()));
            if (cmd.equals("convert")) {
                args.add(dir.resolve("o.yaml").toString());
            }
            args.addAll(List.of("--step", "nope"));
            r = run(args.toArray(String[]::new));
            assertEquals(1, r.code(), cmd + ": " + r.out() + r.err());
            assertEquals("cellforge: " + f + ":1:11: no pipeline step 'nope'; the steps are nas, fully_train", r.err().strip(), cmd);
        }
    }

    // ---- writing back ------------------------------------------------------------------------------------

    /**
     * A reader that follows VEGA 0.9.3's FineGrainedSpaceFactory.from_desc / create_search_space
     * (vega/search_space/fine_grained_space/fine_grained_space.py): {@code modules} names the modules in order;
     * each {@code desc[name]} pops {@code type}, which must be a registered class, and passes the rest as keyword
     * arguments to its constructor (signatures from blocks.py, cells/basic.py, networks/resnet.py and head.py).
     * The hyper-parameters are gone: RandomSearch would draw again from them.
     */
    static final Map<String, Set<String>> SIGNATURES_093 = Map.of(
            "SmallInputInitialBlock", Set.of("init_plane"),
            "InitialBlock", Set.of("init_plane"),
            "VariantLayer", Set.of("in_plane", "out_plane", "doublechannel", "downsample", "expansion", "block", "groups", "base_width"),
            "LinearClassificationHead", Set.of("base_channel", "num_class"),
            "ResNetVariant", Set.of("base_depth", "base_channel", "doublechannel", "downsample", "small_input", "num_class"));
    static final Map<String, Set<String>> REQUIRED_093 = Map.of(
            "SmallInputInitialBlock", Set.of("init_plane"),
            "VariantLayer", Set.of("in_plane", "out_plane", "doublechannel", "downsample", "expansion", "block"),
            "LinearClassificationHead", Set.of("base_channel", "num_class"));

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> fromDesc093(Map<String, Object> desc) {
        assertEquals("FineGrainedSpace", desc.get("type"));
        assertFalse(desc.containsKey("hyper_parameters"), "no hyper-parameters left to draw from");
        Map<String, Map<String, Object>> built = new LinkedHashMap<>();
        for (Object name : (List<Object>) desc.get("modules")) {
            Map<String, Object> param = new LinkedHashMap<>((Map<String, Object>) desc.get((String) name));
            String type = (String) param.remove("type");
            assertTrue(SIGNATURES_093.containsKey(type), "registered: " + type);
            assertTrue(SIGNATURES_093.get(type).containsAll(param.keySet()), type + " takes " + param.keySet());
            assertTrue(param.keySet().containsAll(REQUIRED_093.getOrDefault(type, Set.of())), type + " needs its arguments");
            built.put((String) name, param);
        }
        return built;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSearchedFineGrainedArchitectureIsWrittenAsTheDescVegaBuilds(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("space.yml");
        // A hyper-parameter over whole doublechannel lists, as VEGA 0.9's RandomSearch draws them.
        Files.writeString(f, TWO_STEPS.replace("head: {type: LinearClassificationHead",
                "hyper_parameters:\n            layer.downsample: [[0, 1], [1, 1]]\n        head: {type: LinearClassificationHead"));
        Imported im = SpaceFiles.readSpace(f);
        assertEquals(Set.of("layer.downsample.0"), im.space().values().keySet(), "position 1 is 1 in every candidate");
        Path arch = dir.resolve("a.yaml");
        Files.writeString(arch, "cellforge: 1\nkind: architecture\nchoices:\n  layer.downsample.0: 2\n");
        Path out = dir.resolve("out.vega.yml");
        CliTest.Run r = run("convert", arch.toString(), out.toString(), "--space", f.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> desc = new org.yaml.snakeyaml.Yaml().load(Files.readString(out));
        Map<String, Map<String, Object>> built = fromDesc093(desc);
        assertEquals(List.of("init", "layer", "head"), new ArrayList<>(built.keySet()));
        assertEquals(List.of(1, 1), built.get("layer").get("downsample"));
        assertEquals(List.of(0, 1), built.get("layer").get("doublechannel"));
        assertEquals(Map.of("type", "BasicBlock"), built.get("layer").get("block"));
    }

    /**
     * A reader following VEGA 1.x ModuleSerializable.from_desc (vega/modules/operators/functions/serializable.py):
     * each name of {@code modules} is a desc whose {@code type} is a registered network, built with the rest as
     * keyword arguments (vega/networks/resnet.py ResNet.__init__); ResNetGeneral then needs doublechannel and
     * downsample as 0/1 lists of one entry per block (8 for depth 18).
     */
    @Test
    @SuppressWarnings("unchecked")
    void aSearchedBackboneIsWrittenAsTheModelDescVegaOneBuilds(@TempDir Path dir) throws Exception {
        Path f = VEGA.resolve("vmaster__examples__nas__backbone_nas__backbone_nas.yml");
        Assumptions.assumeTrue(Files.exists(f));
        int[] dc = {0, 1, 0, 0, 1, 0, 1, 0};
        int[] ds = {1, 0, 0, 1, 0, 0, 1, 0};
        Path arch = dir.resolve("a.yaml");
        Files.writeString(arch, archYaml("backbone", dc, ds));
        Path out = dir.resolve("out.yml");
        CliTest.Run r = run("convert", arch.toString(), out.toString(), "--to", "vega", "--space", f.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> desc = new org.yaml.snakeyaml.Yaml().load(Files.readString(out));
        assertEquals(List.of("backbone"), desc.get("modules"));
        Map<String, Object> backbone = (Map<String, Object>) desc.get("backbone");
        assertEquals("ResNet", backbone.get("type"));
        Set<String> init = Set.of("depth", "base_channel", "out_plane", "stages", "num_class", "small_input", "doublechannel", "downsample");
        Set<String> given = new java.util.HashSet<>(backbone.keySet());
        given.remove("type");
        assertTrue(init.containsAll(given), given.toString());
        assertEquals(18, backbone.get("depth"));
        assertEquals(32, backbone.get("base_channel"));
        assertEquals(List.of(0, 1, 0, 0, 1, 0, 1, 0), backbone.get("doublechannel"));
        assertEquals(List.of(1, 0, 0, 1, 0, 0, 1, 0), backbone.get("downsample"));
        // And the file reads back into the same network: Cellforge's reader of a VEGA model_desc step.
        Path back = dir.resolve("back.yml");
        Files.writeString(back, "pipeline: [t]\nt:\n  dataset: {type: Cifar10}\n  model:\n    model_desc:\n"
                + Files.readString(out).lines().filter(l -> !l.startsWith("#")).map(l -> "      " + l + "\n").reduce("", String::concat));
        JsonNode j = new ObjectMapper().readTree(run("stats", back.toString(), "--json").out());
        Net want = variant(smallInputBlock(32, 32), dc, ds).linear(256, 10);
        assertEquals(want.params, j.get("params").asLong());
        assertEquals(want.macs, j.get("macs").asLong());
        // VEGA 1.x's NetworkDesc(this model_desc).to_model() (master vega/networks), run with torch 1.13.
        assertEquals(2_858_346, want.params);
        assertEquals(111_512_064, want.macs);
    }

    /** search --out on a VEGA space also writes architecture.vega.yml, which reads as VEGA 0.9's from_desc reads it. */
    @Test
    @SuppressWarnings("unchecked")
    void searchOutWritesTheVegaDescBesideTheOtherFormats(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("cifar");
        Files.createDirectories(data);
        java.util.Random rnd = new java.util.Random(1);
        for (var e : Map.of("data_batch_1.bin", 20, "test_batch.bin", 10).entrySet()) {
            byte[] b = new byte[e.getValue() * 3073];
            rnd.nextBytes(b);
            for (int i = 0; i < e.getValue(); i++) {
                b[i * 3073] = (byte) (i % 10); // the label byte of a CIFAR-10 record
            }
            Files.write(data.resolve(e.getKey()), b);
        }
        Path f = dir.resolve("s.yml");
        Files.writeString(f, """
                pipeline: [nas]
                nas:
                    pipe_step: {type: NasPipeStep}
                    dataset: {type: Cifar10}
                    search_space:
                        type: FineGrainedSpace
                        hyper_parameters:
                            layer.downsample: [[0, 1], [1, 1]]
                        modules: ['init', 'layer', 'head']
                        init: {type: SmallInputInitialBlock, init_plane: 4}
                        layer: {type: VariantLayer, block: {type: BasicBlock}, in_plane: 4, out_plane: 8, expansion: 1,
                                doublechannel: [0, 1], downsample: [0, 1]}
                        head: {type: LinearClassificationHead, base_channel: 8, num_class: 10}
                """);
        Path out = dir.resolve("res");
        CliTest.Run r = run("search", f.toString(), "--data", data.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> desc = new org.yaml.snakeyaml.Yaml().load(Files.readString(out.resolve("architecture.vega.yml")));
        Map<String, Map<String, Object>> built = fromDesc093(desc);
        List<Object> ds = (List<Object>) built.get("layer").get("downsample");
        assertEquals(1, ds.get(1), "fixed where every candidate agrees");
        String chosen = Files.readString(out.resolve("architecture.arch.yaml"));
        assertEquals(chosen.contains("layer.downsample.0: 2") ? 1 : 0, ds.get(0), chosen);
    }

    /**
     * VEGA's DARTS search network (0.9 darts_network.py + ps_cell.py; 1.x super_network.py + Cells) is DARTS's: a
     * PreOneStem of 3 x 16 channels, 8 cells with the reductions at 2 and 5 (C doubling there), 14 edges per cell
     * (node i takes states 0..i-1), each over the same 8 candidates, concat [2, 3, 4, 5], 10 classes on Cifar10's
     * 32x32 -- the space Cellforge knows as darts-search, element for element.
     */
    @Test
    void vegasDartsSearchSpacesAreDartsSearch() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(VEGA));
        var darts = io.cellforge.zoo.Zoo.get("darts-search").orElseThrow();
        Imported v09 = SpaceFiles.readSpace(VEGA.resolve("v0.9.3__examples__nas__darts_cnn__darts.yml"));
        assertTrue(darts.network().equals(v09.space().network()), "the network");
        assertTrue(darts.cells().equals(v09.space().cells()), "the cells");
        // VEGA 1.x (vega/modules/operators/mix_ops.py): the same but for sep_conv_kxk, one SeparatedConv
        // (depthwise k x k, pointwise, BN, ReLU) instead of DARTS's two.
        List<String> ops1x = OpCatalog.DARTS_PRIMITIVES.stream().map(o -> o.startsWith("sep_conv") ? "vega_" + o : o).toList();
        var darts1x = io.cellforge.zoo.Zoo.dartsSearch(16, 8, 10, new Shape(3, 32, 32), ops1x);
        for (String n : List.of("v0.9.3__examples__nas__darts_cnn__darts.yml", "vmaster__examples__nas__darts_cnn__darts.yml",
                "vmaster__examples__nas__cars__cars.yml")) {
            Imported im = SpaceFiles.readSpace(VEGA.resolve(n));
            boolean v1 = n.startsWith("vmaster");
            assertTrue(darts.network().equals(im.space().network()), n + ": the network");
            assertTrue((v1 ? darts1x : darts).cells().equals(im.space().cells()), n + ": the cells");
            assertEquals(v1 ? Set.of("vega_sep_conv_3x3", "vega_sep_conv_5x5") : Set.of(), im.space().userOps().keySet(), n);
            assertEquals(8, im.space().network().stages().size(), n);
            assertEquals(14, im.space().cells().get("normal").edges().stream()
                    .filter(e -> e.op() instanceof io.cellforge.space.LayerChoice lc && lc.candidates().size() == 8).count(), n);
        }
    }

    /**
     * genotype_7.json: VEGA's DartsNetwork with search False -- the DARTS evaluation network of its genotype,
     * init_channels 36, 20 cells (reductions at 6 and 13), 1000 classes, input_size 32. Counted here from VEGA 0.9's
     * operations.py / darts_ops.py / ps_cell.py (the same ops as DARTS): ReluConvBn and FactorizedReduce preprocess,
     * SeparatedConv (two ReLU, depthwise k x k, 1x1, BN), DilatedConv (ReLU, depthwise dilated, 1x1, BN), a stride-2
     * skip_connect as FactorizedReduce, pools without parameters.
     */
    @Test
    void vegasDartsGenotypeIsTheDartsEvaluationNetworkWithVegasCounts() throws Exception {
        Path f = VEGA.resolve("vmaster__examples__nas__cars__genotype_7.json");
        Assumptions.assumeTrue(Files.exists(f));
        Object[][] normal = {{"skip_connect", 0}, {"sep_conv_3x3", 1}, {"max_pool_3x3", 0}, {"dil_conv_5x5", 1},
                {"sep_conv_5x5", 0}, {"avg_pool_3x3", 1}, {"sep_conv_3x3", 0}, {"sep_conv_3x3", 1}};
        Object[][] reduce = {{"dil_conv_5x5", 0}, {"sep_conv_3x3", 1}, {"sep_conv_5x5", 0}, {"sep_conv_3x3", 1},
                {"skip_connect", 0}, {"sep_conv_5x5", 1}, {"avg_pool_3x3", 0}, {"sep_conv_5x5", 1}};
        long[] want = dartsEval(36, 20, 1000, 32, normal, reduce, false);
        // VEGA 0.9.3's NetworkDesc(desc).to_model() on this file, run with torch 1.13 (forward hooks as above).
        assertEquals(3_995_092, want[0]);
        assertEquals(530_449_920, want[1]);
        JsonNode j = new ObjectMapper().readTree(run("stats", f.toString(), "--json").out());
        assertEquals(want[0], j.get("params").asLong());
        assertEquals(want[1], j.get("macs").asLong());
    }

    /** {params, macs} of DARTS's NetworkCIFAR (no auxiliary head) as VEGA builds it. */
    static long[] dartsEval(int c0, int layers, int classes, int size, Object[][] normal, Object[][] reduce, boolean vega1) {
        long[] t = new long[2];
        int stemC = 3 * c0;
        t[0] += 27L * stemC + 2L * stemC;
        t[1] += 27L * stemC * size * size;
        int cpp = stemC;
        int cp = stemC;
        int c = c0;
        int hpp = size;
        int hp = size;
        boolean reductionPrev = false;
        for (int i = 0; i < layers; i++) {
            boolean red = i == layers / 3 || i == 2 * layers / 3;
            if (red) {
                c *= 2;
            }
            if (reductionPrev) { // FactorizedReduce(cpp, c): two 1x1 stride-2 convs to c/2 each, BN(c)
                t[0] += 2L * cpp * (c / 2) + 2L * c;
                t[1] += 2L * cpp * (c / 2) * (hpp / 2) * (hpp / 2);
            } else { // ReluConvBn 1x1
                t[0] += (long) cpp * c + 2L * c;
                t[1] += (long) cpp * c * hpp * hpp;
            }
            t[0] += (long) cp * c + 2L * c;
            t[1] += (long) cp * c * hp * hp;
            int hOut = red ? hp / 2 : hp;
            for (Object[] e : red ? reduce : normal) {
                String op = (String) e[0];
                int stride = red && (Integer) e[1] < 2 ? 2 : 1;
                long px = (long) hOut * hOut;
                switch (op) {
                    case "sep_conv_3x3", "sep_conv_5x5" -> {
                        // DARTS (and VEGA 0.9): two depthwise-pointwise-BN blocks; VEGA 1.x: one.
                        int k = op.endsWith("3x3") ? 3 : 5;
                        int times = vega1 ? 1 : 2;
                        t[0] += times * (c * k * k + (long) c * c + 2L * c);
                        t[1] += times * (c * k * k + (long) c * c) * px;
                    }
                    case "dil_conv_3x3", "dil_conv_5x5" -> {
                        int k = op.endsWith("3x3") ? 3 : 5;
                        t[0] += c * k * k + (long) c * c + 2L * c;
                        t[1] += (c * k * k + (long) c * c) * px;
                    }
                    case "skip_connect" -> {
                        if (stride == 2) {
                            t[0] += 2L * c * (c / 2) + 2L * c;
                            t[1] += 2L * c * (c / 2) * px;
                        }
                    }
                    default -> {
                    }
                }
            }
            reductionPrev = red;
            cpp = cp;
            hpp = hp;
            cp = 4 * c;
            hp = hOut;
        }
        t[0] += (long) cp * classes + classes;
        t[1] += (long) cp * classes;
        return t;
    }

    /**
     * VEGA 0.9 BackboneNas (examples/nas/backbone_nas): a SearchSpace of ResNetVariant candidates. The codec
     * (algorithms/nas/backbone_nas/backbone_nas_codec.py) sets the doublechannel/downsample counts as positions;
     * base_depth and base_channel are read with their first candidates (18, 32). Written back, the description is
     * what BackboneNasCodec.decode makes, read here as NetworkDesc.to_model (search_space/networks/network_desc.py)
     * reads it: every module a desc whose 'name' is the network class; ResNetVariant takes base_depth, base_channel,
     * doublechannel, downsample; the head takes base_channel (the backbone's width) and num_classes.
     */
    @Test
    @SuppressWarnings("unchecked")
    void vegaZeroNineBackboneNasReadsAndWritesBackAsItsCodecDecodes(@TempDir Path dir) throws Exception {
        Path f = VEGA.resolve("v0.9.3__examples__nas__backbone_nas__backbone_nas.yml");
        Assumptions.assumeTrue(Files.exists(f));
        Imported im = SpaceFiles.readSpace(f);
        assertEquals(16, im.space().values().size());
        int[] dc = {0, 1, 0, 0, 1, 0, 1, 0};
        int[] ds = {1, 0, 0, 1, 0, 0, 1, 0};
        Path arch = dir.resolve("a.yaml");
        Files.writeString(arch, archYaml("backbone", dc, ds));
        JsonNode j = new ObjectMapper().readTree(run("stats", f.toString(), "--arch", arch.toString(), "--json").out());
        Net want = variant(smallInputBlock(32, 32), dc, ds).linear(256, 10);
        assertEquals(want.params, j.get("params").asLong());
        assertEquals(want.macs, j.get("macs").asLong());
        Path out = dir.resolve("o.vega.yml");
        CliTest.Run r = run("convert", arch.toString(), out.toString(), "--space", f.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> desc = new org.yaml.snakeyaml.Yaml().load(Files.readString(out));
        Map<String, Set<String>> takes = Map.of("ResNetVariant", Set.of("name", "base_depth", "base_channel", "doublechannel", "downsample"),
                "LinearClassificationHead", Set.of("name", "base_channel", "num_classes"));
        for (Object m : (List<Object>) desc.get("modules")) {
            Map<String, Object> md = (Map<String, Object>) desc.get((String) m);
            assertTrue(md.containsKey("name"), "to_coarse_network needs 'name'");
            assertEquals(takes.get((String) md.get("name")), md.keySet(), m.toString());
        }
        Map<String, Object> bb = (Map<String, Object>) desc.get("backbone");
        assertEquals(List.of(0, 1, 0, 0, 1, 0, 1, 0), bb.get("doublechannel"));
        assertEquals(List.of(1, 0, 0, 1, 0, 0, 1, 0), bb.get("downsample"));
        // out_channel = base_channel * 2 ** sum(doublechannel) for base_depth < 50
        assertEquals(32 * 8, ((Map<String, Object>) desc.get("head")).get("base_channel"));
    }

    /** DARTS_V2 as VEGA's edges: [op, from] per edge, two per node. */
    static final Object[][] V2_NORMAL = {{"sep_conv_3x3", 0}, {"sep_conv_3x3", 1}, {"sep_conv_3x3", 0}, {"sep_conv_3x3", 1},
            {"sep_conv_3x3", 1}, {"skip_connect", 0}, {"skip_connect", 0}, {"dil_conv_3x3", 2}};
    static final Object[][] V2_REDUCE = {{"max_pool_3x3", 0}, {"max_pool_3x3", 1}, {"skip_connect", 2}, {"max_pool_3x3", 1},
            {"max_pool_3x3", 0}, {"skip_connect", 2}, {"skip_connect", 2}, {"max_pool_3x3", 1}};

    /**
     * A DARTS architecture of VEGA's DARTS space written back as VEGA's description, read as VEGA's Cell._compile
     * reads it (0.9 search_space/networks/pytorch/blocks/ps_cell.py, 1.x vega/modules/operators/cell.py): each
     * genotype entry [op, to, from] with an op of VEGA's table (darts_ops.py; mix_ops.py OPS), 'to' from 2 rising by
     * one per node, 'from' an earlier state, `steps` nodes; search False. Counted back by Cellforge, it is the network
     * VEGA builds: 246,106 parameters and 43,444,736 multiply-adds by VEGA 0.9.3's NetworkDesc(desc).to_model(),
     * 180,026 and 32,999,936 by VEGA 1.x's (whose parameters() adds alphas_normal and alphas_reduce, 2 x 8 x 12, that
     * DartsNetwork.build registers even for a fixed genotype: 180,218 in all), run with torch 1.13.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aDartsArchitectureIsWrittenAsVegasFixedDartsNetwork(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(VEGA));
        Set<String> ops09 = Set.of("none", "avg_pool_3x3", "max_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                "sep_conv_7x7", "dil_conv_3x3", "dil_conv_5x5", "conv_7x1_1x7");
        for (String n : List.of("v0.9.3__examples__nas__darts_cnn__darts.yml", "vmaster__examples__nas__darts_cnn__darts.yml")) {
            boolean v1 = n.startsWith("vmaster");
            String g = io.cellforge.arch.Genotype.DARTS_V2.toString();
            if (v1) {
                g = g.replace("'sep_conv_", "'vega_sep_conv_");
            }
            Path arch = dir.resolve(n + ".genotype");
            Files.writeString(arch, g);
            Path out = dir.resolve(n + ".vega.yml");
            CliTest.Run r = run("convert", arch.toString(), out.toString(), "--space", VEGA.resolve(n).toString());
            assertEquals(0, r.code(), r.err());
            Map<String, Object> desc = new org.yaml.snakeyaml.Yaml().load(Files.readString(out));
            Map<String, Object> net = (Map<String, Object>) desc.get(((List<String>) desc.get("modules")).get(0));
            assertEquals(false, net.get("search"));
            Map<String, Object> cells = v1 ? (Map<String, Object>) net.get("cells") : net;
            for (String cell : List.of("normal", "reduce")) {
                Map<String, Object> c = (Map<String, Object>) cells.get(cell);
                List<List<Object>> genotype = (List<List<Object>>) c.get("genotype");
                int idxCmp = 2;
                int nodes = 1;
                for (List<Object> e : genotype) {
                    assertTrue(ops09.contains((String) e.get(0)), e.toString());
                    int to = (Integer) e.get(1);
                    assertTrue(to == idxCmp || to == idxCmp + 1, "Cell._compile: input index should not less than idx_cmp");
                    if (to > idxCmp) {
                        idxCmp++;
                        nodes++;
                    }
                    assertTrue((Integer) e.get(2) < to);
                }
                assertEquals(c.get("steps"), nodes, "out_inp_list length should equal to steps");
            }
            JsonNode j = new ObjectMapper().readTree(run("stats", out.toString(), "--json").out());
            long[] want = dartsEval(16, 8, 10, 32, V2_NORMAL, V2_REDUCE, v1);
            assertEquals(want[0], j.get("params").asLong(), n);
            assertEquals(want[1], j.get("macs").asLong(), n);
            assertEquals(v1 ? 180_026 : 246_106, want[0], n + ": VEGA's own count");
            assertEquals(v1 ? 32_999_936 : 43_444_736, want[1], n + ": VEGA's own count");
        }
    }
}

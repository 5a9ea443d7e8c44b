package io.cellforge.io;

import io.cellforge.analysis.Evaluator;
import io.cellforge.space.Problem;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Inputs of the wrong shape, cut short, incomplete or hostile: a located LoadException, never another exception. */
class BadInputTest {
    static final Pattern LOCATED = Pattern.compile("^bad[^:]*:\\d+:\\d+: [^\\n]+$");

    static final String VEGA_RESNET = """
            search_space:
              type: FineGrainedSpace
              modules: ['resnet']
              resnet:
                type: ResNet
                depth: DEPTH
            """;

    /** Every scalar of a document with its character offsets, and whether it is a mapping's value. */
    record Scalar(int start, int end, boolean isValue) {
    }

    static List<Scalar> scalars(String text) {
        Node root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        List<Scalar> out = new ArrayList<>();
        collect(root, false, out);
        return out;
    }

    private static void collect(Node n, boolean isValue, List<Scalar> out) {
        if (n instanceof ScalarNode s && s.getStartMark() != null) {
            out.add(new Scalar(s.getStartMark().getIndex(), s.getEndMark().getIndex(), isValue));
        } else if (n instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                collect(t.getKeyNode(), false, out);
                collect(t.getValueNode(), true, out);
            }
        } else if (n instanceof SequenceNode s) {
            s.getValue().forEach(c -> collect(c, false, out));
        }
    }

    interface Reader {
        Object read(String text) throws LoadException;
    }

    /** Puts a list and a mapping in place of every value of the document, one at a time. */
    static int replaceEveryValue(String text, Reader reader) {
        int cases = 0;
        for (Scalar s : scalars(text)) {
            if (!s.isValue() || s.end() <= s.start()) {
                continue;
            }
            for (String other : List.of("[a, b]", "{a: 1}")) {
                String broken = text.substring(0, s.start()) + other + text.substring(s.end());
                cases++;
                try {
                    reader.read(broken);
                } catch (LoadException e) {
                    assertTrue(LOCATED.matcher(e.getMessage()).matches(), () -> "not one located line: " + e.getMessage()
                            + "\n---\n" + broken);
                } catch (RuntimeException e) {
                    fail("ended in " + e + "\n---\n" + broken, e);
                }
            }
        }
        return cases;
    }

    @Test
    void aListOrAMappingInPlaceOfAnyValueIsALocatedError() {
        int cases = 0;
        for (String zoo : List.of("nas-bench-201", "darts-mini", "enas-macro", "mobilenetv2-cifar", "resnet-variant")) {
            cases += replaceEveryValue(SpaceYaml.write(Zoo.get(zoo).orElseThrow()), t -> SpaceFiles.readSpace(t, "bad.yaml", "bad"));
        }
        cases += replaceEveryValue(VEGA_RESNET.replace("DEPTH", "20") + "    num_class: 10\n",
                t -> SpaceFiles.readSpace(t, "bad.yaml", "bad"));
        cases += replaceEveryValue("""
                search_space:
                  type: FineGrainedSpace
                  modules: ['init', 'layer', 'linear']
                  init: {type: SmallInputInitialBlock, init_plane: 32}
                  layer: {type: BasicLayer, in_plane: 32, expansion: 1, block: {type: BasicBlock}, layer_reps: [2, 2]}
                  linear: {type: Linear, out_features: 10}
                """, t -> SpaceFiles.readSpace(t, "bad.yaml", "bad"));
        cases += replaceEveryValue("""
                search_space:
                  type: SearchSpace
                  modules: [custom]
                  custom:
                    type: ModNasArchSpace
                    model: {type: CIFAR_MobileNetV2}
                    construct: {mixed_op: {type: BinaryGateMixedOp, primitives: [MB3E3, MB5E6, NIL]}}
                """, t -> SpaceFiles.readSpace(t, "bad.yaml", "bad"));
        cases += replaceEveryValue("strategy: gdas\nepochs: 3\narch_betas: [0.5, 0.9]\naugment: {crop_padding: 4, flip: true}\n",
                t -> SearchConfigYaml.read(t, "bad.yaml", null));
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        cases += replaceEveryValue("cellforge: 1\nkind: architecture\nspace: nas-bench-201\nchoices:\n  n1_p0: none\n  n2_p0: none\n",
                t -> ArchFormats.read(ArchFormat.YAML, t, "bad.yaml", nb));
        assertTrue(cases > 1000, "ran " + cases);
    }

    @Test
    void nameAndDescriptionAsAListOrAMappingNameTheField() {
        String text = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow());
        LoadException e = assertThrows(LoadException.class,
                () -> SpaceYaml.read(text.replace("name: nas-bench-201", "name: [a, b]"), "bad.yaml"));
        assertEquals("bad.yaml:3:7: name must be a string, found a list", e.getMessage());
        e = assertThrows(LoadException.class,
                () -> SpaceYaml.read(text.replaceFirst("description: .*", "description: {a: 1}"), "bad.yaml"));
        assertEquals("bad.yaml:4:14: description must be a string, found a mapping", e.getMessage());
    }

    /** DARTS_V2 as its repository prints it and as genotypes.py writes it, cut after every character. */
    @Test
    void aGenotypeCutAtAnyCharacterIsALocatedErrorOrAGenotype() throws Exception {
        SearchSpace darts = Zoo.get("darts-search").orElseThrow();
        String listForm = Genotype.DARTS_V2.toString().replace("range(2, 6)", "[2, 3, 4, 5]");
        for (String full : List.of(Genotype.DARTS_V2.toString(), listForm)) {
            for (int cut = 0; cut <= full.length(); cut++) {
                String t = full.substring(0, cut);
                try {
                    Genotype g = ArchFormats.parseGenotype(t, "bad.genotype");
                    ArchFormats.fromGenotype(g, darts, "bad.genotype");
                    assertEquals(full.length(), cut, "only the whole text parses: " + t);
                } catch (LoadException e) {
                    assertTrue(Pattern.matches("bad\\.genotype:\\d+:\\d+: [^\\n]+", e.getMessage()), e.getMessage());
                } catch (RuntimeException e) {
                    fail("cut at " + cut + " ended in " + e + ": " + t, e);
                }
            }
        }
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(
                "Genotype(normal=[], normal_concat=[2, 3, 4,", "bad.genotype"));
        assertTrue(e.getMessage().startsWith("bad.genotype:1:"), e.getMessage());
    }

    @Test
    void aGenotypeRangeThatOverflowsIsRefused() {
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(
                "Genotype(normal=[('skip_connect', 0)], normal_concat=range(-999999999, 999999999), reduce=[], reduce_concat=[2])",
                "bad.genotype"));
        assertTrue(e.getMessage().contains("is empty or too large"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, -4, 0, 7, 6008, 999_999_998})
    void anImpossibleVegaResNetDepthIsRefusedAtItsLine(int depth) {
        LoadException e = assertThrows(LoadException.class,
                () -> SpaceFiles.readSpace(VEGA_RESNET.replace("DEPTH", Integer.toString(depth)), "bad.yaml", "bad"));
        // VEGA 0.9's ResNet knows 18, 34, 50 and 101; any other depth takes its block from `block`.
        assertTrue(e.getMessage().startsWith("bad.yaml:6:12: "), e.getMessage());
        assertTrue(e.getMessage().contains(depth > 0 && depth < 100_000 ? "depth " + depth + " needs a block" : "depth must be"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {18, 34, 50, 101})
    void everyVegaResNetDepthIsRead(int depth) throws Exception {
        SearchSpace s = SpaceFiles.readSpace(VEGA_RESNET.replace("DEPTH", Integer.toString(depth)), "v.yaml", "v").space();
        assertTrue(Validator.validate(s).stream().noneMatch(Problem::isError));
    }

    @Test
    void aVegaLayerTooWideToCountIsRefusedAtItsEntry() throws Exception {
        String text = """
                search_space:
                  type: FineGrainedSpace
                  modules: ['init', 'layer']
                  init: {type: InitialBlock, init_plane: 64}
                  layer:
                    type: BasicLayer
                    in_plane: 64
                    expansion: 1
                    block: {type: BasicBlock}
                    layer_reps: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
                """;
        // VEGA's BasicLayer makes layer i 64 x 2^i wide: the 16th is 2,097,152 channels.
        LoadException e = assertThrows(LoadException.class, () -> SpaceFiles.readSpace(text, "bad.yaml", "bad"));
        assertTrue(e.getMessage().startsWith("bad.yaml:10:63: layer 16 would be 2097152 channels wide"), e.getMessage());
        // One layer less fits the limit.
        SpaceFiles.readSpace(text.replace("1, 1]", "1]"), "ok.yaml", "ok");
    }

    @Test
    void aProblemOfAnImportedSpaceNamesTheLineItCameFrom() throws Exception {
        Imported im = SpaceFiles.readSpace("""
                search_space:
                  type: FineGrainedSpace
                  modules: ['init', 'layer', 'linear']
                  init: {type: SmallInputInitialBlock, init_plane: 32}
                  layer:
                    type: BasicLayer
                    in_plane: 32
                    expansion: 1
                    block: {type: BasicBlock}
                    layer_reps: [2, 1001]
                  linear: {type: Linear, in_features: 128, out_features: 10}
                """, "v.yaml", "v");
        var st = Evaluator.evaluate(im.space(), Architecture.empty());
        Problem p = im.sources().locate(st.problems()).stream().filter(Problem::isError).findFirst().orElseThrow();
        assertEquals("v.yaml:10:21", p.source(), p.toString());
        assertTrue(p.message().contains("repeat must be 1..1000, got 1001"), p.toString());
    }

    @Test
    void aSearchSettingOutOfRangeNamesItsLine() {
        LoadException e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("epochs: 2\nlr: -1\n", "s.yaml", null));
        assertEquals("s.yaml:2:5: lr must be positive and lr_min not negative", e.getMessage());
        e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("epochs: 2\narch_weight_decay: -1\n", "s.yaml", null));
        assertEquals("s.yaml:2:20: arch_weight_decay must not be negative", e.getMessage());
        e = assertThrows(LoadException.class, () -> SearchConfigYaml.read("strategy: gdas\ntau_max: 0.01\n", "s.yaml", null));
        assertTrue(e.getMessage().startsWith("s.yaml:2:10: tau_min must be positive"), e.getMessage());
    }

    // ---- incomplete architectures ---------------------------------------------------------------------------

    static final SearchSpace DARTS = Zoo.get("darts-search").orElseThrow();

    @Test
    void anArchitectureThatLeavesChoicesOpenIsRefusedInEveryFormat() throws Exception {
        Architecture whole = ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "x");
        for (ArchFormat f : List.of(ArchFormat.YAML, ArchFormat.NNI)) {
            String text = ArchFormats.write(f, DARTS, whole);
            assertEquals(whole, ArchFormats.read(f, text, "whole", DARTS), f.id);
            // Each format with one decision left out.
            String cut = text.replaceFirst("(?m)^[^\n]*normal_n2_p0[^\n]*\n", "");
            assertFalse(cut.equals(text), text);
            LoadException e = assertThrows(LoadException.class, () -> ArchFormats.read(f, cut, "bad.arch", DARTS), f.id);
            assertTrue(e.getMessage().matches("bad\\.arch:\\d+:\\d+: the architecture leaves 1 of the 36 choices of space "
                    + "'darts-search' undecided: normal_n2_p0"), e.getMessage());
        }
        // A ModularNAS arch_desc of a DARTS cell lists each node's edges: one left out is a node that keeps one.
        String desc = ArchFormats.write(ArchFormat.MODNAS, DARTS, whole);
        assertEquals(whole, ArchFormats.read(ArchFormat.MODNAS, desc, "whole", DARTS));
        String cutDesc = desc.replaceFirst("\\[\\[\\[(\\w+)\\], \\[0\\], 2\\], ", "[");
        assertFalse(cutDesc.equals(desc), desc);
        LoadException m = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.MODNAS, cutDesc, "bad.arch", DARTS));
        assertTrue(m.getMessage().startsWith("bad.arch:2:5: normal node 2 keeps 1 edges; the space's nodes keep two"), m.getMessage());
        LoadException e = assertThrows(LoadException.class,
                () -> ArchFormats.read(ArchFormat.NNI, "{\"normal_n2_p0\": \"none\"}", "bad.json", DARTS));
        assertTrue(e.getMessage().contains("leaves 35 of the 36 choices"), e.getMessage());
        assertTrue(e.getMessage().contains("normal_n2_switch, normal_n3_switch"), e.getMessage());
        assertTrue(e.getMessage().endsWith("... (35 in all)"), e.getMessage());
        e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.MODNAS, "{}", "bad.yaml", DARTS));
        assertTrue(e.getMessage().contains("leaves 36 of the 36 choices"), e.getMessage());
        e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.YAML,
                "cellforge: 1\nkind: architecture\nspace: darts-search\nchoices: {}\n", "bad.yaml", DARTS));
        assertTrue(e.getMessage().contains("leaves 36 of the 36 choices"), e.getMessage());
    }

    @Test
    void anEdgeItsInputChoiceDropsNeedsNoDecision() throws Exception {
        // A genotype decides only the two kept edges of each node: the others' LayerChoices are not asked for.
        Architecture whole = ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "x");
        assertTrue(whole.choices().size() < DARTS.mutablesByKey().size());
        assertTrue(io.cellforge.arch.Fixing.undecided(DARTS, whole).isEmpty());
        // Without n3's InputChoice, every edge into n3 may be kept, so each needs its op.
        var choices = new java.util.LinkedHashMap<>(whole.choices());
        choices.remove("normal_n3_switch");
        assertEquals(List.of("normal_n3_switch", "normal_n3_p2"), io.cellforge.arch.Fixing.undecided(DARTS, new Architecture(choices)));
    }

    @Test
    void aModularNasArchDescCutInHalfIsRefused() {
        String slots = "      - MB5E3\n".repeat(8);
        LoadException e = assertThrows(LoadException.class, () -> SpaceFiles.readSpace(
                "search_space:\n  type: SearchSpace\n  modules: [custom]\n  custom:\n    type: ModNasArchSpace\n"
                        + "    model:\n      type: ImageNet_MobileNetV2\n    arch_desc:\n" + slots, "bad.yaml", "bad"));
        assertTrue(e.getMessage().startsWith("bad.yaml:9:7: arch_desc lists 8 items but the network has 17 Slots"), e.getMessage());
        StringBuilder half = new StringBuilder();
        for (int i = 1; i <= 8; i++) {
            half.append("      b").append(i).append(": MB5E3\n");
        }
        e = assertThrows(LoadException.class, () -> SpaceFiles.readSpace(
                "search_space:\n  type: SearchSpace\n  modules: [custom]\n  custom:\n    type: ModNasArchSpace\n"
                        + "    model:\n      type: ImageNet_MobileNetV2\n    arch_desc:\n" + half, "bad.yaml", "bad"));
        // ModularNAS indexes its arch_desc by Slot (DefaultSlotArchDescConstructor): a mapping is no arch_desc.
        assertTrue(e.getMessage().startsWith("bad.yaml:9:7: arch_desc is a list, one item per Slot"), e.getMessage());
    }

    @Test
    void anUnknownKeyInAnArchitectureIsRefusedInEveryFormat() {
        for (String text : List.of("{\"normal_n9_p0\": \"none\"}", "normal_n9_p0: none\n",
                "cellforge: 1\nkind: architecture\nspace: darts-search\nchoices:\n  normal_n9_p0: none\n")) {
            LoadException e = assertThrows(LoadException.class,
                    () -> ArchFormats.read(ArchFormats.sniff(text), text, "bad.arch", DARTS));
            assertTrue(e.getMessage().matches("bad\\.arch:\\d+:\\d+: key 'normal_n9_p0' is not a choice.*"), e.getMessage());
        }
    }

    // ---- aliases ----------------------------------------------------------------------------------------------

    /** A space as PyYAML's safe_dump writes it when 60 LayerChoices share one candidate list: one anchor, 59 aliases. */
    static String sharedCandidates(int choices) {
        StringBuilder b = new StringBuilder("""
                cellforge: 1
                kind: space
                name: shared
                network:
                  channels: 8
                  classes: 10
                  head:
                  - gap
                  - linear
                  input:
                  - 8
                  - 8
                  - 8
                  stages:
                  - cell: c
                    name: s0
                cells:
                  c:
                    edges:
                """);
        for (int i = 0; i < choices; i++) {
            b.append("    - choice:\n        candidates:");
            b.append(i == 0 ? " &id001\n        - none\n        - skip_connect\n        - sep_conv_3x3\n" : " *id001\n");
            b.append("        key: e").append(i).append("\n      from: in0\n      to: n").append(i).append('\n');
        }
        b.append("    inputs:\n    - in0\n    nodes:\n");
        for (int i = 0; i < choices; i++) {
            b.append("    - n").append(i).append('\n');
        }
        b.append("    output:\n      loose_ends: true\n      name: out\n    preprocess: none\n");
        return b.toString();
    }

    @Test
    void aPyYamlSpaceSharingOneCandidateListBetweenSixtyChoicesLoads() throws Exception {
        SearchSpace s = SpaceYaml.read(sharedCandidates(60), "shared.yaml").space();
        assertEquals(60, s.mutablesByKey().size());
        assertTrue(s.mutablesByKey().values().stream().allMatch(m -> ((LayerChoice) m).candidates().size() == 3));
        assertTrue(Validator.validate(s).stream().noneMatch(Problem::isError), () -> Validator.validate(s).toString());
    }

    /** Billion laughs: ten levels of ten aliases each would expand to 10^10 nodes. */
    @Test
    void aYamlBombIsRefusedQuicklyAndAFileUnderTheExpansionBoundLoads() throws Exception {
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 10; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1)))).append("]\n");
        }
        LoadException e = assertThrows(LoadException.class, () -> YNode.parse(bomb.toString(), "bomb.yaml"));
        assertTrue(e.getMessage().contains("aliases expand the document by more than 2,000,000 nodes"), e.getMessage());
        // Six levels: about 1.1 million nodes, under the bound.
        String six = bomb.toString().lines().limit(6).reduce("", (x, y) -> x + y + "\n");
        assertTrue(YNode.parse(six, "ok.yaml").map().containsKey("a5"));
        // A recursive alias and deep nesting through aliases stay refused.
        e = assertThrows(LoadException.class, () -> YNode.parse("a: &a [1, *a]\n", "bad.yaml"));
        assertTrue(e.getMessage().startsWith("bad.yaml:"), e.getMessage());
        StringBuilder deep = new StringBuilder("l0: &l0 [x]\n");
        for (int i = 1; i <= 70; i++) {
            deep.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append("]\n");
        }
        e = assertThrows(LoadException.class, () -> YNode.parse(deep.toString(), "deep.yaml"));
        assertTrue(e.getMessage().contains("nested more than 64 levels deep"), e.getMessage());
    }

    // ---- echoed input -----------------------------------------------------------------------------------------

    @Test
    void controlCharactersInAnErrorAreEscapedSoItStaysOneLine() {
        String text = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow())
                .replaceFirst("candidates: \\[none,", "candidates: [\"no\\\\x1b[2Jne\\\\x00x\\\\ny\\\\u202ez\",");
        assertTrue(text.contains("\"no\\x1b[2Jne"), text.substring(0, 10));
        Imported im = assertDoesNotThrowLoad(text);
        String line = im.sources().locate(Validator.validate(im.space())).get(0).toString();
        assertFalse(Escape.line(line).chars().anyMatch(c -> c < 0x20 || c == 0x202e), Escape.line(line));
        assertTrue(Escape.line(line).contains("unknown op 'no\\x1b[2Jne\\x00x\\ny\\u202ez'"), Escape.line(line));
        LoadException e = assertThrows(LoadException.class,
                () -> SpaceYaml.read(text.replace("classes: 10", "classes: \"1\\x1b[31m0\\n\""), "bad.yaml"));
        assertEquals("bad.yaml:7:12: expected a number, found '1\\x1b[31m0'", e.getMessage());
        assertEquals(Escape.line(e.getMessage()), e.getMessage(), "escaping twice changes nothing");
    }

    private static Imported assertDoesNotThrowLoad(String text) {
        try {
            return SpaceFiles.readSpace(text, "esc.yaml", "esc");
        } catch (LoadException e) {
            throw new AssertionError(e.getMessage());
        }
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedBeforeTheQuadraticReaderSeesIt() throws Exception {
        // A comment line: SnakeYAML's reader looks ahead over it as over a long word or quoted string.
        String head = "a: 1\n# ";
        String at = head + "x".repeat(YNode.MAX_LINE_CHARS - 2) + "\nb: 2\n";
        assertTrue(YNode.parse(at, "at.yaml").map().containsKey("b"));
        String over = head + "x".repeat(YNode.MAX_LINE_CHARS - 1) + "\nb: 2\n";
        LoadException e = assertThrows(LoadException.class, () -> YNode.parse(over, "over.yaml"));
        assertEquals("over.yaml:2:1: line is longer than 1,000,000 characters, the most Cellforge reads in one line of YAML", e.getMessage());
    }

    @Test
    void anEchoedValueOfMegabytesStillGivesALineOfReadableLength() {
        // An NB201 string whose op is 4 million characters long was echoed whole into its one-line error.
        String huge = "f.nb201:1:2: '" + "x".repeat(4_000_000) + "' is not a candidate of edge 0";
        String shown = Escape.line(huge);
        assertTrue(shown.length() <= Escape.MAX_LINE, "" + shown.length());
        assertTrue(shown.startsWith("f.nb201:1:2: 'xxx"), shown.substring(0, 20));
        assertTrue(shown.endsWith("' is not a candidate of edge 0"), shown);
        assertTrue(shown.contains(" characters left out) ... "), shown);
        assertEquals(shown, Escape.line(shown), "escaping twice changes nothing");
        String longest = "y".repeat(Escape.MAX_LINE);
        assertEquals(longest, Escape.line(longest));
        assertEquals(Escape.MAX_LINE, Escape.line("\u001b" + "y".repeat(Escape.MAX_LINE - 4)).length(), "the limit counts escapes");
        assertTrue(Escape.line("\u001b" + "y".repeat(Escape.MAX_LINE - 3)).contains("left out"));
    }
}

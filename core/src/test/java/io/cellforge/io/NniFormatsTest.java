package io.cellforge.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.space.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Genotype;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NNI's own files (../shared/interop/nni, not part of the project) read as NNI reads them, and what Cellforge writes
 * read back by readers in this test that follow NNI's loading code. Expected decisions are read by hand from the
 * files; NNI's key and op names by hand from microsoft/nni's source (file and function named at each reader).
 */
class NniFormatsTest {
    static final Path DIR = Path.of("../../shared/interop/nni");
    static final SearchSpace DARTS = Zoo.get("darts-search").orElseThrow();
    static final SearchSpace NB201 = Zoo.get("nas-bench-201").orElseThrow();
    static final SearchSpace MICRO = Zoo.get("enas-micro").orElseThrow();
    static final SearchSpace MACRO = Zoo.get("enas-macro").orElseThrow();
    static final ObjectMapper JSON = new ObjectMapper();

    static String peer(String name) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "no ../shared/interop here");
        return Files.readString(DIR.resolve(name));
    }

    static Architecture readPeer(String name, SearchSpace space, List<Problem> warnings) throws Exception {
        return ArchFormats.read(ArchFormat.NNI, peer(name), name, space, warnings);
    }

    /** "op~input op~input ..." of a cell, node by node, in the order the file gives each node's two inputs. */
    static String cell(List<Genotype.Op> ops) {
        return String.join(" ", ops.stream().map(o -> o.name() + "~" + o.input()).toList());
    }

    // ---- (a) NNI's files --------------------------------------------------------------------------------

    @Test
    void fixedArchitectureJsonIsTheNasBench201CellOfItsSixEdges() throws Exception {
        String text = peer("fixed-architecture.json");
        assertEquals(ArchFormat.NNI, ArchFormats.sniff(text));
        assertEquals("nas-bench-201", NniFormats.zooSpaceOf(text, "f.json").orElseThrow());
        Architecture a = readPeer("fixed-architecture.json", NB201, new ArrayList<>());
        // By hand from the file: key "j_i" is NASBench201Cell's edge j -> i (nasbench201.py: key="%d_%d" % (j, i)),
        // conv_1x1 is NB201's nor_conv_1x1 (ReLUConvBN, kernel 1).
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("n1_p0", "avg_pool_3x3");
        expected.put("n2_p0", "nor_conv_1x1");
        expected.put("n2_p1", "skip_connect");
        expected.put("n3_p0", "nor_conv_1x1");
        expected.put("n3_p1", "skip_connect");
        expected.put("n3_p2", "skip_connect");
        assertEquals(6, a.choices().size());
        expected.forEach((k, op) -> assertEquals(new Decision.Op(op), a.get(k).orElseThrow(), k));
        assertEquals("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|\n",
                ArchFormats.write(ArchFormat.NB201, NB201, a));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nni3_darts_tutorial_export_1.txt", "nni3_darts_tutorial_export_2.txt", "nni3_hub_darts_v2_arch.txt"})
    void nni3ExportsAreReadAsTheDartsCellsTheyPrint(String name) throws Exception {
        String text = peer(name);
        assertEquals(ArchFormat.NNI, ArchFormats.sniff(text), "a Python dict starting {' is NNI's");
        assertEquals("darts-search", NniFormats.zooSpaceOf(text, name).orElseThrow());
        List<Problem> warnings = new ArrayList<>();
        Genotype g = ArchFormats.toGenotype(DARTS, readPeer(name, DARTS, warnings));
        assertTrue(warnings.isEmpty(), warnings.toString());
        // By hand from each file: node N's ops op_N_0, op_N_1 on inputs input_N_0, input_N_1.
        Map<String, String[]> byHand = Map.of(
                "nni3_darts_tutorial_export_1.txt", new String[] {
                    "sep_conv_3x3~0 dil_conv_5x5~1 sep_conv_3x3~2 sep_conv_5x5~1 skip_connect~1 sep_conv_3x3~2 sep_conv_3x3~0 sep_conv_3x3~3",
                    "dil_conv_3x3~0 sep_conv_3x3~1 sep_conv_5x5~2 sep_conv_5x5~1 dil_conv_5x5~2 avg_pool_3x3~1 sep_conv_5x5~3 dil_conv_5x5~4"},
                "nni3_darts_tutorial_export_2.txt", new String[] {
                    "dil_conv_5x5~0 dil_conv_5x5~1 sep_conv_3x3~0 sep_conv_5x5~2 avg_pool_3x3~3 dil_conv_3x3~2 avg_pool_3x3~0 sep_conv_5x5~2",
                    "dil_conv_3x3~1 dil_conv_5x5~0 skip_connect~0 avg_pool_3x3~1 max_pool_3x3~2 max_pool_3x3~3 dil_conv_3x3~4 dil_conv_5x5~3"},
                // DARTS.load_searched_model('darts-v2'): the DARTS_V2 genotype of quark0/darts cnn/genotypes.py.
                "nni3_hub_darts_v2_arch.txt", new String[] {
                    "sep_conv_3x3~0 sep_conv_3x3~1 sep_conv_3x3~0 sep_conv_3x3~1 sep_conv_3x3~1 skip_connect~0 skip_connect~0 dil_conv_3x3~2",
                    "max_pool_3x3~0 max_pool_3x3~1 skip_connect~2 max_pool_3x3~1 max_pool_3x3~0 skip_connect~2 skip_connect~2 max_pool_3x3~1"});
        assertEquals(byHand.get(name)[0], cell(g.normal()), "normal");
        assertEquals(byHand.get(name)[1], cell(g.reduce()), "reduce");
        assertEquals(List.of(2, 3, 4, 5), g.normalConcat());
    }

    @Test
    void theHubDartsV2ArchIsQuark0sDartsV2() throws Exception {
        Path quark0 = DIR.resolveSibling("darts").resolve("darts_DARTS_V2.genotype");
        Assumptions.assumeTrue(Files.isRegularFile(quark0));
        Architecture hub = readPeer("nni3_hub_darts_v2_arch.txt", DARTS, new ArrayList<>());
        Architecture dartsRepo = ArchFormats.fromGenotype(ArchFormats.parseGenotype(Files.readString(quark0), "g"), DARTS, "g");
        assertEquals(dartsRepo, hub);
    }

    @Test
    void theNasnetSpaceIsNamedAndRefusedAtItsFirstForeignOp() throws Exception {
        String text = peer("nni3_nasnet_test_arch.txt");
        // Line 4 of the file, 9th column: "normal/op_2_0": "max_pool_7x7", an op of NASNet.NASNET_OPS only.
        for (Runnable r : List.<Runnable>of(() -> assertRefused(() -> NniFormats.zooSpaceOf(text, "n.txt")),
                () -> assertRefused(() -> ArchFormats.read(ArchFormat.NNI, text, "n.txt", DARTS)))) {
            r.run();
        }
    }

    private static void assertRefused(org.junit.jupiter.api.function.Executable x) {
        LoadException e = assertThrows(LoadException.class, x);
        assertTrue(e.getMessage().startsWith("n.txt:4:9: this is NNI's NASNet space"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Cellforge does not have that space"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"spos_architecture_final_v1.9.json", "spos_architecture_final_v2.5.json", "textnas_final_arc.json"})
    void sposAndTextnasAreNamedAndRefusedInOneLine(String name) throws Exception {
        String text = peer(name);
        String which = name.startsWith("spos") ? "NNI's SPOS ShuffleNetV2 space" : "NNI's TextNAS space";
        for (SearchSpace s : List.of(MACRO, DARTS)) {
            LoadException e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.NNI, text, name, s));
            // The first key, "LayerChoice1", is on line 2 at column 3 in all three files.
            assertTrue(e.getMessage().startsWith(name + ":2:3: this is " + which), e.getMessage());
            assertTrue(e.getMessage().endsWith(": Cellforge does not have that space"), e.getMessage());
        }
        LoadException e = assertThrows(LoadException.class, () -> NniFormats.zooSpaceOf(text, name));
        assertTrue(e.getMessage().startsWith(name + ":2:3: this is " + which), e.getMessage());
        if (name.startsWith("spos")) {
            assertTrue(e.getMessage().contains("LayerChoice1..LayerChoice20"), e.getMessage());
        }
    }

    @Test
    void hubWidthAndDepthMatchingTheNetworkAreTakenElseWarnedAtTheirLine() throws Exception {
        String arch = NniFormats.write(DARTS, ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "g"), 3);
        List<Problem> w = new ArrayList<>();
        ArchFormats.read(ArchFormat.NNI, arch, "a.json", DARTS, w);
        assertTrue(w.isEmpty(), w.toString()); // width 16 and depth 8 are darts-search's C and cells
        String other = arch.replace("\"width\" : 16", "\"width\" : 36");
        w.clear();
        Architecture a = ArchFormats.read(ArchFormat.NNI, other, "a.json", DARTS, w);
        assertEquals(ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "g"), a);
        assertEquals(1, w.size());
        assertTrue(w.get(0).toString().startsWith("a.json:2:3: warning: key 'width': NNI's width is 36; space 'darts-search' has 16 channels"),
                w.get(0).toString());
    }

    @Test
    void hubErrorsNameTheKeyAndItsLine() {
        String two = "{'normal/op_2_0': 'sep_conv_3x3', 'normal/input_2_0': [0],\n 'normal/op_2_1': 'none', 'normal/input_2_1': [1]}";
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.NNI, two, "h.txt", DARTS));
        assertTrue(e.getMessage().startsWith("h.txt:2:2: key 'normal/op_2_1': 'none' is not an op of NNI's DARTS space"), e.getMessage());
        String same = "{'normal/op_2_0': 'sep_conv_3x3', 'normal/input_2_0': [0],\n 'normal/op_2_1': 'skip_connect', 'normal/input_2_1': [0]}";
        e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.NNI, same, "h.txt", DARTS));
        assertTrue(e.getMessage().startsWith("h.txt:2:35: key 'normal/input_2_1': node 2 takes both its ops from node 0"), e.getMessage());
        e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.NNI, "{'normal/op_2_0': 'sep_conv_3x3',\n  'normal/input_2_0': [0, 1,}",
                "h.txt", DARTS));
        assertTrue(e.getMessage().startsWith("h.txt:2:"), e.getMessage());
    }

    // ---- Python literals --------------------------------------------------------------------------------

    @Test
    void pythonLiteralsReadAsPythonWouldAndRefuseWhatIsNotALiteral() throws Exception {
        PyLiteral.Node n = PyLiteral.parse("{'a': (1, -2.5e1, True, None,), \"b\": [u'x\\'y', r'\\d'], # note\n 'c': {}, }", "p");
        @SuppressWarnings("unchecked")
        Map<String, PyLiteral.Node> m = (Map<String, PyLiteral.Node>) n.value();
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(m.keySet()));
        @SuppressWarnings("unchecked")
        List<PyLiteral.Node> a = (List<PyLiteral.Node>) m.get("a").value();
        assertEquals(List.of(1L, -25.0, true), a.subList(0, 3).stream().map(PyLiteral.Node::value).toList());
        assertEquals(null, a.get(3).value());
        @SuppressWarnings("unchecked")
        List<PyLiteral.Node> b = (List<PyLiteral.Node>) m.get("b").value();
        assertEquals(List.of("x'y", "\\d"), b.stream().map(PyLiteral.Node::value).toList());
        assertEquals("p:2:7", m.get("c").where("p"));
        assertEquals("p:2:2", n.keyAt().get("c"));
        for (String[] bad : new String[][] {{"{'a': __import__('os')}", "p:1:7: Python literal: '__import__' is not a literal (only dicts, lists, tuples, strings, numbers, True, False, None)"},
                {"{'a': 1\n 'b': 2}", "p:2:2: Python literal: expected ',' or '}'"},
                {"{'a': 'x}", "p:1:10: Python literal: unterminated string"},
                {"{1: 2}", "p:1:2: Python literal: a key must be a string"},
                {"{'a': 1, 'a': 2}", "p:1:10: Python literal: duplicate key 'a'"},
                {"[" .repeat(100), "p:1:65: Python literal: nested deeper than 64"},
                {"{'a': 1} x", "p:1:10: Python literal: unexpected text after the literal"}}) {
            LoadException e = assertThrows(LoadException.class, () -> PyLiteral.parse(bad[0], "p"));
            assertEquals(bad[1], e.getMessage());
        }
        LoadException e = assertThrows(LoadException.class, () -> PyLiteral.parse("1" + "0".repeat(200), "p"));
        assertTrue(e.getMessage().contains("longer than 100"), e.getMessage());
    }

    // ---- (b) writers, read back as NNI reads them ----------------------------------------------------------

    /** One of NNI's mutables: a LayerChoice with its candidate names, or an InputChoice with choose_from and n_chosen. */
    record Mut(String key, boolean layer, List<String> names, Integer nChosen) {
    }

    // nni/nas/pytorch/search_space_zoo/darts_cell.py, Node.__init__ and DartsCell.__init__ (NNI v2.0, 649ee59):
    // for depth in 2..n+1, node "{normal|reduce}_n{depth}": LayerChoice key "{node}_p{i}" per previous node,
    // names maxpool..dilconv5x5; InputChoice choose_from those keys, n_chosen=2, key "{node}_switch".
    static List<Mut> nniDartsCell() {
        List<Mut> l = new ArrayList<>();
        List<String> names = List.of("maxpool", "avgpool", "skipconnect", "sepconv3x3", "sepconv5x5", "dilconv3x3", "dilconv5x5");
        for (String cell : List.of("normal", "reduce")) {
            for (int depth = 2; depth < 6; depth++) {
                List<String> keys = new ArrayList<>();
                for (int i = 0; i < depth; i++) {
                    keys.add(cell + "_n" + depth + "_p" + i);
                    l.add(new Mut(keys.get(i), true, names, null));
                }
                l.add(new Mut(cell + "_n" + depth + "_switch", false, keys, 2));
            }
        }
        return l;
    }

    // nni/nas/pytorch/nasbench201/nasbench201.py, NASBench201Cell.__init__: LayerChoice(OPS(j), key="%d_%d" % (j, i)).
    static List<Mut> nniNb201Cell() {
        List<Mut> l = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < i; j++) {
                l.add(new Mut(j + "_" + i, true, List.of("none", "avg_pool_3x3", "conv_3x3", "conv_1x1", "skip_connect"), null));
            }
        }
        return l;
    }

    // examples/nas/enas/micro.py, ENASLayer/Node/Cell: node_labels starts [NO_KEY, NO_KEY] (NO_KEY = ""); node i is
    // "{prefix}_node_{i}", its cells "_x" and "_y" each an InputChoice "{cell}_input" over the labels before it
    // (n_chosen=1) and a LayerChoice "{cell}_op" of a list of 5 modules, so its names are "0".."4".
    static List<Mut> nniEnasMicro() {
        List<Mut> l = new ArrayList<>();
        for (String prefix : List.of("normal", "reduce")) {
            List<String> labels = new ArrayList<>(List.of("", ""));
            for (int i = 0; i < 5; i++) {
                labels.add(prefix + "_node_" + i);
                List<String> prev = List.copyOf(labels.subList(0, labels.size() - 1));
                for (String xy : List.of("_x", "_y")) {
                    l.add(new Mut(labels.get(labels.size() - 1) + xy + "_input", false, prev, 1));
                    l.add(new Mut(labels.get(labels.size() - 1) + xy + "_op", true, List.of("0", "1", "2", "3", "4"), null));
                }
            }
        }
        return l;
    }

    // examples/nas/enas/macro.py, GeneralNetwork/ENASLayer: neither mutable has a key, so nni/nas/pytorch/mutables.py
    // Mutable.__init__ names it class name + global_mutable_counting() (from 1); the LayerChoice lists 6 modules
    // (names "0".."5"), the InputChoice (from layer 1 on) chooses from labels[:-1] = layer_0.., n_chosen=None.
    static List<Mut> nniEnasMacro() {
        List<Mut> l = new ArrayList<>();
        int counter = 0;
        List<String> labels = new ArrayList<>();
        for (int layer = 0; layer < 12; layer++) {
            labels.add("layer_" + layer);
            l.add(new Mut("LayerChoice" + ++counter, true, List.of("0", "1", "2", "3", "4", "5"), null));
            if (layer > 0) {
                l.add(new Mut("InputChoice" + ++counter, false, List.copyOf(labels.subList(0, labels.size() - 1)), null));
            }
        }
        return l;
    }

    /**
     * nni/nas/pytorch/fixed.py, FixedArchitecture.__init__ and _from_human_readable_architecture (NNI v2.0): every
     * mutable key present and no other; a value not a list becomes [value]; a bool list as long as the candidates
     * is a mask; else names are looked up with names.index / choose_from.index (a ValueError in NNI), ints kept.
     * Then what replace_layer_choice and the InputChoice need: one op per LayerChoice, n_chosen inputs.
     * (Also run for real: NNI v2.0's own apply_fixed_architecture, its source at 649ee59 under torch 1.13, loads the
     * DartsCell, NASBench201Cell, ENAS micro and ENAS macro dicts written here, and fixed-architecture.json.)
     */
    static Map<String, List<Boolean>> nni1Load(JsonNode arc, List<Mut> mutables) {
        Set<String> mutableKeys = new LinkedHashSet<>();
        mutables.forEach(m -> mutableKeys.add(m.key()));
        Set<String> arcKeys = new LinkedHashSet<>();
        arc.fieldNames().forEachRemaining(arcKeys::add);
        Set<String> unexpected = new LinkedHashSet<>(arcKeys);
        unexpected.removeAll(mutableKeys);
        assertTrue(unexpected.isEmpty(), "Unexpected keys found in fixed architecture: " + unexpected);
        Set<String> missing = new LinkedHashSet<>(mutableKeys);
        missing.removeAll(arcKeys);
        assertTrue(missing.isEmpty(), "Missing keys in fixed architecture: " + missing);
        Map<String, List<Boolean>> out = new LinkedHashMap<>();
        for (Mut m : mutables) {
            JsonNode v = arc.get(m.key());
            List<JsonNode> arr = new ArrayList<>();
            if (v.isArray()) {
                v.forEach(arr::add);
            } else {
                arr.add(v);
            }
            List<Boolean> mask = new ArrayList<>();
            if (arr.stream().allMatch(JsonNode::isBoolean) && arr.size() == m.names().size()) {
                arr.forEach(x -> mask.add(x.asBoolean()));
            } else {
                List<Integer> idx = new ArrayList<>();
                for (JsonNode x : arr) {
                    if (x.isTextual()) {
                        int i = m.names().indexOf(x.asText());
                        assertTrue(i >= 0, m.key() + ": ValueError: '" + x.asText() + "' is not in list " + m.names());
                        idx.add(i);
                    } else {
                        assertTrue(x.isInt(), m.key() + ": " + x);
                        idx.add(x.asInt());
                    }
                }
                for (int i = 0; i < m.names().size(); i++) {
                    mask.add(idx.contains(i));
                }
            }
            long on = mask.stream().filter(b -> b).count();
            if (m.layer()) {
                assertEquals(1, on, m.key() + ": replace_layer_choice needs exactly one candidate");
            } else if (m.nChosen() != null) {
                assertEquals((long) m.nChosen(), on, m.key() + ": n_chosen");
            }
            out.put(m.key(), mask);
        }
        return out;
    }

    static String chosenName(List<Boolean> mask, List<String> names) {
        return names.get(mask.indexOf(true));
    }

    @Test
    void dartsCellDictLoadsInNni1AndSaysTheGenotype() throws Exception {
        for (Genotype g : List.of(Genotype.DARTS_V1, Genotype.DARTS_V2)) {
            Architecture a = ArchFormats.fromGenotype(g, DARTS, "g");
            String text = ArchFormats.write(ArchFormat.NNI, DARTS, a); // the default dialect: DartsCell
            assertEquals(text, NniFormats.write(DARTS, a, 1));
            List<Mut> muts = nniDartsCell();
            Map<String, List<Boolean>> fixed = nni1Load(JSON.readTree(text), muts);
            // What NNI then runs: per node the switch's two inputs, each through its LayerChoice's op.
            Map<String, String> nniToDarts = Map.of("maxpool", "max_pool_3x3", "avgpool", "avg_pool_3x3", "skipconnect", "skip_connect",
                    "sepconv3x3", "sep_conv_3x3", "sepconv5x5", "sep_conv_5x5", "dilconv3x3", "dil_conv_3x3", "dilconv5x5", "dil_conv_5x5");
            for (String cell : List.of("normal", "reduce")) {
                List<String> got = new ArrayList<>();
                List<String> want = new ArrayList<>();
                for (int node = 2; node < 6; node++) {
                    List<Boolean> sw = fixed.get(cell + "_n" + node + "_switch");
                    for (int j = 0; j < node; j++) {
                        if (sw.get(j)) {
                            got.add(nniToDarts.get(chosenName(fixed.get(cell + "_n" + node + "_p" + j), muts.get(0).names())) + "~" + j);
                        }
                    }
                    List<Genotype.Op> ops = (cell.equals("normal") ? g.normal() : g.reduce()).subList(2 * node - 4, 2 * node - 2);
                    ops.stream().sorted((x, y) -> Integer.compare(x.input(), y.input())).forEach(o -> want.add(o.name() + "~" + o.input()));
                }
                assertEquals(want, got, cell);
            }
            assertEquals(a, ArchFormats.read(ArchFormat.NNI, text, "x.json", DARTS));
        }
    }

    @Test
    void aNoneOnAKeptEdgeIsAnErrorNamingTheKeyInEveryDartsDialect() throws Exception {
        Map<String, Decision> c = new LinkedHashMap<>(ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "g").choices());
        c.put("normal_n3_p1", new Decision.Op("none"));
        Architecture a = new Architecture(c);
        for (int v : List.of(0, 1, 2, 3)) {
            LoadException e = assertThrows(LoadException.class, () -> NniFormats.write(DARTS, a, v));
            assertTrue(e.getMessage().startsWith("key 'normal_n3_p1': NNI's "), e.getMessage());
            assertTrue(e.getMessage().contains("has no 'none'"), e.getMessage());
        }
        // On an edge the switch drops, a none is never run: NNI still wants the key, any of its names does.
        c.put("normal_n3_p1", new Decision.Op("sep_conv_3x3"));
        c.put("normal_n3_p2", new Decision.Op("none"));
        nni1Load(JSON.readTree(NniFormats.write(DARTS, new Architecture(c), 1)), nniDartsCell());
    }

    /**
     * NNI 3.0 (and 2.8-2.10) DARTS hub: nni/nas/nn/pytorch/cell.py Cell._create_modules makes, for node i from
     * num_predecessors=2 and k in 0..num_ops_per_node-1=1, InputChoice(i, 1, label=f'input_{i}_{k}') and
     * LayerChoice(ops, label=f'op_{i}_{k}') inside the label scope 'normal' / 'reduce' (nasnet.py CellBuilder);
     * DARTS.DARTS_OPS are the op names; DARTS() (width=(16, 24, 32), num_cells=(4, 8, 12, 16, 20)) adds
     * nni.choice('width') and nni.choice('depth'). nni/mutable/mutable.py: Categorical.check_contains (missing
     * label, value in values), CategoricalMultiple._parse_simple_format (a list, no duplicates, length n_chosen,
     * each in range(i)). NNI 2.8-2.10's load_searched_model gives inputs as a bare int.
     */
    static Map<String, Object> nniHubLoad(JsonNode arc, int version) {
        List<String> ops = List.of("max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5");
        Map<String, Object> sample = new LinkedHashMap<>();
        assertTrue(List.of(16, 24, 32).contains(arc.path("width").asInt()), "width");
        assertTrue(List.of(4, 8, 12, 16, 20).contains(arc.path("depth").asInt()), "depth");
        for (String cell : List.of("normal", "reduce")) {
            for (int i = 2; i < 6; i++) {
                for (int k = 0; k < 2; k++) {
                    String op = cell + "/op_" + i + "_" + k;
                    String in = cell + "/input_" + i + "_" + k;
                    assertTrue(arc.has(op) && arc.has(in), "SampleMissingError " + op + " / " + in);
                    assertTrue(ops.contains(arc.get(op).asText()), arc.get(op) + " not found in " + ops);
                    JsonNode v = arc.get(in);
                    int j;
                    if (version == 3) {
                        assertTrue(v.isArray() && v.size() == 1, in + ": must have length 1");
                        j = v.get(0).asInt();
                    } else {
                        assertTrue(v.isInt(), in + ": an int in NNI 2.x");
                        j = v.asInt();
                    }
                    assertTrue(j >= 0 && j < i, in + ": must be contained in range(" + i + ")");
                    sample.put(op, arc.get(op).asText());
                    sample.put(in, j);
                }
            }
        }
        return sample;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void hubDartsDictLoadsInNniAndSaysTheGenotype(int version) throws Exception {
        Architecture a = ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "g");
        String text = NniFormats.write(DARTS, a, version);
        Map<String, Object> s = nniHubLoad(JSON.readTree(text), version);
        List<String> normal = new ArrayList<>();
        for (int i = 2; i < 6; i++) {
            for (int k = 0; k < 2; k++) {
                normal.add(s.get("normal/op_" + i + "_" + k) + "~" + s.get("normal/input_" + i + "_" + k));
            }
        }
        assertEquals(cell(Genotype.DARTS_V2.normal()), String.join(" ", normal));
        assertEquals(a, ArchFormats.read(ArchFormat.NNI, text, "x.json", DARTS));
    }

    @Test
    void theHubArchitecturesCountAsNnisOwnDartsNetwork() throws Exception {
        // Run with NNI's own source (v3.0's nni/nas/hub/pytorch/nasnet.py, and v2.10's with fixed_arch) under torch
        // 1.13: DARTS.frozen_factory(arch)(dataset='cifar') of the dict written here (width 16, depth 8) has 246,106
        // parameters (sum of p.numel()), and load_searched_model's darts-v2 arch at width=36, num_cells=20 has 3,349,342.
        Architecture a = ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "g");
        JsonNode v3 = JSON.readTree(NniFormats.write(DARTS, a, 3));
        Genotype g = ArchFormats.toGenotype(DARTS, ArchFormats.read(ArchFormat.NNI, v3.toString(), "x", DARTS));
        assertEquals(246_106, io.cellforge.analysis.Evaluator.evaluate(
                Zoo.dartsEval(g, v3.get("width").asInt(), v3.get("depth").asInt(), 10, false, false), Architecture.empty()).params());
        Genotype hub = ArchFormats.toGenotype(DARTS, readPeer("nni3_hub_darts_v2_arch.txt", DARTS, new ArrayList<>()));
        assertEquals(3_349_342, io.cellforge.analysis.Evaluator.evaluate(Zoo.dartsEval(hub, 36, 20, 10, false, false),
                Architecture.empty()).params());
    }

    @Test
    void nb201DictsLoadInNniOfEachVersion() throws Exception {
        Architecture a = ArchFormats.read(ArchFormat.NB201,
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|", "s", NB201);
        String v1 = ArchFormats.write(ArchFormat.NNI, NB201, a);
        Map<String, List<Boolean>> fixed = nni1Load(JSON.readTree(v1), nniNb201Cell());
        List<String> names = nniNb201Cell().get(0).names();
        // The string by hand: edge j->i of node i.
        assertEquals(List.of("conv_3x3", "conv_3x3", "avg_pool_3x3", "skip_connect", "conv_1x1", "none"),
                List.of("0_1", "0_2", "1_2", "0_3", "1_3", "2_3").stream().map(k -> chosenName(fixed.get(k), names)).toList());
        assertEquals(a, ArchFormats.read(ArchFormat.NNI, v1, "x.json", NB201));
        for (int v : List.of(2, 3)) {
            // nni/nas/hub/pytorch/modules/nasbench201.py: LayerChoice(op_choices, label=f'{j}_{tid}') in label scope
            // 'cell' (nasbench201.py NasBench201), names from PRIMITIVES.
            JsonNode hub = JSON.readTree(NniFormats.write(NB201, a, v));
            List<String> keys = new ArrayList<>();
            hub.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("cell/0_1", "cell/0_2", "cell/1_2", "cell/0_3", "cell/1_3", "cell/2_3"), keys);
            for (String k : keys) {
                assertTrue(List.of("none", "skip_connect", "conv_1x1", "conv_3x3", "avg_pool_3x3").contains(hub.get(k).asText()), k);
            }
            assertEquals("conv_1x1", hub.get("cell/1_3").asText());
            assertEquals(a, ArchFormats.read(ArchFormat.NNI, hub.toString(), "x.json", NB201));
        }
    }

    /** A random whole architecture of a space, by its own candidates (the test does not care which). */
    static Architecture random(SearchSpace s, long seed) throws Exception {
        Random r = new Random(seed);
        Map<String, Object> raw = new LinkedHashMap<>();
        for (var m : s.mutablesByKey().values()) {
            if (m instanceof io.cellforge.space.LayerChoice lc) {
                raw.put(m.key(), lc.labels().get(r.nextInt(lc.labels().size())));
            } else if (m instanceof io.cellforge.space.InputChoice ic) {
                int n = ArchFormats.inputLabels(s, ic).size();
                if (ic.nChosen() == 1) {
                    raw.put(m.key(), List.of(r.nextInt(n)));
                } else {
                    List<Object> pick = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        if (r.nextBoolean()) {
                            pick.add(i);
                        }
                    }
                    raw.put(m.key(), pick);
                }
            }
        }
        return ArchFormats.bind(s, raw, Map.of(), "r");
    }

    @Test
    void enasMicroDictLoadsInNni1WithItsOwnKeys() throws Exception {
        // examples/nas/enas/micro.py Cell: SepConvBN 3, SepConvBN 5, Pool avg, Pool max, Identity, in that order.
        List<String> order = List.of("sep_conv_bn_3x3", "sep_conv_bn_5x5", "avg_pool_bn_3x3", "max_pool_bn_3x3", "skip_connect");
        for (long seed = 1; seed <= 3; seed++) {
            Architecture a = random(MICRO, seed);
            String text = ArchFormats.write(ArchFormat.NNI, MICRO, a);
            Map<String, List<Boolean>> fixed = nni1Load(JSON.readTree(text), nniEnasMicro());
            for (String cell : List.of("normal", "reduce")) {
                for (int i = 0; i < 5; i++) {
                    for (String xy : List.of("x", "y")) {
                        String ours = cell + "_n" + (i + 2) + "_" + xy;
                        String nni = cell + "_node_" + i + "_" + xy;
                        assertEquals(a.get(ours + "_op").orElseThrow(), new Decision.Op(order.get(fixed.get(nni + "_op").indexOf(true))));
                        // Candidate j of node i: the cell's two inputs, then nodes 0..i-1 (ours in0, in1, n2, ...).
                        assertEquals(a.get(ours + "_input").orElseThrow(), new Decision.Inputs(List.of(fixed.get(nni + "_input").indexOf(true))));
                    }
                }
            }
            assertEquals(a, ArchFormats.read(ArchFormat.NNI, text, "x.json", MICRO));
            assertEquals("enas-micro", NniFormats.zooSpaceOf(text, "x").orElseThrow());
        }
    }

    @Test
    void enasMacroDictLoadsInNni1WithItsAutomaticKeys() throws Exception {
        // examples/nas/enas/macro.py ENASLayer: conv 3, sep conv 3, conv 5, sep conv 5, avg pool, max pool.
        List<String> order = List.of("enas_conv_3x3", "enas_sep_conv_3x3", "enas_conv_5x5", "enas_sep_conv_5x5",
                "enas_avg_pool_3x3", "enas_max_pool_3x3");
        for (long seed = 1; seed <= 3; seed++) {
            Architecture a = random(MACRO, seed);
            String text = ArchFormats.write(ArchFormat.NNI, MACRO, a);
            Map<String, List<Boolean>> fixed = nni1Load(JSON.readTree(text), nniEnasMacro());
            assertEquals(23, fixed.size()); // 12 LayerChoices and 11 InputChoices
            for (int layer = 0; layer < 12; layer++) {
                String lc = "LayerChoice" + (layer == 0 ? 1 : 2 * layer);
                assertEquals(a.get("layer_" + layer).orElseThrow(), new Decision.Op(order.get(fixed.get(lc).indexOf(true))));
                if (layer > 0) {
                    List<Integer> on = new ArrayList<>();
                    List<Boolean> mask = fixed.get("InputChoice" + (2 * layer + 1));
                    for (int i = 0; i < mask.size(); i++) {
                        if (mask.get(i)) {
                            on.add(i);
                        }
                    }
                    assertEquals(a.get("layer_" + layer + "_skip").orElseThrow(), new Decision.Inputs(on));
                }
            }
            assertEquals(a, ArchFormats.read(ArchFormat.NNI, text, "x.json", MACRO));
            assertEquals("enas-macro", NniFormats.zooSpaceOf(text, "x").orElseThrow());
        }
    }

    @Test
    void enasHasNoHubModelSoLaterVersionsAreRefused() throws Exception {
        Architecture a = random(MICRO, 1);
        LoadException e = assertThrows(LoadException.class, () -> NniFormats.write(MICRO, a, 3));
        assertTrue(e.getMessage().contains("write it with NNI version 1"), e.getMessage());
    }

    @Test
    void aSpaceWithNoNniModelKeepsItsOwnKeys() throws Exception {
        SearchSpace mb = Zoo.get("mobilenetv2-cifar").orElseThrow();
        Architecture a = random(mb, 7);
        JsonNode o = JSON.readTree(ArchFormats.write(ArchFormat.NNI, mb, a));
        Iterator<String> keys = o.fieldNames();
        assertEquals(mb.mutablesByKey().keySet().iterator().next(), keys.next());
        assertEquals(a, ArchFormats.read(ArchFormat.NNI, o.toString(), "x.json", mb));
    }

    @Test
    void nni1IndicesAndOneHotsAreNnisOwnCandidateOrder() throws Exception {
        // fixed.py: an int is an index into the LayerChoice's names; DartsCell's index 4 is sepconv5x5.
        String json = "{\"normal_n2_p0\": [false, false, false, true, false, false, false], \"normal_n2_p1\": 4,"
                + " \"normal_n2_switch\": [0, 1], \"normal_n3_switch\": [true, false, true], \"normal_n3_p0\": \"dilconv3x3\","
                + " \"normal_n3_p2\": [\"maxpool\"], \"normal_n3_p1\": \"none\"}";
        Architecture a = NniFormats.read(json, "nni.json", DARTS, new ArrayList<>());
        assertEquals(new Decision.Op("sep_conv_3x3"), a.get("normal_n2_p0").orElseThrow());
        assertEquals(new Decision.Op("sep_conv_5x5"), a.get("normal_n2_p1").orElseThrow());
        assertEquals(new Decision.Op("dil_conv_3x3"), a.get("normal_n3_p0").orElseThrow());
        assertEquals(new Decision.Op("max_pool_3x3"), a.get("normal_n3_p2").orElseThrow());
        assertEquals(new Decision.Inputs(List.of(0, 2)), a.get("normal_n3_switch").orElseThrow());
        assertTrue(a.get("normal_n3_p1").isEmpty(), "the op of an edge the switch drops decides nothing");
        // A float multi-hot (fixed.py: all floats and as long as the candidates) is a mask too.
        Architecture f = NniFormats.read("{\"0_1\": [0.0, 0.0, 1.0, 0.0, 0.0], \"0_2\": 3, \"1_2\": \"none\", \"0_3\": [\"skip_connect\"],"
                + " \"1_3\": 1, \"2_3\": [false, false, false, false, true]}", "f.json", NB201, new ArrayList<>());
        assertEquals("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|avg_pool_3x3~1|skip_connect~2|\n",
                ArchFormats.write(ArchFormat.NB201, NB201, f));
    }
}

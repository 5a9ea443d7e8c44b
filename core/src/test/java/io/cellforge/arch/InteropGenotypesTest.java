package io.cellforge.arch;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.LoadException;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.DartsCells;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every genotype-like file the peers wrote (../shared/interop, not part of the project) is read as the peer's own code
 * reads it, and its DARTS CIFAR evaluation network (C=36, 20 cells, 10 classes) counted as the peer builds it. The
 * expected cells come from a reader written here the way the peers read the files (Python's eval, then the peer's
 * grouping of edges into nodes), the expected figures from {@link PeerCount}, which follows the peers' operations.py
 * and model.py, not Cellforge's catalog.
 */
class InteropGenotypesTest {
    static final Path DIR = Path.of("../../shared/interop");
    static final SearchSpace DARTS_SEARCH = Zoo.get("darts-search").orElseThrow();

    /** Files Cellforge refuses, each with what its one line must say. */
    static final Map<String, String> REFUSED = Map.of("darts/rnn_DARTS_V2.genotype", "recurrent-cell genotype");

    /** Every file that holds a genotype or an Archai model description, found by walking the folders. */
    static List<Path> genotypeFiles() throws IOException {
        assumeTrue(Files.isDirectory(DIR), "../shared/interop is not beside this clone");
        try (Stream<Path> s = Files.walk(DIR)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                try {
                    String t = Files.readString(p).stripLeading();
                    return p.toString().endsWith(".genotype") || t.startsWith("Genotype") || t.startsWith("!!python/object:archai");
                } catch (IOException e) {
                    return false; // not text: no genotype
                }
            }).sorted().toList();
        }
    }

    static String rel(Path p) {
        return DIR.relativize(p).toString().replace('\\', '/');
    }

    @Test
    void everyGenotypeFileIsReadAsItsPeerReadsItAndCountedAsItsPeerBuildsIt() throws Exception {
        List<Path> files = genotypeFiles();
        assertTrue(files.size() >= 59, "found only " + files.size() + " genotype files");
        Set<String> refusedSeen = new HashSet<>();
        int fitting = 0;
        for (Path p : files) {
            String name = rel(p);
            String text = Files.readString(p);
            if (REFUSED.containsKey(name)) {
                LoadException e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(text, name), name);
                assertTrue(e.getMessage().matches("\\Q" + name + "\\E:\\d+:\\d+: [^\\n]*" + "\\Q" + REFUSED.get(name) + "\\E[^\\n]*"),
                        e.getMessage());
                refusedSeen.add(name);
                continue;
            }
            PeerCell[] expected = name.startsWith("archai/") ? archaiCells() : PeerReader.read(text, name.contains("edge_all"));
            Genotype g = ArchFormats.parseGenotype(text, name);
            assertEquals(expected[0].nodes(), nodes(g.normal(), g.normalInputs()), name + " normal");
            assertEquals(expected[0].concat(), g.normalConcat(), name + " normal_concat");
            if (expected[1] == null) {
                assertEquals(null, g.reduce(), name);
            } else {
                assertEquals(expected[1].nodes(), nodes(g.reduce(), g.reduceInputs()), name + " reduce");
                assertEquals(expected[1].concat(), g.reduceConcat(), name + " reduce_concat");
            }
            assertEquals(g, Genotype.parse(g.toString()), name + ": the text Cellforge writes reads back the same");

            // SNAS-Series' own operations.py puts a BN after each pool; every other peer here has DARTS's.
            boolean snas = name.startsWith("snas/");
            boolean archai = name.startsWith("archai/");
            long[] want = PeerCount.network(expected[0], expected[1], snas, archai);
            NetworkStats st = Evaluator.evaluate(archai ? Zoo.archaiEval(g, 36, 20, 10, true)
                    : Zoo.dartsEval(g, 36, 20, 10, false, true, DartsCells.OP_TABLES.get(snas ? "snas" : "darts")), Architecture.empty());
            assertTrue(st.problems().isEmpty(), name + ": " + st.problems());
            assertArrayEquals(want, new long[] {st.params(), st.macs(), st.auxParams()}, name + ": params, macs, aux params");

            if (fitsDartsSearch(expected)) {
                fitting++;
                Architecture a = ArchFormats.fromGenotype(g, DARTS_SEARCH, name);
                String back = ArchFormats.write(ArchFormat.GENOTYPE, DARTS_SEARCH, a);
                Genotype again = Genotype.parse(back);
                assertEquals(asSets(expected[0].nodes()), asSets(nodes(again.normal(), again.normalInputs())), name);
                assertEquals(asSets(expected[1].nodes()), asSets(nodes(again.reduce(), again.reduceInputs())), name);
                boolean none = a.choices().values().stream().anyMatch(d -> d.equals(new io.cellforge.arch.Decision.Op("none")));
                if (none) {
                    // R-DARTS s3 keeps 'none' on edges; NNI's DartsCell has no such op: an error naming the key.
                    LoadException e = assertThrows(LoadException.class, () -> ArchFormats.write(ArchFormat.NNI, DARTS_SEARCH, a), name);
                    assertTrue(e.getMessage().contains("has no 'none'"), e.getMessage());
                } else {
                    String nni = ArchFormats.write(ArchFormat.NNI, DARTS_SEARCH, a);
                    assertEquals(a, ArchFormats.read(ArchFormat.NNI, nni, "back.json", DARTS_SEARCH), name);
                }
            } else {
                LoadException e = assertThrows(LoadException.class, () -> ArchFormats.fromGenotype(g, DARTS_SEARCH, name), name);
                assertTrue(e.getMessage().startsWith(name + ": ") && !e.getMessage().contains("\n"), e.getMessage());
            }
        }
        assertEquals(REFUSED.keySet(), refusedSeen);
        assertTrue(fitting >= 30, "only " + fitting + " files fit the darts-search space");
    }

    /**
     * The independent counter, checked against the peers' real code: PyTorch 1.13 on this machine, parameters without
     * the auxiliary head (as DARTS utils.count_parameters_in_MB leaves it out), conv and linear multiply-adds of one
     * 3x32x32 image in eval mode. quark0/darts cnn/model.py NetworkCIFAR(36, 10, 20, True, DARTS_V2 / AmoebaNet);
     * GDAS lib/nas/CifarNet.py NetworkCIFAR(36, 10, 20, True, GDAS_F1) (reduce=None: Transition);
     * AutoDL-Projects xautodl/nas_infer_model/DXYs/CifarNet.py NetworkCIFAR(36, 6, 3, True, SETN / NASNet, 10);
     * SNAS-Series SNAS/model_edge_all.py NetworkCIFAR(36, 10, 20, True, SNAS_mild_edge_all); RobustDARTS
     * src/evaluation/model.py Network(36, 10, 20, True, the s4 cifar10 genotype, with noise ops).
     */
    @Test
    void theIndependentCounterGivesWhatThePeersOwnCodeCounted() throws Exception {
        assumeTrue(Files.isDirectory(DIR));
        assertArrayEquals(new long[] {3_349_342, 528_359_040, 476_426}, count("darts/darts_DARTS_V2.genotype", false));
        assertArrayEquals(new long[] {3_145_078, 488_931_552, 457_994}, count("darts/darts_AmoebaNet.genotype", false));
        assertArrayEquals(new long[] {2_543_014, 402_781_824, 476_426}, count("autodl/gdas_GDAS_F1.genotype", false));
        assertArrayEquals(new long[] {4_619_206, 722_392_704, 476_426}, count("autodl/dxys_SETN.genotype", false));
        assertArrayEquals(new long[] {3_830_950, 603_452_448, 457_994}, count("autodl/dxys_NASNet.genotype", false));
        assertArrayEquals(new long[] {2_663_542, 422_218_368, 476_426}, count("snas/snas_SNAS_mild_edge_all.genotype", true));
        assertArrayEquals(new long[] {3_092_518, 475_274_880, 476_426},
                count("rdarts/rdarts_rnas_s4_cifar10_0.2_0.0003_arch_4.genotype", false));
    }

    private static long[] count(String file, boolean snas) throws IOException {
        PeerCell[] c = PeerReader.read(Files.readString(DIR.resolve(file)), file.contains("edge_all"));
        return PeerCount.network(c[0], c[1], snas, false);
    }

    @Test
    void snasEdgeAllIsReadWithTwoToFiveEdgesANodeAndTheOtherDialectsWithTheirShapes() throws Exception {
        assumeTrue(Files.isDirectory(DIR));
        Genotype g = ArchFormats.parseGenotype(Files.readString(DIR.resolve("snas/snas_SNAS_mild_edge_all.genotype")), "x");
        assertEquals(List.of(2, 3, 4, 5), g.normalInputs());
        assertEquals(List.of(2, 3, 4, 5), g.reduceInputs());
        Genotype f1 = ArchFormats.parseGenotype(Files.readString(DIR.resolve("autodl/gdas_GDAS_F1.genotype")), "x");
        assertEquals(null, f1.reduce());
        assertTrue(f1.toString().contains("reduce=None"), f1.toString());
        Genotype nas = ArchFormats.parseGenotype(Files.readString(DIR.resolve("autodl/dxys_NASNet.genotype")), "x");
        assertEquals(List.of(2, 2, 2, 2, 2), nas.normalInputs());
        assertEquals(List.of(4, 5, 6), nas.reduceConcat());
    }

    /**
     * Archai's Model (archai/supergraph/nas/model.py) runs model_stems[0] and [1], each StemConv3x3 (conv 3->3C, BN),
     * both on the image: one stem more than DARTS's NetworkCIFAR of the same cells, which is DARTS_V1's here.
     */
    @Test
    void archaiBuildsItsTwoStemsEachFromTheImage() throws Exception {
        assumeTrue(Files.isDirectory(DIR));
        Genotype g = ArchFormats.parseGenotype(Files.readString(DIR.resolve("archai/darts_genotype.yaml")), "a.yaml");
        NetworkStats archai = Evaluator.evaluate(Zoo.archaiEval(g, 36, 20, 10, false), Architecture.empty());
        NetworkStats darts = Evaluator.evaluate(Zoo.dartsEval(Genotype.DARTS_V1, 36, 20, 10, false, false), Architecture.empty());
        assertEquals(3_169_414 + 3 * 108 * 9 + 2 * 108, archai.params());
        assertEquals(darts.params() + 3_132, archai.params());
        assertEquals(darts.macs() + 32L * 32 * 108 * 27, archai.macs());
    }

    @Test
    void aGenotypeErrorStillNamesLineAndColumnInEveryDialect() {
        String autodl = "Genotype(\n  normal=[\n    (('sep_conv_3x3', 0), ('sep_conv_3x3', 2)), # step 1\n  ],\n"
                + "  normal_concat=[2], reduce=None, reduce_concat=[2], connectN=None, connects=None)";
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(autodl, "g.txt"));
        assertTrue(e.getMessage().startsWith("g.txt:3:27: normal edge 1"), e.getMessage());
        String gdas = "Genotype(normal=[('skip_connect', 0, 0.1), ('x', 1, 0.2)], normal_concat=[2], reduce=None, reduce_concat=[2])";
        e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(gdas, "g.txt"));
        assertTrue(e.getMessage().startsWith("g.txt:1:45: unknown op 'x'"), e.getMessage());
        String mixed = "Genotype(normal=[('a', 0), [('b', 1)]], normal_concat=[2], reduce=None, reduce_concat=[2])";
        e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(mixed, "g.txt"));
        assertTrue(e.getMessage().startsWith("g.txt:1:28: normal mixes"), e.getMessage());
        e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(autodl.replace("connects=None", "connects=[1]"), "g.txt"));
        assertTrue(e.getMessage().startsWith("g.txt:5:78: connects is read only as None"), e.getMessage());
    }

    // ---- NAS-Bench-201 strings -------------------------------------------------------------------------------

    /**
     * Every NAS-Bench-201 string found in the peers' repositories reads into the nas-bench-201 space, writes back byte
     * for byte and has the parameter count and multiply-adds of AutoDL-Projects' TinyNetwork(C=16, N=5, CIFAR-10),
     * computed here from cell_operations.py and tiny_network.py (checked against TinyNetwork itself, PyTorch 1.13:
     * all skip_connect 73,306 params and 7,783,040 multiply-adds; the NB201 best cell
     * |nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2| 1,073,466 and 153,272,960).
     */
    @Test
    void everyNasBench201StringReadsWritesBackAndHasTheTinyNetworkCount() throws Exception {
        Path tsv = DIR.resolve("nb201/strings.tsv");
        assumeTrue(Files.isRegularFile(tsv));
        assertArrayEquals(new long[] {73_306, 7_783_040}, nb201Count("|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"));
        assertArrayEquals(new long[] {1_073_466, 153_272_960}, nb201Count("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|"));
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        List<String> lines = Files.readAllLines(tsv);
        assertEquals("string", lines.get(0).split("\t")[0]);
        int n = 0;
        for (String line : lines.subList(1, lines.size())) {
            String s = line.split("\t")[0];
            Architecture a = ArchFormats.read(ArchFormat.NB201, s, "strings.tsv", nb);
            assertEquals(s + "\n", ArchFormats.write(ArchFormat.NB201, nb, a), s);
            NetworkStats st = Evaluator.evaluate(nb, a);
            assertArrayEquals(nb201Count(s), new long[] {st.params(), st.macs()}, s);
            n++;
        }
        assertEquals(25, n);
    }

    /** TinyNetwork(16, 5): stem, 3 stages of 5 InferCells (32, 16, 8 pixels), ResNetBasicblock between, lastact BN, linear. */
    static long[] nb201Count(String arch) {
        long p = 3 * 16 * 9 + 2 * 16;
        long m = 32L * 32 * 16 * 27;
        int[] ch = {16, 32, 64};
        int[] px = {32, 16, 8};
        for (int stage = 0; stage < 3; stage++) {
            int c = ch[stage];
            long hw = (long) px[stage] * px[stage];
            if (stage > 0) {
                int in = ch[stage - 1];
                // conv_a ReLUConvBN 3x3 stride 2, conv_b ReLUConvBN 3x3, downsample AvgPool2d(2) + conv 1x1 (no BN)
                p += 9L * in * c + 2 * c + 9L * c * c + 2 * c + (long) in * c;
                m += hw * (9L * c * in + 9L * c * c + (long) c * in);
            }
            for (String group : arch.substring(1, arch.length() - 1).split("\\|\\+\\|")) {
                for (String edge : group.split("\\|")) {
                    String op = edge.substring(0, edge.indexOf('~'));
                    if (op.equals("nor_conv_3x3")) {
                        p += 5L * (9L * c * c + 2 * c);
                        m += 5L * hw * 9 * c * c;
                    } else if (op.equals("nor_conv_1x1")) {
                        p += 5L * ((long) c * c + 2 * c);
                        m += 5L * hw * c * c;
                    }
                }
            }
        }
        p += 2 * 64 + 64 * 10 + 10;
        m += 64 * 10;
        return new long[] {p, m};
    }

    // ---- reading as the peers do ------------------------------------------------------------------------------

    record PeerEdge(String op, int input) {
    }

    /** One cell as the peer's model builds it: the edges each node sums, and the nodes concatenated. */
    record PeerCell(List<List<PeerEdge>> nodes, List<Integer> concat) {
    }

    static List<List<PeerEdge>> nodes(List<Genotype.Op> ops, List<Integer> inputs) {
        return Genotype.nodes(ops, inputs).stream().map(n -> n.stream().map(o -> new PeerEdge(o.name(), o.input())).toList()).toList();
    }

    static List<Set<PeerEdge>> asSets(List<List<PeerEdge>> nodes) {
        return nodes.stream().map(n -> (Set<PeerEdge>) new HashSet<>(n)).toList();
    }

    static final Set<String> DARTS_PRIMITIVES = Set.of("none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
            "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5");

    /** The darts-search space: 4 nodes of two edges over DARTS's 8 primitives, concatenating nodes 2..5. */
    static boolean fitsDartsSearch(PeerCell[] c) {
        for (PeerCell cell : c) {
            if (cell == null || cell.nodes().size() != 4 || !cell.concat().equals(List.of(2, 3, 4, 5))
                    || !cell.nodes().stream().allMatch(n -> n.size() == 2 && n.stream().allMatch(e -> DARTS_PRIMITIVES.contains(e.op())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Archai's evaluation builds every cell from the first regular and the first reduction cell of the description
     * (model_desc_builder.py create_cell_templates): cells 0 and 2 of darts_genotype.yaml, whose edges are written
     * out here from the file (input_ids, op_desc.name), node by node.
     */
    static PeerCell[] archaiCells() {
        PeerEdge sep = new PeerEdge("sep_conv_3x3", 0);
        PeerEdge sep1 = new PeerEdge("sep_conv_3x3", 1);
        PeerEdge skip0 = new PeerEdge("skip_connect", 0);
        PeerEdge skip2 = new PeerEdge("skip_connect", 2);
        PeerEdge max0 = new PeerEdge("max_pool_3x3", 0);
        List<Integer> all = List.of(2, 3, 4, 5);
        return new PeerCell[] {
            new PeerCell(List.of(List.of(sep1, sep), List.of(skip0, sep1), List.of(skip0, sep1), List.of(sep, skip2)), all),
            new PeerCell(List.of(List.of(max0, new PeerEdge("max_pool_3x3", 1)), List.of(skip2, max0), List.of(max0, skip2),
                    List.of(skip2, new PeerEdge("avg_pool_3x3", 0))), all)};
    }

    /**
     * Python's literal syntax as {@code eval} reads a genotypes.py entry (calls with keywords, tuples, lists, strings,
     * numbers, None, range), then the peer's grouping: DARTS model.py, GDAS and RobustDARTS take a flat list two edges
     * a node ({@code zip(*genotype.normal)}, the GDAS weight unused); SNAS model_edge_all.py takes 2, 3, 4, ... in
     * turn; AutoDL's InferCell and pt.darts/CDARTS's to_dag take one entry a node.
     */
    static final class PeerReader {
        private final String s;
        private int i;

        private PeerReader(String s) {
            this.s = s;
        }

        static PeerCell[] read(String text, boolean edgeAll) {
            @SuppressWarnings("unchecked")
            Map<String, Object> g = (Map<String, Object>) new PeerReader(text).value();
            return new PeerCell[] {cell(g.get("normal"), g.get("normal_concat"), edgeAll),
                g.get("reduce") == null ? null : cell(g.get("reduce"), g.get("reduce_concat"), edgeAll)};
        }

        @SuppressWarnings("unchecked")
        private static PeerCell cell(Object v, Object concat, boolean edgeAll) {
            List<Object> items = (List<Object>) v;
            List<List<PeerEdge>> nodes = new ArrayList<>();
            boolean flat = ((List<Object>) items.get(0)).get(0) instanceof String;
            if (!flat) {
                for (Object node : items) {
                    nodes.add(((List<Object>) node).stream().map(PeerReader::edge).toList());
                }
            } else {
                List<PeerEdge> edges = items.stream().map(PeerReader::edge).toList();
                int steps = edgeAll ? (int) ((-3 + Math.sqrt(9 + 8 * edges.size())) / 2) : edges.size() / 2;
                int at = 0;
                for (int k = 0; k < steps; k++) {
                    int n = edgeAll ? k + 2 : 2;
                    nodes.add(edges.subList(at, at + n));
                    at += n;
                }
            }
            return new PeerCell(nodes, ((List<Object>) concat).stream().map(x -> ((Number) x).intValue()).toList());
        }

        @SuppressWarnings("unchecked")
        private static PeerEdge edge(Object o) {
            List<Object> t = (List<Object>) o;
            return new PeerEdge((String) t.get(0), ((Number) t.get(1)).intValue());
        }

        private Object value() {
            ws();
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                char close = c == '(' ? ')' : ']';
                i++;
                List<Object> l = new ArrayList<>();
                while (true) {
                    ws();
                    if (s.charAt(i) == close) {
                        i++;
                        return l;
                    }
                    l.add(value());
                    ws();
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                }
            }
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                String str = s.substring(i + 1, end);
                i = end + 1;
                return str;
            }
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "_.-".indexOf(s.charAt(i)) >= 0)) {
                i++;
            }
            String word = s.substring(start, i);
            if (Character.isDigit(word.charAt(0)) || word.charAt(0) == '-') {
                return word.contains(".") ? (Object) Double.parseDouble(word) : (Object) Integer.parseInt(word);
            }
            if (word.equals("None")) {
                return null;
            }
            ws();
            i++; // '(' of a call: Genotype(...) or range(a, b)
            if (word.equals("range")) {
                int a = ((Number) value()).intValue();
                ws();
                i++;
                int b = ((Number) value()).intValue();
                ws();
                i++;
                List<Object> r = new ArrayList<>();
                for (int k = a; k < b; k++) {
                    r.add(k);
                }
                return r;
            }
            Map<String, Object> kw = new LinkedHashMap<>();
            while (true) {
                ws();
                if (s.charAt(i) == ')') {
                    i++;
                    return kw;
                }
                int k = i;
                while (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_') {
                    i++;
                }
                String key = s.substring(k, i);
                ws();
                i++; // '='
                kw.put(key, value());
                ws();
                if (s.charAt(i) == ',') {
                    i++;
                }
            }
        }

        private void ws() {
            while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == '#')) {
                if (s.charAt(i) == '#') {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else {
                    i++;
                }
            }
        }
    }

    /**
     * The DARTS CIFAR evaluation network (quark0/darts cnn/model.py NetworkCIFAR with C=36, 20 cells, 10 classes,
     * auxiliary head after cell 13), counted from the peers' definitions: {params without the auxiliary head,
     * conv and linear multiply-adds of one 32x32 image, auxiliary head params}.
     */
    static final class PeerCount {
        static final int C = 36;
        static final int LAYERS = 20;
        static final int CLASSES = 10;

        static long[] network(PeerCell normal, PeerCell reduce, boolean snasPools, boolean archaiStems) {
            int stem = 3 * C;
            int stems = archaiStems ? 2 : 1; // Archai: model_stems, two StemConv3x3 on the image
            long p = stems * (3L * stem * 9 + 2L * stem); // Conv2d(3, 3C, 3, padding=1) + BN
            long m = stems * 32L * 32 * stem * 27;
            long aux = 0;
            int cpp = stem;
            int cp = stem;
            int cur = C;
            int h0 = 32;
            int h1 = 32;
            boolean redPrev = false;
            for (int i = 0; i < LAYERS; i++) {
                boolean red = i == LAYERS / 3 || i == 2 * LAYERS / 3;
                if (red) {
                    cur *= 2;
                }
                if (redPrev) { // FactorizedReduce(C_prev_prev, C): ReLU, two 1x1 stride-2 convs to C/2, BN
                    p += 2L * cpp * (cur / 2) + 2L * cur;
                    m += 2L * (h0 / 2) * (h0 / 2) * (cur / 2) * cpp;
                } else { // ReLUConvBN(C_prev_prev, C, 1, 1, 0)
                    p += (long) cpp * cur + 2L * cur;
                    m += (long) h0 * h0 * cur * cpp;
                }
                p += (long) cp * cur + 2L * cur; // preprocess1
                m += (long) h1 * h1 * cur * cp;
                int h = h1;
                int ho = red ? h / 2 : h;
                int multiplier;
                if (red && reduce == null) {
                    // GDAS Transition: twice ReLU, conv (1,3) s(1,2) and (3,1) s(2,1) in 8 groups, BN, ReLU, conv 1x1, BN;
                    // twice MaxPool 3x3 s2 + BN; all BNs affine.
                    long g = cur / 8;
                    p += 2 * (2 * cur * g * 3 + 2L * cur + (long) cur * cur + 2L * cur) + 2 * 2L * cur;
                    m += 2 * ((long) h * ho * cur * g * 3 + (long) ho * ho * cur * g * 3 + (long) ho * ho * cur * cur);
                    multiplier = 4;
                } else {
                    PeerCell cell = red ? reduce : normal;
                    for (List<PeerEdge> node : cell.nodes()) {
                        for (PeerEdge e : node) {
                            int stride = red && e.input() < 2 ? 2 : 1;
                            long[] o = op(e.op(), cur, e.input() < 2 ? h : ho, stride, snasPools);
                            p += o[0];
                            m += o[1];
                        }
                    }
                    multiplier = cell.concat().size();
                }
                cpp = cp;
                cp = multiplier * cur;
                h0 = h1;
                h1 = ho;
                redPrev = red;
                if (i == 2 * LAYERS / 3) {
                    // AuxiliaryHeadCIFAR at 8x8: ReLU, AvgPool 5 s3, conv 1x1 ->128, BN, ReLU, conv 2x2 ->768, BN, ReLU, Linear
                    aux = (long) cp * 128 + 2 * 128 + 128L * 768 * 4 + 2 * 768 + 768L * CLASSES + CLASSES;
                }
            }
            p += (long) cp * CLASSES + CLASSES;
            m += (long) cp * CLASSES;
            return new long[] {p, m, aux};
        }

        /** One op of operations.py at C channels: {params, multiply-adds} for an input of h x h. */
        static long[] op(String name, long c, int h, int stride, boolean snasPools) {
            long ho = h / stride;
            long hw = ho * ho;
            return switch (name) {
                case "none", "noise" -> new long[] {0, 0}; // Zero; RobustDARTS's NoiseOp has no weights
                case "max_pool_3x3", "avg_pool_3x3" -> new long[] {snasPools ? 2 * c : 0, 0};
                case "skip_connect" -> stride == 1 ? new long[] {0, 0}
                        : new long[] {2 * c * (c / 2) + 2 * c, 2 * hw * (c / 2) * c}; // FactorizedReduce(C, C)
                case "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7" -> {
                    long k = name.charAt(9) - '0';
                    // two of ReLU, depthwise kxk, pointwise 1x1, BN; the first carries the stride
                    yield new long[] {2 * (c * k * k + c * c + 2 * c), 2 * hw * (c * k * k + c * c)};
                }
                case "dil_conv_3x3", "dil_conv_5x5" -> {
                    long k = name.charAt(9) - '0';
                    yield new long[] {c * k * k + c * c + 2 * c, hw * (c * k * k + c * c)};
                }
                case "conv_7x1_1x7", "conv_3x1_1x3" -> {
                    long k = name.charAt(5) - '0';
                    // ReLU, conv (1,k) stride (1,s), conv (k,1) stride (s,1), BN: the first leaves h x ho
                    yield new long[] {2 * c * c * k + 2 * c, h * ho * c * c * k + hw * c * c * k};
                }
                default -> throw new AssertionError("no peer definition for " + name);
            };
        }
    }

    @Test
    void theFilesWereFound() throws Exception {
        List<String> names = genotypeFiles().stream().map(InteropGenotypesTest::rel).toList();
        assertTrue(names.contains("archai/darts_genotype.yaml"), names.toString());
        assertTrue(names.contains("nni/cdarts_docstring.genotype"), names.toString());
        assertFalse(names.stream().anyMatch(n -> n.endsWith(".json")), names.toString());
    }
}

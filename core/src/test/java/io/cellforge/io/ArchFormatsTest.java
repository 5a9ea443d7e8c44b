package io.cellforge.io;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Genotype;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchFormatsTest {
    static final SearchSpace DARTS = Zoo.get("darts-search").orElseThrow();
    static final SearchSpace NB201 = Zoo.get("nas-bench-201").orElseThrow();

    /** Exactly what the DARTS repository's train_search.py logs for DARTS_V2. */
    static final String DARTS_V2_TEXT = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
            + "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
            + "normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
            + "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
            + "reduce_concat=range(2, 6))";

    @Test
    void genotypeIsWrittenExactlyAsTheDartsRepositoryPrintsIt() throws Exception {
        Architecture a = ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "test");
        assertEquals(DARTS_V2_TEXT + "\n", ArchFormats.write(ArchFormat.GENOTYPE, DARTS, a));
    }

    @Test
    void genotypesPyStyleWithListsNewlinesAndTrailingCommasParses() throws Exception {
        String text = """
                Genotype(
                  normal = [
                    ('sep_conv_3x3', 0),
                    ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1),
                    ("skip_connect", 0), ('skip_connect', 0), ('dil_conv_3x3', 2),
                  ],
                  normal_concat = [2, 3, 4, 5],
                  reduce = [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
                    ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)],
                  reduce_concat = [2, 3, 4, 5],
                )""";
        assertEquals(Genotype.DARTS_V2, Genotype.parse(text));
    }

    @Test
    void nonContiguousConcatIsWrittenAsAList() throws Exception {
        Genotype g = new Genotype(Genotype.DARTS_V2.normal(), List.of(2, 4, 5), Genotype.DARTS_V2.reduce(), List.of(2, 3, 4, 5));
        assertTrue(g.toString().contains("normal_concat=[2, 4, 5]"));
        assertEquals(g, Genotype.parse(g.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Genotype(normal=[('sep_conv_3x3', 0)", "Genotype(normal=[('x', 0), ('y', 1)], normal_concat=range(2, 3), "
            + "reduce=[('x', 0), ('y', 7)], reduce_concat=range(2, 3))", "Genotipe()", "Genotype(normal=[('a' 0)])"})
    void badGenotypesAreReportedWithTheirColumn(String text) {
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.parseGenotype(text, "g.txt"));
        assertTrue(e.getMessage().startsWith("g.txt"), e.getMessage());
    }

    @Test
    void aGenotypeSyntaxErrorNamesLineAndColumn() {
        LoadException e = assertThrows(LoadException.class,
                () -> ArchFormats.parseGenotype("Genotype(normal=[('a', 0),\n  ('b' 1)])", "g.txt"));
        assertTrue(e.getMessage().startsWith("g.txt:2:8: expected ','"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = ArchFormat.class, names = {"YAML", "NNI", "GENOTYPE", "MODNAS"})
    void aDartsArchitectureSurvivesEveryFormat(ArchFormat f) throws Exception {
        Architecture a = ArchFormats.fromGenotype(Genotype.DARTS_V1, DARTS, "test");
        String text = ArchFormats.write(f, DARTS, a);
        assertEquals(a, ArchFormats.read(f, text, "x", DARTS));
    }

    @Test
    void nniChoiceDictUsesNniKeysAndCandidateNames() throws Exception {
        Architecture a = ArchFormats.fromGenotype(Genotype.DARTS_V2, DARTS, "test");
        String json = ArchFormats.write(ArchFormat.NNI, DARTS, a);
        // NNI's DartsCell names its ops sepconv3x3, maxpool, ... (nni/nas/pytorch/search_space_zoo/darts_cell.py).
        assertTrue(json.contains("\"normal_n2_p0\" : \"sepconv3x3\""), json);
        assertTrue(json.contains("\"normal_n5_switch\" : [ \"normal_n5_p0\", \"normal_n5_p2\" ]"), json);
    }

    @Test
    void nniOneHotListsAndIndicesAreAccepted() throws Exception {
        String json = "{\"normal_n2_p0\": [false, false, false, false, true, false, false, false], \"normal_n2_switch\": [0, 1],"
                + " \"normal_n2_p1\": 3, \"normal_n3_switch\": [true, false, true]}";
        // An index counts in NNI's DartsCell names (no none): 3 is sepconv3x3; an 8-long one-hot is Cellforge's own list.
        Architecture a = NniFormats.read(json, "nni.json", DARTS, new java.util.ArrayList<>());
        assertEquals(new Decision.Op("sep_conv_3x3"), a.get("normal_n2_p0").orElseThrow());
        assertEquals(new Decision.Op("sep_conv_3x3"), a.get("normal_n2_p1").orElseThrow());
        assertEquals(new Decision.Inputs(List.of(0, 2)), a.get("normal_n3_switch").orElseThrow());
    }

    @Test
    void anUnknownKeyOrCandidateIsReportedByName() {
        LoadException e = assertThrows(LoadException.class,
                () -> ArchFormats.read(ArchFormat.NNI, "{\"normal_n9_p0\": \"none\"}", "a.json", DARTS));
        assertTrue(e.getMessage().startsWith("a.json:1:2: key 'normal_n9_p0' is not a choice of space 'darts-search'"), e.getMessage());
        e = assertThrows(LoadException.class,
                () -> ArchFormats.read(ArchFormat.NNI, "{\"normal_n2_p0\": \"sep_conv_9x9\"}", "a.json", DARTS));
        assertTrue(e.getMessage().contains("'sep_conv_9x9' is not a candidate"), e.getMessage());
        e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.NNI, "{\"a\": [1,\n 2", "a.json", DARTS));
        assertTrue(e.getMessage().matches("a\\.json:\\d+:\\d+: JSON: .*"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|",
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
            "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"})
    void nasBench201StringsRoundTrip(String s) throws Exception {
        Architecture a = ArchFormats.read(ArchFormat.NB201, s, "nb", NB201);
        assertEquals(6, a.choices().size());
        assertEquals(s + "\n", ArchFormats.write(ArchFormat.NB201, NB201, a));
        assertTrue(Evaluator.evaluate(NB201, a).ok());
    }

    @Test
    void aBadNasBench201StringNamesTheColumn() {
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.NB201,
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~5|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|", "nb", NB201));
        assertTrue(e.getMessage().startsWith("nb:1:"), e.getMessage());
        assertTrue(e.getMessage().contains("can only take inputs 0..1"), e.getMessage());
    }

    @Test
    void modnasArchDescListsTheChosenPrimitiveOfEverySlot() throws Exception {
        SearchSpace mb = Zoo.get("mobilenetv2-cifar").orElseThrow();
        Architecture a = SpaceStats.of(mb).maxParams().arch();
        String text = ArchFormats.write(ArchFormat.MODNAS, mb, a);
        // One item per Slot (17), the first the fixed MB3E1 block, as DefaultSlotTraversalExporter lists them.
        assertEquals(17, text.lines().count());
        assertEquals("- [MB3E1]", text.lines().findFirst().orElseThrow());
        assertTrue(text.lines().skip(1).allMatch(l -> l.matches("- \\[MB[357]E[36]\\]")), text);
        assertEquals(a, ArchFormats.read(ArchFormat.MODNAS, text, "d.yaml", mb));
        assertEquals(a, ArchFormats.read(ArchFormat.MODNAS, "arch_desc:\n" + text.replaceAll("(?m)^", "  "), "d.yaml", mb));
        LoadException e = assertThrows(LoadException.class, () -> ArchFormats.read(ArchFormat.MODNAS, "- MB3E3\n", "d.yaml", mb));
        assertTrue(e.getMessage().startsWith("d.yaml:1:1: arch_desc lists 1 items but space"), e.getMessage());
    }
}

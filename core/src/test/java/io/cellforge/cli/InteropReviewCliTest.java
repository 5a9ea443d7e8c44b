package io.cellforge.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a review of the interop commands found: each a user's command and the one line it must give. */
class InteropReviewCliTest {
    static final Path INTEROP = Path.of("../../shared/interop");

    static String oneLine(CliTest.Run r) {
        assertEquals(1, r.code(), r.out() + r.err());
        String e = r.err().strip();
        assertFalse(e.contains("\n"), "one line: " + e);
        return e;
    }

    @Test
    void aVegaDartsDescriptionConvertsAsTheSpaceItIs(@TempDir Path dir) throws Exception {
        // A JSON file that is a space (VEGA's CARS genotype_7.json) is no NNI dict because it starts with '{'.
        Path g7 = INTEROP.resolve("vega/vmaster__examples__nas__cars__genotype_7.json");
        Assumptions.assumeTrue(Files.isRegularFile(g7));
        CliTest.Run r = run("convert", g7.toString(), dir.resolve("g7.yaml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(dir.resolve("g7.yaml")).contains("kind: space"));
    }

    @Test
    void aBrokenOrEmptySpaceFileIsItsOwnErrorInConvert(@TempDir Path dir) throws Exception {
        Path cut = Files.writeString(dir.resolve("cut.yaml"), "search_space:\n  type: FineGrainedSpace\n  modules: [a\n  a: {type");
        assertTrue(oneLine(run("convert", cut.toString(), dir.resolve("o.yaml").toString())).matches(".*cut\\.yaml:\\d+:\\d+: YAML syntax.*"));
        Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
        assertTrue(oneLine(run("convert", empty.toString(), dir.resolve("o.yaml").toString())).endsWith("empty.yaml:1:1: the file is empty"));
    }

    @Test
    void aGenotypeGivenAsASpaceSaysWhereItBelongs(@TempDir Path dir) throws Exception {
        Path g = Files.writeString(dir.resolve("v2.genotype"), CliTest.DARTS_V2);
        String e = oneLine(run("stats", g.toString()));
        assertTrue(e.contains("v2.genotype:1:1: this is an architecture (a DARTS genotype), not a search space") && e.contains("--genotype"), e);
    }

    @Test
    void stepWithoutAPipelineFileIsRefused(@TempDir Path dir) throws Exception {
        Path g = Files.writeString(dir.resolve("v2.genotype"), CliTest.DARTS_V2);
        assertTrue(oneLine(run("convert", "--step", "nas", g.toString(), dir.resolve("o.json").toString())).contains("--step names a step"));
        assertTrue(oneLine(run("stats", "--step", "nas", "--zoo", "darts-search")).contains("--step names a step"));
        assertTrue(oneLine(run("convert", "--from", "vega", g.toString(), dir.resolve("o.json").toString())).contains("vega is written only"));
    }

    @Test
    void anUnknownNasBench201OpIsNamedByTheFilesKey(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("fixed.json"), """
                {"0_1": "conv_3x3", "0_2": "conv_9x9", "1_2": "skip_connect", "0_3": "none", "1_3": "none", "2_3": "conv_1x1"}
                """);
        String e = oneLine(run("convert", f.toString(), dir.resolve("o.nb201").toString()));
        assertTrue(e.endsWith("fixed.json:1:21: key '0_2': 'conv_9x9' is not an op of NNI's NASBench201Cell "
                + "(none, avg_pool_3x3, conv_3x3, conv_1x1, skip_connect)"), e);
    }
}

package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert with NNI's own files (../shared/interop/nni) and --nni-version. */
class NniCliTest {
    static final Path DIR = Path.of("../../shared/interop/nni");
    static final String DARTS_V2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
            + "('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
            + "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
            + "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], "
            + "reduce_concat=[2, 3, 4, 5])";
    /** As Cellforge writes it (DARTS's own genotypes.py spells the concat range(2, 6)). */
    static final String WRITTEN = DARTS_V2.replace("[2, 3, 4, 5]", "range(2, 6)");

    static void needPeers() {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "no ../shared/interop here");
    }

    @Test
    void nniFilesConvertWithoutNamingTheirSpace(@TempDir Path dir) throws Exception {
        needPeers();
        Path nb = dir.resolve("a.nb201");
        CliTest.Run r = run("convert", DIR.resolve("fixed-architecture.json").toString(), nb.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|\n",
                Files.readString(nb));
        Path g = dir.resolve("v2.genotype");
        r = run("convert", DIR.resolve("nni3_hub_darts_v2_arch.txt").toString(), g.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(WRITTEN, Files.readString(g).strip());
    }

    @Test
    void foreignNniSpacesEndInOneLine(@TempDir Path dir) throws Exception {
        needPeers();
        for (String f : new String[] {"spos_architecture_final_v2.5.json", "textnas_final_arc.json", "nni3_nasnet_test_arch.txt"}) {
            Path out = dir.resolve("x.genotype");
            CliTest.Run r = run("convert", DIR.resolve(f).toString(), out.toString());
            assertEquals(1, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(f + ":") && r.err().contains("Cellforge does not have that space"), r.err());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void nniVersionChoosesTheDialect(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("v2.genotype");
        Files.writeString(g, DARTS_V2);
        ObjectMapper json = new ObjectMapper();
        Path d1 = dir.resolve("d1.json");
        assertEquals(0, run("convert", g.toString(), d1.toString()).code());
        JsonNode one = json.readTree(d1.toFile());
        assertEquals("sepconv3x3", one.get("normal_n2_p0").asText()); // NNI 1.x DartsCell by default
        Path d3 = dir.resolve("d3.json");
        CliTest.Run r = run("convert", g.toString(), d3.toString(), "--nni-version", "3");
        assertEquals(0, r.code(), r.err());
        JsonNode three = json.readTree(d3.toFile());
        assertEquals("[0]", three.get("normal/input_2_0").toString());
        assertEquals(16, three.get("width").asInt());
        Path d2 = dir.resolve("d2.json");
        assertEquals(0, run("convert", g.toString(), d2.toString(), "--to", "nni", "--nni-version", "2").code());
        assertEquals("0", json.readTree(d2.toFile()).get("normal/input_2_0").toString());
        // Each reads back to the same genotype without --zoo.
        for (Path p : new Path[] {d1, d2, d3}) {
            Path back = dir.resolve(p.getFileName() + ".genotype");
            r = run("convert", p.toString(), back.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(WRITTEN, Files.readString(back).strip());
        }
        r = run("convert", g.toString(), dir.resolve("x.json").toString(), "--nni-version", "4");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--nni-version is 1, 2 or 3"), r.err());
        r = run("convert", g.toString(), dir.resolve("x.yaml").toString(), "--nni-version", "3");
        assertTrue(r.err().contains("--nni-version is for --to nni"), r.err());
    }

    @Test
    void aWidthOtherThanTheSpacesIsAWarningOnStderr(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("v2.genotype");
        Files.writeString(g, DARTS_V2);
        Path d3 = dir.resolve("d3.json");
        assertEquals(0, run("convert", g.toString(), d3.toString(), "--nni-version", "3").code());
        Files.writeString(d3, Files.readString(d3).replace("\"width\" : 16", "\"width\" : 32"));
        CliTest.Run r = run("convert", d3.toString(), dir.resolve("back.genotype").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith(d3 + ":2:3: warning: key 'width': NNI's width is 32"), r.err());
        // stats and retrain read the architecture the same way, and say the same.
        r = run("stats", "--zoo", "darts-search", "--arch", d3.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith(d3 + ":2:3: warning: key 'width': NNI's width is 32"), r.err());
    }

    @Test
    void aNoneNnisDartsCellCannotHoldIsAnErrorNamingTheKey(@TempDir Path dir) throws Exception {
        Path y = dir.resolve("a.arch.yaml");
        Path g = dir.resolve("v2.genotype");
        Files.writeString(g, DARTS_V2);
        assertEquals(0, run("convert", g.toString(), y.toString()).code());
        Files.writeString(y, Files.readString(y).replace("normal_n2_p0: sep_conv_3x3", "normal_n2_p0: none"));
        Path out = dir.resolve("a.json");
        CliTest.Run r = run("convert", y.toString(), out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("key 'normal_n2_p0': NNI's DartsCell has no 'none'"), r.err());
        assertFalse(Files.exists(out));
    }
}

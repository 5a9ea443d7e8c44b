package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** convert, validate, stats and search on a standalone ModularNAS config and on a ModularNAS-in-VEGA pipeline. */
class ModularNasCliTest {
    static final Path DIR = Path.of("../../shared/interop/modnas");
    static final Path STANDALONE = DIR.resolve("modnas_mobilenetv2_pxl.yaml");
    static final Path VEGA = DIR.resolve("vega_vmaster__pxl.yml");

    @Test
    void validateListsTheWarningsWithTheirLines() {
        assumeTrue(Files.isRegularFile(STANDALONE) && Files.isRegularFile(VEGA));
        CliTest.Run r = run("validate", STANDALONE.toString());
        assertEquals(0, r.code(), r.err());
        String all = r.out() + r.err();
        assertTrue(all.contains(STANDALONE + ":20:9: warning: search.estimator.warmup.w_optim: not mapped: Cellforge's warm-up trains with the search estimator's settings"), all);
        r = run("validate", VEGA.toString());
        assertEquals(0, r.code(), r.err());
        all = r.out() + r.err();
        assertTrue(all.contains(VEGA + ":10:5: warning: nas: read pipeline step 'nas'"), all);
    }

    @Test
    void statsCountsTheArchitecturesModularNasSearches() throws Exception {
        assumeTrue(Files.isRegularFile(STANDALONE) && Files.isRegularFile(VEGA));
        // The standalone file: 22 Slots, the first fixed; 15 of the others (stride 1, equal widths) add NIL to the
        // six candidates: 6^6 * 7^15. The VEGA one: the six candidates on all 22 Slots.
        JsonNode j = new ObjectMapper().readTree(run("stats", STANDALONE.toString(), "--json").out());
        assertEquals(BigInteger.valueOf(6).pow(6).multiply(BigInteger.valueOf(7).pow(15)), new BigInteger(j.get("architectures").asText()));
        j = new ObjectMapper().readTree(run("stats", VEGA.toString(), "--json").out());
        assertEquals(BigInteger.valueOf(6).pow(22), new BigInteger(j.get("architectures").asText()));
        // Its smallest network is all MB3E3, as ModularNAS's code counts it (ModularNasInteropTest).
        assertEquals(1_928_730, j.get("params").get("min").asLong());
        // The fully-train step of mbv2.yml is the predefined network.
        j = new ObjectMapper().readTree(run("stats", DIR.resolve("vega_vmaster__mbv2.yml").toString(), "--json").out());
        assertEquals(3_416_586, j.get("params").asLong());
        assertEquals(68_294_912, j.get("macs").asLong());
    }

    @Test
    void convertWritesCellforgeYamlThatValidatesAndAnArchDescBack(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isRegularFile(STANDALONE) && Files.isRegularFile(VEGA));
        for (Path in : new Path[] {STANDALONE, VEGA}) {
            Path out = dir.resolve(in.getFileName() + ".cellforge.yaml");
            CliTest.Run r = run("convert", in.toString(), out.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(0, run("validate", out.toString()).code());
        }
        StringBuilder desc = new StringBuilder();
        for (int i = 0; i < 22; i++) {
            desc.append("- [MB5E6]\n");
        }
        Path a = dir.resolve("a.modnas.yaml");
        Files.writeString(a, desc.toString());
        Path b = dir.resolve("b.modnas.yaml");
        CliTest.Run r = run("convert", a.toString(), b.toString(), "--space", VEGA.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(desc.toString(), Files.readString(b));
        Files.writeString(a, "- [MB5E6]\n");
        r = run("convert", a.toString(), b.toString(), "--space", VEGA.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains(a + ":1:1: arch_desc lists 1 items but space 'vega_vmaster__pxl' has 22 Slots"), r.err());
    }

    @Test
    void aFileCellforgeDoesNotClaimIsOneCleanLineInEveryCommand(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(DIR));
        int refused = 0;
        try (var files = Files.list(DIR)) {
            for (Path f : files.sorted().toList()) {
                CliTest.Run v = run("validate", f.toString());
                if (v.code() == 0) {
                    continue;
                }
                refused++;
                String line = v.err().strip();
                assertEquals(1, line.lines().count(), line);
                assertTrue(line.matches("cellforge: " + java.util.regex.Pattern.quote(f.toString()) + ":\\d+:\\d+: .*"), line);
                assertEquals(line, run("stats", f.toString()).err().strip());
                assertEquals(line, run("convert", f.toString(), dir.resolve("out.yaml").toString()).err().strip());
            }
        }
        // The eight files ModularNasInteropTest lists as refused.
        assertEquals(8, refused);
    }

    @Test
    void searchTakesTheSettingsOfTheSpaceFile() {
        assumeTrue(Files.isRegularFile(VEGA));
        // With --strict-shape the digits do not fit a 3x32x32 network: the run stops before training, after choosing
        // its settings.
        CliTest.Run r = run("search", VEGA.toString(), "--data", "digits", "--strict-shape");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("search settings from " + VEGA + ": proxyless, 1 epochs, lr 0.025, arch_lr 0.006"), r.err());
        r = run("search", VEGA.toString(), "--data", "digits", "--strategy", "darts", "--strict-shape");
        assertTrue(!r.err().contains("search settings from"), r.err());
    }
}

package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.SpaceYaml;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end; {@link #run} is shared with the other packages' CLI tests. */
public class CliTest {
    static final String DARTS_V2 = io.cellforge.arch.Genotype.DARTS_V2.toString();

    public record Run(int code, String out, String err) {
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void statsOfTheDartsV2GenotypeAsJson() throws Exception {
        Run r = run("stats", "--genotype", DARTS_V2, "--channels", "36", "--layers", "20", "--classes", "10", "--auxiliary", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(3_349_342, j.get("params").asLong());
        assertEquals(476_426, j.get("aux_params").asLong());
        assertTrue(j.get("macs").asLong() > 0);
    }

    @Test
    void statsOfImageNetGenotypeAndOfAZooNetwork() throws Exception {
        Run r = run("stats", "--genotype", DARTS_V2, "--channels", "48", "--layers", "14", "--imagenet", "--json");
        assertEquals(4_718_752, new ObjectMapper().readTree(r.out()).get("params").asLong());
        r = run("stats", "--zoo", "resnet20-cifar", "--json");
        assertEquals(269_722, new ObjectMapper().readTree(r.out()).get("params").asLong());
        r = run("stats", "--zoo", "resnet18");
        assertTrue(r.out().contains("11,689,512"), r.out());
    }

    @Test
    void statsOfASpaceGivesTheRangeAndTheCount() throws Exception {
        Run r = run("stats", "--zoo", "nas-bench-201", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(15_625, j.get("architectures").asLong());
        assertTrue(j.get("params").get("min").asLong() < j.get("params").get("max").asLong());
        assertTrue(r.out().contains("\"params\":{\"min\":"), "min before max, always: " + r.out());
    }

    @Test
    void validateAZooFileAndABrokenOne(@TempDir Path dir) throws Exception {
        Path ok = dir.resolve("ok.yaml");
        Files.writeString(ok, SpaceYaml.write(Zoo.get("darts-search").orElseThrow()));
        Run r = run("validate", ok.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("valid"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(ok).replace("{from: in0, to: n2, choice: {key: normal_n2_p0, candidates: [none,",
                "{from: in0, to: n2, choice: {key: normal_n2_p0, candidates: [nothing,"));
        r = run("validate", bad.toString());
        assertEquals(1, r.code());
        assertTrue(r.out().matches("(?s).*bad\\.yaml:\\d+:\\d+: cell normal, edge in0->n2: unknown op 'nothing'.*"), r.out());
    }

    @Test
    void theDesignersNodePositionsChangeNoCommand(@TempDir Path dir) throws Exception {
        io.cellforge.space.SearchSpace s = Zoo.get("darts-search").orElseThrow();
        Path plain = dir.resolve("plain.yaml");
        Files.writeString(plain, SpaceYaml.write(s));
        Path drawn = dir.resolve("drawn.yaml");
        Files.writeString(drawn, SpaceYaml.write(s.withPositions("normal", java.util.Map.of("in0", new io.cellforge.space.Point(10, 20),
                "n2", new io.cellforge.space.Point(300.5, 40)))));
        for (String[] args : List.of(new String[] {"validate"}, new String[] {"stats", "--json"})) {
            List<String> a = new java.util.ArrayList<>(List.of(args));
            a.add(plain.toString());
            Run p = run(a.toArray(String[]::new));
            a.set(a.size() - 1, drawn.toString());
            Run d = run(a.toArray(String[]::new));
            assertEquals(0, d.code(), d.out() + d.err());
            assertEquals(p.out().replace("plain.yaml", "drawn.yaml"), d.out(), String.join(" ", args));
        }
    }

    @Test
    void aMissingFileIsOneLineAndExitOne() {
        Run r = run("validate", "/no/such/file.yaml");
        assertEquals(1, r.code());
        assertEquals("cellforge: /no/such/file.yaml: no such file", r.err().strip());
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        for (String c : new String[] {"validate", "stats", "convert", "zoo", "search", "retrain", "evaluate", "export-onnx", "bench"}) {
            Run r = run(c, "--help");
            assertEquals(0, r.code(), c + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: cellforge " + c), c + ": " + r.out());
        }
    }

    @Test
    void badUsageIsExitTwo() {
        assertEquals(2, run("stats").code());
        assertEquals(2, run("stats", "--zoo", "x", "--genotype", "y").code());
        assertEquals(1, run("stats", "--zoo", "nope").code());
    }

    @Test
    void convertGenotypeToEveryFormatAndBack(@TempDir Path dir) throws Exception {
        Path g = dir.resolve("v2.genotype");
        Files.writeString(g, DARTS_V2);
        for (String out : new String[] {"a.json", "a.arch.yaml", "a.modnas.yaml"}) {
            Run r = run("convert", g.toString(), dir.resolve(out).toString());
            assertEquals(0, r.code(), r.err());
            Run back = run("convert", dir.resolve(out).toString(), dir.resolve(out + ".genotype").toString(), "--zoo", "darts-search");
            assertEquals(0, back.code(), back.err());
            assertEquals(DARTS_V2, Files.readString(dir.resolve(out + ".genotype")).strip());
        }
    }

    @Test
    void aFailedConvertLeavesTheExistingOutputUntouched(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("keep.json");
        Files.writeString(out, "{\"precious\": true}");
        Path bad = dir.resolve("bad.genotype");
        Files.writeString(bad, "Genotype(normal=[('sep_conv_3x3', 0)");
        Run r = run("convert", bad.toString(), out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("cellforge: " + bad + ":1:"), r.err());
        assertEquals("{\"precious\": true}", Files.readString(out));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void convertAModularNasSpaceToCellforgeYaml(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("mbv2.yml");
        Files.writeString(in, "model:\n  type: CIFAR_MobileNetV2\nmixed_op:\n  type: BinGate\n  primitives: [MB3E3, MB5E6]\n");
        Path out = dir.resolve("space.yaml");
        Run r = run("convert", in.toString(), out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0, run("validate", out.toString()).code());
    }

    /** A one-cell space for 8x8 digits (a test resource shared with the retraining tests). */
    static final String TINY_SEARCH_SPACE = io.cellforge.TestResources.text("/tiny-darts.yaml");

    @Test
    void searchWritesTheArchitectureEventsAndASummary(@TempDir Path dir) throws Exception {
        Path space = dir.resolve("tiny.yaml");
        Files.writeString(space, TINY_SEARCH_SPACE);
        Path out = dir.resolve("out");
        Path events = dir.resolve("run.jsonl");
        Run r = run("search", space.toString(), "--data", "digits", "--epochs", "1", "--lr", "0.2", "--out", out.toString(),
                "--events", events.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("backend: Cpu"), r.err());
        assertTrue(r.err().contains("epoch 1/1"), r.err());
        assertTrue(r.out().startsWith("cellforge: 1\nkind: architecture\nspace: tiny-darts\n"), "stdout is the architecture only: " + r.out());
        for (String f : new String[] {"architecture.arch.yaml", "architecture.json", "architecture.modnas.yaml", "result.json", "tiny-darts.yaml"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertEquals(0, run("stats", out.resolve("tiny-darts.yaml").toString(), "--arch", out.resolve("architecture.arch.yaml").toString()).code());
        java.util.List<String> lines = eventLines(events);
        assertEquals(1 + 11 + 1, lines.size(), "the start (epochs, steps per epoch), 11 steps and one epoch");
        assertTrue(lines.get(0).startsWith("{\"type\":\"start\""), lines.get(0));
        assertTrue(lines.get(12).startsWith("{\"type\":\"epoch\""), lines.get(12));
        // --out is a run folder the app lists, beside the --events file asked for.
        assertEquals(lines, eventLines(out.resolve(io.cellforge.search.RunFiles.EVENTS)));
        assertEquals(1, io.cellforge.search.RunFiles.list(out.getParent()).size());
    }

    /** The tiny space and an architecture of it, side by side in {@code dir}; returns the architecture file. */
    /** An events file without its progress lines, which come every 30 s of a run however fast the machine. */
    static java.util.List<String> eventLines(Path f) throws java.io.IOException {
        return Files.readAllLines(f).stream().filter(l -> !l.startsWith("{\"type\":\"progress\"")).toList();
    }

    static Path tinyArchitecture(Path dir) throws Exception {
        Files.writeString(dir.resolve("tiny-darts.yaml"), TINY_SEARCH_SPACE);
        Path arch = dir.resolve("a.arch.yaml");
        Files.writeString(arch, "cellforge: 1\nkind: architecture\nspace: tiny-darts\nchoices:\n  n1_p0: sep_conv_3x3\n  n1_switch: [0]\n");
        return arch;
    }

    @Test
    void retrainPrintsTheTestAccuracyAsJson(@TempDir Path dir) throws Exception {
        Path arch = tinyArchitecture(dir);
        Run r = run("retrain", arch.toString(), "--data", "digits", "--epochs", "2", "--lr", "0.1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("test_accuracy").asDouble() > 0.3 && j.get("test_accuracy").asDouble() <= 1, r.out());
        assertTrue(r.err().contains("epoch 2/2"), r.err());
    }

    @Test
    void searchRefusesDataThatDoNotFitTheSpace() {
        Run r = run("search", "--zoo", "darts-search", "--data", "digits", "--epochs", "1", "--strict-shape");
        assertEquals(1, r.code());
        // The message names the data as well as the space.
        assertEquals("cellforge: the images of digits train are 1x8x8 but space 'darts-search' takes 3x32x32",
                r.err().strip());
        assertEquals(1, run("search", "--zoo", "darts-mini", "--strategy", "random-walk").code());
        assertEquals(1, run("search", "--zoo", "darts-mini", "--data", "/no/such/place").code());
    }

    @Test
    void zooListsAndWritesTemplates(@TempDir Path dir) throws Exception {
        Run r = run("zoo");
        assertTrue(r.out().contains("darts-search") && r.out().contains("mobilenetv2-imagenet"), r.out());
        Path t = dir.resolve("t.yaml");
        assertEquals(0, run("zoo", "enas-micro", "-o", t.toString()).code());
        assertEquals(1, run("zoo", "enas-micro", "-o", t.toString()).code(), "refuses to overwrite without --force");
        assertEquals(0, run("validate", t.toString()).code());
    }

    @Test
    void searchSettingsComeFromAYamlFileAndTheCommandLineWins(@TempDir Path dir) throws Exception {
        Path space = dir.resolve("tiny.yaml");
        Files.writeString(space, TINY_SEARCH_SPACE);
        Path cfg = dir.resolve("search.yaml");
        Files.writeString(cfg, "strategy: proxyless-uniform\nepochs: 1\nbatch_size: 128\nlr: 0.2\narch_betas: [0.3, 0.99]\n");
        Path events = dir.resolve("run.jsonl");
        Run r = run("search", space.toString(), "--config", cfg.toString(), "--batch", "256", "--events", events.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("searching with proxyless-uniform: 1 epochs of 2 steps, batch 256"), r.err());

        Files.writeString(cfg, "strategy: darts\nepochs: 1\nlr_mn: 0.1\n");
        r = run("search", space.toString(), "--config", cfg.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("search.yaml:3:1: unknown key 'lr_mn' (did you mean 'lr'?)"), r.err());
        Files.writeString(cfg, "epochs: 1\nmomentum: 1.5\n");
        r = run("search", space.toString(), "--config", cfg.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("search.yaml:2:11: momentum must be in [0, 1)"), r.err());
        r = run("search", space.toString(), "--epochs", "1", "--lr", "-1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("invalid search settings: lr must be positive"), r.err());
        r = run("search", space.toString(), "--epochs", "1", "--arch-betas", "0.5");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--arch-betas takes two numbers"), r.err());
    }

    @Test
    void retrainWithDropPath(@TempDir Path dir) throws Exception {
        Path arch = tinyArchitecture(dir);
        Run r = run("retrain", arch.toString(), "--epochs", "2", "--lr", "0.1", "--drop-path", "0.3", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(new ObjectMapper().readTree(r.out()).get("test_accuracy").asDouble() > 0.3, r.out());
        assertEquals(1, run("retrain", arch.toString(), "--drop-path", "1").code());
    }
}

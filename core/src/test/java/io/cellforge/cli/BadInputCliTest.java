package io.cellforge.cli;

import io.cellforge.arch.Genotype;
import io.cellforge.io.SpaceYaml;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input through the command line: exit 1, one line naming the file and the line, nothing raw echoed. */
class BadInputCliTest {

    @TempDir
    Path tmp;

    static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    static void assertOneLine(CliTest.Run r, String startsWith) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("cellforge: " + startsWith), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
    }

    static Path nb201(Path dir, String from, String to) throws Exception {
        String text = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow());
        assertTrue(text.contains(from), from);
        Path p = dir.resolve("bad.yaml");
        Files.writeString(p, text.replace(from, to));
        return p;
    }

    @Test
    void aNameOrDescriptionOfTheWrongShapeIsOneLine(@TempDir Path dir) throws Exception {
        Path p = nb201(dir, "name: nas-bench-201", "name: [a, b]");
        for (String cmd : new String[] {"validate", "stats"}) {
            assertOneLine(run(cmd, p.toString()), p + ":3:7: name must be a string, found a list");
        }
        p = nb201(dir, "name: nas-bench-201", "name: {first: a}");
        assertOneLine(run("stats", p.toString()), p + ":3:7: name must be a string, found a mapping");
    }

    @ParameterizedTest
    @ValueSource(strings = {"100000", "1001", "0", "-5"})
    void statsOfASpaceValidateRejectsFailsWithItsErrors(String repeat) throws Exception {
        Path p = nb201(tmp, "cell: cell, repeat: 5}", "cell: cell, repeat: " + repeat + "}");
        CliTest.Run r = run("stats", p.toString());
        assertOneLine(r, p + ":12:7: stage 0 (stage 1): repeat must be 1..1000, got " + repeat);
        assertFalse(r.out().contains("-1"), r.out());
        assertEquals(1, run("stats", "--json", p.toString()).code());
    }

    @Test
    void aTruncatedGenotypeIsOneLine() {
        String g = Genotype.DARTS_V2.toString().replace("range(2, 6)", "[2, 3, 4, 5]");
        String cut = g.substring(0, g.indexOf("normal_concat=[2, 3, 4,") + "normal_concat=[2, 3, 4,".length());
        assertOneLine(run("stats", "--genotype", cut), "--genotype:1:");
    }

    @Test
    void anImpossibleVegaDepthIsOneLineWithItsLine(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("v.yaml");
        Files.writeString(p, "search_space:\n  type: FineGrainedSpace\n  modules: ['resnet']\n  resnet:\n    type: ResNet\n    depth: -4\n");
        assertOneLine(run("validate", p.toString()), p + ":6:12: depth must be a whole number");
    }

    @Test
    void anIncompleteArchitectureListsTheMissingChoices(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "{}");
        assertOneLine(run("stats", "--zoo", "darts-search", "--arch", empty.toString()),
                empty + ":1:1: the architecture leaves 36 of the 36 choices of space 'darts-search' undecided: normal_n2_switch");
        Path one = dir.resolve("one.json");
        Files.writeString(one, "{\"normal_n2_p0\": \"none\"}");
        Path out = dir.resolve("out.yaml");
        assertOneLine(run("convert", one.toString(), out.toString()), one + ":1:1: the architecture leaves 35 of the 36 choices");
        assertFalse(Files.exists(out));
    }

    @Test
    void errorsFoundWhenPlanningASearchNameTheLine(@TempDir Path dir) throws Exception {
        String text = SpaceYaml.write(Zoo.get("darts-mini").orElseThrow());
        Path p = dir.resolve("mini.yaml");
        Files.writeString(p, text.replace("head: [gap, linear]", "head: [gap]"));
        int line = text.substring(0, text.indexOf("head: [gap, linear]")).split("\n", -1).length;
        assertOneLine(run("search", p.toString(), "--data", "digits", "--epochs", "1"),
                p + ":" + line + ":9: head: produces");
        Path cfg = dir.resolve("s.yaml");
        Files.writeString(cfg, "epochs: 1\ntrain_portion: 2\n");
        assertOneLine(run("search", "--zoo", "darts-mini", "--data", "digits", "--config", cfg.toString()),
                cfg + ":2:16: train_portion must be between 0 and 1");
    }

    @Test
    void controlCharactersInEchoedValuesAreEscaped(@TempDir Path dir) throws Exception {
        Path p = nb201(dir, "candidates: [none,", "candidates: [\"no\\x1b[2Jne\\nx\",");
        CliTest.Run r = run("validate", p.toString());
        assertEquals(1, r.code());
        assertFalse(r.out().contains("\u001b"), r.out());
        assertTrue(r.out().contains("unknown op 'no\\x1b[2Jne\\nx'"), r.out());
        assertEquals(7, r.out().lines().count(), "six errors and the summary, one line each: " + r.out());
        assertOneLine(run("stats", p.toString()), p + ":27:9: cell cell, edge in0->n1: unknown op 'no\\x1b[2Jne\\nx' (and 5 more errors");
        // picocli's own errors echo the argument.
        r = run("stats", "--channels", "\u001b[31m1\n2", "--genotype", "x");
        assertEquals(2, r.code());
        assertFalse(r.err().contains("\u001b"), r.err());
        assertTrue(r.err().startsWith("cellforge: Invalid value for option '--channels': '\\x1b[31m1\\n2'"), r.err());
        assertEquals(2, r.err().lines().count(), "the error and the hint: " + r.err());
        // A user error carrying raw text.
        r = run("stats", "--zoo", "no\u0000such\u001b]0;x\u0007");
        assertOneLine(r, "no zoo space named 'no\\x00such\\x1b]0;x\\x07'");
    }

    @Test
    void numericOptionsRefuseNaNAndInfinityBeforeAnyWork(@TempDir Path dir) throws Exception {
        // NaN passes every `x < lo || x >= hi` test; these once reached the engine (an internal error) or trained.
        Path arch = CliTest.tinyArchitecture(dir);
        assertOneLine(run("retrain", arch.toString(), "--epochs", "1", "--drop-path", "NaN"), "--drop-path must be at least 0 and below 1");
        assertOneLine(run("retrain", arch.toString(), "--epochs", "1", "--lr", "-1"), "--lr must be a positive number");
        assertOneLine(run("retrain", arch.toString(), "--epochs", "1", "--lr", "Infinity"), "--lr must be a positive number");
        assertOneLine(run("search", "--zoo", "darts-mini", "--epochs", "1", "--lr", "Infinity"),
                "invalid search settings: lr must be a finite number, got Infinity");
        assertOneLine(run("search", "--zoo", "darts-mini", "--epochs", "1", "--grad-clip", "Infinity"),
                "invalid search settings: grad_clip must be a finite number, got Infinity");
    }

    @Test
    void aPathOfTheCommandLineIsEscapedInTheLinesThatReportAWrite(@TempDir Path dir) throws Exception {
        // "wrote a<ESC>[31mb" reached the terminal raw (zoo -o, convert, search --out print the path they wrote).
        Path odd = dir.resolve("a\u001b[31mb.yaml");
        CliTest.Run r = run("zoo", "nas-bench-201", "-o", odd.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("\u001b"), r.out());
        assertTrue(r.out().contains("a\\x1b[31mb.yaml"), r.out());
        Path arch = Files.writeString(dir.resolve("a.nb201"),
                "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|skip_connect~2|");
        r = run("convert", arch.toString(), dir.resolve("o\u001b[2J.json").toString(), "--zoo", "nas-bench-201");
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("\u001b"), r.out());
        assertTrue(r.out().contains("o\\x1b[2J.json"), r.out());
    }
}

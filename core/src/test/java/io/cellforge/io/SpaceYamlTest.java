package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.analysis.Validator;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.cellforge.space.Point;
import io.cellforge.space.SearchSpace;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpaceYamlTest {
    static final String NB201 = SpaceYaml.write(Zoo.get("nas-bench-201").orElseThrow());

    static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in text");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "classes: 10|clases: 10|unknown key 'clases'",
            "classes: 10|classes: ten|expected a number, found 'ten'",
            "input: [3, 32, 32]|input: [3, 32]|input is [channels, height, width], found 2 numbers",
            "preprocess: none|preprocess: nope|preprocess is one of darts, enas, enas_reduce, none; found 'nope'",
            "cellforge: 1|cellforge: 7|this file is schema version 7",
            "    inputs: [in0]|    inputs: in0|inputs must be a list, found 'in0'"})
    void aHandEditedErrorIsReportedAsFileLineColumn(String from, String to, String message) {
        String broken = NB201.replace(from, to);
        int line = lineOf(broken, to);
        LoadException e = assertThrows(LoadException.class, () -> SpaceYaml.read(broken, "nb.yaml"));
        assertTrue(e.getMessage().matches("nb\\.yaml:" + line + ":\\d+: .*"), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aYamlSyntaxErrorNamesItsLine() {
        String broken = NB201.replace("  classes: 10", "  classes: [10");
        LoadException e = assertThrows(LoadException.class, () -> SpaceYaml.read(broken, "nb.yaml"));
        assertTrue(e.getMessage().matches("nb\\.yaml:\\d+:\\d+: YAML syntax: .*"), e.getMessage());
    }

    @Test
    void duplicateKeysAreRefused() {
        String broken = NB201.replace("  classes: 10", "  classes: 10\n  classes: 100");
        LoadException e = assertThrows(LoadException.class, () -> SpaceYaml.read(broken, "nb.yaml"));
        assertEquals("nb.yaml:8:3: key 'classes' appears twice", e.getMessage());
    }

    @Test
    void pythonTagsCannotConstructAnything() throws Exception {
        String text = NB201.replace("  classes: 10", "  classes: !!python/object/apply:os.system [\"echo hi\"]");
        LoadException e = assertThrows(LoadException.class, () -> SpaceYaml.read(text, "evil.yaml"));
        assertTrue(e.getMessage().startsWith("evil.yaml:7:12: classes must be a number, found a list"), e.getMessage());
    }

    @Test
    void aValidationProblemOfALoadedFilePointsAtTheEdgeLine() throws Exception {
        String text = NB201.replaceFirst("\\{from: in0, to: n1, choice: \\{key: n1_p0, candidates: \\[none,",
                "{from: in0, to: n1, choice: {key: n1_p0, candidates: [nonee,");
        SpaceYaml.Loaded l = SpaceYaml.read(text, "nb.yaml");
        List<Problem> ps = l.sources().locate(Validator.validate(l.space()));
        Problem p = ps.stream().filter(Problem::isError).findFirst().orElseThrow();
        assertEquals("nb.yaml:" + lineOf(text, "nonee") + ":9", p.source());
        assertTrue(p.toString().contains("cell cell, edge in0->n1: unknown op 'nonee' (did you mean 'none'?)"), p.toString());
    }

    @Test
    void userOpsAndValueChoicesRoundTripAndCount() throws Exception {
        String text = """
                cellforge: 1
                kind: space
                name: tiny
                network:
                  input: [3, 16, 16]
                  classes: 10
                  channels: 8
                  stem: [{op: conv, out: 8}, bn]
                  stages:
                    - {name: b0, op: {op: my_sep, kernel: $k}, channels: $w, stride: 2}
                  head: [gap, linear]
                values:
                  k: [3, 5]
                  w: [8, 16]
                ops:
                  my_sep:
                    description: "ReLU, depthwise, pointwise, BN"
                    layers: [relu, {op: dwconv, kernel: $kernel, stride: $stride}, {op: conv, kernel: 1}, bn]
                """;
        var s = SpaceYaml.read(text, "tiny.yaml").space();
        assertTrue(Validator.validate(s).isEmpty(), () -> Validator.validate(s).toString());
        assertEquals(s, SpaceYaml.read(SpaceYaml.write(s), "again").space());
        var st = io.cellforge.analysis.SpaceStats.of(s);
        // stem 3*8*9 + 16; block at w=8,k=3: 8*9 + 8*8 + 16; head linear 8*10+10.
        assertEquals(216 + 16 + 72 + 64 + 16 + 90, st.minParams().value());
        // w=16,k=5: dw 8*25, pw 8*16, bn 32; linear 16*10+10.
        assertEquals(216 + 16 + 200 + 128 + 32 + 170, st.maxParams().value());
        assertEquals(java.math.BigInteger.valueOf(4), st.architectures());
    }

    @Test
    void nodePositionsRoundTripExactlyAndAFileWithoutThemStillReads() throws Exception {
        SearchSpace plain = SpaceYaml.read(NB201, "nb.yaml").space();
        assertTrue(plain.positions().isEmpty());
        assertFalse(NB201.contains("layout:"), "a space never drawn writes no layout");
        SearchSpace drawn = plain.withPositions("cell", Map.of("in0", new Point(40, 60), "n1", new Point(312.75, -8.1),
                "n2", new Point(0.1 + 0.2, 1e-7)));
        String text = SpaceYaml.write(drawn);
        assertTrue(text.contains("layout:\n  cell:\n"), text);
        assertTrue(text.contains("    in0: [40, 60]\n"), text);
        SearchSpace back = SpaceYaml.read(text, "drawn.yaml").space();
        assertEquals(drawn, back);
        assertEquals(drawn.positions(), back.positions());
        assertEquals(text, SpaceYaml.write(back), "load, save, load writes the same text");
        assertEquals(plain, new SearchSpace(back.name(), back.description(), back.network(), back.cells(), back.values(),
                back.userOps(), back.meta()), "positions are all that differs");
    }

    @Test
    void aLayoutNamingANodeTheCellDoesNotHaveIsRefusedWithItsLine() {
        String text = NB201 + "layout:\n  cell:\n    ghost: [1, 2]\n";
        LoadException e = assertThrows(LoadException.class, () -> SpaceYaml.read(text, "nb.yaml"));
        assertTrue(e.getMessage().startsWith("nb.yaml:" + lineOf(text, "ghost") + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("layout of cell cell names node 'ghost', which the cell does not have"), e.getMessage());
        String three = NB201 + "layout:\n  cell:\n    in0: [1, 2, 3]\n";
        assertTrue(assertThrows(LoadException.class, () -> SpaceYaml.read(three, "nb.yaml")).getMessage()
                .contains("a node's position is [x, y], found 3 numbers"));
    }
}

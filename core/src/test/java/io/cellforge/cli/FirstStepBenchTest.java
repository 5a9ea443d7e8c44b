package io.cellforge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.cellforge.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench first-step} and {@code bench compare}, with which gpu-check.sh holds the CUDA build to the CPU build. */
class FirstStepBenchTest {
    @TempDir
    static Path shared;
    /** One first-step output for the whole class (a pass of the supernet takes seconds). */
    static Path a;

    @BeforeAll
    static void firstStep() {
        a = shared.resolve("a.json");
        CliTest.Run r = run("bench", "first-step", "--batch", "1", "--out", a.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void twoRunsOfFirstStepWriteTheSameFileAndCompareEqual(@TempDir Path dir) throws Exception {
        Path b = dir.resolve("b.json");
        CliTest.Run r = run("bench", "first-step", "--batch", "1", "--out", b.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(a), Files.readString(b));
        var j = new ObjectMapper().readTree(a.toFile());
        assertTrue(j.get("loss").asDouble() > 0, j.toString().substring(0, 200));
        assertTrue(j.get("gradients").has("alpha/normal_n2_p0"), "the alpha gradients are there");
        assertTrue(j.get("gradients").size() > 100, "and the weights': " + j.get("gradients").size());
        assertEquals(8, j.get("gradients").get("alpha/normal_n2_p0").get("first").size(), "an alpha: its 8 values");
        assertEquals(16, j.get("gradients").get(weightName(j)).get("first").size(), "a weight: its first 16");
        r = run("bench", "compare", a.toString(), b.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().strip().matches("first-step: \\d+ values of \\d+ gradients and the loss agree to 0.001 relative"), r.out());
    }

    @Test
    void compareNamesEachValueOutsideTheToleranceAndExitsOne(@TempDir Path dir) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode j = (ObjectNode) m.readTree(a.toFile());
        ObjectNode grads = (ObjectNode) j.get("gradients");
        String name = weightName(j);
        ArrayNode first = (ArrayNode) grads.get(name).get("first");
        double largest = 0;
        for (var v : first) {
            largest = Math.max(largest, Math.abs(v.asDouble()));
        }
        first.set(3, first.get(3).asDouble() + 2e-3 * largest); // twice the tolerance
        String dropped = "alpha/normal_n2_p0";
        grads.remove(dropped);
        Path b = dir.resolve("b.json");
        m.writeValue(b.toFile(), j);

        CliTest.Run r = run("bench", "compare", a.toString(), b.toString(), "--rtol", "1e-3");
        assertEquals(1, r.code(), r.out() + r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(name + "[3]: ")), r.out());
        assertTrue(lines.contains(dropped + ": only in " + a), r.out());
        assertTrue(lines.get(2).matches("first-step: 2 of \\d+ values differ by more than 0.001 relative"), r.out());
        // a looser tolerance lets the changed value through
        r = run("bench", "compare", a.toString(), b.toString(), "--rtol", "3e-3");
        assertEquals(1, r.code(), r.out());
        assertEquals(2, r.out().strip().lines().count(), r.out());
    }

    /** The first gradient of a weight (not an alpha) with 16 values or more. */
    private static String weightName(com.fasterxml.jackson.databind.JsonNode j) {
        for (var it = j.get("gradients").fieldNames(); it.hasNext(); ) {
            String n = it.next();
            if (!n.startsWith("alpha/") && j.get("gradients").get(n).get("first").size() == 16) {
                return n;
            }
        }
        throw new AssertionError("no weight gradient");
    }

    @Test
    void wrongArgumentsAndFilesAreOneLine(@TempDir Path dir) throws Exception {
        CliTest.Run r = run("bench", "compare", dir.resolve("a.json").toString());
        assertEquals(1, r.code());
        assertEquals("cellforge: bench compare takes two first-step outputs and a --rtol above 0", r.err().strip());
        r = run("bench", "first-step");
        assertEquals("cellforge: bench first-step needs --out FILE", r.err().strip());
        Path other = Files.writeString(dir.resolve("other.json"), "{\"benchmark\": \"darts-step\"}");
        r = run("bench", "compare", other.toString(), dir.resolve("none.json").toString());
        assertEquals(1, r.code());
        assertEquals("cellforge: " + other + ": not the output of `bench first-step`", r.err().strip());
        r = run("bench", "darts-step", other.toString());
        assertEquals("cellforge: bench darts-step takes no file arguments", r.err().strip());
    }
}

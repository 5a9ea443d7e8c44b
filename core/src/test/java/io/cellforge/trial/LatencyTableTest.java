package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyTableTest {
    private static final LatencyTable.Settings QUICK = new LatencyTable.Settings(16, 1, 1, 3);

    @Test
    void theTableIsTimedOnceAndReadBackFromItsFolder(@TempDir Path dir) throws Exception {
        SearchSpace s = TinySpace.space();
        LatencyTable first = LatencyTable.build(s, QUICK, dir);
        assertTrue(first.timedHere() > 0 && first.timedHere() == first.size(), "timed " + first.timedHere() + " of " + first.size());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve(LatencyTable.FILE)), files.toList(), "one file, in the folder given");
        }
        String written = Files.readString(dir.resolve(LatencyTable.FILE));
        assertTrue(written.contains(LatencyTable.cpuModel()), "keyed by the CPU: " + written);

        LatencyTable second = LatencyTable.build(s, QUICK, dir);
        assertEquals(0, second.timedHere(), "a second table over the same space times nothing");
        assertEquals(first.size(), second.size());
        Architecture a = TinySpace.arch("sep_conv_3x3", "max_pool_3x3");
        assertEquals(first.latencyMs(a), second.latencyMs(a), 0.0);
        assertEquals(written, Files.readString(dir.resolve(LatencyTable.FILE)), "nothing new to write");

        // another batch size is another table of the same file; the first one's times are kept
        LatencyTable other = LatencyTable.build(s, new LatencyTable.Settings(4, 1, 1, 3), dir);
        assertTrue(other.timedHere() > 0);
        assertEquals(0, LatencyTable.build(s, QUICK, dir).timedHere());
    }

    @Test
    void anArchitecturesLatencyIsTheSumOfItsOps(@TempDir Path dir) throws Exception {
        LatencyTable t = LatencyTable.build(TinySpace.space(), QUICK, dir);
        Architecture conv = TinySpace.arch("sep_conv_3x3", "sep_conv_3x3");
        Architecture skip = TinySpace.arch("skip_connect", "sep_conv_3x3");
        assertTrue(t.latencyMs(conv) > t.latencyMs(skip), t.latencyMs(conv) + " ms with a conv, " + t.latencyMs(skip) + " ms with skip_connect");

        List<LatencyTable.Part> convParts = t.parts(conv);
        List<LatencyTable.Part> skipParts = t.parts(skip);
        assertEquals(convParts.stream().mapToDouble(LatencyTable.Part::ms).sum(), t.latencyMs(conv), 1e-12);
        for (LatencyTable.Part p : convParts) {
            assertEquals(t.ms(p.op()).orElseThrow(), p.ms(), 0.0, "each part is its op's time in the table: " + p);
        }
        // the stem, the preprocessing, the other edge and the head are the same parts: only the changed edge differs
        double convEdge = convParts.stream().filter(p -> p.where().endsWith("edge in0->n1"))
                .mapToDouble(LatencyTable.Part::ms).sum();
        double skipEdge = skipParts.stream().filter(p -> p.where().endsWith("edge in0->n1"))
                .mapToDouble(LatencyTable.Part::ms).sum();
        assertEquals(t.latencyMs(conv) - t.latencyMs(skip), convEdge - skipEdge, 1e-9, "conv " + convParts + "\nskip " + skipParts);
        assertTrue(convEdge > 0);
    }

    @Test
    void aLayerOnlyZerosReadIsNotCounted(@TempDir Path dir) throws Exception {
        LatencyTable t = LatencyTable.build(TinySpace.space(), QUICK, dir);
        // node 1 is 'none' of the cell's one input, node 2 reads node 1: the stem and the preprocessing feed nothing
        List<String> where = t.parts(TinySpace.arch("none", "sep_conv_3x3")).stream().map(LatencyTable.Part::where).toList();
        assertTrue(where.stream().noneMatch(w -> w.endsWith("input in0") || w.equals("stem")), where.toString());
        assertTrue(where.contains("cell cell, edge n1->n2") && where.contains("head"), where.toString());
        assertTrue(t.parts(TinySpace.arch("skip_connect", "sep_conv_3x3")).stream().anyMatch(p -> p.where().endsWith("input in0")));
    }
}

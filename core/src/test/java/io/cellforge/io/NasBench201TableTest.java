package io.cellforge.io;

import io.cellforge.arch.Architecture;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real NAS-Bench-201 table (shared/data, not part of the project): every cell string maps to a distinct architecture. */
class NasBench201TableTest {
    static final Path TABLE = Path.of("../../shared/data/nas-bench-201-test-accuracy.csv");

    @Test
    void all15625CellsOfTheTableRoundTrip() throws Exception {
        Assumptions.assumeTrue(Files.exists(TABLE), "NAS-Bench-201 table not found at " + TABLE.toAbsolutePath() + "; skipped");
        SearchSpace nb = Zoo.get("nas-bench-201").orElseThrow();
        List<String> lines = Files.readAllLines(TABLE);
        int column = List.of(lines.get(0).split(",")).indexOf("ArchitectureString");
        Set<Architecture> seen = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String s = line.split(",")[column];
            Architecture a = ArchFormats.read(ArchFormat.NB201, s, "table", nb);
            assertEquals(s + "\n", ArchFormats.write(ArchFormat.NB201, nb, a));
            seen.add(a);
        }
        assertEquals(15_625, seen.size());
    }
}

package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.trial.Strategies;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench nas-bench-201`, small: every strategy, dataset and budget, figures that can be true. */
class Nb201BenchCliTest {

    @Test
    void everyStrategyDatasetAndBudgetHasAMeanAndStd() throws Exception {
        Assumptions.assumeTrue(Files.exists(TrialSearchCliTest.TABLE), "NAS-Bench-201 table not found; skipped");
        CliTest.Run r = CliTest.run("bench", "nas-bench-201", "--table", TrialSearchCliTest.TABLE.toString(), "--seeds", "4",
                "--budgets", "5,30");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(4, j.get("seeds").asInt());
        assertTrue(j.get("machine").asText().contains("cores"), j.get("machine").asText());
        assertEquals(94.37, j.get("optimum").get("cifar10").asDouble(), 0.01);
        for (String dataset : List.of("cifar10", "cifar100", "imagenet16-120")) {
            double optimum = j.get("optimum").get(dataset).asDouble();
            for (String s : Strategies.NAMES) {
                JsonNode few = j.get("results").get(dataset).get(s).get("5");
                JsonNode more = j.get("results").get(dataset).get(s).get("30");
                assertTrue(more.get("mean").asDouble() >= few.get("mean").asDouble(), dataset + " " + s + ": more queries, no worse");
                assertTrue(more.get("mean").asDouble() <= optimum + 1e-3, dataset + " " + s);
                assertTrue(few.get("std").asDouble() >= 0);
            }
            assertEquals(0, j.get("results").get(dataset).get("grid").get("30").get("std").asDouble(), 0, "the grid has no seed");
        }
    }

    @Test
    void aMissingTableIsOneLine() {
        CliTest.Run r = CliTest.run("bench", "nas-bench-201", "--table", "/no/such/table.csv");
        assertEquals(1, r.code());
        assertEquals("cellforge: /no/such/table.csv: no such file; give the NAS-Bench-201 table with --table FILE\n", r.err());
    }
}

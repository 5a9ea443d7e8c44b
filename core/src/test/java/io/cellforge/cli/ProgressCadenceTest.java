package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.arch.Architecture;
import io.cellforge.search.SearchEvents;
import io.cellforge.settings.SearchConfig;
import io.cellforge.train.Retrain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Off a terminal, `search` and `retrain` print a line every 30 seconds as well as each epoch's, and the events file
 * takes a progress line at the same cadence. The clock is a counter the test moves: nothing here waits.
 */
class ProgressCadenceTest {
    private static final long SECOND = 1_000_000_000L;
    /** Two epochs of 100 steps, each step one second: 200 seconds in all. */
    private static final int EPOCHS = 2;
    private static final int STEPS = 100;

    @Test
    void searchOffATerminalPrintsALineEvery30SecondsAndEachEpoch(@TempDir Path dir) throws Exception {
        AtomicLong clock = new AtomicLong(5 * SECOND);
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        Path events = dir.resolve("events.jsonl");
        try (SearchCommand.Progress p = new SearchCommand.Progress(err, events, false, new ProgressLine(err, false, clock::get))) {
            p.started("Cpu", SearchConfig.builder("darts").epochs(EPOCHS).build(), STEPS);
            for (int e = 0; e < EPOCHS; e++) {
                for (int s = 0; s < STEPS; s++) {
                    clock.addAndGet(SECOND);
                    p.step(new SearchEvents.Step(e, EPOCHS, s, STEPS, 0.5, 0.75, Double.NaN, 64, Map.of()));
                }
                p.epoch(new SearchEvents.Epoch(e, EPOCHS, 0.5, 0.75, 0.6, 0.7, Map.of(), Architecture.empty(), 100));
            }
        }
        List<String> lines = text.toString().lines().toList();
        // At 30, 60, 90 s into the first epoch, its line, then 120, 150 and 180 s (steps 20, 50, 80 of the second).
        assertEquals(List.of("backend: Cpu",
                "searching with darts: 2 epochs of 100 steps, batch 64",
                "epoch 1/2  step 30/100  loss 0.500  acc 0.75  64.0 img/s  ETA 2m50s",
                "epoch 1/2  step 60/100  loss 0.500  acc 0.75  64.0 img/s  ETA 2m20s",
                "epoch 1/2  step 90/100  loss 0.500  acc 0.75  64.0 img/s  ETA 1m50s",
                "epoch 1/2  train loss 0.500 acc 0.750  valid loss 0.600 acc 0.700  100 s  ETA 1m40s",
                "epoch 2/2  step 20/100  loss 0.500  acc 0.75  64.0 img/s  ETA 1m20s",
                "epoch 2/2  step 50/100  loss 0.500  acc 0.75  64.0 img/s  ETA 0m50s",
                "epoch 2/2  step 80/100  loss 0.500  acc 0.75  64.0 img/s  ETA 0m20s",
                "epoch 2/2  train loss 0.500 acc 0.750  valid loss 0.600 acc 0.700  100 s  ETA 0m00s"), lines);
        // The events: every step and epoch as before, and a progress line with the ETA at the same moments.
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> progress = Files.readAllLines(events).stream().map(l -> read(json, l))
                .filter(j -> j.get("type").asText().equals("progress")).toList();
        assertEquals(6, progress.size());
        assertEquals(List.of(170L, 140L, 110L, 80L, 50L, 20L), progress.stream().map(j -> j.get("eta_s").asLong()).toList());
        assertEquals(List.of(29, 59, 89, 19, 49, 79), progress.stream().map(j -> j.get("step").asInt()).toList());
        assertEquals(EPOCHS * STEPS + EPOCHS + 1 + 6, Files.readAllLines(events).size(), "start, steps, epochs and progress lines");
    }

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndNoLinesAreAdded() {
        AtomicLong clock = new AtomicLong();
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        ProgressLine line = new ProgressLine(err, true, clock::get);
        line.start();
        for (int s = 0; s < 60; s++) {
            clock.addAndGet(SECOND);
            line.step(0, 1, s, 100, "loss 0.500", 64);
        }
        err.flush();
        assertFalse(text.toString().contains("\n"), text.toString());
        assertTrue(text.toString().endsWith("\repoch 1/1 [##################............] step 60/100  loss 0.500  64.0 img/s  ETA 0m40s   "),
                text.toString());
    }

    @Test
    void retrainOffATerminalPrintsALineEvery30SecondsAndEachEpoch() {
        AtomicLong clock = new AtomicLong();
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        RetrainCommand.Progress p = new RetrainCommand.Progress(err, new ProgressLine(err, false, clock::get));
        for (int e = 0; e < EPOCHS; e++) {
            for (int s = 0; s < STEPS; s++) {
                clock.addAndGet(SECOND);
                p.step(new Retrain.Step(e, EPOCHS, s, STEPS, 0.25, 0.9, 70));
            }
            p.epoch(new Retrain.Epoch(e, EPOCHS, 0.25, 0.9, 0.88, 100));
        }
        err.flush();
        assertEquals(List.of(
                "epoch 1/2  step 30/100  loss 0.250  acc 0.90  70.0 img/s  ETA 2m50s",
                "epoch 1/2  step 60/100  loss 0.250  acc 0.90  70.0 img/s  ETA 2m20s",
                "epoch 1/2  step 90/100  loss 0.250  acc 0.90  70.0 img/s  ETA 1m50s",
                "epoch 1/2  train loss 0.250 acc 0.900  test acc 0.8800  100 s  ETA 1m40s",
                "epoch 2/2  step 20/100  loss 0.250  acc 0.90  70.0 img/s  ETA 1m20s",
                "epoch 2/2  step 50/100  loss 0.250  acc 0.90  70.0 img/s  ETA 0m50s",
                "epoch 2/2  step 80/100  loss 0.250  acc 0.90  70.0 img/s  ETA 0m20s",
                "epoch 2/2  train loss 0.250 acc 0.900  test acc 0.8800  100 s  ETA 0m00s"), text.toString().lines().toList());
    }

    private static JsonNode read(ObjectMapper json, String line) {
        try {
            return json.readTree(line);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

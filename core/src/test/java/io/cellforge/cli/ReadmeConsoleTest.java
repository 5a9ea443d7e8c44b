package io.cellforge.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's console examples of commands that need no data are what the commands print today. */
class ReadmeConsoleTest {

    @Test
    void theStatsExampleOfDartsSearchIsWhatStatsPrints() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String cmd = "$ cellforge stats --zoo darts-search\n";
        int at = readme.indexOf(cmd);
        assertTrue(at >= 0, "the README shows stats --zoo darts-search");
        int end = readme.indexOf("\n$ ", at + cmd.length());
        String shown = readme.substring(at + cmd.length(), end + 1);
        // 99,450 .. 481,402: quark0/darts model_search.py's Network(16, 10, 8) has 99,450 parameters outside its
        // MixedOps (the stem's affine BatchNorm's 96 among them), and 481,402 with the two largest candidates kept
        // per node; both summed over named_parameters() with PyTorch 1.13 on 2026-12-01.
        assertTrue(shown.contains("99,450 .. 481,402"), shown);
        assertEquals(shown, CliTest.run("stats", "--zoo", "darts-search").out());
    }
}

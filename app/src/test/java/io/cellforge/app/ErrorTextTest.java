package io.cellforge.app;

import io.cellforge.io.LoadException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorTextTest {

    @Test
    void aWrappedLoadExceptionShowsOnlyItsOwnLineAsTheCliPrintsIt() {
        LoadException le = new LoadException("s.yaml:2:7", "name must be text, found a list");
        assertEquals("s.yaml:2:7: name must be text, found a list", ErrorText.of(new IllegalStateException(le)));
        assertEquals("s.yaml:2:7: name must be text, found a list",
                ErrorText.of(new RuntimeException("java.lang.IllegalStateException: x", new IllegalStateException(le))));
        assertEquals("s.yaml:2:7: name must be text, found a list", ErrorText.of(le));
    }

    @Test
    void aTrialThatCouldNotBeEstimatedSaysWhyNotWhichClassOfSparkGaveUp() {
        // a trial's error is written for the user, whatever the engine or cluster threw beneath it
        assertEquals("trial 0 failed on the cluster: SparkContext has been shutdown", ErrorText.of(new io.cellforge.trial.EstimateException(
                "trial 0 failed on the cluster: SparkContext has been shutdown", new IllegalStateException("SparkContext has been shutdown"))));
        assertEquals("no Spark master answers at spark://h:1: h:1 (Connection refused)",
                ErrorText.of(new io.cellforge.trial.EstimateException("no Spark master answers at spark://h:1: h:1 (Connection refused)")));
    }

    @Test
    void anUnexpectedExceptionIsAShortLineWithoutAChainOfClassNames() {
        assertEquals("internal error (NullPointerException)", ErrorText.of(new RuntimeException(new NullPointerException())));
        assertEquals("internal error (IllegalStateException: nothing to undo)",
                ErrorText.of(new IllegalStateException("nothing to undo")));
        assertEquals("out of memory: start Cellforge with a larger -Xmx, or use a smaller space",
                ErrorText.of(new RuntimeException(new OutOfMemoryError("Java heap space"))));
    }

    @Test
    void fileSystemErrorsSayWhatWentWrongWithThePath() {
        assertEquals("/x/a.yaml: no such file or folder", ErrorText.of(new NoSuchFileException("/x/a.yaml")));
        assertEquals("/x: permission denied", ErrorText.of(new UncheckedIOException(new AccessDeniedException("/x"))));
        assertEquals("cannot write the events file: No space left on device",
                ErrorText.of(new UncheckedIOException("cannot write the events file: No space left on device", new IOException("No space left on device"))));
    }

    @Test
    void controlCharactersAreEscapedAndTheErrorIsTheOneLineOfTheCli() {
        // LoadException escapes what it echoes, so the app shows the very line the CLI prints
        assertEquals("s.yaml:1:1: bad name 'a\\x1b[31mb\\x00'\\n at [Source: x]",
                ErrorText.of(new LoadException("s.yaml:1:1", "bad name 'a\u001b[31mb\u0000'\n at [Source: x]")));
    }

    @Test
    void aCauseCycleEnds() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.initCause(b);
        assertEquals("internal error (Exception: a)", ErrorText.of(b));
    }
}

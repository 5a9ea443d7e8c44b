package io.cellforge.cli;

import io.cellforge.io.SpaceYaml;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A JVM resource that runs out (heap, off-heap, stack) ends as one line that says what to do, exit 1. */
class ResourceErrorsTest {

    /** A command that really runs out of what it is told to. */
    @Command(name = "exhaust")
    static final class Exhaust implements Callable<Integer> {
        @Parameters
        String what;

        @Override
        public Integer call() throws Exception {
            switch (what) {
                case "heap" -> {
                    long[] a = new long[Integer.MAX_VALUE - 16]; // 16 GB: more than any test heap, refused at once
                    return a.length;
                }
                case "stack" -> {
                    return deep(0);
                }
                case "worker" -> { // in a thread of a pool, as a search's workers do
                    ExecutorService pool = Executors.newSingleThreadExecutor();
                    try {
                        return pool.submit(() -> new long[Integer.MAX_VALUE - 16].length).get();
                    } finally {
                        pool.shutdown();
                    }
                }
                case "offheap" -> throw new RuntimeException(new OutOfMemoryError(
                        "Physical memory usage is too high: physicalBytes (17G) > maxPhysicalBytes (16G)"));
                default -> throw new IllegalArgumentException(what);
            }
        }

        private static int deep(int n) {
            return n < 0 ? n : deep(n + 1) + 1;
        }
    }

    private static String[] runs(String what) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new Exhaust(), new String[] {what}, new PrintWriter(out), new PrintWriter(err));
        return new String[] {Integer.toString(code), err.toString()};
    }

    private static void assertOneLine(String err) {
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("cellforge: "), err);
    }

    @Test
    void theHeapRunningOutSaysXmx() {
        String[] r = runs("heap");
        assertEquals("1", r[0]);
        assertOneLine(r[1]);
        assertTrue(r[1].contains("out of memory") && r[1].contains("-Xmx"), r[1]);
    }

    @Test
    void theStackRunningOutSaysXss() {
        String[] r = runs("stack");
        assertEquals("1", r[0]);
        assertOneLine(r[1]);
        assertTrue(r[1].contains("out of stack space") && r[1].contains("-Xss"), r[1]);
    }

    @Test
    void anErrorOfAWorkerThreadReachesTheCommandAsACause() {
        String[] r = runs("worker");
        assertEquals("1", r[0]);
        assertOneLine(r[1]);
        assertTrue(r[1].contains("-Xmx"), r[1]);
    }

    @Test
    void nd4jsOffHeapLimitSaysWhichSettingRaisesIt() {
        String[] r = runs("offheap");
        assertEquals("1", r[0]);
        assertOneLine(r[1]);
        assertTrue(r[1].contains("outside the Java heap") && r[1].contains("maxphysicalbytes"), r[1]);
    }

    @Test
    void anotherErrorIsStillAnInternalError() {
        String[] r = runs("other");
        assertEquals("3", r[0]);
        assertOneLine(r[1]);
        assertTrue(r[1].contains("internal error"), r[1]);
    }

    @Test
    void aThreadOfItsOwnThatRunsOutEndsTheProcessWithOneLine() throws Exception {
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread t = new Thread(() -> {
            throw new StackOverflowError();
        }, "search worker");
        t.setUncaughtExceptionHandler(Main.uncaught(new PrintWriter(err), exit::set));
        t.start();
        t.join();
        assertEquals(1, exit.get());
        assertOneLine(err.toString());
        assertTrue(err.toString().contains("-Xss"), err.toString());

        StringWriter err2 = new StringWriter();
        Thread u = new Thread(() -> {
            throw new IllegalStateException("broken");
        }, "other");
        u.setUncaughtExceptionHandler(Main.uncaught(new PrintWriter(err2), exit::set));
        u.start();
        u.join();
        assertEquals(3, exit.get());
        assertOneLine(err2.toString());
        assertTrue(err2.toString().contains("internal error in thread 'other'"), err2.toString());
    }

    @Test
    void theCauseChainIsFollowed() {
        assertTrue(Main.exhausted(new ExecutionException(new RuntimeException(new OutOfMemoryError()))).contains("-Xmx"));
        assertEquals(null, Main.exhausted(new RuntimeException("x")));
    }

    @Test
    void aSearchThatCannotFitIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        SearchSpace mini = Zoo.get("darts-mini").orElseThrow();
        SearchSpace huge = mini.withNetwork(mini.network().withChannels(1 << 20).withStages(List.of(
                Stage.cell("cell 0", "normal", Role.NORMAL), Stage.cell("cell 1", "normal", Role.NORMAL))));
        Path file = dir.resolve("huge.yaml");
        Files.writeString(file, SpaceYaml.write(huge));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"search", file.toString(), "--data", "digits", "--epochs", "1"},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(1, code, err.toString());
        assertOneLine(err.toString());
        assertTrue(err.toString().contains("needs about") && err.toString().contains("is available"), err.toString());
    }
}

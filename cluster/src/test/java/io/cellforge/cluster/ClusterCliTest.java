package io.cellforge.cluster;

import io.cellforge.cli.Main;
import io.cellforge.io.SpaceYaml;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code search --cluster URL} as a user runs it: the driver (a child JVM, as {@code java -jar cellforge-cluster.jar
 * search ...} starts it) killed mid-search resumes from its trial log without running a finished trial again, and
 * ends as a local search of the same seed and budget.
 */
class ClusterCliTest {

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertFalse(err.toString().contains("\tat "), "no stack trace: " + err);
        return new Run(code, out.toString(), err.toString());
    }

    static List<String> search(Path space, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("search", "--space", space.toString(), "--strategy", "grid", "--estimator", "subnet",
                "--data", "digits", "--epochs", "1", "--batch", "32", "--budget", String.valueOf(Tiny.BUDGET), "--parallel", "2",
                "--seed", "5", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aDriverKilledMidSearchResumesFromItsLogAndEndsAsALocalSearch(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.yaml"), SpaceYaml.write(Tiny.space()));
        Run local = cli(search(space, dir.resolve("local")).toArray(String[]::new));
        assertEquals(0, local.code(), local.err());

        // A local trial beside one other has half the cores as its threads; a Spark task has spark.task.cpus of them:
        // the same count, and two tasks at once, so that the sums are the same on any machine.
        String cpus = String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        String master = "local[" + 2 * Integer.parseInt(cpus) + "]";
        Path runDir = dir.resolve("cluster");
        Path log = runDir.resolve(TrialLog.FILE);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dspark.task.cpus=" + cpus);
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptions().trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterMain.class.getName()));
        cmd.addAll(search(space, runDir, "--cluster", master));
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("driver.log").toFile()).start();
        try {
            StandaloneClusterTest.await("three trials in the driver's log", dir, () -> lines(log) >= 3 || !driver.isAlive());
            assertTrue(driver.isAlive(), "the driver ended before it was killed:\n" + read(dir.resolve("driver.log")));
            driver.destroyForcibly(); // SIGKILL: no shutdown hook, the log as it was at that instant
            assertTrue(driver.waitFor(StandaloneClusterTest.LIMIT.toSeconds(), TimeUnit.SECONDS));
        } finally {
            driver.destroyForcibly();
        }
        String before = Files.readString(log);
        int finished = (int) before.chars().filter(c -> c == '\n').count();
        assertTrue(finished < Tiny.BUDGET, "killed mid-search: " + finished + " trials logged");

        System.setProperty("spark.task.cpus", cpus);
        Run resumed;
        try {
            resumed = cli("search", "--space", space.toString(), "--resume", runDir.toString(), "--strategy", "grid", "--estimator", "subnet",
                    "--data", "digits", "--epochs", "1", "--batch", "32", "--budget", String.valueOf(Tiny.BUDGET), "--parallel", "2", "--seed", "5",
                    "--cluster", master);
        } finally {
            System.clearProperty("spark.task.cpus");
        }
        assertEquals(0, resumed.code(), resumed.err());
        String after = Files.readString(log);
        assertTrue(after.startsWith(before.substring(0, before.lastIndexOf('\n') + 1)), "the finished trials' lines are kept as they were");
        List<Trial> trials = TrialLog.read(log);
        assertEquals(Tiny.BUDGET, trials.size(), after);
        assertEquals(Tiny.BUDGET, trials.stream().map(Trial::index).distinct().count(), "no trial ran twice: " + after);
        assertTrue(trials.stream().allMatch(t -> t.worker().endsWith("executor driver")), after);

        // The result of the local search: the same best architecture, every trial scored alike.
        assertEquals(local.out(), resumed.out());
        List<Trial> here = TrialLog.read(dir.resolve("local").resolve(TrialLog.FILE));
        Comparator<Trial> byIndex = Comparator.comparingInt(Trial::index);
        assertEquals(here.stream().sorted(byIndex).map(t -> t.scores().values()).toList(),
                trials.stream().sorted(byIndex).map(t -> t.scores().values()).toList());
    }

    @Test
    void aMasterThatCannotBeReachedIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.yaml"), SpaceYaml.write(Tiny.space()));
        Run r = cli(search(space, dir.resolve("run"), "--cluster", "nosuch://x").toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("no Spark application could start on nosuch://x: Could not parse Master URL"), r.err());
    }

    @Test
    void aStandaloneMasterNobodyAnswersAtIsNamedAtOnceNotAfterSparksMinuteOfRetries(@TempDir Path dir) throws Exception {
        Path space = Files.writeString(dir.resolve("tiny.yaml"), SpaceYaml.write(Tiny.space()));
        int port = StandaloneClusterTest.freePort(); // closed again: the connection is refused
        Run r = cli(search(space, dir.resolve("run"), "--cluster", "spark://127.0.0.1:" + port).toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("no Spark master answers at spark://127.0.0.1:" + port + ": 127.0.0.1:" + port + " (Connection refused)"
                + "; start one (cellforge-cluster master), or check the host and port"), r.err());
        assertFalse(r.err().contains("SparkContext"), r.err());
    }

    static int lines(Path file) {
        String s = read(file);
        return (int) s.chars().filter(c -> c == '\n').count();
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }
}

package io.cellforge.trial;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.LoadException;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table estimator on NAS-Bench-201, constraints, the Pareto front, the trial log and resuming from it. */
class TrialRunTest {
    static final Path TABLE = Path.of("../../shared/data/nas-bench-201-test-accuracy.csv");
    static final SearchSpace NB = Zoo.get("nas-bench-201").orElseThrow();
    static final String BEST_C10 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|";

    static TableEstimator table() throws LoadException {
        Assumptions.assumeTrue(Files.exists(TABLE), "NAS-Bench-201 table not found at " + TABLE.toAbsolutePath() + "; skipped");
        return TableEstimator.read(TABLE, "ArchitectureString", List.of("CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs"), NB);
    }

    @Test
    void theNasBench201TableScoresEveryCellWithFractions() throws Exception {
        TableEstimator t = table();
        assertEquals(15_625, t.size());
        Architecture a = ArchFormats.read(ArchFormat.NB201, BEST_C10, "test", NB);
        Scores s = t.estimate(a, 0);
        String row = Files.readAllLines(TABLE).stream().filter(l -> l.contains("," + BEST_C10 + ",")).findFirst().orElseThrow();
        double c10 = Double.parseDouble(row.split(",")[0]);
        assertEquals(c10, s.get("CIFAR10TestAccuracy200Epochs").orElseThrow(), 0);
        assertEquals(c10 / 100, s.accuracy(), 1e-12);
        double max = Files.readAllLines(TABLE).stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[0])).max().orElseThrow();
        assertEquals(max / 100, t.rows().values().stream().mapToDouble(Scores::accuracy).max().orElseThrow(), 1e-12);
    }

    @Test
    void aMissingColumnOrABadStringIsNamedWithFileAndLine(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("t.csv"), "arch,acc\n|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,10\n|conv~0|+|x|,20\n");
        LoadException e = assertThrows(LoadException.class, () -> TableEstimator.read(csv, "arch", List.of("accuracy_top1"), NB));
        assertTrue(e.getMessage().contains("t.csv:1") && e.getMessage().contains("no column 'accuracy_top1'")
                && e.getMessage().contains("arch, acc"), e.getMessage());
        e = assertThrows(LoadException.class, () -> TableEstimator.read(csv, "arch", List.of("acc"), NB));
        assertTrue(e.getMessage().startsWith(csv + ":3: '|conv~0|+|x|' is no architecture of space 'nas-bench-201'"), e.getMessage());
        LoadException missing = assertThrows(LoadException.class, () -> TableEstimator.read(dir.resolve("nope.csv"), "arch", List.of("acc"), NB));
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void paramsAndMacsMatchACountByHand() throws Exception {
        // One edge from none to a 1x1 ReLU-conv-BN adds, in each of the 5 cells of each of the 3 stages
        // (C = 16, 32, 64 at 32, 16, 8 pixels a side): C*C weights and 2C affine BN parameters, C*C*H*W multiply-adds.
        Architecture none = ArchFormats.read(ArchFormat.NB201, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "t", NB);
        Architecture one = ArchFormats.read(ArchFormat.NB201, "|none~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|none~2|", "t", NB);
        WithCosts costs = new WithCosts(new StrategiesTest.Additive(DecisionSpace.of(NB), new double[6][5]), NB);
        long dParams = costs.costs(one).params() - costs.costs(none).params();
        long dMacs = costs.costs(one).macs() - costs.costs(none).macs();
        long params = 0;
        long macs = 0;
        int[][] stages = {{16, 32}, {32, 16}, {64, 8}};
        for (int[] st : stages) {
            int c = st[0];
            int hw = st[1] * st[1];
            params += 5L * (c * c + 2 * c);
            macs += 5L * c * c * hw;
        }
        assertEquals(params, dParams);
        assertEquals(macs, dMacs, "multiply-adds of the convolutions (BN folded)");
        Scores s = costs.estimate(one, 0);
        assertEquals((double) Evaluator.evaluate(NB, one).params(), s.get(Scores.PARAMS).orElseThrow());
    }

    @Test
    void constraintsReadAndRefuseClearly() {
        assertEquals(new Constraint("macs", Constraint.Bound.AT_MOST, 2e8), Constraint.parse("macs<=2e8"));
        assertEquals(new Constraint("latency_ms", Constraint.Bound.AT_MOST, 5), Constraint.parse(" latency_ms <= 5 "));
        assertEquals(new Constraint("params", Constraint.Bound.ABOVE, 1e5), Constraint.parse("params>1e5"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse("macs=2e8"));
        assertTrue(e.getMessage().contains("SCORE<=NUMBER"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse("macs<=lots"));
        assertTrue(e.getMessage().contains("'lots' is not a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Constraint.parse("flops<=1").valueIn(new Scores(Map.of("macs", 1.0))));
        assertTrue(e.getMessage().contains("'flops'") && e.getMessage().contains("macs"), e.getMessage());
    }

    @Test
    void aReturnedArchitectureNeverBreaksAConstraint() throws Exception {
        Estimator e = new WithCosts(table(), NB);
        Constraint c = Constraint.parse("params<=4e5");
        for (boolean penalty : new boolean[] {false, true}) {
            Objective o = new Objective(Scores.ACCURACY, List.of(c), penalty, 1);
            for (String name : Strategies.NAMES) {
                for (int seed = 0; seed < 3; seed++) {
                    TrialRun r = new LocalTrialRunner(2).run(Strategies.create(name, DecisionSpace.of(NB), o, seed), e, o, 60, seed,
                            List.of(), TrialRunner.Sink.NONE, new io.cellforge.search.SearchEvents.Listener() {
                            }, () -> false);
                    assertTrue(r.trials().stream().anyMatch(t -> !c.holds(t.scores())), "the space has heavier cells");
                    Trial best = r.best().orElseThrow();
                    assertTrue(c.holds(best.scores()), name + " returned " + best.scores());
                    double unconstrained = r.trials().stream().mapToDouble(t -> t.scores().accuracy()).max().orElseThrow();
                    assertTrue(best.scores().accuracy() <= unconstrained);
                }
            }
        }
    }

    @Test
    void theParetoFrontKeepsWhatNothingDominates() {
        List<Trial> t = List.of(trial(0, 0.9, 300), trial(1, 0.8, 100), trial(2, 0.85, 400), trial(3, 0.95, 500), trial(4, 0.8, 100),
                trial(5, 0.7, 200));
        List<Trial> front = ParetoFront.of(t, List.of(Scores.ACCURACY, Scores.PARAMS));
        assertEquals(List.of(0, 1, 3, 4), front.stream().map(Trial::index).toList());
        assertTrue(ParetoFront.dominates(t.get(0).scores(), t.get(2).scores(), List.of(Scores.ACCURACY, Scores.PARAMS)));
        assertFalse(ParetoFront.dominates(t.get(1).scores(), t.get(4).scores(), List.of(Scores.ACCURACY, Scores.PARAMS)));
    }

    static Trial trial(int i, double acc, double params) {
        return new Trial(i, Architecture.empty(), new Scores(Map.of(Scores.ACCURACY, acc, Scores.PARAMS, params)), 0, 0);
    }

    @Test
    void aResumedSearchEndsAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        TableEstimator e = table();
        Objective o = Objective.of(Scores.ACCURACY);
        for (String name : Strategies.NAMES) {
            for (int parallel : new int[] {1, 3}) {
                LocalTrialRunner runner = new LocalTrialRunner(parallel);
                DecisionSpace d = DecisionSpace.of(NB);
                List<Trial> straight = runner.run(Strategies.create(name, d, o, 5), e, o, 40, 5, List.of(), TrialRunner.Sink.NONE,
                        new io.cellforge.search.SearchEvents.Listener() {
                        }, () -> false).trials();
                Path log = dir.resolve(name + parallel + ".jsonl");
                AtomicInteger count = new AtomicInteger();
                try (TrialLog l = TrialLog.create(log)) {
                    TrialRun first = runner.run(Strategies.create(name, d, o, 5), e, o, 40, 5, List.of(), t -> {
                        l.write(t);
                        count.incrementAndGet();
                    }, new io.cellforge.search.SearchEvents.Listener() {
                    }, () -> count.get() >= 13);
                    assertFalse(first.completed());
                }
                // A crash while the next line was written: half of it on disk.
                Files.writeString(log, "{\"index\":13,\"archi", StandardOpenOption.APPEND);
                List<Trial> logged = TrialLog.read(log);
                assertEquals(count.get(), logged.size(), "the torn line is left out");
                TrialRun resumed;
                try (TrialLog l = TrialLog.append(log)) {
                    resumed = runner.run(Strategies.create(name, d, o, 5), e, o, 40, 5, logged, l::write, new io.cellforge.search.SearchEvents.Listener() {
                    }, () -> false);
                }
                assertTrue(resumed.completed());
                assertEquals(arches(straight), arches(resumed.trials()), name + " x" + parallel);
                assertEquals(straight.stream().map(Trial::scores).toList(), resumed.trials().stream().map(Trial::scores).toList());
                List<Trial> all = TrialLog.read(log);
                assertEquals(40, all.size(), "every trial once in the log, the torn line gone");
                assertEquals(arches(straight), arches(all.stream().sorted(java.util.Comparator.comparingInt(Trial::index)).toList()));
            }
        }
    }

    @Test
    void trialsEstimatedElsewhereAreLoggedWithTheirWorkerAndReplayedWithoutIt(@TempDir Path dir) throws Exception {
        DecisionSpace d = DecisionSpace.of(NB);
        Objective o = Objective.of(Scores.ACCURACY);
        Estimator e = StrategiesTest.Additive.of(d, 3);
        io.cellforge.search.SearchEvents.Listener quiet = new io.cellforge.search.SearchEvents.Listener() {
        };
        List<Trial> here = new LocalTrialRunner(2).run(Strategies.create("rea", d, o, 7), e, o, 12, 7, List.of(), TrialRunner.Sink.NONE,
                quiet, () -> false).trials();
        // A worker elsewhere: the same estimate, named after the thread that asked for it; never the runner's own call.
        LocalTrialRunner.Worker away = (index, a, seed, unused) -> new Trial(index, a, e.estimate(a, seed), 0.5, seed, "w" + (index % 2));
        Path log = dir.resolve(TrialLog.FILE);
        List<Trial> there;
        try (TrialLog l = TrialLog.create(log)) {
            there = new LocalTrialRunner(2, away).run(Strategies.create("rea", d, o, 7), null, o, 12, 7, List.of(), l::write, quiet,
                    () -> false).trials();
        }
        assertEquals(arches(here), arches(there));
        assertEquals(here.stream().map(Trial::scores).toList(), there.stream().map(Trial::scores).toList());
        List<Trial> logged = TrialLog.read(log);
        assertEquals(List.of("w0", "w1"), logged.stream().map(Trial::worker).distinct().sorted().toList());
        assertTrue(Files.readString(log).contains("\"worker\":\"w1\""));
        // Resumed from the whole log, no trial runs again.
        AtomicInteger again = new AtomicInteger();
        LocalTrialRunner.Worker counting = (index, a, seed, unused) -> {
            again.incrementAndGet();
            return away.estimate(index, a, seed, unused);
        };
        List<Trial> resumed = new LocalTrialRunner(2, counting).run(Strategies.create("rea", d, o, 7), null, o, 12, 7, logged,
                TrialRunner.Sink.NONE, quiet, () -> false).trials();
        assertEquals(0, again.get());
        assertEquals(arches(here), arches(resumed));
        // A local trial's line has no worker field, as before.
        try (TrialLog l = TrialLog.create(log)) {
            l.write(here.get(0));
        }
        assertFalse(Files.readString(log).contains("worker"));
        assertEquals("", TrialLog.read(log).get(0).worker());
    }

    static List<Architecture> arches(List<Trial> t) {
        return t.stream().map(Trial::architecture).toList();
    }

    @Test
    void aTornLineInsideTheLogIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve(TrialLog.FILE);
        try (TrialLog l = TrialLog.create(log)) {
            l.write(trial(0, 0.5, 1));
        }
        Files.writeString(log, "{\"index\":1,\n", StandardOpenOption.APPEND);
        try (TrialLog l = TrialLog.append(log)) {
            l.write(trial(2, 0.5, 1));
        }
        LoadException e = assertThrows(LoadException.class, () -> TrialLog.read(log));
        assertTrue(e.getMessage().startsWith(log + ":2: not a trial"), e.getMessage());
        List<Trial> one = TrialLog.read(writeOne(dir));
        assertEquals(trial(0, 0.5, 1), one.get(0));
    }

    static Path writeOne(Path dir) throws Exception {
        Path log = dir.resolve("one.jsonl");
        try (TrialLog l = TrialLog.create(log)) {
            l.write(trial(0, 0.5, 1));
        }
        return log;
    }
}

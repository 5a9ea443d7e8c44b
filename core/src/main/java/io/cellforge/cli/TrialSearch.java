package io.cellforge.cli;

import io.cellforge.arch.Architecture;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Escape;
import io.cellforge.io.FileWrites;
import io.cellforge.io.LoadException;
import io.cellforge.search.SearchEvents;
import io.cellforge.space.SearchSpace;
import io.cellforge.trial.Constraint;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.DefaultEstimator;
import io.cellforge.trial.EstimateException;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.Objective;
import io.cellforge.trial.ProgressiveShrinkingEstimator;
import io.cellforge.trial.Scores;
import io.cellforge.trial.LatencyTable;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.SubNetEstimator;
import io.cellforge.trial.SuperNetEstimator;
import io.cellforge.trial.TableEstimator;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import io.cellforge.trial.TrialRun;
import io.cellforge.trial.TrialRunFiles;
import io.cellforge.trial.TrialRunner;
import io.cellforge.trial.TrialRunnerFactory;
import io.cellforge.trial.TrialStrategy;
import io.cellforge.trial.WithCosts;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * `search --strategy random|grid|evolution|rea|reinforce|tpe`: a multi-trial search, in a run folder (--out, or
 * --resume DIR to continue one from its trial log) laid out as a one-shot run's.
 */
final class TrialSearch {
    private TrialSearch() {
    }

    /**
     * What the estimators that train read: the data (as --data names it), epochs and batch size, and the epochs of
     * the warm-up stage before them (--warmup; 0 for none).
     */
    record Training(String data, int epochs, int batch, int warmup) {
    }

    /**
     * {@code readData}: the data the estimators that train read, as --data, --subset and --test-subset give them;
     * the space is adapted to their shape and classes unless {@code strictShape}.
     */
    static int run(SearchSpace space, String strategyName, TrialOptions o, Training training, Long seedOption, Path out, Path resume,
                   Path events, PrintWriter stdout, PrintWriter err, java.util.function.Supplier<io.cellforge.data.DataBundle> readData,
                   boolean strictShape) {
        if (resume != null && out != null && !resume.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new Main.UserError("--resume " + resume + " and --out " + out + " differ; a resumed run stays in its folder");
        }
        Path dir = resume != null ? resume : out;
        String estimatorName = o.estimator == null ? "table" : o.estimator;
        boolean table = estimatorName.equals("table");
        if (!List.of("table", "subnet", "supernet", "ps").contains(estimatorName)) {
            throw new Main.UserError("estimator '" + estimatorName + "' is not available for multi-trial search; available: table, subnet, "
                    + "supernet, ps");
        }
        if (o.psEpochs != null && (!estimatorName.equals("ps") || o.psEpochs < 1)) {
            throw new Main.UserError("--ps-epochs is for --estimator ps, and at least 1");
        }
        if (estimatorName.equals("ps")) {
            try {
                io.cellforge.search.ElasticSpace.of(space); // refused before anything is read or trained
            } catch (IllegalArgumentException e) {
                throw new Main.UserError("--estimator ps: " + e.getMessage());
            }
        }
        if (table && o.table == null) {
            throw new Main.UserError("--estimator table needs --table FILE (a CSV of architecture strings and scores)");
        }
        if (table && (o.scoreColumns == null || o.scoreColumns.isEmpty())) {
            throw new Main.UserError("--estimator table needs --score-column NAME (the table's accuracy column)");
        }
        if (training.epochs() < 1 || training.batch() < 1) {
            throw new Main.UserError("--epochs and --batch must be at least 1");
        }
        if (training.warmup() < 0) {
            throw new Main.UserError("--warmup " + training.warmup() + ": the warm-up epochs cannot be negative");
        }
        if (training.warmup() > 0 && !estimatorName.equals("supernet")) {
            throw new Main.UserError("--warmup trains a supernet's weights before the search stage starts from them: it serves the supernet "
                    + "estimator, not " + estimatorName + (table ? " (a table's scores need no training)"
                    : " (each child is trained from scratch on its own network)"));
        }
        if (o.latency && o.latencyCache == null && dir == null) {
            throw new Main.UserError("--latency caches its table on disk: give --out DIR or --latency-cache DIR");
        }
        TrialRunnerFactory cluster = null;
        if (o.cluster != null) {
            if (!estimatorName.equals("subnet") || o.latency) {
                throw new Main.UserError("--cluster runs subnet trials (--estimator subnet) without --latency: the other estimators "
                        + "train one network here, and latency is timed on this machine");
            }
            cluster = TrialRunnerFactory.find().orElseThrow(() -> new Main.UserError("--cluster " + o.cluster
                    + ": this Cellforge has no cluster runner; " + TrialRunnerFactory.HOW));
        }
        int budget = o.budget == null ? 100 : o.budget;
        int parallel = o.parallel == null ? 1 : o.parallel;
        if (budget < 1 || parallel < 1) {
            throw new Main.UserError("--budget and --parallel must be at least 1");
        }
        long seed = seedOption == null ? 1 : seedOption;
        List<Constraint> constraints = new ArrayList<>();
        try {
            for (String c : o.constraints == null ? List.<String>of() : o.constraints) {
                constraints.add(Constraint.parse(c));
            }
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--constraint: " + e.getMessage());
        }
        List<String> objectives = o.objectives == null || o.objectives.isEmpty() ? List.of(Scores.ACCURACY) : List.copyOf(o.objectives);
        if (objectives.size() > 2) {
            throw new Main.UserError("--objectives takes one or two scores (the second draws a Pareto front), e.g. accuracy,params");
        }
        Objective objective = new Objective(objectives.get(0), constraints, o.penalty, 1);
        // Read once, before the run folder is written: the network follows the data, and the strategy searches that space.
        io.cellforge.data.DataBundle data = table ? null : readData.get();
        if (data != null) {
            space = DataFit.fit(space, data, strictShape, err);
        }

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("strategy", strategyName);
        settings.put("estimator", estimatorName);
        if (table) {
            settings.put("table", o.table.toAbsolutePath().normalize().toString());
            settings.put("arch_column", o.archColumn);
            settings.put("score_columns", o.scoreColumns);
        } else {
            settings.put("data", training.data());
            settings.put("epochs", training.epochs());
            settings.put("batch", training.batch());
            if (training.warmup() > 0) {
                settings.put("warmup", training.warmup()); // only when set: runs without one record what they did before
            }
        }
        if (estimatorName.equals("ps")) {
            settings.put("ps_epochs", o.psEpochs == null ? training.epochs() : o.psEpochs);
        }
        settings.put("latency", o.latency);
        settings.put("seed", seed);
        settings.put("parallel", parallel);
        settings.put("objectives", objectives);
        settings.put("constraints", constraints.stream().map(Constraint::toString).toList());
        settings.put("penalty", o.penalty);

        List<Trial> logged = List.of();
        try {
            if (resume != null) {
                Map<String, Object> was = TrialRunFiles.settings(resume).orElseThrow(() -> new Main.UserError("--resume " + resume
                        + " holds no multi-trial run (no run.json of one)"));
                Map<String, Object> now = TrialRunFiles.normalised(settings);
                // Both ways: a setting written only when given (warmup) must not be dropped on resuming either.
                java.util.Set<String> keys = new java.util.LinkedHashSet<>(now.keySet());
                keys.addAll(was.keySet());
                for (String k : keys) {
                    if (!String.valueOf(now.get(k)).equals(String.valueOf(was.get(k)))) { // 9 read back may be an int, 9L a long
                        throw new Main.UserError("--resume " + resume + ": the run was started " + (was.containsKey(k) ? "with " + k + " "
                                + was.get(k) : "without " + k) + ", not " + (now.containsKey(k) ? now.get(k) : "without it")
                                + "; give the same options (only --budget may change)");
                    }
                }
                logged = TrialLog.read(resume.resolve(TrialLog.FILE));
            } else if (dir != null) {
                FileWrites.checkWritableFolder(dir);
            }
        } catch (IOException e) {
            throw new Main.UserError(e.getMessage());
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }

        io.cellforge.search.SearchControl control = new io.cellforge.search.SearchControl();
        Estimator estimator = estimator(space, data, estimatorName, o, training, seed, parallel, dir, err, control);
        TrialStrategy strategy;
        try {
            strategy = Strategies.create(strategyName, DecisionSpace.of(space), objective, seed);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }

        TrialRun run;
        try (var interrupt = new Inputs.StopOnInterrupt(control)) {
            try (var held = dir == null ? null : io.cellforge.search.RunService.hold(dir);
                 TrialLog log = dir == null ? null : openLog(dir, space, settings, resume != null);
                 SearchCommand.Progress bar = new SearchCommand.Progress(err, events, resume != null, objective.score())) {
                err.println("searching " + space.name() + " with " + strategyName + ": " + budget + " trials, " + estimatorName + " estimator"
                        + (constraints.isEmpty() ? "" : ", " + (o.penalty ? "penalty " : "subject to ") + constraints));
                if (cluster != null && o.parallel == null) {
                    err.println("one trial at a time on " + o.cluster + ": --parallel N runs N at once");
                }
                TrialRunner runner = cluster == null ? new LocalTrialRunner(parallel)
                        : cluster.subNet(o.cluster, space, data, subnetConfig(training, seed), SubNetEstimator.TRAIN_PORTION, parallel,
                        control::isStopped);
                run = runner.run(strategy, estimator, objective, budget, seed, logged,
                        log == null ? TrialRunner.Sink.NONE : log::write, bar, control::isStopped);
            } catch (EstimateException e) {
                throw new Main.UserError(e.getMessage());
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new Main.UserError(e.getMessage()); // an objective or constraint the estimator has no score for; a foreign log
            } catch (IOException e) {
                throw new Main.UserError(e.getMessage());
            }
            err.println(run.completed() ? "search finished: " + run.trials().size() + " trials in " + SearchEvents.duration(run.seconds())
                    : "search stopped after " + run.trials().size() + " trials; --resume " + (dir == null ? "DIR" : dir) + " continues it");
            Optional<Trial> best = run.best();
            if (best.isEmpty()) {
                err.println("no trial met the constraints " + constraints);
            } else {
                err.println("best: trial " + best.get().index() + " " + best.get().scores().values());
                try {
                    stdout.print(ArchFormats.write(ArchFormat.YAML, space, best.get().architecture()));
                    stdout.flush();
                } catch (LoadException e) {
                    throw new Main.UserError(e.getMessage());
                }
            }
            if (dir != null) {
                try {
                    TrialRunFiles.writeResult(dir, space, run, TrialRunFiles.summary(space, run, strategyName, estimatorName, budget, objectives));
                    err.println("wrote the result to " + Escape.line(dir.toString()));
                } catch (IOException e) {
                    throw new Main.UserError(e.getMessage() + "; the trials are in " + dir.resolve(TrialLog.FILE));
                }
            }
        }
        return run.best().isPresent() ? 0 : 1; // no architecture met the constraints: nothing found
    }

    /** How the subnet estimator trains each child, here and on a cluster alike. */
    private static io.cellforge.train.Retrain.Config subnetConfig(Training t, long seed) {
        return io.cellforge.train.Retrain.Config.darts(t.epochs(), t.batch(), seed);
    }

    /** The estimator named, with costs (and latency when asked) added to its scores. */
    private static Estimator estimator(SearchSpace space, io.cellforge.data.DataBundle data, String name, TrialOptions o, Training t,
                                       long seed, int parallel, Path dir,
                                       PrintWriter err, io.cellforge.search.SearchControl control) {
        try {
            LatencyTable lut = null;
            if (o.latency) {
                Path cache = o.latencyCache != null ? o.latencyCache : dir;
                FileWrites.checkWritableFolder(cache);
                err.println("timing the space's layers for the latency table (cached in " + Escape.line(cache.toString()) + ") ...");
                lut = LatencyTable.build(space, LatencyTable.Settings.of(t.batch()), cache);
            }
            Estimator e = switch (name) {
                case "table" -> TableEstimator.read(o.table, o.archColumn, o.scoreColumns, space);
                case "subnet" -> new SubNetEstimator(space, data, subnetConfig(t, seed), SubNetEstimator.TRAIN_PORTION,
                        Math.min(parallel, SubNetEstimator.maxParallel(space, t.batch(), 1)), lut, control);
                case "ps" -> {
                    int epochs = o.psEpochs == null ? t.epochs() : o.psEpochs;
                    err.println("training the elastic network by progressive shrinking (largest, kernel, expansion, depth; " + epochs
                            + " epoch(s) each) on " + t.data() + " ...");
                    yield ProgressiveShrinkingEstimator.train(space, data, io.cellforge.search.ProgressiveShrinking.Config.of(
                            epochs, t.batch(), seed), 8, lut, new ShrinkingProgress(err), control);
                }
                default -> {
                    SearchEvents.Listener quiet = new SearchEvents.Listener() { };
                    // ModularNAS's chain: a DefaultEstimator's warm-up, whose weights the SuperNetEstimator's training starts from.
                    io.cellforge.search.OneShotSearch.Supernet warm = null;
                    if (t.warmup() > 0) {
                        err.println("warming up the SPOS supernet for " + t.warmup() + " epoch(s) on " + t.data() + " (weights only) ...");
                        warm = DefaultEstimator.warmUp(space, data, io.cellforge.settings.SearchConfig.of("spos", t.warmup(), t.batch(), seed),
                                quiet, control);
                    }
                    err.println("training the SPOS supernet for " + t.epochs() + " epoch(s) on " + t.data()
                            + (warm == null ? "" : ", from the warm-up's weights") + " ...");
                    yield SuperNetEstimator.train(space, data, io.cellforge.settings.SearchConfig.of("spos", t.epochs(), t.batch(), seed), 4, lut,
                            quiet, control, warm);
                }
            };
            // The trained estimators count parameters, multiply-adds and latency themselves; the table's rows have none.
            return name.equals("table") ? withLatency(new WithCosts(e, space), lut) : e;
        } catch (LoadException | IOException e) {
            throw new Main.UserError(e.getMessage());
        } catch (io.cellforge.plan.PlanException e) {
            throw new Main.UserError(space.name() + " does not build: " + e.getMessage());
        }
    }

    /** A table's scores with the latency of each architecture measured here added (none without a table of latencies). */
    private static Estimator withLatency(Estimator inner, LatencyTable lut) {
        if (lut == null) {
            return inner;
        }
        return new Estimator() {
            @Override
            public Scores estimate(Architecture a, long seed) throws EstimateException {
                return io.cellforge.trial.LatencyTable.withLatency(inner.estimate(a, seed), lut, a);
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    private static TrialLog openLog(Path dir, SearchSpace space, Map<String, Object> settings, boolean resumed) throws IOException {
        if (!resumed) {
            TrialRunFiles.start(dir, space, settings);
            return TrialLog.create(dir.resolve(TrialLog.FILE));
        }
        return TrialLog.append(dir.resolve(TrialLog.FILE));
    }
}

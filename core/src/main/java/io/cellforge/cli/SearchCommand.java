package io.cellforge.cli;

import io.cellforge.data.DataBundle;
import io.cellforge.engine.Checkpoint;
import io.cellforge.io.Escape;
import io.cellforge.io.FileWrites;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.LoadException;
import io.cellforge.io.SearchConfigYaml;
import io.cellforge.plan.PlanException;
import io.cellforge.search.OneShotSearch;
import io.cellforge.settings.SearchConfig;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.search.SearchResult;
import io.cellforge.search.RunFiles;
import io.cellforge.search.RunService;
import io.cellforge.space.SearchSpace;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "search", mixinStandardHelpOptions = true, description = {"Search a space with a one-shot strategy and write the derived architecture,",
        "or with a multi-trial strategy (random, grid, evolution, rea, reinforce, tpe) that scores architectures one by one.",
        "Ctrl+C stops after the current step (or the trials running) and still writes what was found."})
final class SearchCommand implements Callable<Integer> {

    static final class Source {
        @Parameters(paramLabel = "SPACE", description = "a space file")
        Path file;
        @Option(names = "--zoo", paramLabel = "NAME", description = "a zoo space, e.g. darts-mini")
        String zoo;
        @Option(names = "--space", paramLabel = "NAME|FILE", description = "a zoo space by name, else a space file")
        String space;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;
    @Option(names = "--data", paramLabel = "DATA", defaultValue = "digits",
            description = "digits or strokes (bundled), or a path: IDX folder, CIFAR binary folder, image folder, CSV (default ${DEFAULT-VALUE})")
    String data;
    @Option(names = "--config", paramLabel = "FILE", description = {"search settings in YAML (strategy, epochs, batch_size, seed, lr, lr_min,",
            "momentum, weight_decay, grad_clip, arch_lr, arch_betas, arch_weight_decay, train_portion, tau_max, tau_min,",
            "generations, path_samples, augment); options given here win. Without it, a ModularNAS space file's",
            "optimizer and estimator settings are used"})
    Path config;
    @Option(names = "--strategy", description = {"darts, darts2, gdas, snas, spos, proxyless or proxyless-uniform (default darts);",
            "multi-trial: random, grid, evolution, rea, reinforce or tpe"})
    String strategy;
    @Option(names = "--epochs", description = "default 10")
    Integer epochs;
    @Option(names = "--batch", description = "default 64")
    Integer batch;
    @Option(names = "--cost-weight", paramLabel = "W", defaultValue = "1",
            description = "one-shot with --constraint: the weight of the budget term in the architecture loss (default ${DEFAULT-VALUE})")
    double costWeight;
    @Option(names = "--seed", description = "default 1")
    Long seed;
    @Option(names = "--lr", description = "weight learning rate, cosine-annealed (default 0.025)")
    Double lr;
    @Option(names = "--lr-min", description = "the learning rate at the end (default 0.001)")
    Double lrMin;
    @Option(names = "--momentum", description = "SGD momentum (default 0.9)")
    Double momentum;
    @Option(names = "--weight-decay", description = "weight decay of the weights (default 3e-4)")
    Double weightDecay;
    @Option(names = "--grad-clip", description = "gradient norm clipping (default 5)")
    Double gradClip;
    @Option(names = "--arch-lr", description = "architecture learning rate (default 3e-4; proxyless: 0.006)")
    Double archLr;
    @Option(names = "--arch-betas", split = ",", paramLabel = "B1,B2", description = "Adam betas of the architecture (default 0.5,0.999; proxyless: 0,0.999)")
    double[] archBetas;
    @Option(names = "--arch-weight-decay", description = "architecture weight decay (default 1e-3; proxyless: 0)")
    Double archWeightDecay;
    @Option(names = "--train-portion", description = "share of the training images that train the weights; the rest trains the architecture (default 0.5)")
    Double trainPortion;
    @Option(names = "--tau-max", description = "Gumbel temperature at the start (gdas: 10, snas: 1)")
    Double tauMax;
    @Option(names = "--tau-min", description = "Gumbel temperature at the end (gdas: 0.1, snas: 0.03)")
    Double tauMin;
    @Option(names = "--generations", description = "spos: generations of the evolutionary search (default 10)")
    Integer generations;
    @Option(names = "--path-samples", description = "proxyless: candidates per choice in an architecture step (default 2, as in the paper)")
    Integer pathSamples;
    @Option(names = "--events", paramLabel = "FILE", description = "write every step and epoch (multi-trial: every trial) as a JSON line")
    Path events;
    @Option(names = "--warmup", paramLabel = "EPOCHS", description = {"train the weights only first, as ModularNAS's DefaultEstimator chained",
            "before the search: one-shot (not spos): the first EPOCHS of --epochs hold the architecture weights;",
            "multi-trial --estimator supernet: EPOCHS of warm-up, then --epochs of training from its weights (default 0)"})
    Integer warmup;
    @Option(names = "--step", paramLabel = "NAME", description = "the step of a VEGA pipeline config to read (default: its search step)")
    String step;
    @Option(names = "--out", paramLabel = "DIR", description = {"run in DIR as the app runs: the space, settings and events as it goes,",
            "then the result and the architecture in every format (the app's run list reads it)"})
    Path out;
    @Option(names = "--checkpoint", paramLabel = "DIR", description = "save the run into DIR after every epoch and when stopped")
    Path checkpoint;
    @Option(names = "--resume", paramLabel = "DIR", description = "continue the run saved in DIR exactly where it stopped")
    Path resume;
    @Option(names = "--strict-shape", description = "refuse data whose shape or classes differ from the space's, instead of adapting the network's input and classes to them")
    boolean strictShape;

    @picocli.CommandLine.Mixin
    AugmentOptions augmentation;
    @picocli.CommandLine.Mixin
    TrialOptions trials;
    @picocli.CommandLine.Mixin
    SubsetOptions subset;
    /** What the search was fed (the sample, the normalisation), kept beside the result in --out. */
    private io.cellforge.data.DataReport dataReport;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (source.space != null) {
            if (io.cellforge.zoo.Zoo.get(source.space).isPresent()) {
                source.zoo = source.space;
            } else {
                source.file = Path.of(source.space);
            }
        }
        if (strategy != null && io.cellforge.trial.Strategies.isMultiTrial(strategy)) {
            if ((subset.train != null || subset.test != null) && (trials.estimator == null || trials.estimator.equals("table"))) {
                throw new Main.UserError("--subset and --test-subset are for estimators that train (subnet, supernet, ps); a table's "
                        + "scores read no data");
            }
            SearchSpace space = Inputs.searchableImport(source.file, source.zoo, step).space();
            TrialSearch.Training training = new TrialSearch.Training(data, epochs == null ? 1 : epochs, batch == null ? 64 : batch,
                    warmup == null ? 0 : warmup);
            checkEvents(events);
            long dataSeed = seed == null ? 1 : seed;
            return TrialSearch.run(space, strategy, trials, training, seed, out, resume, events, spec.commandLine().getOut(),
                    spec.commandLine().getErr(), () -> {
                        DataBundle b = subset.apply(Inputs.data(data), dataSeed);
                        if (b.sample().partial()) {
                            spec.commandLine().getErr().println("data: " + b.sample().line());
                        }
                        return b;
                    }, strictShape);
        }
        if (step != null && source.file == null) {
            throw new Main.UserError("--step names a step of a VEGA pipeline config given as SPACE");
        }
        io.cellforge.io.Imported imported = Inputs.searchableImport(source.file, source.zoo, step);
        SearchConfig cfg = config(imported.search());
        DataBundle bundle = subset.apply(Inputs.data(data), cfg.seed());
        if (bundle.sample().partial()) {
            spec.commandLine().getErr().println("data: " + bundle.sample().line());
        }
        dataReport = io.cellforge.data.DataReport.of(data, bundle);
        PrintWriter err = spec.commandLine().getErr();
        SearchSpace space = DataFit.fit(imported.space(), bundle, strictShape, err);
        checkOutputs();
        io.cellforge.trial.OneShotBudget budget = budget(cfg);
        List<io.cellforge.search.CostTerm> costs = costTerms(budget, space, err);
        if (out != null && resume == null && !budget.isEmpty()) {
            try {
                budget.write(out);
            } catch (IOException e) {
                throw new Main.UserError(e.getMessage());
            }
        }
        SearchControl control = new SearchControl();
        // The interrupt guard closes last: Ctrl+C waits until the result below is written.
        try (var interrupt = new Inputs.StopOnInterrupt(control)) {
            SearchResult result;
            try (Progress progress = new Progress(err, events, resume != null, ProgressLine.onStderr(err))) {
                // --out is a run folder, as the app writes them: the app lists it and opens its result.
                result = out != null
                        ? RunService.search(out, space, bundle, data, cfg, costs, checkpoint, resume, progress, control)
                        : new OneShotSearch(space, bundle, cfg, costs).run(progress, control, checkpoint, resume);
            } catch (PlanException | LoadException e) {
                throw new Main.UserError(e.getMessage());
            } catch (IOException e) {
                throw new Main.UserError(e.getMessage()); // names the folder or file
            }
            err.println(result.completed() ? "search finished" : "search stopped early; writing what it found");
            if (!costs.isEmpty()) {
                try {
                    err.println(budget.report(costs, space, result, out)); // kept in the run folder as the app keeps it
                } catch (IOException e) {
                    err.println(Escape.line("warning: the budget's report could not be written: " + e.getMessage()));
                }
            }
            // The architecture goes to stdout first: whatever happens to the files, it is not lost.
            spec.commandLine().getOut().print(ArchFormats.write(ArchFormat.YAML, space, result.architecture()));
            spec.commandLine().getOut().flush();
            if (out != null) {
                writeResult(space, result, err);
            }
            err.flush();
        }
        return 0;
    }

    /**
     * `--constraint` on a one-shot search: each budget (macs, params, latency_ms) as an expected-cost term of the
     * architecture loss, as ProxylessNAS adds its latency; `>=` bounds have no meaning there and are refused.
     */
    private io.cellforge.trial.OneShotBudget budget(SearchConfig cfg) {
        io.cellforge.trial.OneShotBudget given;
        try {
            given = io.cellforge.trial.OneShotBudget.parse(trials.constraints == null ? List.of() : trials.constraints, costWeight,
                    cfg.strategy());
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--constraint: " + e.getMessage());
        }
        if (resume == null) {
            return given;
        }
        // A run resumes under the budget it was searched under (its run folder keeps it, as the app's do).
        io.cellforge.trial.OneShotBudget kept;
        try {
            kept = io.cellforge.trial.OneShotBudget.read(resume);
        } catch (IOException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (given.isEmpty() || given.equals(kept)) {
            return given.isEmpty() ? kept : given;
        }
        throw new Main.UserError("--constraint: the run in " + resume + " was searched under "
                + (kept.isEmpty() ? "no budget" : "the budget " + kept.describe()) + "; resume it under the same one or give none");
    }

    private List<io.cellforge.search.CostTerm> costTerms(io.cellforge.trial.OneShotBudget budget, SearchSpace space, PrintWriter err) {
        if (budget.isEmpty()) {
            return List.of();
        }
        Path cache = trials.latencyCache != null ? trials.latencyCache : out;
        if (budget.needsLatency()) {
            if (cache == null) {
                throw new Main.UserError("--constraint latency_ms: the latency table is cached on disk; give --out DIR or --latency-cache DIR");
            }
            try {
                io.cellforge.io.FileWrites.checkWritableFolder(cache);
            } catch (IOException e) {
                throw new Main.UserError(e.getMessage());
            }
            err.println("timing the space's layers for the latency table (cached in " + io.cellforge.io.Escape.line(cache.toString()) + ") ...");
        }
        try {
            return budget.terms(space, cache, batch == null ? 64 : batch);
        } catch (IOException | PlanException e) {
            throw new Main.UserError(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("--constraint: " + e.getMessage());
        }
    }

    /** A space read from a VEGA file: the architecture also as the description VEGA builds, beside the others. */
    private void writeVega(SearchSpace space, SearchResult result, PrintWriter err) {
        if (source.file == null) {
            return;
        }
        String text = Inputs.text(source.file);
        if (!io.cellforge.io.VegaDesc.isVega(text, source.file.toString(), step)) {
            return;
        }
        Path file = out.resolve("architecture.vega.yml");
        try {
            FileWrites.writeAtomically(file, io.cellforge.io.VegaDesc.write(text, source.file.toString(), step, space,
                    result.architecture()));
            err.println("wrote VEGA's description of it to " + Escape.line(file.toString()));
        } catch (LoadException | IOException e) {
            err.println(Escape.line("warning: no " + file + ": " + e.getMessage()));
        }
    }

    /**
     * Writes the result into --out; if that fails, into a new folder in the system's temporary folder, and says
     * where. --out is left as it was (the files are replaced all together or not at all).
     */
    private void writeResult(SearchSpace space, SearchResult result, PrintWriter err) throws LoadException {
        try {
            RunFiles.writeResult(space, result, out);
            writeDataReport(out, err);
            err.println("wrote the architecture to " + Escape.line(out.toString()));
            writeVega(space, result, err);
            return;
        } catch (IOException e) {
            String kept = checkpoint != null ? "; the run is in the checkpoint " + checkpoint : "";
            try {
                Path rescue = Files.createTempDirectory("cellforge-result-");
                RunFiles.writeResult(space, result, rescue);
                writeDataReport(rescue, err);
                throw new Main.UserError(e.getMessage() + "; " + out + " is left as it was and the result was written to " + rescue
                        + " instead" + kept);
            } catch (IOException again) {
                throw new Main.UserError(e.getMessage() + "; " + out + " is left as it was and the architecture is on stdout" + kept);
            }
        }
    }

    /** After the result: a data.json that cannot be written is a warning, the result being there. */
    private void writeDataReport(Path dir, PrintWriter err) {
        Path f = dir.resolve(io.cellforge.data.DataReport.FILE);
        try {
            dataReport.write(dir);
        } catch (IOException e) {
            err.println(Escape.line("warning: no " + f + ": " + e.getMessage()));
        }
    }

    /**
     * Before the search: --out, --checkpoint and --events must be writable, and --checkpoint must be a folder of
     * its own (a checkpoint, an empty folder or a new one), never a folder that holds the user's files.
     */
    private void checkOutputs() {
        try {
            if (checkpoint != null) {
                Path ck = real(checkpoint);
                Path cwd = real(Path.of(""));
                if (cwd.startsWith(ck)) {
                    throw new Main.UserError("--checkpoint " + checkpoint + " is the working folder or holds it; give a folder of its own, e.g. "
                            + checkpoint.resolve("ck"));
                }
                if (source.file != null && real(source.file).startsWith(ck)) {
                    throw new Main.UserError("--checkpoint " + checkpoint + " holds the space file " + source.file
                            + "; give a folder of its own, e.g. " + checkpoint.resolve("ck"));
                }
                if (Files.isDirectory(ck) && !Checkpoint.isCheckpoint(ck)) {
                    try (var entries = Files.list(ck)) {
                        if (entries.findAny().isPresent()) {
                            throw new Main.UserError("--checkpoint " + checkpoint + " is a folder with files in it and not a Cellforge "
                                    + "checkpoint; give a new or empty folder");
                        }
                    }
                }
                FileWrites.checkWritableFolder(checkpoint);
            }
            if (out != null) {
                FileWrites.checkWritableFolder(out);
            }
            checkEvents(events);
        } catch (IOException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    /**
     * --events, one-shot or multi-trial: a writable regular file, new or the events of a search (a new run replaces
     * it and a resumed one appends to it: neither may hit a file of the user's).
     */
    static void checkEvents(Path events) {
        try {
            if (events != null) {
                if (Files.isDirectory(events)) {
                    throw new Main.UserError("--events " + events + " is a folder; give a file");
                }
                FileWrites.checkWritableFolder(events.toAbsolutePath().getParent());
                if (Files.exists(events) && !Files.isRegularFile(events)) { // a FIFO blocks the run, a device eats it
                    throw new Main.UserError("--events " + events + " is not a regular file; give a file");
                }
                if (Files.exists(events) && !Files.isWritable(events)) {
                    throw new Main.UserError("--events " + events + ": cannot write it: permission denied");
                }
                if (Files.isRegularFile(events) && Files.size(events) > 0 && !isEventsFile(events)) {
                    throw new Main.UserError("--events " + events + " is a file that is not the events of a search; give a new file");
                }
            }
        } catch (IOException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    /** Whether {@code f} starts as an events file starts: a JSON line with a "type" first. */
    private static boolean isEventsFile(Path f) throws IOException {
        byte[] start = new byte[9];
        try (var in = Files.newInputStream(f)) {
            return in.readNBytes(start, 0, start.length) == start.length
                    && new String(start, java.nio.charset.StandardCharsets.US_ASCII).equals("{\"type\":\"");
        }
    }

    /** The path with links resolved as far as it exists, so that "." and a link to it compare equal. */
    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? abs : existing.toRealPath().resolve(existing.relativize(abs));
    }

    /**
     * The strategy's defaults, or the settings the space file gives (a ModularNAS config's optimizer and estimator)
     * when neither --config nor another --strategy is given; then the settings file; then the options given.
     */
    private SearchConfig config(SearchConfig fromSpace) {
        if (strategy != null && !SearchConfig.STRATEGIES.contains(strategy)) {
            throw new Main.UserError("strategy '" + strategy + "' is not available; available: " + String.join(", ", SearchConfig.STRATEGIES)
                    + "; multi-trial: " + String.join(", ", io.cellforge.trial.Strategies.NAMES));
        }
        SearchConfig.Builder b;
        try {
            if (config != null) {
                b = SearchConfigYaml.read(Inputs.text(config), config.toString(), strategy);
            } else if (fromSpace != null && (strategy == null || strategy.equals(fromSpace.strategy()))) {
                b = fromSpace.toBuilder();
                spec.commandLine().getErr().println("search settings from " + source.file + ": " + fromSpace.strategy()
                        + ", " + fromSpace.epochs() + " epochs, lr " + fromSpace.lr() + ", arch_lr " + fromSpace.archLr());
            } else {
                b = SearchConfig.builder(strategy == null ? "darts" : strategy);
            }
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
        SearchConfig base = b.build();
        set(epochs, b::epochs);
        set(batch, b::batchSize);
        set(seed, b::seed);
        set(lr, b::lr);
        set(lrMin, b::lrMin);
        set(momentum, b::momentum);
        set(weightDecay, b::weightDecay);
        set(gradClip, b::gradClip);
        set(archLr, b::archLr);
        if (archBetas != null) {
            if (archBetas.length != 2) {
                throw new Main.UserError("--arch-betas takes two numbers, e.g. 0.5,0.999");
            }
            b.archBeta1(archBetas[0]).archBeta2(archBetas[1]);
        }
        set(archWeightDecay, b::archWeightDecay);
        set(trainPortion, b::trainPortion);
        set(tauMax, b::tauMax);
        set(tauMin, b::tauMin);
        set(generations, b::generations);
        set(pathSamples, b::pathSamples);
        set(warmup, b::warmup);
        b.augment(augmentation.over(base.augment()));
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new Main.UserError("invalid search settings: " + e.getMessage());
        }
    }

    private static <V> void set(V value, java.util.function.Consumer<V> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /**
     * Progress on stderr ({@link ProgressLine}: a bar with ETA on a terminal, a line every 30 s otherwise) with a
     * line per epoch, or per tenth of a multi-trial budget, and JSON lines: every step, epoch and trial, and a progress
     * line with the ETA at the same 30 s cadence.
     */
    static final class Progress implements SearchEvents.Listener, AutoCloseable {
        private final PrintWriter err;
        private final RunFiles.EventLog events;
        private final ProgressLine line;
        private int epochs;
        /** Multi-trial: the objective's score, shown for the best trial; the trials replayed; the tenth last shown; a bar drawn. */
        private final String trialScore;
        private int replayed;
        private int shownTenth = -1;
        private boolean trialBar;

        private boolean eventsFailed;

        /** A resumed run appends to its events file (after a line that marks the resume); a new run starts it afresh. */
        Progress(PrintWriter err, Path eventsFile, boolean resumed, ProgressLine line) throws IOException {
            this(err, eventsFile, resumed, line, io.cellforge.trial.Scores.ACCURACY);
        }

        /** A multi-trial search's: {@code trialScore} is the objective's score. */
        Progress(PrintWriter err, Path eventsFile, boolean resumed, String trialScore) throws IOException {
            this(err, eventsFile, resumed, ProgressLine.onStderr(err), trialScore);
        }

        private Progress(PrintWriter err, Path eventsFile, boolean resumed, ProgressLine line, String trialScore) throws IOException {
            this.err = err;
            this.events = eventsFile == null ? null : new RunFiles.EventLog(eventsFile, resumed);
            this.line = line;
            this.trialScore = trialScore;
            line.start();
        }

        @Override
        public void trialsResumed(int trials) {
            replayed = trials;
            err.println("resumed: " + trials + " trials read from the log");
            err.flush();
            emit(() -> events.trialsResumed(trials));
        }

        @Override
        public void trial(SearchEvents.Trial t) {
            int done = t.index() + 1;
            int budget = Math.max(done, t.budget());
            int fresh = Math.max(1, done - replayed);
            double eta = done <= replayed ? 0 : line.elapsedSeconds() / fresh * (budget - done);
            Double best = t.bestScores().get(trialScore);
            int width = 30;
            int filled = (int) Math.round(width * (double) done / budget);
            String text = String.format("trial %d/%d [%s%s] best %s %s  ETA %s", done, budget, "#".repeat(filled), ".".repeat(width - filled),
                    trialScore, best == null ? "-" : String.format("%.4f", best), SearchEvents.duration(eta));
            if (line.tty()) {
                err.print("\r" + text + "   ");
                err.flush();
                trialBar = true;
            } else if (done * 10 / budget > shownTenth) {
                shownTenth = done * 10 / budget;
                err.println(text);
                err.flush();
            }
            emit(() -> events.trial(t));
        }

        @Override
        public void resumed(int epoch, int step) {
            err.println(epoch >= epochs ? "resumed a run that had finished all " + epochs + " epochs"
                    : "resumed at epoch " + (epoch + 1) + ", step " + (step + 1));
            emit(() -> events.resumed(epoch, step));
        }

        @Override
        public void warning(String message) {
            if (trialBar) { // the bar's line ends first, else the warning runs on from it; the next trial draws it again
                err.println();
                trialBar = false;
            }
            err.println("cellforge: warning: " + Escape.line(message));
            err.flush();
        }

        @Override
        public void started(String backend, SearchConfig config, int steps) {
            line.start();
            epochs = config.epochs();
            err.println("backend: " + backend);
            err.println("searching with " + config.strategy() + ": " + config.epochs() + " epochs of " + steps + " steps, batch "
                    + config.batchSize());
            err.flush();
            emit(() -> events.started(backend, config, steps));
        }

        @Override
        public void step(SearchEvents.Step s) {
            boolean due = line.step(s.epoch(), s.epochs(), s.step(), s.stepsPerEpoch(),
                    String.format(java.util.Locale.ROOT, "loss %.3f  acc %.2f", s.trainLoss(), s.trainAccuracy()), s.imagesPerSecond());
            emit(() -> events.step(s));
            if (due) {
                double eta = line.eta((long) s.epoch() * s.stepsPerEpoch() + s.step() + 1, (long) s.epochs() * s.stepsPerEpoch());
                emit(() -> events.progress(s.epoch(), s.step(), s.imagesPerSecond(), eta));
            }
        }

        @Override
        public void generation(int g, int generations, double best, io.cellforge.arch.Architecture arch) {
            err.printf("evolution %d/%d  best path valid acc %.3f%n", g, generations, best);
            err.flush();
        }

        @Override
        public void epoch(SearchEvents.Epoch e) {
            double eta = line.eta(e.epoch() + 1, e.epochs());
            err.printf("%sepoch %d/%d  train loss %.3f acc %.3f  valid loss %.3f acc %.3f  %.0f s  ETA %s%n", line.clearBar(),
                    e.epoch() + 1, e.epochs(), e.trainLoss(), e.trainAccuracy(), e.validLoss(), e.validAccuracy(), e.seconds(),
                    SearchEvents.duration(eta));
            err.flush();
            emit(() -> events.epoch(e));
        }

        /** An events file that stops taking lines (a full disk) is a warning: the search and its result go on. */
        private void emit(Runnable write) {
            if (events == null || eventsFailed) {
                return;
            }
            try {
                write.run();
            } catch (java.io.UncheckedIOException ex) {
                eventsFailed = true;
                warning(ex.getMessage() + "; the search goes on without it");
            }
        }

        @Override
        public void close() throws IOException {
            if (trialBar) {
                err.println(); // off the bar's line
                err.flush();
            }
            if (events != null) {
                events.close();
            }
        }
    }
}

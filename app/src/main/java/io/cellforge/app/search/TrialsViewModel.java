package io.cellforge.app.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.app.ErrorText;
import io.cellforge.arch.Decision;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.io.LoadException;
import io.cellforge.search.RunFiles;
import io.cellforge.space.Place;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.ValueChoice;
import io.cellforge.trial.Constraint;
import io.cellforge.trial.DecisionSpace;
import io.cellforge.trial.EstimateException;
import io.cellforge.trial.Estimator;
import io.cellforge.trial.LocalTrialRunner;
import io.cellforge.trial.Objective;
import io.cellforge.trial.ParetoFront;
import io.cellforge.trial.Scores;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.TableEstimator;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialLog;
import io.cellforge.trial.TrialRun;
import io.cellforge.trial.TrialRunFiles;
import io.cellforge.trial.TrialRunner;
import io.cellforge.trial.TrialRunnerFactory;
import io.cellforge.trial.WithCosts;
import io.cellforge.data.DataBundle;
import io.cellforge.edit.EditException;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.plan.PlanException;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.settings.SearchConfig;
import io.cellforge.train.Retrain;
import io.cellforge.trial.LatencyTable;
import io.cellforge.trial.SubNetEstimator;
import io.cellforge.trial.SuperNetEstimator;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A multi-trial search as the Search tab runs and shows it: the run panel's multi-trial settings (budget, parallel
 * trials, the estimator: a table's file and columns, or the epochs of the subnet or supernet estimator; latency
 * measured here; constraints as a filter or a penalty; one or two objectives), checked before anything runs; the trials of the run
 * shown as app-side points, and what the live views draw of them (best so far, accuracy against a cost with the
 * Pareto front, the scores' distribution, how often each key took each option); the trial picked, fixed into the
 * space for the cell canvas. The run itself goes through {@link SearchViewModel} on its executor.
 */
public final class TrialsViewModel {
    /** The NAS-Bench-201 table's columns, filled in when that table is chosen for the nas-bench-201 space. */
    static final String NB201_ARCH = "ArchitectureString";
    static final String NB201_SCORE = "CIFAR10TestAccuracy200Epochs";
    /** The costs a trial point can be drawn against, when the estimator reports them. */
    public static final List<String> AXES = List.of(Scores.PARAMS, Scores.MACS, Scores.LATENCY);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TABLE = "table";
    static final String SUBNET = "subnet";
    static final String SUPERNET = "supernet";
    static final String PS = "ps";
    /** The estimators offered, as the CLI's {@code --estimator} names them. */
    public static final List<String> ESTIMATORS = List.of(TABLE, SUBNET, SUPERNET, PS);
    /** No second objective: one score is maximised, no Pareto front is written. */
    public static final String NONE = "none";
    /** The batch a table's latencies are timed at (the CLI's default --batch). */
    private static final int TABLE_LATENCY_BATCH = 64;

    // Settings.
    private final IntegerProperty budget = new SimpleIntegerProperty(100);
    private final IntegerProperty parallel = new SimpleIntegerProperty(1);
    private final StringProperty estimator = new SimpleStringProperty("table");
    private final StringProperty table = new SimpleStringProperty("");
    private final StringProperty archColumn = new SimpleStringProperty(NB201_ARCH);
    private final StringProperty scoreColumn = new SimpleStringProperty("");
    private final StringProperty constraints = new SimpleStringProperty("");
    private final BooleanProperty penalty = new SimpleBooleanProperty();
    private final IntegerProperty childEpochs = new SimpleIntegerProperty(1);
    private final IntegerProperty supernetEpochs = new SimpleIntegerProperty(2);
    private final IntegerProperty psEpochs = new SimpleIntegerProperty(1);
    private final IntegerProperty warmupEpochs = new SimpleIntegerProperty(0);
    private final IntegerProperty trainBatch = new SimpleIntegerProperty(64);
    private final BooleanProperty latency = new SimpleBooleanProperty();
    /** A Spark master URL for subnet trials; empty for this machine's threads. */
    private final StringProperty cluster = new SimpleStringProperty("");
    /** Where a cluster runner comes from: the classpath's, unless a test says otherwise. */
    private Supplier<Optional<TrialRunnerFactory>> clusterRunners = TrialRunnerFactory::find;
    private final StringProperty firstObjective = new SimpleStringProperty(Scores.ACCURACY);
    private final StringProperty secondObjective = new SimpleStringProperty(NONE);
    private final javafx.beans.binding.BooleanBinding trained = javafx.beans.binding.Bindings.createBooleanBinding(
            () -> SUBNET.equals(estimator.get()) || SUPERNET.equals(estimator.get()) || PS.equals(estimator.get()), estimator);

    // The run shown.
    private final ObservableList<TrialPoint> points = FXCollections.observableArrayList();
    private final StringProperty axis = new SimpleStringProperty(Scores.PARAMS);
    private final ObjectProperty<TrialPoint> selected = new SimpleObjectProperty<>();
    private final ObjectProperty<SearchSpace> selectedSpace = new SimpleObjectProperty<>();
    private final IntegerProperty shownBudget = new SimpleIntegerProperty();
    private final List<Trial> trials = new ArrayList<>();
    private SearchSpace space;
    private DecisionSpace decisions;
    private Objective objective = Objective.of(Scores.ACCURACY);
    private Trial best;
    /** The table read for the last check, kept for the run that follows it (15,625 rows need not be read twice). */
    private TableEstimator cachedTable;
    private List<Object> cachedKey;

    /**
     * A trial as the views draw it: its number, accuracy, every score by name, whether it meets the constraints, the
     * best accuracy up to it, and its decisions in words.
     */
    public record TrialPoint(int index, double accuracy, Map<String, Double> scores, boolean feasible, Double bestSoFar,
                             Map<String, String> decisions) {
        public Double score(String name) {
            return scores.get(name);
        }
    }

    /** A bar of the scores' histogram: the bin's lower and upper accuracy and how many trials fell in it. */
    public record Bin(double from, double to, int count) {
    }

    // ---- settings -----------------------------------------------------------------------------------------

    public IntegerProperty budgetProperty() {
        return budget;
    }

    public IntegerProperty parallelProperty() {
        return parallel;
    }

    /** The Spark master the subnet trials run on (spark://host:7077, local[4]); empty for this machine. */
    public StringProperty clusterProperty() {
        return cluster;
    }

    /** Tests: where the cluster runner is looked for. */
    void clusterRunners(Supplier<Optional<TrialRunnerFactory>> lookup) {
        clusterRunners = lookup;
    }

    /**
     * How a trial is scored: {@code table} (looked up in a CSV), {@code subnet} (each child trained a few epochs on the
     * data, trials side by side), {@code supernet} (a SPOS supernet trained once, each child scored by its path).
     */
    public List<String> estimators() {
        return ESTIMATORS;
    }

    /** Whether the estimator chosen trains on data (subnet, supernet): the run panel shows the data and its epochs. */
    public javafx.beans.binding.BooleanBinding trainedProperty() {
        return trained;
    }

    /** Subnet: the epochs each child trains before it is validated. */
    public IntegerProperty childEpochsProperty() {
        return childEpochs;
    }

    /** Supernet: the epochs the SPOS supernet trains, once, before the trials. */
    public IntegerProperty supernetEpochsProperty() {
        return supernetEpochs;
    }

    /**
     * Supernet: epochs of ModularNAS's DefaultEstimator before it (weights only, paths drawn uniformly), whose
     * weights the supernet's training then starts from; 0 for none.
     */
    public IntegerProperty warmupEpochsProperty() {
        return warmupEpochs;
    }

    /** Progressive shrinking: the epochs of each of its four phases (largest, kernel, expansion, depth). */
    public IntegerProperty psEpochsProperty() {
        return psEpochs;
    }

    /** Subnet, supernet and progressive shrinking: the training batch. */
    public IntegerProperty trainBatchProperty() {
        return trainBatch;
    }

    /** Whether every trial's latency is measured here (each distinct layer timed once, cached beside the runs). */
    public BooleanProperty latencyProperty() {
        return latency;
    }

    /** The score the search maximises (a cost: minimises). */
    public StringProperty objectiveProperty() {
        return firstObjective;
    }

    /** A second objective ({@link #NONE} for none): the result keeps the Pareto front of the two, the chart draws it. */
    public StringProperty secondObjectiveProperty() {
        return secondObjective;
    }

    /** The scores an objective can name: accuracy and the costs (latency when measured). */
    public List<String> objectives() {
        return List.of(Scores.ACCURACY, Scores.PARAMS, Scores.MACS, Scores.LATENCY);
    }

    public StringProperty estimatorProperty() {
        return estimator;
    }

    public StringProperty tableProperty() {
        return table;
    }

    public StringProperty archColumnProperty() {
        return archColumn;
    }

    public StringProperty scoreColumnProperty() {
        return scoreColumn;
    }

    /** Constraints as a person types them, separated by commas or spaces: {@code params<=8e5, macs<=1e8}. */
    public StringProperty constraintsProperty() {
        return constraints;
    }

    public BooleanProperty penaltyProperty() {
        return penalty;
    }

    /**
     * A table file was chosen for {@code space}: the NAS-Bench-201 table for the nas-bench-201 space gets its
     * architecture and CIFAR-10 accuracy columns filled in (from its header: the app never bundles the file).
     */
    public void chooseTable(Path file, SearchSpace space) {
        table.set(file.toString());
        List<String> header = header(file);
        if (space != null && "nas-bench-201".equals(space.name()) && header.contains(NB201_ARCH) && header.contains(NB201_SCORE)) {
            archColumn.set(NB201_ARCH);
            scoreColumn.set(NB201_SCORE);
        }
    }

    /** A table's path typed (or pasted) and confirmed: as if chosen, when it names a file. */
    public void useTable(String text, SearchSpace space) {
        try {
            Path p = Path.of(text.strip());
            if (Files.isRegularFile(p)) {
                chooseTable(p, space);
            }
        } catch (java.nio.file.InvalidPathException e) {
            // left as typed: Start lists it as a table that does not exist
        }
    }

    /** The columns a table's first line names; none when it cannot be read. */
    static List<String> header(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            if (first == null) {
                return List.of();
            }
            return Arrays.stream((first.startsWith("\uFEFF") ? first.substring(1) : first).split(",")).map(String::strip).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    // ---- checking and running ----------------------------------------------------------------------------

    /**
     * Builds a plan's estimator on the executor, where reading data, timing layers and training a supernet may take
     * minutes: the space as the run searches it (the document's, fitted to the data's images and classes) and its scorer.
     */
    @FunctionalInterface
    interface Scorer {
        Prepared prepare(SearchSpace space, SearchControl run, SearchControl trials, Consumer<String> status)
                throws IOException, LoadException, PlanException, EditException;
    }

    /**
     * What {@link Scorer#prepare} made: the space written to the run folder, the estimator of its trials, and what
     * runs them (this machine's threads, or a cluster).
     */
    record Prepared(SearchSpace space, Estimator estimator, TrialRunner runner) {
    }

    /**
     * What a multi-trial run needs, checked: the strategy, the scorer, what it maximises (the first of the
     * objectives; a second one draws the Pareto front), and the settings run.json keeps.
     */
    record Plan(SearchSpace space, String strategy, String estimator, Scorer scorer, Objective objective, List<String> objectives,
                int budget, int parallel, long seed, Map<String, Object> settings, List<Trial> logged) {
    }

    /** A checked plan, or every problem that stands in its way. */
    record Checked(Plan plan, List<Problem> problems) {
    }

    /**
     * Checks the run panel's settings (or, with {@code resume}, the stopped run's own) against {@code space} before
     * anything runs: budget and parallel trials in range; for the table, the table and its columns there and readable
     * for this space; for the estimators that train, the data named and epochs and batch in range; the constraints and
     * objectives readable and among the scores the estimator reports; the strategy able to search the space. Reads
     * the table (kept for the run), never the data (the run reads it).
     *
     * @param data         the data set the run panel names (the trained estimators' data)
     * @param latencyCache the folder that caches the latency table across runs
     */
    Checked check(String strategy, SearchSpace space, long seedValue, RunFiles.Run resume, String data, SearchViewModel.DataSource source,
                  Path latencyCache) {
        Place at = Place.named("run settings");
        List<Problem> out = new ArrayList<>();
        Map<String, Object> was = Map.of();
        List<Trial> logged = List.of();
        if (resume != null) {
            try {
                was = TrialRunFiles.settings(resume.dir()).orElseThrow(() -> new IOException("no run.json of a multi-trial run"));
                logged = TrialLog.read(resume.dir().resolve(TrialLog.FILE));
            } catch (IOException | LoadException e) {
                return new Checked(null, List.of(Problem.error(at, "cannot resume " + resume.dir().getFileName() + ": " + ErrorText.of(e))));
            }
            strategy = String.valueOf(was.get("strategy"));
        }
        String name = resume != null ? String.valueOf(was.getOrDefault("estimator", "table")) : estimator.get();
        boolean trained = SUBNET.equals(name) || SUPERNET.equals(name) || PS.equals(name);
        int n = resume != null ? number(was.get("budget"), budget(resume)) : budget.get();
        int par = resume != null ? number(was.get("parallel"), 1) : parallel.get();
        long seed = resume != null ? number(was.get("seed"), 1) : seedValue;
        String dataSpec = resume != null ? String.valueOf(was.getOrDefault("data", "")) : data == null ? "" : data.strip();
        int epochs = resume != null ? number(was.getOrDefault("ps_epochs", was.get("epochs")), 1)
                : SUPERNET.equals(name) ? supernetEpochs.get() : PS.equals(name) ? psEpochs.get() : childEpochs.get();
        int batch = resume != null ? number(was.get("batch"), TABLE_LATENCY_BATCH) : trainBatch.get();
        int warmup = resume != null ? number(was.get("warmup"), 0) : SUPERNET.equals(name) ? warmupEpochs.get() : 0;
        boolean lat = resume != null ? Boolean.TRUE.equals(was.get("latency")) : latency.get();
        String tableText = resume != null ? String.valueOf(was.get("table")) : table.get().strip();
        String arch = resume != null ? String.valueOf(was.get("arch_column")) : archColumn.get().strip();
        List<String> scores = resume != null && was.get("score_columns") instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                : Arrays.stream(scoreColumn.get().split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<String> constraintTexts = resume != null && was.get("constraints") instanceof List<?> c ? c.stream().map(String::valueOf).toList()
                : Arrays.stream(constraints.get().split("[,;\\s]+")).filter(s -> !s.isBlank()).toList();
        boolean pen = resume != null ? Boolean.TRUE.equals(was.get("penalty")) : penalty.get();
        List<String> objectiveNames = resume != null && was.get("objectives") instanceof List<?> o && !o.isEmpty()
                ? o.stream().map(String::valueOf).toList()
                : NONE.equals(secondObjective.get()) || secondObjective.get() == null ? List.of(firstObjective.get())
                : List.of(firstObjective.get(), secondObjective.get());

        if (n < 1) {
            out.add(Problem.error(at, "the budget must be at least 1 trial (it is " + n + ")"));
        }
        if (par < 1) {
            out.add(Problem.error(at, "parallel trials must be at least 1 (it is " + par + ")"));
        }
        if (!ESTIMATORS.contains(name)) {
            out.add(Problem.error(at, "estimator '" + name + "' is not available here; available: " + String.join(", ", ESTIMATORS)));
        }
        List<Constraint> bounds = new ArrayList<>();
        for (String c : constraintTexts) {
            try {
                bounds.add(Constraint.parse(c));
            } catch (IllegalArgumentException e) {
                out.add(Problem.error(at, e.getMessage()));
            }
        }
        // The scores a constraint or an objective may name: what the estimator gives and the counted costs.
        List<String> known = new ArrayList<>(List.of(Scores.ACCURACY, Scores.PARAMS, Scores.MACS));
        TableEstimator scorer = null;
        if (TABLE.equals(name)) {
            if (tableText.isEmpty()) {
                out.add(Problem.error(at, "the table estimator needs a table: choose a CSV of architecture strings and scores"));
            } else if (!Files.isRegularFile(Path.of(tableText))) {
                out.add(Problem.error(at, "the table " + tableText + " does not exist or is not a file"));
            } else if (arch.isEmpty()) {
                out.add(Problem.error(at, "name the table's architecture column"));
            } else if (scores.isEmpty()) {
                out.add(Problem.error(at, "name the table's score column (its accuracy; a second, after a comma, is kept as a score)"));
            } else {
                try {
                    scorer = table(Path.of(tableText), arch, scores, space);
                } catch (LoadException e) {
                    out.add(Problem.error(at, ErrorText.of(e)));
                }
            }
            scores.forEach(s -> known.add(s.toLowerCase(java.util.Locale.ROOT)));
        } else if (trained) {
            if (dataSpec.isEmpty()) {
                out.add(Problem.error(at, "the " + name + " estimator trains on data: name a data set above (Digits, a folder or a file)"));
            }
            if (epochs < 1) {
                out.add(Problem.error(at, (SUBNET.equals(name) ? "epochs per child" : SUPERNET.equals(name) ? "supernet epochs"
                        : "epochs per phase") + " must be at least 1 (it is " + epochs + ")"));
            }
            if (warmup < 0) {
                out.add(Problem.error(at, "the warm-up epochs cannot be negative (it is " + warmup + ")"));
            }
            if (PS.equals(name)) {
                try {
                    io.cellforge.search.ElasticSpace.of(space); // refused before anything is read or trained, as the CLI does
                } catch (IllegalArgumentException e) {
                    out.add(Problem.error(at, "the ps estimator trains an elastic network (blocks of mbconv whose kernel, expand and depth "
                            + "are ValueChoices, as ofa-mini's): " + e.getMessage()));
                }
            }
            if (batch < 1) {
                out.add(Problem.error(at, "the batch must be at least 1 image (it is " + batch + ")"));
            }
        }
        if (lat) {
            known.add(Scores.LATENCY);
        }
        // The cluster is where trials run, not what they are: a run stopped here may resume there, so run.json keeps none.
        String url = cluster.get() == null ? "" : cluster.get().strip();
        TrialRunnerFactory clusterRunner = null;
        if (!url.isEmpty()) {
            if (!SUBNET.equals(name) || lat) {
                out.add(Problem.error(at, "Cluster " + url + ": a cluster runs subnet trials without 'Measure latency' (the " + name
                        + " estimator" + (lat && SUBNET.equals(name) ? "'s latency is timed on this machine" : " does not train each child on its own")
                        + "); clear the field to run here"));
            } else {
                clusterRunner = clusterRunners.get().orElse(null);
                if (clusterRunner == null) {
                    out.add(Problem.error(at, "Cluster " + url + ": this Cellforge has no cluster runner; " + TrialRunnerFactory.HOW));
                }
            }
        }
        boolean scoresKnown = !TABLE.equals(name) || scorer != null; // a table that did not read has said why already
        for (Constraint c : scoresKnown ? bounds : List.<Constraint>of()) {
            if (known.stream().noneMatch(k -> k.equalsIgnoreCase(c.score()))) {
                out.add(Problem.error(at, "the constraint " + c + " bounds '" + c.score() + "', which the " + name + " estimator does not report ("
                        + String.join(", ", known) + ")" + latencyHint(c.score())));
            }
        }
        for (String o : scoresKnown ? objectiveNames : List.<String>of()) {
            if (known.stream().noneMatch(k -> k.equalsIgnoreCase(o))) {
                out.add(Problem.error(at, "the objective '" + o + "' is not among the scores the " + name + " estimator reports ("
                        + String.join(", ", known) + ")" + latencyHint(o)));
            }
        }
        if (objectiveNames.size() == 2 && objectiveNames.get(0).equalsIgnoreCase(objectiveNames.get(1))) {
            out.add(Problem.error(at, "the two objectives are both '" + objectiveNames.get(0) + "': choose another second one, or none"));
        }
        Objective obj = new Objective(objectiveNames.get(0), bounds, pen, 1);
        try {
            Strategies.create(strategy, DecisionSpace.of(space), obj, seed);
        } catch (IllegalArgumentException e) {
            out.add(Problem.error(at, e.getMessage()));
        }
        if (!out.isEmpty()) {
            return new Checked(null, out);
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("strategy", strategy);
        settings.put("estimator", name);
        if (TABLE.equals(name)) {
            settings.put("table", Path.of(tableText).toAbsolutePath().normalize().toString());
            settings.put("arch_column", arch);
            settings.put("score_columns", scores);
        } else {
            settings.put("data", dataSpec);
            settings.put("epochs", epochs);
            settings.put("batch", batch);
            if (PS.equals(name)) {
                settings.put("ps_epochs", epochs); // as the CLI's --ps-epochs writes it
            }
            if (warmup > 0) {
                settings.put("warmup", warmup); // as the CLI's --warmup writes it
            }
        }
        settings.put("latency", lat);
        settings.put("seed", seed);
        settings.put("parallel", par);
        settings.put("objectives", objectiveNames);
        settings.put("constraints", bounds.stream().map(Constraint::toString).toList());
        settings.put("penalty", pen);
        settings.put("budget", n); // the CLI's --resume compares only the keys it writes; the app resumes to this budget
        Scorer make = scorer(name, scorer, dataSpec, source, epochs, warmup, batch, seed, par, lat, latencyCache, clusterRunner, url);
        return new Checked(new Plan(space, strategy, name, make, obj, objectiveNames, n, par, seed, settings, logged), List.of());
    }

    private static String latencyHint(String score) {
        return Scores.LATENCY.equalsIgnoreCase(score) ? "; tick 'Measure latency' to time each layer here" : "";
    }

    /**
     * How the named estimator is built on the executor, as the CLI's {@code --estimator} builds it; with a
     * {@code cluster} runner the subnet trials run on the cluster at {@code url}.
     */
    private static Scorer scorer(String name, TableEstimator table, String data, SearchViewModel.DataSource source, int epochs, int warmup,
                                 int batch, long seed, int parallel, boolean latency, Path latencyCache, TrialRunnerFactory cluster,
                                 String url) {
        return (space, run, trials, status) -> {
            SearchSpace s = space;
            DataBundle d = null;
            if (!TABLE.equals(name)) {
                status.accept("Reading " + data + " ...");
                d = source.load(data);
                s = fitted(space, d);
            }
            LatencyTable lut = null;
            if (latency) {
                status.accept("Timing the space's layers for the latency table (cached beside the runs) ...");
                Files.createDirectories(latencyCache);
                lut = LatencyTable.build(s, LatencyTable.Settings.of(TABLE.equals(name) ? TABLE_LATENCY_BATCH : batch), latencyCache);
            }
            Estimator e;
            TrialRunner runner = new LocalTrialRunner(parallel);
            if (TABLE.equals(name)) {
                e = withLatency(new WithCosts(table, s), lut);
            } else if (SUBNET.equals(name)) {
                // The trials' own control: Stop lets the trials running end (their scores are logged), Quit stops them.
                Retrain.Config config = Retrain.Config.darts(epochs, batch, seed);
                e = new SubNetEstimator(s, d, config, SubNetEstimator.TRAIN_PORTION, Math.min(parallel, SubNetEstimator.maxParallel(s, batch, 1)), lut,
                        trials);
                if (cluster != null) {
                    status.accept("Starting the trials on " + url + " ...");
                    runner = cluster.subNet(url, s, d, config, SubNetEstimator.TRAIN_PORTION, parallel, trials::isStopped);
                }
            } else if (PS.equals(name)) {
                status.accept("Training the elastic network by progressive shrinking on " + data + " ...");
                e = io.cellforge.trial.ProgressiveShrinkingEstimator.train(s, d, io.cellforge.search.ProgressiveShrinking.Config.of(epochs, batch,
                        seed), 8, lut, shrinkingProgress(epochs, status), run);
            } else {
                // ModularNAS's chain: a DefaultEstimator's warm-up, whose weights the SuperNetEstimator's training starts from.
                io.cellforge.search.OneShotSearch.Supernet warm = null;
                if (warmup > 0) {
                    status.accept("Warming up the SPOS supernet for " + warmup + (warmup == 1 ? " epoch" : " epochs") + " (weights only) ...");
                    warm = io.cellforge.trial.DefaultEstimator.warmUp(s, d, SearchConfig.of("spos", warmup, batch, seed),
                            supernetProgress("Warming up the supernet", warmup, status), run);
                }
                status.accept("Training the SPOS supernet for " + epochs + (epochs == 1 ? " epoch" : " epochs") + " on " + data + " ...");
                e = SuperNetEstimator.train(s, d, SearchConfig.of("spos", epochs, batch, seed), 4, lut,
                        supernetProgress("Training the supernet", epochs, status), run, warm);
            }
            return new Prepared(s, e, runner);
        };
    }

    /** The supernet's training, told a step at a time (the trials come after it). */
    private static SearchEvents.Listener supernetProgress(String what, int epochs, Consumer<String> status) {
        return new SearchEvents.Listener() {
            @Override
            public void step(SearchEvents.Step st) {
                status.accept(String.format(java.util.Locale.ROOT, "%s: epoch %d/%d, step %d/%d", what, st.epoch() + 1, epochs,
                        st.step() + 1, st.stepsPerEpoch()));
            }
        };
    }

    /** Progressive shrinking's training, told a step at a time with its phase (the trials come after it). */
    private static io.cellforge.search.ProgressiveShrinking.Listener shrinkingProgress(int epochs, Consumer<String> status) {
        return new io.cellforge.search.ProgressiveShrinking.Listener() {
            private int steps;

            @Override
            public void phase(io.cellforge.search.ElasticSpace.Phase phase, int epochsOfPhase, int stepsPerEpoch) {
                steps = stepsPerEpoch;
            }

            @Override
            public void step(io.cellforge.search.ElasticSpace.Phase phase, int epoch, int step, io.cellforge.arch.Architecture sampled,
                             double loss) {
                status.accept(String.format(java.util.Locale.ROOT, "Progressive shrinking, phase %d/4 (%s): epoch %d/%d, step %d/%d, loss %.3f",
                        phase.ordinal() + 1, phase.label(), epoch + 1, epochs, step + 1, steps, loss));
            }
        };
    }

    /** The space at the data's image shape and classes (the estimators that train build children of it). */
    static SearchSpace fitted(SearchSpace s, DataBundle d) throws EditException {
        io.cellforge.ops.Shape in = d.train().shape();
        int classes = Math.max(s.network().classes(), d.train().classes());
        if (in.equals(s.network().input()) && classes == s.network().classes()) {
            return s;
        }
        return SpaceEdits.setNetwork(s.network().channels(), classes, in).apply(s);
    }

    /** A table's scores with each architecture's latency measured here added (the table as it is without a latency table). */
    private static Estimator withLatency(Estimator inner, LatencyTable lut) {
        if (lut == null) {
            return inner;
        }
        return new Estimator() {
            @Override
            public Scores estimate(io.cellforge.arch.Architecture a, long seed) throws EstimateException {
                Scores s = inner.estimate(a, seed);
                try {
                    return s.with(Scores.LATENCY, lut.latencyMs(a));
                } catch (PlanException | IOException e) {
                    throw new EstimateException("the latency of the architecture could not be measured: " + e.getMessage(), e);
                }
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    private TableEstimator table(Path file, String arch, List<String> scores, SearchSpace space) throws LoadException {
        List<Object> key;
        try {
            key = List.of(file.toAbsolutePath().normalize(), Files.getLastModifiedTime(file), arch, scores, space);
        } catch (IOException e) {
            throw new LoadException(file.toString(), "cannot read: " + e.getMessage());
        }
        if (!key.equals(cachedKey)) {
            cachedTable = TableEstimator.read(file, arch, scores, space);
            cachedKey = key;
        }
        return cachedTable;
    }

    private static int number(Object o, int otherwise) {
        return o instanceof Number x ? x.intValue() : otherwise;
    }

    /** The budget a stopped run's result names; 100 (the CLI's default) when it has none. */
    private static int budget(RunFiles.Run r) {
        return summary(r.dir()).map(m -> number(m.get("budget"), 100)).orElse(100);
    }

    /**
     * On the executor: builds the estimator (data read, layers timed, supernet trained, each told through {@code status}),
     * then runs the plan into {@code dir} (a new run, or the stopped one it resumes), writing the result at the end. Each
     * trial goes to {@code onTrial} as it is scored, what the runner warns of to {@code warnings}; {@code stop} is asked between rounds of trials; {@code run} stops the
     * supernet's training, {@code trials} the trainings of the trials running.
     */
    static TrialRun run(Plan p, Path dir, boolean resumed, Consumer<Trial> onTrial, Consumer<String> status, Consumer<String> warnings,
                        BooleanSupplier stop,
                        SearchControl run, SearchControl trials) throws IOException, EstimateException, LoadException, PlanException, EditException {
        try (var held = io.cellforge.search.RunService.hold(dir)) {
            Prepared prepared = p.scorer().prepare(p.space(), run, trials, status);
            status.accept("Running the first " + (p.parallel() == 1 ? "trial" : p.parallel() + " trials, side by side") + " ...");
            return runHeld(p, prepared, dir, resumed, listener(onTrial, warnings), stop);
        }
    }

    /**
     * The one place the app hears the trial runner: each trial as it is scored, and what the runner warns of (a
     * cluster's lost executor, no worker taking the trials).
     */
    private static SearchEvents.Listener listener(Consumer<Trial> onTrial, Consumer<String> warnings) {
        return new SearchEvents.Listener() {
            @Override
            public void trial(SearchEvents.Trial t) {
                onTrial.accept(Trial.of(t));
            }

            @Override
            public void warning(String message) {
                warnings.accept(message);
            }
        };
    }

    private static TrialRun runHeld(Plan p, Prepared prepared, Path dir, boolean resumed, SearchEvents.Listener listener, BooleanSupplier stop)
            throws IOException, EstimateException {
        TrialLog log;
        if (resumed) {
            log = TrialLog.append(dir.resolve(TrialLog.FILE));
        } else {
            TrialRunFiles.start(dir, prepared.space(), p.settings());
            log = TrialLog.create(dir.resolve(TrialLog.FILE));
        }
        TrialRun run;
        try (log) {
            run = prepared.runner().run(Strategies.create(p.strategy(), DecisionSpace.of(prepared.space()), p.objective(),
                    p.seed()), prepared.estimator(), p.objective(), p.budget(), p.seed(), p.logged(), log::write, listener, stop);
        }
        TrialRunFiles.writeResult(dir, prepared.space(), run, TrialRunFiles.summary(prepared.space(), run, p.strategy(),
                prepared.estimator().name(), p.budget(), p.objectives()));
        return run;
    }

    // ---- the run shown ------------------------------------------------------------------------------------

    /** A new run (or a resumed one, whose logged trials come back one by one) is about to show its trials. */
    void begin(SearchSpace s, Objective o, List<String> objectiveNames, int budgetOfRun) {
        if (objectiveNames.size() > 1 && AXES.contains(objectiveNames.get(1))) {
            axis.set(objectiveNames.get(1)); // the front of the two objectives is the one drawn
        }
        space = s;
        decisions = DecisionSpace.of(s);
        objective = o;
        best = null;
        trials.clear();
        points.clear();
        selected.set(null);
        selectedSpace.set(null);
        shownBudget.set(budgetOfRun);
    }

    /** The trials that arrived since the last frame, in the order of their numbers. */
    void add(List<Trial> arrived) {
        Trial bestBefore = best;
        List<TrialPoint> more = new ArrayList<>();
        for (Trial t : arrived) {
            trials.add(t);
            more.add(point(t));
        }
        points.addAll(more);
        // The canvas follows the best so far, until a person picks another trial.
        TrialPoint picked = selected.get();
        if (best != null && best != bestBefore && (picked == null || bestBefore != null && picked.index() == bestBefore.index())) {
            select(best.index());
        }
    }

    private TrialPoint point(Trial t) {
        boolean feasible = objective.feasible(t.scores());
        if (feasible && (best == null || objective.fitness(t.scores()) > objective.fitness(best.scores()))) {
            best = t;
        }
        Map<String, String> words = new LinkedHashMap<>();
        t.architecture().choices().forEach((k, d) -> words.put(k, words(d)));
        return new TrialPoint(t.index(), t.scores().accuracy(), t.scores().values(), feasible,
                best == null ? null : best.scores().accuracy(), java.util.Collections.unmodifiableMap(words));
    }

    /** Shows a multi-trial run of the table: its trials from its log. */
    void show(RunFiles.Run r) throws IOException, LoadException {
        Map<String, Object> settings = TrialRunFiles.settings(r.dir()).orElse(Map.of());
        List<Constraint> bounds = new ArrayList<>();
        if (settings.get("constraints") instanceof List<?> l) {
            l.forEach(c -> bounds.add(Constraint.parse(String.valueOf(c))));
        }
        List<Trial> logged = TrialLog.read(r.dir().resolve(TrialLog.FILE));
        List<String> names = settings.get("objectives") instanceof List<?> o && !o.isEmpty() ? o.stream().map(String::valueOf).toList()
                : List.of(Scores.ACCURACY);
        begin(r.space(), new Objective(names.get(0), bounds, Boolean.TRUE.equals(settings.get("penalty")), 1), names,
                number(settings.get("budget"), budget(r)));
        add(logged);
    }

    void clear() {
        trials.clear();
        points.clear();
        selected.set(null);
        selectedSpace.set(null);
        shownBudget.set(0);
    }

    /** The trials of the run shown, as points, in the order of their numbers. */
    public ObservableList<TrialPoint> points() {
        return points;
    }

    /** The run shown's budget (trials it will run). */
    public IntegerProperty shownBudgetProperty() {
        return shownBudget;
    }

    /** The cost the trial points are drawn against: params, macs or latency_ms. */
    public StringProperty axisProperty() {
        return axis;
    }

    /** The costs of {@link #AXES} the trials shown have. */
    public List<String> axes() {
        return AXES.stream().filter(a -> points.isEmpty() || points.stream().anyMatch(p -> p.score(a) != null)).toList();
    }

    /** The best accuracy among the feasible trials so far, trial by trial (x: the trial's number from 1). */
    public List<SearchViewModel.Point> bestSoFar() {
        return points.stream().filter(p -> p.bestSoFar() != null).map(p -> new SearchViewModel.Point(p.index() + 1, p.bestSoFar())).toList();
    }

    /** The trials no other dominates on accuracy (up) and {@code cost} (down), in the order of the cost. */
    public List<TrialPoint> front(String cost) {
        List<Integer> onFront = ParetoFront.of(trials, List.of(Scores.ACCURACY, cost)).stream().map(Trial::index).toList();
        return points.stream().filter(p -> onFront.contains(p.index()))
                .sorted(java.util.Comparator.comparingDouble((TrialPoint p) -> p.score(cost)).thenComparingDouble(TrialPoint::accuracy)).toList();
    }

    /** The accuracies in {@code bins} equal bins between the lowest and the highest. */
    public List<Bin> histogram(int bins) {
        if (points.isEmpty()) {
            return List.of();
        }
        double lo = points.stream().mapToDouble(TrialPoint::accuracy).min().orElse(0);
        double hi = points.stream().mapToDouble(TrialPoint::accuracy).max().orElse(1);
        double w = hi > lo ? (hi - lo) / bins : 1e-3;
        int[] counts = new int[bins];
        for (TrialPoint p : points) {
            counts[Math.min(bins - 1, (int) ((p.accuracy() - lo) / w))]++;
        }
        List<Bin> out = new ArrayList<>();
        for (int i = 0; i < bins; i++) {
            out.add(new Bin(lo + i * w, lo + (i + 1) * w, counts[i]));
        }
        return out;
    }

    /** The keys of the space and their options in words: the rows of the frequency heatmap. */
    public List<SearchViewModel.ChoiceRow> keys() {
        if (decisions == null) {
            return List.of();
        }
        return decisions.keys().stream().map(k -> new SearchViewModel.ChoiceRow(k.name(), k.options().stream().map(TrialsViewModel::words).toList())).toList();
    }

    /** Per key, the share of the trials shown that took each option (in the order of {@link #keys()}). */
    public Map<String, double[]> frequencies() {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (decisions == null || trials.isEmpty()) {
            return out;
        }
        for (DecisionSpace.Key k : decisions.keys()) {
            double[] f = new double[k.size()];
            for (Trial t : trials) {
                int i = k.options().indexOf(t.architecture().choices().get(k.name()));
                if (i >= 0) {
                    f[i] += 1.0 / trials.size();
                }
            }
            out.put(k.name(), f);
        }
        return out;
    }

    /** Picks trial {@code index}: its architecture fixed into the space is what the cell canvas shows. */
    public void select(int index) {
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).index() == index) {
                try {
                    selectedSpace.set(Fixing.fix(space, trials.get(i).architecture()));
                    selected.set(points.get(i));
                } catch (FormatException e) {
                    selectedSpace.set(null); // a logged architecture the space no longer takes: nothing to draw
                    selected.set(points.get(i));
                }
                return;
            }
        }
    }

    /** The architecture of trial {@code index} of the run shown. */
    io.cellforge.arch.Architecture architecture(int index) {
        return trials.stream().filter(t -> t.index() == index).findFirst().orElseThrow().architecture();
    }

    public ObjectProperty<TrialPoint> selectedProperty() {
        return selected;
    }

    /** The picked trial's network: the space with every decision fixed as the trial made it; null before a pick. */
    public ObjectProperty<SearchSpace> selectedSpaceProperty() {
        return selectedSpace;
    }

    /** The best trial of the run shown (by the objective, constraints included); null before any is feasible. */
    public TrialPoint best() {
        return best == null ? null : points.stream().filter(p -> p.index() == best.index()).findFirst().orElse(null);
    }

    static String words(Decision d) {
        if (d instanceof Decision.Op op) {
            return op.label();
        }
        if (d instanceof Decision.Inputs in) {
            return "inputs " + in.indices();
        }
        return d instanceof Decision.Value v ? ValueChoice.label(v.value()) : String.valueOf(d);
    }

    // ---- the runs table ------------------------------------------------------------------------------------

    /** Whether a run folder holds a multi-trial run. */
    static boolean isMultiTrial(RunFiles.Run r) {
        return Strategies.isMultiTrial(r.strategy()); // no one-shot strategy shares a name with one
    }

    /** The data a multi-trial run's trials trained on; empty for a table's run, which trained nothing. */
    static Optional<String> trainingData(RunFiles.Run r) {
        Object d = r.settings().get("data");
        return d == null || String.valueOf(d).isBlank() ? Optional.empty() : Optional.of(String.valueOf(d));
    }

    /**
     * Retraining a multi-trial run's architecture from scratch, as the one-shot runs' results retrain (DARTS's
     * settings): the batch its trials trained with ({@code batchOtherwise} for a table's run) and the run's seed.
     */
    static Retrain.Config retrainConfig(RunFiles.Run r, int epochs, int batchOtherwise) {
        return Retrain.Config.darts(epochs, number(r.settings().get("batch"), batchOtherwise), number(r.settings().get("seed"), 1));
    }

    /** A multi-trial run's figures for its row: trials logged, the budget, the best's accuracy and parameters, the seconds. */
    record Figures(int trials, int budget, Double bestAccuracy, Long params, double seconds, boolean completed) {
    }

    static Figures figures(RunFiles.Run r) {
        Map<String, Object> settings = r.settings();
        Optional<Map<String, Object>> summary = summary(r.dir());
        int n;
        try {
            n = TrialLog.read(r.dir().resolve(TrialLog.FILE)).size();
        } catch (IOException | LoadException e) {
            n = summary.map(m -> number(m.get("trials"), 0)).orElse(0);
        }
        int budgetOfRun = summary.map(m -> number(m.get("budget"), 0)).filter(b -> b > 0).orElse(number(settings.get("budget"), n));
        Double acc = null;
        Long params = null;
        if (summary.isPresent() && summary.get().get("best") instanceof Map<?, ?> b && b.get("scores") instanceof Map<?, ?> s) {
            acc = s.get(Scores.ACCURACY) instanceof Number x ? x.doubleValue() : null;
            params = s.get(Scores.PARAMS) instanceof Number x ? x.longValue() : null;
        }
        double seconds = summary.map(m -> m.get("seconds") instanceof Number x ? x.doubleValue() : 0.0).orElse(0.0);
        return new Figures(n, budgetOfRun, acc, params, seconds, summary.map(m -> Boolean.TRUE.equals(m.get("completed"))).orElse(false));
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> summary(Path dir) {
        Path f = dir.resolve(RunFiles.RESULT);
        try {
            return Files.isRegularFile(f) ? Optional.of(JSON.readValue(Files.readString(f, StandardCharsets.UTF_8), Map.class)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}

package io.cellforge.app.search;

import io.cellforge.app.Tasks;
import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.MemoryEstimate;
import io.cellforge.space.Network;
import io.cellforge.space.Problem;
import io.cellforge.analysis.Validator;
import io.cellforge.app.ErrorText;
import io.cellforge.arch.Architecture;
import io.cellforge.adapt.AdaptException;
import io.cellforge.adapt.Adaptation;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.data.Datasets;
import io.cellforge.edit.EditException;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;
import io.cellforge.plan.PlanException;
import io.cellforge.search.Derivation;
import io.cellforge.search.RunFiles;
import io.cellforge.search.RunService;
import io.cellforge.settings.SearchConfig;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.search.SearchResult;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.StageKind;
import io.cellforge.train.Retrain;
import io.cellforge.trial.EstimateException;
import io.cellforge.trial.Strategies;
import io.cellforge.trial.OneShotBudget;
import io.cellforge.trial.Trial;
import io.cellforge.trial.TrialRun;
import javafx.animation.AnimationTimer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * The search as the app runs it: the settings of the run panel, a search on the Search tab's executor
 * ({@link Tasks}) through core's {@link RunService}, what it has seen so far (steps, epochs, choice
 * probabilities) handed to the JavaFX thread at most once a frame, the step the views show (live, or replayed
 * with the timeline), the runs of the document, each in its own folder, the data's preview and retraining.
 * A search is refused, before any data is read, while the space or the run's settings have problems.
 */
public final class SearchViewModel {
    /** Reads a data set named as the run panel names it; a test gives one that counts or fails. */
    @FunctionalInterface
    public interface DataSource {
        DataBundle load(String spec) throws LoadException;
    }

    /** Settings presets: a look at the search in about five minutes (sized by {@link #quickLook}), or the DARTS paper's. */
    public enum Preset { QUICK_LOOK, PAPER }

    /** How long a Quick look's search is meant to take, in seconds: the training sample is sized to it. */
    static final double QUICK_LOOK_SECONDS = 300;

    // Settings.
    private final StringProperty data = new SimpleStringProperty(Datasets.DIGITS);
    private final StringProperty strategy = new SimpleStringProperty("darts");
    private final IntegerProperty epochs = new SimpleIntegerProperty();
    private final IntegerProperty batch = new SimpleIntegerProperty();
    private final IntegerProperty channels = new SimpleIntegerProperty();
    private final IntegerProperty layers = new SimpleIntegerProperty();
    private final DoubleProperty lr = new SimpleDoubleProperty();
    private final DoubleProperty archLr = new SimpleDoubleProperty();
    private final IntegerProperty seed = new SimpleIntegerProperty(2);
    /** A one-shot budget ({@code macs<=2e5}, ...) as an expected-cost term of that weight; empty: none. */
    private final StringProperty budget = new SimpleStringProperty("");
    private final DoubleProperty costWeight = new SimpleDoubleProperty(1);
    /** Training images: empty for all of them, else a stratified sample of that many drawn with the run's seed. */
    private final StringProperty trainSubset = new SimpleStringProperty("");
    /** Test images, as the training images. */
    private final StringProperty testSubset = new SimpleStringProperty("");

    // State.
    private final BooleanProperty running = new SimpleBooleanProperty();
    private final BooleanProperty paused = new SimpleBooleanProperty();
    private final DoubleProperty progress = new SimpleDoubleProperty();
    private final StringProperty progressText = new SimpleStringProperty("Not started");
    private final StringProperty backend = new SimpleStringProperty("ND4J CPU, loaded at the first search; " + Runtime.getRuntime().availableProcessors() + " cores");
    private final StringProperty message = new SimpleStringProperty("");
    private final ObservableList<SearchEvents.Step> steps = FXCollections.observableArrayList();
    private final ObservableList<SearchEvents.Epoch> epochList = FXCollections.observableArrayList();
    private final IntegerProperty cursor = new SimpleIntegerProperty(-1);
    private final BooleanProperty follow = new SimpleBooleanProperty(true);
    private final ObjectProperty<SearchSpace> searched = new SimpleObjectProperty<>();
    private final ObjectProperty<RunRow> finished = new SimpleObjectProperty<>();
    private final ObservableList<RunFiles.Run> runs = FXCollections.observableArrayList();
    private final ObservableList<RunRow> runTable = FXCollections.observableArrayList();
    private final IntegerProperty updates = new SimpleIntegerProperty();
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final ObjectProperty<Ending> ending = new SimpleObjectProperty<>();
    private final ObservableList<javafx.scene.image.Image> preview = FXCollections.observableArrayList();
    private final StringProperty previewText = new SimpleStringProperty("");
    private final StringProperty fitText = new SimpleStringProperty("");
    /** What the open space's network takes beside what the data are, once the preview has read them. */
    private final StringProperty shapeText = new SimpleStringProperty("");
    /** Whether the open space can be adapted to the data previewed (they differ, and the adaptation is valid). */
    private final BooleanProperty adaptable = new SimpleBooleanProperty();
    /** The open document's space, as the designer edits it. */
    private final ObjectProperty<SearchSpace> document = new SimpleObjectProperty<>();
    /** What Quick look found: the step timed here and the sample it sized, or that it is timing one. */
    private final StringProperty quickLookText = new SimpleStringProperty("");
    private final TrialsViewModel trials = new TrialsViewModel();
    /** Whether the live views show a multi-trial run (its trials) rather than a one-shot one (its weights). */
    private final BooleanProperty multiTrialShown = new SimpleBooleanProperty();
    private final javafx.beans.binding.BooleanBinding multiTrial = javafx.beans.binding.Bindings.createBooleanBinding(
            () -> Strategies.isMultiTrial(strategy.get()), strategy);
    /** One-shot searches and the multi-trial estimators that train read the data set; a table reads none. */
    private final javafx.beans.binding.BooleanBinding readsData = multiTrial.not().or(trials.trainedProperty());

    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    /** Takes in the search's events once a frame; runs only while a search does (an idle tab costs nothing). */
    private final AnimationTimer intake = new AnimationTimer() {
        @Override
        public void handle(long now) {
            drain();
        }
    };
    private DataSource source = Datasets::load;
    private long previews;
    /** The data the preview read last, and the name they were read by; null before or when unreadable. */
    private DataBundle previewed;
    private String previewedSpec;
    /** Applies an edit to the open document (one undoable step); false when refused. */
    private java.util.function.Predicate<io.cellforge.edit.Edit> editor = e -> false;
    private io.cellforge.search.StepTimer stepTimer = io.cellforge.search.StepTimer.measured(3);
    private long quickLooks;
    /** The Quick look's step timing under way, stopped when a search starts (they would share the cores). */
    private SearchControl timing;
    private SearchControl control;
    /** The trainings of a multi-trial run's trials: Stop lets them end (their scores are kept), quitting stops them. */
    private SearchControl trialControl;
    /** The folder of the multi-trial run the views show (live or read back); null before one. */
    private Path trialRun;
    /** The steers applied so far in the run shown (live, replayed or resumed), in order. */
    private final ObservableList<io.cellforge.search.Steer> steering = FXCollections.observableArrayList();
    private final javafx.beans.binding.StringBinding steeringText = javafx.beans.binding.Bindings.createStringBinding(
            () -> steering.isEmpty() ? "" : "Steered: " + String.join("; ", steering.stream().map(io.cellforge.search.Steer::describe).toList()),
            steering);
    private Tasks.Task task;
    private Path runsRoot;
    private long started;
    /** A trial runner's warning shown (a cluster with no executor yet, one lost): news until the next trial is scored. */
    private String runnerWarning;
    /** Steps already done when this search (re)started: the ETA counts only the steps it has timed. */
    private int doneAtStart;

    public SearchViewModel() {
        apply(Preset.QUICK_LOOK);
        data.addListener((o, a, b) -> {
            cancelQuickLook("Quick look: not sized (other data were chosen; press it again)"); // its count was of the old data
            fitText.set(""); // said of other data
            loadPreview();
        });
        strategy.addListener((o, a, b) -> {
            if (!running.get()) {
                multiTrialShown.set(Strategies.isMultiTrial(b));
            }
        });
        runs.addListener((javafx.collections.ListChangeListener<RunFiles.Run>) c -> runTable.setAll(runs.stream().map(SearchViewModel::row).toList()));
        document.addListener((o, a, b) -> {
            // A space whose weight generators read a context cannot search the digits: the bundled strokes have one.
            // Only when the document comes to read one (opened, or its first generator drawn), not at every edit.
            if (readsContext(b) && !readsContext(a) && Datasets.DIGITS.equals(data.get())) {
                data.set(Datasets.STROKES);
            }
            updateShape();
        });
    }

    /** Where the run panel edits the open document (Adapt the space to the data): one undoable edit. */
    public void setEditor(java.util.function.Predicate<io.cellforge.edit.Edit> e) {
        editor = e;
    }

    /** How Quick look times a search step; a test gives one that answers at once. */
    public void setStepTimer(io.cellforge.search.StepTimer t) {
        stepTimer = t;
    }

    /** Where data comes from (the bundled digits, folders, files); set before the first search or preview. */
    public void setDataSource(DataSource s) {
        source = s;
    }

    public void apply(Preset p) {
        switch (p) {
            case QUICK_LOOK -> {
                trainSubset.set(""); // sized by quickLook() from a step timed here
                epochs.set(2);
                batch.set(64);
                channels.set(8);
                layers.set(5);
                lr.set(0.025);
                archLr.set(3e-3);
            }
            case PAPER -> {
                cancelQuickLook("");
                trainSubset.set("");
                quickLookText.set("");
                // DARTS (Liu et al. 2019), CIFAR-10: 50 epochs, batch 64, C=16, 8 cells, SGD 0.025, Adam 3e-4.
                epochs.set(50);
                batch.set(64);
                channels.set(16);
                layers.set(8);
                lr.set(0.025);
                archLr.set(3e-4);
            }
            default -> {
            }
        }
    }

    /**
     * The Quick look preset: its small sizes at once, then, in the background, a step of the search Start would run
     * (the data named read, the network sized and adapted as Start does) timed here, and the training sample set so
     * that the search ends in about {@link #QUICK_LOOK_SECONDS}; all the training images when they end in time.
     */
    public void quickLook() {
        apply(Preset.QUICK_LOOK);
        long asked = ++quickLooks;
        if (timing != null) {
            timing.stop();
        }
        SearchSpace doc = document.get();
        if (doc == null || multiTrial.get()) {
            quickLookText.set("");
            return;
        }
        SearchConfig cfg;
        Fit atSize;
        try {
            cfg = config();
            atSize = sized(doc, doc.network().input(), doc.network().classes());
        } catch (IllegalArgumentException | EditException e) {
            quickLookText.set("Quick look: no step can be timed: " + ErrorText.of(e));
            return;
        }
        String spec = data.get();
        SearchControl ctl = new SearchControl();
        timing = ctl;
        quickLookText.set("Timing a step of the search on " + spec + " ...");
        Tasks.submit(() -> {
            DataBundle d = source.load(spec);
            double seconds = stepTimer.secondsPerStep(fit(atSize, d).space(), d, cfg, ctl);
            return new Timed(d.train().size(), seconds);
        }, t -> {
            if (timing == ctl) {
                timing = null; // done: a search started now leaves what it found alone
            }
            if (asked != quickLooks) {
                return; // a newer Quick look, or a search, took over
            }
            if (Double.isNaN(t.seconds())) {
                quickLookText.set("Quick look: not timed (stopped)");
                return;
            }
            java.util.OptionalInt n = io.cellforge.search.StepTimer.trainingImagesFor(QUICK_LOOK_SECONDS, t.seconds(), cfg, t.images());
            trainSubset.set(n.isPresent() ? String.valueOf(n.getAsInt()) : "");
            double secs = io.cellforge.search.StepTimer.searchSeconds(n.orElse(t.images()), t.seconds(), cfg);
            quickLookText.set(String.format("Quick look: %d epochs on %s training images, %s (a step took %s here)", cfg.epochs(),
                    n.isPresent() ? String.format("%,d of %,d", n.getAsInt(), t.images()) : String.format("all %,d", t.images()),
                    secs < 60 ? "under a minute" : "about " + Math.round(secs / 60) + " min",
                    t.seconds() >= 1 ? String.format("%.1f s", t.seconds()) : String.format("%.0f ms", t.seconds() * 1000)));
        }, e -> {
            if (timing == ctl) {
                timing = null;
            }
            if (asked == quickLooks) {
                quickLookText.set("Quick look: no step could be timed on " + spec + ": " + ErrorText.of(e));
            }
        });
    }

    /** Stops a Quick look's timing under way (its result then goes nowhere), saying {@code why}; none under way: nothing. */
    private void cancelQuickLook(String why) {
        if (timing != null && !timing.isStopped()) {
            timing.stop();
            quickLooks++;
            quickLookText.set(why);
        }
    }

    /** A step timed on data of {@code images} training images. */
    private record Timed(int images, double seconds) {
    }

    /** What Quick look found, or that it is timing a step; empty before. */
    public StringProperty quickLookTextProperty() {
        return quickLookText;
    }

    // ---- properties ---------------------------------------------------------------------------------------

    public StringProperty dataProperty() {
        return data;
    }

    public StringProperty strategyProperty() {
        return strategy;
    }

    /** Every strategy the run panel offers: the one-shot ones, then the multi-trial ones. */
    public List<String> strategies() {
        List<String> all = new ArrayList<>(SearchConfig.STRATEGIES);
        all.addAll(Strategies.NAMES);
        return all;
    }

    /** Whether the strategy chosen is a multi-trial one: the run panel shows its settings, not the one-shot ones. */
    public javafx.beans.binding.BooleanBinding multiTrialProperty() {
        return multiTrial;
    }

    /** Whether the run panel's data is read by the search chosen: the panel shows it then. */
    public javafx.beans.binding.BooleanBinding readsDataProperty() {
        return readsData;
    }

    /** Whether the live views show a multi-trial run's trials (else a one-shot run's weights). */
    public BooleanProperty multiTrialShownProperty() {
        return multiTrialShown;
    }

    /** The multi-trial settings and the trials of the run shown. */
    public TrialsViewModel trials() {
        return trials;
    }

    public IntegerProperty epochsProperty() {
        return epochs;
    }

    public IntegerProperty batchProperty() {
        return batch;
    }

    public IntegerProperty channelsProperty() {
        return channels;
    }

    public IntegerProperty layersProperty() {
        return layers;
    }

    public DoubleProperty lrProperty() {
        return lr;
    }

    public DoubleProperty archLrProperty() {
        return archLr;
    }

    public IntegerProperty seedProperty() {
        return seed;
    }

    /** Training images to search on: empty for all, else N, a stratified sample of N drawn with the seed. */
    public StringProperty trainSubsetProperty() {
        return trainSubset;
    }

    /** Test images, as {@link #trainSubsetProperty()}. */
    public StringProperty testSubsetProperty() {
        return testSubset;
    }

    /** The open document's space: the run panel compares it with the data previewed. */
    public ObjectProperty<SearchSpace> documentProperty() {
        return document;
    }

    /** "The network takes 1x8x8, 10 classes; the data are 1x28x28, 10 classes", once the data are read. */
    public StringProperty shapeTextProperty() {
        return shapeText;
    }

    public BooleanProperty adaptableProperty() {
        return adaptable;
    }

    /** The classes a network for {@code d} has: as many as the larger label set of the two parts. */
    private static int classesOf(DataBundle d) {
        return Math.max(d.train().classes(), d.test().classes());
    }

    private void updateShape() {
        SearchSpace s = document.get();
        DataBundle d = previewed;
        adaptable.set(false);
        if (s == null || d == null) {
            shapeText.set("");
            return;
        }
        Shape in = d.train().shape();
        int classes = classesOf(d);
        int context = d.train().contextFeatures();
        Network.Context reads = s.network().context();
        boolean contextDiffers = context > 0 && !reads.generators().isEmpty() && reads.features() != context;
        String net = "The network takes " + s.network().input() + ", " + s.network().classes() + " classes"
                + (contextDiffers ? ", a context of " + reads.features() : "");
        if (in.equals(s.network().input()) && classes == s.network().classes() && !contextDiffers) {
            shapeText.set(net + ", as the data");
            return;
        }
        String are = net + "; the data are " + in + ", " + classes + " classes" + (contextDiffers ? ", a context of " + context : "");
        try {
            Adaptation.toData(s, in, classes, context);
            shapeText.set(are);
            adaptable.set(true);
        } catch (AdaptException e) {
            shapeText.set(are + ": " + ErrorText.line(e.getMessage()));
        }
    }

    /** The open space's input and classes set to the data previewed, as one edit of the document (undone with Ctrl+Z). */
    public void adaptToData() {
        DataBundle d = previewed;
        if (document.get() == null || d == null) {
            return;
        }
        Shape in = d.train().shape();
        int classes = classesOf(d);
        int context = d.train().contextFeatures();
        editor.test(io.cellforge.edit.Edit.of("Adapt the space to the data (" + in + ", " + classes + " classes)", sp -> {
            try {
                return Adaptation.toData(sp, in, classes, context).space();
            } catch (AdaptException e) {
                throw new EditException(e.getMessage());
            }
        }));
    }

    /** A sample asked for in the run panel: null for all the images; refused when not a whole number of at least 1. */
    static Integer count(String field, String text) {
        String t = text == null ? "" : text.strip().replace(",", "").replace("_", "");
        if (t.isEmpty() || t.equalsIgnoreCase("all")) {
            return null;
        }
        try {
            int n = Integer.parseInt(t);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException notWhole) {
            // said below
        }
        throw new IllegalArgumentException(field + " '" + text.strip() + "': give a whole number of at least 1, or leave it empty for all");
    }

    /** The data sampled as the run panel asks; a sample larger than the data is refused as the CLI's --subset is. */
    static DataBundle sampled(DataBundle d, Integer train, Integer test, long seed) {
        String why = oversize(d, train, test);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        return d.sampled(train, test, seed);
    }

    /** Why a sample cannot be drawn from {@code d} (one larger than what it is drawn from), or null. */
    private static String oversize(DataBundle d, Integer train, Integer test) {
        String why = train == null ? null : io.cellforge.data.Subsets.refusal("Training images", train, d.train().size(), "training");
        return why != null || test == null ? why : io.cellforge.data.Subsets.refusal("Test images", test, d.test().size(), "test");
    }

    /** The run panel's samples, against the data previewed when they are the data named; problems of "run settings". */
    private List<Problem> subsetProblems() {
        List<Problem> out = new ArrayList<>();
        Integer[] n = new Integer[2];
        String[][] fields = {{"Training images", trainSubset.get()}, {"Test images", testSubset.get()}};
        for (int i = 0; i < 2; i++) {
            try {
                n[i] = count(fields[i][0], fields[i][1]);
            } catch (IllegalArgumentException e) {
                out.add(Problem.error(io.cellforge.space.Place.named("run settings"), e.getMessage()));
            }
        }
        DataBundle d = previewed;
        if (out.isEmpty() && d != null && data.get().equals(previewedSpec)) {
            String why = oversize(d, n[0], n[1]);
            if (why != null) {
                out.add(Problem.error(io.cellforge.space.Place.named("run settings"), why));
            }
        }
        return out;
    }

    /**
     * A one-shot search's budget, as the CLI's {@code --constraint} on a DARTS-family search: {@code macs<=2e5},
     * {@code params<=1e5}, {@code latency_ms<=5}, by commas; empty for none.
     */
    public StringProperty budgetProperty() {
        return budget;
    }

    /** The weight of the budget's term in the architecture loss (the CLI's {@code --cost-weight}). */
    public DoubleProperty costWeightProperty() {
        return costWeight;
    }

    public BooleanProperty runningProperty() {
        return running;
    }

    public BooleanProperty pausedProperty() {
        return paused;
    }

    public DoubleProperty progressProperty() {
        return progress;
    }

    public StringProperty progressTextProperty() {
        return progressText;
    }

    public StringProperty backendProperty() {
        return backend;
    }

    public StringProperty messageProperty() {
        return message;
    }

    public ObservableList<SearchEvents.Step> steps() {
        return steps;
    }

    public ObservableList<SearchEvents.Epoch> epochs() {
        return epochList;
    }

    /** The step the views show; follows the newest step while {@link #followProperty()} is set. */
    public IntegerProperty cursorProperty() {
        return cursor;
    }

    public BooleanProperty followProperty() {
        return follow;
    }

    /** The space being searched (the document's, at the run's size and the data's input shape). */
    public ObjectProperty<SearchSpace> searchedProperty() {
        return searched;
    }

    /** Set when a search ends with a derived architecture: its run's row. */
    public ObjectProperty<RunRow> finishedProperty() {
        return finished;
    }

    public ObservableList<RunFiles.Run> runs() {
        return runs;
    }

    /** How a search ended, in a line: told once each time one ends (a notification shows it). */
    public record Ending(String text, boolean failed) {
    }

    public ObjectProperty<Ending> endingProperty() {
        return ending;
    }

    /** Why the last Start was refused: the space's problems and the run settings that do not fit it. */
    public ObservableList<Problem> problems() {
        return problems;
    }

    /** A few images of the data named in the run panel, once read; empty until then. */
    public ObservableList<javafx.scene.image.Image> previewImages() {
        return preview;
    }

    /** Names the bundled digits as the data. */
    public void useDigits() {
        data.set(Datasets.DIGITS);
    }

    private final javafx.beans.binding.BooleanBinding strokesOffered = javafx.beans.binding.Bindings.createBooleanBinding(
            () -> readsContext(document.get()) && !Datasets.STROKES.equals(data.get()), document, data);

    /** Whether the open space reads a context the data named lack, so that the run panel offers the strokes. */
    public javafx.beans.binding.BooleanBinding strokesOfferedProperty() {
        return strokesOffered;
    }

    private static boolean readsContext(SearchSpace s) {
        return s != null && !s.network().context().generators().isEmpty();
    }

    /** Names the bundled strokes (images with a context vector each) as the data. */
    public void useStrokes() {
        data.set(Datasets.STROKES);
    }

    /** What the network of the search running or shown changed to take its data ({@code input 1x8x8 -> 1x28x28 from the data}). */
    public StringProperty fitTextProperty() {
        return fitText;
    }

    /** What the data is, or why it cannot be read. */
    public StringProperty previewTextProperty() {
        return previewText;
    }

    /** Reads the data named in the run panel for its preview. */
    public void loadPreview() {
        String spec = data.get();
        long asked = ++previews;
        preview.clear();
        previewed = null;
        updateShape();
        previewText.set("Reading " + spec + " ...");
        Tasks.submit(() -> source.load(spec), d -> {
            if (asked == previews) { // only the newest request is shown
                previewed = d;
                previewedSpec = spec;
                updateShape();
                Dataset tr = d.train();
                int[] c = tr.classCounts();
                StringBuilder b = new StringBuilder(String.format("%s: %,d training and %,d test images of %s, %d classes (",
                        d.description(), tr.size(), d.test().size(), tr.shape(), tr.classes()));
                for (int i = 0; i < c.length; i++) {
                    b.append(i == 0 ? "" : ", ").append(tr.classNames().get(i)).append(": ").append(c[i]);
                }
                previewText.set(b.append(")").toString());
                List<javafx.scene.image.Image> images = new ArrayList<>();
                for (int i = 0; i < Math.min(12, tr.size()); i++) {
                    images.add(image(tr, i));
                }
                preview.setAll(images);
            }
        }, e -> {
            if (asked == previews) {
                previewText.set("Cannot read " + spec + ": " + ErrorText.of(e));
            }
        });
    }

    static javafx.scene.image.WritableImage image(Dataset d, int i) {
        int c = d.shape().channels();
        int h = d.shape().height();
        int w = d.shape().width();
        javafx.scene.image.WritableImage img = new javafx.scene.image.WritableImage(w, h);
        javafx.scene.image.PixelWriter px = img.getPixelWriter();
        int base = i * c * h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double r = d.value(base + y * w + x);
                double gr = c >= 3 ? d.value(base + h * w + y * w + x) : r;
                double b = c >= 3 ? d.value(base + 2 * h * w + y * w + x) : r;
                px.setColor(x, y, javafx.scene.paint.Color.color(clamp(r), clamp(gr), clamp(b)));
            }
        }
        return img;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    /** Goes up whenever steps or epochs arrived (once a frame at most). */
    public IntegerProperty updatesProperty() {
        return updates;
    }

    /** The probabilities at the cursor, or empty before the first step. */
    public Map<String, double[]> weightsAtCursor() {
        int i = cursor.get();
        return i < 0 || i >= steps.size() ? Map.of() : steps.get(i).weights();
    }

    /** The architecture the derivation rule picks at the cursor. */
    public Architecture derivedAtCursor() {
        Map<String, double[]> w = weightsAtCursor();
        return w.isEmpty() || searched.get() == null ? null : Derivation.derive(searched.get(), w);
    }

    // ---- runs ---------------------------------------------------------------------------------------------

    /** A run as the runs table shows it. */
    static RunRow row(RunFiles.Run r) {
        if (TrialsViewModel.isMultiTrial(r)) {
            return trialRow(r);
        }
        SearchEvents.Epoch last = r.epochs().isEmpty() ? null : r.epochs().get(r.epochs().size() - 1);
        Long params = null;
        if (r.architecture() != null) {
            var stats = Evaluator.evaluate(Retrain.finalNetwork(r.space()), r.architecture());
            params = stats.problems().stream().anyMatch(Problem::isError) ? null : stats.params();
        }
        String state = r.isLive() ? "running" : r.architecture() != null ? (Boolean.FALSE.equals(r.completed()) ? "stopped early" : "finished")
                : r.hasCheckpoint() ? "stopped" : "incomplete";
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        r.settings().forEach((k, v) -> settings.put(k, v == null ? null : String.valueOf(v)));
        try {
            OneShotBudget b = OneShotBudget.read(r.dir());
            if (!b.isEmpty()) {
                settings.put("budget", b.describe());
            }
        } catch (IOException unreadable) {
            settings.put("budget", "unreadable: " + ErrorText.of(unreadable));
        }
        Map<String, String> decisions = new java.util.LinkedHashMap<>();
        if (r.architecture() != null) {
            r.architecture().choices().forEach((k, d) -> decisions.put(k, decision(d)));
        }
        double seconds = r.epochs().stream().mapToDouble(SearchEvents.Epoch::seconds).sum();
        return new RunRow(r.dir(), r.dir().getFileName().toString(), state, r.strategy(), r.epochs().size(),
                last == null ? null : last.validAccuracy(), last == null ? null : last.validLoss(),
                last == null ? null : last.trainAccuracy(), last == null ? null : last.trainLoss(), r.testAccuracy(), params,
                seconds, SearchEvents.duration(seconds), r.data(), java.util.Collections.unmodifiableMap(settings),
                java.util.Collections.unmodifiableMap(decisions), r.architecture() != null, null, null);
    }

    /** A multi-trial run's row: trials of the budget, the best trial's accuracy and parameters, the run's seconds. */
    private static RunRow trialRow(RunFiles.Run r) {
        TrialsViewModel.Figures f = TrialsViewModel.figures(r);
        // A stopped multi-trial run writes its result too (its best so far); stopped or cut off by a crash, its log resumes it.
        String state = r.isLive() ? "running" : f.completed() ? "finished" : "stopped";
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        r.settings().forEach((k, v) -> settings.put(k, v == null ? null : String.valueOf(v)));
        Map<String, String> decisions = new java.util.LinkedHashMap<>();
        if (r.architecture() != null) {
            r.architecture().choices().forEach((k, d) -> decisions.put(k, decision(d)));
        }
        return new RunRow(r.dir(), r.dir().getFileName().toString(), state, r.strategy(), 0, null, null, null, null, r.testAccuracy(),
                f.params(), f.seconds(), SearchEvents.duration(f.seconds()), r.data(), java.util.Collections.unmodifiableMap(settings),
                java.util.Collections.unmodifiableMap(decisions), r.architecture() != null, new RunRow.Trials(f.trials(), f.budget()),
                f.bestAccuracy());
    }

    private static String decision(io.cellforge.arch.Decision d) {
        if (d instanceof io.cellforge.arch.Decision.Op op) {
            return op.label();
        }
        if (d instanceof io.cellforge.arch.Decision.Inputs in) {
            return "inputs " + in.indices();
        }
        return d instanceof io.cellforge.arch.Decision.Value v ? String.valueOf(v.value()) : null;
    }

    /** The run of a row, as it was last read from its folder. */
    private RunFiles.Run runOf(RunRow row) throws LoadException {
        for (RunFiles.Run r : runs) {
            if (r.dir().equals(row.dir())) {
                return r;
            }
        }
        return RunFiles.read(row.dir());
    }

    /** Shows the history of a run of the table in the views. */
    public void show(RunRow row) {
        try {
            show(runOf(row));
        } catch (LoadException e) {
            message.set("Cannot read " + row.name() + ": " + ErrorText.of(e));
        }
    }

    /** Continues a stopped run of the table from its checkpoint (refused when it is live in another window or process). */
    public void resume(RunRow row) {
        try {
            RunFiles.Run r = runOf(row);
            if (TrialsViewModel.isMultiTrial(r)) {
                if ("stopped".equals(row(r).state())) {
                    start(r.space(), r);
                    return;
                }
                message.set("Pick a stopped run to resume it: " + row.name() + " has run its whole budget");
                return;
            }
            if (r.hasCheckpoint() && r.architecture() == null) {
                start(r.space(), r);
                return;
            }
        } catch (LoadException e) {
            // read as a run without a checkpoint: the message below says what can be resumed
        }
        message.set("Pick a stopped run (one without a result) to resume it from its checkpoint");
    }

    /** A finished run's result, to show in a tab of its own. */
    /** A finished run's result, or why it cannot be opened (its files unreadable, its architecture not of its space). */
    public ResultViewModel result(RunRow row) throws ResultException {
        try {
            return new ResultViewModel(runOf(row), this);
        } catch (LoadException | io.cellforge.arch.FormatException e) {
            throw new ResultException("Cannot open the result of " + row.name() + ": " + io.cellforge.app.ErrorText.of(e), e);
        }
    }

    /** A result that cannot be opened; the message says which and why, for the status line. */
    public static final class ResultException extends Exception {
        ResultException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- live views ---------------------------------------------------------------------------------------

    /** A point of a chart: x in epochs (a step at its fraction of the epoch), y the figure. */
    public record Point(double x, double y) {
    }

    /** The charts' series: per step (train loss and accuracy, valid loss where measured) and per epoch (valid accuracy). */
    public record Curves(List<Point> trainLoss, List<Point> validLoss, List<Point> trainAccuracy, List<Point> validAccuracy) {
    }

    /** The curves of the steps so far, sampled evenly to at most {@code maxPoints} steps a series. */
    public Curves curves(int maxPoints) {
        int stride = Math.max(1, (int) Math.ceil(steps.size() / (double) maxPoints));
        List<Point> tl = new ArrayList<>();
        List<Point> vl = new ArrayList<>();
        List<Point> ta = new ArrayList<>();
        for (int i = 0; i < steps.size(); i += stride) {
            SearchEvents.Step s = steps.get(i);
            double x = s.epoch() + (s.stepsPerEpoch() > 0 ? (s.step() + 1.0) / s.stepsPerEpoch() : 0);
            tl.add(new Point(x, s.trainLoss()));
            if (!Double.isNaN(s.validLoss())) {
                vl.add(new Point(x, s.validLoss()));
            }
            ta.add(new Point(x, s.trainAccuracy()));
        }
        List<Point> va = epochList.stream().map(e -> new Point(e.epoch() + 1.0, e.validAccuracy())).toList();
        return new Curves(tl, vl, ta, va);
    }

    /** How many steps the run shown has taken so far. */
    public int stepCount() {
        return steps.size();
    }

    /** The choice probabilities of every step so far, in order (a view of the steps: nothing is copied). */
    public List<Map<String, double[]>> weightHistory() {
        return weightHistory;
    }

    private final List<Map<String, double[]>> weightHistory = new java.util.AbstractList<>() {
        @Override
        public Map<String, double[]> get(int i) {
            return steps.get(i).weights();
        }

        @Override
        public int size() {
            return steps.size();
        }
    };

    /** A choice that has weights, and its candidates: a row of the heatmap and a small chart of the weights view. */
    public record ChoiceRow(String key, List<String> candidates) {
        public ChoiceRow {
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * The choices the strategy searches (LayerChoices, InputChoices and ValueChoices that have weights), in the
     * space's order, with their candidates; read off the step at the cursor, else the newest.
     */
    public List<ChoiceRow> weightedChoices() {
        SearchSpace s = searched.get();
        Map<String, double[]> sample = weightsAtCursor().isEmpty() && !steps.isEmpty() ? steps.get(steps.size() - 1).weights() : weightsAtCursor();
        List<ChoiceRow> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        for (io.cellforge.space.Mutable m : s.mutablesByKey().values()) {
            if (!sample.containsKey(m.key())) {
                continue;
            }
            if (m instanceof io.cellforge.space.LayerChoice lc) {
                out.add(new ChoiceRow(m.key(), lc.labels()));
            } else if (m instanceof io.cellforge.space.ValueChoice vc) {
                out.add(new ChoiceRow(m.key(), vc.labels()));
            } else {
                List<String> in = new ArrayList<>();
                s.inputCandidates(m.key()).forEach(e -> in.add(e.from()));
                out.add(new ChoiceRow(m.key(), in));
            }
        }
        return out;
    }

    // ---- steering -----------------------------------------------------------------------------------------

    /** The steers applied in the run shown, in order (a live run's as they apply). */
    public ObservableList<io.cellforge.search.Steer> steering() {
        return steering;
    }

    /** The steers in words, for the Search tab ("Steered: epoch 1, step 4: pruned skip_connect of normal_n2_p0; ..."). */
    public javafx.beans.value.ObservableStringValue steeringTextProperty() {
        return steeringText;
    }

    public void prune(String key, String candidate) {
        steer(io.cellforge.search.Steer.prune(key, candidate));
    }

    public void pin(String key, String candidate) {
        steer(io.cellforge.search.Steer.pin(key, candidate));
    }

    public void restore(String key) {
        steer(io.cellforge.search.Steer.restore(key));
    }

    /** Whether a person can steer {@code key} now: a LayerChoice of the space a one-shot search is running on. */
    public boolean canSteer(String key) {
        SearchSpace s = searched.get();
        return running.get() && control != null && s != null && s.mutablesByKey().get(key) instanceof io.cellforge.space.LayerChoice;
    }

    /**
     * Asks the running search to apply a steer before its next step (prune a candidate, pin a choice, restore it);
     * it says where it applied it, or why it could not, through {@link #steering()} and {@link #messageProperty()}.
     */
    public void steer(io.cellforge.search.Steer st) {
        if (!canSteer(st.key())) {
            message.set("Steering works on the LayerChoices of a running one-shot search");
            return;
        }
        control.steer(st);
    }

    /**
     * The candidates steered out at the step under the cursor, per key: the steers applied up to that step, in
     * order, so that a replay shows the search as it stood.
     */
    public Map<String, java.util.Set<String>> prunedAtCursor() {
        int i = cursor.get();
        if (i < 0 || i >= steps.size()) {
            return Map.of();
        }
        SearchEvents.Step at = steps.get(i);
        return pruned(st -> st.epoch() < at.epoch() || st.epoch() == at.epoch() && st.step() <= at.step());
    }

    /** The candidates out per key after the steers that {@code applied} keeps, in order. */
    private Map<String, java.util.Set<String>> pruned(java.util.function.Predicate<io.cellforge.search.Steer> applied) {
        SearchSpace s = searched.get();
        if (s == null || steering.isEmpty()) {
            return Map.of();
        }
        Map<String, java.util.Set<String>> out = new java.util.LinkedHashMap<>();
        for (io.cellforge.search.Steer st : steering) {
            if (applied.test(st) && s.mutablesByKey().get(st.key()) instanceof io.cellforge.space.LayerChoice lc) {
                out.put(st.key(), st.apply(out.getOrDefault(st.key(), java.util.Set.of()), lc.labels()));
            }
        }
        out.values().removeIf(java.util.Set::isEmpty);
        return out;
    }

    /** The LayerChoice on an edge ({@code [from, to]}) of a cell of the space searched, if the edge has one. */
    public java.util.Optional<String> choiceOn(String cell, List<String> edge) {
        SearchSpace s = searched.get();
        io.cellforge.space.Cell c = s == null || edge == null || edge.size() != 2 ? null : s.cells().get(cell);
        return c == null ? java.util.Optional.empty() : c.edge(edge.get(0), edge.get(1))
                .filter(e -> e.op() instanceof io.cellforge.space.LayerChoice).map(e -> ((io.cellforge.space.LayerChoice) e.op()).key());
    }

    /** An entry of a steering menu: what it says, whether it can be chosen now, and the steer it asks for. */
    public record SteerItem(SteerKind kind, String op, String text, boolean enabled, Runnable apply) {
    }

    /** What a steering item does: the view groups prunes and pins into submenus of their own. */
    public enum SteerKind { PRUNE, PIN, PRUNED, RESTORE }

    /**
     * The steering menu of a LayerChoice, a candidate at a time: prune it (never the last one left), pin the choice
     * to it (unless pinned there already); a pruned one says so, and the choice can then be restored. Read against
     * every steer applied so far; nothing can be chosen unless {@link #canSteer} holds.
     */
    public List<SteerItem> steerItems(String key) {
        SearchSpace s = searched.get();
        if (s == null || !(s.mutablesByKey().get(key) instanceof io.cellforge.space.LayerChoice lc)) {
            return List.of();
        }
        boolean can = canSteer(key);
        java.util.Set<String> out = pruned(st -> true).getOrDefault(key, java.util.Set.of());
        int left = lc.labels().size() - out.size();
        List<SteerItem> items = new ArrayList<>();
        for (String op : lc.labels()) {
            if (out.contains(op)) {
                items.add(new SteerItem(SteerKind.PRUNED, op, op + " (pruned)", false, () -> { }));
            } else {
                items.add(new SteerItem(SteerKind.PRUNE, op, "Prune " + op, can && left > 1, () -> prune(key, op)));
                items.add(new SteerItem(SteerKind.PIN, op, "Pin to " + op, can && left > 1, () -> pin(key, op)));
            }
        }
        if (!out.isEmpty()) {
            items.add(new SteerItem(SteerKind.RESTORE, null, "Restore every candidate of " + key, can, () -> restore(key)));
        }
        return items;
    }

    /** The runs of the document, summed up for the runs table; follows {@link #runs()}. */
    public ObservableList<RunRow> runTable() {
        return runTable;
    }

    /** Where the document's runs live: beside its file ({@code NAME.runs/}), else under the app's home. */
    public void setRunsRoot(Path root) {
        runsRoot = root;
        runs.setAll(RunFiles.list(root));
        if (!running.get()) {
            clear(); // another document: nothing of the last one's search stays in view
        }
    }

    /** The runs again from disk: another window's run may have started or ended. */
    public void refreshRuns() {
        if (runsRoot != null) {
            runs.setAll(RunFiles.list(runsRoot));
        }
    }

    private void clear() {
        trials.clear();
        trialRun = null;
        multiTrialShown.set(Strategies.isMultiTrial(strategy.get()));
        searched.set(null);
        fitText.set("");
        steering.clear();
        steps.clear();
        epochList.clear();
        finished.set(null);
        problems.clear();
        message.set("");
        follow.set(true);
        cursor.set(-1);
        progress.set(0);
        progressText.set("Not started");
        updates.set(updates.get() + 1);
    }

    public Path runsRoot() {
        return runsRoot;
    }

    /** Shows a past run's history in the views. */
    public void show(RunFiles.Run r) {
        if (running.get()) {
            return;
        }
        if (TrialsViewModel.isMultiTrial(r)) {
            showTrials(r);
            return;
        }
        multiTrialShown.set(false);
        searched.set(r.space());
        steering.setAll(r.steering());
        steps.setAll(r.steps());
        epochList.setAll(r.epochs());
        follow.set(true);
        cursor.set(steps.size() - 1);
        progress.set(r.epochs().isEmpty() ? 0 : (double) r.epochs().size() / Math.max(1, r.steps().isEmpty() ? 1 : r.steps().get(0).epochs()));
        progressText.set(r.dir().getFileName() + ": " + r.epochs().size() + " epochs" + (r.architecture() == null ? ", not finished" : ""));
        updates.set(updates.get() + 1);
    }

    // ---- the search ---------------------------------------------------------------------------------------

    /**
     * A space as a run takes it, and what changed for that in words ({@code input 1x8x8 -> 1x28x28 from the data};
     * {@code channels 16 kept: ...}), said in {@link #fitTextProperty}.
     */
    record Fit(SearchSpace space, List<String> said) {
        Fit {
            said = List.copyOf(said);
        }
    }

    /** The document's space at the run's size, adapted to the data's input shape and classes. */
    Fit sized(SearchSpace s, DataBundle d) throws EditException, AdaptException {
        return fit(sized(s, s.network().input(), s.network().classes()), d);
    }

    /** A space at the run's size adapted to {@code d}'s input shape and classes. */
    private static Fit fit(Fit atSize, DataBundle d) throws AdaptException {
        Adaptation a = Adaptation.toData(atSize.space(), d.train().shape(), classesOf(d), d.train().contextFeatures());
        List<String> said = new ArrayList<>(atSize.said());
        a.changes().forEach(c -> said.add(c.toString()));
        return new Fit(a.space(), said);
    }

    /**
     * The space at the run's channels and cells. The width scales the stem and the stage widths that follow it
     * (NAS-Bench-201's cells keep their width on every edge, so a stem left at 16 could not feed cells of 8); a
     * space whose widths do not scale to the run's keeps its own, and says so.
     */
    private Fit sized(SearchSpace s, Shape in, int classes) throws EditException {
        List<String> said = new ArrayList<>();
        SearchSpace out;
        try {
            out = SpaceEdits.setWidth(channels.get()).apply(s);
        } catch (EditException e) {
            out = s;
            said.add("channels " + s.network().channels() + " kept, not " + channels.get() + ": " + e.getMessage());
        }
        out = SpaceEdits.setNetwork(out.network().channels(), classes, in).apply(out);
        boolean cellStack = !s.network().stages().isEmpty() && s.network().stages().stream()
                .allMatch(st -> st.kind() == StageKind.CELL && st.repeat() == null);
        return new Fit(cellStack ? SpaceEdits.setLayers(layers.get()).apply(out) : out, said);
    }

    public SearchConfig config() {
        return SearchConfig.builder(strategy.get()).epochs(epochs.get()).batchSize(batch.get()).lr(lr.get())
                .archLr(archLr.get()).seed(seed.get()).build();
    }

    /**
     * What stands in the way of searching {@code space} with the run panel's settings, found without data: the
     * space's errors (core's Validator), settings out of range, and the space sized and planned at the run's
     * channels and cells. Empty when the search can start.
     */
    public List<Problem> refusals(SearchSpace space, RunFiles.Run resume) {
        List<Problem> out = new ArrayList<>();
        Validator.validate(space).stream().filter(Problem::isError).forEach(out::add);
        try {
            if (resume != null) {
                resume.config();
            } else {
                config();
            }
        } catch (IllegalArgumentException | LoadException e) {
            out.add(Problem.error(io.cellforge.space.Place.named("run settings"), e instanceof IllegalArgumentException ? ErrorText.line(e.getMessage()) : ErrorText.of(e)));
        }
        if (resume == null) {
            try {
                OneShotBudget.parse(budget.get(), costWeight.get(), strategy.get());
            } catch (IllegalArgumentException e) {
                out.add(Problem.error(io.cellforge.space.Place.named("run settings"), e.getMessage()));
            }
            out.addAll(subsetProblems());
        }
        if (resume != null || !out.isEmpty()) {
            return out; // a resumed run's space was sized when it started
        }
        String size = "at the run's size (" + channels.get() + " channels, " + layers.get() + " cells)";
        try {
            SearchSpace atSize = sized(space, space.network().input(), space.network().classes()).space();
            for (Problem p : Validator.validate(atSize)) {
                if (p.isError()) {
                    out.add(new Problem(p.severity(), p.at(), size + ": " + p.message(), p.source()));
                }
            }
            if (out.isEmpty()) {
                // The supernet planned at the space's own input: what the search would allocate before its first step.
                MemoryEstimate.search(Evaluator.supernetPlan(atSize), batch.get()).check(io.cellforge.engine.Backend.memoryLimits());
            }
        } catch (EditException e) {
            out.add(Problem.error(io.cellforge.space.Place.named("run settings"), size + ": " + ErrorText.line(e.getMessage())));
        } catch (PlanException e) {
            e.problems().forEach(p -> out.add(new Problem(p.severity(), io.cellforge.space.Place.NONE.equals(p.at()) ? io.cellforge.space.Place.named("run settings") : p.at(),
                    size + ", batch " + batch.get() + ": " + p.message(), p.source())));
        }
        return out;
    }

    /** Starts a search of a space; {@code resume} continues a stopped run from its checkpoint. */
    public void start(SearchSpace space, RunFiles.Run resume) {
        if (running.get() || space == null) {
            return;
        }
        problems.clear();
        if (runsRoot == null) {
            message.set("Open or create a document first: its runs are kept beside it");
            return;
        }
        if (space.isFixed()) {
            message.set("This space has no choices to search: make a LayerChoice or InputChoice first");
            return;
        }
        if (resume != null && resume.isLive()) {
            message.set(resume.dir().getFileName() + " is running (in another window or process): it cannot be resumed here");
            return;
        }
        if (resume != null ? TrialsViewModel.isMultiTrial(resume) : Strategies.isMultiTrial(strategy.get())) {
            startTrials(space, resume);
            return;
        }
        List<Problem> refused = refusals(space, resume);
        if (!refused.isEmpty()) {
            refuse(refused);
            return;
        }
        SearchConfig cfg;
        OneShotBudget costs;
        try {
            cfg = resume != null ? resume.config() : config();
            costs = resume != null ? OneShotBudget.read(resume.dir()) : OneShotBudget.parse(budget.get(), costWeight.get(), strategy.get());
        } catch (IllegalArgumentException | LoadException | IOException e) {
            message.set("Invalid settings: " + ErrorText.of(e)); // refusals() has seen it: a file changed since
            return;
        }
        Path dir = resume != null ? resume.dir()
                : runsRoot.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + cfg.strategy());
        String dataSpec = resume != null && !resume.data().isEmpty() ? resume.data() : data.get();
        // A resumed run takes the sample it was started on (its data.json); refusals() has read the fields.
        Integer[] sample = resume != null ? keptSample(resume.dir()) : new Integer[] {count("Training images", trainSubset.get()),
                count("Test images", testSubset.get())};
        multiTrialShown.set(false);
        steps.clear();
        epochList.clear();
        if (resume != null) {
            searched.set(resume.space());
            steps.setAll(resume.steps());
            epochList.setAll(resume.epochs());
        }
        finished.set(null);
        follow.set(true);
        cursor.set(steps.size() - 1);
        running.set(true);
        paused.set(false);
        progress.set(-1);
        progressText.set("Loading " + dataSpec + " ...");
        message.set("");
        control = new SearchControl();
        steering.setAll(resume != null ? resume.steering() : List.of());
        SearchControl ctl = control;
        cancelQuickLook("Quick look: not sized (a search started first)"); // they would share the cores
        intake.start();
        // The run reports through the inbox, in order with its steps: nothing comes back through the task itself.
        task = Tasks.submit(() -> {
            run(space, resume, cfg, costs, dataSpec, sample, dir, ctl);
            return null;
        }, x -> { }, e -> inbox.add(new Ended(null, false, ErrorText.of(e))));
    }

    /** On the executor. */
    private void run(SearchSpace doc, RunFiles.Run resume, SearchConfig cfg, OneShotBudget budgetOfRun, String dataSpec, Integer[] sample,
                     Path dir, SearchControl ctl) {
        try {
            DataBundle d = sampled(source.load(dataSpec), sample[0], sample[1], cfg.seed());
            // A resumed run's space took its data when it started.
            Fit fit = resume != null ? new Fit(resume.space(), List.of()) : sized(doc, d);
            SearchSpace s = fit.space();
            if (resume == null) {
                // What the search is fed (the sample, the normalisation), as the CLI's --out keeps it.
                java.nio.file.Files.createDirectories(dir);
                io.cellforge.data.DataReport.of(dataSpec, d).write(dir);
            }
            inbox.add(new Searching(s, String.join("; ", fit.said())));
            SearchEvents.Listener listener = new SearchEvents.Listener() {
                @Override
                public void started(String b, SearchConfig c, int perEpoch) {
                    inbox.add(new Started(b, perEpoch));
                }

                @Override
                public void step(SearchEvents.Step e) {
                    inbox.add(e);
                }

                @Override
                public void epoch(SearchEvents.Epoch e) {
                    inbox.add(e);
                }

                @Override
                public void warning(String m) {
                    inbox.add(new Warning(m));
                }

                @Override
                public void steered(io.cellforge.search.Steer st) {
                    inbox.add(st);
                }
            };
            Path ck = dir.resolve(RunFiles.CHECKPOINT);
            List<io.cellforge.search.CostTerm> costs = List.of();
            if (!budgetOfRun.isEmpty()) {
                costs = budgetOfRun.terms(s, runsRoot, cfg.batchSize());
                if (resume == null) {
                    budgetOfRun.write(dir);
                }
            }
            SearchResult r = RunService.search(dir, s, d, dataSpec, cfg, costs, ck, resume != null && resume.hasCheckpoint() ? ck : null,
                    listener, ctl);
            String fared = null;
            if (r.completed()) {
                RunFiles.writeResult(s, r, dir);
                if (!costs.isEmpty()) {
                    fared = budgetOfRun.report(costs, s, r, dir);
                }
            }
            inbox.add(new Ended(RunFiles.read(dir), r.completed(), null, fared));
        } catch (LoadException | PlanException | EditException | AdaptException | IOException | RuntimeException | OutOfMemoryError
                 | StackOverflowError e) {
            inbox.add(new Ended(null, false, ErrorText.of(e))); // whatever ends it, the tab hears of the end
        }
    }

    /** The sample a run was started on, from its data.json: {training, test} images, null for all; all when it has none. */
    static Integer[] keptSample(Path dir) {
        io.cellforge.data.DataReport.Sample s = io.cellforge.data.DataReport.recordedSample(dir);
        return new Integer[] {s.train(), s.test()};
    }

    /**
     * Retrains a run's architecture from scratch with the run's own data, batch size, seed and augmentation (a
     * multi-trial run's best trial: with the data, batch and seed its trials trained with, or for a table, which
     * trains nothing, the run panel's data and batch); {@code epoch} and the end are told on the JavaFX thread.
     * {@code keep}: the test accuracy is kept with the run (its own architecture's, not another trial's).
     */
    public void retrain(RunFiles.Run run, int epochs, String trainImages, boolean keep, SearchControl ctl, Consumer<String> status,
                        Consumer<Retrain.Step> step, Consumer<Retrain.Epoch> epoch, Consumer<Retrain.Result> done, Consumer<String> failed) {
        boolean multi = TrialsViewModel.isMultiTrial(run);
        String spec = multi ? TrialsViewModel.trainingData(run).orElse(data.get()) : run.data().isEmpty() ? Datasets.DIGITS : run.data();
        int panelBatch = batch.get();
        Integer trainN;
        try {
            // The result tab's own sample: a Quick look's in the run panel must not shrink the retraining unasked.
            trainN = count("Training images", trainImages);
        } catch (IllegalArgumentException e) {
            failed.accept(e.getMessage());
            return;
        }
        status.accept("Loading " + spec + " ...");
        java.util.concurrent.atomic.AtomicReference<String> notKept = new java.util.concurrent.atomic.AtomicReference<>();
        Tasks.submit(() -> {
            DataBundle whole = source.load(spec);
            Retrain.Config rc;
            SearchSpace space;
            if (multi) {
                rc = TrialsViewModel.retrainConfig(run, epochs, panelBatch);
                space = TrialsViewModel.fitted(run.space(), whole); // a table's space was never fitted to data
            } else {
                SearchConfig cfg = run.config();
                rc = Retrain.Config.darts(epochs, cfg.batchSize(), cfg.seed()).withAugment(cfg.augment());
                space = run.space();
            }
            // A sample of the training images, drawn with the retraining's seed (the run's); every test image.
            DataBundle d = sampled(whole, trainN, null, rc.seed());
            // Fed as the search fed it: the normalisation its data.json recorded, when of the same data.
            java.util.Optional<float[][]> recorded = io.cellforge.data.DataReport.recordedNormalisation(run.dir(), spec,
                    d.train().shape().channels());
            Retrain.Config config = rc.withNormalisation(recorded.orElse(null));
            String on = (d.sample().partial() ? " on " + d.sample().line() : "") + (recorded.isPresent() ? ", normalised as the search" : "");
            javafx.application.Platform.runLater(() -> status.accept("Retraining " + epochs + (epochs == 1 ? " epoch" : " epochs") + on + " (batch " + config.batchSize()
                    + ", seed " + config.seed() + ", as the run) ..."));
            // A step's figures reach the tab ten times a second at most, the last of an epoch always.
            java.util.concurrent.atomic.AtomicLong shown = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
            Retrain.Result r = Retrain.run(space, run.architecture(), d, config, e -> javafx.application.Platform.runLater(() -> epoch.accept(e)),
                    st -> {
                        long now = System.nanoTime();
                        long last = shown.get();
                        if ((last == Long.MIN_VALUE || now - last >= 100_000_000L || st.step() == st.steps() - 1) && shown.compareAndSet(last, now)) {
                            javafx.application.Platform.runLater(() -> step.accept(st));
                        }
                    }, ctl);
            if (r.completed() && keep) {
                RunFiles.writeRetrain(run.dir(), r.testAccuracy(), epochs, r.params());
                try {
                    io.cellforge.model.ModelFile.write(run.dir().resolve(io.cellforge.model.ModelFile.IN_RUN), r.model()); // for export-onnx RUN
                } catch (IOException e) {
                    // The retraining stands and its model stays in the tab (Export → ONNX); only the run folder lacks it.
                    notKept.set(String.format("Retrained for %d %s: test accuracy %.4f; its model could not be kept in the run folder (%s): "
                            + "export it from this tab", epochs, epochs == 1 ? "epoch" : "epochs", r.testAccuracy(), ErrorText.of(e)));
                }
            }
            return r;
        }, r -> {
            done.accept(r);
            if (notKept.get() != null) {
                status.accept(notKept.get());
            }
        }, e -> failed.accept(ErrorText.of(e)));
    }

    /** Start was refused: every problem listed (each clicks to its place), nothing run. */
    private void refuse(List<Problem> refused) {
        problems.setAll(refused);
        message.set("Not started: " + refused.size() + (refused.size() == 1 ? " problem" : " problems")
                + " below; click one to see it in the designer");
        progress.set(0);
        progressText.set("Not started");
    }

    /**
     * Starts a multi-trial search of {@code space} (or continues {@code resume} from its trial log), refused with every
     * problem listed while the space or the settings have one.
     */
    private void startTrials(SearchSpace space, RunFiles.Run resume) {
        SearchSpace s = resume != null ? resume.space() : space;
        List<Problem> refused = new ArrayList<>();
        Validator.validate(s).stream().filter(Problem::isError).forEach(refused::add);
        if (resume == null && trials.trainedProperty().get()) {
            refused.addAll(subsetProblems());
        }
        Path dir = resume != null ? resume.dir()
                : runsRoot.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + strategy.get());
        // The estimators that train read the sample asked for (a resumed run: the one it started on), kept in data.json.
        // A table trains nothing: its fields are not read (whatever they hold).
        Integer[] sample = resume != null ? keptSample(dir) : refused.isEmpty() && trials.trainedProperty().get()
                ? new Integer[] {count("Training images", trainSubset.get()), count("Test images", testSubset.get())} : new Integer[2];
        java.util.concurrent.atomic.AtomicLong sampleSeed = new java.util.concurrent.atomic.AtomicLong(seed.get());
        DataSource sampledSource = spec -> {
            DataBundle b = sampled(source.load(spec), sample[0], sample[1], sampleSeed.get());
            if (resume == null) {
                try {
                    java.nio.file.Files.createDirectories(dir);
                    io.cellforge.data.DataReport.of(spec, b).write(dir);
                } catch (IOException e) {
                    throw new LoadException(dir.toString(), ErrorText.of(e));
                }
            }
            return b;
        };
        TrialsViewModel.Checked checked = refused.isEmpty()
                ? trials.check(strategy.get(), s, seed.get(), resume, data.get(), sampledSource, runsRoot) : null;
        if (checked != null) {
            refused.addAll(checked.problems());
        }
        if (!refused.isEmpty()) {
            refuse(refused);
            return;
        }
        TrialsViewModel.Plan plan = checked.plan();
        sampleSeed.set(plan.seed()); // a resumed run's own
        multiTrialShown.set(true);
        trialRun = dir;
        searched.set(s);
        steering.clear();
        steps.clear();
        epochList.clear();
        cursor.set(-1);
        trials.begin(s, plan.objective(), plan.objectives(), plan.budget());
        finished.set(null);
        running.set(true);
        paused.set(false);
        progress.set(0);
        progressText.set((resume != null ? "Resuming " : "Starting ") + plan.strategy() + ": " + plan.budget() + " trials, "
                + plan.estimator() + " estimator ...");
        message.set("");
        control = new SearchControl();
        trialControl = new SearchControl();
        SearchControl ctl = control;
        SearchControl trialCtl = trialControl;
        started = System.nanoTime();
        doneAtStart = plan.logged().size();
        cancelQuickLook("Quick look: not sized (a search started first)");
        intake.start();
        task = Tasks.submit(() -> {
            runTrials(plan, dir, resume != null, ctl, trialCtl);
            return null;
        }, x -> { }, e -> inbox.add(new TrialsEnded(false, ErrorText.of(e), null)));
    }

    /** On the executor: the estimator built, then the trials, each told through the inbox as it is scored; the end, however it comes. */
    private void runTrials(TrialsViewModel.Plan plan, Path dir, boolean resumed, SearchControl ctl, SearchControl trialCtl) {
        try {
            TrialRun r = TrialsViewModel.run(plan, dir, resumed, inbox::add, text -> inbox.add(new Preparing(text)), m -> inbox.add(new Warning(m)), () -> {
                // Paused: no new round of trials starts until resumed or stopped.
                while (ctl.isPaused() && !ctl.isStopped()) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return true;
                    }
                }
                return ctl.isStopped();
            }, ctl, trialCtl);
            RunFiles.Run run = null;
            try {
                run = RunFiles.read(dir);
            } catch (LoadException noArchitecture) {
                // no trial met the constraints: the result names none
            }
            inbox.add(new TrialsEnded(r.completed(), null, run));
        } catch (IOException | EstimateException | LoadException | PlanException | EditException | RuntimeException | OutOfMemoryError e) {
            inbox.add(new TrialsEnded(false, ErrorText.of(e), null));
        }
    }

    /**
     * The trial picked in the views as a result of its own, to retrain or export: its architecture in place of the
     * run's best. Refused while the run is live (it trains the machine's cores already) or before a pick.
     */
    public ResultViewModel pickedTrialResult() throws ResultException {
        TrialsViewModel.TrialPoint p = trials.selectedProperty().get();
        if (p == null || trialRun == null) {
            throw new ResultException("Click a trial's point first", null);
        }
        if (running.get()) {
            throw new ResultException("A trial opens as a result once the search has ended", null);
        }
        try {
            RunFiles.Run r = RunFiles.read(trialRun);
            return new ResultViewModel(new RunFiles.Run(r.dir(), r.space(), r.settings(), r.data(), r.steps(), r.epochs(),
                    trials.architecture(p.index()), r.completed(), null, r.steering(), r.warnings()), this, p.index());
        } catch (LoadException | io.cellforge.arch.FormatException e) {
            throw new ResultException("Cannot open trial " + (p.index() + 1) + ": " + ErrorText.of(e), e);
        }
    }

    /** Shows a multi-trial run of the table: its trials, from its log. */
    private void showTrials(RunFiles.Run r) {
        try {
            trials.show(r);
        } catch (IOException | LoadException | IllegalArgumentException e) {
            message.set("Cannot read the trials of " + r.dir().getFileName() + ": " + ErrorText.of(e));
            return;
        }
        multiTrialShown.set(true);
        trialRun = r.dir();
        searched.set(r.space());
        steering.clear();
        steps.clear();
        epochList.clear();
        cursor.set(-1);
        if (trials.best() != null) {
            trials.select(trials.best().index());
        }
        int n = trials.points().size();
        int b = trials.shownBudgetProperty().get();
        progress.set(b <= 0 ? 0 : Math.min(1, (double) n / b));
        progressText.set(r.dir().getFileName() + ": " + n + " of " + b + " trials");
        updates.set(updates.get() + 1);
    }

    private record TrialsEnded(boolean completed, String error, RunFiles.Run run) {
    }

    /** What a multi-trial run does before its first trial: reading the data, timing layers, training the supernet. */
    private record Preparing(String text) {
    }

    private record Started(String backend, int stepsPerEpoch) {
    }

    /** {@code fit}: what the network changed to take the data, in one line; empty when it took them as it was. */
    private record Searching(SearchSpace space, String fit) {
    }

    /** {@code budget}: how the search fared against its budget, in words; null without one. */
    private record Ended(RunFiles.Run run, boolean completed, String error, String budget) {
        Ended(RunFiles.Run run, boolean completed, String error) {
            this(run, completed, error, null);
        }
    }

    private record Warning(String message) {
    }

    public void pause() {
        if (control != null && running.get()) {
            control.pause();
            paused.set(true);
            progressText.set("Paused: " + progressText.get());
        }
    }

    public void resume() {
        if (control != null && running.get()) {
            control.resume();
            paused.set(false);
        }
    }

    /** Stops between two steps; the checkpoint keeps the position, so the run can be resumed later. */
    public void stop() {
        if (control != null && running.get()) {
            control.stop();
            paused.set(false);
            progressText.set(multiTrialShown.get() ? "Stopping after the trials running ..." : "Stopping after this step ...");
        }
    }

    /** Stops the search and waits for it to write its checkpoint (when the app quits). */
    public void stopAndWait(java.time.Duration limit) {
        stop();
        if (trialControl != null && running.get()) {
            trialControl.stop(); // the log keeps the trials scored: Resume runs the others again
        }
        if (task != null) {
            task.await(limit);
        }
    }

    private static double progressAt(SearchEvents.Step s) {
        int total = s.epochs() * s.stepsPerEpoch();
        return total <= 0 ? 0 : (double) (s.epoch() * s.stepsPerEpoch() + s.step() + 1) / total;
    }

    /** Takes in what the search sent since the last frame. */
    void drain() {
        if (inbox.isEmpty()) {
            return;
        }
        List<SearchEvents.Step> newSteps = new ArrayList<>();
        List<Trial> newTrials = new ArrayList<>();
        Object o;
        while ((o = inbox.poll()) != null) {
            if (o instanceof Trial t) {
                newTrials.add(t);
                if (runnerWarning != null && runnerWarning.equals(message.get())) {
                    message.set("");
                }
                runnerWarning = null;
            } else if (o instanceof TrialsEnded e) {
                trials.add(newTrials);
                newTrials.clear();
                intake.stop();
                int n = trials.points().size();
                int budget = trials.shownBudgetProperty().get();
                progress.set(budget <= 0 ? 0 : Math.min(1, (double) n / budget));
                TrialsViewModel.TrialPoint best = trials.best();
                String figures = ": " + n + " trials" + (n == 0 ? "" : best == null ? ", none met the constraints"
                        : String.format(", best accuracy %.4f (trial %d)", best.accuracy(), best.index() + 1));
                if (e.error() != null) {
                    message.set("The search failed: " + e.error());
                    progressText.set("Failed after " + n + " trials");
                } else {
                    runs.setAll(RunFiles.list(runsRoot));
                    progressText.set((e.completed() ? "Finished" : "Stopped; Resume run continues it") + figures);
                }
                if (best != null) {
                    trials.select(best.index()); // the cell canvas shows the best until another trial is clicked
                }
                paused.set(false);
                running.set(false);
                // The result stays a click away (Open result in the runs table): the trial views are what a person watches.
                ending.set(new Ending(e.error() != null ? "The search failed: " + e.error()
                        : (e.completed() ? "The search finished" : "The search stopped; it can be resumed") + figures, e.error() != null));
            } else if (o instanceof SearchEvents.Step s) {
                newSteps.add(s);
                int done = s.epoch() * s.stepsPerEpoch() + s.step() + 1;
                int total = s.epochs() * s.stepsPerEpoch();
                double elapsed = (System.nanoTime() - started) / 1e9;
                progress.set(progressAt(s));
                double eta = elapsed / Math.max(1, done - doneAtStart) * (total - done);
                progressText.set(String.format("Epoch %d/%d, step %d/%d, %.1f images/s, ETA %s", s.epoch() + 1, s.epochs(), s.step() + 1,
                        s.stepsPerEpoch(), s.imagesPerSecond(), SearchEvents.duration(eta)));
            } else if (o instanceof SearchEvents.Epoch e) {
                if (!newSteps.isEmpty()) {
                    steps.addAll(newSteps);
                    newSteps.clear();
                }
                epochList.add(e);
            } else if (o instanceof Preparing p) {
                if (!paused.get() && !(control != null && control.isStopped())) {
                    progressText.set(p.text());
                }
            } else if (o instanceof Started s) {
                backend.set(s.backend());
                started = System.nanoTime();
                doneAtStart = steps.size();
                progressText.set("Searching ...");
            } else if (o instanceof Searching s) {
                searched.set(s.space());
                fitText.set(s.fit());
            } else if (o instanceof Warning w) {
                message.set(w.message());
                runnerWarning = w.message();
            } else if (o instanceof io.cellforge.search.Steer st) {
                steering.add(st); // listed under the heatmap: no message, which the tab keeps for what went wrong
            } else if (o instanceof Ended e) {
                if (!newSteps.isEmpty()) {
                    steps.addAll(newSteps);
                    newSteps.clear();
                }
                // Everything the run left is in place before it reads as no longer running.
                intake.stop();
                if (e.error() != null) {
                    message.set("The search failed: " + e.error());
                    // Determinate where it stopped: an indeterminate bar would animate (and cost a core) for ever.
                    progress.set(steps.isEmpty() ? 0 : progressAt(steps.get(steps.size() - 1)));
                    progressText.set("Failed");
                } else {
                    runs.setAll(RunFiles.list(runsRoot));
                    progressText.set(e.completed() ? "Finished: " + epochList.size() + " epochs" : "Stopped; Resume continues from the checkpoint");
                }
                paused.set(false);
                running.set(false);
                if (e.error() == null && e.completed()) {
                    finished.set(row(e.run()));
                }
                SearchEvents.Epoch lastEpoch = epochList.isEmpty() ? null : epochList.get(epochList.size() - 1);
                String figures = lastEpoch == null ? "" : String.format(": %d epochs, valid accuracy %.3f", epochList.size(), lastEpoch.validAccuracy());
                String fared = e.budget() == null ? "" : "; " + e.budget();
                if (e.budget() != null) {
                    progressText.set(progressText.get() + fared);
                }
                ending.set(new Ending(e.error() != null ? "The search failed: " + e.error()
                        : e.completed() ? "The search finished" + figures + fared : "The search stopped" + figures + "; it can be resumed",
                        e.error() != null));
            }
        }
        if (!newSteps.isEmpty()) {
            steps.addAll(newSteps);
        }
        if (!newTrials.isEmpty()) {
            trials.add(newTrials);
            int done = trials.points().size();
            int budget = trials.shownBudgetProperty().get();
            progress.set(budget <= 0 ? 0 : Math.min(1, (double) done / budget));
            double elapsed = (System.nanoTime() - started) / 1e9;
            double eta = done <= doneAtStart ? 0 : elapsed / (done - doneAtStart) * (budget - done);
            TrialsViewModel.TrialPoint best = trials.best();
            progressText.set(String.format("Trial %d/%d, best accuracy %s, ETA %s", done, budget,
                    best == null ? "-" : String.format("%.4f", best.accuracy()), SearchEvents.duration(eta)));
        }
        if (follow.get()) {
            cursor.set(steps.size() - 1);
        }
        updates.set(updates.get() + 1);
    }
}

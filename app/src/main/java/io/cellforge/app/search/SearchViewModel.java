package io.cellforge.app.search;

import io.cellforge.app.ErrorText;
import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.edit.EditException;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;
import io.cellforge.plan.PlanException;
import io.cellforge.search.Derivation;
import io.cellforge.search.OneShotSearch;
import io.cellforge.search.RunFiles;
import io.cellforge.search.SearchConfig;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.search.SearchResult;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.StageKind;
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

/**
 * The search as the app runs it: the settings of the run panel, a search on its own thread, what it has seen
 * so far (steps, epochs, choice probabilities) handed to the JavaFX thread at most once a frame, the step the
 * views show (live, or replayed with the timeline), and the runs of the document, each in its own folder.
 */
public final class SearchViewModel {
    /** Settings presets: a look at the search in about a minute, or the DARTS paper's. */
    public enum Preset { QUICK_LOOK, PAPER }

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
    private final ObjectProperty<RunFiles.Run> finished = new SimpleObjectProperty<>();
    private final ObservableList<RunFiles.Run> runs = FXCollections.observableArrayList();
    private final IntegerProperty updates = new SimpleIntegerProperty();

    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private SearchControl control;
    private Thread thread;
    private Path runsRoot;
    private long started;
    /** Steps already done when this search (re)started: the ETA counts only the steps it has timed. */
    private int doneAtStart;

    public SearchViewModel() {
        apply(Preset.QUICK_LOOK);
        // Events arrive on the search's thread; they are taken in here once a frame, so a fast search cannot
        // flood the JavaFX thread and every view redraws at most 60 times a second.
        new AnimationTimer() {
            @Override
            public void handle(long now) {
                drain();
            }
        }.start();
    }

    public void apply(Preset p) {
        switch (p) {
            case QUICK_LOOK -> {
                epochs.set(2);
                batch.set(64);
                channels.set(8);
                layers.set(5);
                lr.set(0.025);
                archLr.set(3e-3);
            }
            case PAPER -> {
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

    // ---- properties ---------------------------------------------------------------------------------------

    public StringProperty dataProperty() {
        return data;
    }

    public StringProperty strategyProperty() {
        return strategy;
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

    /** Set when a search ends with a derived architecture. */
    public ObjectProperty<RunFiles.Run> finishedProperty() {
        return finished;
    }

    public ObservableList<RunFiles.Run> runs() {
        return runs;
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

    /** Where the document's runs live: beside its file ({@code NAME.runs/}), else under the app's home. */
    public void setRunsRoot(Path root) {
        runsRoot = root;
        runs.setAll(RunFiles.list(root));
    }

    public Path runsRoot() {
        return runsRoot;
    }

    /** Shows a past run's history in the views. */
    public void show(RunFiles.Run r) {
        if (running.get()) {
            return;
        }
        searched.set(r.space());
        steps.setAll(r.steps());
        epochList.setAll(r.epochs());
        follow.set(true);
        cursor.set(steps.size() - 1);
        progress.set(r.epochs().isEmpty() ? 0 : (double) r.epochs().size() / Math.max(1, r.steps().isEmpty() ? 1 : r.steps().get(0).epochs()));
        progressText.set(r.dir().getFileName() + ": " + r.epochs().size() + " epochs" + (r.architecture() == null ? ", not finished" : ""));
        updates.set(updates.get() + 1);
    }

    // ---- the search ---------------------------------------------------------------------------------------

    /** The document's space at the run's size, with the data's input shape and classes. */
    SearchSpace sized(SearchSpace s, DataBundle d) throws EditException {
        Shape in = d.train().shape();
        int classes = Math.max(s.network().classes(), d.train().classes());
        SearchSpace out = SpaceEdits.setNetwork(channels.get(), classes, in).apply(s);
        boolean cellStack = !s.network().stages().isEmpty() && s.network().stages().stream()
                .allMatch(st -> st.kind() == StageKind.CELL && st.repeat() == null);
        return cellStack ? SpaceEdits.setLayers(layers.get()).apply(out) : out;
    }

    public SearchConfig config() {
        return SearchConfig.builder(strategy.get()).epochs(epochs.get()).batchSize(batch.get()).lr(lr.get())
                .archLr(archLr.get()).seed(seed.get()).build();
    }

    /** Starts a search of a space; {@code resume} continues a stopped run from its checkpoint. */
    public void start(SearchSpace space, RunFiles.Run resume) {
        if (running.get() || space == null) {
            return;
        }
        if (runsRoot == null) {
            message.set("Open or create a document first: its runs are kept beside it");
            return;
        }
        if (space.isFixed()) {
            message.set("This space has no choices to search: make a LayerChoice or InputChoice first");
            return;
        }
        SearchConfig cfg;
        try {
            cfg = resume != null ? resume.config() : config();
        } catch (IllegalArgumentException | LoadException e) {
            // the builder's IllegalArgumentException says which setting is out of range
            message.set("Invalid settings: " + (e instanceof IllegalArgumentException ? ErrorText.line(e.getMessage()) : ErrorText.of(e)));
            return;
        }
        Path dir = resume != null ? resume.dir()
                : runsRoot.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + cfg.strategy());
        String dataSpec = resume != null && !resume.data().isEmpty() ? resume.data() : data.get();
        steps.clear();
        epochList.clear();
        if (resume != null) {
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
        SearchControl ctl = control;
        thread = new Thread(() -> run(space, resume, cfg, dataSpec, dir, ctl), "cellforge-search");
        thread.setDaemon(true);
        thread.start();
    }

    /** On the search's thread. */
    private void run(SearchSpace doc, RunFiles.Run resume, SearchConfig cfg, String dataSpec, Path dir, SearchControl ctl) {
        try {
            DataBundle d = Datasets.load(dataSpec);
            SearchSpace s = resume != null ? resume.space() : sized(doc, d);
            inbox.add(new Searching(s));
            if (resume == null) {
                RunFiles.start(dir, s, cfg, dataSpec);
            }
            SearchResult r;
            try (RunFiles.EventLog log = new RunFiles.EventLog(dir.resolve(RunFiles.EVENTS), resume != null)) {
                SearchEvents.Listener listener = new SearchEvents.Listener() {
                    @Override
                    public void started(String b, SearchConfig c, int perEpoch) {
                        inbox.add(new Started(b, perEpoch));
                    }

                    @Override
                    public void step(SearchEvents.Step e) {
                        log.step(e);
                        inbox.add(e);
                    }

                    @Override
                    public void epoch(SearchEvents.Epoch e) {
                        log.epoch(e);
                        inbox.add(e);
                    }

                    @Override
                    public void resumed(int epoch, int step) {
                        log.resumed(epoch, step); // the events file says where the resumed run took up
                    }
                };
                r = new OneShotSearch(s, d, cfg).run(listener, ctl, dir.resolve(RunFiles.CHECKPOINT),
                        resume != null && resume.hasCheckpoint() ? dir.resolve(RunFiles.CHECKPOINT) : null);
            }
            if (r.completed()) {
                RunFiles.writeResult(s, r, dir);
            }
            inbox.add(new Ended(RunFiles.read(dir), r.completed(), null));
        } catch (LoadException | PlanException | EditException | IOException | RuntimeException e) {
            inbox.add(new Ended(null, false, ErrorText.of(e)));
        }
    }

    private record Started(String backend, int stepsPerEpoch) {
    }

    private record Searching(SearchSpace space) {
    }

    private record Ended(RunFiles.Run run, boolean completed, String error) {
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
            progressText.set("Stopping after this step ...");
        }
    }

    /** Stops the search and waits for it to write its checkpoint (when the app quits). */
    public void stopAndWait(java.time.Duration limit) {
        stop();
        if (thread != null) {
            try {
                thread.join(limit.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Takes in what the search sent since the last frame. */
    void drain() {
        if (inbox.isEmpty()) {
            return;
        }
        List<SearchEvents.Step> newSteps = new ArrayList<>();
        Object o;
        while ((o = inbox.poll()) != null) {
            if (o instanceof SearchEvents.Step s) {
                newSteps.add(s);
                int done = s.epoch() * s.stepsPerEpoch() + s.step() + 1;
                int total = s.epochs() * s.stepsPerEpoch();
                double elapsed = (System.nanoTime() - started) / 1e9;
                progress.set((double) done / total);
                double eta = elapsed / Math.max(1, done - doneAtStart) * (total - done);
                progressText.set(String.format("Epoch %d/%d, step %d/%d, %.1f images/s, ETA %s", s.epoch() + 1, s.epochs(), s.step() + 1,
                        s.stepsPerEpoch(), s.imagesPerSecond(), SearchEvents.duration(eta)));
            } else if (o instanceof SearchEvents.Epoch e) {
                if (!newSteps.isEmpty()) {
                    steps.addAll(newSteps);
                    newSteps.clear();
                }
                epochList.add(e);
            } else if (o instanceof Started s) {
                backend.set(s.backend());
                started = System.nanoTime();
                doneAtStart = steps.size();
                progressText.set("Searching ...");
            } else if (o instanceof Searching s) {
                searched.set(s.space());
            } else if (o instanceof Ended e) {
                if (!newSteps.isEmpty()) {
                    steps.addAll(newSteps);
                    newSteps.clear();
                }
                // Everything the run left is in place before it reads as no longer running.
                if (e.error() != null) {
                    message.set("The search failed: " + e.error());
                    progressText.set("Failed");
                } else {
                    runs.setAll(RunFiles.list(runsRoot));
                    progressText.set(e.completed() ? "Finished: " + epochList.size() + " epochs" : "Stopped; Resume continues from the checkpoint");
                }
                paused.set(false);
                running.set(false);
                if (e.error() == null && e.completed()) {
                    finished.set(e.run());
                }
            }
        }
        if (!newSteps.isEmpty()) {
            steps.addAll(newSteps);
        }
        if (follow.get()) {
            cursor.set(steps.size() - 1);
        }
        updates.set(updates.get() + 1);
    }
}

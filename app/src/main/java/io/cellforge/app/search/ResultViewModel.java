package io.cellforge.app.search;

import io.cellforge.app.ErrorText;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.model.ModelFile;
import io.cellforge.model.TrainedModel;
import io.cellforge.onnx.OnnxExport;
import io.cellforge.plan.PlanException;
import io.cellforge.search.RunFiles;
import io.cellforge.search.SearchControl;
import io.cellforge.space.Cell;
import io.cellforge.space.SearchSpace;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A search's result as its tab shows it: the derived architecture as a fixed network (no choices left), its exports
 * in every format, and retraining it from scratch with the run's data and settings (through the search view-model),
 * with its progress, its epochs and the test accuracy.
 */
public final class ResultViewModel {
    private final RunFiles.Run run;
    private final SearchViewModel search;
    private final SearchSpace fixed;
    private final StringProperty status = new SimpleStringProperty("");
    private final DoubleProperty progress = new SimpleDoubleProperty();
    private final BooleanProperty training = new SimpleBooleanProperty();
    private final ObservableList<Epoch> epochs = FXCollections.observableArrayList();
    /** The training images retraining takes: empty for all, or a stratified sample of that many. */
    private final StringProperty trainImages = new SimpleStringProperty("");
    private SearchControl control;
    /** When the first step of the retraining under way was told, and how many steps were done then: the ETA's origin. */
    private long firstStepNanos;
    private int stepsBefore = -1;
    private Double testAccuracy;
    /** The retrained network (this tab's retraining, or the one the run keeps); null until there is one. */
    private final ObjectProperty<TrainedModel> model = new SimpleObjectProperty<>();
    /** The multi-trial run's trial this result is (not the run's best, whose retraining the run keeps); null otherwise. */
    private final Integer trial;

    /** A retraining epoch as the chart plots it (1-based). */
    public record Epoch(int epoch, double trainLoss, double testAccuracy) {
    }

    /** A format the result can be written in: the menu's entry, the save dialog's title and the file's name. */
    public record Export(String entry, String title, String fileName, ArchFormat format) {
    }

    ResultViewModel(RunFiles.Run run, SearchViewModel search) throws FormatException {
        this(run, search, null);
    }

    /** {@code trial}: a multi-trial run's trial, its architecture in {@code run} in place of the best's. */
    ResultViewModel(RunFiles.Run run, SearchViewModel search, Integer trial) throws FormatException {
        this.run = run;
        this.search = search;
        this.trial = trial;
        this.fixed = Fixing.fix(run.space(), run.architecture()).withName(run.space().name() + (trial == null ? "-derived" : "-trial-" + (trial + 1)));
        if (run.testAccuracy() != null && trial == null) {
            status.set(String.format("Retrained before: test accuracy %.4f", run.testAccuracy()));
        }
        Path kept = run.dir().resolve(ModelFile.IN_RUN);
        if (trial == null && Files.isRegularFile(kept)) {
            try {
                model.set(ModelFile.read(kept));
            } catch (LoadException e) {
                status.set("The run's retrained model cannot be read: " + ErrorText.of(e));
            }
        }
    }

    public RunFiles.Run run() {
        return run;
    }

    /** The run's folder: which run this result is. */
    public Path dir() {
        return run.dir();
    }

    /** The run's folder name; a trial's result adds its number. */
    public String name() {
        return run.dir().getFileName().toString() + (trial == null ? "" : " trial " + (trial + 1));
    }

    /** What the tab shows: the run, its strategy and figures, and the decisions that fixed the network. */
    public String summary() {
        if (trial != null) {
            return String.format("%s, %s: trial %d's architecture, %d decisions, no choices left", run.dir().getFileName(), run.strategy(),
                    trial + 1, run.architecture().choices().size());
        }
        if (TrialsViewModel.isMultiTrial(run)) {
            TrialsViewModel.Figures f = TrialsViewModel.figures(run);
            return String.format("%s, %s, %d of %d trials%s: the best architecture, %d decisions, no choices left", name(), run.strategy(),
                    f.trials(), f.budget(), f.bestAccuracy() == null ? "" : String.format(", accuracy %.4f", f.bestAccuracy()),
                    run.architecture().choices().size());
        }
        return String.format("%s, %s, %d epochs%s: the derived architecture, %d decisions, no choices left",
                name(), run.strategy(), run.epochs().size(), run.epochs().isEmpty() ? ""
                        : String.format(", valid accuracy %.3f", run.epochs().get(run.epochs().size() - 1).validAccuracy()),
                run.architecture().choices().size());
    }

    /** The derived network: the run's space with every choice decided. */
    public SearchSpace fixed() {
        return fixed;
    }

    /** The space the run searched. */
    public SearchSpace space() {
        return run.space();
    }

    public Architecture architecture() {
        return run.architecture();
    }

    public List<String> cellNames() {
        return List.copyOf(fixed.cells().keySet());
    }

    public Cell cell(String name) {
        return fixed.cells().get(name);
    }

    /** The fixed network as YAML (a format of {@code null}), then the architecture in each of its formats. */
    public List<Export> exports() {
        List<Export> out = new ArrayList<>();
        out.add(new Export("Network YAML (fixed)...", "Export the derived network", fixed.name() + ".yaml", null));
        for (ArchFormat f : ArchFormat.values()) {
            out.add(new Export("Architecture: " + f.id + " (" + f.extension + ")...", "Export the architecture (" + f.id + ")",
                    "architecture" + f.extension, f));
        }
        return out;
    }

    /**
     * Writes the result in a format, to where {@code save} says (title, initial name; empty: not written); the status
     * says what was written, or why not.
     */
    public void export(Export e, BiFunction<String, String, Optional<Path>> save) {
        String text;
        try {
            text = e.format() == null ? SpaceYaml.write(fixed) : ArchFormats.write(e.format(), run.space(), run.architecture());
        } catch (LoadException ex) {
            status.set(e.format().id + " does not describe this space: " + ErrorText.of(ex));
            return;
        }
        save.apply(e.title(), e.fileName()).ifPresent(p -> {
            try {
                SpaceFiles.writeAtomically(p, text);
                status.set("Wrote " + p.getFileName());
            } catch (IOException ex) {
                status.set("Could not write " + p + ": " + ErrorText.of(ex));
            }
        });
    }

    /** The retrained network, which ONNX export needs; null before retraining. */
    public ReadOnlyObjectProperty<TrainedModel> modelProperty() {
        return model;
    }

    /** Whether there is a retrained network to export (the view enables its ONNX entry by it). */
    public javafx.beans.binding.BooleanBinding retrainedProperty() {
        return model.isNotNull();
    }

    /**
     * Writes the retrained network as ONNX to where {@code save} says: its weights and BatchNorm statistics, input raw
     * pixels in [0, 1] normalised by its first nodes. Before retraining the status says to retrain first.
     */
    public void exportOnnx(BiFunction<String, String, Optional<Path>> save) {
        TrainedModel m = model.get();
        if (m == null) {
            status.set("Retrain first: ONNX export needs the trained weights");
            return;
        }
        save.apply("Export the retrained network as ONNX", fixed.name() + ".onnx").ifPresent(p -> {
            try {
                OnnxExport.write(m, p);
                status.set(String.format("Wrote %s: ONNX opset %d, input '%s' N x %d x %d x %d raw pixels in [0, 1], output '%s' N x %d",
                        p.getFileName(), OnnxExport.OPSET, OnnxExport.INPUT, m.input().channels(), m.input().height(), m.input().width(),
                        OnnxExport.OUTPUT, m.classes().size()));
            } catch (OnnxExport.InexpressibleException | TrainedModel.MismatchException | PlanException | RuntimeException e) {
                status.set("Cannot export ONNX: " + ErrorText.of(e));
            } catch (IOException e) {
                status.set("Could not write " + p + ": " + ErrorText.of(e));
            }
        });
    }

    /** What retraining is doing, or what it found. */
    public StringProperty statusProperty() {
        return status;
    }

    /** Retraining's progress: -1 while loading, then the share of epochs done. */
    public DoubleProperty progressProperty() {
        return progress;
    }

    public BooleanProperty trainingProperty() {
        return training;
    }

    /** The epochs of the retraining under way (or last run). */
    public ObservableList<Epoch> epochs() {
        return epochs;
    }

    /** How many training images retraining takes: empty (all), or N for a stratified sample of N. */
    public StringProperty trainImagesProperty() {
        return trainImages;
    }

    /** The test accuracy retraining reached in this tab; null until then. */
    public Double testAccuracy() {
        return testAccuracy;
    }

    /** Trains the derived network from scratch with the run's settings, through the search view-model. */
    public void retrain(int epochCount) {
        if (training.get()) {
            return;
        }
        training.set(true);
        epochs.clear();
        progress.set(-1);
        control = new SearchControl();
        stepsBefore = -1;
        search.retrain(run, epochCount, trainImages.get(), trial == null, control, status::set, this::step, e -> {
            epochs.add(new Epoch(e.epoch() + 1, e.trainLoss(), e.testAccuracy()));
            progress.set((e.epoch() + 1.0) / e.epochs());
            status.set(String.format("Epoch %d/%d: train loss %.3f, train accuracy %.3f, test accuracy %.4f (%.0f s)",
                    e.epoch() + 1, e.epochs(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds()));
        }, r -> {
            training.set(false);
            progress.set(r.completed() ? 1 : 0);
            if (r.completed()) {
                testAccuracy = r.testAccuracy();
                model.set(r.model());
                status.set(String.format("Retrained from scratch for %d %s: test accuracy %.4f, %,d parameters",
                        epochCount, epochCount == 1 ? "epoch" : "epochs", r.testAccuracy(), r.params()));
            } else {
                status.set("Retraining stopped");
            }
        }, error -> {
            training.set(false);
            progress.set(0);
            status.set("Retraining failed: " + error);
        });
    }

    /** A step's figures: the bar moves within the epoch, and the ETA counts from the first step this tab was told of. */
    private void step(io.cellforge.train.Retrain.Step s) {
        int done = s.epoch() * s.steps() + s.step() + 1;
        int total = s.epochs() * s.steps();
        long now = System.nanoTime();
        if (stepsBefore < 0) {
            stepsBefore = done;
            firstStepNanos = now;
        }
        double perStep = done > stepsBefore ? (now - firstStepNanos) / 1e9 / (done - stepsBefore) : Double.NaN;
        progress.set((double) done / total);
        status.set(String.format("Epoch %d/%d, step %d/%d: train loss %.3f, train accuracy %.3f, %.0f images/s, ETA %s", s.epoch() + 1,
                s.epochs(), s.step() + 1, s.steps(), s.trainLoss(), s.trainAccuracy(), s.imagesPerSecond(),
                io.cellforge.search.SearchEvents.duration(perStep * (total - done))));
    }

    /** Stops retraining after the step under way. */
    public void stop() {
        if (control != null) {
            control.stop();
        }
    }
}

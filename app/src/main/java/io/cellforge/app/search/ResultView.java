package io.cellforge.app.search;

import io.cellforge.app.ErrorText;
import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.search.RunFiles;
import io.cellforge.search.SearchControl;
import io.cellforge.space.Cell;
import io.cellforge.space.SearchSpace;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Spinner;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A search's result in its own tab: the derived architecture as a fixed network (no choices left), its cells
 * drawn, exports in every format, and Retrain, which trains it from scratch with the run's data and settings
 * (through the search view-model) with its own progress and chart and reports the test accuracy.
 */
public final class ResultView extends BorderPane {
    private final RunFiles.Run run;
    private final SearchViewModel search;
    private final SearchSpace fixed;
    private final CellCanvas canvas = new CellCanvas();
    private final Map<String, Map<String, double[]>> positions = new HashMap<>();
    private final XYChart.Series<Number, Number> trainLoss = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> testAcc = new XYChart.Series<>();
    private final Label status = new Label();
    private final BooleanProperty training = new SimpleBooleanProperty();
    private SearchControl control;
    private Double testAccuracy;

    /**
     * @param save   asks where to write (title, initial name) and returns the path, or empty
     * @param design opens the fixed network in the designer as a new document
     */
    public ResultView(RunFiles.Run run, SearchViewModel search, BiFunction<String, String, Optional<Path>> save,
                      Consumer<ResultView> design) throws FormatException {
        this.run = run;
        this.search = search;
        this.fixed = Fixing.fix(run.space(), run.architecture()).withName(run.space().name() + "-derived");
        setId("result-" + run.dir().getFileName());
        ComboBox<String> cells = new ComboBox<>(FXCollections.observableArrayList(fixed.cells().keySet()));
        cells.setId("result-cell");
        cells.valueProperty().addListener((o, a, b) -> showCell(b));
        Label what = new Label(String.format("%s, %s, %d epochs%s: the derived architecture, %d decisions, no choices left",
                run.dir().getFileName(), run.strategy(), run.epochs().size(), run.epochs().isEmpty() ? ""
                        : String.format(", valid accuracy %.3f", run.epochs().get(run.epochs().size() - 1).validAccuracy()),
                run.architecture().choices().size()));
        what.setWrapText(true);

        MenuButton export = new MenuButton("Export");
        export.setId("result-export");
        MenuItem yaml = new MenuItem("Network YAML (fixed)...");
        yaml.setOnAction(e -> save.apply("Export the derived network", fixed.name() + ".yaml")
                .ifPresent(p -> write(p, SpaceYaml.write(fixed))));
        export.getItems().add(yaml);
        for (ArchFormat f : ArchFormat.values()) {
            MenuItem it = new MenuItem("Architecture: " + f.id + " (" + f.extension + ")...");
            it.setOnAction(e -> {
                try {
                    String text = ArchFormats.write(f, run.space(), run.architecture());
                    save.apply("Export the architecture (" + f.id + ")", "architecture" + f.extension).ifPresent(p -> write(p, text));
                } catch (LoadException ex) {
                    status.setText(f.id + " does not describe this space: " + ErrorText.of(ex));
                }
            });
            export.getItems().add(it);
        }
        Button open = new Button("Open in designer");
        open.setId("result-design");
        open.setOnAction(e -> design.accept(this));

        Spinner<Integer> epochs = new Spinner<>(1, 600, 5);
        epochs.setId("retrain-epochs");
        epochs.setEditable(true);
        Button retrain = new Button("Retrain");
        retrain.setId("retrain-start");
        retrain.disableProperty().bind(training);
        retrain.setOnAction(e -> retrain(epochs.getValue()));
        Button stop = new Button("Stop");
        stop.setId("retrain-stop");
        stop.disableProperty().bind(training.not());
        stop.setOnAction(e -> {
            if (control != null) {
                control.stop();
            }
        });
        ProgressBar bar = new ProgressBar(0);
        bar.setId("retrain-progress");
        bar.setPrefWidth(220);
        status.setId("retrain-status");
        status.setWrapText(true);
        if (run.testAccuracy() != null) {
            status.setText(String.format("Retrained before: test accuracy %.4f", run.testAccuracy()));
        }
        progressBar = bar;

        NumberAxis x = new NumberAxis();
        x.setLabel("epoch");
        LineChart<Number, Number> chart = new LineChart<>(x, new NumberAxis());
        chart.setId("retrain-chart");
        chart.setTitle("Retraining from scratch");
        chart.setAnimated(false);
        chart.setPrefHeight(220);
        trainLoss.setName("train loss");
        testAcc.setName("test accuracy");
        chart.getData().add(trainLoss);
        chart.getData().add(testAcc);

        FlowPane actions = new FlowPane(8, 8, cells, export, open, new Label("Epochs"), epochs, retrain, stop, bar);
        VBox top = new VBox(6, what, actions, status);
        top.setPadding(new Insets(8));
        setTop(top);
        setCenter(canvas);
        setBottom(chart);
        if (!cells.getItems().isEmpty()) {
            cells.setValue(cells.getItems().get(0));
        }
    }

    private final ProgressBar progressBar;

    public SearchSpace fixed() {
        return fixed;
    }

    public RunFiles.Run run() {
        return run;
    }

    public Architecture architecture() {
        return run.architecture();
    }

    public Double testAccuracy() {
        return testAccuracy;
    }

    public BooleanProperty trainingProperty() {
        return training;
    }

    public CellCanvas canvas() {
        return canvas;
    }

    private void showCell(String name) {
        Cell c = fixed.cells().get(name);
        if (c == null) {
            return;
        }
        canvas.show(c, positions.computeIfAbsent(name, k -> DiagramLayout.positions(c)), io.cellforge.app.Selection.NONE);
    }

    private void write(Path p, String text) {
        try {
            SpaceFiles.writeAtomically(p, text);
            status.setText("Wrote " + p.getFileName());
        } catch (IOException e) {
            status.setText("Could not write " + p + ": " + ErrorText.of(e));
        }
    }

    /** Trains the derived network from scratch with the run's settings, through the view-model. */
    public void retrain(int epochs) {
        if (training.get()) {
            return;
        }
        training.set(true);
        trainLoss.getData().clear();
        testAcc.getData().clear();
        progressBar.setProgress(-1);
        control = new SearchControl();
        search.retrain(run, epochs, control, status::setText, e -> {
            trainLoss.getData().add(new XYChart.Data<>(e.epoch() + 1, e.trainLoss()));
            testAcc.getData().add(new XYChart.Data<>(e.epoch() + 1, e.testAccuracy()));
            progressBar.setProgress((e.epoch() + 1.0) / e.epochs());
            status.setText(String.format("Epoch %d/%d: train loss %.3f, train accuracy %.3f, test accuracy %.4f (%.0f s)",
                    e.epoch() + 1, e.epochs(), e.trainLoss(), e.trainAccuracy(), e.testAccuracy(), e.seconds()));
        }, r -> {
            training.set(false);
            progressBar.setProgress(r.completed() ? 1 : 0);
            if (r.completed()) {
                testAccuracy = r.testAccuracy();
                status.setText(String.format("Retrained from scratch for %d epochs: test accuracy %.4f, %,d parameters",
                        epochs, r.testAccuracy(), r.params()));
            } else {
                status.setText("Retraining stopped");
            }
        }, error -> {
            training.set(false);
            progressBar.setProgress(0);
            status.setText("Retraining failed: " + error);
        });
    }
}

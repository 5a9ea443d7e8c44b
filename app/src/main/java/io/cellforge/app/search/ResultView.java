package io.cellforge.app.search;

import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.space.Cell;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
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
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A search's result in its own tab ({@link ResultViewModel}): the derived architecture as a fixed network (no choices
 * left), its cells drawn, exports in every format, and Retrain, which trains it from scratch with the run's data and
 * settings with its own progress and chart and reports the test accuracy.
 */
public final class ResultView extends BorderPane {
    private final ResultViewModel vm;
    private final CellCanvas canvas = new CellCanvas();
    private final Map<String, Map<String, double[]>> positions = new HashMap<>();
    private final XYChart.Series<Number, Number> trainLoss = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> testAcc = new XYChart.Series<>();

    /**
     * @param save   asks where to write (title, initial name) and returns the path, or empty
     * @param design opens the fixed network in the designer as a new document
     */
    public ResultView(ResultViewModel vm, BiFunction<String, String, Optional<Path>> save, Consumer<ResultViewModel> design) {
        this.vm = vm;
        setId("result-" + vm.name());
        ComboBox<String> cells = new ComboBox<>(FXCollections.observableArrayList(vm.cellNames()));
        cells.setId("result-cell");
        cells.valueProperty().addListener((o, a, b) -> showCell(b));
        Label what = new Label(vm.summary());
        what.setWrapText(true);

        MenuButton export = new MenuButton("Export");
        export.setId("result-export");
        for (ResultViewModel.Export e : vm.exports()) {
            MenuItem it = new MenuItem(e.entry());
            it.setOnAction(a -> vm.export(e, save));
            export.getItems().add(it);
        }
        MenuItem onnx = new MenuItem("ONNX (retrained network)...");
        onnx.setId("result-export-onnx");
        onnx.disableProperty().bind(vm.retrainedProperty().not());
        onnx.setOnAction(a -> vm.exportOnnx(save));
        export.getItems().addAll(new javafx.scene.control.SeparatorMenuItem(), onnx);
        Button open = new Button("Open in designer");
        open.setId("result-design");
        open.setOnAction(e -> design.accept(vm));

        Spinner<Integer> epochs = new Spinner<>(1, 600, 5);
        epochs.setId("retrain-epochs");
        epochs.setEditable(true);
        TextField images = new TextField();
        images.setId("retrain-images");
        images.setPromptText("all");
        images.setPrefColumnCount(6);
        images.setTooltip(new javafx.scene.control.Tooltip("Training images: empty for all of them, or N for a stratified sample of N"));
        images.textProperty().bindBidirectional(vm.trainImagesProperty());
        Button retrain = new Button("Retrain");
        retrain.setId("retrain-start");
        retrain.disableProperty().bind(vm.trainingProperty());
        retrain.setOnAction(e -> vm.retrain(epochs.getValue()));
        Button stop = new Button("Stop");
        stop.setId("retrain-stop");
        stop.disableProperty().bind(vm.trainingProperty().not());
        stop.setOnAction(e -> vm.stop());
        ProgressBar bar = new ProgressBar(0);
        bar.setId("retrain-progress");
        bar.setPrefWidth(220);
        bar.progressProperty().bind(vm.progressProperty());
        Label status = new Label();
        status.setId("retrain-status");
        status.setWrapText(true);
        status.textProperty().bind(vm.statusProperty());

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
        vm.epochs().addListener((ListChangeListener<ResultViewModel.Epoch>) c -> {
            trainLoss.getData().setAll(vm.epochs().stream().map(e -> new XYChart.Data<Number, Number>(e.epoch(), e.trainLoss())).toList());
            testAcc.getData().setAll(vm.epochs().stream().map(e -> new XYChart.Data<Number, Number>(e.epoch(), e.testAccuracy())).toList());
        });

        FlowPane actions = new FlowPane(8, 8, cells, export, open, new Label("Epochs"), epochs, new Label("Training images"), images, retrain, stop, bar);
        VBox top = new VBox(6, what, actions, status);
        top.setPadding(new Insets(8));
        setTop(top);
        setCenter(canvas);
        setBottom(chart);
        if (!cells.getItems().isEmpty()) {
            cells.setValue(cells.getItems().get(0));
        }
    }

    public ResultViewModel viewModel() {
        return vm;
    }

    public CellCanvas canvas() {
        return canvas;
    }

    private void showCell(String name) {
        Cell c = vm.cell(name);
        if (c == null) {
            return;
        }
        canvas.show(c, positions.computeIfAbsent(name, k -> DiagramLayout.positions(c, canvas.getWidth(), canvas.getHeight())), io.cellforge.app.Selection.NONE);
    }
}

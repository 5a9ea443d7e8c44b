package io.cellforge.app.search;

import io.cellforge.space.Problem;
import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.canvas.Theme;
import io.cellforge.space.Cell;
import io.cellforge.space.SearchSpace;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.property.Property;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.util.Duration;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Search tab: the run panel (data with a preview, strategy, sizes, rates, presets; start, pause, stop;
 * progress; why a search was refused) on the left; on the right the live views (loss and accuracy charts, the
 * animated cell, the heatmap and the weights of every choice, and a timeline to replay the search; a multi-trial
 * run's {@link TrialsView} in their place) and the runs of the document ({@link RunsView}: a sortable table,
 * resume, open, compare two).
 */
public final class SearchPane extends BorderPane {
    /** At most this many points per chart series: long searches are sampled evenly. */
    static final int MAX_POINTS = 400;
    /** The run panel's label column, the same in its grids so that their fields line up ("Training images" fits). */
    private static final double LABEL_W = 120;

    private final SearchViewModel vm;
    private final CellCanvas cellView = new CellCanvas();
    private final WeightsView weights = new WeightsView();
    private final XYChart.Series<Number, Number> trainLoss = series("train loss");
    private final XYChart.Series<Number, Number> validLoss = series("valid loss");
    private final XYChart.Series<Number, Number> trainAcc = series("train accuracy");
    private final XYChart.Series<Number, Number> validAcc = series("valid accuracy (epoch)");
    private final ComboBox<String> cellChoice = new ComboBox<>();
    private final Label stepLabel = new Label();
    private final Timeline replay = new Timeline();
    private final RunsView runsView;
    private final TrialsView trialsView;
    private Cell shownCell;
    /** The search view's own layout of each cell: two-line labels, so the cell is drawn larger than in the designer. */
    private final Map<Cell, Map<String, double[]>> livePositions = new java.util.HashMap<>();

    /**
     * @param space     the open document's space (what Start searches)
     * @param onResult  opens a finished run's derived architecture (a run with a result)
     * @param reveal    shows a problem's place in the designer
     */
    public SearchPane(SearchViewModel vm, Supplier<SearchSpace> space, Consumer<RunRow> onResult, Consumer<Problem> reveal) {
        this.vm = vm;
        setId("search-pane");
        setLeft(runPanel(space, reveal));
        runsView = new RunsView(vm, onResult);
        trialsView = new TrialsView(vm.trials());
        // A multi-trial run's views take the place of the weights, heatmap and timeline of a one-shot one.
        SplitPane oneShot = liveViews();
        BorderPane liveBox = new BorderPane(vm.multiTrialShownProperty().get() ? trialsView : oneShot);
        vm.multiTrialShownProperty().addListener((o, a, b) -> {
            liveBox.setCenter(b ? trialsView : oneShot);
            refresh();
        });
        javafx.scene.control.Tab live = new javafx.scene.control.Tab("Live", liveBox);
        live.setId("search-live");
        javafx.scene.control.Tab runsTab = new javafx.scene.control.Tab("Runs", runsView);
        runsTab.setId("search-runs");
        javafx.scene.control.TabPane views = new javafx.scene.control.TabPane(live, runsTab);
        views.setId("search-views");
        views.setTabClosingPolicy(javafx.scene.control.TabPane.TabClosingPolicy.UNAVAILABLE);
        // Choosing a run in the table shows its history in the live views, a tab away.
        runsTab.setOnSelectionChanged(e -> {
            if (runsTab.isSelected()) {
                vm.refreshRuns();
            }
        });
        setCenter(views);
        vm.updatesProperty().addListener((o, a, b) -> refresh());
        vm.cursorProperty().addListener((o, a, b) -> showCursor());
        vm.searchedProperty().addListener((o, a, s) -> {
            cellChoice.getItems().setAll(s == null ? List.of() : s.cells().keySet());
            if (!cellChoice.getItems().isEmpty()) {
                cellChoice.setValue(cellChoice.getItems().get(0));
            }
        });
        vm.finishedProperty().addListener((o, a, run) -> {
            if (run != null && run.hasResult()) {
                onResult.accept(run);
            }
        });
        cellChoice.valueProperty().addListener((o, a, b) -> showCursor());
        vm.endingProperty().addListener((o, a, end) -> notifyEnd(end));
    }

    /** A notification in the window's corner: a search takes minutes, and the person may be in the designer. */
    private void notifyEnd(SearchViewModel.Ending end) {
        if (end == null || getScene() == null || getScene().getWindow() == null || !getScene().getWindow().isShowing()) {
            return;
        }
        org.controlsfx.control.Notifications n = org.controlsfx.control.Notifications.create().owner(getScene().getWindow())
                .title("Cellforge search").text(end.text()).hideAfter(Duration.seconds(end.failed() ? 15 : 8));
        if (end.failed()) {
            n.showError();
        } else {
            n.showInformation();
        }
    }

    /** Where a picked trial's result opens (a tab of its own, as a run's result). */
    public void setOnTrialResult(Consumer<ResultViewModel> open) {
        trialsView.setOpenAction(() -> {
            try {
                open.accept(vm.pickedTrialResult());
            } catch (SearchViewModel.ResultException e) {
                vm.messageProperty().set(e.getMessage());
            }
        }, vm.runningProperty());
    }

    public RunsView runsView() {
        return runsView;
    }

    public TrialsView trialsView() {
        return trialsView;
    }

    public WeightsView weightsView() {
        return weights;
    }

    public List<XYChart.Series<Number, Number>> series() {
        return List.of(trainLoss, validLoss, trainAcc, validAcc);
    }

    public void setTheme(Theme t) {
        cellView.setTheme(t);
        weights.setTheme(t);
        trialsView.setTheme(t);
        showCursor();
    }

    // ---- run panel ----------------------------------------------------------------------------------------

    private ScrollPane runPanel(Supplier<SearchSpace> space, Consumer<Problem> reveal) {
        TextField data = new TextField();
        data.setId("run-data");
        data.textProperty().bindBidirectional(vm.dataProperty());
        Button folder = new Button("Folder...");
        folder.setOnAction(e -> {
            File f = new DirectoryChooser().showDialog(getScene().getWindow());
            if (f != null) {
                vm.dataProperty().set(f.getPath());
            }
        });
        Button file = new Button("File...");
        file.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV or IDX images", "*.csv", "*.csv.gz", "*idx3*", "*"));
            File f = fc.showOpenDialog(getScene().getWindow());
            if (f != null) {
                vm.dataProperty().set(f.getPath());
            }
        });
        Button digits = new Button("Digits");
        digits.setOnAction(e -> vm.useDigits());
        // Offered where the open space's weight generators read a context and the data named have none of it.
        Button strokes = new Button("Use the bundled strokes");
        strokes.setId("data-strokes");
        strokes.setTooltip(new javafx.scene.control.Tooltip("This space's weight generators read a context vector a sample; "
                + "the bundled strokes have one of 4 values"));
        strokes.setOnAction(e -> vm.useStrokes());
        strokes.visibleProperty().bind(vm.strokesOfferedProperty());
        strokes.managedProperty().bind(strokes.visibleProperty());
        FlowPane preview = new FlowPane(3, 3);
        preview.setId("data-preview");
        Label counts = new Label();
        counts.setId("data-counts");
        counts.setWrapText(true);
        counts.textProperty().bind(vm.previewTextProperty());
        Label fit = new Label();
        fit.setId("data-fit");
        fit.setWrapText(true);
        fit.textProperty().bind(vm.fitTextProperty());
        fit.visibleProperty().bind(vm.fitTextProperty().isNotEmpty()); // no gap in the panel when the data fit as they are
        fit.managedProperty().bind(fit.visibleProperty());
        // What the open space's network takes beside the data; when they differ, one click adapts it (one undoable edit).
        Label shape = new Label();
        shape.setId("data-shape");
        shape.setWrapText(true);
        shape.textProperty().bind(vm.shapeTextProperty());
        showWhen(shape, vm.shapeTextProperty().isNotEmpty());
        Button adapt = new Button("Adapt the space to the data");
        adapt.setId("data-adapt");
        adapt.setOnAction(e -> vm.adaptToData());
        showWhen(adapt, vm.adaptableProperty());
        vm.previewImages().addListener((javafx.collections.ListChangeListener<javafx.scene.image.Image>) c -> showPreview(vm.previewImages(), preview));
        vm.loadPreview();

        ComboBox<String> strategy = new ComboBox<>(FXCollections.observableArrayList(vm.strategies()));
        strategy.setId("run-strategy");
        strategy.setVisibleRowCount(strategy.getItems().size()); // one-shot and multi-trial, all in view
        strategy.valueProperty().bindBidirectional(vm.strategyProperty());
        GridPane top = new GridPane();
        top.setHgap(8);
        top.setVgap(6);
        top.addRow(0, new Label("Strategy"), strategy);
        top.addRow(1, new Label("Seed"), spinner("run-seed", vm.seedProperty(), 0, Integer.MAX_VALUE));
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        int r = 0;
        g.addRow(r++, new Label("Epochs"), spinner("run-epochs", vm.epochsProperty(), 1, 1000));
        g.addRow(r++, new Label("Batch"), spinner("run-batch", vm.batchProperty(), 1, 4096));
        g.addRow(r++, new Label("Channels"), spinner("run-channels", vm.channelsProperty(), 1, 512));
        g.addRow(r++, new Label("Cells"), spinner("run-layers", vm.layersProperty(), 1, 64));
        g.addRow(r++, new Label("Learning rate"), number("run-lr", vm.lrProperty()));
        g.addRow(r++, new Label("Arch. rate"), number("run-arch-lr", vm.archLrProperty()));
        // A budget as ProxylessNAS's expected-cost term: the DARTS family's architecture loss pulls under it.
        TextField budget = new TextField();
        budget.setId("run-budget-one-shot");
        budget.setPromptText("e.g. macs<=2e5, params<=5e4");
        budget.setPrefWidth(110);
        budget.textProperty().bindBidirectional(vm.budgetProperty());
        g.addRow(r++, new Label("Budget"), budget);
        g.addRow(r++, new Label("Cost weight"), number("run-cost-weight", vm.costWeightProperty()));
        // A stratified, seeded sample of the data (the run's seed): a quick look at large data, kept in the run's data.json.
        g.addRow(r++, new Label("Training images"), subsetField("run-train-subset", vm.trainSubsetProperty()));
        g.addRow(r++, new Label("Test images"), subsetField("run-test-subset", vm.testSubsetProperty()));
        g.getColumnConstraints().add(new javafx.scene.layout.ColumnConstraints(LABEL_W));
        top.getColumnConstraints().add(new javafx.scene.layout.ColumnConstraints(LABEL_W));
        Button quick = new Button("Quick look");
        quick.setId("preset-quick");
        quick.setOnAction(e -> vm.quickLook());
        Label quickText = new Label();
        quickText.setId("quick-look-text");
        quickText.setWrapText(true);
        quickText.textProperty().bind(vm.quickLookTextProperty());
        showWhen(quickText, vm.quickLookTextProperty().isNotEmpty());
        Button paper = new Button("Paper setting");
        paper.setId("preset-paper");
        paper.setOnAction(e -> vm.apply(SearchViewModel.Preset.PAPER));
        Label backend = new Label();
        backend.setId("run-backend");
        backend.setWrapText(true);
        backend.textProperty().bind(vm.backendProperty());

        Button start = new Button("Start");
        start.setId("run-start");
        start.setDefaultButton(false);
        start.setOnAction(e -> vm.start(space.get(), null));
        start.disableProperty().bind(vm.runningProperty());
        Button pause = new Button("Pause");
        pause.setId("run-pause");
        pause.textProperty().bind(javafx.beans.binding.Bindings.when(vm.pausedProperty()).then("Resume").otherwise("Pause"));
        pause.setOnAction(e -> {
            if (vm.pausedProperty().get()) {
                vm.resume();
            } else {
                vm.pause();
            }
        });
        pause.disableProperty().bind(vm.runningProperty().not());
        Button stop = new Button("Stop");
        stop.setId("run-stop");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(vm.runningProperty().not());
        ProgressBar bar = new ProgressBar();
        bar.setId("run-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(vm.progressProperty());
        Label progress = new Label();
        progress.setId("run-progress-text");
        progress.setWrapText(true);
        progress.textProperty().bind(vm.progressTextProperty());
        Label message = new Label();
        message.setId("run-message");
        message.setWrapText(true);
        message.setStyle("-fx-text-fill: #dc2626;");
        message.textProperty().bind(vm.messageProperty());
        // Why Start was refused: each problem in full (wrapped labels, never cut); a click shows its place in the designer.
        VBox problems = new VBox(4);
        problems.setId("run-problems");
        problems.visibleProperty().bind(javafx.beans.binding.Bindings.isNotEmpty(vm.problems()));
        problems.managedProperty().bind(problems.visibleProperty());
        vm.problems().addListener((javafx.collections.ListChangeListener<Problem>) c -> {
            problems.getChildren().clear();
            for (Problem p : vm.problems()) {
                Label l = new Label(p.toString());
                l.getStyleClass().add("run-problem");
                l.setWrapText(true);
                l.setMaxWidth(Double.MAX_VALUE);
                l.setMinHeight(Region.USE_PREF_SIZE);
                l.setStyle("-fx-text-fill: #dc2626; -fx-underline: true;");
                l.setCursor(javafx.scene.Cursor.HAND);
                l.setOnMouseClicked(e -> reveal.accept(p));
                problems.getChildren().add(l);
            }
        });
        // One-shot settings (data, sizes, rates, presets) or multi-trial ones, as the strategy takes them.
        // The title and the sources on one row: the panel keeps the run's sizes in view below the data's lines.
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        Label dataTitle = section("Data");
        HBox sources = new HBox(6, dataTitle, gap, digits, folder, file);
        sources.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        VBox oneShotData = new VBox(6, sources, data, strokes, preview, counts, shape, adapt, fit);
        VBox oneShot = new VBox(8, g, new HBox(6, quick, paper), quickText, backend);
        oneShot.setId("one-shot-settings");
        VBox trials = trialSettings(space);
        showWhen(oneShotData, vm.readsDataProperty());
        showWhen(oneShot, vm.multiTrialProperty().not());
        trials.visibleProperty().bind(vm.multiTrialProperty());
        trials.managedProperty().bind(trials.visibleProperty());
        VBox box = new VBox(6,
                new HBox(6, start, pause, stop), bar, progress, message, problems,
                oneShotData, section("Search"), top, oneShot, trials);
        box.setPadding(new Insets(10));
        box.setPrefWidth(300);
        ScrollPane sp = new ScrollPane(box);
        sp.setFitToWidth(true);
        sp.setPrefWidth(320);
        return sp;
    }

    /**
     * The multi-trial settings: budget, trials at once, the estimator (a table: its file and columns, filled in for
     * the NAS-Bench-201 table and space; subnet: epochs per child; supernet: its epochs; both: the batch, and the data
     * above), latency measured here, constraints as a filter or a penalty, and one or two objectives.
     */
    private VBox trialSettings(Supplier<SearchSpace> space) {
        TrialsViewModel t = vm.trials();
        ComboBox<String> estimator = new ComboBox<>(FXCollections.observableArrayList(t.estimators()));
        estimator.setId("run-estimator");
        estimator.valueProperty().bindBidirectional(t.estimatorProperty());
        TextField table = new TextField();
        table.setId("run-table");
        table.setPromptText("a CSV of architectures and scores");
        table.textProperty().bindBidirectional(t.tableProperty());
        table.setOnAction(e -> t.useTable(table.getText(), space.get()));
        Button chooseTable = new Button("Table...");
        chooseTable.setId("run-table-choose");
        chooseTable.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.setTitle("The table of architectures and their scores");
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV tables", "*.csv", "*"));
            File f = fc.showOpenDialog(getScene().getWindow());
            if (f != null) {
                t.chooseTable(f.toPath(), space.get());
            }
        });
        TextField arch = new TextField();
        arch.setId("run-arch-column");
        arch.textProperty().bindBidirectional(t.archColumnProperty());
        TextField score = new TextField();
        score.setId("run-score-column");
        score.setPromptText("the accuracy column");
        score.textProperty().bindBidirectional(t.scoreColumnProperty());
        TextField constraints = new TextField();
        constraints.setId("run-constraints");
        constraints.setPromptText("e.g. params<=8e5, macs<=1e8, latency_ms<=5");
        constraints.textProperty().bindBidirectional(t.constraintsProperty());
        CheckBox penalty = new CheckBox("Constraints as a penalty (else a filter)");
        penalty.setId("run-penalty");
        penalty.selectedProperty().bindBidirectional(t.penaltyProperty());
        CheckBox latency = new CheckBox("Measure latency here (each layer timed once)");
        latency.setId("run-latency");
        latency.setWrapText(true);
        latency.selectedProperty().bindBidirectional(t.latencyProperty());
        ComboBox<String> objective = new ComboBox<>(FXCollections.observableArrayList(t.objectives()));
        objective.setId("run-objective");
        objective.valueProperty().bindBidirectional(t.objectiveProperty());
        List<String> seconds = new java.util.ArrayList<>(List.of(TrialsViewModel.NONE));
        seconds.addAll(t.objectives());
        ComboBox<String> second = new ComboBox<>(FXCollections.observableArrayList(seconds));
        second.setId("run-objective-2");
        second.valueProperty().bindBidirectional(t.secondObjectiveProperty());

        GridPane common = grid();
        common.addRow(0, new Label("Budget"), spinner("run-budget", t.budgetProperty(), 1, 1_000_000));
        common.addRow(1, new Label("Parallel trials"), spinner("run-parallel", t.parallelProperty(), 1, 256));
        common.addRow(2, new Label("Estimator"), estimator);
        GridPane tableRows = grid();
        tableRows.addRow(0, new Label("Table"), chooseTable);
        tableRows.add(table, 0, 1, 2, 1);
        tableRows.addRow(2, new Label("Arch. column"), arch);
        tableRows.addRow(3, new Label("Score column"), score);
        GridPane subnetRows = grid();
        subnetRows.addRow(0, new Label("Child epochs"), spinner("run-child-epochs", t.childEpochsProperty(), 1, 1000));
        TextField cluster = new TextField();
        cluster.setId("run-cluster");
        cluster.setPromptText("spark://host:7077");
        cluster.setTooltip(new Tooltip("Empty: the trials run on this machine. A Spark master's URL (spark://host:7077, yarn, k8s://...)"
                + " or local[4] runs them on Apache Spark (needs the cluster jars, see the README)"));
        cluster.textProperty().bindBidirectional(t.clusterProperty());
        subnetRows.addRow(1, new Label("Cluster"), cluster);
        GridPane supernetRows = grid();
        supernetRows.addRow(0, new Label("Supernet epochs"), spinner("run-supernet-epochs", t.supernetEpochsProperty(), 1, 1000));
        supernetRows.addRow(1, new Label("Warm-up epochs"), spinner("run-warmup-epochs", t.warmupEpochsProperty(), 0, 1000));
        GridPane psRows = grid();
        psRows.addRow(0, new Label("Epochs per phase"), spinner("run-ps-epochs", t.psEpochsProperty(), 1, 1000));
        GridPane trainedRows = grid();
        trainedRows.addRow(0, new Label("Batch"), spinner("run-train-batch", t.trainBatchProperty(), 1, 4096));
        // The sample the estimators train on, as a one-shot search's (the same settings).
        trainedRows.addRow(1, new Label("Training images"), subsetField("run-trials-train-subset", vm.trainSubsetProperty()));
        trainedRows.addRow(2, new Label("Test images"), subsetField("run-trials-test-subset", vm.testSubsetProperty()));
        GridPane goals = grid();
        goals.addRow(0, new Label("Constraints"), constraints);
        goals.addRow(1, new Label("Objective"), objective);
        goals.addRow(2, new Label("2nd objective"), second);
        showWhen(tableRows, t.estimatorProperty().isEqualTo(TrialsViewModel.TABLE));
        showWhen(subnetRows, t.estimatorProperty().isEqualTo(TrialsViewModel.SUBNET));
        showWhen(supernetRows, t.estimatorProperty().isEqualTo(TrialsViewModel.SUPERNET));
        showWhen(psRows, t.estimatorProperty().isEqualTo(TrialsViewModel.PS));
        showWhen(trainedRows, t.trainedProperty());
        Label hint = new Label();
        hint.setWrapText(true);
        hint.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> switch (t.estimatorProperty().get()) {
            case TrialsViewModel.SUBNET -> "Each trial trains its child network from scratch on four fifths of the data's training images "
                    + "and is scored on the rest; trials run side by side, as many as the cores and memory allow.";
            case TrialsViewModel.SUPERNET -> "A SPOS supernet is trained once on the data (after a warm-up of the weights alone, if "
                    + "asked: ModularNAS's DefaultEstimator chained before it); each trial is scored by its path's accuracy on a few "
                    + "validation batches.";
            case TrialsViewModel.PS -> "Once-for-All: one elastic network (kernel, expansion, depth) is trained by progressive shrinking, "
                    + "four phases; each trial is scored by its slice of the shared weights. For elastic spaces such as ofa-mini.";
            default -> "Each trial is scored by the table (its accuracy), with the parameters and multiply-adds counted from the space.";
        }, t.estimatorProperty()));
        VBox box = new VBox(8, common, tableRows, subnetRows, supernetRows, psRows, trainedRows, latency, goals, penalty, hint);
        box.setId("multi-trial-settings");
        return box;
    }

    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        g.getColumnConstraints().add(new javafx.scene.layout.ColumnConstraints(LABEL_W));
        return g;
    }

    private static void showWhen(javafx.scene.Node n, javafx.beans.value.ObservableBooleanValue shown) {
        n.visibleProperty().bind(shown);
        n.managedProperty().bind(n.visibleProperty());
    }

    /** A few images of the data the view-model read. */
    private static void showPreview(List<javafx.scene.image.Image> images, FlowPane box) {
        box.getChildren().clear();
        for (javafx.scene.image.Image img : images) {
            ImageView v = new ImageView(img);
            v.setFitWidth(28);
            v.setFitHeight(28);
            v.setSmooth(false);
            box.getChildren().add(v);
        }
    }

    private static Spinner<Integer> spinner(String id, javafx.beans.property.IntegerProperty p, int min, int max) {
        Spinner<Integer> s = new Spinner<>(min, max, p.get());
        s.setId(id);
        s.setEditable(true);
        s.setPrefWidth(110);
        s.valueProperty().addListener((o, a, b) -> {
            if (b != null) {
                p.set(b);
            }
        });
        p.addListener((o, a, b) -> s.getValueFactory().setValue(b.intValue()));
        return s;
    }

    /** A sample's size: empty for all the images (said in the prompt), else a number of them. */
    private static TextField subsetField(String id, javafx.beans.property.StringProperty p) {
        TextField f = new TextField();
        f.setId(id);
        f.setPromptText("all");
        f.setPrefWidth(110);
        f.textProperty().bindBidirectional(p);
        return f;
    }

    private static TextField number(String id, Property<Number> p) {
        TextField f = new TextField(String.valueOf(p.getValue()));
        f.setId(id);
        f.setPrefWidth(110);
        f.textProperty().addListener((o, a, b) -> {
            try {
                double v = Double.parseDouble(b);
                if (v > 0) {
                    p.setValue(v);
                    f.setStyle("");
                    return;
                }
            } catch (NumberFormatException ignored) {
                // shown in red until it parses
            }
            f.setStyle("-fx-border-color: #dc2626;");
        });
        p.addListener((o, a, b) -> {
            if (!String.valueOf(b).equals(f.getText())) {
                f.setText(String.valueOf(b));
            }
        });
        return f;
    }

    private static Label section(String t) {
        Label l = new Label(t);
        l.setStyle("-fx-font-weight: bold;");
        return l;
    }

    // ---- live views ---------------------------------------------------------------------------------------

    private SplitPane liveViews() {
        LineChart<Number, Number> loss = chart("Loss", "loss-chart");
        loss.getData().add(trainLoss);
        loss.getData().add(validLoss);
        LineChart<Number, Number> acc = chart("Accuracy", "accuracy-chart");
        acc.getData().add(trainAcc);
        acc.getData().add(validAcc);
        HBox charts = new HBox(4, loss, acc);
        HBox.setHgrow(loss, Priority.ALWAYS);
        HBox.setHgrow(acc, Priority.ALWAYS);
        charts.setPrefHeight(200);

        cellChoice.setId("live-cell");
        cellChoice.setMinWidth(110);
        cellView.setId("live-canvas");
        cellView.setMinHeight(200);
        // A LayerChoice edge of the live cell (its label or its line) steers the search as its heatmap row does.
        cellView.setOnContextMenuRequested(e -> {
            edgeSteerMenu(cellView.edgeAt(cellView.sceneToModel(e.getSceneX(), e.getSceneY())))
                    .ifPresent(m -> m.show(cellView, e.getScreenX(), e.getScreenY()));
            e.consume();
        });
        BorderPane cellBox = new BorderPane(cellView);
        Label cellTitle = new Label("Cell  (edges: colour of the leading op, thickness its probability; the derived cell glows;"
                + " right-click a choice's edge to steer)");
        cellTitle.setWrapText(true);
        cellBox.setTop(new HBox(6, cellChoice, cellTitle));
        ScrollPane heat = new ScrollPane(weights.heatmap());
        weights.heatmap().setOnContextMenuRequested(e -> steerMenu(e.getX(), e.getY()).ifPresent(m -> m.show(weights.heatmap(),
                e.getScreenX(), e.getScreenY())));
        Label steered = new Label();
        steered.setId("steering");
        steered.setWrapText(true);
        steered.textProperty().bind(vm.steeringTextProperty());
        TitledPane heatPane = new TitledPane("Heatmap at this step (right-click to steer)",
                new BorderPane(heat, null, null, steered, null));
        heatPane.setCollapsible(false);
        heatPane.setMaxHeight(Double.MAX_VALUE);
        SplitPane middle = new SplitPane(cellBox, heatPane);
        middle.setDividerPositions(0.6);

        ScrollPane sparks = new ScrollPane(new VBox(4, weights.legend(), weights.sparks()));
        sparks.setFitToWidth(true);
        TitledPane sparkPane = new TitledPane("Probability of each candidate over the steps, every choice", sparks);
        sparkPane.setCollapsible(false);
        sparkPane.setMaxHeight(Double.MAX_VALUE);

        Slider timeline = new Slider(0, 0, 0);
        timeline.setId("timeline");
        timeline.setBlockIncrement(1);
        timeline.setMajorTickUnit(1);
        timeline.setSnapToTicks(false);
        HBox.setHgrow(timeline, Priority.ALWAYS);
        timeline.valueProperty().addListener((o, a, b) -> {
            int i = (int) Math.round(b.doubleValue());
            if (timeline.isValueChanging() || timeline.isFocused() || replay.getStatus() == javafx.animation.Animation.Status.RUNNING) {
                if (i != vm.cursorProperty().get()) {
                    vm.followProperty().set(i >= vm.stepCount() - 1);
                    vm.cursorProperty().set(i);
                }
            }
        });
        vm.cursorProperty().addListener((o, a, b) -> {
            timeline.setMax(Math.max(0, vm.stepCount() - 1));
            if (Math.round(timeline.getValue()) != b.intValue()) {
                timeline.setValue(Math.max(0, b.intValue()));
            }
        });
        vm.updatesProperty().addListener((o, a, b) -> timeline.setMax(Math.max(0, vm.stepCount() - 1)));
        Button play = new Button("Play");
        play.setId("play");
        replay.setCycleCount(Timeline.INDEFINITE);
        replay.getKeyFrames().setAll(new KeyFrame(Duration.millis(60), e -> {
            int next = vm.cursorProperty().get() + Math.max(1, vm.stepCount() / 300);
            if (next >= vm.stepCount()) {
                replay.stop();
                play.setText("Play");
                next = vm.stepCount() - 1;
                vm.followProperty().set(true);
            }
            vm.cursorProperty().set(next);
        }));
        play.setOnAction(e -> {
            if (replay.getStatus() == javafx.animation.Animation.Status.RUNNING) {
                replay.stop();
                play.setText("Play");
            } else if (vm.stepCount() > 0) {
                vm.followProperty().set(false);
                if (vm.cursorProperty().get() >= vm.stepCount() - 1) {
                    vm.cursorProperty().set(0);
                }
                replay.play();
                play.setText("Pause");
            }
        });
        CheckBox live = new CheckBox("Live");
        live.setId("follow");
        live.selectedProperty().bindBidirectional(vm.followProperty());
        stepLabel.setId("step-label");
        HBox time = new HBox(8, play, live, timeline, stepLabel);
        time.setPadding(new Insets(4, 8, 4, 8));

        SplitPane all = new SplitPane(charts, middle, sparkPane);
        all.setOrientation(Orientation.VERTICAL);
        all.setDividerPositions(0.22, 0.72);
        BorderPane withTime = new BorderPane(all);
        withTime.setBottom(time);
        SplitPane wrap = new SplitPane(withTime);
        return wrap;
    }

    private static LineChart<Number, Number> chart(String title, String id) {
        NumberAxis x = new NumberAxis();
        x.setLabel("epoch");
        x.setForceZeroInRange(true);
        NumberAxis y = new NumberAxis();
        y.setForceZeroInRange(true);
        LineChart<Number, Number> c = new LineChart<>(x, y);
        c.setId(id);
        c.setTitle(title);
        c.setCreateSymbols(false);
        c.setAnimated(false);
        c.setMinHeight(160);
        // Beside the plot: below it, the legend got no room in the short charts of a 1280x800 window.
        c.setLegendSide(javafx.geometry.Side.RIGHT);
        return c;
    }

    private static XYChart.Series<Number, Number> series(String name) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        s.setName(name);
        return s;
    }

    /** New steps or epochs arrived: the charts get their points (sampled), the views redraw at the cursor. */
    private void refresh() {
        if (vm.multiTrialShownProperty().get()) {
            trialsView.refresh();
            return;
        }
        SearchViewModel.Curves c = vm.curves(MAX_POINTS);
        trainLoss.getData().setAll(data(c.trainLoss()));
        validLoss.getData().setAll(data(c.validLoss()));
        trainAcc.getData().setAll(data(c.trainAccuracy()));
        validAcc.getData().setAll(data(c.validAccuracy()));
        weights.setChoices(vm.weightedChoices());
        showCursor();
    }

    private static List<XYChart.Data<Number, Number>> data(List<SearchViewModel.Point> points) {
        return points.stream().map(p -> new XYChart.Data<Number, Number>(p.x(), p.y())).toList();
    }

    /**
     * The steering menu of a heatmap cell: prune that candidate, pin the choice to it, or restore the choice; the
     * search applies it from its next step. Empty off the cells; disabled unless a one-shot search is running.
     */
    java.util.Optional<javafx.scene.control.ContextMenu> steerMenu(double x, double y) {
        return weights.cellAt(x, y).map(c -> {
            javafx.scene.control.MenuItem prune = new javafx.scene.control.MenuItem("Prune " + c.label() + " from " + c.key());
            prune.setId("steer-prune");
            prune.setOnAction(a -> vm.prune(c.key(), c.label()));
            javafx.scene.control.MenuItem pin = new javafx.scene.control.MenuItem("Pin " + c.key() + " to " + c.label());
            pin.setId("steer-pin");
            pin.setOnAction(a -> vm.pin(c.key(), c.label()));
            javafx.scene.control.MenuItem restore = new javafx.scene.control.MenuItem("Restore every candidate of " + c.key());
            restore.setId("steer-restore");
            restore.setOnAction(a -> vm.restore(c.key()));
            boolean can = vm.canSteer(c.key());
            for (javafx.scene.control.MenuItem m : List.of(prune, pin, restore)) {
                m.setMnemonicParsing(false); // keys and ops hold underscores
                m.setDisable(!can);
            }
            return new javafx.scene.control.ContextMenu(prune, pin, restore);
        });
    }

    /**
     * The steering menu of a LayerChoice edge of the live cell: the key, then a row per candidate with its Prune and
     * Pin buttons (two items per candidate ran past the screen's bottom with DARTS's eight ops), and Restore once one
     * is out. A pruned candidate's row says so.
     */
    java.util.Optional<javafx.scene.control.ContextMenu> edgeSteerMenu(List<String> edge) {
        return vm.choiceOn(cellChoice.getValue(), edge).map(key -> {
            javafx.scene.control.MenuItem title = new javafx.scene.control.MenuItem(key);
            title.setDisable(true);
            javafx.scene.control.ContextMenu menu = new javafx.scene.control.ContextMenu(title, new javafx.scene.control.SeparatorMenuItem());
            menu.setId("edge-steer");
            java.util.Map<String, javafx.scene.layout.HBox> rows = new java.util.LinkedHashMap<>();
            for (SearchViewModel.SteerItem it : vm.steerItems(key)) {
                if (it.kind() == SearchViewModel.SteerKind.RESTORE) {
                    javafx.scene.control.MenuItem m = new javafx.scene.control.MenuItem(it.text());
                    m.setId("steer-restore");
                    m.setDisable(!it.enabled());
                    m.setOnAction(a -> it.apply().run());
                    menu.getItems().add(m);
                    continue;
                }
                javafx.scene.layout.HBox row = rows.computeIfAbsent(it.op(), op -> {
                    Label name = new Label(op);
                    name.setMinWidth(130);
                    javafx.scene.layout.HBox r = new javafx.scene.layout.HBox(6, name);
                    r.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
                    javafx.scene.control.CustomMenuItem item = new javafx.scene.control.CustomMenuItem(r, true);
                    menu.getItems().add(menu.getItems().size(), item);
                    return r;
                });
                if (it.kind() == SearchViewModel.SteerKind.PRUNED) {
                    Label out = new Label("pruned");
                    out.setStyle("-fx-text-fill: -color-fg-muted;");
                    row.getChildren().add(out);
                    continue;
                }
                Button b = new Button(it.kind() == SearchViewModel.SteerKind.PRUNE ? "Prune" : "Pin");
                b.setId((it.kind() == SearchViewModel.SteerKind.PRUNE ? "steer-prune-" : "steer-pin-") + it.op());
                b.setMnemonicParsing(false);
                b.getStyleClass().add("small");
                b.setDisable(!it.enabled());
                b.setOnAction(a -> {
                    it.apply().run();
                    menu.hide();
                });
                row.getChildren().add(b);
            }
            // Restore, when offered, comes last.
            menu.getItems().sort(java.util.Comparator.comparing(m -> "steer-restore".equals(m.getId()) ? 1 : 0));
            menu.getItems().forEach(m -> m.setMnemonicParsing(false)); // keys and ops hold underscores
            return menu;
        });
    }

    /** The weights, heatmap and animated cell at the step the timeline shows. */
    private void showCursor() {
        int n = vm.stepCount();
        int i = Math.min(vm.cursorProperty().get(), n - 1);
        stepLabel.setText(n == 0 ? "no steps yet" : "step " + (i + 1) + " / " + n);
        weights.draw(vm.weightHistory(), i, vm.prunedAtCursor());
        SearchSpace s = vm.searchedProperty().get();
        Cell c = s == null || cellChoice.getValue() == null ? null : s.cells().get(cellChoice.getValue());
        if (c == null) {
            return;
        }
        cellView.setWeights(vm.weightsAtCursor(), vm.derivedAtCursor());
        if (c != shownCell) {
            shownCell = c;
            cellView.setKeys(io.cellforge.app.diagram.KeyPalette.keys(s));
            cellView.show(c, livePositions.computeIfAbsent(c, x -> io.cellforge.app.diagram.DiagramLayout.positions(x)),
                    io.cellforge.app.Selection.NONE);
        }
    }
}

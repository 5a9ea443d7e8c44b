package io.cellforge.app.search;

import io.cellforge.app.Selection;
import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.canvas.Theme;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.app.diagram.KeyPalette;
import io.cellforge.space.Cell;
import io.cellforge.space.SearchSpace;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Side;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TitledPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.util.StringConverter;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live views of a multi-trial search: the best accuracy so far over the trials; every trial as a point of
 * accuracy against a cost (parameters, multiply-adds, latency when measured) with the Pareto front drawn; the
 * histogram of the accuracies; how often each key took each option (a heatmap, blue above uniform); and the cell of
 * the trial clicked, its decisions fixed, on a canvas of its own.
 */
public final class TrialsView extends BorderPane {
    static final int BINS = 20;
    /** How near a click must come to a trial's point to pick it. */
    static final double PICK_PX = 8;

    private final TrialsViewModel vm;
    private final XYChart.Series<Number, Number> best = series("best so far");
    private final XYChart.Series<Number, Number> all = series("trials");
    private final XYChart.Series<Number, Number> front = series("Pareto front");
    private final XYChart.Series<Number, Number> picked = series("picked");
    private XYChart.Series<String, Number> bins = new XYChart.Series<>();
    private final BarChart<String, Number> histogram;
    private final NumberAxis costAxis = new NumberAxis();
    private final NumberAxis pointAcc = new NumberAxis();
    private final ComboBox<String> axis = new ComboBox<>();
    private final WeightsView frequencies = new WeightsView();
    private final CellCanvas canvas = new CellCanvas();
    private final ComboBox<String> cellChoice = new ComboBox<>();
    private final Label pickedText = new Label("Click a trial's point to see its cell");
    private final javafx.scene.control.Button open = new javafx.scene.control.Button("Open as result");
    private Cell shownCell;

    public TrialsView(TrialsViewModel vm) {
        this.vm = vm;
        setId("trials-view");

        NumberAxis trialAxis = new NumberAxis();
        trialAxis.setLabel("trial");
        NumberAxis accAxis = new NumberAxis();
        accAxis.setLabel("best accuracy");
        accAxis.setForceZeroInRange(false);
        LineChart<Number, Number> bestChart = new LineChart<>(trialAxis, accAxis);
        bestChart.setId("trials-best");
        bestChart.setTitle("Best accuracy so far");
        bestChart.setCreateSymbols(false);
        bestChart.setAnimated(false);
        bestChart.setLegendVisible(false);
        bestChart.getData().add(best);

        costAxis.setForceZeroInRange(false);
        costAxis.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                return compact(n.doubleValue());
            }

            @Override
            public Number fromString(String s) {
                return Double.parseDouble(s);
            }
        });
        pointAcc.setLabel("accuracy");
        pointAcc.setForceZeroInRange(false);
        LineChart<Number, Number> scatter = new LineChart<>(costAxis, pointAcc);
        scatter.setId("trials-scatter");
        scatter.setTitle("Every trial (click one)");
        scatter.setAnimated(false);
        scatter.setLegendSide(Side.BOTTOM);
        // Sorted by the cost: the front reads as a staircase; the trials' own line is hidden below.
        scatter.setAxisSortingPolicy(LineChart.SortingPolicy.X_AXIS);
        scatter.getData().add(all);
        scatter.getData().add(front);
        scatter.getData().add(picked);
        // A click picks the trial whose point is nearest, within a few pixels (points of equal trials coincide).
        scatter.setOnMouseClicked(e -> pointNear(e.getSceneX(), e.getSceneY()).ifPresent(vm::select));
        all.getNode().setStyle("-fx-stroke: transparent;");
        picked.getNode().setStyle("-fx-stroke: transparent;");
        // Only the trials' own points take clicks: no line lies over them.
        for (XYChart.Series<Number, Number> s : List.of(all, front, picked)) {
            s.getNode().setMouseTransparent(true);
        }
        axis.setId("trials-axis");
        axis.valueProperty().bindBidirectional(vm.axisProperty());
        axis.valueProperty().addListener((o, a, b) -> refresh());
        Label xLabel = new Label("x axis");
        HBox axisRow = new HBox(6, xLabel, axis);
        axisRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        BorderPane scatterBox = new BorderPane(scatter);
        scatterBox.setTop(axisRow);

        CategoryAxis binAxis = new CategoryAxis();
        binAxis.setLabel("accuracy");
        NumberAxis countAxis = new NumberAxis();
        countAxis.setLabel("trials");
        binAxis.setAnimated(false);
        countAxis.setAnimated(false);
        histogram = new BarChart<>(binAxis, countAxis);
        histogram.setId("trials-histogram");
        histogram.setTitle("Distribution of accuracy");
        histogram.setAnimated(false);
        histogram.setLegendVisible(false);
        histogram.setBarGap(0);
        histogram.setCategoryGap(1);
        histogram.getData().add(bins);

        ScrollPane heat = new ScrollPane(frequencies.heatmap());
        TitledPane heatPane = new TitledPane("How often each key took each option", heat);
        heatPane.setCollapsible(false);
        heatPane.setMaxHeight(Double.MAX_VALUE);
        // As wide as the heatmap, up to 45% of the view (a space of many keys and options scrolls rather than squeezing
        // the charts); the charts beside it share the rest.
        heatPane.minWidthProperty().bind(javafx.beans.binding.Bindings.min(frequencies.heatmap().widthProperty().add(50),
                widthProperty().multiply(0.45)));
        heatPane.maxWidthProperty().bind(heatPane.minWidthProperty());
        HBox charts = new HBox(4, bestChart, scatterBox, heatPane);
        for (javafx.scene.layout.Region n : List.of(bestChart, scatterBox)) {
            HBox.setHgrow(n, Priority.ALWAYS);
            n.setPrefWidth(340);
            n.setMinWidth(200);
        }
        histogram.setMinWidth(200);

        canvas.setId("trial-canvas");
        canvas.setMinHeight(180);
        cellChoice.setId("trial-cell");
        cellChoice.valueProperty().addListener((o, a, b) -> showPicked());
        pickedText.setId("trial-picked");
        pickedText.setWrapText(true);
        // A space of one cell needs no choice of cell.
        cellChoice.visibleProperty().bind(javafx.beans.binding.Bindings.size(cellChoice.getItems()).greaterThan(1));
        cellChoice.managedProperty().bind(cellChoice.visibleProperty());
        open.setId("trial-open");
        open.setTooltip(new javafx.scene.control.Tooltip("The picked trial's architecture in a result tab, to retrain or export"));
        open.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        HBox cellTop = new HBox(6, cellChoice, pickedText, open);
        cellTop.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        cellTop.setPadding(new Insets(2, 4, 2, 4));
        HBox.setHgrow(pickedText, Priority.ALWAYS);
        BorderPane cellBox = new BorderPane(canvas);
        cellBox.setTop(cellTop);
        TitledPane cellPane = new TitledPane("The trial's cell", cellBox);
        cellPane.setCollapsible(false);
        cellPane.setMaxHeight(Double.MAX_VALUE);

        cellPane.setMinWidth(200); // not its title's width: the divider may go where the cell needs it
        // The cell gets the width: its op labels are drawn only where they are readable.
        SplitPane bottom = new SplitPane(cellPane, histogram);
        bottom.setDividerPositions(0.74);

        SplitPane split = new SplitPane(charts, bottom);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        setCenter(split);

        vm.selectedSpaceProperty().addListener((o, a, s) -> {
            List<String> cells = s == null ? List.of() : List.copyOf(s.cells().keySet());
            if (!cellChoice.getItems().equals(cells)) {
                cellChoice.getItems().setAll(cells);
            }
            if (cellChoice.getValue() == null || !cells.contains(cellChoice.getValue())) {
                cellChoice.setValue(cells.isEmpty() ? null : cells.get(0));
            }
            showPicked();
        });
        vm.selectedProperty().addListener((o, a, p) -> {
            drawPicked();
            showPicked();
        });
        refresh();
    }

    /** What "Open as result" does (the tab holding the views opens it), and when it cannot be clicked. */
    public void setOpenAction(Runnable action, javafx.beans.value.ObservableBooleanValue disabled) {
        open.setOnAction(e -> action.run());
        open.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(
                () -> disabled.get() || vm.selectedProperty().get() == null, disabled, vm.selectedProperty()));
    }

    public void setTheme(Theme t) {
        canvas.setTheme(t);
        frequencies.setTheme(t);
        refresh();
    }

    /** The trials changed (once a frame at most): every view redrawn. */
    public void refresh() {
        List<String> axes = vm.axes();
        if (!axis.getItems().equals(axes)) {
            axis.getItems().setAll(axes);
        }
        if (!axes.contains(vm.axisProperty().get()) && !axes.isEmpty()) {
            vm.axisProperty().set(axes.get(0));
        }
        best.getData().setAll(vm.bestSoFar().stream().map(p -> new XYChart.Data<Number, Number>(p.x(), p.y())).toList());

        String cost = vm.axisProperty().get();
        costAxis.setLabel(label(cost));
        List<XYChart.Data<Number, Number>> points = vm.points().stream().filter(p -> p.score(cost) != null).map(p -> {
            XYChart.Data<Number, Number> d = new XYChart.Data<Number, Number>(p.score(cost), p.accuracy());
            d.setExtraValue(p.index());
            return d;
        }).toList();
        all.getData().setAll(points);
        // A trial that breaks a constraint is drawn faded: it can never be the result.
        java.util.Set<Integer> broken = new java.util.HashSet<>();
        vm.points().stream().filter(p -> !p.feasible()).forEach(p -> broken.add(p.index()));
        for (XYChart.Data<Number, Number> d : points) {
            if (d.getNode() != null) {
                d.getNode().setOpacity(broken.contains((Integer) d.getExtraValue()) ? 0.35 : 1);
            }
        }
        front.getData().setAll(vm.front(cost).stream().map(p -> new XYChart.Data<Number, Number>(p.score(cost), p.accuracy())).toList());
        for (XYChart.Data<Number, Number> d : front.getData()) {
            if (d.getNode() != null) {
                d.getNode().setMouseTransparent(true); // a click goes to the trial's own point beneath
            }
        }
        drawPicked();

        List<TrialsViewModel.Bin> counted = vm.histogram(BINS);
        List<String> labels = counted.stream().map(b -> String.format(Locale.ROOT, "%.3f", (b.from() + b.to()) / 2)).toList();
        if (labels.equals(bins.getData().stream().map(XYChart.Data::getXValue).toList())) {
            for (int i = 0; i < counted.size(); i++) {
                bins.getData().get(i).setYValue(counted.get(i).count());
            }
        } else {
            // Other bins: a new series, as a BarChart fails on data of new categories set into its series.
            bins = new XYChart.Series<>();
            for (int i = 0; i < counted.size(); i++) {
                bins.getData().add(new XYChart.Data<>(labels.get(i), counted.get(i).count()));
            }
            histogram.getData().setAll(List.of(bins));
        }

        frequencies.setChoices(vm.keys());
        Map<String, double[]> f = vm.frequencies();
        frequencies.draw(f.isEmpty() ? List.of() : List.of(f), f.isEmpty() ? -1 : 0, Map.of());
    }

    /** The trial whose point is nearest to a place of the scene, within {@link #PICK_PX}. */
    private java.util.Optional<Integer> pointNear(double sceneX, double sceneY) {
        double x = costAxis.sceneToLocal(sceneX, sceneY).getX();
        double y = pointAcc.sceneToLocal(sceneX, sceneY).getY();
        Integer found = null;
        double nearest = PICK_PX * PICK_PX;
        for (XYChart.Data<Number, Number> d : all.getData()) {
            double dx = costAxis.getDisplayPosition(d.getXValue()) - x;
            double dy = pointAcc.getDisplayPosition(d.getYValue()) - y;
            if (dx * dx + dy * dy <= nearest) {
                nearest = dx * dx + dy * dy;
                found = (Integer) d.getExtraValue();
            }
        }
        return java.util.Optional.ofNullable(found);
    }

    private void drawPicked() {
        TrialsViewModel.TrialPoint p = vm.selectedProperty().get();
        String cost = vm.axisProperty().get();
        picked.getData().setAll(p == null || p.score(cost) == null ? List.of()
                : List.of(new XYChart.Data<Number, Number>(p.score(cost), p.accuracy())));
        for (XYChart.Data<Number, Number> d : picked.getData()) {
            if (d.getNode() != null) {
                d.getNode().setMouseTransparent(true);
                d.getNode().setScaleX(1.6);
                d.getNode().setScaleY(1.6);
            }
        }
    }

    /** The picked trial's cell, fixed, on the canvas, with its figures above it. */
    private void showPicked() {
        TrialsViewModel.TrialPoint p = vm.selectedProperty().get();
        SearchSpace s = vm.selectedSpaceProperty().get();
        if (p == null) {
            pickedText.setText("Click a trial's point to see its cell");
        } else {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "Trial %d: accuracy %.4f", p.index() + 1, p.accuracy()));
            for (String a : TrialsViewModel.AXES) {
                if (p.score(a) != null) {
                    b.append(", ").append(label(a)).append(' ').append(compact(p.score(a)));
                }
            }
            pickedText.setText(b.append(p.feasible() ? "" : " (breaks a constraint)").toString());
        }
        Cell c = s == null || cellChoice.getValue() == null ? null : s.cells().get(cellChoice.getValue());
        if (c == null || c == shownCell) {
            return;
        }
        shownCell = c;
        canvas.setKeys(KeyPalette.keys(s));
        canvas.show(c, DiagramLayout.positions(c, canvas.getWidth(), canvas.getHeight()), Selection.NONE);
    }

    private static String label(String cost) {
        return switch (cost == null ? "" : cost) {
            case "params" -> "parameters";
            case "macs" -> "multiply-adds";
            case "latency_ms" -> "latency (ms)";
            default -> cost == null ? "" : cost;
        };
    }

    static String compact(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2fG", v / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (a >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, a >= 10 || a == 0 ? "%.0f" : "%.2f", v);
    }

    private static XYChart.Series<Number, Number> series(String name) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        s.setName(name);
        return s;
    }

    // For tests: what the views hold.

    public List<XYChart.Data<Number, Number>> bestSoFar() {
        return best.getData();
    }

    public List<XYChart.Data<Number, Number>> trialPoints() {
        return all.getData();
    }

    public List<XYChart.Data<Number, Number>> frontPoints() {
        return front.getData();
    }

    public List<XYChart.Data<String, Number>> histogramBars() {
        return bins.getData();
    }

    public WeightsView frequencies() {
        return frequencies;
    }

    /** The cell the canvas shows: the picked trial's, fixed; null before a pick. */
    public Cell shownCell() {
        return shownCell;
    }

    public CellCanvas canvas() {
        return canvas;
    }
}

package io.cellforge.app.search;

import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.geometry.Orientation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The runs of the document as a sortable table (strategy, epochs, accuracy, parameters, duration); choosing one
 * shows its history in the live views, two are compared side by side: their settings, final accuracy and loss,
 * and the architectures they found, differences in bold.
 */
public final class RunsView extends BorderPane {
    private final TableView<RunRow> table = new TableView<>();
    private final GridPane compare = new GridPane();

    public RunsView(SearchViewModel vm, Consumer<RunRow> onResult) {
        setId("runs-view");
        table.setId("runs");
        table.setItems(new javafx.collections.transformation.SortedList<>(vm.runTable()));
        ((javafx.collections.transformation.SortedList<RunRow>) table.getItems())
                .comparatorProperty().bind(table.comparatorProperty());
        table.setPlaceholder(new Label("No runs yet"));
        table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.getColumns().add(column("Run", "col-run", RunRow::name, String::valueOf));
        table.getColumns().get(0).setPrefWidth(190); // a run's folder name: date, time and strategy
        table.getColumns().add(column("State", "col-state", RunRow::state, String::valueOf));
        table.getColumns().add(column("Strategy", "col-strategy", RunRow::strategy, String::valueOf));
        table.getColumns().add(column("Epochs", "col-epochs", r -> r.isMultiTrial() ? null : r.epochs(), String::valueOf));
        table.getColumns().add(column("Trials", "col-trials", RunRow::trials, String::valueOf)); // multi-trial: of the budget
        table.getColumns().add(column("Best accuracy", "col-best", RunRow::bestAccuracy, v -> String.format(Locale.ROOT, "%.4f", v)));
        table.getColumns().add(column("Valid accuracy", "col-accuracy", RunRow::validAccuracy,
                v -> String.format(Locale.ROOT, "%.3f", v)));
        table.getColumns().add(column("Test accuracy", "col-test", RunRow::testAccuracy, v -> String.format(Locale.ROOT, "%.4f", v)));
        table.getColumns().add(column("Parameters", "col-params", RunRow::params, v -> String.format("%,d", v)));
        table.getColumns().add(durationColumn());
        table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<RunRow>) c -> {
            List<RunRow> sel = List.copyOf(table.getSelectionModel().getSelectedItems());
            if (sel.size() == 1 && sel.get(0) != null) {
                vm.show(sel.get(0));
            }
            showComparison(sel.size() == 2 ? sel : List.of());
        });

        Button resume = new Button("Resume run");
        resume.setId("run-resume");
        resume.setOnAction(e -> {
            RunRow sel = table.getSelectionModel().getSelectedItem();
            if (sel != null) {
                vm.resume(sel);
            } else {
                vm.messageProperty().set("Pick a stopped run (one without a result) to resume it from its checkpoint");
            }
        });
        // Offered only for a stopped run: not a finished one, nor one live in another window or process.
        resume.disableProperty().bind(javafx.beans.binding.Bindings.createBooleanBinding(() -> {
            RunRow sel = table.getSelectionModel().getSelectedItem();
            return vm.runningProperty().get() || sel == null || !sel.state().equals("stopped");
        }, vm.runningProperty(), table.getSelectionModel().selectedItemProperty()));
        Button open = new Button("Open result");
        open.setId("run-open");
        open.setOnAction(e -> {
            RunRow sel = table.getSelectionModel().getSelectedItem();
            if (sel != null && sel.hasResult()) {
                onResult.accept(sel);
            } else {
                vm.messageProperty().set("Pick a finished run to open its architecture");
            }
        });
        Button refresh = new Button("Refresh");
        refresh.setOnAction(e -> vm.refreshRuns()); // runs of other windows and of the command line
        Label hint = new Label("Ctrl+click a second run to compare the two");
        HBox actions = new HBox(8, resume, open, refresh, hint);
        actions.setPadding(new Insets(6));

        compare.setId("run-compare");
        compare.setHgap(16);
        compare.setVgap(2);
        compare.setPadding(new Insets(8));
        ScrollPane sc = new ScrollPane(compare);
        SplitPane split = new SplitPane(table, sc);
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.45);
        setTop(actions);
        setCenter(split);
        showComparison(List.of());
    }

    public TableView<RunRow> table() {
        return table;
    }

    public GridPane comparison() {
        return compare;
    }

    private static <V extends Comparable<V>> TableColumn<RunRow, V> column(
            String title, String id, Function<RunRow, V> value, Function<V, String> text) {
        TableColumn<RunRow, V> c = new TableColumn<>(title);
        c.setId(id);
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(value.apply(f.getValue())));
        c.setCellFactory(x -> new TableCell<>() {
            @Override
            protected void updateItem(V v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : text.apply(v));
            }
        });
        return c;
    }

    /** The time a run's epochs took: sorted by the seconds, shown as the row says them ("2 min 05 s"). */
    private static TableColumn<RunRow, RunRow> durationColumn() {
        TableColumn<RunRow, RunRow> c = new TableColumn<>("Duration");
        c.setId("col-duration");
        c.setCellValueFactory(f -> new ReadOnlyObjectWrapper<>(f.getValue()));
        c.setComparator(java.util.Comparator.comparingDouble(RunRow::seconds));
        c.setCellFactory(x -> new TableCell<>() {
            @Override
            protected void updateItem(RunRow v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : v.duration());
            }
        });
        return c;
    }

    /** Two runs side by side, a row for each setting, figure and decision; rows that differ in bold. */
    private void showComparison(List<RunRow> two) {
        compare.getChildren().clear();
        if (two.size() != 2) {
            compare.add(new Label("Select two runs to compare them side by side."), 0, 0);
            return;
        }
        RunRow a = two.get(0);
        RunRow b = two.get(1);
        // The figures first, then the settings, then the decisions.
        Map<String, String[]> rows = new LinkedHashMap<>();
        rows.put("state", pair(a.state(), b.state()));
        rows.put("epochs run", pair(a.epochs(), b.epochs()));
        rows.put("valid accuracy", pair(fmt(a.validAccuracy()), fmt(b.validAccuracy())));
        rows.put("valid loss", pair(fmt(a.validLoss()), fmt(b.validLoss())));
        rows.put("train accuracy", pair(fmt(a.trainAccuracy()), fmt(b.trainAccuracy())));
        rows.put("train loss", pair(fmt(a.trainLoss()), fmt(b.trainLoss())));
        rows.put("test accuracy", pair(fmt(a.testAccuracy()), fmt(b.testAccuracy())));
        rows.put("parameters", pair(a.params() == null ? null : String.format("%,d", a.params()),
                b.params() == null ? null : String.format("%,d", b.params())));
        rows.put("duration", pair(a.duration(), b.duration()));
        rows.put("data", pair(a.data(), b.data()));
        Set<String> keys = new LinkedHashSet<>(a.settings().keySet());
        keys.addAll(b.settings().keySet());
        for (String k : keys) {
            rows.put(k, pair(a.settings().get(k), b.settings().get(k)));
        }
        Set<String> decided = new LinkedHashSet<>(a.decisions().keySet());
        decided.addAll(b.decisions().keySet());
        for (String k : decided) {
            rows.put("decision " + k, pair(a.decisions().get(k), b.decisions().get(k)));
        }
        int r = 0;
        compare.add(bold(new Label("")), 0, r);
        compare.add(bold(new Label(a.name())), 1, r);
        compare.add(bold(new Label(b.name())), 2, r++);
        for (var e : rows.entrySet()) {
            boolean differs = !e.getValue()[0].equals(e.getValue()[1]);
            List<Label> cells = new ArrayList<>(List.of(new Label(e.getKey()), new Label(e.getValue()[0]), new Label(e.getValue()[1])));
            for (int i = 0; i < 3; i++) {
                Label l = cells.get(i);
                if (differs) {
                    bold(l);
                    l.getStyleClass().add("run-differs");
                }
                compare.add(l, i, r);
            }
            r++;
        }
    }

    private static String[] pair(Object a, Object b) {
        return new String[] {a == null ? "-" : String.valueOf(a), b == null ? "-" : String.valueOf(b)};
    }

    private static String fmt(Double v) {
        return v == null || v.isNaN() ? null : String.format(Locale.ROOT, "%.4f", v);
    }

    private static Label bold(Label l) {
        l.setStyle("-fx-font-weight: bold;");
        return l;
    }
}

package io.cellforge.app;

import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Mutable;
import io.cellforge.space.OpCall;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.cell.CheckBoxListCell;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/** The designer's dialogs: making choices, importing, the shortcut list. Each returns what was asked, or empty. */
final class Dialogs {
    private Dialogs() {
    }

    /** Candidate presets of a LayerChoice: the op sets of the papers. */
    static final Map<String, List<String>> PRESETS = presets();

    private static Map<String, List<String>> presets() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("DARTS 8 ops", OpCatalog.DARTS_PRIMITIVES);
        m.put("DARTS 7 ops (no none)", OpCatalog.DARTS_PRIMITIVES.subList(1, 8));
        m.put("NAS-Bench-201 5 ops", OpCatalog.NB201_PRIMITIVES);
        m.put("ENAS micro 5 ops", OpCatalog.ENAS_MICRO_PRIMITIVES);
        m.put("ENAS macro 6 ops", OpCatalog.ENAS_MACRO_PRIMITIVES);
        m.put("MBxEy 6 blocks", Zoo.MB_CANDIDATES);
        return m;
    }

    record LayerChoiceSpec(String key, List<OpCall> candidates) {
    }

    /** Make LayerChoice: a key (new, or one to share) and candidates picked from the catalog or a preset. */
    static Optional<LayerChoiceSpec> layerChoice(Window owner, SearchSpace space, String suggestedKey, LayerChoice current, int edges) {
        Dialog<LayerChoiceSpec> d = dialog(owner, "Make LayerChoice", "The search picks one of these ops for the edge. "
                + "Choices that share a key decide together.");
        ComboBox<String> key = new ComboBox<>();
        key.setId("lc-key");
        key.setEditable(true);
        Map<String, LayerChoice> existing = new LinkedHashMap<>();
        for (Mutable m : space.mutables()) {
            if (m instanceof LayerChoice lc) {
                existing.putIfAbsent(lc.key(), lc);
            }
        }
        key.getItems().setAll(existing.keySet());
        key.getEditor().setText(current != null && edges == 1 ? current.key() : suggestedKey);

        // Items: the current candidates first (they may carry parameters), then the whole catalog.
        Map<String, OpCall> calls = new LinkedHashMap<>();
        if (current != null) {
            current.candidates().forEach(c -> calls.put(c.label(), c));
        }
        OpCatalog.builtin().with(List.of()).all().forEach(o -> calls.putIfAbsent(o.name(), OpCall.of(o.name())));
        space.userOps().keySet().forEach(u -> calls.putIfAbsent(u, OpCall.of(u)));
        Set<String> checked = new LinkedHashSet<>(current != null ? current.labels() : List.of());
        Map<String, SimpleBooleanProperty> states = new LinkedHashMap<>();
        Label chosen = new Label();
        chosen.setId("lc-chosen");
        chosen.setWrapText(true);
        // Wrapped at the list's width: a long list of candidates (a preset) must not widen the column and squeeze the labels.
        chosen.setPrefWidth(LIST_WIDTH);
        Runnable showChosen = () -> chosen.setText(checked.isEmpty() ? "No candidates yet" : checked.size() + " candidates: " + String.join(", ", checked));
        for (String label : calls.keySet()) {
            SimpleBooleanProperty p = new SimpleBooleanProperty(checked.contains(label));
            p.addListener((o, a, b) -> {
                if (b) {
                    checked.add(label);
                } else {
                    checked.remove(label);
                }
                showChosen.run();
            });
            states.put(label, p);
        }
        ObservableList<String> all = FXCollections.observableArrayList(calls.keySet());
        ListView<String> list = new ListView<>(all.filtered(x -> true));
        list.setId("lc-candidates");
        list.setCellFactory(CheckBoxListCell.forListView(states::get));
        list.setPrefHeight(260);
        list.setPrefWidth(LIST_WIDTH);
        TextField filter = new TextField();
        filter.setId("lc-filter");
        filter.setPromptText("Filter the catalog");
        filter.textProperty().addListener((o, a, b) -> list.setItems(all.filtered(x -> x.toLowerCase().contains(b.toLowerCase().strip()))));

        ComboBox<String> preset = new ComboBox<>(FXCollections.observableArrayList(PRESETS.keySet()));
        preset.setId("lc-preset");
        preset.setPromptText("Preset...");
        preset.setOnAction(e -> {
            List<String> ops = PRESETS.get(preset.getValue());
            if (ops != null) {
                setChecked(states, checked, ops);
            }
        });
        key.valueProperty().addListener((o, a, b) -> {
            LayerChoice shared = existing.get(b);
            if (shared != null && (current == null || !shared.key().equals(current.key()))) {
                shared.candidates().forEach(c -> calls.putIfAbsent(c.label(), c));
                setChecked(states, checked, shared.labels());
            }
        });
        Button clear = new Button("Clear");
        clear.setOnAction(e -> setChecked(states, checked, List.of()));
        showChosen.run();

        GridPane g = grid();
        g.addRow(0, new Label("Key"), key);
        if (edges > 1) {
            key.setPromptText("empty: each of the " + edges + " edges gets its own key");
        }
        g.addRow(1, new Label("Candidates"), new HBox(6, preset, clear));
        g.add(filter, 1, 2);
        g.add(list, 1, 3);
        g.add(chosen, 1, 4);
        Label error = errorLabel("lc-error");
        g.add(error, 1, 5);
        d.getDialogPane().setContent(g);
        Node ok = d.getDialogPane().lookupButton(ButtonType.OK);
        Supplier<String> problem = () -> {
            String k = key.getEditor().getText().strip();
            if (k.isEmpty() && edges == 1) {
                return "Give the choice a key";
            }
            if (checked.isEmpty()) {
                return "Pick at least one candidate";
            }
            LayerChoice shared = existing.get(k);
            if (shared != null && (current == null || !k.equals(current.key())) && !shared.labels().equals(new ArrayList<>(checked))) {
                return "Key " + k + " is used by a LayerChoice of other candidates: sharing needs the same ones";
            }
            return "";
        };
        Runnable validate = () -> {
            error.setText(problem.get());
            ok.setDisable(!problem.get().isEmpty());
        };
        key.getEditor().textProperty().addListener((o, a, b) -> validate.run());
        chosen.textProperty().addListener((o, a, b) -> validate.run());
        validate.run();
        d.setResultConverter(b -> b == ButtonType.OK ? new LayerChoiceSpec(key.getEditor().getText().strip(),
                checked.stream().map(calls::get).toList()) : null);
        return d.showAndWait();
    }

    private static void setChecked(Map<String, SimpleBooleanProperty> states, Set<String> checked, List<String> ops) {
        checked.clear();
        states.values().forEach(p -> p.set(false));
        // Set in the preset's order, so the candidates keep the paper's order.
        for (String op : ops) {
            SimpleBooleanProperty p = states.get(op);
            if (p != null) {
                p.set(true);
            }
        }
    }

    record InputChoiceSpec(String key, int nChosen, Reduction reduction) {
    }

    /** Make InputChoice on a node: keep {@code n_chosen} of its incoming edges, reduced by sum, mean or concat. */
    static Optional<InputChoiceSpec> inputChoice(Window owner, Cell cell, String node, String suggestedKey) {
        List<Edge> in = cell.incoming(node);
        Dialog<InputChoiceSpec> d = dialog(owner, "Make InputChoice on " + node, "The search keeps n_chosen of the "
                + in.size() + " incoming edges of " + node + ": " + String.join(", ", in.stream().map(Edge::from).toList()));
        var current = cell.node(node).map(io.cellforge.space.Node::inputChoice).orElse(null);
        TextField key = new TextField(current != null ? current.key() : suggestedKey);
        key.setId("ic-key");
        Spinner<Integer> n = new Spinner<>(1, Math.max(1, in.size()), current != null && current.nChosen() > 0 ? current.nChosen() : Math.min(2, in.size()));
        n.setId("ic-n");
        n.setEditable(true);
        ComboBox<Reduction> red = new ComboBox<>(FXCollections.observableArrayList(Reduction.values()));
        red.setId("ic-reduction");
        red.setValue(current != null ? current.reduction() : cell.node(node).map(io.cellforge.space.Node::reduction).orElse(Reduction.SUM));
        GridPane g = grid();
        g.addRow(0, new Label("Key"), key);
        g.addRow(1, new Label("n_chosen"), n);
        g.addRow(2, new Label("Reduction"), red);
        d.getDialogPane().setContent(g);
        Node ok = d.getDialogPane().lookupButton(ButtonType.OK);
        ok.disableProperty().bind(Bindings.createBooleanBinding(() -> key.getText().isBlank(), key.textProperty()));
        d.setResultConverter(b -> b == ButtonType.OK ? new InputChoiceSpec(key.getText().strip(), n.getValue(), red.getValue()) : null);
        return d.showAndWait();
    }

    record ValueChoiceSpec(String param, String key, List<Double> values) {
    }

    /** Make a numeric parameter of an edge's op a ValueChoice: the parameter, a key and the candidate values. */
    static Optional<ValueChoiceSpec> valueChoice(Window owner, SearchSpace space, OpCall op, String suggestedKey) {
        List<String> params = OpCatalog.builtin().find(op.op()).map(OpDef::params).orElse(List.of());
        Dialog<ValueChoiceSpec> d = dialog(owner, "Make ValueChoice", "The search picks one value of a parameter of "
                + op.op() + ". Ops with fixed shapes (sep_conv_3x3) have none: use conv, mbconv, max_pool and the like.");
        ComboBox<String> param = new ComboBox<>(FXCollections.observableArrayList(params));
        param.setId("vc-param");
        if (!params.isEmpty()) {
            param.setValue(params.get(0));
        }
        TextField key = new TextField(suggestedKey);
        key.setId("vc-key");
        TextField values = new TextField();
        values.setId("vc-values");
        values.setPromptText("e.g. 3, 5, 7");
        Label error = errorLabel("vc-error");
        GridPane g = grid();
        g.addRow(0, new Label("Parameter"), param);
        g.addRow(1, new Label("Key"), key);
        g.addRow(2, new Label("Values"), values);
        g.add(error, 1, 3);
        d.getDialogPane().setContent(g);
        Node ok = d.getDialogPane().lookupButton(ButtonType.OK);
        Runnable validate = () -> {
            String p = param.getValue() == null ? "this op has no numeric parameter" : key.getText().isBlank() ? "Give the choice a key" : "";
            if (p.isEmpty()) {
                p = parseValues(values.getText()).isEmpty() ? "Give at least two different numbers, separated by commas" : "";
            }
            if (p.isEmpty() && space.values().containsKey(key.getText().strip())
                    && !space.values().get(key.getText().strip()).candidates().equals(parseValues(values.getText()))) {
                p = "Key " + key.getText().strip() + " is a ValueChoice of " + space.values().get(key.getText().strip()).labels() + ": sharing needs the same values";
            }
            error.setText(p);
            ok.setDisable(!p.isEmpty());
        };
        values.textProperty().addListener((o, a, b) -> validate.run());
        key.textProperty().addListener((o, a, b) -> validate.run());
        param.valueProperty().addListener((o, a, b) -> validate.run());
        validate.run();
        d.setResultConverter(b -> b == ButtonType.OK ? new ValueChoiceSpec(param.getValue(), key.getText().strip(), parseValues(values.getText())) : null);
        return d.showAndWait();
    }

    /** "3, 5, 7" as numbers; empty unless at least two different numbers. */
    static List<Double> parseValues(String text) {
        List<Double> out = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(Double.parseDouble(part));
            } catch (NumberFormatException e) {
                return List.of();
            }
        }
        return out.size() >= 2 && out.stream().distinct().count() == out.size() ? out : List.of();
    }

    record GenotypeSpec(String text, int channels, int layers, boolean auxiliary) {
    }

    /**
     * Import a DARTS genotype, pasted or from a file, as the DARTS evaluation network. {@code importer} makes the
     * import and answers why it failed, if it did: the dialog then stays open with the text and the reason.
     */
    static void genotype(Window owner, Function<Path, DocumentViewModel.FileText> reader, Function<GenotypeSpec, Optional<String>> importer) {
        Dialog<GenotypeSpec> d = dialog(owner, "Import DARTS genotype", "Paste a Genotype(...) as train_search.py prints it, or read it from a file. "
                + "It opens as the DARTS evaluation network.");
        TextArea text = new TextArea();
        text.setId("genotype-text");
        text.setWrapText(true);
        text.setPrefRowCount(6);
        text.setPromptText("Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])");
        Button file = fromFile(text, reader, "Genotype files", "*.genotype", "*.txt", "*");
        Spinner<Integer> c = new Spinner<>(1, 1024, 36);
        c.setId("genotype-channels");
        c.setEditable(true);
        Spinner<Integer> layers = new Spinner<>(1, 100, 20);
        layers.setId("genotype-layers");
        layers.setEditable(true);
        CheckBox aux = new CheckBox("Auxiliary head");
        Label error = errorLabel("genotype-error");
        GridPane g = grid();
        g.add(new VBox(6, text, file), 0, 0, 2, 1);
        g.addRow(1, new Label("Initial channels"), c);
        g.addRow(2, new Label("Cells"), layers);
        g.add(aux, 1, 3);
        g.add(error, 0, 4, 2, 1);
        d.getDialogPane().setContent(g);
        keepOpenOnError(d, text, error, () -> importer.apply(new GenotypeSpec(text.getText(), c.getValue(), layers.getValue(), aux.isSelected())));
        d.showAndWait();
    }

    /**
     * OK runs the import; when it fails the dialog stays open with what was pasted and the reason under it (a
     * pasted genotype is not lost to a typo). The OK button waits for some text.
     */
    private static void keepOpenOnError(Dialog<?> d, TextArea text, Label error, Supplier<Optional<String>> run) {
        Node ok = d.getDialogPane().lookupButton(ButtonType.OK);
        ok.disableProperty().bind(Bindings.createBooleanBinding(() -> text.getText().isBlank(), text.textProperty()));
        text.textProperty().addListener((o, a, b) -> error.setText(""));
        ok.addEventFilter(javafx.event.ActionEvent.ACTION, e -> run.get().ifPresent(why -> {
            error.setText(why);
            e.consume();
        }));
    }

    /** Import an architecture description onto the open space (or, for NB201, onto the NAS-Bench-201 space); as {@link #genotype}. */
    static void architecture(Window owner, String title, String header, Function<Path, DocumentViewModel.FileText> reader,
                             Function<String, Optional<String>> importer) {
        Dialog<String> d = dialog(owner, title, header);
        TextArea text = new TextArea();
        text.setId("arch-text");
        text.setWrapText(true);
        text.setPrefRowCount(10);
        Button file = fromFile(text, reader, "Architecture descriptions", "*.json", "*.yaml", "*.yml", "*.genotype", "*.nb201", "*");
        Label error = errorLabel("arch-error");
        d.getDialogPane().setContent(new VBox(6, text, file, error));
        keepOpenOnError(d, text, error, () -> importer.apply(text.getText()));
        d.showAndWait();
    }

    private static Button fromFile(TextArea target, Function<Path, DocumentViewModel.FileText> reader, String what, String... patterns) {
        Button b = new Button("From file...");
        b.setOnAction(e -> {
            FileChooser fc = new FileChooser();
            fc.getExtensionFilters().add(new FileChooser.ExtensionFilter(what, patterns));
            File f = fc.showOpenDialog(b.getScene().getWindow());
            if (f != null) {
                DocumentViewModel.FileText t = reader.apply(f.toPath());
                target.setText(t.text());
                if (t.error() != null) {
                    target.setPromptText(t.error());
                }
            }
        });
        return b;
    }

    /** Help > Shortcuts: the same table the menus take their accelerators from. */
    static void shortcuts(Window owner) {
        Dialog<Void> d = new Dialog<>();
        d.initOwner(owner);
        d.setTitle("Keyboard shortcuts");
        d.setHeaderText("Keyboard shortcuts");
        TableView<Shortcuts.Shortcut> t = new TableView<>(FXCollections.observableArrayList(Shortcuts.ALL));
        t.setId("shortcuts-table");
        TableColumn<Shortcuts.Shortcut, String> a = new TableColumn<>("Action");
        a.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().action()));
        a.setPrefWidth(260);
        TableColumn<Shortcuts.Shortcut, String> k = new TableColumn<>("Keys");
        k.setCellValueFactory(c -> new SimpleStringProperty(c.getValue().display()));
        k.setPrefWidth(180);
        t.getColumns().add(a);
        t.getColumns().add(k);
        t.setPrefSize(470, 520);
        d.getDialogPane().setContent(t);
        d.getDialogPane().getButtonTypes().add(ButtonType.CLOSE);
        d.showAndWait();
    }

    private static <T> Dialog<T> dialog(Window owner, String title, String header) {
        Dialog<T> d = new Dialog<>();
        if (owner != null) {
            d.initOwner(owner);
        }
        d.setTitle(title);
        d.setHeaderText(header);
        d.getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);
        d.setResizable(true);
        return d;
    }

    private static final double LIST_WIDTH = 380;

    /** Two columns: labels never narrower than their text, fields taking the rest. */
    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(8);
        g.setPadding(new Insets(10));
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(Region.USE_PREF_SIZE);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        g.getColumnConstraints().setAll(labels, fields);
        return g;
    }

    private static Label errorLabel(String id) {
        Label l = new Label();
        l.setId(id);
        l.setStyle("-fx-text-fill: #dc2626;");
        l.setWrapText(true);
        return l;
    }
}

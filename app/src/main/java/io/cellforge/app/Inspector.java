package io.cellforge.app;

import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.text.Font;
import javafx.scene.text.FontWeight;

import org.controlsfx.validation.ValidationResult;
import org.controlsfx.validation.ValidationSupport;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The properties of the selection (a node, an edge, several, the cell or the network), editable. Every text
 * field is checked as it is typed (a red frame and the reason under it) and committed with Enter or on leaving
 * the field, as one undoable edit.
 */
public final class Inspector extends ScrollPane {
    private final MainViewModel vm;
    private final Map<String, Runnable> actions;
    private final VBox body = new VBox(8);

    /** {@code actions}: the window's dialog-opening actions by id (layerChoice, inputChoice, valueChoice, renameKey). */
    public Inspector(MainViewModel vm, Map<String, Runnable> actions) {
        this.vm = vm;
        this.actions = actions;
        setId("inspector");
        setFitToWidth(true);
        body.setPadding(new Insets(10));
        setContent(body);
        vm.state().revisionProperty().addListener((o, a, b) -> refresh());
        vm.state().selectionProperty().addListener((o, a, b) -> refresh());
        vm.network().selectionProperty().addListener((o, a, b) -> refresh());
        // New figures rewrite the figures shown, not the form: a field being typed in keeps its text.
        vm.network().figuresProperty().addListener((o, a, b) -> {
            if (body.lookup("#insp-figures") instanceof Label f && f.getUserData() instanceof String id) {
                f.setText(vm.network().describe(id));
            }
        });
        refresh();
    }

    public void refresh() {
        body.getChildren().clear();
        SearchSpace s = vm.state().spaceProperty().get();
        if (s == null) {
            return;
        }
        Cell c = vm.state().cell();
        if (c == null) {
            network(s);
            return;
        }
        Selection sel = vm.state().selectionProperty().get();
        if (sel.nodes().size() == 1 && sel.edges().isEmpty()) {
            c.node(sel.nodes().iterator().next()).ifPresent(n -> node(c, n));
        } else if (sel.edges().size() == 1 && sel.nodes().isEmpty()) {
            List<String> e = sel.edges().iterator().next();
            c.edge(e.get(0), e.get(1)).ifPresent(x -> edge(c, x));
        } else if (!sel.isEmpty()) {
            title(sel.nodes().size() + " nodes, " + sel.edges().size() + " edges");
            if (!sel.edges().isEmpty()) {
                body.getChildren().add(button("Make LayerChoice on these edges...", "layerChoice"));
            }
            body.getChildren().add(hint("Delete removes them; Ctrl+C copies the nodes."));
        } else {
            title("Cell " + c.name());
            GridPane g = grid();
            row(g, "Nodes", new Label(String.valueOf(c.nodes().size())));
            row(g, "Edges", new Label(String.valueOf(c.edges().size())));
            row(g, "Choices", new Label(String.valueOf(c.mutables().size())));
            row(g, "Preprocess", new Label(c.preprocess().yamlName()));
            body.getChildren().addAll(g, hint("Drag nodes and ops from the palette; drag from a node's right port to another "
                    + "node to connect them. Click a node or an edge to see its properties."));
        }
    }

    private void node(Cell c, Node n) {
        title("Node " + n.name());
        GridPane g = grid();
        row(g, "Name", field("insp-name", n.name(), t -> t.isBlank() ? "A name must not be empty"
                : !t.strip().equals(t) ? "No spaces at the ends" : !t.equals(n.name()) && c.node(t).isPresent() ? "Cell " + c.name() + " has a node " + t : "",
                t -> vm.edits().renameNode(n.name(), t)));
        row(g, "Kind", new Label(n.kind().name().toLowerCase()));
        if (n.kind() != NodeKind.INPUT) {
            ComboBox<Reduction> merge = new ComboBox<>(FXCollections.observableArrayList(Reduction.values()));
            merge.setId("insp-merge");
            merge.setValue(n.reduction());
            merge.setOnAction(e -> {
                if (merge.getValue() != null && merge.getValue() != n.reduction()) {
                    vm.edits().setMerge(n.name(), merge.getValue());
                }
            });
            row(g, "Merge", merge);
            row(g, "Incoming", new Label(String.join(", ", c.incoming(n.name()).stream().map(Edge::from).toList())));
        }
        body.getChildren().add(g);
        if (n.inputChoice() != null) {
            var ic = n.inputChoice();
            body.getChildren().addAll(new Separator(), subtitle("InputChoice"), keyRow(ic.key()),
                    new Label("keeps " + (ic.nChosen() < 0 ? "any number" : ic.nChosen()) + " of " + c.incoming(n.name()).size()
                            + " incoming edges, " + ic.reduction().yamlName()),
                    flow(button("Edit...", "inputChoice"), action("Remove", "insp-remove-ic",
                            () -> vm.edits().removeInputChoice(n.name()))));
        } else if (n.kind() != NodeKind.INPUT) {
            body.getChildren().add(button("Make InputChoice...", "inputChoice"));
        }
    }

    private void edge(Cell c, Edge e) {
        title("Edge " + e.from() + " -> " + e.to());
        if (io.cellforge.app.diagram.WeightFeeds.dynamic(e.op())) {
            Set<String> from = io.cellforge.app.diagram.WeightFeeds.generators(vm.state().spaceProperty().get(), e.op());
            Label weights = hint((e.op() instanceof LayerChoice ? "Its dynamic candidates take" : "Its op takes")
                    + " their kernels from " + (from.isEmpty() ? "a weight generator the network does not have (see Problems)"
                    : "generator " + String.join(", ", from)) + ", made per sample from the context.");
            weights.setId("insp-weights");
            body.getChildren().add(weights);
        }
        GridPane g = grid();
        ComboBox<Integer> stride = new ComboBox<>(FXCollections.observableArrayList(1, 2));
        stride.setId("insp-stride");
        stride.setValue(e.stride());
        stride.setOnAction(x -> {
            if (stride.getValue() != null && stride.getValue() != e.stride()) {
                vm.edits().setStride(e.from(), e.to(), stride.getValue());
            }
        });
        if (e.op() instanceof OpCall op) {
            row(g, "Op", field("insp-op", op.op(), t -> OpCatalog.builtin().find(t).isPresent() || vm.state().spaceProperty().get().userOps().containsKey(t) ? ""
                    : "No op '" + t + "'" + OpCatalog.builtin().closest(t).map(x -> "; did you mean " + x + "?").orElse(""),
                    t -> vm.edits().setOp(Set.of(List.of(e.from(), e.to())), t)));
            List<String> params = OpCatalog.builtin().find(op.op()).map(OpDef::params).orElse(List.of());
            for (String p : params) {
                Param v = op.params().get(p);
                row(g, p, field("insp-param-" + p, v == null ? "" : v.toString(), t -> paramProblem(t),
                        t -> vm.edits().setParam(e.from(), e.to(), p, parseParam(t))));
            }
            row(g, "Stride", stride);
            body.getChildren().addAll(g, flow(button("Make LayerChoice...", "layerChoice"), button("Make ValueChoice...", "valueChoice")));
        } else {
            LayerChoice lc = (LayerChoice) e.op();
            row(g, "Stride", stride);
            body.getChildren().addAll(g, new Separator(), subtitle("LayerChoice"));
            body.getChildren().add(keyRow(lc.key()));
            GridPane k = grid();
            row(k, "Key", field("insp-key", lc.key(), t -> t.isBlank() ? "A key must not be empty" : "",
                    t -> vm.edits().setChoiceKey(e.from(), e.to(), t)));
            body.getChildren().add(k);
            long sharing = vm.state().spaceProperty().get().mutables().stream().filter(m -> m.key().equals(lc.key())).count();
            if (sharing > 1) {
                body.getChildren().add(hint("Shared by " + sharing + " choices: they decide together (same colour)."));
            }
            VBox cands = new VBox(2);
            cands.setId("insp-candidates");
            lc.labels().forEach(l -> cands.getChildren().add(new Label("  " + l)));
            ComboBox<String> fix = new ComboBox<>(FXCollections.observableArrayList(lc.labels()));
            fix.setId("insp-fix");
            fix.setPromptText("Fix to one op...");
            fix.setOnAction(x -> {
                if (fix.getValue() != null) {
                    vm.edits().fixChoice(e.from(), e.to(), fix.getValue());
                }
            });
            body.getChildren().addAll(new Label(lc.candidates().size() + " candidates:"), cands,
                    flow(button("Edit candidates...", "layerChoice"), button("Rename key...", "renameKey")), fix);
        }
    }

    private void network(SearchSpace s) {
        NetworkViewModel net = vm.network();
        Set<String> picked = net.selectionProperty().get();
        Optional<io.cellforge.space.Stage> chosen = net.selectedStage();
        if (chosen.isPresent()) {
            stage(s, chosen.get());
            return;
        }
        if (picked.size() == 1) {
            figures(picked.iterator().next());
            body.getChildren().add(new Separator());
        } else if (picked.size() > 1) {
            title(picked.size() + " boxes selected");
            body.getChildren().addAll(hint("Click one box to see and edit it; Escape clears the selection."), new Separator());
        }
        title("Network");
        var n = s.network();
        GridPane g = grid();
        row(g, "Channels", field("insp-channels", String.valueOf(n.channels()), t -> positive(t),
                t -> vm.edits().setNetwork(Integer.parseInt(t), n.classes(), n.input())));
        row(g, "Classes", field("insp-classes", String.valueOf(n.classes()), t -> positive(t),
                t -> vm.edits().setNetwork(n.channels(), Integer.parseInt(t), n.input())));
        row(g, "Input", field("insp-input", n.input().channels() + "x" + n.input().height() + "x" + n.input().width(),
                t -> shape(t).isPresent() ? "" : "Channels x height x width, e.g. 3x32x32",
                t -> vm.edits().setNetwork(n.channels(), n.classes(), shape(t).orElseThrow())));
        long cells = n.stages().stream().filter(st -> st.cell() != null).count();
        row(g, "Cells", field("insp-layers", String.valueOf(cells), t -> positive(t),
                t -> vm.edits().setLayers(Integer.parseInt(t))));
        row(g, "Stages", new Label(String.valueOf(n.stages().size())));
        body.getChildren().addAll(g, hint("Click a box of the stack to see its figures and edit it; double-click a cell "
                + "stage (or pick the cell in the outline) to edit the cell."));
        context(n.context());
    }

    /**
     * The network's second input: its values per sample (typing a number adds a context with a starter generator)
     * and each weight generator's layers, written as the ops' labels.
     */
    private void context(io.cellforge.space.Network.Context cx) {
        body.getChildren().addAll(new Separator(), subtitle("Context"));
        GridPane g = grid();
        VBox values = field("insp-context", cx.present() ? String.valueOf(cx.features()) : "",
                t -> t.isBlank() && !cx.present() ? "" : positive(t), t -> {
                    if (!t.isBlank()) {
                        vm.edits().setContext(Integer.parseInt(t.strip()));
                    }
                });
        ((TextField) values.getChildren().get(0)).setPromptText("none");
        row(g, "Values", values);
        cx.generators().forEach((name, layers) -> row(g, "Generator " + name, field("insp-generator-" + name,
                String.join(", ", layers.stream().map(OpCall::label).toList()), this::layersProblem,
                t -> vm.edits().setGenerator(name, opSequence(t).orElseThrow()))));
        body.getChildren().add(g);
        if (cx.present()) {
            body.getChildren().addAll(hint("Dynamic ops (palette group Dynamic) take their kernels from a generator's output, "
                    + "per sample; name one with generator: $NAME when there are several."),
                    action("Remove context", "insp-remove-context", vm.edits()::removeContext));
        } else {
            body.getChildren().add(hint("Values per sample beside the image (a context): weight generators read them to make "
                    + "the kernels of dynamic ops."));
        }
    }

    /**
     * Ops as the inspector writes them, separated by commas: {@code linear(out=16), relu}; empty when the text
     * does not read as such.
     */
    static Optional<List<OpCall>> opSequence(String text) {
        List<String> parts = new java.util.ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            if (depth < 0 || depth > 1) {
                return Optional.empty();
            }
            if (ch == ',' && depth == 0) {
                parts.add(text.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(text.substring(from));
        List<OpCall> out = new java.util.ArrayList<>();
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("([A-Za-z_][\\w.\\-]*)\\s*(?:\\((.*)\\))?");
        java.util.regex.Pattern param = java.util.regex.Pattern.compile("([A-Za-z_]\\w*)\\s*=\\s*(\\$[A-Za-z_][\\w.\\-]*|[-+0-9.eE]+)");
        for (String p : parts) {
            java.util.regex.Matcher m = call.matcher(p.strip());
            if (!m.matches()) {
                return Optional.empty();
            }
            Map<String, Param> params = new java.util.LinkedHashMap<>();
            if (m.group(2) != null && !m.group(2).isBlank()) {
                for (String kv : m.group(2).split(",")) {
                    java.util.regex.Matcher v = param.matcher(kv.strip());
                    if (!v.matches()) {
                        return Optional.empty();
                    }
                    try {
                        params.put(v.group(1), parseParam(v.group(2)));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                }
            }
            out.add(new OpCall(m.group(1), params));
        }
        return Optional.of(out);
    }

    private String layersProblem(String t) {
        Optional<List<OpCall>> ops = opSequence(t);
        if (ops.isEmpty()) {
            return "Ops separated by commas, with parameters in brackets: linear(out=16), relu";
        }
        for (OpCall op : ops.get()) {
            if (OpCatalog.builtin().find(op.op()).isEmpty() && !vm.state().spaceProperty().get().userOps().containsKey(op.op())) {
                return "No op '" + op.op() + "'" + OpCatalog.builtin().closest(op.op()).map(x -> "; did you mean " + x + "?").orElse("");
            }
        }
        return "";
    }

    /** A selected stage: its figures, and its settings as one undoable edit per field. */
    private void stage(SearchSpace s, io.cellforge.space.Stage st) {
        NetworkViewModel net = vm.network();
        String name = st.name();
        figures(name);
        GridPane g = grid();
        if (st.kind() == io.cellforge.space.StageKind.CELL) {
            ComboBox<String> cell = new ComboBox<>(FXCollections.observableArrayList(s.cells().keySet()));
            cell.setId("insp-stage-cell");
            cell.setValue(st.cell());
            ComboBox<io.cellforge.space.Role> role = new ComboBox<>(FXCollections.observableArrayList(io.cellforge.space.Role.values()));
            role.setId("insp-stage-role");
            role.setValue(st.role());
            cell.setOnAction(e -> {
                if (cell.getValue() != null && !cell.getValue().equals(st.cell())) {
                    net.setCell(name, cell.getValue(), st.role());
                }
            });
            role.setOnAction(e -> {
                if (role.getValue() != null && role.getValue() != st.role()) {
                    net.setCell(name, st.cell(), role.getValue());
                }
            });
            row(g, "Cell", cell);
            row(g, "Role", role);
            body.getChildren().add(g);
            return;
        }
        String ops = st.op() instanceof LayerChoice lc ? String.join(", ", lc.labels()) : st.op() instanceof OpCall op ? op.label() : "";
        String key = st.op() instanceof LayerChoice lc ? lc.key() : name;
        row(g, "Op", field("insp-stage-op", ops, this::opsProblem, t -> {
            List<String> names = opNames(t);
            if (names.size() == 1) {
                net.setOp(name, names.get(0));
            } else {
                net.setCandidates(name, key, names);
            }
        }));
        if (st.op() instanceof LayerChoice lc) {
            row(g, "Key", field("insp-stage-key", lc.key(), t -> t.isBlank() ? "A key must not be empty" : "",
                    t -> net.setCandidates(name, t.strip(), lc.labels())));
        }
        row(g, "Channels", field("insp-stage-channels", st.channels() == null ? "" : st.channels().toString(),
                this::stageParamProblem, t -> net.setChannels(name, parseParam(t.strip()))));
        row(g, "Stride", field("insp-stage-stride", st.stride() == null ? "" : st.stride().toString(),
                this::stageParamProblem, t -> net.setStride(name, parseParam(t.strip()))));
        row(g, "Repeat", field("insp-stage-repeat", st.repeat() == null ? "" : st.repeat().toString(),
                this::stageParamProblem, t -> net.setRepeat(name, parseParam(t.strip()))));
        javafx.scene.control.CheckBox residual = new javafx.scene.control.CheckBox("identity shortcut");
        residual.setId("insp-stage-residual");
        residual.setSelected(st.residual());
        residual.setOnAction(e -> net.setResidual(name, residual.isSelected()));
        row(g, "Residual", residual);
        body.getChildren().addAll(g, hint("Op: one op fixes the block; several, separated by commas, make a LayerChoice of "
                + "them. Blank channels, stride or repeat take the defaults (the running width, 1, 1)."));
    }

    /** The figures of a box of the stack, as its tooltip gives them. */
    private void figures(String id) {
        String generator = io.cellforge.app.diagram.NetworkLayout.generatorOf(id);
        String name = generator != null ? "Generator " + generator : id.equals(io.cellforge.app.diagram.NetworkLayout.CONTEXT) ? "Context" : id;
        title(vm.network().selectedStage().map(x -> x.kind() == io.cellforge.space.StageKind.CELL ? "Cell stage " : "Block ")
                .orElse("") + name);
        Label f = new Label(vm.network().describe(id));
        f.setId("insp-figures");
        f.setUserData(id);
        f.setFont(Font.font("Monospaced", 11));
        f.setWrapText(true);
        f.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        body.getChildren().add(f);
    }

    private static List<String> opNames(String t) {
        return java.util.Arrays.stream(t.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private String opsProblem(String t) {
        List<String> names = opNames(t);
        if (names.isEmpty()) {
            return "An op, or several separated by commas";
        }
        for (String n : names) {
            if (OpCatalog.builtin().find(n).isEmpty() && !vm.state().spaceProperty().get().userOps().containsKey(n)) {
                return "No op '" + n + "'" + OpCatalog.builtin().closest(n).map(x -> "; did you mean " + x + "?").orElse("");
            }
        }
        return names.stream().distinct().count() == names.size() ? "" : "An op is named twice";
    }

    private String stageParamProblem(String t) {
        String v = t.strip();
        if (v.isEmpty()) {
            return "";
        }
        if (v.startsWith("$")) {
            return vm.state().spaceProperty().get().values().containsKey(v.substring(1)) ? "" : v + " is not a ValueChoice of the space";
        }
        return positive(v);
    }

    // ---- parts --------------------------------------------------------------------------------------------

    static Optional<Shape> shape(String t) {
        String[] p = t.strip().split("\\s*[xX×,]\\s*");
        if (p.length != 3) {
            return Optional.empty();
        }
        try {
            int a = Integer.parseInt(p[0]);
            int b = Integer.parseInt(p[1]);
            int c = Integer.parseInt(p[2]);
            return a > 0 && b > 0 && c > 0 ? Optional.of(new Shape(a, b, c)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String positive(String t) {
        try {
            return Integer.parseInt(t.strip()) >= 1 ? "" : "A whole number of at least 1";
        } catch (NumberFormatException e) {
            return "A whole number of at least 1";
        }
    }

    private String paramProblem(String t) {
        if (t.isBlank()) {
            return "";
        }
        if (t.startsWith("$")) {
            String k = t.substring(1);
            SearchSpace s = vm.state().spaceProperty().get();
            return s.values().containsKey(k) || s.network().context().generators().containsKey(k)
                    || List.of("stride", "C_in", "C_out").contains(k) ? "" : "$" + k + " is not a ValueChoice or a weight generator of the space";
        }
        try {
            Double.parseDouble(t);
            return "";
        } catch (NumberFormatException e) {
            return "A number, or $key of a ValueChoice";
        }
    }

    private static Param parseParam(String t) {
        return t.isBlank() ? null : t.startsWith("$") ? Param.ref(t.substring(1)) : Param.of(Double.parseDouble(t));
    }

    private VBox field(String id, String value, Function<String, String> problem, Consumer<String> commit) {
        TextField f = new TextField(value);
        f.setId(id);
        Label err = new Label();
        err.setId(id + "-error");
        err.setStyle("-fx-text-fill: #dc2626; -fx-font-size: 11px;");
        err.setWrapText(true);
        err.setManaged(false);
        // ControlsFX decorates a field that does not hold a valid value (its icon's tooltip gives the reason); the
        // reason is also written under the field, where it is read in full.
        ValidationSupport check = new ValidationSupport();
        check.registerValidator(f, false, (Control c, String t) -> ValidationResult.fromErrorIf(c, problem.apply(t),
                !problem.apply(t).isEmpty()));
        f.textProperty().addListener((o, a, b) -> {
            String p = problem.apply(b);
            err.setText(p);
            err.setManaged(!p.isEmpty());
        });
        boolean[] committed = {false};
        Runnable done = () -> {
            String t = f.getText();
            // Committing rebuilds the inspector, which takes the focus from this field: commit once only.
            if (!committed[0] && !t.equals(value) && problem.apply(t).isEmpty()) {
                committed[0] = true;
                commit.accept(t);
            }
        };
        f.setOnKeyPressed(k -> {
            if (k.getCode() == KeyCode.ENTER) {
                done.run();
            } else if (k.getCode() == KeyCode.ESCAPE) {
                f.setText(value);
            }
        });
        f.focusedProperty().addListener((o, a, b) -> {
            if (!b) {
                done.run();
            }
        });
        return new VBox(2, f, err);
    }

    private HBox keyRow(String key) {
        Label chip = new Label("  ");
        var col = vm.theme().keyColour(io.cellforge.app.diagram.KeyPalette.keys(vm.state().spaceProperty().get()), key);
        chip.setStyle("-fx-background-color: " + web(col) + "; -fx-background-radius: 3;");
        Label k = new Label(key);
        k.setId("insp-key-label");
        k.setFont(Font.font("Monospaced", FontWeight.BOLD, 12));
        return new HBox(6, chip, k);
    }

    private static String web(javafx.scene.paint.Color c) {
        return String.format("#%02x%02x%02x", (int) (c.getRed() * 255), (int) (c.getGreen() * 255), (int) (c.getBlue() * 255));
    }

    private Button button(String text, String actionId) {
        Button b = new Button(text);
        b.setId("insp-" + actionId);
        b.setOnAction(e -> actions.getOrDefault(actionId, () -> { }).run());
        return b;
    }

    private static Button action(String text, String id, Runnable r) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> r.run());
        return b;
    }

    private void title(String t) {
        Label l = new Label(t);
        l.setId("insp-title");
        l.setFont(Font.font("System", FontWeight.BOLD, 14));
        body.getChildren().add(l);
    }

    private static Label subtitle(String t) {
        Label l = new Label(t);
        l.setFont(Font.font("System", FontWeight.BOLD, 12));
        return l;
    }

    private static Label hint(String t) {
        Label l = new Label(t);
        l.setWrapText(true);
        l.setStyle("-fx-opacity: 0.75;");
        return l;
    }

    private static javafx.scene.layout.FlowPane flow(javafx.scene.Node... nodes) {
        javafx.scene.layout.FlowPane f = new javafx.scene.layout.FlowPane(6, 6, nodes);
        f.setPrefWrapLength(240);
        return f;
    }

    private static GridPane grid() {
        GridPane g = new GridPane();
        g.setHgap(8);
        g.setVgap(6);
        return g;
    }

    private static void row(GridPane g, String name, javafx.scene.Node value) {
        Label l = new Label(name);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        g.addRow(g.getRowCount(), l, value);
    }
}

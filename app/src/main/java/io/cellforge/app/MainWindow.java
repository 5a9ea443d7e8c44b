package io.cellforge.app;

import atlantafx.base.theme.PrimerDark;
import atlantafx.base.theme.PrimerLight;
import io.cellforge.app.canvas.CellCanvas;
import io.cellforge.app.canvas.Theme;
import io.cellforge.app.search.ResultView;
import io.cellforge.app.search.RunRow;
import io.cellforge.app.search.SearchPane;
import io.cellforge.app.search.SearchViewModel;
import io.cellforge.app.diagram.DiagramView;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.application.Application;
import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextInputDialog;
import javafx.scene.control.ToolBar;
import javafx.scene.control.Tooltip;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.transform.Transform;
import javafx.stage.FileChooser;
import javafx.stage.Stage;

import org.controlsfx.control.StatusBar;


import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The designer's window: menus and toolbar, the outline and the palette on the left, the canvas (a cell) or
 * the network stack in the middle with the problems under it, the inspector on the right, a status bar.
 * Every action goes through the view-model; the window only asks questions (files, dialogs) and draws.
 */
public final class MainWindow {

    /** Where files come from and go: a FileChooser, or a fixed answer in tests. */
    public interface FilePicker {
        Optional<Path> open(String title, List<FileChooser.ExtensionFilter> filters);

        Optional<Path> save(String title, String initialName, List<FileChooser.ExtensionFilter> filters);
    }

    static final FileChooser.ExtensionFilter YAML = new FileChooser.ExtensionFilter("Search spaces (*.yaml, *.yml)", "*.yaml", "*.yml");

    private final MainViewModel vm;
    private final Stage stage;
    private final StackPane root = new StackPane();
    private final Pane overlay = new Pane();
    private final CellCanvas canvas = new CellCanvas();
    private final DiagramView networkView = new DiagramView();
    private final Palette palette;
    private final Map<String, Runnable> actions = new HashMap<>();
    private FilePicker files;
    private final SearchViewModel search = new SearchViewModel();
    private final SearchPane searchPane;
    private final TabPane tabs = new TabPane();
    private final Tab designTab = new Tab("Design");
    private final Tab searchTab = new Tab("Search");

    public MainWindow(MainViewModel vm, Stage stage) {
        this.vm = vm;
        this.stage = stage;
        this.files = new FileChooserPicker(stage);
        defineActions();
        palette = new Palette(overlay, this::dropped, this::picked, this::appliedFromPalette);

        BorderPane main = new BorderPane();
        main.setTop(new VBox(menu(), toolbar()));

        ListView<String> outline = new ListView<>(vm.state().outline());
        outline.setId("outline");
        outline.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                vm.state().select(b);
            }
        });
        vm.state().viewProperty().addListener((o, a, b) -> outline.getSelectionModel().select(b));
        SplitPane left = new SplitPane(titled("Outline", outline), titled("Palette", palette));
        left.setOrientation(Orientation.VERTICAL);
        left.setDividerPositions(0.22);

        canvas.setId("canvas");
        canvas.setOnSelect(vm.state()::setSelection);
        canvas.setOnConnect(vm.edits()::connect);
        canvas.setOnMove(vm.layout()::move);
        canvas.setOnNodeOpen(n -> run("inputChoice"));
        canvas.setOnEdgeOpen(e -> {
            vm.state().setSelection(Selection.edge(e.get(0), e.get(1)));
            run("layerChoice");
        });
        networkView.setId("network");
        networkView.setOnPick(vm.network()::pick);
        networkView.setOnClear(vm.network()::clearSelection);
        networkView.setOnOpen(this::openStage);
        networkView.setDescriber(vm.network()::describe);
        vm.network().selectionProperty().addListener((o, a, b) -> networkView.setSelection(b));
        vm.network().figuresProperty().addListener((o, a, b) -> networkView.refreshTooltips());
        StackPane centreStack = new StackPane(networkView, canvas);

        ProblemsView problems = new ProblemsView(vm.problems());
        SplitPane centre = new SplitPane(centreStack, titled("Problems", problems));
        centre.setOrientation(Orientation.VERTICAL);
        centre.setDividerPositions(0.8);

        Inspector inspector = new Inspector(vm, actions);
        SplitPane split = new SplitPane(left, centre, titled("Inspector", inspector));
        split.setDividerPositions(0.17, 0.78);
        searchPane = new SearchPane(search, vm.state().spaceProperty()::get, this::openResult, p -> {
            tabs.getSelectionModel().select(designTab);
            vm.problems().reveal(p);
        });
        searchPane.setOnTrialResult(this::openResult);
        // The run panel compares the open space with the data, and adapts it as one edit of the document.
        search.documentProperty().bind(vm.state().spaceProperty());
        search.setEditor(vm.edits()::apply);
        designTab.setContent(split);
        designTab.setId("tab-design");
        designTab.setClosable(false);
        searchTab.setContent(searchPane);
        searchTab.setId("tab-search");
        searchTab.setClosable(false);
        tabs.getTabs().addAll(designTab, searchTab);
        tabs.setId("tabs");
        main.setCenter(tabs);
        vm.state().documentProperty().addListener((o, a, d) -> search.setRunsRoot(vm.documents().runsRoot()));

        // The bar has one line: a message or figures longer than it are read in full in the tooltip.
        Label message = barLine("message", vm.state().messageProperty());
        vm.state().messageIsErrorProperty().addListener((o, a, b) -> message.setStyle(b ? "-fx-text-fill: #dc2626;" : ""));
        Label status = barLine("status", vm.problems().statusProperty());
        // ControlsFX's status bar: the message on the left (red for an error), the space's figures on the right, and
        // a progress bar while a file is read or the space is checked.
        StatusBar bar = new StatusBar();
        bar.setId("statusbar");
        bar.setText("");
        // Its stylesheet paints with modena's -fx-body-color, which the AtlantaFX themes do not define: theirs instead.
        bar.setStyle("-fx-background-color: -color-border-default, -color-bg-subtle; -fx-background-insets: 0, 1 0 0 0;");
        bar.getLeftItems().add(message);
        bar.getRightItems().add(status);
        bar.progressProperty().bind(vm.problems().progressProperty());
        main.setBottom(bar);

        overlay.setMouseTransparent(true);
        overlay.setPickOnBounds(false);
        root.getChildren().addAll(main, overlay);

        Runnable redraw = () -> {
            Cell c = vm.state().cell();
            canvas.setVisible(c != null);
            networkView.setVisible(c == null);
            if (c != null) {
                canvas.setKeys(io.cellforge.app.diagram.KeyPalette.keys(vm.state().spaceProperty().get()));
                canvas.setContext(vm.state().spaceProperty().get().network().context());
                canvas.show(c, vm.layout().positions(), vm.state().selectionProperty().get());
            } else if (vm.state().spaceProperty().get() != null) {
                networkView.show(vm.state().spaceProperty().get());
            }
            palette.setSpace(vm.state().spaceProperty().get());
        };
        vm.state().revisionProperty().addListener((o, a, b) -> redraw.run());
        vm.state().selectionProperty().addListener((o, a, b) -> canvas.setSelection(b));
        vm.themeProperty().addListener((o, a, t) -> {
            canvas.setTheme(t);
            searchPane.setTheme(t);
        });
        redraw.run();
        stage.titleProperty().bind(vm.documents().titleProperty());
        stage.setOnCloseRequest(e -> {
            if (!confirmStopSearch() || !confirmDiscard("closing")) {
                e.consume();
            } else {
                vm.documents().closed();
            }
        });
        setDark(vm.documents().workspace().darkTheme());
    }

    public Scene scene() {
        return new Scene(root, 1280, 800);
    }

    public CellCanvas canvas() {
        return canvas;
    }

    public SearchViewModel search() {
        return search;
    }

    public SearchPane searchPane() {
        return searchPane;
    }

    public TabPane tabs() {
        return tabs;
    }

    public void setFilePicker(FilePicker f) {
        files = f;
    }

    /** Runs a menu action by its id (the ids of {@link Shortcuts}). */
    public void run(String id) {
        Runnable r = actions.get(id);
        if (r != null) {
            r.run();
        }
    }

    // ---- actions ------------------------------------------------------------------------------------------

    private void defineActions() {
        actions.put("new", () -> {
            if (confirmDiscard("starting a new document")) {
                vm.documents().newBlank();
            }
        });
        actions.put("open", () -> {
            if (confirmDiscard("opening another file")) {
                files.open("Open a search space", List.of(YAML)).ifPresent(vm.documents()::openFile);
            }
        });
        actions.put("save", this::save);
        actions.put("saveAs", this::saveAs);
        actions.put("exportYaml", () -> files.save("Export the space as YAML", vm.state().spaceProperty().get().name() + ".yaml", List.of(YAML))
                .ifPresent(vm.documents()::exportSpace));
        actions.put("close", () -> {
            if (confirmStopSearch() && confirmDiscard("quitting")) {
                vm.documents().closed();
                stage.close();
            }
        });
        actions.put("undo", vm.edits()::undo);
        actions.put("redo", vm.edits()::redo);
        actions.put("redo2", vm.edits()::redo);
        actions.put("cut", vm.edits()::cut);
        actions.put("copy", vm.edits()::copy);
        actions.put("paste", vm.edits()::paste);
        actions.put("delete", vm.edits()::deleteSelection);
        actions.put("selectAll", vm.state()::selectAll);
        actions.put("layerChoice", this::makeLayerChoice);
        actions.put("setOp", () -> OpPicker.open(vm, canvas));
        actions.put("inputChoice", this::makeInputChoice);
        actions.put("valueChoice", this::makeValueChoice);
        actions.put("renameKey", this::renameKey);
        actions.put("addNode", () -> {
            Point2D centre = canvas.localToScene(canvas.getWidth() / 2, canvas.getHeight() / 2);
            Point2D m = canvas.sceneToModel(centre.getX(), centre.getY());
            vm.edits().addNode(NodeKind.INTERMEDIATE, m.getX(), m.getY());
        });
        actions.put("layout", () -> {
            vm.layout().layOut();
            canvas.fit();
        });
        // Fit and zoom act on the view shown: the cell's canvas or the network's stack.
        actions.put("fit", () -> {
            if (canvas.isVisible()) {
                canvas.fit();
            } else {
                networkView.fit();
            }
        });
        actions.put("zoomIn", () -> zoom(1.25));
        actions.put("zoomOut", () -> zoom(0.8));
        actions.put("network", () -> vm.state().select(DocumentState.NETWORK));
        actions.put("search", () -> palette.searchField().requestFocus());
        actions.put("theme", () -> setDark(!vm.theme().dark()));
        actions.put("shortcuts", () -> Dialogs.shortcuts(stage));
        actions.put("design", () -> tabs.getSelectionModel().select(designTab));
        actions.put("searchTab", () -> tabs.getSelectionModel().select(searchTab));
        actions.put("searchStart", () -> {
            tabs.getSelectionModel().select(searchTab);
            search.start(vm.state().spaceProperty().get(), null);
        });
        actions.put("searchPause", () -> {
            if (search.pausedProperty().get()) {
                search.resume();
            } else {
                search.pause();
            }
        });
        actions.put("searchStop", search::stop);
    }

    private void save() {
        if (!vm.documents().save()) {
            saveAs();
        }
    }

    private void saveAs() {
        Document d = vm.state().documentProperty().get();
        if (d == null) {
            return;
        }
        files.save("Save the search space", d.file() != null ? d.file().getFileName().toString() : d.space().name() + ".yaml", List.of(YAML))
                .ifPresent(vm.documents()::saveAs);
    }

    /**
     * Quitting while a search runs: asks, then stops it and waits (a few seconds at most) for the step under way,
     * so that the run keeps a checkpoint of where it stood and can be resumed. False when the person cancels.
     */
    private boolean confirmStopSearch() {
        if (!search.runningProperty().get()) {
            return true;
        }
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "The run keeps a checkpoint: Resume run continues it later.",
                ButtonType.OK, ButtonType.CANCEL);
        a.initOwner(stage);
        a.setHeaderText("A search is running. Stop it and quit?");
        if (a.showAndWait().orElse(ButtonType.CANCEL) != ButtonType.OK) {
            return false;
        }
        search.stopAndWait(java.time.Duration.ofSeconds(30));
        return true;
    }

    /** Asks what to do with unsaved changes; false when the person cancels. */
    private boolean confirmDiscard(String doing) {
        if (!vm.documents().isDirty()) {
            return true;
        }
        ButtonType save = new ButtonType("Save", ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType("Don't save", ButtonBar.ButtonData.NO);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, "", save, discard, ButtonType.CANCEL);
        a.initOwner(stage);
        a.setTitle("Unsaved changes");
        a.setHeaderText("Save the changes to " + vm.state().documentProperty().get().displayName() + " before " + doing + "?");
        Optional<ButtonType> r = a.showAndWait();
        if (r.isEmpty() || r.get() == ButtonType.CANCEL) {
            return false;
        }
        if (r.get() == save) {
            save();
            return !vm.documents().isDirty();
        }
        return true;
    }

    private void makeLayerChoice() {
        Cell c = vm.state().cell();
        Set<List<String>> edges = vm.state().selectionProperty().get().edges();
        if (c == null || edges.isEmpty()) {
            vm.state().error("Select an edge first (click its label or line), then Make LayerChoice");
            return;
        }
        List<String> first = edges.iterator().next();
        Edge e = c.edge(first.get(0), first.get(1)).orElse(null);
        if (e == null) {
            return;
        }
        LayerChoice current = e.op() instanceof LayerChoice lc ? lc : null;
        Dialogs.layerChoice(stage, vm.state().spaceProperty().get(), edges.size() == 1 ? vm.edits().defaultKey(c, first) : "", current, edges.size())
                .ifPresent(spec -> vm.edits().makeLayerChoice(edges, spec.key(), spec.candidates()));
    }

    private void makeInputChoice() {
        Cell c = vm.state().cell();
        Set<String> nodes = vm.state().selectionProperty().get().nodes();
        if (c == null || nodes.size() != 1) {
            vm.state().error("Select one node first, then Make InputChoice");
            return;
        }
        String n = nodes.iterator().next();
        if (c.incoming(n).size() < 2) {
            vm.state().error("Cannot make an InputChoice on " + n + ": it has " + c.incoming(n).size() + " incoming edge(s), it needs at least two");
            return;
        }
        Dialogs.inputChoice(stage, c, n, vm.edits().defaultInputKey(c, n)).ifPresent(s -> vm.edits().makeInputChoice(n, s.key(), s.nChosen(), s.reduction()));
    }

    private void makeValueChoice() {
        Cell c = vm.state().cell();
        Set<List<String>> edges = vm.state().selectionProperty().get().edges();
        if (c == null || edges.size() != 1) {
            vm.state().error("Select one edge whose op has a numeric parameter, then Make ValueChoice");
            return;
        }
        List<String> ends = edges.iterator().next();
        Edge e = c.edge(ends.get(0), ends.get(1)).orElseThrow();
        if (!(e.op() instanceof OpCall op)) {
            vm.state().error("A ValueChoice sits on a parameter of a fixed op; this edge is a LayerChoice");
            return;
        }
        Dialogs.valueChoice(stage, vm.state().spaceProperty().get(), op, c.name() + "_" + ends.get(1) + "_" + ends.get(0) + "_v")
                .ifPresent(s -> vm.edits().setValueChoice(ends.get(0), ends.get(1), s.param(), s.key(), s.values()));
    }

    private void renameKey() {
        SearchSpace s = vm.state().spaceProperty().get();
        if (s == null || s.mutables().isEmpty()) {
            vm.state().error("This space has no choices, so no keys to rename");
            return;
        }
        String preset = null;
        Cell c = vm.state().cell();
        Selection sel = vm.state().selectionProperty().get();
        if (c != null && sel.edges().size() == 1) {
            List<String> e = sel.edges().iterator().next();
            preset = c.edge(e.get(0), e.get(1)).filter(x -> x.op() instanceof LayerChoice).map(x -> ((LayerChoice) x.op()).key()).orElse(null);
        } else if (c != null && sel.nodes().size() == 1) {
            preset = c.node(sel.nodes().iterator().next()).filter(n -> n.inputChoice() != null).map(n -> n.inputChoice().key()).orElse(null);
        }
        List<String> keys = s.mutablesByKey().keySet().stream().toList();
        ChoiceDialog<String> which = new ChoiceDialog<>(preset != null ? preset : keys.get(0), keys);
        which.initOwner(stage);
        which.setTitle("Rename key");
        which.setHeaderText("Rename a key everywhere it is used (choices sharing it and $references)");
        which.showAndWait().ifPresent(k -> {
            TextInputDialog to = new TextInputDialog(k);
            to.initOwner(stage);
            to.setTitle("Rename key");
            to.setHeaderText("New name for " + k);
            to.showAndWait().ifPresent(n -> vm.edits().renameKey(k, n.strip()));
        });
    }

    // ---- palette ------------------------------------------------------------------------------------------

    private void dropped(Palette.Item it, Point2D scene) {
        Point2D local = canvas.sceneToLocal(scene);
        if (!canvas.isVisible() || !canvas.contains(local)) {
            if (it.kind() == Palette.Kind.NODE) {
                vm.state().error("Drop nodes on the canvas of a cell (open one in the outline)");
            }
            return;
        }
        Point2D m = canvas.sceneToModel(scene.getX(), scene.getY());
        switch (it.kind()) {
            case NODE -> vm.edits().addNode(switch (it.name()) {
                case "input" -> NodeKind.INPUT;
                case "output" -> NodeKind.OUTPUT;
                default -> NodeKind.INTERMEDIATE;
            }, m.getX(), m.getY());
            case OP -> {
                List<String> e = canvas.edgeAt(m);
                if (e == null) {
                    vm.edits().edgeOpProperty().set(it.name());
                    vm.state().error("Drop an op onto an edge to set it; new edges now get " + it.name());
                } else {
                    vm.edits().setOp(Set.of(e), it.name());
                }
            }
            case MUTABLE -> {
                if (it.name().equals("InputChoice")) {
                    String n = canvas.nodeAt(m);
                    if (n == null) {
                        vm.state().error("Drop the InputChoice onto a node with two or more incoming edges");
                        return;
                    }
                    vm.state().setSelection(Selection.node(n));
                    run("inputChoice");
                } else {
                    List<String> e = canvas.edgeAt(m);
                    if (e == null) {
                        vm.state().error("Drop the " + it.name() + " onto an edge");
                        return;
                    }
                    vm.state().setSelection(Selection.edge(e.get(0), e.get(1)));
                    run(it.name().equals("LayerChoice") ? "layerChoice" : "valueChoice");
                }
            }
            default -> {
            }
        }
    }

    private void picked(Palette.Item it) {
        if (it.kind() == Palette.Kind.OP) {
            vm.edits().edgeOpProperty().set(it.name());
            vm.state().info("New edges get " + it.name() + "; double-click it to set it on the selected edges, or drop it onto an edge");
        }
    }

    private void appliedFromPalette(Palette.Item it) {
        switch (it.kind()) {
            case OP -> vm.edits().setOp(vm.state().selectionProperty().get().edges(), it.name());
            case MUTABLE -> run(it.name().equals("LayerChoice") ? "layerChoice" : it.name().equals("InputChoice") ? "inputChoice" : "valueChoice");
            case NODE -> run("addNode");
            default -> {
            }
        }
    }

    /** Double-click on a cell stage of the network: open that cell. */
    private void openStage(String id) {
        vm.state().spaceProperty().get().network().stages().stream().filter(st -> id.equals(st.name()) && st.cell() != null)
                .map(io.cellforge.space.Stage::cell).findFirst().ifPresent(vm.state()::select);
    }

    private void zoom(double factor) {
        if (canvas.isVisible()) {
            canvas.zoom(factor);
        } else {
            networkView.zoom(factor);
        }
    }

    // ---- search results -----------------------------------------------------------------------------------

    /** A finished run's derived architecture, as a fixed network in a tab of its own. */
    private void openResult(RunRow run) {
        try {
            openResult(search.result(run));
        } catch (SearchViewModel.ResultException e) {
            vm.state().error(e.getMessage());
        }
    }

    /** A result's tab (a run's, or one trial's of a multi-trial run), selected when it is open already. */
    private void openResult(io.cellforge.app.search.ResultViewModel result) {
        for (Tab t : tabs.getTabs()) {
            if (t.getContent() instanceof ResultView rv && rv.viewModel().dir().equals(result.dir()) && rv.viewModel().name().equals(result.name())) {
                tabs.getSelectionModel().select(t);
                return;
            }
        }
        ResultView rv = new ResultView(result, (title, name) -> files.save(title, name, List.of()), r -> {
            if (confirmDiscard("opening the result")) {
                vm.documents().openResult(r.fixed(), r.architecture(), r.space());
                tabs.getSelectionModel().select(designTab);
            }
        });
        rv.canvas().setTheme(vm.theme());
        Tab t = new Tab("Result " + result.name(), rv);
        t.setId("tab-result");
        tabs.getTabs().add(t);
        tabs.getSelectionModel().select(t);
    }

    // ---- imports, exports ---------------------------------------------------------------------------------

    private void importGenotype() {
        if (confirmDiscard("importing")) {
            Dialogs.genotype(stage, vm.documents()::readText, g -> failure(vm.documents().importGenotype(g.text(), g.channels(), g.layers(), g.auxiliary())));
        }
    }

    private void importArchitecture() {
        if (vm.state().spaceProperty().get() == null || vm.state().spaceProperty().get().isFixed()) {
            vm.state().error("Open the search space the architecture belongs to first (it has no choices to decide)");
            return;
        }
        if (confirmDiscard("importing")) {
            Dialogs.architecture(stage, "Import an architecture", "Paste (or read from a file) an NNI choice dict, a ModularNAS arch_desc, "
                    + "a DARTS genotype or a Cellforge architecture of " + vm.state().spaceProperty().get().name()
                    + ". The network it chooses opens as a new document.", vm.documents()::readText, t -> failure(vm.documents().importArchitecture(t, "import")));
        }
    }

    private void importNb201() {
        if (confirmDiscard("importing")) {
            Dialogs.architecture(stage, "Import a NAS-Bench-201 cell", "Paste a NAS-Bench-201 string such as "
                    + "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
                    vm.documents()::readText, t -> failure(vm.documents().importArchitecture(t.strip(), "NAS-Bench-201", Zoo.get("nas-bench-201").orElseThrow())));
        }
    }

    /** Why an import failed (the view-model's message), for its dialog to show; empty when it worked. */
    private Optional<String> failure(boolean ok) {
        return ok ? Optional.empty() : Optional.of(vm.state().messageProperty().get());
    }

    /** A VEGA pipeline config holds a space in several steps (search, fully train): read another of them. */
    private void choosePipelineStep() {
        List<String> steps = List.copyOf(vm.documents().pipelineSteps());
        if (steps.isEmpty() || !confirmDiscard("reading another step")) {
            return;
        }
        ChoiceDialog<String> which = new ChoiceDialog<>(vm.documents().pipelineStepProperty().get(), steps);
        which.initOwner(stage);
        which.setTitle("Pipeline step");
        which.setHeaderText("Read the space of another step of this VEGA pipeline");
        which.showAndWait().ifPresent(vm.documents()::openPipelineStep);
    }

    private void importSpace() {
        if (confirmDiscard("importing")) {
            files.open("Import a ModularNAS or VEGA search space", List.of(YAML)).ifPresent(vm.documents()::openFile);
        }
    }

    private void exportArchitecture(DocumentViewModel.ArchExport f) {
        if (!vm.documents().hasArchitecture()) {
            vm.state().error("This document has no architecture to export: import one (File > Import) or run a search");
            return;
        }
        files.save("Export the architecture (" + f.id() + ")", vm.state().space().name() + f.extension(),
                List.of(new FileChooser.ExtensionFilter(f.id(), "*" + f.extension()))).ifPresent(p -> vm.documents().exportArchitecture(f, p));
    }

    void exportPicture(boolean svg) {
        Cell c = vm.state().cell();
        if (c == null) {
            vm.state().error("Open a cell to export its picture");
            return;
        }
        String ext = svg ? ".svg" : ".png";
        files.save("Export the picture of cell " + c.name(), vm.state().space().name() + "-" + c.name() + ext,
                List.of(new FileChooser.ExtensionFilter(svg ? "SVG" : "PNG", "*" + ext))).ifPresent(p -> {
            if (svg) {
                vm.layout().exportSvg(p);
            } else {
                SnapshotParameters sp = new SnapshotParameters();
                sp.setFill(vm.theme().background());
                sp.setTransform(Transform.scale(2 / canvas.zoom(), 2 / canvas.zoom()));
                WritableImage img = canvas.content().snapshot(sp, null);
                vm.layout().exportPng(p, SwingFXUtils.fromFXImage(img, null));
            }
        });
    }

    // ---- menus --------------------------------------------------------------------------------------------

    /** Menu items carry user text (keys and paths with underscores in Undo, Open recent): no mnemonics parsed. */
    private MenuItem item(String id, String text) {
        MenuItem m = new MenuItem(text);
        m.setMnemonicParsing(false);
        m.setId("menu-" + id);
        Shortcuts.Shortcut s = Shortcuts.get(id);
        s.combination().ifPresent(m::setAccelerator);
        m.setOnAction(e -> run(id));
        return m;
    }

    private static MenuItem plain(String text, Runnable r) {
        MenuItem m = new MenuItem(text);
        m.setMnemonicParsing(false);
        m.setOnAction(e -> r.run());
        return m;
    }

    private MenuBar menu() {
        Menu fromZoo = new Menu("New from zoo");
        for (Zoo.Entry en : Zoo.entries()) {
            MenuItem it = plain(en.name() + "  -  " + en.description(), () -> {
                if (confirmDiscard("opening a template")) {
                    vm.documents().openZoo(en.name());
                }
            });
            it.setId("zoo-" + en.name());
            fromZoo.getItems().add(it);
        }
        Menu recent = new Menu("Open recent");
        Runnable fillRecent = () -> {
            recent.getItems().clear();
            for (Path p : vm.documents().recent()) {
                recent.getItems().add(plain(p.toString(), () -> {
                    if (confirmDiscard("opening another file")) {
                        vm.documents().openFile(p);
                    }
                }));
            }
            recent.setDisable(vm.documents().recent().isEmpty());
        };
        vm.documents().recent().addListener((javafx.collections.ListChangeListener<Path>) ch -> fillRecent.run());
        fillRecent.run();
        Menu imports = new Menu("Import", null,
                plain("DARTS genotype...", this::importGenotype),
                plain("Architecture onto this space (NNI, ModularNAS, genotype, YAML)...", this::importArchitecture),
                plain("NAS-Bench-201 string...", this::importNb201),
                plain("ModularNAS or VEGA space...", this::importSpace));
        MenuItem step = plain("Another step of the VEGA pipeline...", this::choosePipelineStep);
        step.setId("menu-pipelineStep");
        step.disableProperty().bind(javafx.beans.binding.Bindings.isEmpty(vm.documents().pipelineSteps()));
        imports.getItems().add(step);
        Menu arch = new Menu("Architecture");
        for (DocumentViewModel.ArchExport f : vm.documents().architectureExports()) {
            arch.getItems().add(plain(f.id() + " (" + f.extension() + ")", () -> exportArchitecture(f)));
        }
        Menu exports = new Menu("Export", null, item("exportYaml", "Space YAML..."), arch,
                plain("Picture of the cell (PNG)...", () -> exportPicture(false)),
                plain("Picture of the cell (SVG)...", () -> exportPicture(true)));
        Menu file = new Menu("File", null, item("new", "New"), fromZoo, item("open", "Open..."), recent, new SeparatorMenuItem(),
                item("save", "Save"), item("saveAs", "Save as..."), new SeparatorMenuItem(), imports, exports, new SeparatorMenuItem(),
                item("close", "Quit"));

        MenuItem undo = item("undo", "Undo");
        undo.textProperty().bind(vm.edits().undoTextProperty());
        undo.disableProperty().bind(vm.edits().canUndoProperty().not());
        MenuItem redo = item("redo", "Redo");
        redo.textProperty().bind(vm.edits().redoTextProperty());
        redo.disableProperty().bind(vm.edits().canRedoProperty().not());
        MenuItem redo2 = item("redo2", "Redo");
        redo2.setVisible(false);
        Menu edit = new Menu("Edit", null, undo, redo, redo2, new SeparatorMenuItem(), item("cut", "Cut"), item("copy", "Copy"),
                item("paste", "Paste"), item("delete", "Delete"), item("selectAll", "Select all"), new SeparatorMenuItem(),
                item("addNode", "Add node"), item("setOp", "Set op..."), item("layerChoice", "Make LayerChoice..."), item("inputChoice", "Make InputChoice..."),
                item("valueChoice", "Make ValueChoice..."), item("renameKey", "Rename key..."));
        Menu view = new Menu("View", null, item("layout", "Automatic layout"), item("fit", "Fit to view"), item("zoomIn", "Zoom in"),
                item("zoomOut", "Zoom out"), new SeparatorMenuItem(), item("network", "Network"), item("search", "Search the palette"),
                item("theme", "Light / dark theme"));
        MenuItem about = plain("About Cellforge", () -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, "Cellforge 0.1.0\nDesign and search neural-network cells.");
            a.initOwner(stage);
            a.setHeaderText("Cellforge");
            a.showAndWait();
        });
        Menu searchMenu = new Menu("Search", null, item("searchStart", "Start"), item("searchPause", "Pause / resume"),
                item("searchStop", "Stop"), new SeparatorMenuItem(), item("design", "Designer"), item("searchTab", "Search view"));
        Menu help = new Menu("Help", null, item("shortcuts", "Keyboard shortcuts"), about);
        MenuBar bar = new MenuBar(file, edit, view, searchMenu, help);
        bar.setId("menubar");
        return bar;
    }

    private ToolBar toolbar() {
        ToolBar t = new ToolBar(tool("New", "new"), tool("Open", "open"), tool("Save", "save"), new javafx.scene.control.Separator(),
                tool("Undo", "undo"), tool("Redo", "redo"), new javafx.scene.control.Separator(), tool("LayerChoice", "layerChoice"),
                tool("InputChoice", "inputChoice"), tool("ValueChoice", "valueChoice"), new javafx.scene.control.Separator(),
                tool("Layout", "layout"), tool("Fit", "fit"), tool("+", "zoomIn"), tool("-", "zoomOut"), new javafx.scene.control.Separator(),
                tool("Theme", "theme"), new javafx.scene.control.Separator(), tool("Search", "searchStart"));
        t.setId("toolbar");
        return t;
    }

    private Button tool(String text, String id) {
        Button b = new Button(text);
        b.setId("tool-" + id);
        b.setFocusTraversable(false);
        Shortcuts.Shortcut s = Shortcuts.get(id);
        b.setTooltip(new Tooltip(s.action() + (s.display().isEmpty() ? "" : "  (" + s.display() + ")")));
        b.setOnAction(e -> run(id));
        if (id.equals("undo")) {
            b.disableProperty().bind(vm.edits().canUndoProperty().not());
        } else if (id.equals("redo")) {
            b.disableProperty().bind(vm.edits().canRedoProperty().not());
        }
        return b;
    }

    private static VBox titled(String title, javafx.scene.Node content) {
        Label l = new Label(title);
        l.getStyleClass().add("pane-title");
        l.setPadding(new Insets(5, 8, 3, 8));
        l.setStyle("-fx-font-weight: bold;");
        VBox v = new VBox(l, content);
        VBox.setVgrow(content, Priority.ALWAYS);
        return v;
    }

    private void setDark(boolean dark) {
        Application.setUserAgentStylesheet(dark ? new PrimerDark().getUserAgentStylesheet() : new PrimerLight().getUserAgentStylesheet());
        vm.themeProperty().set(dark ? Theme.DARK : Theme.LIGHT);
        vm.documents().workspace().setDarkTheme(dark);
    }

    /** A line of the status bar showing {@code text}, cut to the bar's width, whole in its tooltip. */
    private static Label barLine(String id, javafx.beans.value.ObservableValue<String> text) {
        Label l = new Label();
        l.setId(id);
        l.textProperty().bind(text);
        l.setMinWidth(0);
        Tooltip tip = new Tooltip();
        tip.setWrapText(true);
        tip.setMaxWidth(640);
        tip.textProperty().bind(text);
        l.setTooltip(tip);
        return l;
    }
}

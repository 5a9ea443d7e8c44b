package io.cellforge.app;

import io.cellforge.analysis.Evaluator;
import io.cellforge.space.Place;
import io.cellforge.space.Problem;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.analysis.Validator;
import io.cellforge.app.canvas.Theme;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.arch.Genotype;
import io.cellforge.edit.CellEdits;
import io.cellforge.edit.Edit;
import io.cellforge.edit.EditException;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Imported;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Shape;
import io.cellforge.space.Cell;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Point;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The designer's state and every action of its window, without a control in sight: the open document and
 * its history, the view (a cell or the network), the selection, node positions, problems, status and
 * messages. Loading, validation, counting and recovery copies run off the JavaFX thread.
 */
public final class MainViewModel {
    public static final String NETWORK = "Network";
    /** Where a dropped node goes when no point is given: right of the rightmost node. */
    private static final double GAP = 60;

    private final Workspace workspace;
    private final ObjectProperty<Document> document = new SimpleObjectProperty<>();
    private final ObjectProperty<SearchSpace> space = new SimpleObjectProperty<>();
    private final NetworkViewModel network;
    private final ObjectProperty<Selection> selection = new SimpleObjectProperty<>(Selection.NONE);
    private final ReadOnlyStringWrapper view = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("Cellforge");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final BooleanProperty messageIsError = new SimpleBooleanProperty();
    private final BooleanProperty canUndo = new SimpleBooleanProperty();
    private final BooleanProperty canRedo = new SimpleBooleanProperty();
    private final StringProperty undoText = new SimpleStringProperty("Undo");
    private final StringProperty redoText = new SimpleStringProperty("Redo");
    private final StringProperty edgeOp = new SimpleStringProperty("sep_conv_3x3");
    private final IntegerProperty revision = new SimpleIntegerProperty();
    private final ObjectProperty<Theme> theme = new SimpleObjectProperty<>(Theme.LIGHT);
    private final ObservableList<String> outline = FXCollections.observableArrayList();
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final ObservableList<String> pipelineSteps = FXCollections.observableArrayList();
    private final StringProperty pipelineStep = new SimpleStringProperty();
    private Path pipelineFile;
    /**
     * The positions of the space's nodes as the canvas takes them, per cell: refilled at every change, new maps for
     * each document (the canvas fits the view when it is given another map).
     */
    private final Map<String, Map<String, double[]>> positions = new HashMap<>();
    private CellEdits.Fragment clipboard;
    private int pastes;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cellforge-worker");
        t.setDaemon(true);
        return t;
    });
    /** Newer requests win: results of an older load or check are dropped. */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong checks = new AtomicLong();
    private List<Problem> importNotes = List.of();
    /** Recovery copies are written on the worker and deleted on the JavaFX thread: a newer version wins. */
    private final Object recoveryLock = new Object();
    private long recoveryVersion;

    public MainViewModel() {
        this(Workspace.standard());
    }

    public MainViewModel(Workspace workspace) {
        this.workspace = workspace;
        network = new NetworkViewModel(this);
        recent.setAll(workspace.recent());
    }

    // ---- properties ---------------------------------------------------------------------------------------

    public Workspace workspace() {
        return workspace;
    }

    public ReadOnlyObjectProperty<Document> documentProperty() {
        return document;
    }

    public ReadOnlyObjectProperty<SearchSpace> spaceProperty() {
        return space;
    }

    /** The network view's selection, figures and stage edits. */
    public NetworkViewModel network() {
        return network;
    }

    public ObjectProperty<Selection> selectionProperty() {
        return selection;
    }

    public ReadOnlyStringProperty viewProperty() {
        return view.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** -1 (under way, no fraction known) while a file is read or the space checked and counted; 0 when idle. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    public BooleanProperty messageIsErrorProperty() {
        return messageIsError;
    }

    public BooleanProperty canUndoProperty() {
        return canUndo;
    }

    public BooleanProperty canRedoProperty() {
        return canRedo;
    }

    public StringProperty undoTextProperty() {
        return undoText;
    }

    public StringProperty redoTextProperty() {
        return redoText;
    }

    /** The op a new edge gets (the last op picked in the palette); edges into the output get identity. */
    public StringProperty edgeOpProperty() {
        return edgeOp;
    }

    /** Goes up at every change of the space, the view or the positions: views redraw on it. */
    public IntegerProperty revisionProperty() {
        return revision;
    }

    public ObjectProperty<Theme> themeProperty() {
        return theme;
    }

    public Theme theme() {
        return theme.get();
    }

    public ObservableList<String> outline() {
        return outline;
    }

    public ObservableList<Problem> problems() {
        return problems;
    }

    public ObservableList<Path> recent() {
        return recent;
    }

    public String view() {
        return view.get();
    }

    /** The cell on the canvas, or null when the network is shown. */
    public Cell cell() {
        SearchSpace s = space.get();
        return s == null ? null : s.cells().get(view.get());
    }

    /** Where the open cell's nodes are drawn (top-left corners), read-only: moves go through {@link #move}. */
    public Map<String, double[]> positions() {
        return java.util.Collections.unmodifiableMap(mirror());
    }

    private Map<String, double[]> mirror() {
        return positions.computeIfAbsent(view.get(), k -> new HashMap<>());
    }

    private void refreshPositions() {
        Cell c = cell();
        if (c == null) {
            return;
        }
        Map<String, double[]> m = mirror();
        m.clear();
        space.get().positions(c.name()).forEach((n, p) -> m.put(n, new double[] {p.x(), p.y()}));
    }

    /** Where the document's search runs are kept: beside its file, else in the app's home by space name. */
    public Path runsRoot() {
        Document d = document.get();
        if (d != null && d.file() != null) {
            String n = d.file().getFileName().toString().replaceFirst("\\.(yaml|yml)$", "");
            return d.file().toAbsolutePath().resolveSibling(n + ".runs");
        }
        // A name such as ".." or one of 300 characters is no folder name: those share "untitled".
        return workspace.runsDir().resolve(d == null ? "untitled"
                : io.cellforge.io.FileWrites.safeName(d.space().name().replaceAll("[^A-Za-z0-9_.-]", "_"), "untitled"));
    }

    /** Opens a search's derived network as a new document, its architecture kept for exports. */
    public void openResult(SearchSpace fixed, Architecture arch, SearchSpace searched) {
        openSpace(fixed, null, arch, searched, List.of(), "search result");
    }

    public boolean isDirty() {
        return document.get() != null && document.get().isDirty();
    }

    // ---- documents ----------------------------------------------------------------------------------------

    /** File > New: the darts-mini network around two empty cells. */
    public void newBlank() {
        openSpace(Zoo.blank(), null, null, List.of(), "new");
    }

    /** A new document from a zoo template (not tied to a file: Save asks where). */
    public void openZoo(String name) {
        Zoo.get(name).ifPresentOrElse(s -> openSpace(s, null, null, List.of(), "zoo: " + name),
                () -> error("There is no zoo space named '" + name + "'"));
    }

    /** Opens our YAML or a VEGA/ModularNAS file; a broken file leaves the open document as it is and lists why. */
    public void openFile(Path file) {
        openFile(file, null);
    }

    /** The other steps of the VEGA pipeline config just opened that hold a space (empty for any other document). */
    public ObservableList<String> pipelineSteps() {
        return pipelineSteps;
    }

    /** The pipeline step the open document was read from, or null. */
    public ReadOnlyStringProperty pipelineStepProperty() {
        return pipelineStep;
    }

    /** Reads another step of the pipeline config the open document came from. */
    public void openPipelineStep(String step) {
        if (pipelineFile != null && pipelineSteps.contains(step)) {
            openFile(pipelineFile, step);
        }
    }

    /** {@code step}: the step of a VEGA pipeline config to read, or null for its search step. */
    public void openFile(Path file, String step) {
        long gen = generation.incrementAndGet();
        status.set("Opening " + file + " ...");
        progress.set(-1);
        worker.submit(() -> {
            StaleTemps.processStart().ifPresent(t -> StaleTemps.removeFor(file, t));
            try {
                String text = SpaceFiles.readText(file); // once: the space and the pipeline's steps come from the same text
                Imported im = SpaceFiles.readSpace(text, file.toString(), SpaceFiles.spaceName(file), step);
                var steps = SpaceFiles.pipelineSteps(text).filter(p -> p.withSpace().size() > 1);
                boolean ours = im.ownSchema();
                Platform.runLater(() -> {
                    if (generation.get() == gen) {
                        openSpace(im.space(), ours ? file : null, null, im.notMapped(), file.toString()
                                + (steps.isPresent() ? " (step " + (step != null ? step : steps.get().read()) + ")" : ""));
                        steps.ifPresent(p -> {
                            pipelineFile = file;
                            pipelineSteps.setAll(p.withSpace());
                            pipelineStep.set(step != null ? step : p.read());
                        });
                        if (ours) {
                            workspace.addRecent(file);
                            recent.setAll(workspace.recent());
                        }
                    }
                });
            } catch (LoadException | RuntimeException | OutOfMemoryError | StackOverflowError e) {
                String text = ErrorText.of(e);
                String m = text.startsWith(file.toString()) ? text : file + ": " + text;
                Platform.runLater(() -> {
                    if (generation.get() == gen) {
                        problems.setAll(Problem.error(Place.NONE, m));
                        progress.set(0);
                        status.set("Could not open " + file.getFileName() + ": see the problems below");
                        error("Could not open " + file.getFileName() + ": " + m);
                    }
                });
            }
        });
    }

    /** Opens a space as a new document; {@code file} is null when Save must ask where. */
    public void openSpace(SearchSpace s, Path file, Architecture arch, List<Problem> notes, String source) {
        openSpace(s, file, arch, null, notes, source);
    }

    private void openSpace(SearchSpace s, Path file, Architecture arch, SearchSpace archSpace, List<Problem> notes, String source) {
        openDocument(new Document(s, file, arch, archSpace), notes, source);
    }

    private void openDocument(Document d, List<Problem> notes, String source) {
        pipelineFile = null;
        pipelineSteps.clear();
        pipelineStep.set(null);
        Document old = document.get();
        if (old != null) {
            deleteRecovery(old.id());
        }
        generation.incrementAndGet();
        Path file = d.file();
        SearchSpace s = d.space();
        document.set(d);
        positions.clear();
        importNotes = List.copyOf(notes);
        message.set(file == null ? "Opened " + source : "Opened " + file.getFileName());
        messageIsError.set(false);
        String first = s.cells().isEmpty() ? NETWORK : s.cells().keySet().iterator().next();
        view.set("");
        changed(s);
        select(first);
    }

    /** Saves to the document's file; false when it has none (the window then asks for one). */
    public boolean save() {
        Document d = document.get();
        if (d == null || d.file() == null) {
            return false;
        }
        return saveAs(d.file());
    }

    public boolean saveAs(Path target) {
        Document d = document.get();
        if (d == null) {
            return false;
        }
        try {
            d.saveAs(target);
            deleteRecovery(d.id());
            workspace.addRecent(target);
            recent.setAll(workspace.recent());
            info("Saved " + target.getFileName());
            refreshTitle();
            return true;
        } catch (IOException | RuntimeException e) {
            error("Could not save " + target + ": " + ErrorText.of(e) + " (the file on disk is unchanged)");
            return false;
        }
    }

    /** The window closes normally: the recovery copy is no longer needed. */
    public void closed() {
        if (document.get() != null) {
            deleteRecovery(document.get().id());
        }
    }

    /**
     * Opens a recovery copy as an unsaved document tied to its original file, if it had one: Save writes there,
     * and Undo recovery goes back to what the file holds.
     */
    public void recover(Workspace.Recovery r) {
        try {
            SearchSpace s = SpaceYaml.read(r.yaml(), r.file().toString()).space();
            Path origin = originOf(r);
            SearchSpace onDisk = null;
            if (origin != null) {
                StaleTemps.processStart().ifPresent(t -> StaleTemps.removeFor(origin, t));
                onDisk = savedContent(origin);
            }
            // Both laid out alike, so that a file without positions still equals a copy of it that has the layout's.
            openDocument(Document.recovered(placed(s), origin, onDisk == null ? null : placed(onDisk)), List.of(), "recovery");
            Files.deleteIfExists(r.file()); // the document has a copy of its own now, under its id
            info(!isDirty() ? "The recovery copy of " + origin + " holds what the file holds: nothing was lost"
                    : origin == null ? "Recovered an unsaved document; save it to keep it"
                    : "Recovered the unsaved changes of " + origin + ": Save writes them to it"
                    + (onDisk != null ? ", Undo recovery goes back to the file" : ""));
        } catch (LoadException | IOException e) {
            error("The recovery copy " + r.file() + " could not be read: " + ErrorText.of(e));
        }
    }

    private static Path originOf(Workspace.Recovery r) {
        try {
            return r.origin().isEmpty() ? null : Path.of(r.origin());
        } catch (InvalidPathException e) {
            return null; // not a path of this system: the copy opens as a new document
        }
    }

    /** The space a recovered document's file holds now, or null when it is gone or not in our schema any more. */
    private static SearchSpace savedContent(Path file) {
        try {
            Imported im = SpaceFiles.readSpace(file);
            return im.ownSchema() ? im.space() : null;
        } catch (LoadException | RuntimeException e) {
            return null;
        }
    }

    // ---- imports and exports ------------------------------------------------------------------------------

    /** A DARTS genotype as the DARTS evaluation network (model.py) with {@code channels} and {@code layers}. */
    public boolean importGenotype(String text, int channels, int layers, boolean auxiliary) {
        try {
            Genotype g = ArchFormats.parseGenotype(text, "genotype");
            SearchSpace s = Zoo.dartsEval(g, channels, layers, 10, false, auxiliary).withName("genotype");
            SearchSpace search = Zoo.get("darts-search").orElseThrow();
            Architecture a = null;
            List<Problem> notes = List.of();
            try {
                a = ArchFormats.fromGenotype(g, search, "genotype");
            } catch (LoadException e) {
                // A genotype of another cell shape (AutoDL's five nodes, GDAS's fixed reduction cell) still builds its
                // network; it only has no architecture of darts-search to export.
                notes = List.of(Problem.warning(Place.named("genotype"), "not an architecture of darts-search, so it exports as a network only: "
                        + ErrorText.of(e)));
            }
            openSpace(s, null, a, a == null ? null : search, notes, "genotype");
            return true;
        } catch (LoadException e) {
            error("The genotype does not parse: " + ErrorText.of(e));
            return false;
        }
    }

    /**
     * An architecture description (NNI dict, genotype, ModularNAS arch_desc, NB201 string, our YAML) read
     * against the open space: the network it picks opens as a new document with no choices left.
     */
    public boolean importArchitecture(String text, String source) {
        return importArchitecture(text, source, space.get());
    }

    /** An architecture read against a given space (the NAS-Bench-201 space for an NB201 string). */
    public boolean importArchitecture(String text, String source, SearchSpace s) {
        if (s == null) {
            return false;
        }
        try {
            ArchFormat f = ArchFormats.sniff(text);
            List<Problem> warnings = new java.util.ArrayList<>();
            Architecture a = ArchFormats.read(f, text, source, s, warnings);
            SearchSpace fixed = Fixing.fix(s, a).withName(s.name() + "-" + f.id);
            // What the file set that the space cannot carry (an NNI width of another value) is listed with the problems.
            openSpace(fixed, null, a, s, warnings, source + " (" + f.id + ") on " + s.name());
            return true;
        } catch (LoadException | FormatException | RuntimeException e) {
            error("Could not import " + source + ": " + ErrorText.of(e));
            return false;
        }
    }

    public boolean exportSpace(Path target) {
        try {
            SpaceFiles.writeAtomically(target, SpaceYaml.write(space.get()));
            info("Exported the space to " + target.getFileName());
            return true;
        } catch (IOException | RuntimeException e) {
            error("Could not export to " + target + ": " + ErrorText.of(e));
            return false;
        }
    }

    /** The architecture the document was imported with, in another format. */
    public boolean exportArchitecture(ArchFormat f, Path target) {
        Document d = document.get();
        if (d == null || d.architecture() == null) {
            error("This document has no architecture to export: import one (File > Import) or run a search");
            return false;
        }
        try {
            SpaceFiles.writeAtomically(target, ArchFormats.write(f, d.architectureSpace(), d.architecture()));
            info("Exported the architecture as " + f.id + " to " + target.getFileName());
            return true;
        } catch (LoadException | IOException | RuntimeException e) {
            error("Could not export as " + f.id + ": " + ErrorText.of(e));
            return false;
        }
    }

    // ---- views, selection ---------------------------------------------------------------------------------

    /** Shows a cell of the open space on the canvas, or the network stack. */
    public void select(String v) {
        SearchSpace s = space.get();
        if (s == null || v == null || v.equals(view.get())) {
            return;
        }
        view.set(s.cells().containsKey(v) ? v : NETWORK);
        selection.set(Selection.NONE);
        refreshPositions();
        revision.set(revision.get() + 1);
    }

    public void setSelection(Selection s) {
        selection.set(s == null ? Selection.NONE : s);
    }

    public void selectAll() {
        Cell c = cell();
        if (c != null) {
            selection.set(new Selection(c.nodes().stream().map(Node::name).toList(),
                    new HashSet<>(c.edges().stream().map(e -> List.of(e.from(), e.to())).toList())));
        }
    }

    /**
     * Clicking a problem: shows its cell and selects its node or edge; a stage shows the network; a key shows the
     * first choice that has it.
     */
    public void reveal(Problem p) {
        SearchSpace s = space.get();
        if (s == null) {
            return;
        }
        Place at = p.at().revealed();
        if (at instanceof Place.Key k) {
            at = placeOf(s, k.key());
        }
        if (at instanceof Place.CellNode n && s.cells().containsKey(n.cell())) {
            select(n.cell());
            selection.set(Selection.node(n.node()));
        } else if (at instanceof Place.CellEdge e && s.cells().containsKey(e.cell())) {
            select(e.cell());
            selection.set(Selection.edge(e.from(), e.to()));
        } else if (at instanceof Place.InCell c && s.cells().containsKey(c.cell())) {
            select(c.cell());
        } else if (at instanceof Place.Stage) {
            select(NETWORK);
        }
    }

    /** Where the first choice of a key sits: an edge's LayerChoice, a node's InputChoice, a block stage. */
    private static Place placeOf(SearchSpace s, String key) {
        for (Cell c : s.cells().values()) {
            for (Node n : c.nodes()) {
                if (n.inputChoice() != null && n.inputChoice().key().equals(key)) {
                    return Place.node(c.name(), n.name());
                }
            }
            for (var e : c.edges()) {
                if (e.op() instanceof LayerChoice lc && lc.key().equals(key)) {
                    return Place.edge(c.name(), e.from(), e.to());
                }
            }
        }
        for (var st : s.network().stages()) {
            if (st.op() instanceof LayerChoice lc && lc.key().equals(key)) {
                return Place.stage(st.name());
            }
        }
        return Place.NONE;
    }

    // ---- edits --------------------------------------------------------------------------------------------

    /** Applies an edit; a refused one changes nothing and its reason becomes the message. */
    public boolean apply(Edit e) {
        Document d = document.get();
        if (d == null) {
            return false;
        }
        try {
            SearchSpace before = d.space();
            SearchSpace after = d.apply(e);
            if (after != before) {
                changed(after);
                info(e.description());
            }
            return true;
        } catch (EditException ex) {
            error("Cannot " + lowerFirst(e.description()) + ": " + ErrorText.of(ex));
            return false;
        }
    }

    public void undo() {
        Document d = document.get();
        if (d != null && d.history().canUndo()) {
            String what = d.history().undoDescription().orElse("");
            changed(d.history().undo());
            info("Undid " + lowerFirst(what));
        }
    }

    public void redo() {
        Document d = document.get();
        if (d != null && d.history().canRedo()) {
            String what = d.history().redoDescription().orElse("");
            changed(d.history().redo());
            info("Redid " + lowerFirst(what));
        }
    }

    /** Adds a node of a kind at a point of the canvas (its centre), named after the kind. */
    public boolean addNode(NodeKind kind, double x, double y) {
        Cell c = cell();
        if (c == null) {
            error("Open a cell (in the outline) to add nodes to it");
            return false;
        }
        Set<String> taken = new HashSet<>();
        c.nodes().forEach(n -> taken.add(n.name()));
        String name = switch (kind) {
            case INPUT -> CellEdits.fresh("in", taken);
            case OUTPUT -> "out";
            default -> CellEdits.fresh("n", taken);
        };
        Node n = switch (kind) {
            case INPUT -> Node.input(name);
            case OUTPUT -> Node.output(name, Reduction.CONCAT);
            default -> Node.intermediate(name);
        };
        double[] size = DiagramLayout.boxSize(name, DiagramLayout.badge(c, n));
        Edit add = CellEdits.addNode(c.name(), n);
        boolean ok = apply(Edit.composite(add.description(),
                List.of(add, CellEdits.move(c.name(), Map.of(name, new Point(x - size[0] / 2, y - size[1] / 2))))));
        if (ok) {
            selection.set(Selection.node(name));
        }
        return ok;
    }

    /** Connects two nodes with the current edge op (identity into the output); refused on a cycle. */
    public boolean connect(String from, String to) {
        Cell c = cell();
        if (c == null) {
            return false;
        }
        boolean intoOutput = c.node(to).map(n -> n.kind() == NodeKind.OUTPUT).orElse(false);
        boolean ok = apply(CellEdits.connect(c.name(), from, to, OpCall.of(intoOutput ? "identity" : edgeOp.get())));
        if (ok) {
            selection.set(Selection.edge(from, to));
        }
        return ok;
    }

    /** Sets an op on edges (a palette entry dropped or double-clicked); one undo step. */
    public boolean setOp(Set<List<String>> edges, String op) {
        Cell c = cell();
        if (c == null || edges.isEmpty()) {
            error("Select an edge (or drop the op onto one) to set its op");
            return false;
        }
        List<Edit> edits = new ArrayList<>();
        for (List<String> e : edges) {
            edits.add(CellEdits.setOp(c.name(), e.get(0), e.get(1), OpCall.of(op)));
        }
        return apply(Edit.composite(edges.size() == 1 ? edits.get(0).description() : "Set op of " + edges.size() + " edges to " + op, edits));
    }

    public boolean makeLayerChoice(Set<List<String>> edges, String key, List<OpCall> candidates) {
        Cell c = cell();
        if (c == null || edges.isEmpty()) {
            error("Select an edge to make a LayerChoice");
            return false;
        }
        List<Edit> edits = new ArrayList<>();
        for (List<String> e : edges) {
            // Several edges at once: each gets its own key, unless the person asked for one shared key.
            String k = key.isEmpty() ? defaultKey(c, e) : key;
            edits.add(CellEdits.setOp(c.name(), e.get(0), e.get(1), new LayerChoice(k, candidates)));
        }
        return apply(Edit.composite(edits.size() == 1 ? edits.get(0).description()
                : "Make LayerChoice on " + edits.size() + " edges", edits));
    }

    public boolean makeInputChoice(String node, String key, int nChosen, Reduction reduction) {
        Cell c = cell();
        return c != null && apply(CellEdits.makeInputChoice(c.name(), node, key, nChosen, reduction));
    }

    // The edits the inspector and the dialogs ask for, on the open cell: the views call these, never an edit.

    public boolean renameNode(String node, String to) {
        Cell c = cell();
        return c != null && apply(CellEdits.renameNode(c.name(), node, to));
    }

    public boolean setMerge(String node, Reduction merge) {
        Cell c = cell();
        return c != null && apply(SpaceEdits.setMerge(c.name(), node, merge));
    }

    public boolean removeInputChoice(String node) {
        Cell c = cell();
        return c != null && apply(CellEdits.removeInputChoice(c.name(), node));
    }

    public boolean setStride(String from, String to, int stride) {
        Cell c = cell();
        return c != null && apply(SpaceEdits.setStride(c.name(), from, to, stride));
    }

    public boolean setParam(String from, String to, String param, Param value) {
        Cell c = cell();
        return c != null && apply(SpaceEdits.setParam(c.name(), from, to, param, value));
    }

    /** Gives an edge's LayerChoice another key, its candidates kept. */
    public boolean setChoiceKey(String from, String to, String key) {
        Cell c = cell();
        return c != null && c.edge(from, to).map(e -> e.op() instanceof LayerChoice lc
                && apply(CellEdits.setOp(c.name(), from, to, new LayerChoice(key, lc.candidates())))).orElse(false);
    }

    /** Replaces an edge's LayerChoice by one of its candidates (with the candidate's parameters). */
    public boolean fixChoice(String from, String to, String label) {
        Cell c = cell();
        return c != null && c.edge(from, to).map(e -> e.op() instanceof LayerChoice lc && lc.indexOf(label) >= 0
                && apply(CellEdits.setOp(c.name(), from, to, lc.candidates().get(lc.indexOf(label))))).orElse(false);
    }

    public boolean setValueChoice(String from, String to, String param, String key, List<Double> values) {
        Cell c = cell();
        return c != null && apply(SpaceEdits.setValueChoice(c.name(), from, to, param, key, values));
    }

    public boolean renameKey(String from, String to) {
        return apply(SpaceEdits.renameKey(from, to));
    }

    public boolean setNetwork(int channels, int classes, Shape input) {
        return apply(SpaceEdits.setNetwork(channels, classes, input));
    }

    public boolean setLayers(int layers) {
        return apply(SpaceEdits.setLayers(layers));
    }

    public String defaultKey(Cell c, List<String> edge) {
        return c.name() + "_" + edge.get(1) + "_" + edge.get(0);
    }

    public String defaultInputKey(Cell c, String node) {
        return c.name() + "_" + node + "_switch";
    }

    /** Deletes the selected nodes (with their edges) and edges, as one undo step. */
    public void deleteSelection() {
        Cell c = cell();
        Selection s = selection.get();
        if (c == null || s.isEmpty()) {
            return;
        }
        List<Edit> edits = new ArrayList<>();
        List<List<String>> edges = s.edges().stream().filter(e -> !s.nodes().contains(e.get(0)) && !s.nodes().contains(e.get(1))).toList();
        if (!edges.isEmpty()) {
            edits.add(CellEdits.removeEdges(c.name(), edges));
        }
        if (!s.nodes().isEmpty()) {
            edits.add(CellEdits.removeNodes(c.name(), s.nodes()));
        }
        String what = s.nodes().isEmpty() ? edits.get(0).description()
                : edges.isEmpty() ? edits.get(0).description() : "Delete " + s.nodes().size() + " nodes and " + edges.size() + " edges";
        if (apply(Edit.composite(what, edits))) {
            selection.set(Selection.NONE);
        }
    }

    public void copy() {
        Cell c = cell();
        if (c == null || selection.get().nodes().isEmpty()) {
            return;
        }
        clipboard = CellEdits.copy(c, selection.get().nodes());
        pastes = 0;
        Map<String, Point> pos = space.get().positions(c.name());
        clipboardPositions.clear();
        clipboard.nodes().forEach(n -> clipboardPositions.put(n.name(), pos.getOrDefault(n.name(), new Point(0, 0))));
        info(clipboard.nodes().isEmpty() ? "Only intermediate nodes are copied" : "Copied " + clipboard.nodes().size() + " node(s)");
    }

    private final Map<String, Point> clipboardPositions = new HashMap<>();

    public void cut() {
        copy();
        if (clipboard != null && !clipboard.nodes().isEmpty()) {
            deleteSelection();
        }
    }

    public boolean canPaste() {
        return clipboard != null && !clipboard.nodes().isEmpty();
    }

    public void paste() {
        Cell c = cell();
        if (c == null || !canPaste()) {
            return;
        }
        Map<String, String> names = CellEdits.pasteNames(c, clipboard);
        pastes++;
        Map<String, Point> at = new HashMap<>();
        names.forEach((old, fresh) -> {
            Point p = clipboardPositions.getOrDefault(old, new Point(0, 0));
            at.put(fresh, new Point(p.x() + 30 * pastes, p.y() + 30 * pastes));
        });
        Edit paste = CellEdits.paste(c.name(), clipboard);
        if (apply(Edit.composite(paste.description(), List.of(paste, CellEdits.move(c.name(), at))))) {
            selection.set(new Selection(names.values(), Set.of()));
        }
    }

    /** One drag on the canvas: the dragged nodes' new top-left corners, one undo step. */
    public boolean move(Map<String, double[]> to) {
        Cell c = cell();
        if (c == null || to.isEmpty()) {
            return false;
        }
        Map<String, Point> at = new HashMap<>();
        to.forEach((n, p) -> at.put(n, new Point(p[0], p[1])));
        return apply(CellEdits.move(c.name(), at));
    }

    /** Lays the open cell out with ELK's layered algorithm: an undo step like any move. */
    public void layout() {
        Cell c = cell();
        if (c != null) {
            apply(Edit.composite("Lay out cell " + c.name(), List.of(CellEdits.move(c.name(), laidOut(c)))));
        }
    }

    /** ELK's layered drawing of a cell; a cell without edges gets inputs on the left, the output on the right. */
    static Map<String, Point> laidOut(Cell c) {
        Map<String, Point> pos = new HashMap<>();
        if (c.edges().isEmpty()) {
            int i = 0;
            for (Node n : c.nodes()) {
                boolean out = n.kind() == NodeKind.OUTPUT;
                pos.put(n.name(), out ? new Point(640, 140) : new Point(40 + (n.kind() == NodeKind.INPUT ? 0 : 300), 60 + 160 * i++));
            }
            return pos;
        }
        DiagramLayout.positions(c).forEach((n, p) -> pos.put(n, new Point(p[0], p[1])));
        return pos;
    }

    /**
     * The space with a position for every node: a cell never drawn is laid out, a node that has none (an edit
     * that gave it none) goes right of the others. What a file or an edit set is kept.
     */
    static SearchSpace placed(SearchSpace s) {
        SearchSpace out = s;
        for (Cell c : s.cells().values()) {
            Map<String, Point> have = s.positions(c.name());
            if (have.size() == c.nodes().size()) {
                continue;
            }
            if (have.isEmpty()) {
                out = out.withPositions(c.name(), laidOut(c));
                continue;
            }
            double right = have.values().stream().mapToDouble(Point::x).max().orElse(0);
            Map<String, Point> more = new HashMap<>();
            for (Node n : c.nodes()) {
                if (!have.containsKey(n.name())) {
                    right += GAP + 60;
                    more.put(n.name(), new Point(right, 40));
                }
            }
            out = out.withPositions(c.name(), more);
        }
        return out;
    }

    // ---- refresh ------------------------------------------------------------------------------------------

    private void changed(SearchSpace given) {
        Document d = document.get();
        SearchSpace p = placed(given);
        SearchSpace s = p == given ? given : d.history().settle(p);
        space.set(s);
        List<String> items = new ArrayList<>();
        items.add(NETWORK);
        items.addAll(s.cells().keySet());
        if (!outline.equals(items)) {
            String keep = view.get();
            outline.setAll(items);
            if (!keep.isEmpty() && !items.contains(keep)) {
                view.set("");
                select(items.size() > 1 ? items.get(1) : NETWORK);
            }
        }
        refreshPositions();
        Selection sel = selection.get();
        Cell c = cell();
        if (c != null) {
            Set<String> names = new HashSet<>(c.nodes().stream().map(Node::name).toList());
            Set<List<String>> edges = new HashSet<>(c.edges().stream().map(e -> List.of(e.from(), e.to())).toList());
            selection.set(new Selection(sel.nodes().stream().filter(names::contains).toList(),
                    new LinkedHashSet<>(sel.edges().stream().filter(edges::contains).toList())));
        }
        canUndo.set(d.history().canUndo());
        canRedo.set(d.history().canRedo());
        undoText.set(d.history().undoDescription().map(x -> "Undo " + lowerFirst(x)).orElse("Undo"));
        redoText.set(d.history().redoDescription().map(x -> "Redo " + lowerFirst(x)).orElse("Redo"));
        refreshTitle();
        revision.set(revision.get() + 1);
        check(s);
        saveRecovery(d);
    }

    private void refreshTitle() {
        Document d = document.get();
        if (d == null) {
            title.set("Cellforge");
            return;
        }
        title.set((d.isDirty() ? "*" : "") + d.displayName() + (d.isRecovered() ? " (recovered)" : "")
                + (d.file() != null ? "  [" + d.file().toAbsolutePath().getParent() + "]" : "") + " - Cellforge");
    }

    private void check(SearchSpace s) {
        long gen = checks.incrementAndGet();
        progress.set(-1);
        List<Problem> notes = importNotes;
        worker.submit(() -> {
            if (checks.get() != gen) {
                return; // a newer edit will be checked instead
            }
            List<Problem> found;
            String line;
            try {
                found = Validator.validate(s);
                line = found.stream().anyMatch(Problem::isError) ? brokenSummary(s) : summary(s);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                found = List.of(Problem.error(Place.NONE, "the space could not be checked: " + ErrorText.of(e)));
                line = s.name() + ": could not be checked";
            }
            List<Problem> all = new ArrayList<>(notes);
            all.addAll(found);
            String summary = line;
            Platform.runLater(() -> {
                if (checks.get() == gen) {
                    problems.setAll(all);
                    status.set(summary);
                    progress.set(0);
                }
            });
        });
    }

    /** A copy of unsaved work, so that a crash loses nothing; written off the JavaFX thread. */
    private void saveRecovery(Document d) {
        if (!d.isDirty()) {
            deleteRecovery(d.id());
            return;
        }
        SearchSpace s = d.space();
        Path origin = d.file();
        long version;
        synchronized (recoveryLock) {
            version = ++recoveryVersion;
        }
        worker.submit(() -> {
            try {
                String yaml = SpaceYaml.write(s);
                synchronized (recoveryLock) {
                    if (version == recoveryVersion) {
                        workspace.writeRecovery(d.id(), origin, yaml);
                    }
                }
            } catch (IOException | RuntimeException e) {
                Platform.runLater(() -> error("Could not write the recovery copy: " + ErrorText.of(e)));
            }
        });
    }

    /** Removes a recovery copy now; a copy still queued on the worker (of an edit before a save, say) is dropped. */
    private void deleteRecovery(String id) {
        synchronized (recoveryLock) {
            recoveryVersion++;
            workspace.deleteRecovery(id);
        }
    }

    /** Waits until the background checks and recovery writes queued so far are done (for tests and the benchmark). */
    public void drain() throws Exception {
        worker.submit(() -> { }).get();
    }

    public void info(String m) {
        message.set(m);
        messageIsError.set(false);
    }

    public void error(String m) {
        message.set(m);
        messageIsError.set(true);
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    /** A space with errors has no parameter counts to show (they would read as -1 .. -1). */
    static String brokenSummary(SearchSpace s) {
        String what = s.isFixed() ? "fixed network" : count(SpaceStats.count(s)) + " architectures";
        return s.name() + ": " + what + "; parameters and multiply-adds once the problems below are fixed";
    }

    static String summary(SearchSpace s) {
        try {
            if (s.isFixed()) {
                var st = Evaluator.evaluate(s, Architecture.empty());
                return st.ok() ? String.format("%s: fixed network, %,d parameters, %,d multiply-adds", s.name(), st.params(), st.macs())
                        : s.name() + ": the network has problems";
            }
            SpaceStats st = SpaceStats.of(s);
            if (st.minParams().value() < 0 || st.maxParams().value() < 0 || st.minMacs().value() < 0 || st.maxMacs().value() < 0) {
                return brokenSummary(s); // no architecture builds: there are no figures to show
            }
            return String.format("%s: %s architectures   parameters %,d .. %,d   multiply-adds %,d .. %,d", s.name(),
                    count(st.architectures()), st.minParams().value(), st.maxParams().value(), st.minMacs().value(),
                    st.maxMacs().value());
        } catch (RuntimeException e) {
            return s.name() + ": could not count (" + ErrorText.of(e) + ")";
        }
    }

    static String count(java.math.BigInteger b) {
        if (b.bitLength() < 40) {
            return String.format("%,d", b);
        }
        String d = b.toString();
        return d.charAt(0) + "." + d.substring(1, 4) + "e" + (d.length() - 1);
    }
}

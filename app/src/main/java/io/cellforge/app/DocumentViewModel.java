package io.cellforge.app;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Fixing;
import io.cellforge.arch.FormatException;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.FileWrites;
import io.cellforge.io.Imported;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.Place;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The document as a file: new, open (our YAML, VEGA and ModularNAS files, a pipeline's steps), save, the title,
 * recent files, imports and exports of architectures, and the recovery copy that keeps unsaved work safe from
 * a crash (written off the JavaFX thread after every change).
 */
public final class DocumentViewModel {
    private final DocumentState state;
    private final ProblemsViewModel problems;
    private final Workspace workspace;
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("Cellforge");
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    private final ObservableList<String> pipelineSteps = FXCollections.observableArrayList();
    private final StringProperty pipelineStep = new SimpleStringProperty();
    private Path pipelineFile;
    /** Newer requests win: results of an older load are dropped. */
    private final AtomicLong generation = new AtomicLong();
    /** Recovery copies are written on the lane and deleted on the JavaFX thread: a newer version wins. */
    private final Object recoveryLock = new Object();
    private long recoveryVersion;

    DocumentViewModel(DocumentState state, ProblemsViewModel problems, Workspace workspace) {
        this.state = state;
        this.problems = problems;
        this.workspace = workspace;
        recent.setAll(workspace.recent());
        state.onChange(() -> {
            refreshTitle();
            saveRecovery(state.documentProperty().get());
        });
    }

    public Workspace workspace() {
        return workspace;
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ObservableList<Path> recent() {
        return recent;
    }

    /** A file's text for a dialog's "From file": the text, or why it could not be read (then the text is empty). */
    public record FileText(String text, String error) {
    }

    /** Reads a file a person picked; core's reader refuses devices, FIFOs and huge files before reading. */
    public FileText readText(Path file) {
        try {
            return new FileText(SpaceFiles.readText(file), null);
        } catch (LoadException e) {
            return new FileText("", ErrorText.of(e));
        }
    }

    /** A format an architecture is exported in: its id (as the CLI names it) and its file extension. */
    public record ArchExport(String id, String extension) {
    }

    public List<ArchExport> architectureExports() {
        return java.util.Arrays.stream(ArchFormat.values()).map(f -> new ArchExport(f.id, f.extension)).toList();
    }

    /** Whether the document was imported with an architecture or opened from a search, so that it can be exported. */
    public boolean hasArchitecture() {
        Document d = state.documentProperty().get();
        return d != null && d.architecture() != null;
    }

    public boolean exportArchitecture(ArchExport e, Path target) {
        return exportArchitecture(ArchFormat.byId(e.id()).orElseThrow(), target);
    }

    /** Where the document's search runs are kept: beside its file, else in the app's home by space name. */
    public Path runsRoot() {
        Document d = state.documentProperty().get();
        if (d != null && d.file() != null) {
            String n = d.file().getFileName().toString().replaceFirst("\\.(yaml|yml)$", "");
            return d.file().toAbsolutePath().resolveSibling(n + ".runs");
        }
        // A name such as ".." or one of 300 characters is no folder name: those share "untitled".
        return workspace.runsDir().resolve(d == null ? "untitled"
                : FileWrites.safeName(d.space().name().replaceAll("[^A-Za-z0-9_.-]", "_"), "untitled"));
    }

    /** Opens a search's derived network as a new document, its architecture kept for exports. */
    public void openResult(SearchSpace fixed, Architecture arch, SearchSpace searched) {
        openSpace(fixed, null, arch, searched, List.of(), "search result");
    }

    public boolean isDirty() {
        return state.documentProperty().get() != null && state.documentProperty().get().isDirty();
    }

    // ---- documents ----------------------------------------------------------------------------------------

    /** File > New: the darts-mini network around two empty cells. */
    public void newBlank() {
        openSpace(Zoo.blank(), null, null, List.of(), "new");
    }

    /** A new document from a zoo template (not tied to a file: Save asks where). */
    public void openZoo(String name) {
        Zoo.get(name).ifPresentOrElse(s -> openSpace(s, null, null, List.of(), "zoo: " + name),
                () -> state.error("There is no zoo space named '" + name + "'"));
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
        problems.opening(file.toString());
        state.lane().submit(() -> {
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
                        problems.couldNotOpen(file.getFileName().toString(), m);
                        state.error("Could not open " + file.getFileName() + ": " + m);
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
        Document old = state.documentProperty().get();
        if (old != null) {
            deleteRecovery(old.id());
        }
        generation.incrementAndGet();
        state.open(d, notes, source);
    }

    /** Saves to the document's file; false when it has none (the window then asks for one). */
    public boolean save() {
        Document d = state.documentProperty().get();
        if (d == null || d.file() == null) {
            return false;
        }
        return saveAs(d.file());
    }

    public boolean saveAs(Path target) {
        Document d = state.documentProperty().get();
        if (d == null) {
            return false;
        }
        try {
            d.saveAs(target);
            deleteRecovery(d.id());
            workspace.addRecent(target);
            recent.setAll(workspace.recent());
            state.info("Saved " + target.getFileName());
            refreshTitle();
            return true;
        } catch (IOException | RuntimeException e) {
            state.error("Could not save " + target + ": " + ErrorText.of(e) + " (the file on disk is unchanged)");
            return false;
        }
    }

    /** The window closes normally: the recovery copy is no longer needed. */
    public void closed() {
        if (state.documentProperty().get() != null) {
            deleteRecovery(state.documentProperty().get().id());
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
            openDocument(Document.recovered(LayoutViewModel.placed(s), origin, onDisk == null ? null : LayoutViewModel.placed(onDisk)), List.of(), "recovery");
            Files.deleteIfExists(r.file()); // the document has a copy of its own now, under its id
            state.info(!isDirty() ? "The recovery copy of " + origin + " holds what the file holds: nothing was lost"
                    : origin == null ? "Recovered an unsaved document; save it to keep it"
                    : "Recovered the unsaved changes of " + origin + ": Save writes them to it"
                    + (onDisk != null ? ", Undo recovery goes back to the file" : ""));
        } catch (LoadException | IOException e) {
            state.error("The recovery copy " + r.file() + " could not be read: " + ErrorText.of(e));
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
            state.error("The genotype does not parse: " + ErrorText.of(e));
            return false;
        }
    }

    /**
     * An architecture description (NNI dict, genotype, ModularNAS arch_desc, NB201 string, our YAML) read
     * against the open space: the network it picks opens as a new document with no choices left.
     */
    public boolean importArchitecture(String text, String source) {
        return importArchitecture(text, source, state.space());
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
            state.error("Could not import " + source + ": " + ErrorText.of(e));
            return false;
        }
    }

    public boolean exportSpace(Path target) {
        try {
            SpaceFiles.writeAtomically(target, SpaceYaml.write(state.space()));
            state.info("Exported the space to " + target.getFileName());
            return true;
        } catch (IOException | RuntimeException e) {
            state.error("Could not export to " + target + ": " + ErrorText.of(e));
            return false;
        }
    }

    /** The architecture the document was imported with, in another format. */
    public boolean exportArchitecture(ArchFormat f, Path target) {
        Document d = state.documentProperty().get();
        if (d == null || d.architecture() == null) {
            state.error("This document has no architecture to export: import one (File > Import) or run a search");
            return false;
        }
        try {
            SpaceFiles.writeAtomically(target, ArchFormats.write(f, d.architectureSpace(), d.architecture()));
            state.info("Exported the architecture as " + f.id + " to " + target.getFileName());
            return true;
        } catch (LoadException | IOException | RuntimeException e) {
            state.error("Could not export as " + f.id + ": " + ErrorText.of(e));
            return false;
        }
    }

    private void refreshTitle() {
        Document d = state.documentProperty().get();
        if (d == null) {
            title.set("Cellforge");
            return;
        }
        title.set((d.isDirty() ? "*" : "") + d.displayName() + (d.isRecovered() ? " (recovered)" : "")
                + (d.file() != null ? "  [" + d.file().toAbsolutePath().getParent() + "]" : "") + " - Cellforge");
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
        state.lane().submit(() -> {
            try {
                String yaml = SpaceYaml.write(s);
                synchronized (recoveryLock) {
                    if (version == recoveryVersion) {
                        workspace.writeRecovery(d.id(), origin, yaml);
                    }
                }
            } catch (IOException | RuntimeException e) {
                Platform.runLater(() -> state.error("Could not write the recovery copy: " + ErrorText.of(e)));
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

}

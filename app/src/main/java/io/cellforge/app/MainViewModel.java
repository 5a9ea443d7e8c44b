package io.cellforge.app;

import io.cellforge.analysis.Problem;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.analysis.Validator;
import io.cellforge.app.diagram.Diagram;
import io.cellforge.app.diagram.DiagramLayout;
import io.cellforge.io.Imported;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import javafx.application.Platform;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the window shows: the open space, the view chosen in the outline (a cell or the network), its diagram,
 * the problems and the status line. Loading, validation and counting run off the JavaFX thread.
 */
public final class MainViewModel {
    public static final String NETWORK = "Network";

    private final ObjectProperty<SearchSpace> space = new SimpleObjectProperty<>();
    private final ObjectProperty<Diagram> diagram = new SimpleObjectProperty<>();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("Cellforge");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper selected = new ReadOnlyStringWrapper("");
    private final ObservableList<String> outline = FXCollections.observableArrayList();
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cellforge-worker");
        t.setDaemon(true);
        return t;
    });
    /** Newer requests win: results of an older load are dropped. */
    private final AtomicLong generation = new AtomicLong();

    public ReadOnlyObjectProperty<SearchSpace> spaceProperty() {
        return space;
    }

    public ReadOnlyObjectProperty<Diagram> diagramProperty() {
        return diagram;
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty selectedProperty() {
        return selected.getReadOnlyProperty();
    }

    public ObservableList<String> outline() {
        return outline;
    }

    public ObservableList<Problem> problems() {
        return problems;
    }

    public void openZoo(String name) {
        Zoo.get(name).ifPresentOrElse(s -> show(s, "zoo: " + name, List.of()),
                () -> problems.setAll(Problem.error("zoo", "no zoo space named '" + name + "'")));
    }

    public void openFile(Path file) {
        long gen = generation.incrementAndGet();
        status.set("Opening " + file + " ...");
        worker.submit(() -> {
            try {
                Imported im = SpaceFiles.readSpace(file);
                Platform.runLater(() -> {
                    if (generation.get() == gen) {
                        show(im.space(), file.toString(), new ArrayList<>(im.notMapped()));
                    }
                });
            } catch (LoadException | RuntimeException e) {
                String message = e instanceof LoadException ? e.getMessage() : file + ": could not be read (" + e + ")";
                Platform.runLater(() -> {
                    if (generation.get() == gen) {
                        problems.setAll(Problem.error("", message));
                        status.set("Could not open " + file.getFileName() + ": see the problems below");
                    }
                });
            }
        });
    }

    private void show(SearchSpace s, String source, List<Problem> notes) {
        long gen = generation.incrementAndGet();
        space.set(s);
        title.set("Cellforge - " + s.name() + "  [" + source + "]");
        List<String> items = new ArrayList<>();
        items.add(NETWORK);
        items.addAll(s.cells().keySet());
        outline.setAll(items);
        select(s.cells().isEmpty() ? NETWORK : s.cells().keySet().iterator().next());
        problems.setAll(notes);
        status.set(s.name() + ": counting ...");
        worker.submit(() -> {
            List<Problem> found;
            String summary;
            try {
                found = Validator.validate(s);
                summary = summary(s);
            } catch (RuntimeException e) {
                found = List.of(Problem.error("", "internal error while checking the space: " + e));
                summary = s.name() + ": could not be checked";
            }
            List<Problem> checked = found;
            String line = summary;
            Platform.runLater(() -> {
                if (generation.get() == gen) {
                    List<Problem> all = new ArrayList<>(notes);
                    all.addAll(checked);
                    problems.setAll(all);
                    status.set(line);
                }
            });
        });
    }

    /** Shows a cell of the open space, or the network stack. */
    public void select(String view) {
        SearchSpace s = space.get();
        if (s == null || view == null) {
            return;
        }
        selected.set(view);
        if (NETWORK.equals(view) || !s.cells().containsKey(view)) {
            diagram.set(DiagramLayout.network(s.network()));
        } else {
            diagram.set(DiagramLayout.cell(s.cells().get(view)));
        }
    }

    static String summary(SearchSpace s) {
        try {
            if (s.isFixed()) {
                var st = io.cellforge.analysis.Evaluator.evaluate(s, io.cellforge.arch.Architecture.empty());
                return st.ok() ? String.format("%s: fixed network, %,d parameters, %,d multiply-adds", s.name(), st.params(), st.macs())
                        : s.name() + ": the network has problems";
            }
            SpaceStats st = SpaceStats.of(s);
            return String.format("%s: %s architectures   parameters %,d .. %,d   multiply-adds %,d .. %,d", s.name(),
                    count(st.architectures()), st.minParams().value(), st.maxParams().value(), st.minMacs().value(),
                    st.maxMacs().value());
        } catch (RuntimeException e) {
            return s.name() + ": could not count (" + e.getMessage() + ")";
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

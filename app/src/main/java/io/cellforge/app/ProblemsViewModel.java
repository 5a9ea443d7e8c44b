package io.cellforge.app;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.space.Cell;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.Place;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What is wrong with the open space and what it counts: its problems (each with the place it names, clicked
 * to reveal it), the status line's figures and the progress while a file is read or the space checked. The
 * check and the count run off the JavaFX thread after every change; an older check's result is dropped.
 */
public final class ProblemsViewModel {
    private final DocumentState state;
    private final ObservableList<Problem> problems = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(0);
    private final AtomicLong checks = new AtomicLong();

    ProblemsViewModel(DocumentState state) {
        this.state = state;
        state.onChange(() -> check(state.space()));
    }

    public ObservableList<Problem> list() {
        return problems;
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** -1 (under way, no fraction known) while a file is read or the space checked and counted; 0 when idle. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** A file is being read. */
    void opening(String what) {
        status.set("Opening " + what + " ...");
        progress.set(-1);
    }

    /** The file could not be read: the open document stays, the reason is the one problem listed. */
    void couldNotOpen(String file, String reason) {
        problems.setAll(Problem.error(Place.NONE, reason));
        progress.set(0);
        status.set("Could not open " + file + ": see the problems below");
    }

    /**
     * Clicking a problem: shows its cell and selects its node or edge; a stage shows the network; a key shows the
     * first choice that has it.
     */
    public void reveal(Problem p) {
        SearchSpace s = state.space();
        if (s == null) {
            return;
        }
        Place at = p.at().revealed();
        if (at instanceof Place.Key k) {
            at = placeOf(s, k.key());
        }
        if (at instanceof Place.CellNode n && s.cells().containsKey(n.cell())) {
            state.select(n.cell());
            state.setSelection(Selection.node(n.node()));
        } else if (at instanceof Place.CellEdge e && s.cells().containsKey(e.cell())) {
            state.select(e.cell());
            state.setSelection(Selection.edge(e.from(), e.to()));
        } else if (at instanceof Place.InCell c && s.cells().containsKey(c.cell())) {
            state.select(c.cell());
        } else if (at instanceof Place.Stage) {
            state.select(DocumentState.NETWORK);
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

    private void check(SearchSpace s) {
        long gen = checks.incrementAndGet();
        progress.set(-1);
        List<Problem> notes = state.notes();
        state.lane().submit(() -> {
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
                        + dynamic(st, true) : s.name() + ": the network has problems";
            }
            SpaceStats st = SpaceStats.of(s);
            if (st.minParams().value() < 0 || st.maxParams().value() < 0 || st.minMacs().value() < 0 || st.maxMacs().value() < 0) {
                return brokenSummary(s); // no architecture builds: there are no figures to show
            }
            return String.format("%s: %s architectures   parameters %,d .. %,d   multiply-adds %,d .. %,d", s.name(),
                    count(st.architectures()), st.minParams().value(), st.maxParams().value(), st.minMacs().value(),
                    st.maxMacs().value()) + (s.network().context().present() ? dynamic(Evaluator.supernet(s), false) : "");
        } catch (RuntimeException e) {
            return s.name() + ": could not count (" + ErrorText.of(e) + ")";
        }
    }

    /**
     * The weight generators' parameters and those of the dynamic convolutions' heads on them: in a fixed network the
     * chosen ones' together, in a space each candidate's (a LayerChoice's op summed over the places it stands, as
     * {@code stats} lists them) as a range over the candidates; the network view's generator gives each with its
     * multiply-adds. Empty without a generator.
     */
    static String dynamic(NetworkStats st, boolean fixed) {
        List<NetworkStats.Part> generators = st.parts().stream().filter(p -> p.kind().equals(NetworkViewModel.GENERATOR_KIND)).toList();
        if (generators.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("   generator").append(generators.size() > 1 ? "s" : "");
        for (int i = 0; i < generators.size(); i++) {
            NetworkStats.Part g = generators.get(i);
            b.append(i == 0 ? " " : ", ").append(g.name().substring("generator ".length())).append(String.format(" %,d", g.params()));
        }
        b.append(" params");
        Map<List<String>, long[]> candidates = NetworkViewModel.dynamicCandidates(st);
        if (candidates.isEmpty()) {
            return b.toString();
        }
        var params = candidates.values().stream().mapToLong(c -> c[0]).summaryStatistics();
        var macs = candidates.values().stream().mapToLong(c -> c[1]).summaryStatistics();
        return b.append("   heads ").append(fixed ? String.format("%,d params, %,d mult-adds", params.getSum(), macs.getSum())
                : range(params.getMin(), params.getMax()) + " params, " + range(macs.getMin(), macs.getMax()) + " mult-adds")
                .toString();
    }

    /** A compact range (the status bar is short of room): {@code 4,624–19,584}. */
    private static String range(long a, long b) {
        return a == b ? String.format("%,d", a) : String.format("%,d\u2013%,d", a, b);
    }

    static String count(BigInteger b) {
        if (b.bitLength() < 40) {
            return String.format("%,d", b);
        }
        String d = b.toString();
        return d.charAt(0) + "." + d.substring(1, 4) + "e" + (d.length() - 1);
    }
}

package io.cellforge.app;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.analysis.SpaceStats;
import io.cellforge.app.diagram.NetworkLayout;
import io.cellforge.app.diagram.WeightFeeds;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.edit.SpaceEdits;
import io.cellforge.ops.Shape;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Role;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.ValueChoice;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The network view's state and actions: which boxes of the stack (input, stem, stages, head) are selected, the
 * figures of each (shapes, parameters, multiply-adds, measured off the JavaFX thread by the evaluator), and the edits
 * of a stage, each one undoable step through the designer.
 */
public final class NetworkViewModel {
    /** The boxes of the stack that are not stages. */
    public static final String INPUT = "input";
    public static final String STEM = "stem";
    public static final String HEAD = "head";
    /** The kind of the evaluator's part for a weight generator (named "generator NAME"). */
    static final String GENERATOR_KIND = "weight generator";

    /** What one candidate of a stage costs there (a fixed op is its only candidate); null counts where it does not build. */
    public record Cost(String op, Shape in, Shape out, Long params, Long macs) {
    }

    /**
     * The figures of one box: its candidates' costs (one for a fixed op, the stem, the head and a cell) and a note
     * saying what the figures assume, empty when they hold for every architecture.
     */
    public record Figures(String id, List<Cost> costs, String note) {
        public Figures {
            costs = List.copyOf(costs);
        }
    }

    private final DocumentState state;
    private final EditViewModel edits;
    private final ReadOnlyObjectWrapper<Set<String>> selection = new ReadOnlyObjectWrapper<>(Set.of());
    private final ReadOnlyObjectWrapper<Map<String, Figures>> figures = new ReadOnlyObjectWrapper<>(Map.of());
    /** The figures are measured on a lane of their own: a long walk does not hold up the checks of an edit. */
    private final Tasks.Lane lane = new Tasks.Lane();
    /** Newer spaces win: figures of an older one are dropped. */
    private final AtomicLong generation = new AtomicLong();

    NetworkViewModel(DocumentState state, EditViewModel edits) {
        this.state = state;
        this.edits = edits;
        state.spaceProperty().addListener((o, a, s) -> changed(a, s));
        state.documentProperty().addListener((o, a, d) -> clearSelection());
    }

    // ---- selection ----------------------------------------------------------------------------------------

    /** The selected boxes by id (a stage's name, or input, stem, head), in the order picked. */
    public ReadOnlyObjectProperty<Set<String>> selectionProperty() {
        return selection.getReadOnlyProperty();
    }

    /** A click selects the box alone; Shift+click adds it, or takes it out when it was selected. */
    public void pick(String id, boolean add) {
        Set<String> s = new LinkedHashSet<>(add ? selection.get() : Set.of());
        if (!add || !s.remove(id)) {
            s.add(id);
        }
        selection.set(java.util.Collections.unmodifiableSet(s));
    }

    public void clearSelection() {
        selection.set(Set.of());
    }

    /** The one selected stage, if exactly one stage is selected. */
    public Optional<Stage> selectedStage() {
        SearchSpace s = state.space();
        if (s == null || selection.get().size() != 1) {
            return Optional.empty();
        }
        return stage(s, selection.get().iterator().next());
    }

    private static Optional<Stage> stage(SearchSpace s, String name) {
        return s.network().stages().stream().filter(st -> name.equals(st.name())).findFirst();
    }

    private void changed(SearchSpace before, SearchSpace s) {
        if (s == null) {
            selection.set(Set.of());
            figures.set(Map.of());
            return;
        }
        if (before == null || before.network() != s.network()) {
            Set<String> ids = ids(s.network());
            Set<String> kept = new LinkedHashSet<>(selection.get());
            kept.retainAll(ids);
            if (!kept.equals(selection.get())) {
                selection.set(java.util.Collections.unmodifiableSet(kept));
            }
        }
        long gen = generation.incrementAndGet();
        lane.submit(() -> {
            if (generation.get() != gen) {
                return; // a newer space will be measured instead
            }
            Map<String, Figures> f;
            try {
                f = measure(s);
            } catch (RuntimeException e) {
                f = new LinkedHashMap<>();
                for (String id : ids(s.network())) {
                    f.put(id, new Figures(id, List.of(new Cost(id, null, null, null, null)),
                            "the network could not be measured: " + ErrorText.of(e)));
                }
            }
            Map<String, Figures> measured = f;
            Platform.runLater(() -> {
                if (generation.get() == gen) {
                    figures.set(measured);
                }
            });
        });
    }

    private static Set<String> ids(Network n) {
        Set<String> ids = new LinkedHashSet<>(List.of(INPUT, STEM, HEAD));
        n.stages().forEach(st -> ids.add(st.name()));
        if (n.context().present()) {
            ids.add(NetworkLayout.CONTEXT);
            n.context().generators().forEach((g, layers) -> {
                for (int i = 0; i < layers.size(); i++) {
                    ids.add(NetworkLayout.generatorLayer(g, i));
                }
            });
        }
        return ids;
    }

    // ---- figures ------------------------------------------------------------------------------------------

    /** The figures of every box, by id; empty until the open space has been measured. */
    public ReadOnlyObjectProperty<Map<String, Figures>> figuresProperty() {
        return figures.getReadOnlyProperty();
    }

    /** Waits until the figures of the spaces seen so far are measured (for tests). */
    void drain() throws Exception {
        lane.drain();
    }

    /**
     * Measures every box: one walk with every key at its first option, and for each stage's LayerChoice one walk per
     * candidate with only that key changed (a candidate that does not build then leaves no gap elsewhere). The
     * stage's input is the same in each walk unless a shape-changing choice (a ValueChoice or an InputChoice)
     * precedes it, which the note then says.
     */
    static Map<String, Figures> measure(SearchSpace s) {
        Network net = s.network();
        Architecture first = SpaceStats.first(s);
        Map<String, NetworkStats.Part> base = parts(net, Evaluator.evaluate(s, first));
        Map<List<String>, Map<String, NetworkStats.Part>> walks = new java.util.HashMap<>();
        java.util.function.BiFunction<String, String, Map<String, NetworkStats.Part>> walk = (key, label) ->
                walks.computeIfAbsent(List.of(key, label), k -> parts(net, Evaluator.evaluate(s, first.with(key, new Decision.Op(label)))));
        boolean shapeChoices = s.mutables().stream().anyMatch(m -> m instanceof ValueChoice || m instanceof InputChoice);
        String assumed = shapeChoices ? "with the ValueChoices and InputChoices at their first options" : "";
        boolean cellChoices = s.cells().values().stream().anyMatch(c -> !c.mutables().isEmpty());
        Map<String, Figures> out = new LinkedHashMap<>();
        Shape in = net.input();
        out.put(INPUT, new Figures(INPUT, List.of(new Cost("image", in, in, 0L, 0L)), ""));
        out.put(STEM, fixed(STEM, "stem", base.get(STEM), ""));
        for (Stage st : net.stages()) {
            String name = st.name();
            if (st.op() instanceof LayerChoice lc) {
                List<Cost> costs = new ArrayList<>();
                for (int i = 0; i < lc.candidates().size(); i++) {
                    NetworkStats.Part p = walk.apply(lc.key(), lc.labels().get(i)).get(name);
                    costs.add(p == null ? new Cost(lc.labels().get(i), null, null, null, null)
                            : new Cost(lc.labels().get(i), p.in(), p.out(), p.params(), p.macs()));
                }
                out.put(name, new Figures(name, costs, costs.stream().allMatch(c -> c.params() == null) ? UNBUILT : assumed));
            } else {
                String what = st.kind() == StageKind.CELL ? "cell " + st.cell() : st.op() instanceof OpCall c ? c.label() : "no op";
                String note = st.kind() == StageKind.CELL && cellChoices ? "with the cell's choices at their first options" : assumed;
                out.put(name, fixed(name, what, base.get(name), note));
            }
        }
        out.put(HEAD, fixed(HEAD, "head", base.get(HEAD), assumed));
        if (net.context().present()) {
            Shape cx = new Shape(net.context().features(), 1, 1);
            out.put(NetworkLayout.CONTEXT, new Figures(NetworkLayout.CONTEXT, List.of(new Cost("context", cx, cx, 0L, 0L)), ""));
            // A generator is built where an op takes kernels from it: the supernet, where every candidate does.
            NetworkStats sup = Evaluator.supernet(s);
            Map<String, NetworkStats.Part> built = new LinkedHashMap<>();
            sup.parts().stream().filter(p -> p.kind().equals(GENERATOR_KIND)).forEach(p -> built.put(p.name(), p));
            for (String g : net.context().generators().keySet()) {
                NetworkStats.Part p = built.get("generator " + g);
                if (p == null) {
                    out.put(generatorId(g), new Figures(generatorId(g), List.of(new Cost("generator " + g, null, null, null, null)),
                            "no figures: no op takes its kernels from it, or it does not build (see Problems)"));
                    continue;
                }
                List<Cost> costs = new ArrayList<>(List.of(new Cost("generator " + g, p.in(), p.out(), p.params(), p.macs())));
                // Each dynamic candidate's heads on it, when it is the only generator the ops can take kernels from.
                if (built.size() == 1) {
                    dynamicCandidates(sup).forEach((k, c) -> costs.add(new Cost(k.get(0) + " " + k.get(1), p.out(), null, c[0], c[1])));
                }
                out.put(generatorId(g), new Figures(generatorId(g), costs, ""));
            }
        }
        return out;
    }

    /**
     * Each dynamic op of a walk by its LayerChoice key (or its place, for a fixed op) and name, with the parameters of
     * its generator heads and the multiply-adds of its convolutions and heads summed over the places it stands, as
     * {@code stats} lists them.
     */
    static Map<List<String>, long[]> dynamicCandidates(NetworkStats st) {
        Map<List<String>, long[]> out = new LinkedHashMap<>();
        for (NetworkStats.Dynamic d : st.dynamic()) {
            long[] c = out.computeIfAbsent(List.of(d.key() == null ? d.place() : d.key(), d.op()), k -> new long[2]);
            c[0] += d.headParams();
            c[1] += d.macs();
        }
        return out;
    }

    /** The figures of a weight generator, whichever of its layers' boxes is asked about. */
    private static String generatorId(String generator) {
        return "generator " + generator;
    }

    private static final String UNBUILT = "no figures: the network does not build up to here (see Problems)";

    private static Figures fixed(String id, String what, NetworkStats.Part p, String note) {
        return p == null ? new Figures(id, List.of(new Cost(what, null, null, null, null)), UNBUILT)
                : new Figures(id, List.of(new Cost(what, p.in(), p.out(), p.params(), p.macs())), note);
    }

    /** The parts of one walk by box id, a repeated stage's copies summed (its input the first's, its output the last's). */
    private static Map<String, NetworkStats.Part> parts(Network net, NetworkStats st) {
        Map<String, NetworkStats.Part> out = new LinkedHashMap<>();
        List<NetworkStats.Part> parts = st.parts();
        int k = 0;
        if (k < parts.size() && parts.get(k).name().equals("stem")) {
            out.put(STEM, parts.get(k++));
        }
        for (int si = 0; si < net.stages().size(); si++) {
            String name = net.stages().get(si).name() == null ? "stage " + si : net.stages().get(si).name();
            NetworkStats.Part sum = null;
            while (k < parts.size() && (parts.get(k).name().equals(name) || parts.get(k).name().startsWith(name + "#"))) {
                NetworkStats.Part p = parts.get(k++);
                sum = sum == null ? p : new NetworkStats.Part(name, p.kind(), sum.in(), p.out(), sum.params() + p.params(),
                        sum.macs() + p.macs());
            }
            if (sum == null) {
                break; // the walk stopped here: this stage and the rest have no figures
            }
            out.put(net.stages().get(si).name(), sum);
            if (k < parts.size() && parts.get(k).name().equals("auxiliary")) {
                k++;
            }
        }
        if (!parts.isEmpty() && parts.get(parts.size() - 1).name().equals("head") && out.size() == net.stages().size() + 1) {
            out.put(HEAD, parts.get(parts.size() - 1));
        }
        return out;
    }

    /** What a box's tooltip says: its op or candidates, shapes, settings, and counts, as Netron lists a node. */
    public String describe(String id) {
        SearchSpace s = state.space();
        if (s == null) {
            return "";
        }
        String generator = NetworkLayout.generatorOf(id);
        if (generator != null) {
            return describeGenerator(s, generator);
        }
        Figures f = figures.get().get(id);
        Optional<Stage> st = stage(s, id);
        StringBuilder b = new StringBuilder();
        if (id.equals(NetworkLayout.CONTEXT) && s.network().context().present()) {
            Network.Context cx = s.network().context();
            return "context: " + cx.features() + " values per sample, beside the image\n"
                    + (cx.generators().isEmpty() ? "read by no weight generator"
                    : "read by " + String.join(", ", cx.generators().keySet().stream().map(NetworkViewModel::generatorId).toList()));
        }
        if (st.isPresent()) {
            Stage x = st.get();
            if (x.kind() == StageKind.CELL) {
                b.append(id).append(": cell ").append(x.cell()).append(" (").append(x.role().yamlName()).append(")\n");
            } else if (x.op() instanceof LayerChoice lc) {
                b.append(id).append(": LayerChoice ").append(lc.key()).append(", ").append(lc.candidates().size()).append(" candidates\n");
            } else {
                b.append(id).append(": ").append(x.op() == null ? "no op" : ((OpCall) x.op()).label()).append('\n');
            }
        } else {
            b.append(id).append('\n');
        }
        if (f == null) {
            return b.append("counting...").toString();
        }
        Cost c0 = f.costs().get(0);
        b.append("input   ").append(shape(c0.in())).append('\n');
        b.append("output  ").append(shape(c0.out())).append('\n');
        if (st.isPresent()) {
            Stage x = st.get();
            b.append("channels ").append(c0.out() == null ? param(x.channels(), "running width") : c0.out().channels())
                    .append("   stride ").append(param(x.stride(), "1"))
                    .append("   repeat ").append(param(x.repeat(), "1")).append('\n');
            if (x.kind() == StageKind.BLOCK) {
                b.append("residual ").append(residual(x, c0)).append('\n');
            }
        }
        if (f.costs().size() == 1) {
            b.append("parameters     ").append(count(c0.params())).append('\n');
            b.append("multiply-adds  ").append(count(c0.macs()));
        } else {
            int w = f.costs().stream().mapToInt(c -> c.op().length()).max().orElse(0);
            b.append(String.format(Locale.ROOT, "%-" + w + "s  %12s  %15s%n", "candidate", "parameters", "multiply-adds"));
            for (Cost c : f.costs()) {
                b.append(String.format(Locale.ROOT, "%-" + w + "s  %12s  %15s%n", c.op(), count(c.params()), count(c.macs())));
            }
            range(f).ifPresent(r -> b.append(r));
        }
        if (!f.note().isEmpty()) {
            b.append("\n(").append(f.note()).append(')');
        }
        return b.toString().stripTrailing();
    }

    /** A generator's layers, shapes and counts, and the boxes whose dynamic convolutions take kernels from it. */
    private String describeGenerator(SearchSpace s, String g) {
        StringBuilder b = new StringBuilder(generatorId(g)).append(": ");
        List<OpCall> layers = s.network().context().generators().getOrDefault(g, List.of());
        b.append(String.join(", ", layers.stream().map(OpCall::label).toList())).append('\n');
        Figures f = figures.get().get(generatorId(g));
        if (f == null) {
            return b.append("counting...").toString();
        }
        Cost c = f.costs().get(0);
        b.append("input   ").append(c.in() == null ? "-" : c.in().channels() + " context values").append('\n');
        b.append("output  ").append(c.out() == null ? "-" : c.out().size() + " values, read by the heads").append('\n');
        b.append("parameters     ").append(count(c.params())).append('\n');
        b.append("multiply-adds  ").append(count(c.macs()));
        List<String> fed = WeightFeeds.ofNetwork(s).entrySet().stream().filter(e -> e.getValue().contains(g)).map(Map.Entry::getKey).toList();
        if (!fed.isEmpty()) {
            b.append("\nkernels of   ").append(String.join(", ", fed));
        }
        List<Cost> heads = f.costs().subList(1, f.costs().size());
        if (!heads.isEmpty()) {
            int w = Math.max("dynamic heads".length(), heads.stream().mapToInt(h -> h.op().length()).max().orElse(0));
            // Narrow columns: the inspector shows this too, and is about 45 letters wide.
            b.append(String.format(Locale.ROOT, "%n%-" + w + "s %7s %9s", "dynamic heads", "params", "mult-adds"));
            for (Cost h : heads) {
                b.append(String.format(Locale.ROOT, "%n%-" + w + "s %7s %9s", h.op(), count(h.params()), count(h.macs())));
            }
        }
        if (!f.note().isEmpty()) {
            b.append("\n(").append(f.note()).append(')');
        }
        return b.toString();
    }

    /** "parameters a .. b, multiply-adds c .. d" over the candidates that build. */
    private static Optional<String> range(Figures f) {
        List<Cost> ok = f.costs().stream().filter(c -> c.params() != null).toList();
        if (ok.isEmpty()) {
            return Optional.empty();
        }
        long p0 = ok.stream().mapToLong(Cost::params).min().orElseThrow();
        long p1 = ok.stream().mapToLong(Cost::params).max().orElseThrow();
        long m0 = ok.stream().mapToLong(Cost::macs).min().orElseThrow();
        long m1 = ok.stream().mapToLong(Cost::macs).max().orElseThrow();
        return Optional.of(String.format(Locale.ROOT, "parameters %,d .. %,d%nmultiply-adds %,d .. %,d", p0, p1, m0, m1));
    }

    private static String residual(Stage x, Cost c) {
        if (!x.residual()) {
            return "no";
        }
        if (c.in() == null || c.out() == null) {
            return "yes (where the shapes agree)";
        }
        boolean first = c.in().equals(c.out());
        boolean copies = x.repeat() != null && (x.repeat().isRef() || x.repeat().value() > 1);
        if (first) {
            return "yes: identity shortcut";
        }
        String changes = c.in().channels() != c.out().channels() ? "width" : "size";
        return copies ? "yes on the copies after the first (the first changes " + changes + ")"
                : "set, but no shortcut: the block changes " + changes;
    }

    private static String shape(Shape s) {
        return s == null ? "-" : s.channels() + "×" + s.height() + "×" + s.width();
    }

    private static String count(Long n) {
        return n == null ? "-" : String.format(Locale.ROOT, "%,d", n);
    }

    private static String param(Param p, String dflt) {
        return p == null ? dflt : p.toString();
    }

    // ---- edits --------------------------------------------------------------------------------------------

    /** Gives a block stage a fixed op. */
    public boolean setOp(String stage, String op) {
        return block(stage, st -> new OpCall(op, Map.of()));
    }

    /** Gives a block stage a LayerChoice of these candidates under a key. */
    public boolean setCandidates(String stage, String key, List<String> candidates) {
        return block(stage, st -> LayerChoice.of(key, candidates));
    }

    public boolean setChannels(String stage, Param channels) {
        return edit(stage, st -> SpaceEdits.setStage(stage, st.op(), channels, st.stride(), st.repeat(), st.residual()));
    }

    public boolean setStride(String stage, Param stride) {
        return edit(stage, st -> SpaceEdits.setStage(stage, st.op(), st.channels(), stride, st.repeat(), st.residual()));
    }

    public boolean setRepeat(String stage, Param repeat) {
        return edit(stage, st -> SpaceEdits.setStage(stage, st.op(), st.channels(), st.stride(), repeat, st.residual()));
    }

    public boolean setResidual(String stage, boolean residual) {
        return edit(stage, st -> SpaceEdits.setStage(stage, st.op(), st.channels(), st.stride(), st.repeat(), residual));
    }

    /** Which cell a cell stage instantiates, and its role. */
    public boolean setCell(String stage, String cell, Role role) {
        return edit(stage, st -> SpaceEdits.setCellStage(stage, cell, role));
    }

    private boolean block(String stage, java.util.function.Function<Stage, EdgeOp> op) {
        return edit(stage, st -> SpaceEdits.setStage(stage, op.apply(st), st.channels(), st.stride(), st.repeat(), st.residual()));
    }

    private boolean edit(String stage, java.util.function.Function<Stage, io.cellforge.edit.Edit> make) {
        SearchSpace s = state.space();
        if (s == null) {
            return false;
        }
        Optional<Stage> st = stage(s, stage);
        if (st.isEmpty()) {
            state.error("The network has no stage named '" + stage + "'");
            return false;
        }
        return edits.apply(make.apply(st.get()));
    }
}

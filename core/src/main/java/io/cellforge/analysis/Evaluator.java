package io.cellforge.analysis;

import io.cellforge.space.Place;

import io.cellforge.space.Problem;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.ops.Layer;
import io.cellforge.ops.OpArgs;
import io.cellforge.ops.OpCatalog;
import io.cellforge.ops.OpDef;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.plan.PlanException;
import io.cellforge.ops.ShapeException;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.EdgeOp;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.Node;
import io.cellforge.space.NodeKind;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.StageKind;
import io.cellforge.space.UserOp;
import io.cellforge.space.ValueChoice;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Instantiates a network from a space and decisions, and follows the shapes through it, counting parameters
 * and multiply-adds. In {@link Mode#SUPERNET} every candidate is built and every candidate input is active
 * (what a one-shot supernet holds); in {@link Mode#FIXED} only what the architecture chose. Problems are
 * collected, never thrown.
 *
 * <p>ValueChoices in a supernet are separate candidates: an op whose parameters refer to one ValueChoice becomes
 * a mixed op keyed by it, one copy of the op (with its own weights) per value; copies with fewer output channels
 * are padded with zero channels to the widest. Where that cannot be done the supernet holds the largest value
 * only: values that change the spatial size (a stride), stage settings (repeat, widen, channels, stride), the
 * candidates of a LayerChoice, and ops referring to two ValueChoices.
 */
public final class Evaluator {

    public enum Mode { FIXED, SUPERNET }

    private static final int MAX_REPEAT = 1000;
    private static final int MAX_CHANNELS = 1 << 20;
    private static final Set<String> BUILTIN_REFS = Set.of("stride", "C_in", "C_out", "C");

    private final SearchSpace space;
    private final Architecture arch;
    private final Mode mode;
    private final OpCatalog catalog;
    private final List<Problem> problems = new ArrayList<>();
    /** The pool candidates DARTS's search cells follow with an affine-free BatchNorm. */
    private static final Set<String> DARTS_POOLS = Set.of("max_pool_3x3", "avg_pool_3x3");
    /** The preprocessing of the cell being built: a DARTS cell's supernet is DARTS's MixedOp. */
    private Preprocess cellPreprocess;
    private final Set<String> reported = new HashSet<>();
    private final Deque<OpArgs> userOpContext = new ArrayDeque<>();
    private int userOpDepth;
    private long params;
    private long macs;
    /** Dataflow emitted while walking: tensor ids with their shapes, and the steps computing them. */
    private final List<Plan.Step> steps = new ArrayList<>();
    /** SUPERNET: the value a ValueChoice takes while the copy of an op for that value is built. */
    private final Map<String, Double> pinned = new HashMap<>();
    private final Map<Integer, Shape> shapes = new HashMap<>();
    private final Map<String, List<String>> choices = new LinkedHashMap<>();
    private int nextId;
    /** The context vector's value (-1 without one) and, by name, each weight generator walked: its output and width. */
    private int contextId = -1;
    private final Map<String, Integer> generatorIds = new LinkedHashMap<>();
    private final Map<String, OpArgs.Generator> generators = new LinkedHashMap<>();
    private final List<NetworkStats.Dynamic> dynamic = new ArrayList<>();
    /** The generators the ops built so far named; and, when set, the only generators a walk builds. */
    private final Set<String> referenced = new HashSet<>();
    private Set<String> onlyGenerators;
    /** Whether steps and shapes are kept: only plans need them, and they grow with the network. */
    private boolean planning;
    /** A range walk ({@link #tabulate}): where the costs of the choices left open are written. */
    private SpaceStats.Tally tally;

    /** A tensor of the network being walked: its id in the plan and its shape. */
    private record T(int id, Shape shape) {
    }

    private T tensor(Shape s) {
        T t = new T(nextId++, s);
        if (planning) {
            shapes.put(t.id(), s);
        }
        return t;
    }

    private void step(Plan.Step s) {
        if (planning) {
            steps.add(s);
        }
    }

    private Evaluator(SearchSpace space, Architecture arch, Mode mode) {
        this.space = space;
        this.arch = arch;
        this.mode = mode;
        List<OpDef> user = new ArrayList<>();
        for (UserOp u : space.userOps().values()) {
            user.add(new OpDef(u.name(), OpCatalog.GROUP_USER, u.description(),
                    List.of(), a -> buildUserOp(u, a)));
        }
        this.catalog = OpCatalog.builtin().with(user);
    }

    public static NetworkStats evaluate(SearchSpace space, Architecture arch) {
        return fixed(space, arch, false).run();
    }

    public static NetworkStats supernet(SearchSpace space) {
        return new Evaluator(space, Architecture.empty(), Mode.SUPERNET).run();
    }

    /** The supernet as dataflow; throws with the first problem when the space has errors. */
    public static Plan supernetPlan(SearchSpace space) throws PlanException {
        return plan(new Evaluator(space, Architecture.empty(), Mode.SUPERNET));
    }

    /** The network one architecture chooses, as dataflow (for retraining). */
    public static Plan fixedPlan(SearchSpace space, Architecture arch) throws PlanException {
        return plan(fixed(space, arch, true));
    }

    /**
     * A walk of the network an architecture chooses, with exactly the weight generators its built ops name: the
     * chosen ops are known before the walk, but which of them a node's InputChoice keeps, or a depth skips, only
     * once walked, so a first walk finds them when the network has generators.
     */
    private static Evaluator fixed(SearchSpace space, Architecture arch, boolean planning) {
        Evaluator e = new Evaluator(space, arch, Mode.FIXED);
        if (space.network().context().generators().isEmpty()) {
            return e;
        }
        Evaluator first = new Evaluator(space, arch, Mode.FIXED);
        first.run();
        e.onlyGenerators = first.referenced;
        return e;
    }

    /**
     * A walk for {@link SpaceStats}: the architecture decides some keys; every LayerChoice it leaves open has each
     * candidate measured apart into the tally, and so has every incoming edge of a node whose InputChoice is in
     * {@code open} (the tally holds what each candidate adds; the totals returned hold the rest).
     */
    static NetworkStats tabulate(SearchSpace space, Architecture decided, SpaceStats.Tally tally) {
        Evaluator e = new Evaluator(space, decided, Mode.FIXED);
        e.tally = tally;
        return e.run();
    }

    private static Plan plan(Evaluator e) throws PlanException {
        e.planning = true;
        NetworkStats st = e.run();
        if (!st.ok()) {
            throw new PlanException(st.problems().stream().filter(Problem::isError).toList());
        }
        return new Plan(e.space.network().input(), e.space.network().classes(), e.steps, e.shapes, e.logits, e.auxLogits,
                e.choices, e.contextId, e.generatorIds);
    }

    private int logits = -1;
    private int auxLogits = -1;

    /** The catalog of a space: built-ins plus its user ops. */
    public static OpCatalog catalogOf(SearchSpace space) {
        return new Evaluator(space, Architecture.empty(), Mode.SUPERNET).catalog;
    }

    /** Thrown inside to abandon the part being evaluated once its problem is recorded. */
    private static final class Abandon extends RuntimeException {
        Abandon() {
            super(null, null, false, false);
        }
    }

    private Abandon fail(Place place, String message) {
        report(Problem.error(place, message));
        return new Abandon();
    }

    private void report(Problem p) {
        if (reported.add(p.place() + "|" + p.message())) {
            problems.add(p);
        }
    }

    // ---- the network -------------------------------------------------------------------------------------

    private NetworkStats run() {
        Network net = space.network();
        List<NetworkStats.Part> parts = new ArrayList<>();
        List<T> history = new ArrayList<>();
        T x = tensor(net.input());
        Shape result = null;
        long aux = 0;
        try {
            generators(net.context(), parts);
            long p0 = params;
            long m0 = macs;
            Shape stemIn = x.shape();
            T image = x;
            for (int i = 0; i < net.stem().size(); i++) {
                List<io.cellforge.space.OpCall> seq = net.stem().get(i);
                boolean fromInput = !seq.isEmpty() && seq.get(0).op().equals(Network.FROM_INPUT);
                T from = fromInput ? image : x;
                x = sequence(fromInput ? seq.subList(1, seq.size()) : seq, from, from.shape().channels(),
                        Place.named("stem" + (net.stem().size() > 1 ? " " + i : "")));
                history.add(x);
            }
            if (history.isEmpty()) {
                history.add(x);
            }
            parts.add(new NetworkStats.Part("stem", "stem", stemIn, x.shape(), params - p0, macs - m0));

            int base = net.channels();
            List<Stage> stages = net.stages();
            for (int si = 0; si < stages.size(); si++) {
                Stage st = stages.get(si);
                Place place = Place.stage(si, st.name() == null ? st.kind().name().toLowerCase() : st.name());
                int repeat = intOf(st.repeat(), 1, place.detail(", repeat"));
                if (repeat < 1 || repeat > MAX_REPEAT) {
                    throw fail(place, "repeat must be 1.." + MAX_REPEAT + ", got " + repeat);
                }
                int widen = intOf(st.widen(), st.role() == io.cellforge.space.Role.REDUCTION ? 2 : 1, place.detail(", widen"));
                if (widen < 1 || widen > 64) {
                    throw fail(place, "widen must be 1..64, got " + widen);
                }
                base = (int) Math.min((long) base * widen, Integer.MAX_VALUE);
                int c = st.channels() != null ? intOf(st.channels(), base, place.detail(", channels")) : base;
                if (c < 1 || c > MAX_CHANNELS) {
                    throw fail(place, "channels must be 1.." + MAX_CHANNELS + ", got " + c);
                }
                base = c;
                for (int r = 0; r < repeat; r++) {
                    long pb = params;
                    long mb = macs;
                    T in = history.get(history.size() - 1);
                    T out;
                    Place copyPlace = repeat > 1 ? place.detail(" copy " + r) : place;
                    if (st.kind() == StageKind.CELL) {
                        Cell cell = space.cells().get(st.cell());
                        if (cell == null) {
                            throw fail(place, "no cell named '" + st.cell() + "'");
                        }
                        T prev = history.size() > 1 ? history.get(history.size() - 2) : in;
                        out = cell(cell, cell.inputs().size() >= 2 ? List.of(prev, in) : List.of(in), c, copyPlace);
                    } else {
                        int stride = r == 0 ? intOf(st.stride(), 1, place.detail(", stride")) : 1;
                        if (stride < 1 || stride > 64) {
                            throw fail(place, "stride must be 1..64, got " + stride);
                        }
                        out = block(st, in, c, stride, copyPlace);
                    }
                    history.add(out);
                    String name = (st.name() == null ? "stage " + si : st.name()) + (repeat > 1 ? "#" + r : "");
                    parts.add(new NetworkStats.Part(name, st.kind() == StageKind.CELL ? "cell " + st.cell() : "block",
                            in.shape(), out.shape(), params - pb, macs - mb));
                }
                if (net.auxiliary() != null && net.auxiliary().after() == si) {
                    long pa = params;
                    long ma = macs;
                    T in = history.get(history.size() - 1);
                    Layer l = build(net.auxiliary().op(), in.shape().channels(), net.classes(), 1, Place.named("auxiliary head"));
                    T o = apply(l, in, Place.named("auxiliary head"), net.auxiliary().op().label());
                    auxLogits = o.id();
                    aux = params - pa;
                    params = pa;
                    parts.add(new NetworkStats.Part("auxiliary", "auxiliary head", in.shape(), o.shape(), aux, macs - ma));
                    macs = ma;
                }
            }
            if (net.auxiliary() != null && (net.auxiliary().after() < 0 || net.auxiliary().after() >= stages.size())) {
                report(Problem.error(Place.named("auxiliary head"), "attaches after stage " + net.auxiliary().after()
                        + " but the network has " + stages.size() + " stages"));
            }
            long ph = params;
            long mh = macs;
            T hin = history.get(history.size() - 1);
            x = sequence(net.head(), hin, net.classes(), Place.named("head"));
            logits = x.id();
            result = x.shape();
            parts.add(new NetworkStats.Part("head", "head", hin.shape(), x.shape(), params - ph, macs - mh));
            if (x.shape().size() != net.classes()) {
                report(Problem.error(Place.named("head"), "produces " + x.shape() + " but the network has " + net.classes() + " classes"));
            }
        } catch (Abandon a) {
            result = null;
        }
        return new NetworkStats(parts, params, macs, aux, result, problems, dynamic);
    }

    /**
     * The context vector and the weight generators the ops of this walk name (all of a supernet's, the chosen ones'
     * in a fixed network, so that a derived network without a dynamic convolution carries no generator and reads no
     * context), each a part of its own.
     */
    private void generators(Network.Context cx, List<NetworkStats.Part> parts) {
        Place at = Place.named("context");
        if (cx.features() < 0 || cx.features() > MAX_CHANNELS) {
            throw fail(at, "features must be 0.." + MAX_CHANNELS + ", got " + cx.features());
        }
        if (cx.features() == 0) {
            if (!cx.generators().isEmpty()) {
                throw fail(at, "declares weight generators but no features per sample for them to read");
            }
            return;
        }
        Set<String> used = onlyGenerators != null ? new HashSet<>(onlyGenerators) : usedGenerators(true);
        used.retainAll(cx.generators().keySet());
        for (var g : cx.generators().entrySet()) {
            // A generator that no op uses is not walked, but its ops must still exist.
            for (OpCall op : used.contains(g.getKey()) ? List.<OpCall>of() : g.getValue()) {
                if (catalog.find(op.op()).isEmpty()) {
                    throw fail(Place.named("generator " + g.getKey()), "unknown op '" + op.op() + "'"
                            + catalog.closest(op.op()).map(x -> " (did you mean '" + x + "'?)").orElse(""));
                }
            }
        }
        // A range walk counts apart the generators only its open LayerChoices' candidates use: they cost something
        // only in the architectures that choose a dynamic op there (SpaceStats adds them then).
        Set<String> always = tally == null ? used : usedGenerators(false);
        if (used.isEmpty()) {
            return; // a network reads the context only through a generator
        }
        T c = tensor(new Shape(cx.features(), 1, 1));
        contextId = c.id();
        for (var g : cx.generators().entrySet()) {
            Place place = Place.named("generator " + g.getKey());
            if (space.values().containsKey(g.getKey())) {
                throw fail(place, "shares its name with a ValueChoice: $" + g.getKey() + " must name one thing");
            }
            if (!used.contains(g.getKey())) {
                continue;
            }
            long p0 = params;
            long m0 = macs;
            T out = sequence(g.getValue(), c, cx.features(), place); // a 1x1 map: no op makes a map larger
            generatorIds.put(g.getKey(), out.id());
            generators.put(g.getKey(), new OpArgs.Generator(g.getKey(), (int) out.shape().size()));
            if (!always.contains(g.getKey())) {
                tally.generator(params - p0, macs - m0);
                params = p0;
                macs = m0;
            }
            parts.add(new NetworkStats.Part("generator " + g.getKey(), "weight generator", c.shape(), out.shape(),
                    params - p0, macs - m0));
        }
    }

    /**
     * The generators named by the ops this walk may build, user ops followed into; without {@code open}, those of a
     * range walk's open LayerChoices left out.
     */
    private Set<String> usedGenerators(boolean open) {
        Network n = space.network();
        Deque<OpCall> todo = new ArrayDeque<>();
        n.stem().forEach(todo::addAll);
        todo.addAll(n.head());
        if (n.auxiliary() != null) {
            todo.add(n.auxiliary().op());
        }
        n.stages().stream().filter(st -> st.op() != null).forEach(st -> todo.addAll(selected(st.op(), open)));
        space.cells().values().forEach(cell -> cell.edges().forEach(e -> todo.addAll(selected(e.op(), open))));
        Set<String> used = new HashSet<>();
        Set<String> seenUserOps = new HashSet<>();
        while (!todo.isEmpty()) {
            OpCall call = todo.poll();
            if (catalog.isDynamic(call.op())) {
                Param p = call.params().get("generator");
                String only = n.context().generators().size() == 1 ? n.context().generators().keySet().iterator().next() : null;
                String name = p == null ? only : p.ref();
                if (name != null) {
                    used.add(name);
                }
            } else if (space.userOps().containsKey(call.op()) && seenUserOps.add(call.op())) {
                todo.addAll(space.userOps().get(call.op()).layers());
            }
        }
        return used;
    }

    /**
     * The ops an edge or stage may build in this walk: a fixed network's chosen candidate, else every candidate (none
     * of a range walk's open LayerChoice without {@code open}).
     */
    private List<OpCall> selected(EdgeOp op, boolean open) {
        if (op instanceof OpCall call) {
            return List.of(call);
        }
        LayerChoice lc = (LayerChoice) op;
        if (mode == Mode.FIXED && arch.get(lc.key()).orElse(null) instanceof Decision.Op d && lc.indexOf(d.label()) >= 0) {
            return List.of(lc.candidates().get(lc.indexOf(d.label())));
        }
        return open || tally == null ? lc.candidates() : List.of();
    }

    private T sequence(List<OpCall> ops, T x, int cOut, Place place) {
        for (OpCall op : ops) {
            ValueChoice vc = mode == Mode.SUPERNET ? searchedValue(op) : null;
            T copies = vc == null ? null : valueCopies(op, vc, x, cOut, 1, place);
            x = copies != null ? copies : apply(build(op, x.shape().channels(), cOut, 1, place), x, place, op.label());
        }
        return x;
    }

    private T block(Stage st, T in, int c, int stride, Place place) {
        if (st.op() == null) {
            throw fail(place, "a block stage needs an op");
        }
        T out = choice(st.op(), in, c, stride, place);
        if (st.residual() && stride == 1 && in.shape().equals(out.shape())) {
            // The identity shortcut has no weights and no multiply-adds.
            T sum = tensor(out.shape());
            step(new Plan.Add(sum.id(), in.id(), out.id(), place.toString()));
            return sum;
        }
        return out;
    }

    /**
     * A fixed op, or a LayerChoice (its chosen candidate; all of them in a supernet, which must agree in shape).
     */
    private T choice(EdgeOp op, T src, int cOut, int stride, Place place) {
        if (mode == Mode.SUPERNET && op instanceof OpCall call) {
            ValueChoice vc = searchedValue(call);
            T t = vc == null ? null : valueCopies(call, vc, src, cOut, stride, place);
            if (t != null) {
                return t;
            }
        }
        if (tally != null && op instanceof LayerChoice lc && arch.get(lc.key()).isEmpty()) {
            return tabulated(lc, src, cOut, stride, place);
        }
        List<OpCall> calls = chosen(op, place);
        List<Layer> layers = new ArrayList<>();
        Shape out = null;
        String first = null;
        for (OpCall call : calls) {
            Layer l = build(call, src.shape().channels(), cOut, stride, place);
            Shape o = measure(l, src.shape(), place, call.label());
            noteDynamic(l, src.shape(), place, op instanceof LayerChoice lc ? lc.key() : null, call.label());
            if (out != null && !out.equals(o)) {
                throw fail(place, "candidates disagree: " + first + " gives " + out + " but " + call.label() + " gives " + o);
            }
            if (out == null) {
                first = call.label();
            }
            out = o;
            layers.add(l);
        }
        T t = tensor(out);
        if (op instanceof LayerChoice lc && mode == Mode.SUPERNET) {
            choices.putIfAbsent(lc.key(), lc.labels());
            if (cellPreprocess == Preprocess.DARTS) {
                // DARTS's MixedOp (model_search.py) and NNI's DartsCell (PoolBN) follow each pool candidate with an
                // affine-free BatchNorm, so that its scale matches the convolutions'; the evaluation network does not.
                for (int i = 0; i < calls.size(); i++) {
                    if (DARTS_POOLS.contains(calls.get(i).label())) {
                        layers.set(i, Layer.Sequential.of(layers.get(i), new Layer.BatchNorm(out.channels(), false)));
                    }
                }
            }
            step(new Plan.Mixed(t.id(), src.id(), lc.key(), layers, lc.labels(), place.toString()));
        } else {
            step(new Plan.Apply(t.id(), src.id(), layers.get(0), place.toString()));
        }
        return t;
    }

    /**
     * An open LayerChoice of a range walk: each candidate measured, its cost written to the tally and taken back
     * from the totals. A candidate that does not build is marked broken; candidates of different output shapes
     * make the key one that the walk must decide ({@link SpaceStats.ShapeChoice}).
     */
    private T tabulated(LayerChoice lc, T src, int cOut, int stride, Place place) {
        if (lc.candidates().isEmpty()) {
            throw fail(place, "LayerChoice '" + lc.key() + "' has no candidates");
        }
        Shape out = null;
        boolean any = false;
        for (int i = 0; i < lc.candidates().size(); i++) {
            OpCall call = lc.candidates().get(i);
            int problemMark = problems.size();
            long p0 = params;
            long m0 = macs;
            try {
                Layer l = build(call, src.shape().channels(), cOut, stride, place);
                Shape o = measure(l, src.shape(), place, call.label());
                if (out != null && !out.equals(o)) {
                    throw new SpaceStats.ShapeChoice(lc.key());
                }
                out = o;
                any = true;
                tally.add(lc, i, params - p0, macs - m0, dynamic(l));
            } catch (Abandon a) {
                forget(problemMark);
                tally.broken(lc, i);
            } finally {
                params = p0;
                macs = m0;
            }
        }
        if (!any) {
            throw fail(place, "no candidate of LayerChoice '" + lc.key() + "' builds here");
        }
        return tensor(out);
    }

    /** Takes back the problems reported since {@code mark}: what they were about is not part of the result. */
    private void forget(int mark) {
        List<Problem> dropped = problems.subList(mark, problems.size());
        dropped.forEach(x -> reported.remove(x.place() + "|" + x.message()));
        dropped.clear();
    }

    /** A drop-path step after the edge op that made {@code t}, unless that op is an identity or zero. */
    private T dropPath(T t, Place place) {
        if (!planning) {
            return t;
        }
        Plan.Step last = steps.get(steps.size() - 1);
        if (!(last instanceof Plan.Apply a) || a.out() != t.id() || a.layer() instanceof Layer.Identity || a.layer() instanceof Layer.Zero) {
            return t;
        }
        T d = tensor(t.shape());
        step(new Plan.DropPath(d.id(), t.id(), place.toString()));
        return d;
    }

    /** The one ValueChoice the parameters of a call refer to, unless a stage setting also uses it. */
    private ValueChoice searchedValue(OpCall call) {
        Set<String> refs = new HashSet<>();
        call.params().values().stream().filter(Param::isRef).map(Param::ref).filter(space.values()::containsKey).forEach(refs::add);
        if (refs.size() != 1) {
            return null;
        }
        String key = refs.iterator().next();
        for (Stage st : space.network().stages()) {
            for (Param p : java.util.Arrays.asList(st.repeat(), st.widen(), st.channels(), st.stride())) {
                if (p != null && p.isRef() && p.ref().equals(key)) {
                    return null;
                }
            }
        }
        ValueChoice vc = space.values().get(key);
        return vc.candidates().size() > 1 ? vc : null;
    }

    /**
     * A mixed op of one copy of {@code call} per value of {@code vc}, channels padded to the widest; null (and
     * nothing recorded) when the copies differ in spatial size or a value does not build.
     */
    private T valueCopies(OpCall call, ValueChoice vc, T src, int cOut, int stride, Place place) {
        int problemMark = problems.size();
        long p0 = params;
        long m0 = macs;
        List<Layer> layers = new ArrayList<>();
        List<Shape> outs = new ArrayList<>();
        try {
            for (double v : vc.candidates()) {
                pinned.put(vc.key(), v);
                Layer l = build(call, src.shape().channels(), cOut, stride, place);
                layers.add(l);
                outs.add(measure(l, src.shape(), place, call.label() + " with " + vc.key() + " = " + ValueChoice.label(v)));
            }
        } catch (Abandon a) {
            outs.clear();
        } finally {
            pinned.remove(vc.key());
        }
        int widest = outs.stream().mapToInt(Shape::channels).max().orElse(0);
        boolean sameSize = !outs.isEmpty() && outs.stream().allMatch(o -> o.height() == outs.get(0).height() && o.width() == outs.get(0).width());
        if (!sameSize) {
            forget(problemMark);
            params = p0;
            macs = m0;
            return null;
        }
        for (int i = 0; i < layers.size(); i++) {
            int c = outs.get(i).channels();
            if (c < widest) {
                layers.set(i, new Layer.Sequential(List.of(layers.get(i), new Layer.PadShortcut(c, widest, 1))));
            }
        }
        T t = tensor(new Shape(widest, outs.get(0).height(), outs.get(0).width()));
        choices.putIfAbsent(vc.key(), vc.labels());
        step(new Plan.Mixed(t.id(), src.id(), vc.key(), layers, vc.labels(), place.toString()));
        return t;
    }

    // ---- cells -------------------------------------------------------------------------------------------

    private T cell(Cell cell, List<T> inputs, int c, Place stagePlace) {
        Preprocess outer = cellPreprocess;
        cellPreprocess = cell.preprocess();
        try {
            return cellBody(cell, inputs, c, stagePlace);
        } finally {
            cellPreprocess = outer;
        }
    }

    private T cellBody(Cell cell, List<T> inputs, int c, Place stagePlace) {
        Place where = Place.cell(cell.name());
        List<Node> ins = cell.inputs();
        if (ins.isEmpty()) {
            throw fail(where, "has no input node");
        }
        Map<String, T> values = new HashMap<>();
        for (int i = 0; i < ins.size(); i++) {
            T s = inputs.get(Math.min(i, inputs.size() - 1));
            T other = inputs.get(inputs.size() - 1);
            values.put(ins.get(i).name(), preprocess(cell.preprocess(), s, other.shape(), i, ins.size(), c,
                    where.detail(", input " + ins.get(i).name())));
        }
        List<Node> order = new ArrayList<>(topologicalOrder(cell, where));
        // The output has no outgoing edges; a loose-ends output has no incoming ones either, so visit it last.
        order.sort(java.util.Comparator.comparing(n -> n.kind() == NodeKind.OUTPUT));
        Map<String, List<Edge>> active = activeEdges(cell, where);
        Set<String> consumed = new HashSet<>();
        for (var e : active.entrySet()) {
            Node to = cell.node(e.getKey()).orElseThrow();
            if (to.kind() != NodeKind.OUTPUT) {
                e.getValue().forEach(edge -> consumed.add(edge.from()));
            }
        }
        T result = null;
        for (Node n : order) {
            if (n.kind() == NodeKind.INPUT) {
                continue;
            }
            Place nodePlace = Place.node(cell.name(), n.name());
            List<T> arriving = new ArrayList<>();
            if (n.looseEnds()) {
                for (Node m : cell.intermediates()) {
                    if (!consumed.contains(m.name()) && values.get(m.name()) != null) {
                        arriving.add(values.get(m.name()));
                    }
                }
            }
            InputChoice open = openInput(n);
            List<Edge> edges = active.getOrDefault(n.name(), List.of());
            for (int i = 0; i < edges.size(); i++) {
                Edge e = edges.get(i);
                T src = values.get(e.from());
                if (src == null) {
                    continue;
                }
                Place edgePlace = Place.edge(cell.name(), e.from(), e.to());
                int cOut = n.kind() == NodeKind.OUTPUT ? src.shape().channels() : c;
                if (open != null) {
                    T t = candidateInput(open, i, e, src, cOut, edgePlace);
                    if (t != null) {
                        arriving.add(t);
                    }
                    continue;
                }
                T t = choice(e.op(), src, cOut, e.stride(), edgePlace);
                arriving.add(mode == Mode.FIXED ? dropPath(t, edgePlace) : t);
            }
            InputChoice ic = mode == Mode.SUPERNET ? n.inputChoice() : open;
            if (open != null && arriving.stream().map(T::shape).distinct().count() > 1) {
                throw new SpaceStats.ShapeChoice(open.key()); // which inputs are chosen changes the node's shape
            }
            T merged = merge(n.reduction(), arriving, ic, nodePlace);
            values.put(n.name(), merged);
            if (n.kind() == NodeKind.OUTPUT) {
                result = merged;
            }
        }
        if (cell.output().isEmpty()) {
            throw fail(where, "has no output node");
        }
        if (result == null) {
            throw fail(Place.node(cell.name(), cell.output().get().name()), "receives no tensor");
        }
        return result;
    }

    /** The InputChoice of a node when a range walk leaves it open, else null. */
    private InputChoice openInput(Node n) {
        InputChoice ic = n.inputChoice();
        return tally != null && ic != null && tally.isOpen(ic.key()) && arch.get(ic.key()).isEmpty() ? ic : null;
    }

    /**
     * Candidate input {@code i} of an open InputChoice in a range walk: built, its cost written to the tally's slot
     * (key, i) and taken back from the totals; null, with the slot marked broken, when it does not build.
     */
    private T candidateInput(InputChoice ic, int i, Edge e, T src, int cOut, Place place) {
        int problemMark = problems.size();
        long p0 = params;
        long m0 = macs;
        try {
            return choice(e.op(), src, cOut, e.stride(), place);
        } catch (Abandon a) {
            forget(problemMark);
            tally.brokenInput(ic.key(), i);
            return null;
        } finally {
            tally.addInput(ic.key(), i, params - p0, macs - m0);
            params = p0;
            macs = m0;
        }
    }

    private T preprocess(Preprocess p, T s, Shape other, int index, int inputs, int c, Place place) {
        boolean larger = inputs == 2 && index == 0 && s.shape().height() > other.height();
        int ch = s.shape().channels();
        Layer l;
        try {
            l = switch (p) {
                case DARTS -> larger ? OpCatalog.factorizedReduce(ch, c, space.network().affine())
                        : OpCatalog.reluConvBn(ch, c, 1, 1, 0, space.network().affine());
                case ENAS -> larger ? OpCatalog.factorizedReduce(ch, c, false)
                        : ch != c ? catalog.find("std_conv").orElseThrow().build(OpArgs.of(ch, c, 1))
                        : new Layer.Identity();
                case ENAS_REDUCE -> OpCatalog.factorizedReduce(ch, c, false);
                case NONE -> new Layer.Identity();
            };
        } catch (ShapeException e) {
            throw fail(place, e.getMessage());
        }
        return apply(l, s, place, "preprocessing");
    }

    private List<Node> topologicalOrder(Cell cell, Place where) {
        Map<String, Integer> indeg = new LinkedHashMap<>();
        for (Node n : cell.nodes()) {
            indeg.put(n.name(), 0);
        }
        for (Edge e : cell.edges()) {
            if (!indeg.containsKey(e.from()) || !indeg.containsKey(e.to())) {
                throw fail(Place.edge(cell.name(), e.from(), e.to()), "refers to a node that does not exist");
            }
            indeg.merge(e.to(), 1, Integer::sum);
        }
        Deque<String> ready = new ArrayDeque<>();
        indeg.forEach((k, v) -> {
            if (v == 0) {
                ready.add(k);
            }
        });
        List<Node> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String n = ready.poll();
            order.add(cell.node(n).orElseThrow());
            for (Edge e : cell.outgoing(n)) {
                if (indeg.merge(e.to(), -1, Integer::sum) == 0) {
                    ready.add(e.to());
                }
            }
        }
        if (order.size() != cell.nodes().size()) {
            throw fail(where, "has a cycle through " + String.join(", ",
                    cell.nodes().stream().map(Node::name).filter(n -> order.stream().noneMatch(o -> o.name().equals(n))).toList()));
        }
        return order;
    }

    /** The incoming edges that are built: all, or the chosen candidates of an InputChoice. */
    private Map<String, List<Edge>> activeEdges(Cell cell, Place where) {
        Map<String, List<Edge>> out = new HashMap<>();
        for (Node n : cell.nodes()) {
            List<Edge> in = cell.incoming(n.name());
            InputChoice ic = n.inputChoice();
            if (ic == null || mode == Mode.SUPERNET || openInput(n) != null) {
                out.put(n.name(), in);
                continue;
            }
            Place place = Place.node(cell.name(), n.name()).detail(" (key " + ic.key() + ")");
            Decision d = arch.get(ic.key()).orElseThrow(() -> fail(place, "no decision for InputChoice '" + ic.key() + "'"));
            if (!(d instanceof Decision.Inputs inputs)) {
                throw fail(place, "InputChoice '" + ic.key() + "' needs a list of chosen inputs");
            }
            List<Edge> chosen = new ArrayList<>();
            for (int i : inputs.indices()) {
                if (i < 0 || i >= in.size()) {
                    throw fail(place, "chosen input " + i + " is out of range (0.." + (in.size() - 1) + ")");
                }
                chosen.add(in.get(i));
            }
            if (ic.nChosen() != InputChoice.ANY && chosen.size() != ic.nChosen() && !(chosen.isEmpty() && ic.allowNone())) {
                throw fail(place, "chooses " + chosen.size() + " inputs but n_chosen is " + ic.nChosen());
            }
            out.put(n.name(), chosen);
        }
        return out;
    }

    private T merge(Reduction r, List<T> arriving, InputChoice ic, Place place) {
        if (arriving.isEmpty()) {
            return null;
        }
        Shape first = arriving.get(0).shape();
        long channels = 0;
        for (T t : arriving) {
            Shape s = t.shape();
            boolean sameSize = s.height() == first.height() && s.width() == first.width();
            if (r == Reduction.CONCAT ? !sameSize : !s.equals(first)) {
                throw fail(place, "incoming tensors disagree (" + String.join(", ",
                        arriving.stream().map(x -> x.shape().toString()).toList()) + ") and cannot be "
                        + (r == Reduction.CONCAT ? "concatenated" : r == Reduction.SUM ? "added" : "averaged"));
            }
            channels += s.channels();
        }
        if (arriving.size() == 1 && ic == null) {
            return arriving.get(0);
        }
        long concatenated = ic != null && ic.nChosen() > 0 ? channels / arriving.size() * ic.nChosen() : channels;
        if (r == Reduction.CONCAT && concatenated > Integer.MAX_VALUE) { // a shape counts channels in int
            throw fail(place, "concatenates " + concatenated + " channels, more than " + Integer.MAX_VALUE);
        }
        Shape out = r == Reduction.CONCAT ? first.withChannels((int) concatenated) : first;
        T t = tensor(out);
        if (ic != null) {
            choices.putIfAbsent(ic.key(), arriving.stream().map(x -> Integer.toString(x.id())).toList());
        }
        step(new Plan.Merge(t.id(), arriving.stream().map(T::id).toList(), r, ic == null ? null : ic.key(),
                ic == null ? 0 : ic.nChosen(), place.toString()));
        return t;
    }

    // ---- ops and decisions -------------------------------------------------------------------------------

    private List<OpCall> chosen(EdgeOp op, Place place) {
        if (op instanceof OpCall call) {
            return List.of(call);
        }
        LayerChoice lc = (LayerChoice) op;
        if (lc.candidates().isEmpty()) {
            throw fail(place, "LayerChoice '" + lc.key() + "' has no candidates");
        }
        if (mode == Mode.SUPERNET) {
            return lc.candidates();
        }
        Decision d = arch.get(lc.key()).orElseThrow(() -> fail(place, "no decision for LayerChoice '" + lc.key() + "'"));
        if (!(d instanceof Decision.Op chosen)) {
            throw fail(place, "LayerChoice '" + lc.key() + "' needs an op name");
        }
        int i = lc.indexOf(chosen.label());
        if (i < 0) {
            throw fail(place, "'" + chosen.label() + "' is not a candidate of LayerChoice '" + lc.key() + "' ("
                    + String.join(", ", lc.labels()) + ")");
        }
        return List.of(lc.candidates().get(i));
    }

    private Layer build(OpCall call, int cIn, int cOut, int stride, Place place) {
        OpDef def = catalog.find(call.op()).orElseThrow(() -> fail(place, "unknown op '" + call.op() + "'"
                + catalog.closest(call.op()).map(s -> " (did you mean '" + s + "'?)").orElse("")));
        OpArgs ctx = new OpArgs(cIn, cOut, stride, space.network().affine(), Map.of());
        Map<String, Double> resolved = new LinkedHashMap<>();
        boolean userOp = !OpCatalog.builtin().isBuiltin(call.op());
        OpArgs.Generator generator = catalog.isDynamic(call.op()) ? generatorOf(call, place) : null;
        for (var p : call.params().entrySet()) {
            if (generator != null && p.getKey().equals("generator")) {
                continue;
            }
            if (userOp) {
                resolved.put(p.getKey(), resolve(p.getValue(), ctx, place.detail(", " + call.op() + "." + p.getKey())));
                continue;
            }
            if (!def.params().isEmpty() && !def.params().contains(p.getKey())) {
                throw fail(place, "op '" + call.op() + "' has no parameter '" + p.getKey() + "' (it has "
                        + String.join(", ", def.params()) + ")");
            }
            if (def.params().isEmpty()) {
                throw fail(place, "op '" + call.op() + "' takes no parameters, got '" + p.getKey() + "'");
            }
            resolved.put(p.getKey(), resolve(p.getValue(), ctx, place.detail(", " + call.op() + "." + p.getKey())));
        }
        try {
            return def.build(new OpArgs(cIn, cOut, stride, space.network().affine(), resolved, generator));
        } catch (ShapeException e) {
            throw fail(place, call.label() + ": " + e.getMessage());
        }
    }

    /** The weight generator a dynamic op names ({@code generator: $NAME}), or the network's only one. */
    private OpArgs.Generator generatorOf(OpCall call, Place place) {
        Map<String, List<OpCall>> declared = space.network().context().generators();
        Param p = call.params().get("generator");
        if (p == null && declared.size() > 1) {
            throw fail(place, call.op() + ": name its weight generator with generator: $NAME (the network has "
                    + String.join(", ", declared.keySet()) + ")");
        }
        if (p != null && !p.isRef()) {
            throw fail(place, call.op() + ": generator names a weight generator of the network, as generator: $NAME");
        }
        String name = p != null ? p.ref() : declared.isEmpty() ? null : declared.keySet().iterator().next();
        if (name == null) {
            throw fail(place, call.op() + " takes its kernels from a weight generator, and the network declares none "
                    + "(context: {features: N, generators: {NAME: [...]}})");
        }
        if (!declared.containsKey(name)) {
            throw fail(place, call.op() + " refers to $" + name + ", which is not a weight generator of the network"
                    + (declared.isEmpty() ? "" : " (it has " + String.join(", ", declared.keySet()) + ")"));
        }
        OpArgs.Generator g = generators.get(name);
        referenced.add(name);
        if (g == null) {
            throw fail(place, call.op() + ": weight generator '" + name + "' did not build");
        }
        return g;
    }

    private Layer buildUserOp(UserOp u, OpArgs a) throws ShapeException {
        if (++userOpDepth > 16) {
            userOpDepth = 0;
            throw new ShapeException("user op '" + u.name() + "' refers to itself");
        }
        userOpContext.push(a);
        try {
            List<Layer> layers = new ArrayList<>();
            int c = a.cIn();
            for (OpCall call : u.layers()) {
                Layer l = build(call, c, a.cOut(), 1, Place.named("op " + u.name()));
                layers.add(l);
                c = outChannels(l, c);
            }
            return new Layer.Sequential(layers);
        } finally {
            userOpContext.pop();
            userOpDepth = Math.max(0, userOpDepth - 1);
        }
    }

    /** Output channels of a layer given its input channels, without needing a spatial size. */
    static int outChannels(Layer l, int c) {
        if (l instanceof Layer.Conv conv) {
            return conv.out();
        }
        if (l instanceof Layer.DynamicConv d) {
            return d.conv().out();
        }
        if (l instanceof Layer.Linear lin) {
            return lin.out();
        }
        if (l instanceof Layer.PadShortcut p) {
            return p.out();
        }
        if (l instanceof Layer.Zero z && z.channels() > 0) {
            return z.channels();
        }
        if (l instanceof Layer.Sequential s) {
            for (Layer x : s.layers()) {
                c = outChannels(x, c);
            }
            return c;
        }
        if (l instanceof Layer.Sum s) {
            return s.branches().isEmpty() ? c : outChannels(s.branches().get(0), c);
        }
        if (l instanceof Layer.Concat cat) {
            int total = 0;
            for (Layer b : cat.branches()) {
                total += outChannels(b, c);
            }
            return total;
        }
        return c;
    }

    private double resolve(Param p, OpArgs ctx, Place place) {
        if (!p.isRef()) {
            return p.value();
        }
        if (!userOpContext.isEmpty() && userOpContext.peek().params().containsKey(p.ref())) {
            return userOpContext.peek().params().get(p.ref()); // a parameter of the enclosing user op
        }
        if (BUILTIN_REFS.contains(p.ref())) {
            OpArgs c = userOpContext.isEmpty() ? ctx : userOpContext.peek();
            return switch (p.ref()) {
                case "stride" -> c.stride();
                case "C_in" -> c.cIn();
                default -> c.cOut();
            };
        }
        ValueChoice vc = space.values().get(p.ref());
        if (vc == null) {
            throw fail(place, "refers to $" + p.ref() + ", which is not a ValueChoice of the space");
        }
        if (vc.candidates().isEmpty()) {
            throw fail(place, "ValueChoice '" + vc.key() + "' has no candidates");
        }
        if (mode == Mode.SUPERNET) {
            return pinned.getOrDefault(vc.key(), vc.largest());
        }
        Decision d = arch.get(vc.key()).orElseThrow(() -> fail(place, "no decision for ValueChoice '" + vc.key() + "'"));
        if (!(d instanceof Decision.Value v)) {
            throw fail(place, "ValueChoice '" + vc.key() + "' needs a number");
        }
        if (!vc.candidates().contains(v.value())) {
            throw fail(place, v.value() + " is not a candidate of ValueChoice '" + vc.key() + "' " + vc.candidates());
        }
        return v.value();
    }

    private int intOf(Param p, int fallback, Place place) {
        if (p == null) {
            return fallback;
        }
        double v = resolve(p, OpArgs.of(0, 0, 1), place);
        if (v != Math.rint(v) || Math.abs(v) > 1 << 30) {
            throw fail(place, "must be a whole number of reasonable size, got " + v);
        }
        return (int) v;
    }

    /** Follows the shape through a layer and adds its parameters and multiply-adds to the totals. */
    private Shape measure(Layer l, Shape in, Place place, String what) {
        try {
            Shape out = l.output(in);
            params += l.params();
            macs += l.macs(in);
            return out;
        } catch (ShapeException e) {
            throw fail(place, what + ": " + e.getMessage() + " (input " + in + ")");
        }
    }

    /** {@link #measure} and a plan step computing the result. */
    private T apply(Layer l, T in, Place place, String what) {
        T out = tensor(measure(l, in.shape(), place, what));
        noteDynamic(l, in.shape(), place, null, what);
        step(new Plan.Apply(out.id(), in.id(), l, place.toString()));
        return out;
    }

    /** Records an op holding dynamic convolutions with their heads' parameters and multiply-adds. */
    private void noteDynamic(Layer l, Shape in, Place place, String key, String op) {
        long[] cost = new long[2];
        try {
            dynamicCost(l, in, cost);
        } catch (ShapeException e) {
            return; // measured already: its problem is reported
        }
        if (cost[0] > 0) {
            dynamic.add(new NetworkStats.Dynamic(place.toString(), key, op, cost[0], cost[1]));
        }
    }

    /** Whether a layer holds a dynamic convolution. */
    private static boolean dynamic(Layer l) {
        return l instanceof Layer.DynamicConv || l.children().stream().anyMatch(Evaluator::dynamic);
    }

    private static Shape dynamicCost(Layer l, Shape in, long[] cost) throws ShapeException {
        if (l instanceof Layer.DynamicConv d) {
            cost[0] += d.params();
            cost[1] += d.macs(in);
        } else if (l instanceof Layer.Sequential s) {
            Shape x = in;
            for (Layer c : s.layers()) {
                x = dynamicCost(c, x, cost);
            }
        } else {
            for (Layer c : l.children()) {
                dynamicCost(c, in, cost);
            }
        }
        return l.output(in);
    }

    static Set<String> reachable(Cell cell, Iterable<String> from, boolean forward) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        from.forEach(todo::add);
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (!seen.add(n)) {
                continue;
            }
            for (Edge e : forward ? cell.outgoing(n) : cell.incoming(n)) {
                todo.add(forward ? e.to() : e.from());
            }
            if (!forward) {
                cell.node(n).filter(Node::looseEnds).ifPresent(o ->
                        cell.intermediates().forEach(m -> todo.add(m.name())));
            }
        }
        return seen;
    }
}

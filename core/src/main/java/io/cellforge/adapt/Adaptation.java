package io.cellforge.adapt;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.analysis.Validator;
import io.cellforge.ops.Shape;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.Problem;
import io.cellforge.space.SearchSpace;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A space made to take other data: its network's input and classes set to the data's, and what depends on the
 * input's size kept valid. A zoo space is a template; the data decide what the network takes. The stem's first
 * op reads the input's channels as every op does, the cells and reductions follow the map they are given, and a
 * head pool sized to cover the whole map (DARTS's ImageNet head, a 7x7 pool on 7x7) is resized to the new map.
 * What cannot follow (a fixed-size auxiliary head, a reduction of an odd map that DARTS cannot halve) is refused,
 * naming the op and the shapes.
 */
public record Adaptation(SearchSpace space, List<Change> changes) {
    public Adaptation {
        changes = List.copyOf(changes);
    }

    /** One thing changed, as a person reads it: {@code input 1x8x8 -> 1x28x28 from the data}. */
    public record Change(String what, String from, String to, String why) {
        @Override
        public String toString() {
            return what + " " + from + " -> " + to + " " + why;
        }
    }

    private static final String FROM_DATA = "from the data";
    private static final Set<String> HEAD_POOLS = Set.of("avg_pool", "max_pool");
    /** Head ops that leave the map's size as it is: a pool after them still sees the head's input size. */
    private static final Set<String> SIZE_KEEPING = Set.of("bn", "relu", "relu6", "dropout", "identity");

    public boolean changed() {
        return !changes.isEmpty();
    }

    /**
     * {@code space} taking images of {@code input} into {@code classes} classes; the same space, unchanged, when it
     * takes them already.
     *
     * @throws AdaptException when the network cannot take that input: the first op that does not fit, with its shapes
     */
    public static Adaptation toData(SearchSpace space, Shape input, int classes) throws AdaptException {
        return toData(space, input, classes, 0);
    }

    /**
     * {@link #toData(SearchSpace, Shape, int)}, and the context its weight generators read set to the data's
     * {@code contextFeatures} values a sample (0: the data have none, and the context is left as it is, for the
     * search to refuse the data if it reads one).
     */
    public static Adaptation toData(SearchSpace space, Shape input, int classes, int contextFeatures) throws AdaptException {
        if (classes < 1) {
            throw new AdaptException("the data have no classes, so no network can be made for them");
        }
        Network was = space.network();
        List<Change> changes = new ArrayList<>();
        Network net = was;
        if (!was.input().equals(input)) {
            changes.add(new Change("input", was.input().toString(), input.toString(), FROM_DATA));
            net = net.withInput(input);
        }
        if (was.classes() != classes) {
            changes.add(new Change("classes", String.valueOf(was.classes()), String.valueOf(classes), FROM_DATA));
            net = net.withClasses(classes);
        }
        Network.Context cx = was.context();
        if (contextFeatures > 0 && !cx.generators().isEmpty() && cx.features() != contextFeatures) {
            // A generator's first op reads the context's width as every op reads its input's.
            changes.add(new Change("context", cx.features() + " values", contextFeatures + " values", FROM_DATA));
            net = net.withContext(new Network.Context(contextFeatures, cx.generators()));
        }
        if (changes.isEmpty()) {
            return new Adaptation(space, List.of());
        }
        if (!was.input().equals(input)) {
            net = net.withHead(headPools(space, was, net, changes));
        }
        SearchSpace adapted = space.withNetwork(net);
        List<String> before = errors(space).stream().map(Problem::toString).toList();
        for (Problem p : errors(adapted)) {
            if (!before.contains(p.toString())) {
                throw new AdaptException("space '" + space.name() + "' cannot take " + input + " images in " + classes
                        + " classes (it was drawn for " + was.input() + "): " + p);
            }
        }
        return new Adaptation(adapted, changes);
    }

    private static List<Problem> errors(SearchSpace s) {
        List<Problem> all = new ArrayList<>(Validator.validate(s));
        all.addAll(Evaluator.supernet(s).problems());
        return all.stream().filter(Problem::isError).toList();
    }

    /**
     * The head with every pool that covered the whole map at the old input (before any op that changes the map's
     * size) resized to cover the whole map at the new one: such a pool is a global pool written for one size.
     */
    private static List<OpCall> headPools(SearchSpace space, Network was, Network now, List<Change> changes) {
        Shape before = headInput(space, was);
        Shape after = headInput(space, now);
        if (before == null || after == null || before.height() != before.width() || after.height() != after.width()) {
            return now.head();
        }
        List<OpCall> head = new ArrayList<>();
        boolean sameSize = true;
        for (OpCall op : now.head()) {
            if (sameSize && HEAD_POOLS.contains(op.op()) && coversWhole(op, before.height())) {
                int side = after.height();
                OpCall resized = op.with("kernel", Param.of(side));
                if (value(op, "stride", 1) == before.height()) {
                    resized = resized.with("stride", Param.of(side));
                }
                changes.add(new Change("head " + op.op(), before.height() + "x" + before.width(), side + "x" + side,
                        "to pool the whole map"));
                head.add(resized);
                continue;
            }
            sameSize &= SIZE_KEEPING.contains(op.op());
            head.add(op);
        }
        return head;
    }

    private static boolean coversWhole(OpCall pool, int side) {
        return value(pool, "kernel", 3) == side && value(pool, "padding", 0) == 0;
    }

    /** A numeric parameter of an op, its default when not given; NaN when it refers to a ValueChoice. */
    private static double value(OpCall op, String name, double fallback) {
        Param p = op.params().get(name);
        return p == null ? fallback : p.isRef() ? Double.NaN : p.value();
    }

    /** What the head of {@code net} is given: the head itself left out, so that it need not fit. */
    private static Shape headInput(SearchSpace space, Network net) {
        NetworkStats st = Evaluator.supernet(space.withNetwork(net.withHead(List.of(OpCall.of("gap"), OpCall.of("linear")))));
        return st.parts().stream().filter(p -> p.name().equals("head")).map(NetworkStats.Part::in).findFirst().orElse(null);
    }
}

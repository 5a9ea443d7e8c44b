package io.cellforge.analysis;

import io.cellforge.space.Problem;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.ops.Shape;
import io.cellforge.plan.Plan;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.InputChoice;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Node;
import io.cellforge.space.OpCall;
import io.cellforge.space.Preprocess;
import io.cellforge.space.Reduction;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spaces far larger than anyone draws: every walk over a cell must be iterative and close to linear. */
class LargeSpacesTest {

    /**
     * One cell chaining {@code n} nodes, in0 -> n0 -> ... -> out; every {@code every}-th edge is a choice between
     * a skip connection and a 3x3 separable conv, the others a bn.
     */
    static SearchSpace chain(int n, int every) {
        List<Node> mids = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        String prev = "in0";
        for (int i = 0; i < n; i++) {
            mids.add(Node.intermediate("n" + i));
            edges.add(Edge.of(prev, "n" + i, i % every == 0 ? LayerChoice.of("c" + i, List.of("skip_connect", "sep_conv_3x3"))
                    : OpCall.of("bn")));
            prev = "n" + i;
        }
        edges.add(Edge.of(prev, "out", OpCall.of("identity")));
        Cell c = ValidatorTest.cell(mids, edges);
        return ValidatorTest.around(c);
    }

    @Test
    void twentyThousandChainedNodesValidatePlanAndCount() throws Exception {
        SearchSpace s = chain(20_000, 100);
        List<Problem> problems = Validator.validate(s);
        assertTrue(problems.stream().noneMatch(Problem::isError), problems::toString);
        Plan p = Evaluator.supernetPlan(s);
        assertTrue(p.steps().size() > 20_000);
        SpaceStats st = SpaceStats.of(s);
        assertEquals(BigInteger.TWO.pow(200), st.architectures());
        assertEquals(Evaluator.evaluate(s, all(s, "skip_connect")).params(), st.minParams().value());
        assertEquals(Evaluator.evaluate(s, all(s, "sep_conv_3x3")).params(), st.maxParams().value());
        assertEquals(Evaluator.evaluate(s, all(s, "sep_conv_3x3")).macs(), st.maxMacs().value());
    }

    static Architecture all(SearchSpace s, String op) {
        Map<String, Decision> m = new LinkedHashMap<>();
        s.mutablesByKey().keySet().forEach(k -> m.put(k, new Decision.Op(op)));
        return new Architecture(m);
    }

    @Test
    void aCycleAtTheEndOfALongChainIsFound() {
        SearchSpace s = chain(20_000, 100);
        Cell c = s.cells().get("k");
        List<Edge> edges = new ArrayList<>(c.edges());
        edges.add(Edge.of("n19999", "n0", OpCall.of("identity")));
        SearchSpace cyclic = s.withCell(c.withEdges(edges));
        List<String> cycle = Validator.findCycle(cyclic.cells().get("k"));
        assertEquals(20_001, cycle.size());
        assertEquals("n0", cycle.get(0));
        assertEquals("n0", cycle.get(cycle.size() - 1));
        assertFalse(Validator.validate(cyclic).stream().noneMatch(Problem::isError));
    }

    @Test
    void aConcatenationPastAnIntOfChannelsIsAProblemNotACrash() {
        // 2,048 nodes of 1,048,576 channels each into one concatenating output: 2^31 channels.
        List<Node> mids = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < 2048; i++) {
            mids.add(Node.intermediate("n" + i));
            edges.add(Edge.of("in0", "n" + i, OpCall.of("identity")));
            edges.add(Edge.of("n" + i, "out", OpCall.of("identity")));
        }
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0")));
        nodes.addAll(mids);
        nodes.add(Node.output("out", Reduction.CONCAT));
        SearchSpace s = ValidatorTest.around(new Cell("k", nodes, edges, Preprocess.NONE));
        SearchSpace wide = s.withNetwork(s.network().withInput(new Shape(1 << 20, 1, 1)).withChannels(1 << 20));
        List<Problem> ps = Validator.validate(wide);
        assertTrue(ps.stream().anyMatch(p -> p.isError() && p.message().contains("concatenates 2147483648 channels")),
                ps::toString);
    }

    @Test
    void anInputChoiceOfTenThousandOfTwentyThousandInputsIsCounted() {
        int n = 20_000;
        List<Node> nodes = new ArrayList<>(List.of(Node.input("in0")));
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(Node.intermediate("n" + i));
            edges.add(Edge.of("in0", "n" + i, OpCall.of(i % 2 == 0 ? "bn" : "identity")));
            edges.add(Edge.of("n" + i, "big", OpCall.of("identity")));
        }
        nodes.add(Node.intermediate("big").withInputChoice(new InputChoice("fan", n / 2, Reduction.SUM, false)));
        nodes.add(Node.output("out", Reduction.SUM));
        edges.add(Edge.of("big", "out", OpCall.of("identity")));
        SearchSpace s = ValidatorTest.around(new Cell("k", nodes, edges, Preprocess.NONE));
        assertTrue(Validator.validate(s).stream().noneMatch(Problem::isError), () -> Validator.validate(s).toString());
        SpaceStats st = SpaceStats.of(s);
        // Every node costs its bn whether chosen or not; choosing changes nothing but which are summed.
        assertEquals(st.minParams().value(), st.maxParams().value());
        assertEquals(Evaluator.evaluate(s, st.maxParams().arch()).params(), st.maxParams().value());
    }
}

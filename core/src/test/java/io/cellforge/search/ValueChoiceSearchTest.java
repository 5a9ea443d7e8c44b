package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.analysis.Evaluator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Decision;
import io.cellforge.data.DataBundle;
import io.cellforge.data.Datasets;
import io.cellforge.plan.Plan;
import io.cellforge.space.Cell;
import io.cellforge.space.Edge;
import io.cellforge.space.LayerChoice;
import io.cellforge.space.Network;
import io.cellforge.space.OpCall;
import io.cellforge.space.Param;
import io.cellforge.space.SearchSpace;
import io.cellforge.space.Stage;
import io.cellforge.space.ValueChoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ValueChoices of channels and kernel sizes are searched as separate candidates, one copy of the op per value. */
class ValueChoiceSearchTest {
    static DataBundle digits;

    @BeforeAll
    static void load() throws Exception {
        digits = Datasets.digits();
    }

    /** tiny() with the stem's width a ValueChoice 'width' {8, 16} and one edge an mbconv of kernel 'k' {3, 5}. */
    static SearchSpace space() {
        SearchSpace t = OneShotSearchTest.tiny();
        Cell c = t.cells().get("cell");
        List<Edge> edges = new ArrayList<>(c.edges());
        edges.set(0, Edge.of("in0", "n1", OpCall.of("mbconv", "expand", 3).with("kernel", Param.ref("k"))));
        Cell cell = new Cell(c.name(), c.nodes(), edges, c.preprocess());
        Network n = t.network();
        Network net = new Network(n.input(), n.classes(), n.channels(),
                List.of(List.of(OpCall.of("conv").with("out", Param.ref("width")), OpCall.of("bn", "affine", 1))),
                n.stages(), n.head(), n.auxiliary(), n.affine());
        return new SearchSpace("values", "", net, Map.of("cell", cell),
                Map.of("k", new ValueChoice("k", List.of(3.0, 5.0)), "width", new ValueChoice("width", List.of(8.0, 16.0))),
                Map.of(), Map.of());
    }

    @Test
    void eachValueIsACandidateOfAMixedOpKeyedByTheValueChoice() throws Exception {
        Plan plan = Evaluator.supernetPlan(space());
        assertEquals(List.of("3", "5"), plan.choices().get("k"));
        assertEquals(List.of("8", "16"), plan.choices().get("width"));
        Plan.Mixed width = plan.steps().stream().filter(s -> s instanceof Plan.Mixed m && m.key().equals("width"))
                .map(s -> (Plan.Mixed) s).findFirst().orElseThrow();
        assertEquals(16, plan.shapes().get(width.out()).channels(), "the narrow copy is padded to the widest");
        // The supernet holds both copies: more weights than the largest value alone.
        long both = Evaluator.supernet(space()).params();
        Architecture largest = new Architecture(Map.of("k", new Decision.Value(5), "width", new Decision.Value(16),
                "n1_switch", new Decision.Inputs(List.of(0)), "n2_p0", new Decision.Op("sep_conv_3x3"),
                "n2_p1", new Decision.Op("sep_conv_3x3"), "n2_switch", new Decision.Inputs(List.of(0))));
        assertTrue(Evaluator.evaluate(space(), largest).ok());
        assertTrue(both > Evaluator.evaluate(space(), largest).params());
    }

    @Test
    void aSearchMovesTheWeightsOfValueChoicesAndDerivesAValue() throws Exception {
        SearchSpace s = space();
        SearchResult r = new OneShotSearch(s, digits, SearchConfig.builder("darts").epochs(2).lr(0.2).archLr(3e-2).build())
                .run(new SearchEvents.Listener() { }, new SearchControl());
        for (String key : List.of("k", "width")) {
            double[] p = r.weights().get(key);
            assertEquals(2, p.length, key);
            assertTrue(Math.abs(p[0] - p[1]) > 1e-3, key + " moved: " + java.util.Arrays.toString(p));
            Decision d = r.architecture().get(key).orElseThrow();
            assertInstanceOf(Decision.Value.class, d);
            int best = p[1] > p[0] ? 1 : 0;
            assertEquals(((ValueChoice) s.values().get(key)).candidates().get(best), ((Decision.Value) d).value(), 0);
        }
        assertTrue(Evaluator.evaluate(s, r.architecture()).ok());
    }

    @Test
    void singlePathTrainingDrawsEveryValue() throws Exception {
        SearchSpace s = space();
        Plan plan = Evaluator.supernetPlan(s);
        java.util.Set<Double> seen = new java.util.HashSet<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 40; i++) {
            seen.add(((Decision.Value) Sampling.uniform(s, plan, java.util.Map.of(), r).get("k").orElseThrow()).value());
        }
        assertEquals(java.util.Set.of(3.0, 5.0), seen);
    }

    @Test
    void aValueThatChangesTheSpatialSizeKeepsItsLargestValue() throws Exception {
        SearchSpace t = space();
        Cell c = t.cells().get("cell");
        List<Edge> edges = new ArrayList<>(c.edges());
        // A pool whose stride is searched changes the size; the edge cannot mix its copies.
        edges.set(0, Edge.of("in0", "n1", LayerChoice.of("n1_p0", List.of("skip_connect", "sep_conv_3x3"))));
        Network n = t.network();
        List<Stage> stages = n.stages();
        Network net = new Network(n.input(), n.classes(), n.channels(),
                List.of(List.of(OpCall.of("conv", "out", 16).with("stride", Param.ref("k")), OpCall.of("bn", "affine", 1))),
                stages, n.head(), n.auxiliary(), n.affine());
        SearchSpace s = new SearchSpace("strided", "", net, Map.of("cell", new Cell(c.name(), c.nodes(), edges, c.preprocess())),
                Map.of("k", new ValueChoice("k", List.of(1.0, 2.0))), Map.of(), Map.of());
        Plan plan = Evaluator.supernetPlan(s);
        assertTrue(!plan.choices().containsKey("k"), "not searched");
        assertEquals(4, plan.shapes().get(((Plan.Apply) plan.steps().get(0)).out()).height(), "stride 2: the largest value");
        assertEquals(2.0, ((Decision.Value) Derivation.derive(s, Map.of()).get("k").orElseThrow()).value(), 0);
    }
}

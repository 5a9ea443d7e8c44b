package io.cellforge.adapt;

import io.cellforge.analysis.Evaluator;
import io.cellforge.analysis.NetworkStats;
import io.cellforge.ops.Shape;
import io.cellforge.space.OpCall;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The network follows the data: every zoo space takes Fashion-MNIST's and CIFAR's images, or says why not. */
class AdaptationTest {
    private static final Shape MNIST = new Shape(1, 28, 28);
    private static final Shape CIFAR = new Shape(3, 32, 32);
    /**
     * The only refusals among the zoo's spaces: their networks hold an op written for one map size.
     * darts-eval's auxiliary head (DARTS's, for an 8x8 map) gets 7x7 after two reductions of 28x28: its 5x5 pool
     * stride 3 leaves 1x1 and its 2x2 conv does not fit. darts-imagenet's stem takes 28x28 to 4x4, its first
     * reduction to 2x2, but a DARTS cell halves its earlier input (7x7 from the stem's first sequence) with a
     * FactorizedReduce whose two shifted branches disagree on an odd map (4x4 and 3x3), as they do in PyTorch.
     */
    private static final Map<String, List<String>> REFUSED_AT_28 = Map.of(
            "darts-eval", List.of("auxiliary head", "darts_aux_cifar", "conv 2x2", "128x1x1", "576x7x7"),
            "darts-imagenet", List.of("cell normal", "24x4x4 vs 24x3x3", "48x7x7"));

    @Test
    void theContextFollowsTheDatasWidthWhereWeightGeneratorsReadIt() throws Exception {
        SearchSpace s = Zoo.get("dynamic-strokes").orElseThrow();
        Adaptation wider = Adaptation.toData(s, s.network().input(), 2, 6);
        assertEquals(List.of("context 4 values -> 6 values from the data"), wider.changes().stream().map(Object::toString).toList());
        assertEquals(6, Evaluator.supernetPlan(wider.space()).contextFeatures());
        assertFalse(Adaptation.toData(s, s.network().input(), 2, 0).changed(), "data without a context leave it to the search to refuse");
        assertFalse(Adaptation.toData(Zoo.get("darts-mini").orElseThrow(), new Shape(1, 8, 8), 10, 6).changed(),
                "a space without generators reads no context");
    }

    @Test
    void everyZooSpaceTakesMnistAndCifarShapesAndGoesBackUnchanged() throws AdaptException {
        for (Zoo.Entry e : Zoo.entries()) {
            SearchSpace s = Zoo.get(e.name()).orElseThrow();
            for (Shape to : List.of(MNIST, CIFAR)) {
                String what = e.name() + " at " + to;
                if (to.equals(MNIST) && REFUSED_AT_28.containsKey(e.name())) {
                    AdaptException x = assertThrows(AdaptException.class, () -> Adaptation.toData(s, to, 10), what);
                    for (String named : REFUSED_AT_28.get(e.name())) {
                        assertTrue(x.getMessage().contains(named), what + ": " + x.getMessage() + " should name " + named);
                    }
                    continue;
                }
                Adaptation a = Adaptation.toData(s, to, 10);
                NetworkStats st = Evaluator.supernet(a.space());
                assertTrue(st.ok(), what + ": " + st.problems());
                assertEquals(new Shape(10, 1, 1), st.output(), what);
                assertEquals(to, a.space().network().input(), what);
                assertEquals(s.network().input().equals(to), !a.changed(), what + ": " + a.changes());
                // Back to the space's own shape and classes: the space it was, to the last parameter.
                Adaptation back = Adaptation.toData(a.space(), s.network().input(), s.network().classes());
                assertEquals(s, back.space(), what + " and back");
                assertEquals(Evaluator.supernet(s).params(), Evaluator.supernet(back.space()).params(), what);
            }
        }
    }

    @Test
    void theStemsInChannelsFollowTheData() throws AdaptException {
        for (Zoo.Entry e : Zoo.entries()) {
            SearchSpace s = Zoo.get(e.name()).orElseThrow();
            long grey = Evaluator.supernet(Adaptation.toData(s, new Shape(1, 32, 32), 10).space()).params();
            long colour = Evaluator.supernet(Adaptation.toData(s, CIFAR, 10).space()).params();
            // Only the first conv of the stem reads the image: two more input channels are out x k x k weights each.
            OpCall conv = s.network().stem().get(0).get(0);
            assertEquals("conv", conv.op(), e.name());
            long out = conv.params().get("out").value().longValue();
            long k = conv.params().get("kernel").value().longValue();
            assertEquals(2 * out * k * k, colour - grey, e.name());
        }
    }

    @Test
    void dartsMiniAtFashionMnistWithAHundredClassesCountedByHand() throws AdaptException {
        SearchSpace mini = Zoo.get("darts-mini").orElseThrow();
        assertEquals(393_778, Evaluator.supernet(mini).params());
        Adaptation a = Adaptation.toData(mini, MNIST, 100);
        assertEquals(List.of("input 1x8x8 -> 1x28x28 from the data", "classes 10 -> 100 from the data"),
                a.changes().stream().map(Adaptation.Change::toString).toList());
        // By hand: the cells' weights do not depend on the map's size, nor does the stem's conv (1 channel in
        // both). The head is gap then linear from the last cell's 4 nodes x 32 channels (C=8 doubled twice) = 128
        // features: 90 more classes are 90 x (128 weights + 1 bias) = 11,610 more parameters.
        assertEquals(393_778 + 90 * (128 + 1), Evaluator.supernet(a.space()).params());
        // Three channels in: the stem's conv (24 out, 3x3) takes 2 more input channels, 2 x 24 x 9 = 432 weights.
        assertEquals(393_778 + 90 * (128 + 1) + 2 * 24 * 9, Evaluator.supernet(Adaptation.toData(mini, CIFAR, 100).space()).params());
    }

    @Test
    void aHeadPoolSizedForTheWholeMapFollowsTheMap() throws AdaptException {
        SearchSpace imagenet = Zoo.get("darts-imagenet").orElseThrow();
        Adaptation a = Adaptation.toData(imagenet, CIFAR, 10);
        assertEquals(List.of("input 3x224x224 -> 3x32x32 from the data", "classes 1000 -> 10 from the data",
                "head avg_pool 7x7 -> 1x1 to pool the whole map"), a.changes().stream().map(Adaptation.Change::toString).toList());
        assertEquals(OpCall.of("avg_pool", "kernel", 1).with("stride", io.cellforge.space.Param.of(1)), a.space().network().head().get(0));
        // Left as it was, the 7x7 pool does not fit the 1x1 map its reductions leave of 32x32.
        SearchSpace unresized = imagenet.withNetwork(imagenet.network().withInput(CIFAR).withClasses(10));
        assertFalse(Evaluator.supernet(unresized).ok());
        assertTrue(Evaluator.supernet(unresized).problems().get(0).toString().contains("pool 7x7 does not fit input 768x1x1"),
                Evaluator.supernet(unresized).problems().toString());
    }

    @Test
    void tooSmallAnInputForTheReductionsIsRefusedNamingTheCellAndShapes() {
        SearchSpace search = Zoo.get("darts-search").orElseThrow();
        AdaptException x = assertThrows(AdaptException.class, () -> Adaptation.toData(search, new Shape(3, 3, 3), 10));
        assertTrue(x.getMessage().startsWith("space 'darts-search' cannot take 3x3x3 images in 10 classes (it was drawn for 3x32x32): "),
                x.getMessage());
        assertTrue(x.getMessage().contains("cell reduce"), x.getMessage());
    }

    @Test
    void aSpaceThatTakesTheDataAlreadyIsLeftAsItIs() throws AdaptException {
        SearchSpace mini = Zoo.get("darts-mini").orElseThrow();
        Adaptation a = Adaptation.toData(mini, new Shape(1, 8, 8), 10);
        assertFalse(a.changed());
        assertEquals(mini, a.space());
    }
}

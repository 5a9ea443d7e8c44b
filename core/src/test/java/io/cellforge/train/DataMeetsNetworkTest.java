package io.cellforge.train;

import io.cellforge.data.DataBundle;
import io.cellforge.data.Dataset;
import io.cellforge.data.Datasets;
import io.cellforge.engine.Batches;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Shape;
import io.cellforge.plan.PlanException;
import io.cellforge.search.OneShotSearch;
import io.cellforge.settings.SearchConfig;
import io.cellforge.search.SearchControl;
import io.cellforge.search.SearchEvents;
import io.cellforge.search.SearchResult;
import io.cellforge.space.SearchSpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where data meet a network: fewer classes than the network's train, labels beyond them are refused in one line. */
class DataMeetsNetworkTest {
    static SearchSpace tiny;
    static Dataset digits;

    @BeforeAll
    static void load() throws Exception {
        tiny = SpaceYaml.read(RetrainTest.SPACE, "tiny").space(); // 1x8x8 images, 10 classes
        digits = Datasets.digits().train();
    }

    /** The first {@code n} digits whose label is below {@code below}, as a data set of that many classes. */
    static Dataset firstDigits(int n, int below, String name) {
        int per = (int) digits.shape().size();
        byte[] x = new byte[n * per];
        int[] y = new int[n];
        int k = 0;
        for (int i = 0; i < digits.size() && k < n; i++) {
            if (digits.labels()[i] < below) {
                System.arraycopy(digits.pixels(), i * per, x, k * per, per);
                y[k++] = digits.labels()[i];
            }
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < below; c++) {
            names.add(Integer.toString(c));
        }
        return new Dataset(name, digits.shape(), names, Arrays.copyOf(x, k * per), digits.levels(), Arrays.copyOf(y, k));
    }

    static DataBundle bundle(int train, int test, int classes) {
        return new DataBundle(firstDigits(train, classes, "few train"), firstDigits(test, classes, "few test"), "test data");
    }

    @Test
    void oneHotLabelsAreAsWideAsTheNetworksClassesNotTheDatas() {
        Dataset two = firstDigits(8, 2, "two");
        assertEquals(2, two.classes());
        Batches.Batch b = new Batches(two, two.channelStats(), 4, 10, 1).next();
        assertArrayEquals(new long[] {4, 10}, b.y().shape());
        for (int i = 0; i < 4; i++) {
            assertEquals(1.0, b.y().getDouble(i, b.labels()[i]));
            assertEquals(1.0, b.y().getRow(i).sumNumber().doubleValue());
        }
    }

    @Test
    void aTwoClassDataSetRetrainsOnATenClassSpace() throws Exception {
        Retrain.Result r = Retrain.run(tiny, RetrainTest.sepConv(), bundle(16, 8, 2), Retrain.Config.darts(1, 8, 1), e -> { },
                new SearchControl());
        assertTrue(r.completed());
        assertEquals(1, r.epochs().size());
        assertTrue(Double.isFinite(r.epochs().get(0).trainLoss()), "loss " + r.epochs().get(0).trainLoss());
    }

    @Test
    void aTwoClassDataSetIsSearchedOnATenClassSpace() throws Exception {
        // 32 images: two halves of 16, two steps of 8.
        SearchResult r = new OneShotSearch(tiny, bundle(32, 4, 2), SearchConfig.darts(1, 8, 1))
                .run(new SearchEvents.Listener() { }, new SearchControl());
        assertTrue(r.completed());
        assertEquals(1, r.epochs().size());
    }

    @Test
    void labelsAboveTheNetworksClassesAreRefusedNamingBothNumbers() throws Exception {
        SearchSpace five = tiny.withNetwork(new io.cellforge.space.Network(tiny.network().input(), 5, tiny.network().channels(),
                tiny.network().stem(), tiny.network().stages(), tiny.network().head(), tiny.network().auxiliary(),
                tiny.network().affine()));
        DataBundle upTo7 = bundle(16, 8, 8);
        String expected = "the labels of few train go up to 7 but space 'tiny-darts' has 5 classes (labels 0..4)";
        PlanException e = assertThrows(PlanException.class, () -> Retrain.run(five, RetrainTest.sepConv(), upTo7,
                Retrain.Config.darts(1, 8, 1), x -> { }, new SearchControl()));
        assertEquals(expected, e.getMessage());
        e = assertThrows(PlanException.class, () -> new OneShotSearch(five, upTo7, SearchConfig.darts(1, 8, 1))
                .run(new SearchEvents.Listener() { }, new SearchControl()));
        assertEquals(expected, e.getMessage());
        // the limit's other side: labels 0..4 on 5 classes fit, and a test set beyond them is named too
        assertEquals(Optional.empty(), bundle(16, 8, 5).misfit(five.network().input(), 5, "space 'x'"));
        DataBundle testBeyond = new DataBundle(firstDigits(16, 5, "few train"), firstDigits(40, 6, "few test"), "");
        assertEquals(Optional.of("the labels of few test go up to 5 but space 'x' has 5 classes (labels 0..4)"),
                testBeyond.misfit(five.network().input(), 5, "space 'x'"));
        assertEquals(Optional.of("the images of few train are 1x8x8 but space 'x' takes 3x8x8"),
                testBeyond.misfit(new Shape(3, 8, 8), 10, "space 'x'"));
    }

    @Test
    void tooFewImagesForASearchIsOneClearLine() throws Exception {
        PlanException e = assertThrows(PlanException.class, () -> new OneShotSearch(tiny, bundle(1, 4, 2),
                SearchConfig.darts(1, 8, 1)).run(new SearchEvents.Listener() { }, new SearchControl()));
        assertEquals("the search needs at least 2 training images (one to train the weights on, one to choose on); "
                + "few train has 1", e.getMessage());
        DataBundle none = new DataBundle(firstDigits(0, 2, "none"), firstDigits(4, 2, "few test"), "");
        e = assertThrows(PlanException.class, () -> Retrain.run(tiny, RetrainTest.sepConv(), none, Retrain.Config.darts(1, 8, 1),
                x -> { }, new SearchControl()));
        assertEquals("the data have no training images (none)", e.getMessage());
    }
}

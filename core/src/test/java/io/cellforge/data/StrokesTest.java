package io.cellforge.data;

import io.cellforge.ops.Shape;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled strokes: the context decides which filter is right, so the image alone is not enough. */
class StrokesTest {
    /** Each orientation's step along a stroke: (rows, columns), as Strokes draws them. */
    private static final int[][] STEP = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};

    @Test
    void theBundledStrokesAre4000And1000ImagesOf16x16WithAOneHotContextOf4() throws Exception {
        DataBundle b = Datasets.load(Datasets.STROKES);
        assertEquals(new Shape(1, 16, 16), b.train().shape());
        assertEquals(4000, b.train().size());
        assertEquals(1000, b.test().size());
        assertEquals(List.of("absent", "present"), b.train().classNames());
        assertEquals(List.of("absent", "present"), b.test().classNames());
        assertEquals("strokes train", b.train().name());
        for (Dataset d : new Dataset[] {b.train(), b.test()}) {
            assertEquals(4, d.contextFeatures());
            for (int i = 0; i < d.size(); i++) {
                float[] c = d.contextOf(i);
                assertEquals(1, c[0] + c[1] + c[2] + c[3], 0, "image " + i);
                for (float v : c) {
                    assertTrue(v == 0 || v == 1);
                }
            }
            int[] counts = d.classCounts();
            assertTrue(Math.abs(counts[1] - d.size() / 2) < d.size() / 20, "about half present: " + counts[1]);
        }
    }

    @Test
    void theBundledFilesAreWhatTheGeneratorMakes() throws Exception {
        Map<String, byte[]> made = Strokes.files();
        assertEquals(6, made.size());
        for (Map.Entry<String, byte[]> e : made.entrySet()) {
            String resource = Datasets.STROKES_RESOURCE + e.getKey() + ".gz";
            try (InputStream in = Datasets.class.getResourceAsStream(resource)) {
                assertNotNull(in, resource);
                assertArrayEquals(e.getValue(), new GZIPInputStream(in).readAllBytes(), resource
                        + " differs from what Strokes makes: rerun Strokes.main (see resources/datasets/README.md)");
            }
        }
        DataBundle b = Datasets.strokes();
        Dataset train = Strokes.generate("strokes train", Strokes.TRAIN, Strokes.TRAIN_SEED).data();
        assertArrayEquals(train.pixels(), b.train().pixels());
        assertArrayEquals(train.labels(), b.train().labels());
        assertArrayEquals(train.context(), b.train().context());
    }

    @Test
    void theSameSeedGivesTheSameImagesAndAnotherSeedOthers() {
        Strokes.Generated a = Strokes.generate("a", 50, 3);
        assertArrayEquals(a.data().pixels(), Strokes.generate("b", 50, 3).data().pixels());
        assertTrue(!java.util.Arrays.equals(a.data().pixels(), Strokes.generate("c", 50, 4).data().pixels()));
    }

    /** Whether image {@code i} of {@code d} holds 5 pixels in a row of 200 or more along orientation {@code o}. */
    private static boolean shows(Dataset d, int i, int o) {
        int side = Strokes.SIDE;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int k = 0;
                while (k < 5) {
                    int yy = y + k * STEP[o][0];
                    int xx = x + k * STEP[o][1];
                    if (yy >= side || xx < 0 || xx >= side || (d.pixels()[i * side * side + yy * side + xx] & 0xff) < 200) {
                        break;
                    }
                    k++;
                }
                if (k == 5) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void eachImageShowsExactlyItsStrokesSoImageAndContextTogetherGiveEveryLabel() throws Exception {
        // Another orientation's strokes cross a line at one pixel each, three at most: never 5 in a row.
        for (Strokes.Generated g : new Strokes.Generated[] {Strokes.generate("train", Strokes.TRAIN, Strokes.TRAIN_SEED),
                Strokes.generate("test", Strokes.TEST, Strokes.TEST_SEED)}) {
            Dataset d = g.data();
            for (int i = 0; i < d.size(); i++) {
                int seen = 0;
                for (int o = 0; o < 4; o++) {
                    seen |= shows(d, i, o) ? 1 << o : 0;
                }
                assertEquals(g.strokeSets()[i], seen, "image " + i);
                int asked = 0;
                while (d.contextOf(i)[asked] == 0) {
                    asked++;
                }
                assertEquals((seen >> asked) & 1, d.labels()[i], "image " + i + ", asked " + Strokes.ORIENTATIONS.get(asked));
            }
        }
    }

    @Test
    void withoutTheContextNoClassifierBeats11Of16() {
        // Exactly: the 16 stroke sets are equally likely and so are the 4 asked orientations; knowing the set, the best
        // guess is its majority, right max(k, 4 - k) of 4 times.
        int right = 0;
        for (int set = 0; set < 16; set++) {
            int k = Integer.bitCount(set);
            right += Math.max(k, 4 - k);
        }
        assertEquals(44, right); // of 64: 11/16
        // On the generated labels: the best rule from an image's stroke set alone (the image shows no more, see above)
        // is the majority label of each set, here as close to 11/16 as 4,000 draws get.
        Strokes.Generated g = Strokes.generate("train", Strokes.TRAIN, Strokes.TRAIN_SEED);
        int[][] bySet = new int[16][2];
        for (int i = 0; i < g.data().size(); i++) {
            bySet[g.strokeSets()[i]][g.data().labels()[i]]++;
        }
        int best = 0;
        for (int[] c : bySet) {
            best += Math.max(c[0], c[1]);
        }
        double bayes = (double) best / g.data().size();
        assertEquals(0.6875, bayes, 0.02, "Bayes-optimal accuracy without the context: " + bayes);
        // All 16 sets occur, each about 1/16 of the time.
        for (int[] c : bySet) {
            assertTrue(Math.abs(c[0] + c[1] - 250) < 60, java.util.Arrays.toString(c));
        }
    }

    @Test
    void theReportSaysTheStrokesHaveAContextOf4() throws Exception {
        DataReport r = DataReport.of(Datasets.STROKES, Datasets.strokes());
        List<String> lines = r.lines();
        assertEquals("images:   1x16x16 (grey), 2 classes", lines.get(2));
        assertEquals("context:  4 values per sample", lines.get(3));
        assertEquals("sizes:    4,000 training images, 1,000 test images", lines.get(4));
        assertTrue(lines.get(1).contains("a context of 4 values a sample"), lines.get(1));
        assertEquals(4, r.toJson().get("context_features"));
        assertTrue(!DataReport.of("digits", Datasets.digits()).toJson().containsKey("context_features"));
    }
}

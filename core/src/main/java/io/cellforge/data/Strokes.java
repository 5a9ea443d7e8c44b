package io.cellforge.data;

import io.cellforge.ops.Shape;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * The bundled toy set where the context decides which filter is right: a static convolution cannot solve it, one
 * whose kernel a generator makes from the context can. Each image is 16x16 grey, low noise (0..40) with, for each
 * of four orientations (horizontal, vertical, diagonal down-right, diagonal down-left) independently with
 * probability 1/2, one bright stroke of that orientation (5..7 pixels of 200..255) lying wholly inside the image.
 * The context is a one-hot of 4: the orientation asked about; the label is 1 (present) when the image holds a
 * stroke of that orientation, else 0 (absent).
 *
 * <p>Without the context, the best any classifier can do is guess the majority of the four orientations the image
 * holds: with k of 4 present it is right max(k, 4 - k) / 4 of the time, which over the 16 equally likely stroke sets
 * is 11/16 = 68.75%. With it, the label is a function of image and context: 100%.
 *
 * <p>Deterministic: a {@link Random} of a fixed seed draws, for each image in turn, its 256 noise values (row by row),
 * then for each orientation in the order above whether it is there and if so its length, its intensity, its first
 * row and its first column, and last the asked orientation. {@link #main} writes the bundled files.
 */
public final class Strokes {
    public static final int SIDE = 16;
    public static final List<String> ORIENTATIONS = List.of("horizontal", "vertical", "diagonal down-right",
            "diagonal down-left");
    public static final List<String> CLASSES = List.of("absent", "present");
    public static final int TRAIN = 4000;
    public static final int TEST = 1000;
    public static final long TRAIN_SEED = 17;
    public static final long TEST_SEED = 18;
    static final String DESCRIPTION = "strokes (generated, Cellforge): 16x16 grey, a context of 4 values a sample "
            + "(one-hot: which stroke orientation is asked), label absent/present; 68.75% at most without the context";
    static final String[] PREFIXES = {"train", "t10k"};

    /** Each orientation's step from one stroke pixel to the next: (rows, columns). */
    private static final int[][] STEP = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};

    private Strokes() {
    }

    /** Generated images, and for each the orientations it holds (bit o for orientation o), which the image shows. */
    public record Generated(Dataset data, int[] strokeSets) {
    }

    /** {@code n} images drawn with {@code seed}: same seed, same images, context vectors and labels. */
    public static Generated generate(String name, int n, long seed) {
        Random r = new Random(seed);
        int per = SIDE * SIDE;
        byte[] px = new byte[n * per];
        float[] context = new float[n * ORIENTATIONS.size()];
        int[] labels = new int[n];
        int[] sets = new int[n];
        for (int i = 0; i < n; i++) {
            int off = i * per;
            for (int j = 0; j < per; j++) {
                px[off + j] = (byte) r.nextInt(41);
            }
            for (int o = 0; o < STEP.length; o++) {
                if (!r.nextBoolean()) {
                    continue;
                }
                sets[i] |= 1 << o;
                int length = 5 + r.nextInt(3);
                int value = 200 + r.nextInt(56);
                int y = start(r, STEP[o][0], length);
                int x = start(r, STEP[o][1], length);
                for (int k = 0; k < length; k++) {
                    int at = off + (y + k * STEP[o][0]) * SIDE + x + k * STEP[o][1];
                    px[at] = (byte) Math.max(px[at] & 0xff, value); // crossing strokes: the brighter shows
                }
            }
            int asked = r.nextInt(ORIENTATIONS.size());
            context[i * ORIENTATIONS.size() + asked] = 1;
            labels[i] = (sets[i] >> asked) & 1;
        }
        Dataset d = new Dataset(name, new Shape(1, SIDE, SIDE), CLASSES, px, Dataset.EIGHT_BIT, labels, context,
                ORIENTATIONS.size());
        return new Generated(d, sets);
    }

    /** Where a stroke of {@code length} may start along one axis so that it stays inside: step 0 anywhere. */
    private static int start(Random r, int step, int length) {
        int room = SIDE - length + 1;
        return step == 0 ? r.nextInt(SIDE) : step > 0 ? r.nextInt(room) : length - 1 + r.nextInt(room);
    }

    /** The bundled files by name, unpacked: images, labels and context of the training and the test images. */
    static Map<String, byte[]> files() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        Dataset[] parts = {generate("strokes train", TRAIN, TRAIN_SEED).data(), generate("strokes test", TEST, TEST_SEED).data()};
        for (int k = 0; k < 2; k++) {
            f.put(PREFIXES[k] + "-images-idx3-ubyte", Idx.imagesFile(parts[k]));
            f.put(PREFIXES[k] + "-labels-idx1-ubyte", Idx.labelsFile(parts[k]));
            f.put(PREFIXES[k] + "-context-idx2-ubyte", Idx.contextBytesFile(parts[k]));
        }
        return f;
    }

    /**
     * Writes the bundled files, gzipped, into the folder {@code args[0]}:
     * {@code java -cp core/target/classes io.cellforge.data.Strokes resources/datasets/strokes}.
     */
    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        for (Map.Entry<String, byte[]> e : files().entrySet()) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve(e.getKey() + ".gz")))) {
                o.write(e.getValue());
            }
        }
    }
}

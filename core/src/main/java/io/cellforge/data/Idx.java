package io.cellforge.data;

import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static io.cellforge.data.Datasets.allocate;
import static io.cellforge.data.Datasets.find;
import static io.cellforge.data.Datasets.numbered;
import static io.cellforge.data.Datasets.requireEnd;
import static io.cellforge.data.Datasets.requireLength;
import static io.cellforge.data.Datasets.requireValues;
import static io.cellforge.data.Datasets.split;

/**
 * IDX files as LeCun published MNIST: big-endian magic 0x0803 (images) and 0x0801 (labels). A split may have a
 * third file beside them, its context vectors ({@code train-context-idx2-ubyte} beside
 * {@code train-images-idx3-ubyte}): a 2-D IDX array N x D, one row an image, of unsigned bytes (magic 0x0802) or
 * big-endian float32 (0x0D02), optionally gzipped like the others.
 */
final class Idx {
    static final int IMAGES = 0x803;
    static final int LABELS = 0x801;
    static final int CONTEXT_BYTES = 0x802;
    static final int CONTEXT_FLOATS = 0xD02;
    /** More context values a sample than any generator would read: a header saying so is damaged. */
    static final int MAX_CONTEXT = 1 << 16;

    private Idx() {
    }

    /** An IDX file to read: one on disk, or one bundled in the jar (whose length is not known before reading). */
    interface Source {
        /** The file for messages: its path. */
        String where();

        /** The file name alone, for messages about another file. */
        String name();

        /** Its length in bytes, -1 when not known beforehand. */
        long size() throws LoadException;

        boolean gzipped();

        InputStream open() throws LoadException, IOException;

        static Source file(Path p) {
            return new Source() {
                public String where() {
                    return p.toString();
                }

                public String name() {
                    return p.getFileName().toString();
                }

                public long size() throws LoadException {
                    return Limits.sizeOf(p, Limits.DATA_FILE_BYTES);
                }

                public boolean gzipped() {
                    return Datasets.gzipped(p);
                }

                public InputStream open() throws LoadException {
                    return Datasets.open(p);
                }
            };
        }

        /** A gzipped file on the class path, {@code /cellforge/datasets/...}. */
        static Source resource(String path) {
            return new Source() {
                public String where() {
                    return path;
                }

                public String name() {
                    return path.substring(path.lastIndexOf('/') + 1);
                }

                public long size() {
                    return -1;
                }

                public boolean gzipped() {
                    return true;
                }

                public InputStream open() throws LoadException, IOException {
                    InputStream in = Idx.class.getResourceAsStream(path);
                    if (in == null) {
                        throw new LoadException(path, "missing from this build");
                    }
                    return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
                }
            };
        }
    }

    static DataBundle directory(Path dir) throws LoadException {
        Path trainImages = find(dir, "train-images-idx3-ubyte");
        Path trainContext = contextFile(dir, List.of("train"));
        // MNIST names its test files t10k-; some copies say test-.
        String testPrefix = find(dir, "t10k-images-idx3-ubyte") == null && find(dir, "test-images-idx3-ubyte") != null
                ? "test" : "t10k";
        Path testImages = find(dir, testPrefix + "-images-idx3-ubyte");
        Path testContext = testImages == null ? null : contextFile(dir, List.of("t10k", "test"));
        if (testImages != null && (trainContext == null) != (testContext == null)) {
            Path has = trainContext != null ? trainContext : testContext;
            Path lacks = trainContext != null ? testImages : trainImages;
            String prefix = trainContext != null ? testPrefix : "train";
            throw new LoadException(has.toString(), "context vectors for " + (trainContext != null ? "the training" : "the test")
                    + " images but none for " + lacks.getFileName() + " (expected " + prefix + "-context-idx2-ubyte or a "
                    + "float32 one beside it): both splits have context vectors or neither");
        }
        Dataset train = read(Source.file(trainImages), Source.file(labelsFor(dir, "train")),
                trainContext == null ? null : Source.file(trainContext));
        if (testImages == null) {
            return split(train, trainImages, "IDX " + dir);
        }
        Dataset test = read(Source.file(testImages), Source.file(labelsFor(dir, testPrefix)),
                testContext == null ? null : Source.file(testContext));
        if (!test.shape().equals(train.shape())) {
            throw new LoadException(testImages.toString(), "images are " + test.shape() + " but the training images ("
                    + trainImages.getFileName() + ") are " + train.shape() + "; both must have one size");
        }
        if (test.contextFeatures() != train.contextFeatures()) {
            throw new LoadException(testContext.toString(), "context vectors of " + test.contextFeatures() + " values but "
                    + "the training ones (" + trainContext.getFileName() + ") have " + train.contextFeatures()
                    + "; both must have one width");
        }
        // Labels that stop early in one of the two files do not change what a label means.
        List<String> names = numbered(Math.max(train.classes(), test.classes()));
        return new DataBundle(train.renamed(dir.getFileName() + " train").withClassNames(names),
                test.renamed(dir.getFileName() + " test").withClassNames(names), "IDX " + dir);
    }

    private static Path labelsFor(Path dir, String prefix) throws LoadException {
        Path l = find(dir, prefix + "-labels-idx1-ubyte");
        if (l == null) {
            throw new LoadException(dir.resolve(prefix + "-labels-idx1-ubyte").toString(), "no such file (the labels of "
                    + prefix + "-images-idx3-ubyte)");
        }
        return l;
    }

    static DataBundle pair(Path images) throws LoadException {
        String n = images.getFileName().toString();
        Path labels = images.resolveSibling(n.replace("images", "labels").replace("idx3", "idx1"));
        if (!Files.exists(labels)) {
            throw new LoadException(labels.toString(), "no such file (the labels of " + n + ")");
        }
        // The context file is named as the images are: mnist-images-idx3-ubyte beside mnist-context-idx2-*.
        Path context = null;
        int i = n.indexOf("images");
        int j = n.indexOf("idx3", Math.max(i, 0));
        if (i >= 0 && j > i && j + 4 < n.length()) {
            String stem = n.substring(0, i) + "context" + n.substring(i + "images".length(), j) + "idx2" + n.charAt(j + 4);
            Path dir = images.toAbsolutePath().getParent();
            context = contextNamed(dir, List.of(stem));
        }
        return split(read(Source.file(images), Source.file(labels), context == null ? null : Source.file(context)), images,
                "IDX " + images);
    }

    /** The context file of a split ({@code train}, or {@code t10k} or {@code test}) in {@code dir}, or null. */
    private static Path contextFile(Path dir, List<String> prefixes) throws LoadException {
        List<String> stems = new ArrayList<>();
        for (String p : prefixes) {
            stems.add(p + "-context-idx2-");
            stems.add(p + "-context.idx2-");
        }
        return contextNamed(dir, stems);
    }

    /**
     * The one file in {@code dir} whose name starts with one of {@code stems} ({@code -ubyte}, {@code -float}, with
     * {@code .gz} or not: the header says what it holds), or null; two are refused, as either could be meant.
     */
    private static Path contextNamed(Path dir, List<String> stems) throws LoadException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.sorted().forEach(p -> {
                String name = p.getFileName().toString();
                if (stems.stream().anyMatch(name::startsWith)) {
                    found.add(p);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new LoadException(dir.toString(), "cannot list the folder: " + e.getMessage());
        }
        if (found.size() > 1) {
            throw new LoadException(found.get(1).toString(), "a second context file beside " + found.get(0).getFileName()
                    + "; keep one");
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** Images, their labels and, when {@code context} is not null, their context vectors. */
    static Dataset read(Source images, Source labels, Source context) throws LoadException {
        int[] y = labels(labels);
        long size = images.size();
        String where = images.where();
        try (DataInputStream in = new DataInputStream(images.open())) {
            int magic = in.readInt();
            if (magic != IMAGES) {
                throw new LoadException(where, String.format("not an IDX image file (magic 0x%08x, expected 0x00000803)", magic));
            }
            int n = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            if (n != y.length) {
                throw new LoadException(where, n + " images but " + labels.name() + " has " + y.length + " labels");
            }
            if (h < 1 || w < 1 || h > Limits.IMAGE_SIDE || w > Limits.IMAGE_SIDE) {
                throw new LoadException(where, "implausible image size " + h + "x" + w + " (at most "
                        + Limits.IMAGE_SIDE + "x" + Limits.IMAGE_SIDE + ")");
            }
            long values = (long) n * h * w;
            String header = n + " images of " + h + "x" + w;
            requireValues(values, where);
            requireLength(where, images.gzipped(), size, 16 + values, header);
            byte[] x = Datasets.pixels(values, where);
            int at = in.readNBytes(x, 0, x.length);
            if (at < x.length) {
                // A gzip file's length says nothing of what it unpacks to: it is known short only here.
                throw new LoadException(where, String.format("file ends early at byte %,d, in image %,d of %,d: "
                        + "the header says %s (%,d bytes) (truncated?)", 16L + at, at / (h * w) + 1, n, header, 16 + values));
            }
            requireEnd(in, where, header);
            int classes = Arrays.stream(y).max().orElse(0) + 1;
            Dataset d = new Dataset(images.name(), new Shape(1, h, w), numbered(Math.max(classes, 2)), x, Dataset.EIGHT_BIT, y);
            if (context == null) {
                return d;
            }
            Context c = context(context, n, images.name());
            return d.withContext(c.values(), c.features());
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (EOFException e) {
            throw new LoadException(where, "file ends early (truncated?)");
        } catch (IOException e) {
            throw new LoadException(where, "cannot read: " + e.getMessage());
        }
    }

    private static int[] labels(Source labels) throws LoadException {
        long size = labels.size();
        String where = labels.where();
        try (DataInputStream in = new DataInputStream(labels.open())) {
            int magic = in.readInt();
            if (magic != LABELS) {
                throw new LoadException(where, String.format("not an IDX label file (magic 0x%08x, expected 0x00000801)", magic));
            }
            int n = in.readInt();
            if (n < 1) {
                throw new LoadException(where, "the header says " + n + " labels; there must be at least one");
            }
            requireValues(n, where); // one label an image, of one pixel at least
            requireLength(where, labels.gzipped(), size, 8L + n, n + " labels");
            int[] y = allocate(4L * n, where, () -> new int[n]);
            byte[] buf = new byte[1 << 16];
            for (int at = 0; at < n; ) {
                int r = in.read(buf, 0, Math.min(buf.length, n - at));
                if (r < 0) {
                    throw new LoadException(where, String.format("file ends early at byte %,d, label %,d of %,d "
                            + "(truncated?)", 8L + at, at + 1, n));
                }
                for (int i = 0; i < r; i++) {
                    y[at++] = buf[i] & 0xff;
                }
            }
            requireEnd(in, where, n + " labels");
            return y;
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (EOFException e) {
            throw new LoadException(where, "file ends early (truncated?)");
        } catch (IOException e) {
            throw new LoadException(where, "cannot read: " + e.getMessage());
        }
    }

    /** Context vectors: N x {@code features} values, row-major. */
    private record Context(float[] values, int features) {
    }

    /**
     * The context vectors of the {@code images} images of {@code imagesName}. Bytes are taken as the numbers 0..255
     * they are, floats as they are (finite only).
     */
    private static Context context(Source context, int images, String imagesName) throws LoadException {
        long size = context.size();
        String where = context.where();
        try (DataInputStream in = new DataInputStream(context.open())) {
            int magic = in.readInt();
            if (magic != CONTEXT_BYTES && magic != CONTEXT_FLOATS) {
                throw new LoadException(where, String.format("not an IDX context file (magic 0x%08x, expected 0x00000802 "
                        + "for unsigned bytes or 0x00000d02 for float32, N x D)", magic));
            }
            boolean floats = magic == CONTEXT_FLOATS;
            int n = in.readInt();
            int d = in.readInt();
            if (n != images) {
                throw new LoadException(where, n + " context vectors but " + imagesName + " has " + images + " images");
            }
            if (d < 1 || d > MAX_CONTEXT) {
                throw new LoadException(where, String.format("implausible context width %d (1..%,d values a sample)", d, MAX_CONTEXT));
            }
            long values = (long) n * d;
            String header = String.format("%d context vectors of %d %s", n, d, floats ? "float32" : "bytes");
            requireValues(values, where);
            requireLength(where, context.gzipped(), size, 12 + values * (floats ? 4 : 1), header);
            float[] c = allocate(4 * values, where, () -> new float[(int) values]);
            int i = 0;
            try {
                for (; i < c.length; i++) {
                    c[i] = floats ? in.readFloat() : in.readUnsignedByte();
                    if (!Float.isFinite(c[i])) {
                        throw new LoadException(where, String.format("context vector %,d of %,d, value %d is %s: context "
                                + "values must be finite", i / d + 1, n, i % d, c[i]));
                    }
                }
            } catch (EOFException e) {
                throw new LoadException(where, String.format("file ends early in context vector %,d of %,d: the header says "
                        + "%s (truncated?)", i / d + 1, n, header));
            }
            requireEnd(in, where, header);
            return new Context(c, d);
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (EOFException e) {
            throw new LoadException(where, "file ends early (truncated?)");
        } catch (IOException e) {
            throw new LoadException(where, "cannot read: " + e.getMessage());
        }
    }

    // ---- writing, for the generated sets bundled with Cellforge -----------------------------------------

    /** The images of one-channel {@code d} as an IDX image file. */
    static byte[] imagesFile(Dataset d) {
        if (d.shape().channels() != 1) {
            throw new IllegalArgumentException(d.name() + ": IDX images have one channel, not " + d.shape().channels());
        }
        return file(IMAGES, new int[] {d.size(), d.shape().height(), d.shape().width()}, o -> o.write(d.pixels()));
    }

    static byte[] labelsFile(Dataset d) {
        return file(LABELS, new int[] {d.size()}, o -> {
            for (int l : d.labels()) {
                o.writeByte(l);
            }
        });
    }

    /** The context vectors of {@code d} as unsigned bytes: each value must be a whole number 0..255. */
    static byte[] contextBytesFile(Dataset d) {
        for (float v : d.context()) {
            if (v != Math.rint(v) || v < 0 || v > 255) {
                throw new IllegalArgumentException(d.name() + ": context value " + v + " is not a byte");
            }
        }
        return file(CONTEXT_BYTES, new int[] {d.size(), d.contextFeatures()}, o -> {
            for (float v : d.context()) {
                o.writeByte((int) v);
            }
        });
    }

    private interface Body {
        void write(DataOutputStream o) throws IOException;
    }

    private static byte[] file(int magic, int[] dims, Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeInt(magic);
            for (int dim : dims) {
                o.writeInt(dim);
            }
            body.write(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }
}

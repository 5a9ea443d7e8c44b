package io.cellforge.data;

import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads the formats people have: the bundled UCI digits ({@code digits}), IDX (MNIST, Fashion-MNIST; gzip or
 * not), CIFAR-10/100 binary, a folder with one sub-folder of images per class, and CSV. Every error names the
 * file (and the line for CSV).
 */
public final class Datasets {
    /** The name that selects the bundled digits. */
    public static final String DIGITS = "digits";
    static final String DIGITS_RESOURCE = "/cellforge/datasets/digits.csv.gz";
    /** Fraction of the digits kept for training; the rest is the test set (the UCI set has no fixed split). */
    static final double DIGITS_TRAIN = 0.8;
    static final long SPLIT_SEED = 1797;

    private Datasets() {
    }

    /** {@code digits}, or a path: a directory (IDX, CIFAR, image folder) or a file (.csv, .csv.gz, IDX images). */
    public static DataBundle load(String spec) throws LoadException {
        if (DIGITS.equals(spec)) {
            return digits();
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new LoadException(spec, "no such file or directory (give 'digits' or a path to IDX, CIFAR binary, "
                    + "an image folder or a CSV file)");
        }
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            if (find(p, "train-images-idx3-ubyte") != null) {
                return Idx.directory(p);
            }
            if (Files.exists(p.resolve("data_batch_1.bin")) || Files.exists(p.resolve("train.bin"))) {
                return Cifar.directory(p);
            }
            return ImageFolder.read(p);
        }
        if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
            return split(Csv.read(p, n.endsWith(".gz")), "CSV " + p.getFileName());
        }
        if (n.contains("idx3")) {
            return Idx.pair(p);
        }
        throw new LoadException(spec, "unknown data format: expected a directory, a .csv file or an IDX image file");
    }

    /** The bundled UCI optical digits (1,797 images of 8x8, 10 classes), split 80/20 with a fixed seed. */
    public static DataBundle digits() throws LoadException {
        try (InputStream in = Datasets.class.getResourceAsStream(DIGITS_RESOURCE)) {
            if (in == null) {
                throw new LoadException(DIGITS_RESOURCE, "the bundled digits are missing from this build");
            }
            Dataset all = Csv.parse(new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8)),
                    "digits.csv", new Shape(1, 8, 8), 16f, false);
            return split(new Dataset("digits", all.shape(), all.classNames(), all.images(), all.labels()),
                    "UCI optical digits, 8x8, 10 classes (CC BY 4.0)");
        } catch (IOException e) {
            throw new LoadException(DIGITS_RESOURCE, "cannot read: " + e.getMessage());
        }
    }

    private static DataBundle split(Dataset all, String description) {
        Dataset[] parts = all.split(DIGITS_TRAIN, SPLIT_SEED);
        return new DataBundle(rename(parts[0], all.name() + " train"), rename(parts[1], all.name() + " test"), description);
    }

    static Dataset rename(Dataset d, String name) {
        return new Dataset(name, d.shape(), d.classNames(), d.images(), d.labels());
    }

    static InputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        return p.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : new java.io.BufferedInputStream(in, 1 << 16);
    }

    /** {@code base} or {@code base.gz} inside a directory, or null. */
    static Path find(Path dir, String base) {
        for (String s : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(s);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    static List<String> numbered(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(Integer.toString(i));
        }
        return l;
    }

    // ---- IDX --------------------------------------------------------------------------------------------

    /** IDX files as LeCun published MNIST: big-endian magic 0x0803 (images) and 0x0801 (labels). */
    static final class Idx {
        private Idx() {
        }

        static DataBundle directory(Path dir) throws LoadException {
            Dataset train = read(find(dir, "train-images-idx3-ubyte"), labelsFor(dir, "train"));
            Path testImages = find(dir, "t10k-images-idx3-ubyte");
            Dataset test = testImages == null ? null : read(testImages, labelsFor(dir, "t10k"));
            if (test == null) {
                return split(train, "IDX " + dir);
            }
            return new DataBundle(rename(train, dir.getFileName() + " train"), rename(test, dir.getFileName() + " test"), "IDX " + dir);
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
            return split(read(images, labels), "IDX " + images);
        }

        static Dataset read(Path images, Path labels) throws LoadException {
            int[] y;
            try (DataInputStream in = new DataInputStream(open(labels))) {
                int magic = in.readInt();
                if (magic != 0x801) {
                    throw new LoadException(labels.toString(), String.format("not an IDX label file (magic 0x%08x, expected 0x00000801)", magic));
                }
                int n = in.readInt();
                if (n < 0 || n > 100_000_000) {
                    throw new LoadException(labels.toString(), "implausible label count " + n);
                }
                byte[] b = new byte[n];
                in.readFully(b);
                y = new int[n];
                for (int i = 0; i < n; i++) {
                    y[i] = b[i] & 0xff;
                }
            } catch (EOFException e) {
                throw new LoadException(labels.toString(), "file ends early (truncated?)");
            } catch (NoSuchFileException e) {
                throw new LoadException(labels.toString(), "no such file");
            } catch (IOException e) {
                throw new LoadException(labels.toString(), "cannot read: " + e.getMessage());
            }
            try (DataInputStream in = new DataInputStream(open(images))) {
                int magic = in.readInt();
                if (magic != 0x803) {
                    throw new LoadException(images.toString(), String.format("not an IDX image file (magic 0x%08x, expected 0x00000803)", magic));
                }
                int n = in.readInt();
                int h = in.readInt();
                int w = in.readInt();
                if (n != y.length) {
                    throw new LoadException(images.toString(), n + " images but " + labels.getFileName() + " has " + y.length + " labels");
                }
                if (h < 1 || w < 1 || h > 4096 || w > 4096) {
                    throw new LoadException(images.toString(), "implausible image size " + h + "x" + w);
                }
                byte[] b = new byte[n * h * w];
                in.readFully(b);
                float[] x = new float[b.length];
                for (int i = 0; i < b.length; i++) {
                    x[i] = (b[i] & 0xff) / 255f;
                }
                int classes = Arrays.stream(y).max().orElse(0) + 1;
                return new Dataset(images.getFileName().toString(), new Shape(1, h, w), numbered(Math.max(classes, 2)), x, y);
            } catch (EOFException e) {
                throw new LoadException(images.toString(), "file ends early (truncated?)");
            } catch (NoSuchFileException e) {
                throw new LoadException(images.toString(), "no such file");
            } catch (IOException e) {
                throw new LoadException(images.toString(), "cannot read: " + e.getMessage());
            }
        }
    }

    // ---- CIFAR binary -----------------------------------------------------------------------------------

    /** The binary versions: CIFAR-10 (1 label byte + 3072 pixels) and CIFAR-100 (coarse + fine label bytes). */
    static final class Cifar {
        private Cifar() {
        }

        static DataBundle directory(Path dir) throws LoadException {
            boolean c100 = Files.exists(dir.resolve("train.bin"));
            List<Path> train = new ArrayList<>();
            if (c100) {
                train.add(dir.resolve("train.bin"));
            } else {
                for (int i = 1; i <= 5; i++) {
                    Path p = dir.resolve("data_batch_" + i + ".bin");
                    if (Files.exists(p)) {
                        train.add(p);
                    }
                }
            }
            Path testFile = dir.resolve(c100 ? "test.bin" : "test_batch.bin");
            List<String> names = names(dir, c100);
            Dataset tr = read(train, c100, names, "CIFAR-" + (c100 ? 100 : 10) + " train");
            if (!Files.exists(testFile)) {
                throw new LoadException(testFile.toString(), "no such file (the CIFAR test batch)");
            }
            Dataset te = read(List.of(testFile), c100, names, "CIFAR-" + (c100 ? 100 : 10) + " test");
            return new DataBundle(tr, te, "CIFAR-" + (c100 ? 100 : 10) + " binary, " + dir);
        }

        private static List<String> names(Path dir, boolean c100) throws LoadException {
            Path meta = dir.resolve(c100 ? "fine_label_names.txt" : "batches.meta.txt");
            if (Files.exists(meta)) {
                try (Stream<String> lines = Files.lines(meta)) {
                    List<String> l = lines.map(String::strip).filter(s -> !s.isEmpty()).toList();
                    if (l.size() == (c100 ? 100 : 10)) {
                        return l;
                    }
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new LoadException(meta.toString(), "cannot read: " + e.getMessage());
                }
            }
            return numbered(c100 ? 100 : 10);
        }

        static Dataset read(List<Path> files, boolean c100, List<String> names, String name) throws LoadException {
            int labelBytes = c100 ? 2 : 1;
            int record = labelBytes + 3072;
            List<float[]> xs = new ArrayList<>();
            List<int[]> ys = new ArrayList<>();
            int total = 0;
            for (Path f : files) {
                byte[] b;
                try {
                    b = Files.readAllBytes(f);
                } catch (IOException e) {
                    throw new LoadException(f.toString(), "cannot read: " + e.getMessage());
                }
                if (b.length == 0 || b.length % record != 0) {
                    throw new LoadException(f.toString(), b.length + " bytes is not a whole number of " + record
                            + "-byte CIFAR-" + (c100 ? 100 : 10) + " records (truncated, or the other CIFAR?)");
                }
                int n = b.length / record;
                float[] x = new float[n * 3072];
                int[] y = new int[n];
                for (int i = 0; i < n; i++) {
                    int off = i * record;
                    y[i] = b[off + labelBytes - 1] & 0xff;
                    if (y[i] >= names.size()) {
                        throw new LoadException(f.toString(), "record " + i + " has label " + y[i] + " (expected below " + names.size() + ")");
                    }
                    for (int j = 0; j < 3072; j++) {
                        x[i * 3072 + j] = (b[off + labelBytes + j] & 0xff) / 255f;
                    }
                }
                xs.add(x);
                ys.add(y);
                total += n;
            }
            float[] x = new float[total * 3072];
            int[] y = new int[total];
            int at = 0;
            for (int k = 0; k < xs.size(); k++) {
                System.arraycopy(xs.get(k), 0, x, at * 3072, xs.get(k).length);
                System.arraycopy(ys.get(k), 0, y, at, ys.get(k).length);
                at += ys.get(k).length;
            }
            return new Dataset(name, new Shape(3, 32, 32), names, x, y);
        }
    }
}

package io.cellforge.data;

import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.ops.Shape;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads the formats people have: the bundled UCI digits ({@code digits}) and generated strokes ({@code strokes}),
 * IDX (MNIST, Fashion-MNIST; gzip or not), CIFAR-10/100 binary, a folder with one sub-folder of images per class,
 * and CSV. IDX and CSV may carry a context vector per sample beside the image (see {@link Idx} and {@link Csv}).
 * Every error names the file (and the line for CSV).
 */
public final class Datasets {
    /** The name that selects the bundled digits. */
    public static final String DIGITS = "digits";
    static final String DIGITS_RESOURCE = "/cellforge/datasets/digits.csv.gz";
    /** Fraction of the digits kept for training; the rest is the test set (the UCI set has no fixed split). */
    static final double DIGITS_TRAIN = 0.8;
    static final long SPLIT_SEED = 1797;
    /** The name that selects the bundled strokes ({@link Strokes}): images with a context vector each. */
    public static final String STROKES = "strokes";
    /** The folder of the strokes' gzipped IDX files on the class path. */
    static final String STROKES_RESOURCE = "/cellforge/datasets/strokes/";

    private Datasets() {
    }

    /**
     * {@code digits}, {@code strokes}, or a path: a directory (IDX, CIFAR, image folder) or a file (.csv, .csv.gz,
     * IDX images).
     */
    public static DataBundle load(String spec) throws LoadException {
        if (DIGITS.equals(spec)) {
            return digits();
        }
        if (STROKES.equals(spec)) {
            return strokes();
        }
        Path p = Path.of(spec);
        if (!Files.exists(p)) {
            throw new LoadException(spec, "no such file or directory (give 'digits', 'strokes' or a path to IDX, CIFAR "
                    + "binary, an image folder or a CSV file)");
        }
        String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            // The folder the CIFAR archives unpack to, given by the folder around it.
            for (String unpacked : new String[] {"cifar-10-batches-bin", "cifar-100-binary"}) {
                if (Files.isDirectory(p.resolve(unpacked)) && !Files.exists(p.resolve("data_batch_1.bin"))
                        && !Files.exists(p.resolve("train.bin"))) {
                    return Cifar.directory(p.resolve(unpacked));
                }
            }
            if (find(p, "train-images-idx3-ubyte") != null) {
                return Idx.directory(p);
            }
            if (Files.exists(p.resolve("data_batch_1.bin")) || Files.exists(p.resolve("train.bin"))) {
                return Cifar.directory(p);
            }
            return ImageFolder.read(p);
        }
        if (n.endsWith(".csv") || n.endsWith(".csv.gz")) {
            Csv.Parsed csv = Csv.read(p);
            return split(csv.data(), p, "CSV " + p.getFileName() + (csv.note().isEmpty() ? "" : " (" + csv.note() + ")"));
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
            Dataset all = Csv.parse(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8),
                    "digits.csv", new Shape(1, 8, 8), 16f, false).data();
            return split(all.renamed("digits"), null,
                    "UCI optical digits, 8x8, 10 classes (CC BY 4.0)");
        } catch (IOException e) {
            throw new LoadException(DIGITS_RESOURCE, "cannot read: " + e.getMessage());
        }
    }

    /**
     * The bundled strokes ({@link Strokes}): 4,000 training and 1,000 test images of 16x16, each with a one-hot
     * context of 4 values that says which stroke orientation is asked; 2 classes, absent and present.
     */
    public static DataBundle strokes() throws LoadException {
        Dataset[] parts = new Dataset[2];
        for (int k = 0; k < 2; k++) {
            String base = STROKES_RESOURCE + Strokes.PREFIXES[k];
            parts[k] = Idx.read(Idx.Source.resource(base + "-images-idx3-ubyte.gz"),
                    Idx.Source.resource(base + "-labels-idx1-ubyte.gz"),
                    Idx.Source.resource(base + "-context-idx2-ubyte.gz"))
                    .renamed(k == 0 ? "strokes train" : "strokes test").withClassNames(Strokes.CLASSES);
        }
        return new DataBundle(parts[0], parts[1], Strokes.DESCRIPTION);
    }

    /** Training and test images cut 80/20 from one set, which needs two images at least. */
    static DataBundle split(Dataset all, Path source, String description) throws LoadException {
        if (all.size() < 2) {
            throw new LoadException(source == null ? all.name() : source.toString(), all.size() + " image is too few: "
                    + "the data are split into training and test images, which needs at least 2");
        }
        Dataset[] parts = all.split(DIGITS_TRAIN, SPLIT_SEED);
        return new DataBundle(rename(parts[0], all.name() + " train"), rename(parts[1], all.name() + " test"), description);
    }

    static Dataset rename(Dataset d, String name) {
        return d.renamed(name);
    }

    /**
     * A data file through a bounded stream: a regular file of at most {@link Limits#DATA_FILE_BYTES}, and no
     * more than that after gunzip ({@code .gz}), so that neither a huge file nor a gzip bomb fills the memory.
     */
    static InputStream open(Path p) throws LoadException {
        InputStream raw = Limits.open(p, Limits.DATA_FILE_BYTES);
        if (!gzipped(p)) {
            return new BufferedInputStream(raw, 1 << 16);
        }
        try {
            return Limits.bounded(new GZIPInputStream(raw, 1 << 16), Limits.DATA_FILE_BYTES,
                    p + ": unpacks to more than " + Limits.bytes(Limits.DATA_FILE_BYTES) + ", the most Cellforge reads");
        } catch (IOException e) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // the file is refused anyway
            }
            throw new LoadException(p.toString(), "not a gzip file (" + e.getMessage() + ")");
        }
    }

    static boolean gzipped(Path p) {
        return p.toString().endsWith(".gz");
    }

    /** Refuses, in one line naming {@code where}, data of more than {@link Limits#DATA_VALUES} pixel values. */
    static void requireValues(long values, String where) throws LoadException {
        if (values > Limits.DATA_VALUES) {
            throw new LoadException(where, String.format("%,d pixel values are more than the %,d Cellforge holds in memory",
                    values, Limits.DATA_VALUES));
        }
    }

    /** Refuses, in one line naming {@code where}, data that need more than the memory Java may use. */
    static void requireMemory(long bytes, String where) throws LoadException {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max) {
            throw new LoadException(where, String.format("the data need %,d MB of memory, more than the %,d MB Java may use "
                    + "(raise it with -Xmx)", bytes >> 20, max >> 20));
        }
    }

    /**
     * An array of {@code bytes} bytes made by {@code make}, or one line naming {@code where} when it is more than
     * the memory Java may use or has left (a single large allocation fails cleanly and leaves nothing behind).
     */
    static <T> T allocate(long bytes, String where, java.util.function.Supplier<T> make) throws LoadException {
        requireMemory(bytes, where);
        try {
            return make.get();
        } catch (OutOfMemoryError e) {
            throw new LoadException(where, String.format("the data need %,d MB of memory and Java has not that much left "
                    + "(raise it with -Xmx)", bytes >> 20));
        }
    }

    /** Room for {@code values} pixels, a byte each: {@link #requireValues} and {@link #allocate}. */
    static byte[] pixels(long values, String where) throws LoadException {
        requireValues(values, where);
        return allocate(values, where, () -> new byte[(int) values]);
    }

    /**
     * Before anything is allocated: a raw file must be exactly {@code expected} bytes long as its header says,
     * and a gzip file of {@code size} bytes must be able to hold them (deflate packs at most 1032 to 1); a size of
     * -1 (not known beforehand) passes.
     */
    static void requireLength(String where, boolean gzipped, long size, long expected, String header) throws LoadException {
        if (size < 0) {
            return; // a bundled file: read to its end, which the reader checks
        }
        if (gzipped) {
            if (expected > size * 1032 + 1024) {
                throw new LoadException(where, "the header says " + header + " (" + expected + " bytes), more than "
                        + "a gzip file of " + size + " bytes can hold (damaged?)");
            }
        } else if (size != expected) {
            throw new LoadException(where, (size < expected ? "file ends early: " : "file is longer than its header says: ")
                    + "the header says " + header + " (" + expected + " bytes) but the file has " + size + " bytes"
                    + (size < expected ? " (truncated?)" : ""));
        }
    }

    /** After the last byte the header announced: nothing more (a file that grew, or a gzip file with more). */
    static void requireEnd(InputStream in, String where, String header) throws IOException, LoadException {
        if (in.read() >= 0) {
            throw new LoadException(where, "file is longer than its header says (" + header + ")");
        }
    }

    /**
     * {@code base} or {@code base.gz} inside a directory, or the name as some copies of MNIST spell it
     * ({@code train-images.idx3-ubyte}); null when none is there.
     */
    static Path find(Path dir, String base) {
        String dotted = base.replace("-idx", ".idx");
        for (String s : new String[] {base, base + ".gz", dotted, dotted + ".gz"}) {
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

    // ---- CIFAR binary -----------------------------------------------------------------------------------

    /** The binary versions: CIFAR-10 (1 label byte + 3072 pixels) and CIFAR-100 (coarse + fine label bytes). */
    static final class Cifar {
        private static final int PIXELS = 3072;

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
            // Named by their folder, as IDX data are, so that a line about them says which data.
            String kind = " (CIFAR-" + (c100 ? 100 : 10) + ")";
            Dataset tr = read(train, c100, names, dir.getFileName() + " train" + kind);
            if (!Files.exists(testFile)) {
                throw new LoadException(testFile.toString(), "no such file (the CIFAR test batch)");
            }
            Dataset te = read(List.of(testFile), c100, names, dir.getFileName() + " test" + kind);
            return new DataBundle(tr, te, "CIFAR-" + (c100 ? 100 : 10) + " binary, " + dir);
        }

        private static List<String> names(Path dir, boolean c100) throws LoadException {
            Path meta = dir.resolve(c100 ? "fine_label_names.txt" : "batches.meta.txt");
            if (Files.exists(meta)) {
                List<String> l = SpaceFiles.readText(meta).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
                if (l.size() == (c100 ? 100 : 10)) {
                    return l;
                }
            }
            return numbered(c100 ? 100 : 10);
        }

        /** The sizes of all files are checked, and the one array allocated, before a record is read. */
        static Dataset read(List<Path> files, boolean c100, List<String> names, String name) throws LoadException {
            int labelBytes = c100 ? 2 : 1;
            int record = labelBytes + PIXELS;
            long[] counts = new long[files.size()];
            long total = 0;
            for (int k = 0; k < files.size(); k++) {
                Path f = files.get(k);
                long size = Limits.sizeOf(f, Limits.DATA_FILE_BYTES);
                if (size == 0 || size % record != 0) {
                    throw new LoadException(f.toString(), size + " bytes is not a whole number of " + record
                            + "-byte CIFAR-" + (c100 ? 100 : 10) + " records (truncated, or the other CIFAR?)");
                }
                counts[k] = size / record;
                total += counts[k];
            }
            byte[] x = pixels(total * PIXELS, files.get(0).toString());
            int[] y = allocate(4 * total, files.get(0).toString(), () -> new int[x.length / PIXELS]);
            byte[] rec = new byte[record];
            int at = 0;
            for (int k = 0; k < files.size(); k++) {
                Path f = files.get(k);
                try (DataInputStream in = new DataInputStream(open(f))) {
                    for (long i = 0; i < counts[k]; i++, at++) {
                        in.readFully(rec);
                        y[at] = rec[labelBytes - 1] & 0xff;
                        if (y[at] >= names.size()) {
                            throw new LoadException(f.toString(), String.format("record %,d (at byte %,d) has label %d (expected below %d)",
                                    i, i * record + labelBytes - 1, y[at], names.size()));
                        }
                        System.arraycopy(rec, labelBytes, x, at * PIXELS, PIXELS);
                    }
                    requireEnd(in, f.toString(), counts[k] + " records");
                } catch (Limits.TooLarge e) {
                    throw new LoadException(null, e.getMessage());
                } catch (EOFException e) {
                    throw new LoadException(f.toString(), "file ends early (it changed while being read?)");
                } catch (IOException e) {
                    throw new LoadException(f.toString(), "cannot read: " + e.getMessage());
                }
            }
            return new Dataset(name, new Shape(3, 32, 32), names, x, Dataset.EIGHT_BIT, y);
        }
    }
}

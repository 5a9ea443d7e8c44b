package io.cellforge.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Cellforge sees in a data source, before any search: its format, the image shape, the classes with their
 * counts, the training and test sizes, the memory the images take, and the normalisation the networks will be
 * fed with (per channel, from the training images). {@code cellforge data} prints it; a run folder keeps it as
 * {@code data.json}, so that the normalisation and the sample a search used are known after it.
 */
public record DataReport(String source, DataBundle data, float[][] normalisation) {
    /** The file a run folder keeps the report in. */
    public static final String FILE = "data.json";

    public static DataReport of(String source, DataBundle data) {
        return new DataReport(source, data, data.train().channelStats());
    }

    /** The report as lines for a terminal. */
    public List<String> lines() {
        Dataset tr = data.train();
        Dataset te = data.test();
        List<String> l = new ArrayList<>();
        l.add("data:     " + source);
        l.add("format:   " + data.description());
        l.add(String.format(Locale.ROOT, "images:   %s (%s), %d classes", tr.shape(), tr.shape().channels() == 1 ? "grey"
                : tr.shape().channels() == 3 ? "RGB" : tr.shape().channels() + " channels", tr.classes()));
        l.add(String.format(Locale.ROOT, "sizes:    %,d training images, %,d test images", tr.size(), te.size()));
        if (data.sample().partial()) {
            l.add("sample:   " + data.sample().line());
        }
        int[] a = tr.classCounts();
        int[] b = te.classCounts();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < tr.classes(); c++) {
            // Numbered classes (IDX, CSV) are their label; named ones (folders, CIFAR) say both.
            String name = tr.classNames().get(c);
            names.add(name.equals(Integer.toString(c)) ? name : c + " " + name);
        }
        int width = Math.max(5, names.stream().mapToInt(String::length).max().orElse(0));
        l.add(String.format(Locale.ROOT, "  %-" + width + "s %9s %9s", "class", "train", "test"));
        for (int c = 0; c < names.size(); c++) {
            l.add(String.format(Locale.ROOT, "  %-" + width + "s %,9d %,9d", names.get(c), a[c], c < b.length ? b[c] : 0));
        }
        l.add(String.format(Locale.ROOT, "memory:   %s as bytes (as floats it would be %s)", size(data.storageBytes()),
                size(tr.floatBytes() + te.floatBytes())));
        StringBuilder n = new StringBuilder("normalise: ");
        for (int c = 0; c < normalisation[0].length; c++) {
            n.append(String.format(Locale.ROOT, "%schannel %d mean %.4f std %.4f", c == 0 ? "" : ", ", c, normalisation[0][c],
                    normalisation[1][c]));
        }
        l.add(n + " (from the training images)");
        return l;
    }

    /** The report as JSON: what {@code data --json} prints and a run folder's {@code data.json} holds. */
    public Map<String, Object> toJson() {
        Dataset tr = data.train();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", source);
        m.put("format", data.description());
        m.put("shape", List.of(tr.shape().channels(), tr.shape().height(), tr.shape().width()));
        m.put("classes", tr.classNames());
        m.put("train_counts", tr.classCounts());
        m.put("test_counts", data.test().classCounts());
        m.put("sample", data.sample().toJson());
        m.put("memory_bytes", data.storageBytes());
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("mean", normalisation[0]);
        norm.put("std", normalisation[1]);
        m.put("normalisation", norm);
        return m;
    }

    /**
     * Writes the report into a run folder as {@value #FILE}, atomically: the command line and the app keep what a
     * search was fed (the sample, the normalisation) the same way.
     */
    public void write(java.nio.file.Path dir) throws java.io.IOException {
        io.cellforge.io.FileWrites.writeAtomically(dir.resolve(FILE),
                new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n");
    }

    /** "47.1 MB": decimal units, as the issue and the README count memory. */
    static String size(long bytes) {
        if (bytes < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        return bytes < 1_000_000_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6) : String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}

package io.cellforge.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What Cellforge sees in a data source, before any search: its format, the image shape, the width of the samples'
 * context vectors (where they have one), the classes with their counts, the training and test sizes, the memory
 * the images take, and the normalisation the networks will be fed with (per channel, from the training images).
 * {@code cellforge data} prints it; a run folder keeps it as {@code data.json}, so that the normalisation and the
 * sample a search used are known after it.
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
        if (tr.hasContext()) {
            l.add(String.format(Locale.ROOT, "context:  %d values per sample", tr.contextFeatures()));
        }
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
        l.add("normalise: " + describe(normalisation) + " (from the training images)");
        return l;
    }

    /** The report as JSON: what {@code data --json} prints and a run folder's {@code data.json} holds. */
    public Map<String, Object> toJson() {
        Dataset tr = data.train();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", absolute(source)); // a relative path means nothing once the working folder changes
        m.put("format", data.description());
        m.put("shape", List.of(tr.shape().channels(), tr.shape().height(), tr.shape().width()));
        if (tr.hasContext()) {
            m.put("context_features", tr.contextFeatures());
        }
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
     * The normalisation a run folder's {@code data.json} recorded, if the run read the same data ({@code source}
     * names the same file or folder, or is the same name) with {@code channels} channels: retraining a searched
     * architecture feeds its network the numbers the search fed it. Empty when there is no report, it is of other
     * data, or it cannot be read (the caller then normalises from its own training images).
     */
    public static java.util.Optional<float[][]> recordedNormalisation(java.nio.file.Path runDir, String source, int channels) {
        java.util.Optional<com.fasterxml.jackson.databind.JsonNode> report = read(runDir);
        if (report.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            com.fasterxml.jackson.databind.JsonNode j = report.get();
            if (!sameSource(j.path("data").asText(), source)) {
                return java.util.Optional.empty();
            }
            com.fasterxml.jackson.databind.JsonNode mean = j.path("normalisation").path("mean");
            com.fasterxml.jackson.databind.JsonNode std = j.path("normalisation").path("std");
            if (mean.size() != channels || std.size() != channels) {
                return java.util.Optional.empty();
            }
            float[][] n = new float[2][channels];
            for (int c = 0; c < channels; c++) {
                n[0][c] = (float) mean.get(c).asDouble();
                n[1][c] = (float) std.get(c).asDouble();
                if (!(n[1][c] > 0) || !Float.isFinite(n[0][c]) || !Float.isFinite(n[1][c])) {
                    return java.util.Optional.empty();
                }
            }
            return java.util.Optional.of(n);
        } catch (RuntimeException e) { // a field of another type than a report writes
            return java.util.Optional.empty();
        }
    }

    /** A sample a run folder's report recorded: the images drawn, null where all of them were taken. */
    public record Sample(Integer train, Integer test) {
    }

    /**
     * The sample a run was started on, as its {@code data.json} recorded it; all the images when there is none or it
     * cannot be read (a run from before data.json).
     */
    public static Sample recordedSample(java.nio.file.Path runDir) {
        com.fasterxml.jackson.databind.JsonNode m = read(runDir).map(j -> j.path("sample")).orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
        int train = m.path("train").asInt();
        int test = m.path("test").asInt();
        return new Sample(train < m.path("train_of").asInt() ? train : null, test < m.path("test_of").asInt() ? test : null);
    }

    /** A run folder's report as JSON; empty when there is none or it cannot be read. */
    private static java.util.Optional<com.fasterxml.jackson.databind.JsonNode> read(java.nio.file.Path runDir) {
        java.nio.file.Path f = runDir.resolve(FILE);
        if (!java.nio.file.Files.isRegularFile(f)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new com.fasterxml.jackson.databind.ObjectMapper().readTree(f.toFile()));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** A bundled set's name (no such file here) is the same by name; a file or folder is the same file. */
    private static boolean sameSource(String recorded, String source) {
        try {
            java.nio.file.Path a = java.nio.file.Path.of(recorded);
            java.nio.file.Path b = java.nio.file.Path.of(source);
            boolean files = java.nio.file.Files.exists(a) || java.nio.file.Files.exists(b);
            return files ? java.nio.file.Files.exists(a) && java.nio.file.Files.exists(b) && java.nio.file.Files.isSameFile(a, b)
                    : recorded.equals(source);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code source} as an absolute path when it names a file or folder here; a bundled set's name as it is. */
    static String absolute(String source) {
        try {
            java.nio.file.Path p = java.nio.file.Path.of(source);
            return java.nio.file.Files.exists(p) ? p.toAbsolutePath().normalize().toString() : source;
        } catch (RuntimeException e) {
            return source;
        }
    }

    /** The line a command prints when it feeds the images as recorded: {@code channel 0 mean 0.2860 std 0.3530}. */
    public static String describe(float[][] n) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < n[0].length; c++) {
            b.append(String.format(Locale.ROOT, "%schannel %d mean %.4f std %.4f", c == 0 ? "" : ", ", c, n[0][c], n[1][c]));
        }
        return b.toString();
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

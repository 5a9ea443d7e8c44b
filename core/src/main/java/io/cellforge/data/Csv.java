package io.cellforge.data;

import io.cellforge.io.BoundedLines;
import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import io.cellforge.ops.Shape;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One image per line: pixel columns and a label column (named label, class, target or y in a header, else
 * the last column). The shape is inferred (square grey, or square RGB in channel-major order); pixel values
 * above 1 are scaled by 255 (or by the largest value when that is more). Header columns named
 * {@code context:0}, {@code context:1}, ... (or {@code ctx0}, {@code ctx1}, ...) are each sample's context vector,
 * taken as they are (any finite number), wherever they stand.
 */
final class Csv {
    private static final Pattern CONTEXT = Pattern.compile("(?:context:|ctx)(\\d{1,6})");

    private Csv() {
    }

    /** The images, and what was done to their values to hold them as bytes (empty when nothing). */
    record Parsed(Dataset data, String note) {
    }

    static Parsed read(Path p) throws LoadException {
        try (Reader r = new InputStreamReader(Datasets.open(p), StandardCharsets.UTF_8)) {
            Parsed d = parse(r, p.toString(), null, 0f, true);
            return new Parsed(d.data().renamed(p.getFileName().toString()), d.note());
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (IOException e) {
            throw new LoadException(p.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** {@code scale} 0 infers the pixel scale; {@code shape} null infers the shape. */
    static Parsed parse(Reader in, String source, Shape shape, float scale, boolean header) throws IOException, LoadException {
        BoundedLines r = new BoundedLines(in, source, Limits.CSV_LINE_CHARS, "the most Cellforge reads as one image");
        List<float[]> rows = new ArrayList<>();
        List<String> rawLabels = new ArrayList<>();
        List<float[]> contexts = new ArrayList<>();
        int[] contextOf = new int[0]; // for each column its place in the context vector, -1 for the others
        int contextFeatures = 0;
        String[] headerNames = null;
        int labelColumn = -1;
        int columns = -1;
        long values = 0;
        String line;
        while ((line = r.next()) != null) {
            int lineNo = r.number();
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (columns < 0) {
                columns = f.length;
                if (columns < 2) {
                    throw new LoadException(source + ":" + lineNo, "expected pixel columns and a label column, found " + columns + " column");
                }
                contextOf = new int[columns];
                java.util.Arrays.fill(contextOf, -1);
                if (header && !isNumber(f[0].strip())) {
                    labelColumn = columns - 1;
                    for (int i = 0; i < f.length; i++) {
                        String h = f[i].strip().toLowerCase();
                        if (h.equals("label") || h.equals("class") || h.equals("target") || h.equals("y")) {
                            labelColumn = i;
                        }
                        Matcher m = CONTEXT.matcher(h);
                        if (m.matches()) {
                            contextOf[i] = Integer.parseInt(m.group(1));
                        }
                    }
                    contextFeatures = contextColumns(f, contextOf, labelColumn, source + ":" + lineNo);
                    headerNames = f;
                    continue;
                }
                labelColumn = columns - 1;
            }
            if (f.length != columns) {
                throw new LoadException(source + ":" + lineNo, "expected " + columns + " columns, found " + f.length);
            }
            values += columns - 1 - contextFeatures; // pixels; the context is a few floats beside them
            Datasets.requireValues(values, source + ":" + lineNo);
            Datasets.requireMemory(5 * values, source + ":" + lineNo); // the rows as floats, then the images as bytes
            float[] px = new float[columns - 1 - contextFeatures];
            float[] ctx = new float[contextFeatures];
            int k = 0;
            for (int i = 0; i < columns; i++) {
                if (i == labelColumn) {
                    continue;
                }
                String v = f[i].strip();
                if (contextOf[i] >= 0) {
                    ctx[contextOf[i]] = contextValue(v, "column " + (i + 1) + " (" + headerNames[i].strip() + ")", source + ":" + lineNo);
                    continue;
                }
                try {
                    px[k++] = Float.parseFloat(v);
                } catch (NumberFormatException e) {
                    throw new LoadException(source + ":" + lineNo, "column " + (i + 1) + ": '" + v + "' is not a number");
                }
                if (!Float.isFinite(px[k - 1]) || px[k - 1] < 0) {
                    throw new LoadException(source + ":" + lineNo, "column " + (i + 1) + ": pixel values must be finite and not negative");
                }
            }
            rows.add(px);
            contexts.add(ctx);
            rawLabels.add(f[labelColumn].strip());
        }
        if (rows.isEmpty()) {
            throw new LoadException(source, "no images in the file");
        }
        if (columns - 1 - contextFeatures < 1) {
            throw new LoadException(source, "no pixel columns beside the label and the context columns");
        }
        int pixels = columns - 1 - contextFeatures;
        if (shape == null) {
            shape = inferShape(pixels, source);
        } else if (shape.size() != pixels) {
            throw new LoadException(source, pixels + " pixel columns do not make images of " + shape);
        }
        float max = 0;
        for (float[] px : rows) {
            for (float v : px) {
                max = Math.max(max, v);
            }
        }
        float s = scale > 0 ? scale : max <= 1 ? 1 : Math.max(255, max);
        byte[] x = Datasets.pixels(values, source);
        float[] levels = new float[256];
        String note = bytes(rows, s, max, x, levels);
        // Labels: whole numbers 0..K-1 keep their meaning; anything else is mapped to sorted names.
        boolean numeric = rawLabels.stream().allMatch(l -> l.matches("\\d{1,6}(\\.0+)?"));
        int[] y = new int[rawLabels.size()];
        List<String> names;
        if (numeric) {
            int maxLabel = 0;
            for (int i = 0; i < y.length; i++) {
                y[i] = (int) Double.parseDouble(rawLabels.get(i));
                maxLabel = Math.max(maxLabel, y[i]);
            }
            names = Datasets.numbered(Math.max(2, maxLabel + 1));
        } else {
            Map<String, Integer> ids = new TreeMap<>();
            new TreeSet<>(rawLabels).forEach(l -> ids.put(l, ids.size()));
            for (int i = 0; i < y.length; i++) {
                y[i] = ids.get(rawLabels.get(i));
            }
            names = new ArrayList<>(ids.keySet());
        }
        float[] context = new float[rows.size() * contextFeatures];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(contexts.get(i), 0, context, i * contextFeatures, contextFeatures);
        }
        return new Parsed(new Dataset(source, shape, names, x, levels, y, context, contextFeatures), note);
    }

    /**
     * How many context columns the header {@code f} names: they must be numbered 0..D-1, each once, and not be the
     * label column.
     */
    private static int contextColumns(String[] f, int[] contextOf, int labelColumn, String where) throws LoadException {
        if (labelColumn >= 0 && contextOf[labelColumn] >= 0) {
            // The label is the last column when none is named; a context column there leaves no label.
            throw new LoadException(where, "column " + (labelColumn + 1) + " (" + f[labelColumn].strip() + ") is a context "
                    + "column; name the label column label, class, target or y");
        }
        int[] column = new int[f.length];
        int d = 0;
        for (int i = 0; i < f.length; i++) {
            if (contextOf[i] >= f.length) {
                throw new LoadException(where, "column " + (i + 1) + " (" + f[i].strip() + "): context columns are numbered "
                        + "0, 1, ... without gaps");
            }
            if (contextOf[i] >= 0) {
                if (column[contextOf[i]] > 0) {
                    throw new LoadException(where, "column " + (i + 1) + " (" + f[i].strip() + "): context value "
                            + contextOf[i] + " is already column " + column[contextOf[i]]);
                }
                column[contextOf[i]] = i + 1;
                d++;
            }
        }
        for (int k = 0; k < d; k++) {
            if (column[k] == 0) {
                throw new LoadException(where, "context columns 0.." + (d - 1) + " expected but there is no context:" + k
                        + " (nor ctx" + k + ")");
            }
        }
        return d;
    }

    private static float contextValue(String v, String column, String where) throws LoadException {
        if (v.isEmpty()) {
            throw new LoadException(where, column + ": no context value");
        }
        float c;
        try {
            c = Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new LoadException(where, column + ": '" + v + "' is not a number");
        }
        if (!Float.isFinite(c)) {
            throw new LoadException(where, column + ": '" + v + "': context values must be finite");
        }
        return c;
    }

    /**
     * The values as bytes into {@code x} and what each byte stands for into {@code levels}: whole numbers up to 255
     * as themselves, else up to 256 distinct values each as its own level (exact both ways); more than that are
     * rounded to 256 even steps, which the returned note says (empty when exact).
     */
    private static String bytes(List<float[]> rows, float scale, float max, byte[] x, float[] levels) {
        boolean whole = true;
        java.util.TreeSet<Float> distinct = new java.util.TreeSet<>();
        for (float[] px : rows) {
            for (float v : px) {
                whole &= v <= 255 && v == Math.rint(v);
                if (distinct.size() <= 256) {
                    distinct.add(v);
                }
            }
        }
        int per = rows.get(0).length;
        if (whole) {
            System.arraycopy(Dataset.levels(scale), 0, levels, 0, 256);
            for (int i = 0; i < rows.size(); i++) {
                float[] px = rows.get(i);
                for (int j = 0; j < per; j++) {
                    x[i * per + j] = (byte) (int) px[j];
                }
            }
            return "";
        }
        if (distinct.size() <= 256) {
            float[] sorted = new float[distinct.size()];
            int k = 0;
            for (float v : distinct) {
                levels[k] = v / scale;
                sorted[k++] = v;
            }
            for (int i = 0; i < rows.size(); i++) {
                float[] px = rows.get(i);
                for (int j = 0; j < per; j++) {
                    x[i * per + j] = (byte) java.util.Arrays.binarySearch(sorted, px[j]);
                }
            }
            return "";
        }
        for (int b = 0; b < 256; b++) {
            levels[b] = b * max / 255 / scale;
        }
        for (int i = 0; i < rows.size(); i++) {
            float[] px = rows.get(i);
            for (int j = 0; j < per; j++) {
                x[i * per + j] = (byte) Math.round(px[j] / max * 255);
            }
        }
        return "more than 256 distinct pixel values, rounded to 256 even steps of 0.." + max;
    }

    private static Shape inferShape(int pixels, String source) throws LoadException {
        int side = (int) Math.round(Math.sqrt(pixels));
        if (side * side == pixels) {
            return new Shape(1, side, side);
        }
        int rgb = (int) Math.round(Math.sqrt(pixels / 3.0));
        if (pixels % 3 == 0 && rgb * rgb * 3 == pixels) {
            return new Shape(3, rgb, rgb);
        }
        throw new LoadException(source, "cannot tell the image shape of " + pixels + " pixel columns (expected a square, "
                + "grey or RGB)");
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

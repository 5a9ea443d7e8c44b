package io.cellforge.trial;

import io.cellforge.arch.Architecture;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import io.cellforge.space.SearchSpace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores looked up in a table: any CSV with a header, one column of architecture strings (any format
 * {@link ArchFormats} reads, told by the first: NAS-Bench-201's {@code |op~0|+|...|} for the nas-bench-201 space)
 * and score columns named by the caller. Each named column is a score under its header name; the first is also
 * {@link Scores#ACCURACY}, as a fraction (a column of percentages, any value above 1, is divided by 100).
 */
public final class TableEstimator implements Estimator {
    private final Map<Architecture, Scores> rows;
    private final String source;

    private TableEstimator(Map<Architecture, Scores> rows, String source) {
        this.rows = rows;
        this.source = source;
    }

    /** Reads the whole table; an error names the file and line (a missing column, a string that does not parse). */
    public static TableEstimator read(Path csv, String archColumn, List<String> scoreColumns, SearchSpace space) throws LoadException {
        if (scoreColumns.isEmpty()) {
            throw new LoadException(csv.toString(), "name at least one score column");
        }
        List<String[]> lines = new ArrayList<>();
        String[] header;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Limits.open(csv, Limits.DATA_FILE_BYTES), StandardCharsets.UTF_8))) {
            String first = in.readLine();
            if (first == null) {
                throw new LoadException(csv.toString(), "the file is empty; a table starts with a header line naming its columns");
            }
            header = split(first.startsWith("\uFEFF") ? first.substring(1) : first);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line.isBlank() ? null : split(line));
            }
        } catch (IOException e) {
            throw new LoadException(csv.toString(), "cannot read: " + e.getMessage());
        }
        List<String> names = List.of(header).stream().map(String::strip).toList();
        int arch = column(names, archColumn, csv);
        int[] score = new int[scoreColumns.size()];
        for (int i = 0; i < score.length; i++) {
            score[i] = column(names, scoreColumns.get(i), csv);
        }
        Map<Integer, Boolean> percent = new HashMap<>();
        double[][] values = new double[lines.size()][score.length];
        for (int r = 0; r < lines.size(); r++) {
            String[] row = lines.get(r);
            if (row == null) {
                continue;
            }
            String where = csv + ":" + (r + 2);
            if (row.length != names.size()) {
                throw new LoadException(where, "the line has " + row.length + " fields and the header " + names.size());
            }
            for (int i = 0; i < score.length; i++) {
                try {
                    values[r][i] = Double.parseDouble(row[score[i]].strip());
                } catch (NumberFormatException e) {
                    throw new LoadException(where, "column " + scoreColumns.get(i) + ": '" + row[score[i]] + "' is not a number");
                }
                if (values[r][i] > 1) {
                    percent.put(i, true);
                }
            }
        }
        ArchFormat format = null;
        Map<Architecture, Scores> rows = new HashMap<>();
        for (int r = 0; r < lines.size(); r++) {
            String[] row = lines.get(r);
            if (row == null) {
                continue;
            }
            String where = csv + ":" + (r + 2);
            String text = row[arch].strip();
            if (format == null) {
                format = ArchFormats.sniff(text);
            }
            Architecture a;
            try {
                a = ArchFormats.read(format, text, archColumn, space);
            } catch (LoadException e) {
                throw new LoadException(where, "'" + text + "' is no architecture of space '" + space.name() + "': " + e.getMessage());
            }
            Map<String, Double> s = new LinkedHashMap<>();
            s.put(Scores.ACCURACY, percent.containsKey(0) ? values[r][0] / 100 : values[r][0]);
            for (int i = 0; i < score.length; i++) {
                s.put(scoreColumns.get(i), values[r][i]);
            }
            if (rows.put(a, new Scores(s)) != null) {
                throw new LoadException(where, "'" + text + "' is an architecture an earlier line already scores");
            }
        }
        return new TableEstimator(rows, csv.toString());
    }

    private static int column(List<String> names, String name, Path csv) throws LoadException {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new LoadException(csv + ":1", "no column '" + name + "'; the columns are " + String.join(", ", names));
        }
        return i;
    }

    /** One CSV line into fields: commas separate, double quotes enclose a field that holds them ("" is a quote). */
    static String[] split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out.toArray(String[]::new);
    }

    public int size() {
        return rows.size();
    }

    /** Every architecture the table scores with its scores (for benchmarks: the best there is). */
    public Map<Architecture, Scores> rows() {
        return java.util.Collections.unmodifiableMap(rows);
    }

    @Override
    public Scores estimate(Architecture architecture, long seed) throws EstimateException {
        Scores s = rows.get(architecture);
        if (s == null) {
            throw new EstimateException("the table " + source + " has no row for this architecture: " + architecture.choices());
        }
        return s;
    }

    @Override
    public String name() {
        return "table";
    }
}

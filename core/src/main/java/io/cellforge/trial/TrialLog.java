package io.cellforge.trial;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.arch.Architecture;
import io.cellforge.io.LoadException;
import io.cellforge.search.SearchEvents;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trial log of a run, {@code trials.jsonl}: one JSON line per scored trial (index, architecture as raw
 * decisions, scores, seconds, seed, and the worker when it ran on a cluster), written and forced to disk as each
 * trial ends, so that a crash loses at most the trials still running. A last line cut short by a crash is ignored
 * on reading and cut off before appending.
 */
public final class TrialLog implements Closeable {
    public static final String FILE = "trials.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileChannel out;

    private TrialLog(FileChannel out) {
        this.out = out;
    }

    /** Opens the log to append to, created if absent; a torn last line (no newline at its end) is removed first. */
    public static TrialLog append(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        long keep = wholeLines(file);
        if (ch.size() > keep) {
            ch.truncate(keep);
            ch.force(true);
        }
        ch.position(keep);
        return new TrialLog(ch);
    }

    /** A new log, replacing any earlier one. */
    public static TrialLog create(Path file) throws IOException {
        Files.deleteIfExists(file);
        return append(file);
    }

    /** The length of the file up to and including its last newline. */
    private static long wholeLines(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        int end = b.length;
        while (end > 0 && b[end - 1] != '\n') {
            end--;
        }
        return end;
    }

    public synchronized void write(Trial t) throws IOException {
        byte[] line = (JSON.writeValueAsString(toJson(t)) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        out.force(false);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /**
     * The trials of a log, in the order written; none when there is no file. A last line cut short is left out;
     * any other line that does not read is an error naming file and line.
     */
    public static List<Trial> read(Path file) throws IOException, LoadException {
        List<Trial> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        // The piece after the last newline is empty, or a line a crash cut short.
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                out.add(fromJson(JSON.readTree(lines[i])));
            } catch (JsonProcessingException | RuntimeException e) {
                throw new LoadException(file + ":" + (i + 1), "not a trial: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage()
                        : e.getMessage()));
            }
        }
        return out;
    }

    /** A line of the log: the fields of a trial event that belong to the trial itself. */
    static Map<String, Object> toJson(Trial t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", t.index());
        m.put("architecture", raw(t.architecture()));
        m.put("scores", t.scores().values());
        m.put("seconds", t.seconds());
        m.put("seed", t.seed());
        if (!t.worker().isEmpty()) {
            m.put("worker", t.worker()); // only for trials run elsewhere: local logs read as before
        }
        return m;
    }

    /** Decisions as JSON values, as trial events write them ({@link SearchEvents.Trial#raw}). */
    public static Map<String, Object> raw(Architecture a) {
        return SearchEvents.Trial.raw(a);
    }

    @SuppressWarnings("unchecked")
    static Trial fromJson(JsonNode n) {
        Trial t = Trial.of(SearchEvents.Trial.fromJson(JSON.convertValue(n, Map.class)));
        JsonNode worker = n.get("worker");
        return worker == null ? t : new Trial(t.index(), t.architecture(), t.scores(), t.seconds(), t.seed(), worker.asText());
    }
}

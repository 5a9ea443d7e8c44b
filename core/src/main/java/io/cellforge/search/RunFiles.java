package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.arch.Architecture;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.BoundedLines;
import io.cellforge.io.FileWrites;
import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import io.cellforge.io.SearchConfigYaml;
import io.cellforge.io.YNode;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.space.SearchSpace;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A search run on disk, one folder: the space searched ({@code space.yaml}), its settings ({@code run.json}),
 * every step and epoch as JSON lines ({@code events.jsonl}), the checkpoint, and at the end the result
 * ({@code result.json}) and the architecture found in every format that fits the space. The command line
 * and the app write the same folders ({@link RunService}), so either can read what the other ran.
 */
public final class RunFiles {
    public static final String SPACE = "space.yaml";
    public static final String SETTINGS = "run.json";
    public static final String EVENTS = "events.jsonl";
    public static final String RESULT = "result.json";
    public static final String CHECKPOINT = "checkpoint";
    public static final String RETRAIN = "retrain.json";
    /** The decisions of the result, every key, in Cellforge's own format: the one file the result is read from. */
    public static final String ARCHITECTURE = "architecture" + ArchFormat.YAML.extension;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunFiles() {
    }

    /** At the start of a run: the space and the settings, so that a stopped run can be resumed and shown. */
    public static void start(Path dir, SearchSpace space, SearchConfig cfg, String data) throws IOException {
        Files.createDirectories(dir);
        SpaceFiles.writeAtomically(dir.resolve(SPACE), SpaceYaml.write(space));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("space", space.name());
        m.put("data", data);
        m.put("settings", cfg.toMap());
        SpaceFiles.writeAtomically(dir.resolve(SETTINGS), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
    }

    /**
     * The file name of a space written beside its architecture: its name when that is a safe file name, else
     * {@code space.yaml}; never a path from the space file itself.
     */
    public static String spaceFileName(String spaceName) {
        return FileWrites.safeName(spaceName, "space") + ".yaml";
    }

    /**
     * The result: a summary and the architecture in every format that exists for this space. Either every file is
     * written or, when a write fails, none is replaced; the exception names the file.
     */
    public static void writeResult(SearchSpace space, SearchResult r, Path dir) throws IOException, LoadException {
        Map<Path, FileWrites.Body> files = new LinkedHashMap<>();
        files.put(dir.resolve(spaceFileName(space.name())), text(SpaceYaml.write(space)));
        for (ArchFormat f : ArchFormat.values()) {
            try {
                files.put(dir.resolve("architecture" + f.extension), text(ArchFormats.write(f, space, r.architecture())));
            } catch (LoadException notThisSpace) {
                // Genotype and NAS-Bench-201 strings only exist for spaces of their shape.
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("space", space.name());
        summary.put("backend", r.backend());
        summary.put("completed", r.completed());
        summary.put("epochs", r.epochs().size());
        if (!r.epochs().isEmpty()) {
            Map<String, Object> last = r.epochs().get(r.epochs().size() - 1).toJson();
            for (String k : List.of("train_loss", "train_accuracy", "valid_loss", "valid_accuracy")) {
                summary.put(k, last.get(k));
            }
        }
        summary.put("weights", r.weights());
        summary.put("steering", r.steering().stream().map(Steer::toJson).toList());
        files.put(dir.resolve(RESULT), text(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n"));
        FileWrites.writeAllAtomically(files);
    }

    private static FileWrites.Body text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return out -> out.write(b);
    }

    /** The test accuracy of the architecture retrained from scratch. */
    public static void writeRetrain(Path dir, double testAccuracy, int epochs, long params) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("test_accuracy", testAccuracy);
        m.put("epochs", epochs);
        m.put("params", params);
        SpaceFiles.writeAtomically(dir.resolve(RETRAIN), JSON.writeValueAsString(m) + "\n");
    }

    /** Writes each step and epoch as a JSON line as they come (flushed: a crash keeps what was seen). */
    public static final class EventLog implements SearchEvents.Listener, Closeable {
        private final BufferedWriter out;
        /** A resumed run appends to the file its start wrote: the counts are there already. */
        private final boolean appended;

        public EventLog(Path file, boolean append) throws IOException {
            appended = append;
            Files.createDirectories(file.toAbsolutePath().getParent());
            out = append ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND) : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        }

        /** The counts step lines do not repeat, so that a run read back is plotted at its real epochs. */
        @Override
        public void started(String backend, SearchConfig config, int stepsPerEpoch) {
            if (appended) {
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "start");
            m.put("epochs", config.epochs());
            m.put("steps_per_epoch", stepsPerEpoch);
            write(m);
        }

        @Override
        public void step(SearchEvents.Step s) {
            write(s.toJson());
        }

        @Override
        public void epoch(SearchEvents.Epoch e) {
            write(e.toJson());
        }

        /** A line that says where a resumed run took up again; readers drop what the first run did past it. */
        @Override
        public void resumed(int epoch, int step) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "resume");
            m.put("epoch", epoch);
            m.put("step", step);
            write(m);
        }

        /** Where the run is and when it will end, every 30 s, for anyone tailing the file (readers skip it). */
        public void progress(int epoch, int step, double imagesPerSecond, double etaSeconds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "progress");
            m.put("epoch", epoch);
            m.put("step", step);
            m.put("images_per_s", imagesPerSecond);
            m.put("eta_s", Double.isFinite(etaSeconds) ? Math.round(etaSeconds) : null);
            write(m);
        }

        /** A person's steer, where the search applied it: replays and resumed runs show it. */
        @Override
        public void steered(Steer s) {
            write(s.toJson());
        }

        /**
         * Multi-trial: a resumed run replays the trials of its log next, so that the file after this line holds the
         * whole run again; readers drop the trials before it ({@link #readTrials}).
         */
        @Override
        public void trialsResumed(int trials) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "trials_resumed");
            m.put("trials", trials);
            write(m);
        }

        @Override
        public void trial(SearchEvents.Trial t) {
            write(t.toJson());
        }

        /** What the search warned of (a collapse towards parameter-free ops, a checkpoint not saved). */
        @Override
        public void warning(String message) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "warning");
            m.put("message", message);
            write(m);
        }

        private void write(Map<String, Object> m) {
            try {
                out.write(JSON.writeValueAsString(m));
                out.newLine();
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the events file: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** A run read back: what it searched, how, what it saw, and what it found (null while unfinished). */
    /** {@code steering}: the steers applied, in order; {@code warnings}: what the search warned of. */
    public record Run(Path dir, SearchSpace space, Map<String, Object> settings, String data, List<SearchEvents.Step> steps,
                      List<SearchEvents.Epoch> epochs, Architecture architecture, Boolean completed, Double testAccuracy,
                      List<Steer> steering, List<String> warnings) {
        public boolean hasCheckpoint() {
            return Files.exists(dir.resolve(CHECKPOINT));
        }

        /** A search runs in this folder now (in this process or another): not to be resumed or deleted. */
        public boolean isLive() {
            return RunService.isLive(dir);
        }

        /** The settings the run was started with, read as a settings file is (errors at run.json:line:column). */
        public SearchConfig config() throws LoadException {
            Path f = dir.resolve(SETTINGS);
            YNode root = YNode.parse(SpaceFiles.readText(f), f.toString());
            YNode settings = root.map(List.of("space", "data", "settings")).get("settings");
            if (settings == null) {
                throw new LoadException(f.toString(), "no settings: this run.json was not written by Cellforge");
            }
            return SearchConfigYaml.read(settings, f.toString(), null).build();
        }

        public String strategy() {
            Object s = settings.get("strategy");
            return s == null ? "?" : s.toString();
        }
    }

    /** Reads a run folder; a run stopped by a crash reads as far as its events file goes. */
    @SuppressWarnings("unchecked")
    public static Run read(Path dir) throws LoadException {
        SearchSpace space = SpaceFiles.readSpace(dir.resolve(SPACE)).space();
        Map<String, Object> settings = Map.of();
        String data = "";
        try {
            if (Files.exists(dir.resolve(SETTINGS))) {
                Map<String, Object> m = JSON.readValue(SpaceFiles.readText(dir.resolve(SETTINGS)), Map.class);
                settings = (Map<String, Object>) m.getOrDefault("settings", Map.of());
                data = String.valueOf(m.getOrDefault("data", ""));
            }
            List<SearchEvents.Step> steps = new ArrayList<>();
            List<SearchEvents.Epoch> epochs = new ArrayList<>();
            List<Steer> steering = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            int[] stepsPerEpoch = {0};
            if (Files.exists(dir.resolve(EVENTS))) {
                Path ev = dir.resolve(EVENTS);
                eachEvent(ev, "more than a step of this run writes", (m, number) -> {
                    if ("start".equals(m.get("type"))) {
                        stepsPerEpoch[0] = SearchEvents.num(m, "steps_per_epoch").intValue();
                    } else if ("resume".equals(m.get("type"))) {
                        // Steps past the checkpoint (a run killed after it) are done again after this line.
                        int e = SearchEvents.num(m, "epoch").intValue();
                        int st = SearchEvents.num(m, "step").intValue();
                        steps.removeIf(x -> x.epoch() > e || x.epoch() == e && x.step() >= st);
                        epochs.removeIf(x -> x.epoch() >= e);
                        steering.removeIf(x -> x.epoch() > e || x.epoch() == e && x.step() >= st);
                    } else if ("steer".equals(m.get("type"))) {
                        try {
                            steering.add(Steer.fromJson(m));
                        } catch (IllegalArgumentException e) {
                            throw new LoadException(ev.toString(), "line " + number + ": " + e.getMessage());
                        }
                    } else if ("warning".equals(m.get("type")) && m.get("message") instanceof String w) {
                        warnings.add(w);
                    } else if ("epoch".equals(m.get("type"))) {
                        epochs.add(SearchEvents.Epoch.fromJson(m, space));
                    } else if ("step".equals(m.get("type"))) {
                        steps.add(SearchEvents.Step.fromJson(m, 0, 0));
                    }
                });
            }
            // Step lines do not repeat the counts: the epochs come from the settings, the steps per epoch from the
            // start line (files written before it had one: from the steps, which a run stopped in its first epoch undercounts).
            int epochCount = settings.get("epochs") instanceof Number n ? n.intValue() : 0;
            int perEpoch = stepsPerEpoch[0] > 0 ? stepsPerEpoch[0] : steps.stream().mapToInt(st -> st.step() + 1).max().orElse(0);
            steps.replaceAll(st -> st.withCounts(epochCount, perEpoch));
            Architecture arch = null;
            Boolean completed = null;
            if (Files.exists(dir.resolve(RESULT))) {
                Map<String, Object> r = JSON.readValue(SpaceFiles.readText(dir.resolve(RESULT)), Map.class);
                completed = (Boolean) r.get("completed");
                // The decisions as the strategy returned them, every key: never re-derived from the weights, which
                // for SPOS are one-hot LayerChoices only and would lose its InputChoices.
                Path a = dir.resolve(ARCHITECTURE);
                // A multi-trial run that no trial met the constraints of (or stopped before any) has a result but no architecture.
                arch = Files.exists(a) ? ArchFormats.read(ArchFormat.YAML, SpaceFiles.readText(a), a.toString(), space) : null;
            }
            Double test = null;
            if (Files.exists(dir.resolve(RETRAIN))) {
                test = SearchEvents.num(JSON.readValue(SpaceFiles.readText(dir.resolve(RETRAIN)), Map.class), "test_accuracy");
            }
            return new Run(dir, space, settings, data, steps, epochs, arch, completed, test, List.copyOf(steering), List.copyOf(warnings));
        } catch (IOException | RuntimeException e) {
            throw new LoadException(dir.toString(), "cannot read this run: " + e.getMessage());
        }
    }

    /**
     * The trials of a multi-trial run's events file, in order: after a resume line only those after it (the
     * resumed run replayed the earlier ones); a last line cut short by a crash is left out.
     */
    public static List<SearchEvents.Trial> readTrials(Path events) throws LoadException {
        List<SearchEvents.Trial> out = new ArrayList<>();
        try {
            eachEvent(events, "more than a trial writes", (m, number) -> {
                if ("trials_resumed".equals(m.get("type"))) {
                    out.clear();
                } else if ("trial".equals(m.get("type"))) {
                    try {
                        out.add(SearchEvents.Trial.fromJson(m));
                    } catch (IllegalArgumentException e) {
                        throw new LoadException(events + ":" + number, "not a trial: " + e.getMessage());
                    }
                }
            });
        } catch (IOException e) {
            throw new LoadException(events.toString(), "cannot read: " + e.getMessage());
        }
        return out;
    }

    /** What {@link #eachEvent} hands each line to: its JSON object and its line number. */
    @FunctionalInterface
    private interface EventLine {
        void accept(Map<String, Object> m, int number) throws LoadException;
    }

    /**
     * Each line of an events file as its JSON object, in order, blank lines skipped; a last line cut short by a crash
     * (a run killed mid-write) ends the file. {@code tooLong} says what a line longer than any the file takes is.
     */
    @SuppressWarnings("unchecked")
    private static void eachEvent(Path events, String tooLong, EventLine each) throws IOException, LoadException {
        try (var in = new java.io.InputStreamReader(Limits.open(events, Limits.EVENTS_BYTES), StandardCharsets.UTF_8)) {
            BoundedLines lines = new BoundedLines(in, events.toString(), Limits.EVENT_LINE_CHARS, tooLong);
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> m;
                try {
                    m = JSON.readValue(line, Map.class);
                } catch (IOException torn) {
                    break;
                }
                each.accept(m, lines.number());
            }
        }
    }

    /** Every run folder under {@code root}, oldest first; unreadable ones are skipped. */
    public static List<Run> list(Path root) {
        List<Run> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> Files.exists(p.resolve(SPACE))).sorted().toList()) {
                try {
                    out.add(read(d));
                } catch (LoadException skipped) {
                    // a folder someone else put there, or half-written: not a run to show
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}

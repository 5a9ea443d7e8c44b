package io.cellforge.trial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.FileWrites;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.io.SpaceYaml;
import io.cellforge.search.RunFiles;
import io.cellforge.space.SearchSpace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-trial run on disk, laid out as a one-shot run folder ({@link RunFiles}): the space ({@code space.yaml}),
 * the settings ({@code run.json}, with {@code "kind": "multi-trial"}), the trial log ({@code trials.jsonl}) as it
 * goes, and at the end {@code result.json} (the best trial, the strategy, the budget, the seconds, the Pareto
 * front when two objectives are named) and the best architecture in every format that fits the space.
 */
public final class TrialRunFiles {
    public static final String KIND = "multi-trial";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrialRunFiles() {
    }

    /** At the start of a new run: the space and the settings (what a resumed run must match). */
    public static void start(Path dir, SearchSpace space, Map<String, Object> settings) throws IOException {
        Files.createDirectories(dir);
        SpaceFiles.writeAtomically(dir.resolve(RunFiles.SPACE), SpaceYaml.write(space));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.put("space", space.name());
        m.put("settings", settings);
        SpaceFiles.writeAtomically(dir.resolve(RunFiles.SETTINGS), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
    }

    /** The settings a run folder was started with; empty when it holds no multi-trial run. */
    public static java.util.Optional<Map<String, Object>> settings(Path dir) throws IOException {
        Path f = dir.resolve(RunFiles.SETTINGS);
        if (!Files.isRegularFile(f)) {
            return java.util.Optional.empty();
        }
        JsonNode n = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
        if (!KIND.equals(n.path("kind").asText()) || !n.has("settings")) {
            return java.util.Optional.empty();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> s = JSON.convertValue(n.get("settings"), Map.class);
        return java.util.Optional.of(s);
    }

    /** Settings as a resumed run compares them: through JSON, so that numbers and lists compare as read back. */
    public static Map<String, Object> normalised(Map<String, Object> settings) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.convertValue(settings, Map.class);
        return m;
    }

    /** The summary of a run as {@code result.json} holds it. */
    public static Map<String, Object> summary(SearchSpace space, TrialRun run, String strategy, String estimator, int budget,
                                              List<String> objectives) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", KIND);
        m.put("space", space.name());
        m.put("strategy", strategy);
        m.put("estimator", estimator);
        m.put("budget", budget);
        m.put("trials", run.trials().size());
        m.put("completed", run.completed());
        m.put("seconds", run.seconds());
        m.put("objectives", objectives);
        m.put("constraints", run.objective().constraints().stream().map(Constraint::toString).toList());
        run.best().ifPresentOrElse(b -> m.put("best", trialJson(b)), () -> m.put("best", null));
        if (objectives.size() >= 2) {
            m.put("pareto_front", ParetoFront.of(run.trials(), objectives).stream().map(TrialRunFiles::trialJson).toList());
        }
        return m;
    }

    private static Map<String, Object> trialJson(Trial t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", t.index());
        m.put("architecture", TrialLog.raw(t.architecture()));
        m.put("scores", t.scores().values());
        return m;
    }

    /**
     * The result: the summary and the best architecture in every format that exists for this space, all written
     * or none replaced.
     */
    public static void writeResult(Path dir, SearchSpace space, TrialRun run, Map<String, Object> summary) throws IOException {
        Map<Path, FileWrites.Body> files = new LinkedHashMap<>();
        files.put(dir.resolve(RunFiles.spaceFileName(space.name())), text(SpaceYaml.write(space)));
        if (run.best().isPresent()) {
            for (ArchFormat f : ArchFormat.values()) {
                try {
                    files.put(dir.resolve("architecture" + f.extension), text(ArchFormats.write(f, space, run.best().get().architecture())));
                } catch (LoadException notThisSpace) {
                    // Genotype and NAS-Bench-201 strings only exist for spaces of their shape.
                }
            }
        }
        files.put(dir.resolve(RunFiles.RESULT), text(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary) + "\n"));
        FileWrites.writeAllAtomically(files);
    }

    private static FileWrites.Body text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return out -> out.write(b);
    }
}

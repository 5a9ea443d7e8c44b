package io.cellforge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Benchmarks in processes of their own: what the native engine does with its threads is fixed when it loads, so
 * another thread count or wait policy needs another process.
 */
final class BenchChildren {
    private BenchChildren() {
    }

    /** A {@code bench darts-step} child with {@code env} added to its environment, started now. */
    static Process dartsStep(int batch, int steps, Map<String, String> env) throws IOException {
        return dartsStep(batch, steps, env, List.of());
    }

    /** The same, with JVM options for the child ({@code -Dname=value}). */
    static Process dartsStep(int batch, int steps, Map<String, String> env, List<String> jvmOptions) throws IOException {
        ProcessBuilder pb = java(Main.class.getName(), jvmOptions, "bench", "darts-step", "--batch", Integer.toString(batch),
                "--steps", Integer.toString(steps)).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits for the children and reads the JSON object each printed. */
    static List<JsonNode> results(List<Process> children) throws IOException, InterruptedException {
        List<CompletableFuture<String>> outs = new ArrayList<>();
        for (Process p : children) {
            outs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            }));
        }
        List<JsonNode> results = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            int code = children.get(i).waitFor();
            String out = outs.get(i).join();
            if (code != 0 || out.indexOf('{') < 0) {
                throw new Main.UserError("a benchmark process failed with exit code " + code);
            }
            results.add(new ObjectMapper().readTree(out.substring(out.indexOf('{'))));
        }
        return results;
    }

    /** This JVM running {@code mainClass} on the same class path. */
    static ProcessBuilder java(String mainClass, String... args) {
        return java(mainClass, List.of(), args);
    }

    private static ProcessBuilder java(String mainClass, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }
}

package io.cellforge.cluster;

import org.apache.spark.launcher.JavaModuleOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands that start a Spark standalone master and workers from Cellforge's own jars, so that no Spark
 * distribution is needed: each a child JVM with the flags Spark needs on Java 17. A worker's executors find
 * Cellforge on their classpath through {@code SPARK_DIST_CLASSPATH}, and Spark's launcher finds a Spark home in
 * {@code sparkHome} (any folder with a {@code jars/} folder in it).
 */
final class ClusterNode {
    private ClusterNode() {
    }

    /** A master listening on {@code host:port}; {@code webUiPort} 0 for any free one. */
    static ProcessBuilder master(String host, int port, int webUiPort, String classpath) {
        List<String> cmd = java(classpath, "org.apache.spark.deploy.master.Master");
        cmd.addAll(List.of("--host", host, "--port", String.valueOf(port), "--webui-port", String.valueOf(webUiPort)));
        return new ProcessBuilder(cmd);
    }

    /**
     * A worker of {@code master} offering {@code cores} and {@code memory} (Spark's sizes: 2g, 512m) to executors,
     * which it starts in {@code workDir} (their logs and files go there).
     */
    static ProcessBuilder worker(String master, String host, int port, int webUiPort, int cores, String memory, Path workDir, Path sparkHome,
                                 String classpath) throws IOException {
        if (!Files.isDirectory(sparkHome.resolve("jars"))) {
            throw new IOException(sparkHome + " has no jars/ folder: Spark's launcher needs one there");
        }
        Files.createDirectories(workDir);
        List<String> cmd = java(classpath, "org.apache.spark.deploy.worker.Worker");
        cmd.addAll(List.of("--host", host, "--port", String.valueOf(port), "--webui-port", String.valueOf(webUiPort),
                "--cores", String.valueOf(cores), "--memory", memory, "--work-dir", workDir.toAbsolutePath().toString(), master));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SPARK_HOME", sparkHome.toAbsolutePath().toString());
        pb.environment().put("SPARK_DIST_CLASSPATH", classpath);
        pb.environment().put("SPARK_SCALA_VERSION", "2.12"); // else the launcher looks for a Spark source tree's build folders
        return pb;
    }

    private static List<String> java(String classpath, String main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptions().trim().split("\\s+")));
        cmd.addAll(List.of("-cp", classpath, main));
        return cmd;
    }
}

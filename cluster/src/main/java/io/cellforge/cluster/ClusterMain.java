package io.cellforge.cluster;

import io.cellforge.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code java -jar cellforge-cluster.jar}: Cellforge's command line with Apache Spark beside it, so that
 * {@code search --cluster URL} finds its runner, and two commands more, {@code master} and {@code worker}, that
 * start a Spark standalone cluster from these jars (no Spark distribution needed).
 */
public final class ClusterMain {
    private ClusterMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("master") || args[0].equals("worker"))) {
            CommandLine cl = new CommandLine(args[0].equals("master") ? new MasterCommand() : new WorkerCommand());
            System.exit(cl.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        SparkLogs.quiet();
        Main.main(args);
    }

    /** Where this jar lies, and its jars/ folder beside it. */
    static Path home() {
        try {
            return Path.of(ClusterMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String classpath(Path home) {
        return home.resolve("cellforge-cluster.jar") + File.pathSeparator + home.resolve("jars") + File.separator + "*";
    }

    /** Runs a node until it ends or this process is stopped, which stops it too. */
    static int runNode(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }));
        return p.waitFor();
    }

    @Command(name = "master", mixinStandardHelpOptions = true, description = "Start a Spark standalone master; its URL is spark://HOST:PORT.")
    static final class MasterCommand implements Callable<Integer> {
        @Option(names = "--host", description = "the address it listens on (default ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
        String host;
        @Option(names = "--port", description = "default ${DEFAULT-VALUE}", defaultValue = "7077")
        int port;
        @Option(names = "--webui-port", description = "its web page (default ${DEFAULT-VALUE}; 0 for any free port)", defaultValue = "8080")
        int webUi;

        @Override
        public Integer call() throws Exception {
            System.err.println("Spark master at spark://" + host + ":" + port + " (Ctrl+C stops it)");
            return runNode(ClusterNode.master(host, port, webUi, classpath(home())));
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true, description = "Start a Spark standalone worker that runs Cellforge's trials.")
    static final class WorkerCommand implements Callable<Integer> {
        @Parameters(paramLabel = "MASTER", description = "the master's URL, e.g. spark://127.0.0.1:7077")
        String master;
        @Option(names = "--work-dir", required = true, paramLabel = "DIR", description = "where its executors keep their logs and files")
        Path workDir;
        @Option(names = "--cores", description = "cores it offers (default ${DEFAULT-VALUE})", defaultValue = "1")
        int cores;
        @Option(names = "--memory", description = "memory it offers executors (default ${DEFAULT-VALUE})", defaultValue = "2g")
        String memory;
        @Option(names = "--host", description = "the address it listens on (default ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
        String host;
        @Option(names = "--port", description = "default 0: any free port", defaultValue = "0")
        int port;
        @Option(names = "--webui-port", description = "its web page (default 0: any free port)", defaultValue = "0")
        int webUi;

        @Override
        public Integer call() throws Exception {
            Path home = home();
            System.err.println("Spark worker of " + master + ": " + cores + " core(s), " + memory + ", executors in " + workDir + " (Ctrl+C stops it)");
            return runNode(ClusterNode.worker(master, host, port, webUi, cores, memory, workDir, home, classpath(home)));
        }
    }
}

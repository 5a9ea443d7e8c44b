package io.cellforge.cluster;

import io.cellforge.trial.EstimateException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Spark settings of a search's trials for each kind of master, and the checks that turn what Spark would wait
 * minutes on, or report as a chain of stack traces, into one line naming what is missing: a standalone master
 * nobody answers at, YARN without its configuration or its resource manager, Kubernetes without an executor image
 * or an API server.
 */
final class Masters {
    private static final int CONNECT_MILLIS = 5_000;

    private Masters() {
    }

    /**
     * The settings for {@code master}: Spark's UI off and a task tried four times before its trial fails, unless the
     * {@code spark.*} system properties (java -Dspark.executor.memory=4g ...) say otherwise; for YARN, the Hadoop
     * settings of the folder {@code env} names.
     */
    static SparkConf conf(String master, Map<String, String> env) throws EstimateException {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("cellforge trials").setIfMissing("spark.task.maxFailures", "4")
                .setIfMissing("spark.ui.enabled", "false");
        if (master.startsWith("spark://")) {
            standalone(master);
        } else if (master.equals("yarn")) {
            yarn(conf, env);
        } else if (master.startsWith("k8s://")) {
            kubernetes(master, conf);
        }
        return conf;
    }

    /** A standalone master would be given up on after Spark's three 20-second tries, as "SparkContext has been shutdown". */
    private static void standalone(String master) throws EstimateException {
        List<String> tried = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new EstimateException("no Spark application could start on " + master + ": '" + hostPort + "' is not host:port");
            }
            String refused = refused(host, port);
            if (refused == null) {
                return;
            }
            tried.add(refused);
        }
        throw new EstimateException("no Spark master answers at " + master + ": " + String.join(", ", tried)
                + "; start one (cellforge-cluster master), or check the host and port");
    }

    /**
     * YARN is found through the cluster's *-site.xml files, in the folder spark-submit reads (YARN_CONF_DIR or
     * HADOOP_CONF_DIR): java -jar puts no folder on the classpath, so their settings go to Spark as spark.hadoop.*.
     * A resource manager nobody answers at would be retried by Hadoop's client for many minutes.
     */
    private static void yarn(SparkConf conf, Map<String, String> env) throws EstimateException {
        String dirName = env.getOrDefault("YARN_CONF_DIR", env.get("HADOOP_CONF_DIR"));
        if (dirName == null || dirName.isBlank()) {
            throw new EstimateException("no Spark application could start on yarn: set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the folder"
                    + " of the cluster's core-site.xml and yarn-site.xml, as spark-submit needs");
        }
        Path dir = Path.of(dirName);
        Configuration hadoop = new Configuration(false);
        for (String name : List.of("core-site.xml", "hdfs-site.xml", "yarn-site.xml")) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) {
                hadoop.addResource(new org.apache.hadoop.fs.Path(f.toUri()));
            }
        }
        if (!Files.isRegularFile(dir.resolve("yarn-site.xml"))) {
            throw new EstimateException("no Spark application could start on yarn: " + dir + " has no yarn-site.xml");
        }
        try {
            for (Map.Entry<String, String> e : hadoop) {
                conf.setIfMissing("spark.hadoop." + e.getKey(), hadoop.get(e.getKey()));
            }
        } catch (RuntimeException e) { // Hadoop's reader of a malformed file
            throw new EstimateException("no Spark application could start on yarn: the files in " + dir + " do not read: " + e.getMessage(), e);
        }
        if (hadoop.getBoolean("yarn.resourcemanager.ha.enabled", false)) {
            return; // several resource managers: Hadoop's client finds the active one
        }
        String address = hadoop.get("yarn.resourcemanager.address", hadoop.get("yarn.resourcemanager.hostname", "0.0.0.0") + ":8032");
        int colon = address.lastIndexOf(':');
        String refused;
        try {
            refused = refused(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new EstimateException("no Spark application could start on yarn: yarn.resourcemanager.address '" + address + "' in "
                    + dir.resolve("yarn-site.xml") + " is not host:port");
        }
        if (refused != null) {
            throw new EstimateException("no YARN resource manager answers at " + refused + " (yarn.resourcemanager.address, from "
                    + dir.resolve("yarn-site.xml") + ")");
        }
    }

    /**
     * Kubernetes runs the executors as pods of an image that holds Spark 3.5 and Cellforge's jars; without one, or
     * without an API server, Spark logs a stack trace for every kind of object it fails to clean up.
     */
    private static void kubernetes(String master, SparkConf conf) throws EstimateException {
        if (!conf.contains("spark.kubernetes.container.image") && !conf.contains("spark.kubernetes.executor.container.image")) {
            throw new EstimateException("no Spark application could start on " + master + ": the executors' image is not set"
                    + " (-Dspark.kubernetes.container.image=IMAGE, an image with Spark 3.5 and Cellforge's jars)");
        }
        String api = master.substring("k8s://".length());
        URI uri = URI.create(api.contains("://") ? api : "https://" + api);
        if (uri.getHost() == null) {
            throw new EstimateException("no Spark application could start on " + master + ": '" + api + "' is not an API server's URL");
        }
        int port = uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
        String refused = refused(uri.getHost(), port);
        if (refused != null) {
            throw new EstimateException("no Kubernetes API server answers at " + master + ": " + refused);
        }
    }

    /** Null when {@code host:port} takes a connection, else host:port and why not. */
    private static String refused(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
            return null;
        } catch (IOException | IllegalArgumentException e) {
            return host + ":" + port + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")";
        }
    }
}

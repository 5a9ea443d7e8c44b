package io.cellforge.cluster;

import io.cellforge.trial.EstimateException;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.ExternalClusterManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each kind of master needs, said in one line before Spark waits minutes or logs stack traces. */
class MastersTest {

    @Test
    void sparksYarnAndKubernetesSchedulersAreOnTheClasspath() {
        // Spark finds them as it finds them here; without the modules, "Could not parse Master URL: 'yarn'"
        Iterable<ExternalClusterManager> managers = ServiceLoader.load(ExternalClusterManager.class);
        assertTrue(StreamSupport.stream(managers.spliterator(), false).anyMatch(m -> m.canCreate("yarn")), "yarn");
        assertTrue(StreamSupport.stream(managers.spliterator(), false).anyMatch(m -> m.canCreate("k8s://https://10.0.0.5:6443")), "k8s");
    }

    @Test
    void yarnNeedsTheClustersConfigurationAndAResourceManagerThatAnswers(@TempDir Path dir) throws Exception {
        EstimateException none = assertThrows(EstimateException.class, () -> Masters.conf("yarn", Map.of()));
        assertEquals("no Spark application could start on yarn: set HADOOP_CONF_DIR (or YARN_CONF_DIR) to the folder of the cluster's"
                + " core-site.xml and yarn-site.xml, as spark-submit needs", none.getMessage());
        EstimateException empty = assertThrows(EstimateException.class, () -> Masters.conf("yarn", Map.of("HADOOP_CONF_DIR", dir.toString())));
        assertEquals("no Spark application could start on yarn: " + dir + " has no yarn-site.xml", empty.getMessage());

        int closed = StandaloneClusterTest.freePort();
        Files.writeString(dir.resolve("yarn-site.xml"), site("yarn.resourcemanager.address", "127.0.0.1:" + closed));
        Files.writeString(dir.resolve("core-site.xml"), site("fs.defaultFS", "hdfs://127.0.0.1:9000"));
        EstimateException down = assertThrows(EstimateException.class, () -> Masters.conf("yarn", Map.of("YARN_CONF_DIR", dir.toString())));
        assertEquals("no YARN resource manager answers at 127.0.0.1:" + closed + " (Connection refused) (yarn.resourcemanager.address, from "
                + dir.resolve("yarn-site.xml") + ")", down.getMessage());

        try (ServerSocket rm = new ServerSocket(0)) {
            Files.writeString(dir.resolve("yarn-site.xml"), site("yarn.resourcemanager.address", "127.0.0.1:" + rm.getLocalPort()));
            SparkConf conf = Masters.conf("yarn", Map.of("HADOOP_CONF_DIR", dir.toString()));
            assertEquals("127.0.0.1:" + rm.getLocalPort(), conf.get("spark.hadoop.yarn.resourcemanager.address"));
            assertEquals("hdfs://127.0.0.1:9000", conf.get("spark.hadoop.fs.defaultFS"), "the cluster's own settings reach Spark");
        }
    }

    @Test
    void kubernetesNeedsAnExecutorImageAndAnApiServerThatAnswers() throws Exception {
        int closed = StandaloneClusterTest.freePort();
        String master = "k8s://https://127.0.0.1:" + closed;
        EstimateException noImage = assertThrows(EstimateException.class, () -> Masters.conf(master, Map.of()));
        assertEquals("no Spark application could start on " + master + ": the executors' image is not set"
                + " (-Dspark.kubernetes.container.image=IMAGE, an image with Spark 3.5 and Cellforge's jars)", noImage.getMessage());
        System.setProperty("spark.kubernetes.container.image", "registry.example/cellforge:1");
        try {
            EstimateException down = assertThrows(EstimateException.class, () -> Masters.conf(master, Map.of()));
            assertEquals("no Kubernetes API server answers at " + master + ": 127.0.0.1:" + closed + " (Connection refused)", down.getMessage());
        } finally {
            System.clearProperty("spark.kubernetes.container.image");
        }
    }

    private static String site(String name, String value) {
        return "<?xml version=\"1.0\"?>\n<configuration>\n  <property><name>" + name + "</name><value>" + value + "</value></property>\n"
                + "</configuration>\n";
    }
}

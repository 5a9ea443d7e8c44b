package io.cellforge.cluster;

import io.cellforge.trial.TrialRunnerFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The app reaches Spark through the factory, not ClusterMain: Spark's INFO lines must be quietened there too. */
class SparkLogsTest {

    @Test
    void theRunnerTheAppFindsQuietensSparkButKeepsALevelTheUserGave() throws Exception {
        String spark = "org.slf4j.simpleLogger.log.org.apache.spark";
        String hadoop = "org.slf4j.simpleLogger.log.org.apache.hadoop";
        String before = System.getProperty(spark);
        String beforeHadoop = System.getProperty(hadoop);
        try {
            System.clearProperty(spark);
            System.setProperty(hadoop, "debug");
            TrialRunnerFactory factory = TrialRunnerFactory.find().orElseThrow();
            assertTrue(factory instanceof SparkTrialRunnerFactory, factory.toString());
            factory.subNet("local[1]", Tiny.space(), Tiny.digits(), Tiny.config(), 0.8, 1, () -> false);
            assertEquals("error", SparkLogs.level("org.apache.spark"));
            assertEquals("off", SparkLogs.level("org.apache.spark.scheduler.TaskSchedulerImpl"));
            assertEquals("debug", SparkLogs.level("org.apache.hadoop"), "the user's level is kept");
        } finally {
            restore(spark, before);
            restore(hadoop, beforeHadoop);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}

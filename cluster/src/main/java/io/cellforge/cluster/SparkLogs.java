package io.cellforge.cluster;

import java.util.Map;

/**
 * Spark's own log lines, quietened before its first logger is made: its errors only, and no task's stack trace (a
 * failed trial's error reaches the user as its message), in the CLI and in the app alike. A level the user gave as a
 * system property is kept.
 */
final class SparkLogs {
    private static final String PREFIX = "org.slf4j.simpleLogger.log.";
    private static final Map<String, String> LEVELS = Map.of(
            "org.apache.spark", "error",
            "org.apache.spark.executor.Executor", "off",
            // its "Error initializing SparkContext" and stack: the runner says why the application could not start
            "org.apache.spark.SparkContext", "off",
            // its lost executors and jobs no worker takes: the runner says both, in the CLI and the app
            "org.apache.spark.scheduler.TaskSchedulerImpl", "off",
            // errors Spark says it ignores, with their stack, as when Ctrl+C stops an embedded executor under a task
            "org.apache.spark.rpc.netty.Inbox", "off",
            "org.apache.hadoop", "error",
            "org.sparkproject", "error");

    private SparkLogs() {
    }

    static void quiet() {
        LEVELS.forEach((logger, level) -> {
            if (System.getProperty(PREFIX + logger) == null) {
                System.setProperty(PREFIX + logger, level);
            }
        });
    }

    static String level(String logger) {
        return System.getProperty(PREFIX + logger);
    }
}

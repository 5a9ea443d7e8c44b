package io.cellforge.cluster;

import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM flags Spark needs on Java 17, where Cellforge gives them: the jar's manifest (java -jar) and the argument
 * file the README's app command reads (java @cluster/java-options), both as Spark's own launcher gives them.
 */
class JavaOptionsTest {
    static final List<String> SPARK = Arrays.asList(JavaModuleOptions.defaultModuleOptions().trim().split("\\s+"));

    @Test
    void theArgumentFileHoldsSparksOptions() throws Exception {
        assertEquals(SPARK, Files.readAllLines(Path.of("java-options")).stream().filter(l -> !l.isBlank()).toList());
    }

    @Test
    void theManifestOpensWhatSparkOpens() throws Exception {
        Matcher m = Pattern.compile("<Add-Opens>([^<]*)</Add-Opens>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(m.find());
        List<String> manifest = Arrays.stream(m.group(1).trim().split("\\s+")).map(p -> "--add-opens=" + p + "=ALL-UNNAMED").toList();
        assertEquals(SPARK.stream().filter(o -> o.startsWith("--add-opens=")).toList(), manifest);
    }
}

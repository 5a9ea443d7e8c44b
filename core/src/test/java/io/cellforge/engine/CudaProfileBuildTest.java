package io.cellforge.engine;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CUDA build must keep compiling where no GPU exists: core is compiled with {@code -Pcuda} against
 * nd4j-cuda-11.6, in a copy of the tree so that the real build output is left alone.
 */
class CudaProfileBuildTest {

    @Test
    void coreCompilesAgainstTheCudaBackend(@TempDir Path tmp) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Assumptions.assumeTrue(onPath("mvn"), "mvn is not on the PATH; the CUDA build check is skipped");
        Files.copy(root.resolve("pom.xml"), tmp.resolve("pom.xml"));
        Path core = Files.createDirectories(tmp.resolve("core"));
        Files.copy(root.resolve("core/pom.xml"), core.resolve("pom.xml"));
        copyTree(root.resolve("core/src/main"), core.resolve("src/main"));
        Process p = new ProcessBuilder("mvn", "-B", "-q", "-Pcuda", "-f", core.resolve("pom.xml").toString(), "compile")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("build.log").toFile()).start();
        assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the CUDA build took more than 15 minutes");
        String log = Files.readString(tmp.resolve("build.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(Files.exists(core.resolve("target/classes/io/cellforge/engine/CompiledNetwork.class")), log);
        // Not offline: on a fresh machine the dependency plugin itself may still have to be fetched.
        Process list = new ProcessBuilder("mvn", "-B", "-q", "-Pcuda", "-f", core.resolve("pom.xml").toString(),
                "dependency:list", "-DincludeGroupIds=org.nd4j", "-DincludeScope=runtime", "-DoutputFile=" + tmp.resolve("deps.txt"))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("list.log").toFile()).start();
        assertTrue(list.waitFor(15, TimeUnit.MINUTES), "listing the CUDA build's dependencies took more than 15 minutes");
        assertEquals(0, list.exitValue(), Files.readString(tmp.resolve("list.log")));
        List<String> tree = Files.readAllLines(tmp.resolve("deps.txt"));
        assertTrue(tree.stream().anyMatch(l -> l.contains("nd4j-cuda-11.6")), "built against nd4j-cuda-11.6: " + tree);
        assertTrue(tree.stream().noneMatch(l -> l.contains("nd4j-native:")), "and not against nd4j-native: " + tree);
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, exe)));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}

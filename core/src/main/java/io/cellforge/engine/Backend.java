package io.cellforge.engine;

import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Starts ND4J once. On x86-64 CPUs with AVX2 it loads the oneDNN + AVX2 build of libnd4j (convolutions about
 * 20x faster here than the generic build); elsewhere the generic build, which is also on the classpath.
 */
public final class Backend {
    private static String description;

    private Backend() {
    }

    public static synchronized String init() {
        if (description == null) {
            boolean avx2 = cpuHas("avx2");
            if (avx2 && System.getProperty("org.bytedeco.javacpp.platform.extension") == null) {
                System.setProperty("org.bytedeco.javacpp.platform.extension", "-onednn-avx2");
            }
            String backend = Nd4j.getBackend().getClass().getSimpleName().replace("Backend", "");
            int threads = Nd4j.getEnvironment().maxMasterThreads();
            description = backend + " (nd4j " + (avx2 ? "onednn-avx2" : "generic") + "), " + threads + " threads";
        }
        return description;
    }

    private static boolean cpuHas(String flag) {
        try {
            return Files.readString(Path.of("/proc/cpuinfo")).contains(" " + flag);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

package io.cellforge.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment libnd4j's OpenMP runtime (libgomp) reads, set by the program so that the user sets nothing.
 *
 * <p>By default OpenMP threads spin for a while after each parallel region, waiting for the next one. On a
 * desktop that burns the cores another program (or a second Cellforge search) needs: two searches at once ran at
 * 17% and 18% of one alone here, and with passive waits at about 50% each. libgomp reads its settings from the C
 * environment once, when the library is loaded, and Java cannot change that environment, so the variables are
 * set with the C library's {@code setenv} (through JNA) before ND4J loads. A value the user set wins. JavaCPP's
 * cache folder ({@link NativeCache}) is set here too, for the same reason.
 */
public final class NativeEnvironment {
    /**
     * What the engine needs; each is set only where the user has not set it. Half the cores for libnd4j's and
     * oneDNN's OpenMP teams (one of two): their kernels are bound by memory bandwidth more than by arithmetic, and
     * a team waits at every barrier for its slowest thread, which a busy program beside it deschedules. On 2 cores
     * of a Xeon (2026-12-01) one OpenMP thread ran the DARTS step at 7.5 img/s against 7.9 with two (batch 32, 7.2
     * against 6.2 at batch 16), and beside a busy process at 97% of that against 34%. The Java kernels
     * (BatchNorm, depthwise gradients) still use every core.
     */
    static final Map<String, String> DEFAULTS = Map.of("OMP_WAIT_POLICY", "PASSIVE",
            "OMP_NUM_THREADS", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors() / 2)));

    private static Map<String, String> effective;
    private static boolean tooLate;

    private NativeEnvironment() {
    }

    /** POSIX C library: the process environment that native code reads. */
    private interface Posix extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    /** The Microsoft C runtime that MinGW's libgomp reads. */
    private interface Msvcrt extends Library {
        int _putenv_s(String name, String value);

        String getenv(String name);
    }

    /**
     * Sets the defaults in the C environment, once; call it before anything touches ND4J (the CLI's and the
     * app's main methods do, and {@link Backend#init()}). Returns the values in force, by name.
     */
    public static synchronized Map<String, String> prepare() {
        if (effective != null) {
            return effective;
        }
        NativeCache.prepare(); // JavaCPP reads its cache folder once, when ND4J first loads
        tooLate = openMpLoaded();
        Map<String, String> in = new LinkedHashMap<>();
        try {
            if (Platform.isWindows()) {
                Msvcrt c = (Msvcrt) Native.loadLibrary("msvcrt", Msvcrt.class);
                DEFAULTS.forEach((k, v) -> {
                    if (c.getenv(k) == null) {
                        c._putenv_s(k, v);
                    }
                    in.put(k, c.getenv(k));
                });
            } else {
                Posix c = (Posix) Native.loadLibrary(Platform.C_LIBRARY_NAME, Posix.class);
                DEFAULTS.forEach((k, v) -> {
                    c.setenv(k, v, 0);
                    in.put(k, c.getenv(k));
                });
            }
        } catch (LinkageError | RuntimeException noNativeAccess) {
            // JNA has no native part for this platform: the engine runs, with OpenMP's own defaults.
            DEFAULTS.keySet().forEach(k -> in.put(k, System.getenv(k)));
        }
        effective = Map.copyOf(in.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
        return effective;
    }

    /** The OpenMP wait policy the engine runs with, as the backend line shows it. */
    public static synchronized String waitPolicy() {
        String p = prepare().getOrDefault("OMP_WAIT_POLICY", "default");
        return tooLate && System.getenv("OMP_WAIT_POLICY") == null ? "default (ND4J was loaded before it could be set)" : p.toLowerCase();
    }

    /** Whether libgomp is already in this process, so that what is set now is no longer read. */
    static boolean openMpLoaded() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return false;
        }
        try {
            return Files.readString(maps).contains("libgomp");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

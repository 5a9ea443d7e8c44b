package io.cellforge.engine;

import io.cellforge.analysis.MemoryEstimate;

import java.lang.management.ManagementFactory;

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
    /** Told, before ND4J loads, what the first start will unpack (the CLI prints a line; the app shows its splash before). */
    private static volatile java.util.function.Consumer<NativeCache.Plan> unpackNotice;

    private Backend() {
    }

    /** Whoever starts the engine in this process (the CLI) hears once, before it loads, that the first start unpacks. */
    public static void setUnpackNotice(java.util.function.Consumer<NativeCache.Plan> notice) {
        unpackNotice = notice;
    }

    /** Tells {@code notice} of {@code plan} when it will unpack anything; a plan already in the cache says nothing. */
    static void tellIfUnpacking(NativeCache.Plan plan, java.util.function.Consumer<NativeCache.Plan> notice) {
        if (notice != null && plan.needed()) {
            notice.accept(plan);
        }
    }

    public static synchronized String init() {
        if (description == null) {
            NativeEnvironment.prepare();
            // ND4J's buffers live outside the Java heap and are freed only when their Java objects are collected;
            // with a cap, JavaCPP collects garbage as the cap nears instead of letting a long run exhaust memory.
            long physical = physicalMemory();
            if (physical > 0 && System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
                System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", Long.toString(physical * 3 / 4));
                System.setProperty("org.bytedeco.javacpp.maxbytes", Long.toString(physical * 5 / 8));
            }
            boolean cuda = cudaBuild();
            String extension = platformExtension();
            if (!extension.isEmpty()) {
                System.setProperty("org.bytedeco.javacpp.platform.extension", extension);
            }
            if (unpackNotice != null) {
                try {
                    tellIfUnpacking(NativeCache.planHere(), unpackNotice);
                } catch (IOException e) {
                    // the jars cannot be read here: no notice, and JavaCPP unpacks as ever
                }
            }
            String backend = Nd4j.getBackend().getClass().getSimpleName().replace("Backend", "");
            // ND4J reads OMP_NUM_THREADS from Java's copy of the environment, which setenv does not change, and
            // without it gives OpenMP and BLAS (OpenBLAS, whose threads spin while they wait) every core: set the
            // engine's count again. Beside a busy process the DARTS step ran at 1.8 img/s with BLAS on two threads,
            // 6.7 on one.
            String omp = NativeEnvironment.prepare().get("OMP_NUM_THREADS");
            if (!cuda && omp != null && System.getenv("OMP_NUM_THREADS") == null) {
                try {
                    int n = Integer.parseInt(omp.trim());
                    org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
                    Nd4j.factory().blas().setMaxThreads(n);
                } catch (NumberFormatException e) {
                    // not a count: OpenMP's own reading of it stands
                }
            }
            int threads = Nd4j.getEnvironment().maxMasterThreads();
            String kernels = !cuda && io.cellforge.engine.ops.Onednn.available() ? ", oneDNN for float" : "";
            int cores = Runtime.getRuntime().availableProcessors();
            String team = ThreadGovernor.choosesHere(cuda) ? threads + " to " + cores + " OpenMP threads by the machine's load, "
                    : threads + (threads == 1 ? " OpenMP thread, " : " OpenMP threads, ");
            description = backend + " (nd4j " + (cuda ? "cuda-11.6" : extension.isEmpty() ? "generic" : extension.substring(1)) + kernels + "), " + team
                    + NativeEnvironment.waitPolicy() + " waits, Java kernels on "
                    + (Boolean.getBoolean("cellforge.kernels.serial") ? 1 : cores);
        }
        return description;
    }

    /**
     * The threads of the native kernels: the calling thread's OpenMP team for libnd4j's and oneDNN's (one libgomp
     * serves both), and, for the whole process, libnd4j's own pool (its elementwise ops) and OpenBLAS's.
     */
    static void setNativeThreads(int n) {
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        Nd4j.getEnvironment().setMaxMasterThreads(n);
        Nd4j.getEnvironment().setMaxThreads(n);
        Nd4j.factory().blas().setMaxThreads(n);
    }

    /** Ends a {@link #pinThreads} pin: the thread's count goes back to what it was. */
    public interface ThreadPin extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Runs every pass of the networks used on this Java thread with {@code threads} OpenMP threads until closed,
     * whatever the machine's load: trials side by side each take their share of the cores instead of half of them
     * each, and a seed gives the same sums at every run. A count the user fixed (OMP_NUM_THREADS,
     * {@code -Dcellforge.threads}) still stands.
     */
    public static ThreadPin pinThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a pass needs at least one thread, not " + threads);
        }
        Integer before = ThreadGovernor.pinHere(threads);
        return () -> ThreadGovernor.pinHere(before == null ? 0 : before);
    }

    /**
     * The build of libnd4j JavaCPP loads: the extension the user set, else {@code -onednn-avx2} on CPUs with AVX2
     * (a build of the CPU backend only), else none.
     */
    static String platformExtension() {
        String set = System.getProperty("org.bytedeco.javacpp.platform.extension");
        if (set != null) {
            return set;
        }
        return !cudaBuild() && cpuHas("avx2") ? "-onednn-avx2" : "";
    }

    /**
     * Whether ND4J computes on a GPU (the {@code -Pcuda} build, nd4j-cuda): the engine then takes the kernels that
     * stay on the device (ops.NativeKernels) instead of the Java ones, which work on host memory.
     */
    public static boolean onDevice() {
        init();
        return !Nd4j.getEnvironment().isCPU();
    }

    /** Whether this is the {@code -Pcuda} build: its backend class is on the classpath (ND4J not yet loaded). */
    private static boolean cudaBuild() {
        try {
            Class.forName("org.nd4j.linalg.jcublas.JCublasBackend", false, Backend.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The kernels a network's convolutions, pools, BatchNorm and ReLU run on. ONEDNN: oneDNN in its blocked layout
     * (engine.ops.Onednn), for float on the CPU. JAVA: libnd4j's with the engine's Java BatchNorm and depthwise
     * backward, on the CPU (double: the gradient checks). DEVICE: libnd4j's alone (engine.ops.NativeKernels), which
     * stay on the GPU of the CUDA build.
     */
    public enum Kernels { ONEDNN, JAVA, DEVICE }

    /**
     * The kernels for networks of this data type: DEVICE on CUDA, else ONEDNN for float where oneDNN loads, else
     * JAVA. {@code -Dcellforge.kernels=onednn|java|device} chooses (for comparing them; oneDNN only in float).
     */
    public static Kernels kernels(org.nd4j.linalg.api.buffer.DataType dtype) {
        boolean fl = dtype == org.nd4j.linalg.api.buffer.DataType.FLOAT;
        String chosen = System.getProperty("cellforge.kernels");
        if (chosen != null) {
            Kernels k;
            try {
                k = Kernels.valueOf(chosen.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cellforge.kernels must be onednn, java or device, not " + chosen);
            }
            if (k != Kernels.ONEDNN || (fl && !onDevice() && io.cellforge.engine.ops.Onednn.available())) {
                return k;
            }
        }
        if (onDevice()) {
            return Kernels.DEVICE;
        }
        return fl && io.cellforge.engine.ops.Onednn.available() ? Kernels.ONEDNN : Kernels.JAVA;
    }

    /**
     * oneDNN's channel block: 16 where the CPU has AVX-512 (oneDNN's AVX-512 kernels use {@code nChw16c}; its AVX2
     * ones on {@code nChw8c} took 2.6 ms against 0.6 ms for a 3x3 max pool of 32x16x32x32 here, and 10 to 40% longer
     * for convolutions), else 8; {@code -Dcellforge.onednn.block=8|16} chooses.
     */
    public static int onednnBlock() {
        String chosen = System.getProperty("cellforge.onednn.block");
        if (chosen != null) {
            if (!chosen.equals("8") && !chosen.equals("16")) {
                throw new IllegalArgumentException("cellforge.onednn.block must be 8 or 16, not " + chosen);
            }
            return Integer.parseInt(chosen);
        }
        return AVX512 ? 16 : 8;
    }

    private static final boolean AVX512 = cpuHas("avx512f");

    private static long physicalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Whether /proc/cpuinfo lists the flag (false where it cannot be read). */
    public static boolean cpuHas(String flag) {
        try {
            return java.util.regex.Pattern.compile("\\s" + java.util.regex.Pattern.quote(flag) + "(\\s|$)", java.util.regex.Pattern.MULTILINE)
                    .matcher(Files.readString(Path.of("/proc/cpuinfo"))).find(); // "fma" is not "fma4"
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * This JVM: the physical memory of the machine (of its container, as the JVM sees it), and JavaCPP's
     * maxPhysicalBytes, past which every native allocation of ND4J's fails; less what the process holds now.
     */
    public static MemoryEstimate.Limits memoryLimits() {
        long physical = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : Long.MAX_VALUE;
        long maxPhysical = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        long inUse = org.bytedeco.javacpp.Pointer.physicalBytes();
        long cap = Math.min(physical, maxPhysical > 0 ? maxPhysical : Long.MAX_VALUE);
        return new MemoryEstimate.Limits(Math.max(0, cap - inUse), "the machine has " + MemoryEstimate.size(physical)
                + (maxPhysical > 0 && maxPhysical < physical ? ", JavaCPP allows the process " + MemoryEstimate.size(maxPhysical)
                + " (-Dorg.bytedeco.javacpp.maxphysicalbytes, by default a multiple of -Xmx)" : "")
                + ", the process holds " + MemoryEstimate.size(inUse) + " now and its Java heap (-Xmx) may grow to "
                + MemoryEstimate.size(Runtime.getRuntime().maxMemory()));
    }
}

package io.cellforge.engine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Where JavaCPP unpacks the engine's native libraries (about 500 MB for the CPU build): under Cellforge's own
 * folder ({@code ~/.cellforge}, or the system property {@code cellforge.home}, as the app's Workspace), in
 * {@code javacpp-cache}, instead of JavaCPP's {@code ~/.javacpp/cache}. A cache folder the user names with
 * {@code -Dorg.bytedeco.javacpp.cachedir} wins.
 *
 * <p>JavaCPP's Loader (1.5.7, {@code cacheResource}) copies a library from jar {@code J}, entry {@code E}, to
 * {@code CACHE/J/E} and copies it again unless that file has the entry's size and its time as last-modified time;
 * where the library is already in the cache under another jar it makes a symbolic link instead. {@link Plan}
 * reads the same facts, so the app knows before ND4J loads whether the first start will unpack, and how far it is.
 * It does not count the copies a preset makes under another name (OpenBLAS's {@code libopenblas_nolapack.so.0},
 * 31 MB): the count reaches its total a little before the end.
 */
public final class NativeCache {
    static final String CACHE_DIR = "org.bytedeco.javacpp.cachedir";

    private NativeCache() {
    }

    /** Cellforge's per-user folder: {@code cellforge.home}, else {@code ~/.cellforge}. */
    public static Path home() {
        String p = System.getProperty("cellforge.home");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cellforge");
    }

    /** Sets JavaCPP's cache folder unless the user did; call before ND4J loads. Returns the folder in force. */
    public static synchronized Path prepare() {
        String set = System.getProperty(CACHE_DIR);
        if (set == null) {
            set = home().resolve("javacpp-cache").toString();
            System.setProperty(CACHE_DIR, set);
        }
        return Path.of(set);
    }

    /** One library JavaCPP will unpack: the file it becomes in the cache, the entry's size and time. */
    public record Library(Path target, long size, long time) {
    }

    /**
     * The libraries JavaCPP unpacks for this platform ({@code linux-x86_64}) and extension ({@code -onednn-avx2}
     * or empty). In each folder of native code (the path before the platform), the extension's build where a jar
     * has one (JavaCPP loads that one first), else the platform's; headers, CMake and pkg-config files stay in the jar.
     */
    public static Plan plan(Path cacheDir, List<Path> jars, String platform, String extension) throws IOException {
        Map<String, List<Library>> plain = new LinkedHashMap<>();
        Map<String, List<Library>> extended = new LinkedHashMap<>();
        for (Path jar : jars) {
            if (!jar.getFileName().toString().contains(platform)) {
                continue; // JavaCPP's platform jars carry the platform in their name; the others hold no natives
            }
            try (JarFile j = new JarFile(jar.toFile())) {
                for (JarEntry e : java.util.Collections.list(j.entries())) {
                    String name = e.getName();
                    if (e.isDirectory() || name.startsWith("META-INF/")) {
                        continue;
                    }
                    String[] parts = name.split("/");
                    if (parts.length < 3 || !parts[parts.length - 1].contains(".so") && !parts[parts.length - 1].endsWith(".dll")
                            && !parts[parts.length - 1].endsWith(".dylib")) {
                        continue;
                    }
                    String dir = parts[parts.length - 2];
                    String folder = name.substring(0, name.length() - parts[parts.length - 1].length() - dir.length() - 1);
                    Library lib = new Library(cacheDir.resolve(jar.getFileName().toString()).resolve(name), e.getSize(), e.getTime());
                    if (!extension.isEmpty() && dir.equals(platform + extension)) {
                        extended.computeIfAbsent(folder, k -> new ArrayList<>()).add(lib);
                    } else if (dir.equals(platform)) {
                        plain.computeIfAbsent(folder, k -> new ArrayList<>()).add(lib);
                    }
                }
            }
        }
        List<Library> all = new ArrayList<>();
        extended.values().forEach(all::addAll);
        plain.forEach((folder, libs) -> {
            if (!extended.containsKey(folder)) {
                all.addAll(libs);
            }
        });
        return new Plan(List.copyOf(all));
    }

    /** {@link #plan} for this process: the cache folder in force, the jars of the class path, this machine. */
    public static Plan planHere() throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                jars.add(Path.of(entry));
                jars.addAll(manifestClassPath(Path.of(entry)));
            }
        }
        return plan(prepare(), jars.stream().distinct().toList(), platform(), Backend.platformExtension());
    }

    /** The jars a jar's manifest names (its Class-Path, relative to its folder): all of them under {@code java -jar}. */
    static List<Path> manifestClassPath(Path jar) throws IOException {
        List<Path> out = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            java.util.jar.Manifest m = j.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
            if (cp != null) {
                Path dir = jar.toAbsolutePath().getParent();
                for (String e : cp.trim().split("\\s+")) {
                    Path p = dir.resolve(e);
                    if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    /** JavaCPP's name of this platform, as its Loader forms it (os.name and os.arch, normalised). */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        String o = os.startsWith("windows") ? "windows" : os.startsWith("mac os x") || os.startsWith("darwin") ? "macosx" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : arch;
        return o + "-" + a;
    }

    /** What the first start unpacks, read again from the file system at each call. */
    public record Plan(List<Library> libraries) {
        /** The bytes of every library to unpack. */
        public long total() {
            return libraries.stream().mapToLong(Library::size).sum();
        }

        /** The bytes in the cache now: a library unpacked (or linked) whole counts whole, one being written its length so far. */
        public long done() {
            long sum = 0;
            for (Library l : libraries) {
                sum += unpacked(l) ? l.size() : Math.min(l.size(), length(l.target()));
            }
            return sum;
        }

        /** Whether JavaCPP will unpack anything: some library is not in the cache as it would leave it. */
        public boolean needed() {
            return libraries.stream().anyMatch(l -> !unpacked(l));
        }

        private static boolean unpacked(Library l) {
            Path t = l.target();
            if (Files.isSymbolicLink(t)) {
                return Files.exists(t); // JavaCPP linked it to the same library unpacked from another jar
            }
            try {
                return Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS) && Files.size(t) == l.size()
                        && Files.getLastModifiedTime(t).toMillis() == l.time();
            } catch (IOException e) {
                return false;
            }
        }

        private static long length(Path p) {
            try {
                return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0;
            } catch (IOException e) {
                return 0;
            }
        }
    }
}

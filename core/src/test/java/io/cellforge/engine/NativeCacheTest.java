package io.cellforge.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeCacheTest {
    static final long TIME = 1_650_000_000_000L;

    @TempDir
    Path tmp;

    /** A jar of entries of the given sizes (bytes of zeros), all with the same time. */
    private Path jar(String name, String... entriesAndSizes) throws IOException {
        Path p = tmp.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(p))) {
            for (int i = 0; i < entriesAndSizes.length; i += 2) {
                JarEntry e = new JarEntry(entriesAndSizes[i]);
                e.setTime(TIME);
                out.putNextEntry(e);
                out.write(new byte[Integer.parseInt(entriesAndSizes[i + 1])]);
                out.closeEntry();
            }
        }
        return p;
    }

    /** What JavaCPP leaves for a library it unpacked: the entry's bytes, with the entry's time. */
    private static void unpack(NativeCache.Library l) throws IOException {
        Files.createDirectories(l.target().getParent());
        try (OutputStream o = Files.newOutputStream(l.target())) {
            o.write(new byte[(int) l.size()]);
        }
        Files.setLastModifiedTime(l.target(), FileTime.fromMillis(l.time()));
    }

    @Test
    void anEmptyCacheNeedsTheLibrariesOfThisPlatformAndExtensionOnly() throws IOException {
        Path engine = jar("engine-1.0-linux-x86_64-onednn-avx2.jar", "org/e/bindings/linux-x86_64-onednn-avx2/libe.so", "300",
                "org/e/bindings/linux-x86_64-onednn-avx2/libe.so.1", "20", "META-INF/native-image/x.json", "5");
        Path generic = jar("engine-1.0-linux-x86_64.jar", "org/e/bindings/linux-x86_64/libe.so", "280");
        Path blas = jar("blas-1.0-linux-x86_64.jar", "org/b/linux-x86_64/libblas.so.0", "100",
                "org/b/linux-x86_64/include/cblas.h", "7");
        Path classes = jar("engine-api-1.0.jar", "org/e/Api.class", "9");
        Path cache = tmp.resolve("cache");
        NativeCache.Plan plan = NativeCache.plan(cache, List.of(engine, generic, blas, classes), "linux-x86_64", "-onednn-avx2");
        assertEquals(List.of(cache.resolve("engine-1.0-linux-x86_64-onednn-avx2.jar/org/e/bindings/linux-x86_64-onednn-avx2/libe.so"),
                cache.resolve("engine-1.0-linux-x86_64-onednn-avx2.jar/org/e/bindings/linux-x86_64-onednn-avx2/libe.so.1"),
                cache.resolve("blas-1.0-linux-x86_64.jar/org/b/linux-x86_64/libblas.so.0")),
                plan.libraries().stream().map(NativeCache.Library::target).toList());
        assertEquals(420, plan.total());
        assertEquals(0, plan.done());
        assertTrue(plan.needed());

        NativeCache.Plan withoutExtension = NativeCache.plan(cache, List.of(engine, generic, blas), "linux-x86_64", "");
        assertEquals(380, withoutExtension.total()); // the generic build where the CPU has no AVX2
    }

    @Test
    void progressCountsWhatIsUnpackedAndAFilledCacheNeedsNothing() throws IOException {
        Path blas = jar("blas-1.0-linux-x86_64.jar", "org/b/linux-x86_64/libblas.so.0", "100",
                "org/b/linux-x86_64/libgomp.so.1", "40", "org/b/linux-x86_64/libq.so", "60");
        NativeCache.Plan plan = NativeCache.plan(tmp.resolve("cache"), List.of(blas), "linux-x86_64", "");
        List<NativeCache.Library> libs = plan.libraries();
        unpack(libs.get(0));
        // one being written: its length so far
        Files.write(libs.get(2).target(), new byte[25]);
        assertEquals(125, plan.done());
        assertTrue(plan.needed());
        // JavaCPP links a library another jar already unpacked
        Path other = tmp.resolve("cache/other.jar/libgomp.so.1");
        Files.createDirectories(other.getParent());
        Files.write(other, new byte[40]);
        Files.createSymbolicLink(libs.get(1).target(), other);
        unpack(libs.get(2));
        assertEquals(200, plan.done());
        assertFalse(plan.needed());
    }

    @Test
    void aFileOfAnotherTimeIsUnpackedAgain() throws IOException {
        Path blas = jar("blas-1.0-linux-x86_64.jar", "org/b/linux-x86_64/libblas.so.0", "100");
        NativeCache.Plan plan = NativeCache.plan(tmp.resolve("cache"), List.of(blas), "linux-x86_64", "");
        unpack(plan.libraries().get(0));
        Files.setLastModifiedTime(plan.libraries().get(0).target(), FileTime.fromMillis(plan.libraries().get(0).time() + 2000));
        assertTrue(plan.needed()); // JavaCPP's own test: size and time both
    }

    @Test
    void anEmptyCacheHereNeedsTheEnginesLibrariesFromTheClassPath() throws IOException {
        String set = System.getProperty(NativeCache.CACHE_DIR);
        try {
            System.setProperty(NativeCache.CACHE_DIR, tmp.resolve("empty").toString());
            NativeCache.Plan plan = NativeCache.planHere();
            assertTrue(plan.needed());
            assertTrue(plan.libraries().stream().anyMatch(l -> l.target().getFileName().toString().equals("libnd4jcpu.so")
                    && l.target().startsWith(tmp.resolve("empty"))), plan.libraries().toString());
            assertTrue(plan.total() > 100L << 20, "libnd4jcpu.so alone is over 300 MB: " + plan.total());
        } finally {
            restore(NativeCache.CACHE_DIR, set);
        }
    }

    @Test
    void theCacheGoesUnderCellforgesHomeUnlessTheUserNamedOne() {
        String home = System.getProperty("cellforge.home");
        String set = System.getProperty(NativeCache.CACHE_DIR);
        try {
            System.clearProperty(NativeCache.CACHE_DIR);
            System.setProperty("cellforge.home", tmp.resolve("h").toString());
            assertEquals(tmp.resolve("h/javacpp-cache"), NativeCache.prepare());
            System.setProperty(NativeCache.CACHE_DIR, tmp.resolve("mine").toString());
            assertEquals(tmp.resolve("mine"), NativeCache.prepare());
        } finally {
            restore("cellforge.home", home);
            restore(NativeCache.CACHE_DIR, set);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void theEngineTellsOfAFirstStartThatUnpacksAndOfNoLaterOne() throws IOException {
        Path engine = jar("engine-1.0-linux-x86_64.jar", "org/e/linux-x86_64/libe.so", "2000000");
        NativeCache.Plan plan = NativeCache.plan(tmp.resolve("cache"), List.of(engine), "linux-x86_64", "");
        List<NativeCache.Plan> told = new java.util.ArrayList<>();
        Backend.tellIfUnpacking(plan, told::add);
        assertEquals(1, told.size());
        for (NativeCache.Library l : plan.libraries()) {
            unpack(l);
        }
        Backend.tellIfUnpacking(plan, told::add);
        assertEquals(1, told.size(), "a filled cache: nothing said");
    }

    @Test
    void aJarStartedWithJavaJarBringsTheJarsItsManifestNames() throws IOException {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Files.move(jar("engine-1.0-linux-x86_64.jar", "org/e/linux-x86_64/libe.so", "10"), lib.resolve("engine-1.0-linux-x86_64.jar"));
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/engine-1.0-linux-x86_64.jar lib/absent.jar");
        Path app = tmp.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(app), m)) {
            out.putNextEntry(new JarEntry("A.class"));
            out.closeEntry();
        }
        assertEquals(List.of(lib.resolve("engine-1.0-linux-x86_64.jar")), NativeCache.manifestClassPath(app), "a missing jar is left out");
    }
}

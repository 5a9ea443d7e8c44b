package io.cellforge.app;

import io.cellforge.engine.NativeCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineSplashTest {
    @TempDir
    Path tmp;

    @Test
    void theSplashSaysHowFarTheUnpackingIsInMegabytes() {
        assertEquals("Unpacking the engine (first start): 120 of 380 MB", EngineSplash.text(120L << 20, (380L << 20) + 5));
        assertEquals("Unpacking the engine (first start): 0 of 495 MB", EngineSplash.text(0, 495L << 20));
    }

    @Test
    void anEmptyCacheShowsTheSplashAndAFilledOneDoesNot() throws IOException {
        String set = System.getProperty("org.bytedeco.javacpp.cachedir");
        try {
            System.setProperty("org.bytedeco.javacpp.cachedir", tmp.toString());
            NativeCache.Plan plan = EngineSplash.pending().orElseThrow();
            assertTrue(plan.total() > 0);
            // the cache as JavaCPP leaves it: each library at its place with the jar entry's size and time
            // (sparse files: the lengths without the bytes)
            for (NativeCache.Library l : plan.libraries()) {
                Files.createDirectories(l.target().getParent());
                try (RandomAccessFile f = new RandomAccessFile(l.target().toFile(), "rw")) {
                    f.setLength(l.size());
                }
                Files.setLastModifiedTime(l.target(), FileTime.fromMillis(l.time()));
            }
            assertFalse(EngineSplash.pending().isPresent());
        } finally {
            if (set == null) {
                System.clearProperty("org.bytedeco.javacpp.cachedir");
            } else {
                System.setProperty("org.bytedeco.javacpp.cachedir", set);
            }
        }
    }
}

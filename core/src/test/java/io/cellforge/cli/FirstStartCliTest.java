package io.cellforge.cli;

import io.cellforge.engine.NativeCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CLI's first start says that it unpacks the engine, and how much of it is left, instead of seconds of silence. */
class FirstStartCliTest {
    @Test
    void theLineNamesWhatIsLeftToUnpackAndWhere(@TempDir Path cache) throws Exception {
        Path half = cache.resolve("engine.jar/libhalf.so");
        Files.createDirectories(half.getParent());
        Files.write(half, new byte[1_000_000]); // being written: a million bytes of its three million
        NativeCache.Plan plan = new NativeCache.Plan(List.of(new NativeCache.Library(cache.resolve("engine.jar/libe.so"), 250_000_000, 0),
                new NativeCache.Library(half, 3_000_000, 0)));
        assertEquals("unpacking the engine's native libraries (first start only: 240 MB into " + cache + ") ...",
                Main.unpackLine(plan, cache));
    }
}

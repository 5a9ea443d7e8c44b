package io.cellforge.engine;

import io.cellforge.io.FileWrites;
import io.cellforge.io.LoadException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    /** Keys a space may hold: "__" and "/" that the first format confused, NUL, 250 characters, case twins. */
    static final List<String> KEYS = List.of("alpha/n2__p0", "alpha/n2/p0", "a\u0000b", "k".repeat(250), "Op", "op", "x");

    static Map<String, INDArray> arrays(long seed) {
        Random r = new Random(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String k : KEYS) {
            float[] v = new float[6];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextFloat() - 0.5f;
            }
            m.put(k, Nd4j.create(v, new long[] {2, 3}, 'c'));
        }
        return m;
    }

    static Map<String, INDArray> zerosLike(Map<String, INDArray> m) {
        Map<String, INDArray> z = new LinkedHashMap<>();
        m.forEach((k, a) -> z.put(k, Nd4j.zeros(DataType.FLOAT, a.shape())));
        return z;
    }

    static void save(Path dir, long seed) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("epoch", 1);
        Map<String, Map<String, INDArray>> groups = new LinkedHashMap<>();
        groups.put("weights", arrays(seed));
        groups.put("adam_m", arrays(seed + 1));
        Checkpoint.save(dir, meta, groups);
    }

    @Test
    void everyKeyComesBackExactly(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        save(ck, 1);
        Checkpoint c = Checkpoint.open(ck);
        Map<String, INDArray> into = zerosLike(arrays(1));
        c.restore("weights", into);
        Map<String, INDArray> adam = c.restoreSome("adam_m", into);
        assertEquals(KEYS, List.copyOf(adam.keySet()));
        for (String k : KEYS) {
            assertArrayEquals(arrays(1).get(k).dup().data().asFloat(), into.get(k).dup().data().asFloat(), 0f, k);
            assertArrayEquals(arrays(2).get(k).dup().data().asFloat(), adam.get(k).dup().data().asFloat(), 0f, k);
        }
        assertTrue(c.restoreSome("sgd", into).isEmpty(), "a group never saved is empty");
    }

    @Test
    void aSaveIsOneRenameAndAKillBeforeItLeavesThePreviousCheckpoint(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        save(ck, 1);
        // As a kill during the second save leaves it: a half-written v000002 and CURRENT's temporary file.
        Path half = Files.createDirectories(ck.resolve("v000002/weights"));
        Files.write(half.resolve("0.bin"), new byte[] {0, 16, 77});
        Files.writeString(ck.resolve(".CURRENT123456.tmp"), "v0000");
        Map<String, INDArray> into = zerosLike(arrays(1));
        Checkpoint.open(ck).restore("weights", into);
        assertArrayEquals(arrays(1).get("x").dup().data().asFloat(), into.get("x").dup().data().asFloat(), 0f);

        save(ck, 7);
        try (var s = Files.list(ck)) {
            assertEquals(List.of("CURRENT", "v000003"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "the old version, the half-written one and the temporary file are gone");
        }
        Checkpoint.open(ck).restore("weights", into);
        assertArrayEquals(arrays(7).get("x").dup().data().asFloat(), into.get("x").dup().data().asFloat(), 0f);
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointAndNoHalfWrittenVersion(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        save(ck, 1);
        try (AutoCloseable full = FileWrites.failWritesTo(p -> p.getFileName().toString().equals("3.bin"))) {
            IOException e = assertThrows(IOException.class, () -> save(ck, 9));
            assertTrue(e.getMessage().contains("3.bin"), e.getMessage());
        }
        try (var s = Files.list(ck)) {
            assertEquals(List.of("CURRENT", "v000001"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Map<String, INDArray> into = zerosLike(arrays(1));
        Checkpoint.open(ck).restore("weights", into);
        assertArrayEquals(arrays(1).get("x").dup().data().asFloat(), into.get("x").dup().data().asFloat(), 0f);
    }

    @Test
    void aFolderWithOtherFilesIsNeverWrittenIntoAndOnlyOwnFilesAreDeleted(@TempDir Path dir) throws Exception {
        Path mine = Files.createDirectories(dir.resolve("thesis"));
        Files.writeString(mine.resolve("thesis.txt"), "years of work");
        IOException e = assertThrows(IOException.class, () -> save(mine, 1));
        assertTrue(e.getMessage().contains("not a Cellforge checkpoint"), e.getMessage());
        assertEquals("years of work", Files.readString(mine.resolve("thesis.txt")));
        try (var s = Files.list(mine)) {
            assertEquals(1, s.count());
        }
        // A file of the user's that only has a checkpoint's name does not make the folder a checkpoint.
        Files.writeString(mine.resolve("checkpoint.json"), "{\"mine\": true}");
        Files.createDirectories(mine.resolve("weights"));
        Files.writeString(mine.resolve("weights/model.bin"), "mine");
        assertFalse(Checkpoint.isCheckpoint(mine));
        assertThrows(IOException.class, () -> save(mine, 1));
        assertEquals("mine", Files.readString(mine.resolve("weights/model.bin")));
        assertOneLine(mine, assertThrows(LoadException.class, () -> Checkpoint.open(mine)));
        // A user's file that was put into a checkpoint folder, even into a version, outlives the next saves.
        Path ck = dir.resolve("ck");
        save(ck, 1);
        Files.writeString(ck.resolve("notes.md"), "mine");
        Files.createDirectories(ck.resolve("weights"));
        Files.writeString(ck.resolve("weights/model.bin"), "mine");
        Files.writeString(ck.resolve("v000001/weights/readme.txt"), "mine too");
        save(ck, 2);
        save(ck, 3);
        assertEquals("mine", Files.readString(ck.resolve("notes.md")));
        assertEquals("mine", Files.readString(ck.resolve("weights/model.bin")));
        assertEquals("mine too", Files.readString(ck.resolve("v000001/weights/readme.txt")));
        assertFalse(Files.exists(ck.resolve("v000001/weights/0.bin")));
    }

    @Test
    void aCheckpointOfTheFirstFormatIsStillRead(@TempDir Path dir) throws Exception {
        Path ck = Files.createDirectories(dir.resolve("ck/weights"));
        Files.writeString(dir.resolve("ck/checkpoint.json"), "{\n  \"version\" : 1,\n  \"epoch\" : 1\n}");
        Nd4j.saveBinary(arrays(1).get("alpha/n2/p0"), ck.resolve("alpha__n2__p0.bin").toFile());
        Map<String, INDArray> into = new LinkedHashMap<>();
        into.put("alpha/n2/p0", Nd4j.zeros(DataType.FLOAT, 2, 3));
        Checkpoint.open(dir.resolve("ck")).restore("weights", into);
        assertArrayEquals(arrays(1).get("alpha/n2/p0").dup().data().asFloat(), into.get("alpha/n2/p0").dup().data().asFloat(), 0f);

        // A short name and a folder named like an array: errors that name the file, not exceptions.
        Files.writeString(ck.resolve("x"), "");
        assertOneLine(ck.resolve("x"), assertThrows(LoadException.class, () -> Checkpoint.open(dir.resolve("ck")).restore("weights", into)));
        Files.delete(ck.resolve("x"));
        Files.delete(ck.resolve("alpha__n2__p0.bin"));
        Files.createDirectory(ck.resolve("alpha__n2__p0.bin"));
        assertOneLine(ck.resolve("alpha__n2__p0.bin"), assertThrows(LoadException.class,
                () -> Checkpoint.open(dir.resolve("ck")).restore("weights", into)));
    }

    @Test
    void numbersChangedBehindRightHeadersAreFoundByTheChecksum(@TempDir Path dir) throws Exception {
        // A flipped data byte, or two arrays of one shape swapped, once resumed with no error.
        Path ck = dir.resolve("ck");
        save(ck, 1);
        Path g = ck.resolve("v000001/weights");
        Path x = g.resolve(KEYS.indexOf("x") + ".bin");
        Path op = g.resolve(KEYS.indexOf("op") + ".bin");
        byte[] xs = Files.readAllBytes(x);
        byte[] ops = Files.readAllBytes(op);
        Files.write(x, ops);
        Files.write(op, xs);
        Map<String, INDArray> into = zerosLike(arrays(1));
        LoadException e = assertThrows(LoadException.class, () -> Checkpoint.open(ck).restore("weights", into));
        assertTrue(e.getMessage().contains("its checksum differs"), e.getMessage());
        assertOneLine(g.resolve(KEYS.indexOf("op") + ".bin"), e);
        xs[xs.length - 1] ^= 1;
        Files.write(x, xs);
        Files.write(op, ops);
        assertOneLine(x, assertThrows(LoadException.class, () -> Checkpoint.open(ck).restore("weights", into)));
        assertEquals(0f, into.get("alpha/n2__p0").sumNumber().floatValue(), "nothing was changed before the check");
        // The other side: a checkpoint.json without checksums (written before they were) is read as before.
        xs[xs.length - 1] ^= 1;
        Files.write(x, xs);
        Path meta = ck.resolve("v000001/checkpoint.json");
        String json = Files.readString(meta);
        assertTrue(json.contains("\"crc32\""));
        Files.writeString(meta, json.replaceAll(",\\s*\"crc32\"\\s*:\\s*\\d+", ""));
        Checkpoint.open(ck).restore("weights", into);
        assertArrayEquals(arrays(1).get("x").dup().data().asFloat(), into.get("x").dup().data().asFloat(), 0f);
    }

    /** Damage to the file of the array "x" (shape [2, 3], 6 floats); each must be one line naming the file. */
    @ParameterizedTest
    @ValueSource(strings = {"truncated", "header-only", "empty", "zeroed", "random", "data-length", "info-length", "rank", "shape",
            "type", "order", "longer", "huge", "folder"})
    void aDamagedArrayFileIsOneLineNamingItAndNeverReachesNd4j(String damage, @TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        save(ck, 1);
        Path f = ck.resolve("v000001/weights/" + KEYS.indexOf("x") + ".bin");
        byte[] b = Files.readAllBytes(f);
        // Offsets in ND4J's format: mode (2+16), shape-info length (8), "LONG" (2+4), 8 longs, mode, data length, "FLOAT".
        int info = 2 + 16;
        int infoData = info + 8 + 6;
        int dataLength = infoData + 8 * 8 + 18;
        switch (damage) {
            case "truncated" -> b = java.util.Arrays.copyOf(b, b.length - 5);
            case "header-only" -> b = java.util.Arrays.copyOf(b, 30);
            case "empty" -> b = new byte[0];
            case "zeroed" -> java.util.Arrays.fill(b, (byte) 0);
            case "random" -> new Random(3).nextBytes(b);
            case "data-length" -> ByteBuffer.wrap(b).putInt(dataLength, 0x7fffffff); // the 4-byte change that crashed the JVM
            case "info-length" -> ByteBuffer.wrap(b).putInt(info, 0x7fffffff);
            case "rank" -> ByteBuffer.wrap(b).putLong(infoData, 3);
            case "shape" -> ByteBuffer.wrap(b).putLong(infoData + 8, 3);
            case "type" -> b[dataLength + 8 + 2] = 'X';
            case "order" -> ByteBuffer.wrap(b).putLong(infoData + 7 * 8, 'z');
            case "longer" -> b = java.util.Arrays.copyOf(b, b.length + 4);
            case "huge" -> b = new byte[1 << 20];
            default -> {
            }
        }
        if (damage.equals("folder")) {
            Files.delete(f);
            Files.createDirectory(f);
        } else {
            Files.write(f, b);
        }
        Map<String, INDArray> into = zerosLike(arrays(1));
        LoadException e = assertThrows(LoadException.class, () -> Checkpoint.open(ck).restore("weights", into));
        assertOneLine(f, e);
        assertEquals(0f, into.get("alpha/n2__p0").sumNumber().floatValue(), "nothing was changed before the check");
    }

    @Test
    void aDamagedIndexOrPointerIsOneLine(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("ck");
        save(ck, 1);
        Path meta = ck.resolve("v000001/checkpoint.json");
        String good = Files.readString(meta);
        Map<String, INDArray> into = zerosLike(arrays(1));

        Files.writeString(meta, "{\"epoch\": 1,,");
        LoadException e = assertThrows(LoadException.class, () -> Checkpoint.open(ck));
        assertTrue(e.getMessage().startsWith(meta + ":1:"), e.getMessage());
        assertOneLine(meta, e);

        for (String bad : new String[] {"[1, 2]", "{\"version\": 2}", "{\"version\": 7, \"arrays\": {}}", "{\"version\": 2, \"arrays\": []}",
                "{\"version\": 2, \"arrays\": {\"weights\": [{\"key\": 3, \"shape\": [2]}]}}",
                "{\"version\": 2, \"arrays\": {\"weights\": [{\"key\": \"x\", \"shape\": [-2, 3]}]}}",
                "{\"version\": 2, \"arrays\": {\"weights\": [{\"key\": \"x\", \"shape\": [1e12, 3]}]}}",
                "{\"version\": 2, \"arrays\": {\"../x\": []}}"}) {
            Files.writeString(meta, bad);
            assertOneLine(meta, assertThrows(LoadException.class, () -> Checkpoint.open(ck)));
        }
        // An index that does not fit the network: another key, another shape, a key missing.
        Files.writeString(meta, good.replace("\"key\" : \"x\"", "\"key\" : \"y\""));
        e = assertThrows(LoadException.class, () -> Checkpoint.open(ck).restore("weights", into));
        assertTrue(e.getMessage().contains("'y'") && e.getMessage().contains("does not have"), e.getMessage());
        Files.writeString(meta, good.replaceFirst("\\[ 2, 3 \\]", "[ 3, 2 ]"));
        e = assertThrows(LoadException.class, () -> Checkpoint.open(ck).restore("weights", into));
        assertTrue(e.getMessage().contains("has shape [3, 2] but the network needs [2, 3]"), e.getMessage());

        Files.writeString(meta, good);
        Files.writeString(ck.resolve("CURRENT"), "../../etc\n");
        assertOneLine(ck.resolve("CURRENT"), assertThrows(LoadException.class, () -> Checkpoint.open(ck)));
        Files.writeString(ck.resolve("CURRENT"), "v000009\n");
        assertOneLine(ck.resolve("CURRENT"), assertThrows(LoadException.class, () -> Checkpoint.open(ck)));
        assertOneLine(dir, assertThrows(LoadException.class, () -> Checkpoint.open(dir)));
    }

    static void assertOneLine(Path file, LoadException e) {
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}

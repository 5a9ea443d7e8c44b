package io.cellforge.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.LoadException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A saved run: named groups of arrays (weights, architecture weights, optimizer states) and a JSON document
 * with everything else. Written into a fresh folder that then replaces the old one, so a crash while saving
 * never leaves a half-written checkpoint.
 */
public final class Checkpoint {
    static final String META = "checkpoint.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    public static void save(Path dir, Map<String, Object> meta, Map<String, Map<String, INDArray>> groups) throws IOException {
        Path abs = dir.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".saving");
        delete(tmp);
        Files.createDirectories(tmp);
        for (var g : groups.entrySet()) {
            Path gd = Files.createDirectories(tmp.resolve(g.getKey()));
            for (var a : g.getValue().entrySet()) {
                Nd4j.saveBinary(a.getValue(), gd.resolve(fileName(a.getKey())).toFile());
            }
        }
        Files.writeString(tmp.resolve(META), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        Path old = abs.resolveSibling(abs.getFileName() + ".old");
        delete(old);
        if (Files.exists(abs)) {
            Files.move(abs, old);
        }
        try {
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, abs);
        }
        delete(old);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> meta(Path dir) throws LoadException {
        Path f = dir.resolve(META);
        if (!Files.exists(f)) {
            throw new LoadException(dir.toString(), "not a Cellforge checkpoint (no " + META + ")");
        }
        try {
            return JSON.readValue(f.toFile(), LinkedHashMap.class);
        } catch (IOException e) {
            throw new LoadException(f.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** Reads one group; every array the run needs must be there, with the same shape. */
    public static void restore(Path dir, String group, Map<String, INDArray> into) throws LoadException {
        for (var e : into.entrySet()) {
            Path f = dir.resolve(group).resolve(fileName(e.getKey()));
            if (!Files.exists(f)) {
                throw new LoadException(f.toString(), "missing from the checkpoint: was it saved from another space?");
            }
            try {
                INDArray a = Nd4j.readBinary(f.toFile());
                if (!java.util.Arrays.equals(a.shape(), e.getValue().shape())) {
                    throw new LoadException(f.toString(), "has shape " + java.util.Arrays.toString(a.shape()) + " but the network needs "
                            + java.util.Arrays.toString(e.getValue().shape()));
                }
                e.getValue().assign(a.castTo(e.getValue().dataType()));
            } catch (IOException ex) {
                throw new LoadException(f.toString(), "cannot read: " + ex.getMessage());
            }
        }
    }

    /** Optimizer state arrays, created for the names the checkpoint holds. */
    public static Map<String, INDArray> restoreAll(Path dir, String group) throws LoadException {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Path gd = dir.resolve(group);
        if (!Files.isDirectory(gd)) {
            return out;
        }
        try (Stream<Path> files = Files.list(gd)) {
            for (Path f : files.toList()) {
                out.put(name(f.getFileName().toString()), Nd4j.readBinary(f.toFile()));
            }
        } catch (IOException e) {
            throw new LoadException(gd.toString(), "cannot read: " + e.getMessage());
        }
        return out;
    }

    static String fileName(String var) {
        return var.replace("/", "__") + ".bin";
    }

    static String name(String file) {
        return file.substring(0, file.length() - 4).replace("__", "/");
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}

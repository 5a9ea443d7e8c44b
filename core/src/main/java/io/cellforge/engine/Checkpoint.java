package io.cellforge.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.io.FileWrites;
import io.cellforge.io.Limits;
import io.cellforge.io.LoadException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A saved run: named groups of arrays (weights, architecture weights, optimizer states) and a JSON document
 * with everything else.
 * <p>
 * On disk a checkpoint folder holds numbered versions ({@code v000007/}) and a file {@code CURRENT} naming the
 * complete one. A save writes a new version, forces it to disk, and then replaces {@code CURRENT} with one atomic
 * rename: a kill at any moment leaves either the old or the new checkpoint, never none. Array files are named by
 * their position ({@code weights/12.bin}) and {@code checkpoint.json} lists their keys, so that any key, however
 * long and whatever it holds, comes back exactly. Reading checks every field and every array file against what
 * the run needs before a byte reaches ND4J. Checkpoints of the first format (arrays named after their keys, no
 * {@code CURRENT}) are still read.
 */
public final class Checkpoint {
    static final String META = "checkpoint.json";
    static final String CURRENT = "CURRENT";
    static final int FORMAT = 2;
    private static final Pattern VERSION = Pattern.compile("v\\d{6,9}");
    private static final Pattern GROUP = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final Pattern ARRAY = Pattern.compile("\\d{1,9}\\.bin");
    private static final Pattern CURRENT_TEMP = Pattern.compile("\\.CURRENT\\d+\\.tmp");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Room for the two headers of ND4J's binary format (mode and type names, lengths, the shape info of rank 32). */
    private static final long HEADER_MAX = 1024;
    private static final long META_MAX = 256L << 20;

    private final Path metaFile;
    private final Map<String, Object> meta;
    /** Format 2: group, then key to shape in file order; null for a checkpoint of the first format. */
    private final Map<String, Map<String, long[]>> index;
    /** Format 2's checksum of each array file by group and key, where checkpoint.json has one. */
    private final Map<String, Map<String, Long>> crcs = new LinkedHashMap<>();
    private final Path version;

    private Checkpoint(Path version, Map<String, Object> meta, Map<String, Map<String, long[]>> index) {
        this.version = version;
        this.metaFile = version.resolve(META);
        this.meta = meta;
        this.index = index;
    }

    /** True when {@code dir} holds a checkpoint (of either format). */
    public static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(CURRENT)) || isFirstFormat(dir);
    }

    /**
     * A checkpoint of the first format: a checkpoint.json that begins as that format wrote it (so that a file of
     * that name that someone else put there is neither taken for one nor deleted).
     */
    private static boolean isFirstFormat(Path dir) {
        Path f = dir.resolve(META);
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(f)) {
            return new String(in.readNBytes(32), StandardCharsets.UTF_8).replaceAll("\\s", "").startsWith("{\"version\":1,");
        } catch (IOException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------- saving

    /**
     * Saves a new version into {@code dir} (an empty or missing folder, or a checkpoint). On failure the new
     * version is removed again and the previous one stays the current checkpoint.
     */
    public static void save(Path dir, Map<String, Object> meta, Map<String, Map<String, INDArray>> groups) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IOException(dir + " is a file, not a checkpoint folder");
        }
        if (Files.isDirectory(abs) && !isCheckpoint(abs) && !isEmpty(abs)) {
            throw new IOException(dir + " is not empty and not a Cellforge checkpoint; it is left untouched");
        }
        Files.createDirectories(abs);
        boolean firstFormat = isFirstFormat(abs);
        String name = String.format("v%06d", nextVersion(abs));
        Path v = abs.resolve(name);
        try {
            Files.createDirectory(v);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("version", FORMAT);
            meta.forEach((k, x) -> m.putIfAbsent(k, x));
            Map<String, Object> arrays = new LinkedHashMap<>();
            for (var g : groups.entrySet()) {
                if (!GROUP.matcher(g.getKey()).matches()) {
                    throw new IllegalArgumentException("group name " + g.getKey());
                }
                Path gd = Files.createDirectory(v.resolve(g.getKey()));
                List<Object> entries = new ArrayList<>();
                int i = 0;
                for (var a : g.getValue().entrySet()) {
                    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                    DataOutputStream d = new DataOutputStream(bytes);
                    Nd4j.write(a.getValue().dup('c'), d);
                    d.flush();
                    byte[] file = bytes.toByteArray();
                    FileWrites.writeNew(gd.resolve(i++ + ".bin"), out -> out.write(file));
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("key", a.getKey());
                    e.put("shape", a.getValue().shape());
                    e.put("crc32", crc(file));
                    entries.add(e);
                }
                arrays.put(g.getKey(), entries);
                FileWrites.syncFolder(gd);
            }
            m.put("arrays", arrays);
            byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
            FileWrites.writeNew(v.resolve(META), out -> out.write(json));
            FileWrites.syncFolder(v);
            // The one rename that makes the new version the checkpoint.
            FileWrites.writeAtomically(abs.resolve(CURRENT), name + "\n");
        } catch (IOException | RuntimeException e) {
            deleteVersion(v);
            throw e instanceof IOException io ? io : new IOException("cannot save the checkpoint: " + e, e);
        }
        removeAllBut(abs, name, firstFormat);
        for (Path left : leftBehind(abs)) {
            if (Files.isDirectory(left) && (isFirstFormat(left) || !Files.exists(left.resolve(META)))) {
                removeAllBut(left, name, true);
                try {
                    deleteIfEmpty(left);
                } catch (IOException leftForNextTime) {
                    // harmless: the new checkpoint is in DIR
                }
            }
        }
    }

    /** The folders a first-format save beside DIR left when it was killed: DIR.saving, then DIR.old. */
    private static List<Path> leftBehind(Path dir) {
        Path abs = dir.toAbsolutePath();
        if (abs.getFileName() == null) {
            return List.of();
        }
        return List.of(abs.resolveSibling(abs.getFileName() + ".saving"), abs.resolveSibling(abs.getFileName() + ".old"));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** One above every version there is, so that a half-written one left by a kill is never written into. */
    private static int nextVersion(Path dir) throws IOException {
        int max = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (VERSION.matcher(n).matches()) {
                    max = Math.max(max, Integer.parseInt(n.substring(1)));
                }
            }
        }
        return max + 1;
    }

    /** Removes older and half-written versions and a first-format checkpoint: only names this class writes. */
    private static void removeAllBut(Path dir, String current, boolean firstFormat) {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (VERSION.matcher(n).matches() && !n.equals(current) && Files.isDirectory(p)) {
                    deleteVersion(p);
                } else if (CURRENT_TEMP.matcher(n).matches() || firstFormat && n.equals(META)) {
                    Files.deleteIfExists(p);
                } else if (firstFormat && GROUP.matcher(n).matches() && Files.isDirectory(p)) {
                    deleteArrays(p, true);
                }
            }
        } catch (IOException leftForNextTime) {
            // an old version that stays is harmless: CURRENT names the one to read
        }
    }

    private static void deleteVersion(Path v) {
        try {
            if (!Files.isDirectory(v)) {
                return;
            }
            try (Stream<Path> s = Files.list(v)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (n.equals(META)) {
                        Files.deleteIfExists(p);
                    } else if (GROUP.matcher(n).matches() && Files.isDirectory(p)) {
                        deleteArrays(p, false);
                    }
                }
            }
            deleteIfEmpty(v);
        } catch (IOException leftForNextTime) {
            // the next save tries again
        }
    }

    /** Deletes the array files of a group folder (named by position, or any .bin of the first format). */
    private static void deleteArrays(Path group, boolean firstFormat) throws IOException {
        try (Stream<Path> s = Files.list(group)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (Files.isRegularFile(p) && (ARRAY.matcher(n).matches() || firstFormat && n.endsWith(".bin"))) {
                    Files.delete(p);
                }
            }
        }
        deleteIfEmpty(group);
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        if (isEmpty(dir)) {
            Files.delete(dir);
        }
    }

    // --------------------------------------------------------------------------------------------- reading

    /** Opens the current version of a checkpoint and reads its JSON document; the arrays are read on demand. */
    public static Checkpoint open(Path dir) throws LoadException {
        if (!Files.isDirectory(dir) && leftBehind(dir).stream().noneMatch(Checkpoint::isFirstFormat)) {
            throw new LoadException(dir.toString(), Files.exists(dir) ? "is a file, not a checkpoint folder" : "no such checkpoint folder");
        }
        Path version;
        Path current = dir.resolve(CURRENT);
        if (!isCheckpoint(dir)) {
            // The first format saved by renaming DIR to DIR.old and DIR.saving to DIR: a kill between the two left
            // no DIR. DIR.saving is complete once its checkpoint.json is there (written last), else DIR.old counts.
            for (Path left : leftBehind(dir)) {
                if (isFirstFormat(left)) {
                    dir = left;
                    break;
                }
            }
        }
        if (Files.isRegularFile(current)) {
            String name = new String(readBounded(current, 64), StandardCharsets.UTF_8).strip();
            if (!VERSION.matcher(name).matches()) {
                throw new LoadException(current.toString(), "does not name a saved version (damaged?)");
            }
            version = dir.resolve(name);
            if (!Files.isRegularFile(version.resolve(META))) {
                throw new LoadException(current.toString(), "names version " + name + ", which is missing or incomplete");
            }
        } else if (isFirstFormat(dir)) {
            version = dir;
        } else {
            throw new LoadException(dir.toString(), "not a Cellforge checkpoint (no " + CURRENT + " or " + META + ")");
        }
        Path f = version.resolve(META);
        Map<String, Object> meta;
        try {
            Object root = JSON.readValue(readBounded(f, META_MAX), Object.class);
            if (!(root instanceof Map<?, ?>)) {
                throw new LoadException(f.toString(), "is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) root;
            meta = m;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null ? f.toString() : f + ":" + at.getLineNr() + ":" + at.getColumnNr();
            throw new LoadException(where, oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new LoadException(f.toString(), "cannot read: " + FileWrites.reason(e));
        }
        Checkpoint c = new Checkpoint(version, meta, null);
        int format = c.integer("version", 1, FORMAT);
        if (format == 1) {
            return c;
        }
        Checkpoint indexed = new Checkpoint(version, meta, c.readIndex());
        indexed.crcs.putAll(c.crcs);
        return indexed;
    }

    /** Format 2's list of arrays: every group a list of {key, shape}. */
    private Map<String, Map<String, long[]>> readIndex() throws LoadException {
        Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
        for (var g : map("arrays").entrySet()) {
            if (!GROUP.matcher(g.getKey()).matches() || !(g.getValue() instanceof List<?> list)) {
                throw error("arrays", "holds '" + shortly(g.getKey()) + "', which is not a group of arrays");
            }
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (Object o : list) {
                String where = "arrays." + g.getKey() + "[" + shapes.size() + "]";
                if (!(o instanceof Map<?, ?> e) || !(e.get("key") instanceof String key) || !(e.get("shape") instanceof List<?> shape)) {
                    throw error(where, "must be {key: string, shape: [numbers]}");
                }
                if (shape.size() > 32) {
                    throw error(where, "has " + shape.size() + " dimensions; arrays have at most 32");
                }
                long[] s = new long[shape.size()];
                for (int i = 0; i < s.length; i++) {
                    s[i] = whole(shape.get(i), 0, Integer.MAX_VALUE, where + ".shape");
                }
                if (shapes.put(key, s) != null) {
                    throw error(where, "repeats the key '" + shortly(key) + "'");
                }
                if (e.get("crc32") != null) { // older checkpoints have none
                    crcs.computeIfAbsent(g.getKey(), x -> new LinkedHashMap<>()).put(key, whole(e.get("crc32"), 0, 0xffffffffL, where + ".crc32"));
                }
            }
            out.put(g.getKey(), shapes);
        }
        return out;
    }

    /**
     * Reads a group into arrays of the network: the group must hold exactly these keys, each with the same shape;
     * every file is checked before any array is changed.
     */
    public void restore(String group, Map<String, INDArray> into) throws LoadException {
        Map<String, INDArray> read = read(group, into, true);
        for (var e : read.entrySet()) {
            INDArray target = into.get(e.getKey());
            target.assign(e.getValue().castTo(target.dataType()));
        }
    }

    /**
     * Reads a group of optimizer states: some keys of {@code like} (the parameters they belong to), each with its
     * parameter's shape and type. A missing group is empty.
     */
    public Map<String, INDArray> restoreSome(String group, Map<String, INDArray> like) throws LoadException {
        Map<String, INDArray> read = read(group, like, false);
        Map<String, INDArray> out = new LinkedHashMap<>();
        read.forEach((k, a) -> out.put(k, a.castTo(like.get(k).dataType())));
        return out;
    }

    private Map<String, INDArray> read(String group, Map<String, INDArray> like, boolean all) throws LoadException {
        Path gd = version.resolve(group);
        Map<String, Path> files = new LinkedHashMap<>();
        if (index != null) {
            Map<String, long[]> listed = index.getOrDefault(group, Map.of());
            int i = 0;
            for (var e : listed.entrySet()) {
                String where = "arrays." + group + "[" + i + "]";
                INDArray l = like.get(e.getKey());
                if (l == null) {
                    throw error(where, "is '" + shortly(e.getKey()) + "', which this network does not have: was it saved from another space?");
                }
                if (!Arrays.equals(e.getValue(), l.shape())) {
                    throw error(where, "'" + shortly(e.getKey()) + "' has shape " + Arrays.toString(e.getValue()) + " but the network needs "
                            + Arrays.toString(l.shape()));
                }
                files.put(e.getKey(), gd.resolve(i++ + ".bin"));
            }
        } else if (Files.isDirectory(gd)) {
            // First format: a key's file name is the key with '/' as "__"; only the network's own keys are looked up.
            Map<String, String> byName = new LinkedHashMap<>();
            like.keySet().forEach(k -> byName.put(k.replace("/", "__") + ".bin", k));
            try (Stream<Path> s = Files.list(gd)) {
                for (Path p : s.sorted().toList()) {
                    String key = byName.get(p.getFileName().toString());
                    if (key == null) {
                        throw new LoadException(p.toString(), "is not an array of this network: was it saved from another space?");
                    }
                    files.put(key, p);
                }
            } catch (IOException e) {
                throw new LoadException(gd.toString(), "cannot read: " + FileWrites.reason(e));
            }
        } else if (all && !like.isEmpty()) {
            throw new LoadException(gd.toString(), "missing from the checkpoint");
        }
        if (all) {
            for (String k : like.keySet()) {
                if (!files.containsKey(k)) {
                    throw new LoadException(gd.toString(), "'" + shortly(k) + "' is missing from the checkpoint: was it saved from another space?");
                }
            }
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<String, Object[]> raw = new LinkedHashMap<>();
        Map<String, Long> sums = crcs.getOrDefault(group, Map.of());
        for (var e : files.entrySet()) {
            raw.put(e.getKey(), readArray(e.getValue(), like.get(e.getKey()).shape(), sums.get(e.getKey())));
        }
        for (var e : raw.entrySet()) {
            out.put(e.getKey(), toArray(e.getValue(), like.get(e.getKey()).shape()));
        }
        return out;
    }

    /**
     * One array file of ND4J's binary format, checked whole: its size against the shape the network needs,
     * then both headers (mode, length, type; the shape info), then that exactly the data remain, then the file's
     * CRC-32 against {@code crc} (format 2 lists one per file; null for older checkpoints).
     * Returns {data (float[] or double[]), order (Character)}.
     */
    static Object[] readArray(Path f, long[] shape, Long crc) throws LoadException {
        if (!Files.isRegularFile(f)) {
            throw new LoadException(f.toString(), Files.exists(f) ? "is not a file" : "missing from the checkpoint");
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        byte[] bytes = readBounded(f, HEADER_MAX + n * 8);
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            mode(in, f);
            long infoLength = in.readLong();
            if (infoLength != 2L * shape.length + 4 || !"LONG".equals(in.readUTF())) {
                throw new LoadException(f.toString(), "its shape header does not describe an array of shape " + Arrays.toString(shape));
            }
            long[] info = new long[(int) infoLength];
            for (int i = 0; i < info.length; i++) {
                info[i] = in.readLong();
            }
            long[] saved = Arrays.copyOfRange(info, 1, 1 + shape.length);
            if (info[0] != shape.length || !Arrays.equals(saved, shape)) {
                throw new LoadException(f.toString(), "has shape " + (info[0] == shape.length ? Arrays.toString(saved) : "of rank " + info[0])
                        + " but the network needs " + Arrays.toString(shape));
            }
            long order = info[info.length - 1];
            if (order != 'c' && order != 'f') {
                throw new LoadException(f.toString(), "its shape header is damaged (order " + order + ")");
            }
            mode(in, f);
            long length = in.readLong();
            if (length != n) {
                throw new LoadException(f.toString(), "says it holds " + length + " numbers; an array of shape " + Arrays.toString(shape)
                        + " holds " + n);
            }
            String type = in.readUTF();
            int width = switch (type) {
                case "FLOAT" -> 4;
                case "DOUBLE" -> 8;
                default -> throw new LoadException(f.toString(), "holds numbers of type '" + shortly(type) + "'; checkpoints hold FLOAT or DOUBLE");
            };
            int at = bytes.length - in.available();
            if (bytes.length - at != n * width) {
                throw new LoadException(f.toString(), "is " + bytes.length + " bytes; its headers and " + n + " numbers of type " + type
                        + " take " + (at + n * width) + " (truncated or damaged)");
            }
            // Headers and size right, the numbers can still be wrong: zeroed, flipped, or another array's file.
            if (crc != null && crc(bytes) != crc) {
                throw new LoadException(f.toString(), "does not hold what was saved: its checksum differs (damaged, or another array's file)");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, at, bytes.length - at); // big-endian, as DataOutputStream wrote it
            Object data;
            if (width == 4) {
                float[] x = new float[(int) n];
                b.asFloatBuffer().get(x);
                data = x;
            } else {
                double[] x = new double[(int) n];
                b.asDoubleBuffer().get(x);
                data = x;
            }
            return new Object[] {data, (char) order};
        } catch (EOFException e) {
            throw new LoadException(f.toString(), "is truncated: its header ends early");
        } catch (IOException e) {
            throw new LoadException(f.toString(), "is not an array file (damaged?)");
        }
    }

    private static long crc(byte[] b) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(b);
        return c.getValue();
    }

    /** The allocation mode ND4J writes first ("MIXED_DATA_TYPES"): a short upper-case name. */
    private static void mode(DataInputStream in, Path f) throws IOException, LoadException {
        String mode = in.readUTF();
        if (!mode.matches("[A-Z_]{1,40}")) {
            throw new LoadException(f.toString(), "is not an array file (damaged?)");
        }
    }

    private static INDArray toArray(Object[] raw, long[] shape) {
        char order = (Character) raw[1];
        if (shape.length == 0) {
            return raw[0] instanceof float[] x ? Nd4j.scalar(x[0]) : Nd4j.scalar(((double[]) raw[0])[0]);
        }
        return raw[0] instanceof float[] x ? Nd4j.create(x, shape, order) : Nd4j.create((double[]) raw[0], shape, order);
    }

    /**
     * Reads a file that must be at most {@code max} bytes, through the readers' common check: a regular file
     * (a FIFO or a link to a device named like a checkpoint file is refused, not waited on) read through a
     * stream that stops at the limit.
     */
    private static byte[] readBounded(Path f, long max) throws LoadException {
        try (InputStream in = Limits.open(f, max)) {
            return in.readAllBytes();
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (IOException e) {
            throw new LoadException(f.toString(), "cannot read: " + FileWrites.reason(e));
        }
    }

    // ------------------------------------------------------------------------------ fields of checkpoint.json

    /** Whether checkpoint.json has the field (fields added since a checkpoint was written are optional). */
    public boolean has(String field) {
        return meta.containsKey(field);
    }

    /** A field that must be a whole number from {@code min} to {@code max}. */
    public int integer(String field, int min, int max) throws LoadException {
        return (int) whole(require(field), min, max, field);
    }

    /** A field that must be a string. */
    public String string(String field) throws LoadException {
        if (!(require(field) instanceof String s)) {
            throw error(field, "must be a string");
        }
        return s;
    }

    /** A field that must be a number; NaN and the infinities come as the strings Jackson writes for them. */
    public double number(String field) throws LoadException {
        return number(require(field), field);
    }

    /** A field that must be a list, of {@code size} elements unless that is negative. */
    public List<?> list(String field, int size) throws LoadException {
        if (!(require(field) instanceof List<?> l)) {
            throw error(field, "must be a list");
        }
        if (size >= 0 && l.size() != size) {
            throw error(field, "has " + l.size() + " elements; it must have " + size);
        }
        return l;
    }

    /** A field that must be a JSON object. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String field) throws LoadException {
        if (!(require(field) instanceof Map<?, ?> m)) {
            throw error(field, "must be an object");
        }
        return (Map<String, Object>) m;
    }

    /** A whole number within bounds, as an element of a field. */
    public long whole(Object o, long min, long max, String field) throws LoadException {
        BigDecimal d = o instanceof Number n ? decimal(n) : null;
        if (d == null || d.stripTrailingZeros().scale() > 0) {
            throw error(field, "is " + describe(o) + "; it must be " + (min == max ? "" + min : "a whole number from " + min + " to " + max));
        }
        BigInteger i = d.toBigIntegerExact();
        if (i.compareTo(BigInteger.valueOf(min)) < 0 || i.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error(field, "is " + describe(o) + "; it must be " + (min == max ? "" + min : "from " + min + " to " + max));
        }
        return i.longValueExact();
    }

    /** A number as an element of a field. */
    public double number(Object o, String field) throws LoadException {
        if (o instanceof Number n && !(o instanceof BigInteger) && !(o instanceof BigDecimal)) {
            return n.doubleValue();
        }
        if (o instanceof String s && Set.of("NaN", "Infinity", "-Infinity").contains(s)) {
            return Double.parseDouble(s);
        }
        throw error(field, "is " + describe(o) + "; it must be a number");
    }

    /**
     * The object {@code field} must hold what {@code expected} holds, key by key (numbers by value), except the keys
     * in {@code free}, which need only be present: the settings a run was saved with against those it is resumed with.
     */
    public void requireSame(String field, Map<String, Object> expected, Set<String> free) throws LoadException {
        Map<String, Object> saved = map(field);
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = JSON.convertValue(expected, Map.class); // arrays as lists, as they were saved
        for (var e : plain.entrySet()) {
            String at = field + "." + e.getKey();
            Object was = saved.get(e.getKey());
            if (was == null) {
                throw error(at, "is missing");
            }
            if (!free.contains(e.getKey()) && !same(was, e.getValue())) {
                throw error(at, "is " + describe(was) + " but this run's is " + describe(e.getValue())
                        + ": resume with the settings the run was started with");
            }
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            BigDecimal p = decimal(x);
            BigDecimal q = decimal(y);
            return p != null && q != null && p.compareTo(q) == 0;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) {
                return false;
            }
            for (var k : x.keySet()) {
                if (!same(x.get(k), y.get(k))) {
                    return false;
                }
            }
            return true;
        }
        return java.util.Objects.equals(a, b);
    }

    /** An error at a field of checkpoint.json, as one line naming the file. */
    public LoadException error(String field, String message) {
        return new LoadException(metaFile.toString(), "'" + field + "' " + message);
    }

    private Object require(String field) throws LoadException {
        Object o = meta.get(field);
        if (o == null) {
            throw error(field, "is missing");
        }
        return o;
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof BigDecimal b) {
            return b;
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        return BigDecimal.valueOf(n.longValue());
    }

    private static String describe(Object o) {
        if (o instanceof String s) {
            return "\"" + shortly(s) + "\"";
        }
        if (o instanceof Map<?, ?>) {
            return "an object";
        }
        if (o instanceof List<?>) {
            return "a list";
        }
        return o instanceof Double d && d == Math.rint(d) && Math.abs(d) >= 1e7 ? String.format("%.0e", d) : shortly(String.valueOf(o));
    }

    /** A value for an error line: control characters escaped, long ones cut. */
    public static String shown(String s) {
        return shortly(s);
    }

    private static String shortly(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.length() < 80 || s.length() <= 80 ? b.toString() : b + "...";
    }

    private static String oneLine(String s) {
        return s == null ? "not valid JSON" : shortly(s.lines().findFirst().orElse(s)).replaceAll("\\\\x0[9a]", " ");
    }
}

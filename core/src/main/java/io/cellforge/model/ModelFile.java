package io.cellforge.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellforge.arch.Architecture;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.FileWrites;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceYaml;
import io.cellforge.ops.Shape;
import io.cellforge.space.SearchSpace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Cellforge's saved model (docs/model-format.md): one zip file holding {@code manifest.json} (format version, input
 * shape, classes, normalisation, test accuracy, and each tensor's name, shape, dtype and file), {@code space.yaml}
 * (the final network's space), {@code architecture.arch.yaml} (its choices) and {@code tensors/NAME.npy}, one NumPy
 * array file per tensor (little-endian float32, C order), so that {@code numpy.load(MODEL)} opens the tensors as an
 * .npz does. Written atomically; read back with every field and every tensor checked.
 */
public final class ModelFile {
    public static final String FORMAT = "cellforge-model";
    public static final int VERSION = 1;
    /** What a run folder keeps its retrained model as. */
    public static final String IN_RUN = "model.zip";
    static final String MANIFEST = "manifest.json";
    static final String SPACE = "space.yaml";
    static final String ARCH = "architecture.arch.yaml";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.]{1,128}");
    private static final long ENTRY_MAX = 1L << 31;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFile() {
    }

    public static void write(Path file, TrainedModel m) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        List<Object> tensors = new ArrayList<>();
        for (var e : m.tensors().entrySet()) {
            if (!NAME.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("tensor name " + e.getKey());
            }
            String f = "tensors/" + e.getKey() + ".npy";
            entries.put(f, Npy.write(e.getValue()));
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("name", e.getKey());
            t.put("shape", e.getValue().shape());
            t.put("dtype", "float32");
            t.put("file", f);
            tensors.add(t);
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format", FORMAT);
        manifest.put("version", VERSION);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("layout", "NCHW");
        input.put("channels", m.input().channels());
        input.put("height", m.input().height());
        input.put("width", m.input().width());
        manifest.put("input", input);
        manifest.put("classes", m.classes());
        Map<String, Object> norm = new LinkedHashMap<>();
        norm.put("mean", m.normalisation()[0]);
        norm.put("std", m.normalisation()[1]);
        norm.put("applies_to", "raw pixels in [0, 1]: (x - mean) / std per channel");
        manifest.put("normalisation", norm);
        manifest.put("test_accuracy", m.testAccuracy());
        manifest.put("test_batch", m.testBatch());
        manifest.put("tensors", tensors);
        String arch;
        try {
            arch = ArchFormats.write(ArchFormat.YAML, m.space(), m.arch());
        } catch (LoadException e) {
            throw new IllegalArgumentException("the architecture cannot be written: " + e.getMessage(), e);
        }
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(MANIFEST, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        all.put(SPACE, SpaceYaml.write(m.space()).getBytes(StandardCharsets.UTF_8));
        all.put(ARCH, arch.getBytes(StandardCharsets.UTF_8));
        all.putAll(entries);
        FileWrites.writeAtomically(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (var e : all.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            zip.finish();
            zip.flush();
        });
    }

    public static TrainedModel read(Path file) throws LoadException {
        String where = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new LoadException(where, Files.isDirectory(file) ? "is a folder, not a Cellforge model (a .zip file)" : "no such file");
        }
        try (ZipFile z = new ZipFile(file.toFile())) {
            JsonNode m;
            try {
                m = JSON.readTree(entry(z, MANIFEST, where));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new LoadException(where + "!" + MANIFEST, "not JSON: " + e.getOriginalMessage());
            }
            String mw = where + "!" + MANIFEST;
            if (!FORMAT.equals(m.path("format").asText())) {
                throw new LoadException(mw, "not a Cellforge model (format is not \"" + FORMAT + "\")");
            }
            if (m.path("version").asInt(-1) != VERSION) {
                throw new LoadException(mw, "model format version " + m.path("version") + "; this Cellforge reads version " + VERSION);
            }
            JsonNode in = m.path("input");
            Shape input = new Shape(positive(in, "channels", mw), positive(in, "height", mw), positive(in, "width", mw));
            List<String> classes = new ArrayList<>();
            for (JsonNode c : array(m, "classes", mw)) {
                classes.add(c.asText());
            }
            float[][] norm = {floats(m.path("normalisation"), "mean", input.channels(), mw),
                    floats(m.path("normalisation"), "std", input.channels(), mw)};
            for (float s : norm[1]) {
                if (!(s > 0)) {
                    throw new LoadException(mw, "normalisation.std must be positive, got " + s);
                }
            }
            double acc = m.path("test_accuracy").asDouble(Double.NaN);
            int batch = positive(m, "test_batch", mw);
            SearchSpace space = SpaceYaml.read(new String(entry(z, SPACE, where), StandardCharsets.UTF_8), where + "!" + SPACE).space();
            Architecture arch = ArchFormats.read(ArchFormat.YAML, new String(entry(z, ARCH, where), StandardCharsets.UTF_8),
                    where + "!" + ARCH, space);
            Map<String, TrainedModel.Tensor> tensors = new LinkedHashMap<>();
            for (JsonNode t : array(m, "tensors", mw)) {
                String name = t.path("name").asText();
                if (!NAME.matcher(name).matches() || tensors.containsKey(name)) {
                    throw new LoadException(mw, "tensor name '" + name + "' is " + (tensors.containsKey(name) ? "listed twice" : "not a name"));
                }
                if (!"float32".equals(t.path("dtype").asText())) {
                    throw new LoadException(mw, "tensor '" + name + "': dtype " + t.path("dtype") + ", only float32 is read");
                }
                long[] shape = new long[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong(-1);
                    if (shape[i] < 0) {
                        throw new LoadException(mw, "tensor '" + name + "': shape " + t.path("shape"));
                    }
                }
                String f = t.path("file").asText();
                TrainedModel.Tensor read = Npy.read(entry(z, f, where), where + "!" + f);
                if (!java.util.Arrays.equals(read.shape(), shape)) {
                    throw new LoadException(where + "!" + f, "tensor '" + name + "' has shape " + java.util.Arrays.toString(read.shape())
                            + ", the manifest says " + java.util.Arrays.toString(shape));
                }
                tensors.put(name, read);
            }
            return new TrainedModel(space, arch, input, classes, norm, acc, batch, tensors);
        } catch (java.util.zip.ZipException e) {
            throw new LoadException(where, "not a Cellforge model (not a zip file: " + e.getMessage() + ")");
        } catch (IOException e) {
            throw new LoadException(where, "cannot be read: " + FileWrites.reason(e));
        }
    }

    private static byte[] entry(ZipFile z, String name, String where) throws IOException, LoadException {
        ZipEntry e = z.getEntry(name);
        if (e == null) {
            throw new LoadException(where, "has no " + name + " (not a complete Cellforge model)");
        }
        if (e.getSize() > ENTRY_MAX) {
            throw new LoadException(where + "!" + name, "too large (" + e.getSize() + " bytes)");
        }
        try (InputStream in = z.getInputStream(e)) {
            return in.readNBytes((int) Math.min(ENTRY_MAX, Integer.MAX_VALUE - 16));
        }
    }

    private static int positive(JsonNode n, String field, String where) throws LoadException {
        JsonNode v = n.path(field);
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new LoadException(where, field + " must be a positive whole number, got " + (v.isMissingNode() ? "nothing" : v));
        }
        return v.asInt();
    }

    private static JsonNode array(JsonNode n, String field, String where) throws LoadException {
        JsonNode v = n.path(field);
        if (!v.isArray()) {
            throw new LoadException(where, field + " must be a list");
        }
        return v;
    }

    private static float[] floats(JsonNode n, String field, int count, String where) throws LoadException {
        JsonNode v = n.path(field);
        if (!v.isArray() || v.size() != count) {
            throw new LoadException(where, "normalisation." + field + " must list " + count + " numbers (one a channel)");
        }
        float[] f = new float[count];
        for (int i = 0; i < count; i++) {
            if (!v.get(i).isNumber()) {
                throw new LoadException(where, "normalisation." + field + " holds " + v.get(i) + ", not a number");
            }
            f[i] = (float) v.get(i).asDouble();
        }
        return f;
    }

    /** NumPy's .npy format, version 1.0, for float32 ('<f4') in C order only. */
    static final class Npy {
        private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
        private static final Pattern HEADER = Pattern.compile(
                "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(([0-9, ]*)\\), \\}\\s*");

        static byte[] write(TrainedModel.Tensor t) {
            StringBuilder shape = new StringBuilder();
            for (long d : t.shape()) {
                shape.append(d).append(", ");
            }
            String dims = t.shape().length == 1 ? shape.substring(0, shape.length() - 1) // (n,)
                    : t.shape().length == 0 ? "" : shape.substring(0, shape.length() - 2);
            StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }");
            // magic 6 + version 2 + length 2 + header ending in a newline, a multiple of 64 in all
            while ((10 + header.length() + 1) % 64 != 0) {
                header.append(' ');
            }
            header.append('\n');
            byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer b = ByteBuffer.allocate(10 + h.length + 4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
            b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
            for (float v : t.values()) {
                b.putFloat(v);
            }
            return b.array();
        }

        static TrainedModel.Tensor read(byte[] f, String where) throws LoadException {
            if (f.length < 10 || !java.util.Arrays.equals(java.util.Arrays.copyOf(f, 6), MAGIC) || f[6] != 1) {
                throw new LoadException(where, "not a NumPy .npy file of version 1");
            }
            ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
            int len = Short.toUnsignedInt(b.getShort(8));
            if (10 + len > f.length) {
                throw new LoadException(where, "the .npy header runs past the end of the file");
            }
            String header = new String(f, 10, len, StandardCharsets.US_ASCII);
            Matcher m = HEADER.matcher(header);
            if (!m.matches()) {
                throw new LoadException(where, "only little-endian float32 arrays in C order are read, the header says " + header.strip());
            }
            List<Long> dims = new ArrayList<>();
            for (String d : m.group(1).split(",")) {
                if (!d.isBlank()) {
                    dims.add(Long.parseLong(d.strip()));
                }
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            long have = (f.length - 10 - len) / 4;
            if (have != n || (f.length - 10 - len) % 4 != 0) {
                throw new LoadException(where, "holds " + have + " floats where its shape " + java.util.Arrays.toString(shape)
                        + " needs " + n + " (a tensor of the wrong size)");
            }
            float[] v = new float[(int) n];
            b.position(10 + len);
            b.asFloatBuffer().get(v);
            return new TrainedModel.Tensor(shape, v);
        }
    }
}

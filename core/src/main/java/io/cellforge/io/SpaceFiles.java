package io.cellforge.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Files on disk: reading a space in any supported dialect, and atomic writes. */
public final class SpaceFiles {
    private SpaceFiles() {
    }

    /**
     * Reads a text file as UTF-8; a missing, unreadable, binary or special file (a device, a FIFO), or one
     * over {@link Limits#TEXT_BYTES}, is a LoadException naming it, found before the file is read into memory.
     */
    public static String readText(Path p) throws LoadException {
        try (java.io.InputStream in = Limits.open(p, Limits.TEXT_BYTES)) {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in.readAllBytes())).toString();
        } catch (Limits.TooLarge e) {
            throw new LoadException(null, e.getMessage());
        } catch (CharacterCodingException e) {
            throw new LoadException(p.toString(), "not a UTF-8 text file");
        } catch (IOException e) {
            throw new LoadException(p.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** A space in Cellforge's schema, or imported from VEGA or ModularNAS YAML (told apart by content). */
    public static Imported readSpace(String text, String source, String name) throws LoadException {
        return readSpace(text, source, name, null);
    }

    /** {@code step}: the step of a VEGA pipeline config to read, or null for its search step. */
    public static Imported readSpace(String text, String source, String name, String step) throws LoadException {
        String t = text.stripLeading();
        if (t.startsWith("Genotype") || t.startsWith("|")) {
            throw new LoadException(source + ":1:1", "this is an architecture (a " + (t.startsWith("|") ? "NAS-Bench-201 string"
                    : "DARTS genotype") + "), not a search space: give it to stats as --genotype TEXT or --arch FILE, or convert it");
        }
        YNode root = YNode.parse(text, source);
        if (root.isMap() && root.map().containsKey("cellforge")) {
            if (step != null) {
                throw new LoadException(source + ":1:1", "--step " + step + " was given, but this is a Cellforge space, not a VEGA pipeline");
            }
            SpaceYaml.Loaded l = SpaceYaml.read(text, source);
            return new Imported(l.space(), List.of(), null, l.sources(), true);
        }
        if (!ForeignSpaces.claims(root)) {
            throw new LoadException(source + ":1:1", "not a search space: expected Cellforge YAML (cellforge: 1), "
                    + "a VEGA FineGrainedSpace or pipeline config, or a ModularNAS config");
        }
        return ForeignSpaces.read(root, name, step);
    }

    /**
     * True when a text holds a search space rather than an architecture: told by its structure (Cellforge's
     * {@code kind}, a VEGA or ModularNAS layout), never by words it contains, so an architecture whose space is named
     * {@code my_search_space} stays an architecture. Genotypes, NB201 strings and Python dicts (NNI 3 prints its
     * exports so) are no YAML and no space; other text that does not parse as YAML is its parse error.
     */
    public static boolean holdsSpace(String text, String source) throws LoadException {
        String t = text.stripLeading();
        if (t.startsWith("Genotype") || t.startsWith("|") || t.startsWith("{'")) {
            return false;
        }
        YNode root = YNode.parse(text, source);
        if (!root.isMap()) {
            return false;
        }
        var top = root.map();
        if (top.containsKey("cellforge")) {
            YNode kind = top.get("kind");
            return kind != null && kind.isScalar() ? kind.str().equals("space") : top.containsKey("network");
        }
        return ForeignSpaces.claims(root);
    }

    /** The steps of a VEGA pipeline config that hold a space, and the one read by default. */
    public record PipelineSteps(String read, List<String> withSpace) {
        public PipelineSteps {
            withSpace = List.copyOf(withSpace);
        }
    }

    /** The pipeline steps of a text, or empty when it is no VEGA pipeline config with a readable space. */
    public static java.util.Optional<PipelineSteps> pipelineSteps(String text) {
        try {
            YNode root = YNode.parse(text, "");
            var step = VegaPipeline.locate(root, null);
            if (step.isEmpty()) {
                return java.util.Optional.empty();
            }
            var top = root.map();
            List<String> with = step.get().steps().stream().filter(n -> VegaPipeline.spaceOf(top.get(n)) != null).toList();
            return java.util.Optional.of(new PipelineSteps(step.get().name(), with));
        } catch (LoadException e) {
            return java.util.Optional.empty();
        }
    }

    public static Imported readSpace(Path p) throws LoadException {
        return readSpace(p, null);
    }

    public static Imported readSpace(Path p, String step) throws LoadException {
        return readSpace(readText(p), p.toString(), spaceName(p), step);
    }

    /** The name a space read from {@code p} gets when its file does not name it: the file's, without extension. */
    public static String spaceName(Path p) {
        return p.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
    }

    /**
     * Writes through a temporary file in the same folder and a rename, so that a crash or a full disk never
     * leaves a half-written file in place of a good one; see {@link FileWrites}.
     */
    public static void writeAtomically(Path target, String text) throws IOException {
        FileWrites.writeAtomically(target, text);
    }

}

package io.cellforge.io;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Files on disk: reading a space in any supported dialect, and atomic writes. */
public final class SpaceFiles {
    private SpaceFiles() {
    }

    /** Reads a text file as UTF-8; a missing, unreadable or binary file is a LoadException naming it. */
    public static String readText(Path p) throws LoadException {
        try {
            byte[] bytes = Files.readAllBytes(p);
            if (bytes.length > 50_000_000) {
                throw new LoadException(p.toString(), "file is larger than 50 MB");
            }
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new LoadException(p.toString(), "no such file");
        } catch (CharacterCodingException e) {
            throw new LoadException(p.toString(), "not a UTF-8 text file");
        } catch (IOException e) {
            throw new LoadException(p.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** A space in Cellforge's schema, or imported from VEGA or ModularNAS YAML (told apart by content). */
    public static Imported readSpace(String text, String source, String name) throws LoadException {
        YNode root = YNode.parse(text, source);
        if (root.isMap() && root.map().containsKey("cellforge")) {
            SpaceYaml.Loaded l = SpaceYaml.read(text, source);
            return new Imported(l.space(), List.of(), null, l.sources(), true);
        }
        return switch (ForeignSpaces.detect(root)) {
            case "vega" -> ForeignSpaces.vega(root, name);
            case "modnas" -> ForeignSpaces.modnas(root, name);
            default -> throw new LoadException(source + ":1:1", "not a search space: expected Cellforge YAML (cellforge: 1), "
                    + "a VEGA FineGrainedSpace or a ModularNAS search_space");
        };
    }

    public static Imported readSpace(Path p) throws LoadException {
        String n = p.getFileName().toString().replaceFirst("\\.(ya?ml)$", "");
        return readSpace(readText(p), p.toString(), n);
    }

    /**
     * Writes through a temporary file in the same folder and a rename, so that a crash or a full disk never
     * leaves a half-written file in place of a good one; see {@link FileWrites}.
     */
    public static void writeAtomically(Path target, String text) throws IOException {
        FileWrites.writeAtomically(target, text);
    }
}

package io.cellforge.io;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The architecture description formats Cellforge reads and writes. */
public enum ArchFormat {
    /** Cellforge's YAML: {@code cellforge: 1, kind: architecture, choices: {key: decision}}. */
    YAML("yaml", ".arch.yaml"),
    /** NNI's choice dict as JSON, in the keys and op names of NNI's own model of the space ({@link NniFormats}). */
    NNI("nni", ".json"),
    /** The DARTS {@code Genotype(...)} string. */
    GENOTYPE("genotype", ".genotype"),
    /** ModularNAS {@code arch_desc} YAML: the chosen primitive of every slot, in order. */
    MODNAS("modnas", ".modnas.yaml"),
    /** The NAS-Bench-201 string {@code |op~0|+|op~0|op~1|+|...|}. */
    NB201("nb201", ".nb201");

    public final String id;
    public final String extension;

    ArchFormat(String id, String extension) {
        this.id = id;
        this.extension = extension;
    }

    public static Optional<ArchFormat> byId(String id) {
        for (ArchFormat f : values()) {
            if (f.id.equals(id.toLowerCase(Locale.ROOT))) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** By file name: the longest matching extension wins ({@code .modnas.yaml} before {@code .yaml}). */
    public static Optional<ArchFormat> byFileName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".modnas.yaml") || n.endsWith(".modnas.yml")) {
            return Optional.of(MODNAS);
        }
        if (n.endsWith(".json")) {
            return Optional.of(NNI);
        }
        if (n.endsWith(".genotype") || n.endsWith(".genotype.txt")) {
            return Optional.of(GENOTYPE);
        }
        if (n.endsWith(".nb201")) {
            return Optional.of(NB201);
        }
        if (n.endsWith(".yaml") || n.endsWith(".yml")) {
            return Optional.of(YAML);
        }
        return Optional.empty();
    }
}

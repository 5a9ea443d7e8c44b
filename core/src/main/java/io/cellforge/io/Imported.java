package io.cellforge.io;

import io.cellforge.space.Problem;
import io.cellforge.arch.Architecture;
import io.cellforge.settings.SearchConfig;
import io.cellforge.space.SearchSpace;

import java.util.List;

/**
 * A space read from a file, with what could not be mapped into Cellforge's model (warnings with file:line),
 * and the architecture the file fixed, if it had one (ModularNAS {@code arch_desc}). {@code ownSchema}: the file is in
 * Cellforge's schema, so saving the space back to it loses nothing (a VEGA or ModularNAS file is saved elsewhere).
 * {@code search}: the search settings the file gives (a ModularNAS config's optimizer and estimator), or null.
 */
public record Imported(SearchSpace space, List<Problem> notMapped, Architecture arch, SourceMap sources, boolean ownSchema,
                       SearchConfig search) {
    public Imported {
        notMapped = List.copyOf(notMapped);
    }

    public Imported(SearchSpace space, List<Problem> notMapped, Architecture arch, SourceMap sources, boolean ownSchema) {
        this(space, notMapped, arch, sources, ownSchema, null);
    }
}

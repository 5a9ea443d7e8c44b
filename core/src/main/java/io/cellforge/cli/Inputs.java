package io.cellforge.cli;

import io.cellforge.analysis.Evaluator;
import io.cellforge.space.Problem;
import io.cellforge.analysis.Validator;
import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Imported;
import io.cellforge.io.LoadException;
import io.cellforge.io.SourceMap;
import io.cellforge.io.SpaceFiles;
import io.cellforge.plan.PlanException;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Loading what the commands are given, turning every failure into a one-line {@link Main.UserError}. */
final class Inputs {
    private Inputs() {
    }

    static SearchSpace zoo(String name) {
        return Zoo.get(name).orElseThrow(() -> new Main.UserError("no zoo space named '" + name + "'; 'cellforge zoo' lists them"));
    }

    static Imported space(Path p) {
        return space(p, null);
    }

    /** {@code step}: the step of a VEGA pipeline config to read, or null for its search step. */
    static Imported space(Path p, String step) {
        try {
            return SpaceFiles.readSpace(p, step);
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    static String text(Path p) {
        try {
            return SpaceFiles.readText(p);
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    /**
     * True when a file holds a search space rather than an architecture description, told by its structure; a YAML
     * file that does not parse is its parse error (at its line), not an architecture of no known space.
     */
    static boolean isSpaceFile(Path p, String text) {
        try {
            return SpaceFiles.holdsSpace(text, p.toString());
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    /** The space an architecture refers to: given, named in an architecture YAML, or implied by its format. */
    static SearchSpace contextFor(ArchFormat f, String text, Path source, Path spaceFile, String zooName) {
        return contextOf(f, text, source, spaceFile, zooName).space();
    }

    static SearchSpace contextFor(ArchFormat f, String text, Path source, Path spaceFile, String zooName, String step) {
        return spaceFile != null ? space(spaceFile, step).space() : contextFor(f, text, source, null, zooName);
    }

    /** {@link #contextFor}, with where the space's elements stand when it came from a file. */
    static Imported contextOf(ArchFormat f, String text, Path source, Path spaceFile, String zooName) {
        if (spaceFile != null) {
            return space(spaceFile);
        }
        if (zooName != null) {
            return fromZoo(zoo(zooName));
        }
        if (f == ArchFormat.YAML) {
            Optional<String> named = ArchFormats.spaceNameOf(text, source.toString());
            if (named.isPresent() && Zoo.get(named.get()).isPresent()) {
                return fromZoo(Zoo.get(named.get()).get());
            }
            if (named.isPresent()) {
                // Only a file beside the architecture, by a name derived as the search writes it: never a path
                // the architecture file spells out (../, /etc/...).
                String file = io.cellforge.search.RunFiles.spaceFileName(named.get());
                Path beside = source.toAbsolutePath().getParent().resolve(file);
                if (Files.isRegularFile(beside)) {
                    Imported s = space(beside);
                    // space.yaml stands for any name that is no safe file name: it must be that space.
                    if (file.equals(named.get() + ".yaml") || s.space().name().equals(named.get())) {
                        return s;
                    }
                }
            }
        }
        if (f == ArchFormat.NNI) {
            try {
                // NNI's keys say which of its models the dict is of (DartsCell, hub DARTS, NASBench201Cell, ENAS).
                Optional<String> nniSpace = io.cellforge.io.NniFormats.zooSpaceOf(text, source.toString());
                if (nniSpace.isPresent()) {
                    return fromZoo(Zoo.get(nniSpace.get()).orElseThrow());
                }
            } catch (LoadException e) {
                throw new Main.UserError(e.getMessage());
            }
        }
        if (f == ArchFormat.GENOTYPE) {
            return fromZoo(Zoo.get("darts-search").orElseThrow());
        }
        if (f == ArchFormat.NB201) {
            return fromZoo(Zoo.get("nas-bench-201").orElseThrow());
        }
        throw new Main.UserError(source + ": cannot tell which search space this architecture belongs to; give --space FILE or --zoo NAME");
    }

    private static Imported fromZoo(SearchSpace s) {
        return new Imported(s, List.of(), null, SourceMap.empty(), true);
    }

    /**
     * A space to search, from the zoo or a file, checked before anything runs: what validate rejects or the supernet
     * cannot be built from is reported at its line; with the search settings the file gives (a ModularNAS config's).
     */
    static Imported searchableImport(Path file, String zooName, String step) {
        Imported im = zooName != null ? fromZoo(zoo(zooName)) : space(file, step);
        String name = file == null ? "" : file.toString();
        requireValid(Validator.validate(im.space()), im.sources(), name);
        requireValid(Evaluator.supernet(im.space()).problems(), im.sources(), name);
        return im;
    }

    /** Reads an architecture; what it could not carry over (an NNI width that differs, ...) is printed to {@code err}. */
    static Architecture arch(ArchFormat f, String text, Path source, SearchSpace space, java.io.PrintWriter err) {
        List<Problem> warnings = new java.util.ArrayList<>();
        try {
            Architecture a = ArchFormats.read(f, text, source.toString(), space, warnings);
            for (Problem p : warnings) {
                err.println(io.cellforge.io.Escape.line(p.toString()));
            }
            return a;
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    static io.cellforge.data.DataBundle data(String spec) {
        try {
            return io.cellforge.data.Datasets.load(spec);
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }

    /**
     * Ctrl+C asks a long job to stop after its current step, and holds the exit until the command has written
     * what it found (close() is called once everything is written). Undone when the command ends normally.
     */
    static final class StopOnInterrupt implements AutoCloseable {
        private final Thread hook;
        private final java.util.concurrent.CountDownLatch written = new java.util.concurrent.CountDownLatch(1);

        StopOnInterrupt(io.cellforge.search.SearchControl control) {
            hook = new Thread(() -> {
                control.stop();
                try {
                    written.await(10, java.util.concurrent.TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "cellforge-stop");
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void close() {
            written.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl+C: the hook is running and now lets the JVM exit.
            }
        }
    }

    /** The problems validate lists for a space read from a file: what an import could not map, then what the validator finds, located at their lines. */
    static List<Problem> problems(Imported im) {
        List<Problem> problems = new java.util.ArrayList<>(im.notMapped());
        problems.addAll(im.sources().locate(Validator.validate(im.space())));
        return problems;
    }

    /** A problem of a space read from {@code file} as the line validate prints. */
    static String line(Problem p, String file) {
        return io.cellforge.io.Escape.line((p.source().isEmpty() ? file + ": " : "") + p);
    }

    /** Prints the warnings of a space read from a file, as validate does, so that stats and convert say them too. */
    static void printWarnings(java.io.PrintWriter err, Imported im, String file) {
        for (Problem p : problems(im)) {
            if (!p.isError()) {
                err.println(line(p, file));
            }
        }
    }

    /**
     * Fails with the first error among {@code problems}, at its line when {@code sources} knows it (else naming
     * {@code file}), and how many more there are.
     */
    static void requireValid(List<Problem> problems, SourceMap sources, String file) {
        List<Problem> errors = sources.locate(problems).stream().filter(Problem::isError).toList();
        if (errors.isEmpty()) {
            return;
        }
        Problem first = errors.get(0);
        String more = errors.size() == 1 ? "" : " (and " + (errors.size() - 1) + " more error" + (errors.size() == 2 ? "" : "s")
                + (file.isEmpty() ? "" : "; 'cellforge validate " + file + "' lists them") + ")";
        throw new Main.UserError((first.source().isEmpty() && !file.isEmpty() ? file + ": " : "") + first + more);
    }

    /** A plan's errors as a UserError located by {@code sources}. */
    static Main.UserError planError(PlanException e, SourceMap sources, String file) {
        try {
            requireValid(e.problems(), sources, file);
        } catch (Main.UserError located) {
            return located;
        }
        return new Main.UserError((file.isEmpty() ? "" : file + ": ") + e.getMessage());
    }

    static Genotype genotype(String text) {
        try {
            return ArchFormats.parseGenotype(text, "--genotype");
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }
}

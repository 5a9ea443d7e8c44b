package io.cellforge.cli;

import io.cellforge.arch.Architecture;
import io.cellforge.arch.Genotype;
import io.cellforge.io.ArchFormat;
import io.cellforge.io.ArchFormats;
import io.cellforge.io.Imported;
import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;
import io.cellforge.space.SearchSpace;
import io.cellforge.zoo.Zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Loading what the commands are given, turning every failure into a one-line {@link Main.UserError}. */
final class Inputs {
    private Inputs() {
    }

    static SearchSpace zoo(String name) {
        return Zoo.get(name).orElseThrow(() -> new Main.UserError("no zoo space named '" + name + "'; 'cellforge zoo' lists them"));
    }

    static Imported space(Path p) {
        try {
            return SpaceFiles.readSpace(p);
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

    /** True when a file holds a search space rather than an architecture description. */
    static boolean isSpaceFile(Path p, String text) {
        String t = text.stripLeading();
        if (t.startsWith("Genotype") || t.startsWith("|") || t.startsWith("{") && t.contains("\"")) {
            return false;
        }
        return t.contains("kind: space") || t.contains("search_space") || (t.contains("model:") && t.contains("mixed_op"))
                || (t.contains("cellforge:") && t.contains("network:"));
    }

    /** The space an architecture refers to: given, named in an architecture YAML, or implied by its format. */
    static SearchSpace contextFor(ArchFormat f, String text, Path source, Path spaceFile, String zooName) {
        if (spaceFile != null) {
            return space(spaceFile).space();
        }
        if (zooName != null) {
            return zoo(zooName);
        }
        if (f == ArchFormat.YAML) {
            Optional<String> named = ArchFormats.spaceNameOf(text, source.toString());
            if (named.isPresent() && Zoo.get(named.get()).isPresent()) {
                return Zoo.get(named.get()).get();
            }
            if (named.isPresent()) {
                // Only a file beside the architecture, by a name derived as the search writes it: never a path
                // the architecture file spells out (../, /etc/...).
                String file = io.cellforge.search.RunFiles.spaceFileName(named.get());
                Path beside = source.toAbsolutePath().getParent().resolve(file);
                if (Files.isRegularFile(beside)) {
                    SearchSpace s = space(beside).space();
                    // space.yaml stands for any name that is no safe file name: it must be that space.
                    if (file.equals(named.get() + ".yaml") || s.name().equals(named.get())) {
                        return s;
                    }
                }
            }
        }
        if (f == ArchFormat.GENOTYPE || (f == ArchFormat.NNI && text.contains("\"normal_n2_p0\""))) {
            return Zoo.get("darts-search").orElseThrow();
        }
        if (f == ArchFormat.NB201) {
            return Zoo.get("nas-bench-201").orElseThrow();
        }
        throw new Main.UserError(source + ": cannot tell which search space this architecture belongs to; give --space FILE or --zoo NAME");
    }

    static Architecture arch(ArchFormat f, String text, Path source, SearchSpace space) {
        try {
            return ArchFormats.read(f, text, source.toString(), space);
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

    static Genotype genotype(String text) {
        try {
            return ArchFormats.parseGenotype(text, "--genotype");
        } catch (LoadException e) {
            throw new Main.UserError(e.getMessage());
        }
    }
}

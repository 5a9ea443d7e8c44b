package io.cellforge.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The temporary files that an atomic save ({@link io.cellforge.io.FileWrites#tempNames}: ".NAME&lt;digits&gt;.tmp"
 * beside NAME) leaves when Cellforge is killed mid-save. Only files of exactly that name, and only those last
 * written before this process started, are removed: a save under way in another running Cellforge writes its
 * temporary file now, so it is never touched.
 */
final class StaleTemps {
    private StaleTemps() {
    }

    /** When this process started: files last written before it belong to no save under way in it. */
    static Optional<Instant> processStart() {
        return ProcessHandle.current().info().startInstant();
    }

    /** The temporary file names of saves of a file named {@code name}, as the atomic writer makes them. */
    static Pattern of(String name) {
        return io.cellforge.io.FileWrites.tempNames(name);
    }

    /** Removes the leftovers of saves of {@code file} beside it; returns how many. */
    static int removeFor(Path file, Instant before) {
        Path name = file.getFileName();
        Path dir = file.toAbsolutePath().getParent();
        return name == null || dir == null ? 0 : removeIn(dir, of(name.toString()), before);
    }

    /** Removes the regular files of {@code dir} whose whole name matches and that were last written before {@code before}. */
    static int removeIn(Path dir, Pattern names, Instant before) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> names.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                try {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(before)) {
                        Files.delete(p);
                        removed++;
                    }
                } catch (IOException e) {
                    // not ours to remove after all (another user's folder, say): leave it
                }
            }
        } catch (IOException e) {
            // a folder that cannot be listed has nothing we could clean
        }
        return removed;
    }
}

package io.cellforge.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Writes that never leave a half-written file in place of a good one: through a temporary file beside the target,
 * forced to disk, renamed over it, and the folder forced too. An existing file keeps its mode; a new one gets the
 * mode the umask gives (never a private 0600 that a temporary file would hand on).
 */
public final class FileWrites {
    /** A name that is safe as one file name everywhere: no separators, no dots first, no control characters. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,99}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile Predicate<Path> failing = p -> false;

    private FileWrites() {
    }

    /** What a writer puts into a file. */
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * For tests: every write to a file that {@code which} accepts fails as on a full disk, until the returned
     * handle is closed.
     */
    public static AutoCloseable failWritesTo(Predicate<Path> which) {
        failing = which;
        return () -> failing = p -> false;
    }

    /** {@code name} if it is a safe, short file name (a space name such as {@code tiny-darts}), else {@code fallback}. */
    public static String safeName(String name, String fallback) {
        return name != null && SAFE.matcher(name).matches() ? name : fallback;
    }

    public static void writeAtomically(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeAtomically(target, out -> out.write(bytes));
    }

    public static void writeAtomically(Path target, Body body) throws IOException {
        writeAllAtomically(Map.of(target, body));
    }

    /**
     * Writes several files so that either all of them are replaced or, when any write fails, none is: every
     * temporary file is written and forced first, the renames come last. The exception names the file that failed.
     */
    public static void writeAllAtomically(Map<Path, Body> files) throws IOException {
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (var f : files.entrySet()) {
                Path target = f.getKey().toAbsolutePath();
                Path tmp;
                try {
                    if (Files.isDirectory(target)) {
                        throw new IOException("it is a folder");
                    }
                    // The rename would replace a device, a FIFO or a link to one (as root: /dev/full itself).
                    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target)) {
                        throw new IOException("it is not a regular file");
                    }
                    Files.createDirectories(target.getParent());
                    tmp = createTemp(target);
                } catch (IOException e) {
                    throw new IOException("cannot write " + f.getKey() + ": " + reason(e), e);
                }
                temps.put(target, tmp);
                try {
                    writeForced(tmp, target, f.getValue());
                    copyMode(target, tmp);
                } catch (IOException e) {
                    throw new IOException("cannot write " + f.getKey() + ": " + reason(e), e);
                }
            }
            List<Path> folders = new ArrayList<>();
            for (var t : temps.entrySet()) {
                try {
                    Files.move(t.getValue(), t.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(t.getValue(), t.getKey(), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new IOException("cannot write " + t.getKey() + ": " + reason(e), e);
                }
                if (!folders.contains(t.getKey().getParent())) {
                    folders.add(t.getKey().getParent());
                }
            }
            for (Path d : folders) {
                syncFolder(d);
            }
        } finally {
            for (Path tmp : temps.values()) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes a new file in a folder not yet published (a checkpoint being saved) and forces it to disk. */
    public static void writeNew(Path file, Body body) throws IOException {
        try {
            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            writeForced(file, file, body);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + reason(e), e);
        }
    }

    /** Forces a folder's entries (new names, renames) to disk; file systems that cannot do that are left as they are. */
    public static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notPossibleHere) {
            // Windows cannot open a folder as a channel; its renames are durable on their own.
        }
    }

    /**
     * Checks, before a long job, that files can be created in {@code dir} (creating it if needed): a probe file is
     * made and removed. The message names the folder.
     */
    public static void checkWritableFolder(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
            Path probe = dir.resolve(".cellforge-probe-" + Long.toUnsignedString(RANDOM.nextLong(), 36));
            Files.newOutputStream(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("cannot write into " + dir + ": " + reason(e), e);
        }
    }

    /** The reason of a failed file operation, in one line. */
    public static String reason(IOException e) {
        String kind = switch (e.getClass().getSimpleName()) {
            case "AccessDeniedException" -> "permission denied";
            case "NoSuchFileException" -> "no such file or folder";
            case "FileAlreadyExistsException" -> "already exists";
            case "NotDirectoryException" -> "not a folder";
            case "FileSystemException" -> ((java.nio.file.FileSystemException) e).getReason();
            default -> e.getMessage();
        };

        String s = kind == null ? e.getClass().getSimpleName() : kind;
        return s.replaceAll("[\\p{Cntrl}]", " ");
    }

    /**
     * The names of the temporary files that a write of a file named {@code name} makes (".NAME&lt;digits&gt;.tmp"),
     * so that the app can remove those a kill left behind.
     */
    public static java.util.regex.Pattern tempNames(String name) {
        return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(tempStem(name)) + "\\d{1,20}\\.tmp");
    }

    /** Bounded, so that a long target name still leaves a legal temporary name. */
    private static String tempStem(String name) {
        return "." + (name.length() > 100 ? name.substring(0, 100) : name);
    }

    private static Path createTemp(Path target) throws IOException {
        String stem = tempStem(target.getFileName().toString());
        while (true) {
            Path tmp = target.resolveSibling(stem + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
            try {
                // No permissions given: the file gets the umask's mode, as any new file would.
                Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException taken) {
                // drawn twice: draw again
            }
        }
    }

    private static void writeForced(Path file, Path target, Body body) throws IOException {
        if (failing.test(target)) {
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE)) {
                out.write(new byte[7]); // a part of it, as a full disk leaves
            }
            throw new IOException("No space left on device");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
            body.writeTo(out);
            out.flush();
            ch.force(true);
        }
    }

    private static void copyMode(Path from, Path to) throws IOException {
        if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        PosixFileAttributeView view = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> mode = view.readAttributes().permissions();
        Files.setPosixFilePermissions(to, mode);
    }
}

package io.cellforge.app;

import io.cellforge.io.LoadException;
import io.cellforge.io.SpaceFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the app keeps between runs, in one folder ({@code ~/.cellforge}, or the system property
 * {@code cellforge.home}): the recent files, the theme, and the recovery copies of unsaved documents.
 */
public final class Workspace {
    static final int RECENT = 10;
    static final String RECOVERY_HEADER = "# cellforge recovery of: ";

    private final Path home;

    public Workspace(Path home) {
        this.home = home;
    }

    public static Workspace standard() {
        return new Workspace(io.cellforge.engine.NativeCache.home());
    }

    public List<Path> recent() {
        try {
            return SpaceFiles.readText(home.resolve("recent.txt")).lines().filter(l -> !l.isBlank()).map(Path::of).toList();
        } catch (LoadException | InvalidPathException e) {
            return List.of();
        }
    }

    /** Puts a file first in the recent list (at most {@value #RECENT}); a failure to record it is not worth an error. */
    public void addRecent(Path file) {
        List<Path> list = new ArrayList<>(recent());
        Path abs = file.toAbsolutePath().normalize();
        list.remove(abs);
        list.add(0, abs);
        write("recent.txt", String.join("\n", list.subList(0, Math.min(RECENT, list.size())).stream().map(Path::toString).toList()) + "\n");
    }

    public boolean darkTheme() {
        try {
            return SpaceFiles.readText(home.resolve("theme.txt")).strip().equals("dark");
        } catch (LoadException e) {
            return false;
        }
    }

    public void setDarkTheme(boolean dark) {
        write("theme.txt", dark ? "dark\n" : "light\n");
    }

    /** Search runs of documents that have no file yet, by space name. */
    public Path runsDir() {
        return home.resolve("runs");
    }

    /** A recovery copy ({@code file}): the file it belongs to ({@code origin}, empty for a new document) and the YAML of the unsaved space. */
    public record Recovery(Path file, String origin, String yaml) {
    }

    public Path recoveryDir() {
        return home.resolve("recovery");
    }

    /** The origin's path is escaped so that it stays on the header line, whatever characters its name has. */
    public void writeRecovery(String id, Path origin, String yaml) throws IOException {
        SpaceFiles.writeAtomically(recoveryDir().resolve(id + ".yaml"),
                RECOVERY_HEADER + (origin == null ? "" : escape(origin.toAbsolutePath().toString())) + "\n" + yaml);
    }

    public void deleteRecovery(String id) {
        try {
            Files.deleteIfExists(recoveryDir().resolve(id + ".yaml"));
        } catch (IOException ignored) {
            // a stale recovery copy is offered once more at the next start, which is harmless
        }
    }

    /** Recovery copies left by a session that did not close normally. */
    public List<Recovery> recoveries() {
        if (!Files.isDirectory(recoveryDir())) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(recoveryDir())) {
            List<Recovery> out = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml") && !heldByAnotherProcess(f)).sorted().toList()) {
                String text;
                try {
                    text = SpaceFiles.readText(p);
                } catch (LoadException e) {
                    continue; // not a copy we wrote (a folder, a device): nothing to offer
                }
                String origin = "";
                if (text.startsWith(RECOVERY_HEADER)) {
                    int nl = text.indexOf('\n');
                    origin = unescape(text.substring(RECOVERY_HEADER.length(), nl < 0 ? text.length() : nl));
                }
                out.add(new Recovery(p, origin, text));
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Removes the temporary files of this folder's own atomic writes (settings, recovery copies) that a kill left. */
    public void removeStaleTemps(Instant before) {
        StaleTemps.removeIn(home, Pattern.compile("\\.(recent|theme)\\.txt\\d{1,20}\\.tmp"), before);
        StaleTemps.removeIn(recoveryDir(), Pattern.compile("\\.\\d+-[0-9a-f-]+\\.yaml\\d{1,20}\\.tmp"), before);
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A copy named after a Cellforge process that is still running belongs to that process's open document. */
    private static boolean heldByAnotherProcess(Path copy) {
        String name = copy.getFileName().toString();
        int dash = name.indexOf('-');
        try {
            long pid = Long.parseLong(name.substring(0, Math.max(0, dash)));
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void write(String name, String text) {
        try {
            SpaceFiles.writeAtomically(home.resolve(name), text);
        } catch (IOException ignored) {
            // settings are a convenience: a read-only home must not stop the app
        }
    }
}

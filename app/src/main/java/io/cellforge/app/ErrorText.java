package io.cellforge.app;

import io.cellforge.arch.FormatException;
import io.cellforge.edit.EditException;
import io.cellforge.io.Escape;
import io.cellforge.io.LoadException;
import io.cellforge.ops.ShapeException;
import io.cellforge.plan.PlanException;
import io.cellforge.trial.EstimateException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The one line the app shows for an exception (problems pane, dialogs, status bar): the message of the error a
 * person caused, as the CLI prints it, found however deep a library wrapped it; for anything else a short line,
 * never a chain of class names.
 */
public final class ErrorText {
    private ErrorText() {
    }

    public static String of(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable x = t; x != null && seen.add(x); x = x.getCause()) {
            chain.add(x);
        }
        for (Throwable x : chain) {
            if (x instanceof LoadException || x instanceof FormatException || x instanceof EditException
                    || x instanceof PlanException || x instanceof ShapeException || x instanceof EstimateException) {
                return line(x.getMessage());
            }
        }
        for (Throwable x : chain) {
            if (x instanceof UncheckedIOException u && !String.valueOf(u.getCause()).equals(u.getMessage())) {
                return line(u.getMessage()); // says what was being written, which the IOException inside does not
            }
            if (x instanceof IOException io) {
                return io(io);
            }
        }
        Throwable root = chain.get(chain.size() - 1);
        if (root instanceof OutOfMemoryError) {
            return "out of memory: start Cellforge with a larger -Xmx, or use a smaller space";
        }
        if (root instanceof StackOverflowError) {
            return "the input is nested too deeply to be handled";
        }
        String m = root.getMessage();
        return "internal error (" + root.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + line(m)) + ")";
    }

    /** File-system errors carry only the path as their message: add what went wrong with it. */
    private static String io(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return line(f.getFile() + ": no such file or folder");
        }
        if (e instanceof AccessDeniedException f) {
            return line(f.getFile() + ": permission denied");
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return line(f.getFile() + ": cannot be used");
        }
        return e.getMessage() == null ? "input/output error" : line(e.getMessage());
    }

    /** The first line, escaped as the CLI escapes what it echoes (ESC, NUL, ... never reach the screen). */
    public static String line(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return Escape.line((nl < 0 ? s : s.substring(0, nl)).stripTrailing());
    }
}

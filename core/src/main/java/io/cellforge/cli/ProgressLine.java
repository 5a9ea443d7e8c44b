package io.cellforge.cli;

import io.cellforge.search.SearchEvents;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * The progress of a long job on stderr, for `search` and `retrain`: on a terminal a bar with its ETA redrawn in
 * place at every step; elsewhere (a log file, nohup, a CI job, the app's process runner) a line every 30 seconds,
 * so that an hour-long epoch is never an hour of silence. The clock is given so that the cadence can be tested.
 */
final class ProgressLine {
    static final long EVERY_NANOS = 30_000_000_000L;

    private final PrintWriter err;
    private final boolean tty;
    private final LongSupplier nanos;
    private long start;
    private long last;

    ProgressLine(PrintWriter err, boolean tty, LongSupplier nanos) {
        this.err = err;
        this.tty = tty;
        this.nanos = nanos;
    }

    /** On stderr as the JVM found it: a terminal when it has a console. */
    static ProgressLine onStderr(PrintWriter err) {
        return new ProgressLine(err, System.console() != null, System::nanoTime);
    }

    /** Whether stderr is a terminal (a bar redrawn in place) or not (lines at a cadence). */
    boolean tty() {
        return tty;
    }

    void start() {
        start = nanos.getAsLong();
        last = start;
    }

    double elapsedSeconds() {
        return (nanos.getAsLong() - start) / 1e9;
    }

    /** The seconds left when {@code done} of {@code total} units took the time elapsed so far. */
    double eta(long done, long total) {
        return done <= 0 ? Double.NaN : elapsedSeconds() / done * (total - done);
    }

    /**
     * A step done ({@code step} 0-based in {@code epoch}, 0-based); {@code figures} is what the job measures
     * ("loss 0.512  acc 0.81"). True when 30 seconds have passed since the last such moment: a line was
     * printed off a terminal, and an events file may take one too at the same cadence.
     */
    boolean step(int epoch, int epochs, int step, int steps, String figures, double imagesPerSecond) {
        long done = (long) epoch * steps + step + 1;
        long total = (long) epochs * steps;
        String eta = SearchEvents.duration(eta(done, total));
        long now = nanos.getAsLong();
        boolean due = now - last >= EVERY_NANOS;
        if (due) {
            last = now;
        }
        if (tty) {
            int width = 30;
            int filled = (int) Math.round(width * (double) done / total);
            err.printf("\repoch %d/%d [%s%s] step %d/%d  %s  %.1f img/s  ETA %s   ", epoch + 1, epochs, "#".repeat(filled),
                    ".".repeat(width - filled), step + 1, steps, figures, imagesPerSecond, eta);
            err.flush();
        } else if (due) {
            err.printf("epoch %d/%d  step %d/%d  %s  %.1f img/s  ETA %s%n", epoch + 1, epochs, step + 1, steps, figures,
                    imagesPerSecond, eta);
            err.flush();
        }
        return due;
    }

    /** Printed before an epoch's line: on a terminal, back to the start of the bar's line and erase it. */
    String clearBar() {
        return tty ? "\r\033[K" : "";
    }
}

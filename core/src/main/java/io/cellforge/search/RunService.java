package io.cellforge.search;

import io.cellforge.settings.SearchConfig;

import io.cellforge.arch.Architecture;
import io.cellforge.data.DataBundle;
import io.cellforge.io.LoadException;
import io.cellforge.plan.PlanException;
import io.cellforge.space.SearchSpace;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.nio.file.StandardOpenOption;

/**
 * A search run in its folder, as the command line ({@code search --out}) and the app both run it: the space and
 * settings written at the start, every step and epoch logged as it comes, the checkpoint where the caller asks,
 * and a lock held while the run lives, so that no other window or process resumes or deletes a live run. The
 * operating system drops the lock when the process ends, however it ends. The result is written by
 * {@link RunFiles#writeResult}: the architecture the strategy returned, read back as written.
 */
public final class RunService {
    /** Held (an OS file lock) while a search runs in the folder. */
    public static final String LOCK = "lock";

    private RunService() {
    }

    /**
     * Runs a search in {@code dir}. A new run writes the space and settings first; a resumed one ({@code resume}
     * a checkpoint) appends to its events after a line that says where it took up again.
     *
     * @throws IOException when the folder cannot be written or another search runs in it
     */
    public static SearchResult search(Path dir, SearchSpace space, DataBundle data, String dataSpec, SearchConfig cfg,
                                      Path checkpoint, Path resume, SearchEvents.Listener listener, SearchControl control)
            throws IOException, LoadException, PlanException {
        return search(dir, space, data, dataSpec, cfg, List.of(), checkpoint, resume, listener, control);
    }

    /** As above, with cost budgets in the architecture loss ({@link CostTerm}). */
    public static SearchResult search(Path dir, SearchSpace space, DataBundle data, String dataSpec, SearchConfig cfg, List<CostTerm> costs,
                                      Path checkpoint, Path resume, SearchEvents.Listener listener, SearchControl control)
            throws IOException, LoadException, PlanException {
        try (Lock lock = Lock.take(dir)) {
            boolean resumed = resume != null;
            if (!resumed || !Files.exists(dir.resolve(RunFiles.SPACE))) {
                RunFiles.start(dir, space, cfg, dataSpec);
            }
            try (RunFiles.EventLog log = new RunFiles.EventLog(dir.resolve(RunFiles.EVENTS), resumed)) {
                return new OneShotSearch(space, data, cfg, costs).run(new Logged(log, listener), control, checkpoint, resume);
            }
        }
    }

    /**
     * Holds the run folder for a search that writes it another way (a multi-trial search): while held, another
     * search in this process or another is refused there and {@link #isLive} says it runs.
     *
     * @throws IOException when the folder cannot be made or another search holds it (the message says so)
     */
    public static Closeable hold(Path dir) throws IOException {
        return Lock.take(dir);
    }

    /** Whether a search runs in {@code dir} now, in this process or another. */
    public static boolean isLive(Path dir) {
        Path f = dir.resolve(LOCK);
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException heldHere) {
            return true; // another window of this process runs it
        } catch (IOException unreadable) {
            return false;
        }
    }

    /** The folder's lock, for the length of a run. The file stays: deleting it would let two runs lock two files. */
    private static final class Lock implements Closeable {
        private final FileChannel channel;
        private final FileLock lock;

        private Lock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static Lock take(Path dir) throws IOException {
            Files.createDirectories(dir);
            FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException heldHere) {
                l = null;
            }
            if (l == null) {
                ch.close();
                throw new IOException(dir + ": another search is running in this folder");
            }
            return new Lock(ch, l);
        }

        @Override
        public void close() throws IOException {
            lock.release();
            channel.close();
        }
    }

    /** Logs every event before the caller sees it; a log that stops taking lines (a full disk) is a warning, not the end. */
    private static final class Logged implements SearchEvents.Listener {
        private final RunFiles.EventLog log;
        private final SearchEvents.Listener to;
        private boolean failed;

        Logged(RunFiles.EventLog log, SearchEvents.Listener to) {
            this.log = log;
            this.to = to;
        }

        private void write(Runnable w) {
            if (failed) {
                return;
            }
            try {
                w.run();
            } catch (UncheckedIOException e) {
                failed = true;
                to.warning(e.getMessage() + "; the search goes on without it");
            }
        }

        @Override
        public void started(String backend, SearchConfig config, int stepsPerEpoch) {
            write(() -> log.started(backend, config, stepsPerEpoch));
            to.started(backend, config, stepsPerEpoch);
        }

        @Override
        public void step(SearchEvents.Step s) {
            write(() -> log.step(s));
            to.step(s);
        }

        @Override
        public void epoch(SearchEvents.Epoch e) {
            write(() -> log.epoch(e));
            to.epoch(e);
        }

        @Override
        public void resumed(int epoch, int step) {
            write(() -> log.resumed(epoch, step));
            to.resumed(epoch, step);
        }

        @Override
        public void generation(int g, int generations, double best, Architecture arch) {
            to.generation(g, generations, best, arch);
        }

        @Override
        public void steered(Steer st) {
            write(() -> log.steered(st));
            to.steered(st);
        }

        @Override
        public void warning(String message) {
            if (!failed) {
                write(() -> log.warning(message)); // not the log's own failure, which it can no longer take
            }
            to.warning(message);
        }
    }
}

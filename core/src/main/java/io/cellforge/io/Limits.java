package io.cellforge.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The sizes Cellforge reads, in one place (the README's "Limits" section is written from here), and the
 * checks that every file reader makes before it reads: a regular file (after following links, so that a link
 * to {@code /dev/zero} or a FIFO is refused at once) no larger than its limit, read through a stream that stops
 * at the limit too (a file that grows while read, or a {@code /proc} file that reports size 0).
 */
public final class Limits {
    private Limits() {
    }

    private static final long MIB = 1L << 20;

    /** A space, architecture, genotype or settings file (YAML, JSON, text). */
    public static final long TEXT_BYTES = 8 * MIB;
    /** The events file of a search run (a line a step): read back line by line, so only a line must fit in memory. */
    public static final long EVENTS_BYTES = 1024 * MIB;
    /** One line of an events file: a step with the weights of every choice. */
    public static final int EVENT_LINE_CHARS = 1 << 24;
    /** One data file: IDX (after gunzip), a CIFAR batch, a CSV file (after gunzip). */
    public static final long DATA_FILE_BYTES = 4096 * MIB;
    /** One image of an image folder, as stored (PNG, JPEG, ...). */
    public static final long IMAGE_FILE_BYTES = 64 * MIB;
    /** Width and height of one image, in pixels (IDX, image folders). */
    public static final int IMAGE_SIDE = 4096;
    /**
     * Pixel values of one data set in memory (images x channels x height x width): a Java array holds under
     * 2^31, and each value takes 4 bytes of heap. CIFAR-10's training set is 153,600,000.
     */
    public static final long DATA_VALUES = 1L << 30;
    /** Characters of one CSV line (one image: a 224x224 RGB image written as 0..255 is about 600,000). */
    public static final int CSV_LINE_CHARS = 1 << 22;

    /** "8 MB", "4 GB": a limit as the README and the error lines write it. */
    public static String bytes(long n) {
        if (n % (1024 * MIB) == 0) {
            return n / (1024 * MIB) + " GB";
        }
        return n % MIB == 0 ? n / MIB + " MB" : n + " bytes";
    }

    /**
     * Opens {@code p} for reading at most {@code limit} bytes: refused (one line naming the file) when it is
     * missing, not a regular file, or larger than the limit; the stream itself fails with a
     * {@link TooLarge} once more than {@code limit} bytes have come through it.
     */
    public static InputStream open(Path p, long limit) throws LoadException {
        sizeOf(p, limit);
        try {
            return new Bounded(Files.newInputStream(p), limit, p + ": " + tooLarge(-1, limit));
        } catch (NoSuchFileException e) {
            throw new LoadException(p.toString(), "no such file");
        } catch (IOException e) {
            throw new LoadException(p.toString(), "cannot read: " + e.getMessage());
        }
    }

    /**
     * The size of a regular file within {@code limit} bytes, checked before anything is read; a missing file,
     * a folder, a device, a FIFO or a socket (also behind a link) is a LoadException naming it.
     */
    public static long sizeOf(Path p, long limit) throws LoadException {
        if (!Files.exists(p)) {
            throw new LoadException(p.toString(), "no such file");
        }
        if (Files.isDirectory(p)) {
            throw new LoadException(p.toString(), "is a folder, not a file");
        }
        if (!Files.isRegularFile(p)) {
            throw new LoadException(p.toString(), "not a regular file (a device, a pipe or a socket, or a link to one)");
        }
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw new LoadException(p.toString(), "cannot read: " + e.getMessage());
        }
        if (size > limit) {
            throw new LoadException(p.toString(), tooLarge(size, limit));
        }
        return size;
    }

    /** The message for a file past its limit; {@code size} -1 when it is not known (found while reading). */
    public static String tooLarge(long size, long limit) {
        return "file is larger than " + bytes(limit) + (size > limit ? " (" + size + " bytes)" : "") + ", the most Cellforge reads";
    }

    /** Thrown by a bounded stream past its limit; its message names the file. */
    public static final class TooLarge extends IOException {
        public TooLarge(String message) {
            super(message);
        }
    }

    /**
     * A stream that fails once more than {@code limit} bytes have been read: a guard on what comes out of a
     * decompressor, or out of a file that grows.
     */
    public static InputStream bounded(InputStream in, long limit, String message) {
        return new Bounded(in, limit, message);
    }

    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private final String message;
        private long read;

        Bounded(InputStream in, long limit, String message) {
            super(in);
            this.limit = limit;
            this.message = message;
        }

        private int count(int n) throws TooLarge {
            if (n > 0) {
                read += n;
                if (read > limit) {
                    throw new TooLarge(message);
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            // Never ask for more than one byte past the limit, so that an endless source stops right there.
            long room = limit - read + 1;
            return count(super.read(b, off, (int) Math.min(len, Math.max(1, room))));
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}

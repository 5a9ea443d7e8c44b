package io.cellforge.io;

import java.io.IOException;
import java.io.Reader;

/**
 * Lines of at most {@code max} characters, numbered from 1 (a CR before the LF is dropped): a longer line
 * is refused at its number before it fills the memory, which BufferedReader.readLine would not do.
 */
public final class BoundedLines {
    private final Reader in;
    private final String source;
    private final int max;
    private final String why;
    private final char[] buf = new char[1 << 16];
    private final StringBuilder line = new StringBuilder();
    private int pos;
    private int end;
    private int number;

    /** {@code why} ends the error of a longer line: what the limit is for. */
    public BoundedLines(Reader in, String source, int max, String why) {
        this.in = in;
        this.source = source;
        this.max = max;
        this.why = why;
    }

    /** The number of the line {@link #next} returned last. */
    public int number() {
        return number;
    }

    public String next() throws IOException, LoadException {
        line.setLength(0);
        boolean any = false;
        while (true) {
            if (pos == end) {
                end = in.read(buf, 0, buf.length);
                pos = 0;
                if (end < 0) {
                    end = 0;
                    return any ? finish() : null;
                }
            }
            any = true;
            int start = pos;
            while (pos < end && buf[pos] != '\n') {
                pos++;
            }
            line.append(buf, start, pos - start);
            if (line.length() > max + 1) { // one more may be the CR of a CRLF
                throw tooLong();
            }
            if (pos < end) {
                pos++;
                return finish();
            }
        }
    }

    private String finish() throws LoadException {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') {
            line.setLength(n - 1);
        }
        if (line.length() > max) {
            throw tooLong();
        }
        number++;
        return line.toString();
    }

    private LoadException tooLong() {
        return new LoadException(source + ":" + (number + 1), String.format("line longer than %,d characters, %s", max, why));
    }
}


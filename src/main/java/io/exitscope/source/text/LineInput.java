package io.exitscope.source.text;

import io.exitscope.source.TraceFormatException;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Lines of a text trace, plain or gzip-compressed, with the byte offset of each line's start.
 *
 * <p>{@link java.io.BufferedReader} cannot tell where a line started, and error messages must name
 * the byte offset, so lines are split here on {@code '\n'} (a trailing {@code '\r'} is dropped).
 * Bytes are decoded as Latin-1: kernel strings (comm, event text) are bytes, this is what the
 * binary reader does too, and it keeps one char per byte.
 */
final class LineInput implements Closeable {
    /** Longest line accepted; beyond it the input is not a text trace (and memory stays bounded). */
    static final int MAX_LINE = 16 << 20;

    private final String name;
    private final InputStream raw;     // counts bytes read from the file itself
    private final InputStream in;      // decompressed text
    private final boolean gzip;
    private final long fileSize;
    private byte[] buf = new byte[1 << 16];
    private int pos, lim;
    private long bufOffset;            // text offset of buf[0]
    private long lineOffset;
    private long lineNumber;
    private boolean eof;

    LineInput(Path path) throws IOException {
        this.name = path.toString();
        this.fileSize = Files.size(path);
        CountingStream counting = new CountingStream(Files.newInputStream(path));
        this.raw = counting;
        InputStream b = new BufferedInputStream(counting, 1 << 16);
        b.mark(2);
        int m0 = b.read(), m1 = b.read();
        b.reset();
        this.gzip = m0 == 0x1f && m1 == 0x8b;
        try {
            this.in = gzip ? new GZIPInputStream(b, 1 << 16) : b;
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new TraceFormatException(name, 0, "bad gzip header: " + e.getMessage());
        }
    }

    boolean gzip() { return gzip; }

    /** Byte offset, in the (decompressed) text, of the line last returned. */
    long lineOffset() { return lineOffset; }

    /** 1-based number of the line last returned. */
    long lineNumber() { return lineNumber; }

    /** Bytes of the file consumed so far (compressed bytes for gzip). */
    long filePosition() { return ((CountingStream) raw).count; }

    long fileSize() { return fileSize; }

    /** The next line without its terminator, or null at the end. */
    String readLine() throws IOException {
        int scanned = 0; // bytes after pos known to hold no newline
        for (;;) {
            for (int i = pos + scanned; i < lim; i++) {
                if (buf[i] == '\n') return take(i, i + 1);
            }
            scanned = lim - pos;
            if (scanned > MAX_LINE) {
                throw new TraceFormatException(name, bufOffset + pos, "line " + (lineNumber + 1)
                        + ": longer than " + (MAX_LINE >> 20) + " MiB without a newline: not a text trace"
                        + (gzip ? " (offset in the decompressed text)" : ""));
            }
            if (eof || !fill()) {
                eof = true;
                if (pos < lim) return take(lim, lim);
                return null;
            }
        }
    }

    private String take(int end, int next) {
        int len = end - pos;
        if (len > 0 && buf[end - 1] == '\r') len--;
        String line = new String(buf, pos, len, StandardCharsets.ISO_8859_1);
        lineOffset = bufOffset + pos;
        lineNumber++;
        pos = next;
        return line;
    }

    /** Reads more bytes behind the unread ones; false at the end of input. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            bufOffset += pos;
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) buf = Arrays.copyOf(buf, buf.length * 2); // a very long line
        int n;
        try {
            n = in.read(buf, lim, buf.length - lim);
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            // a truncated or damaged .gz: name where the compressed data broke
            throw new TraceFormatException(name, filePosition(), "bad gzip data after " + (bufOffset + lim)
                    + " bytes of text: " + (e.getMessage() == null ? "unexpected end of data" : e.getMessage()));
        }
        if (n <= 0) return false;
        lim += n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) { super(in); }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }
    }
}

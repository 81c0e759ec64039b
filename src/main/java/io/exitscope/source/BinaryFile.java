package io.exitscope.source;

import io.exitscope.event.FormatParser;

import java.io.Closeable;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A binary trace file (trace.dat, perf.data) opened for reading blocks at offsets: the file
 * plumbing both readers share. Every problem is a {@link TraceFormatException} naming the file
 * and the byte offset: a file that is missing or unreadable, a block that runs past the end of
 * the file, a block larger than the reader's limit. A block is never allocated larger than what
 * the file still holds from its offset, nor larger than the limit, whatever a damaged size field
 * claims (the fuzz tests rely on this).
 */
public final class BinaryFile implements Closeable {
    private final String name;
    private final FileChannel channel;
    private final long size;
    private final long maxBlock;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private long lastOffset;

    private BinaryFile(String name, FileChannel channel, long size, long maxBlock) {
        this.name = name;
        this.channel = channel;
        this.size = size;
        this.maxBlock = maxBlock;
    }

    /**
     * The one-line errors for a path that cannot be opened as a trace file, checked before its
     * format is looked at.
     */
    public static void requireReadableFile(Path path) {
        String name = path.toString();
        if (Files.isDirectory(path)) throw new TraceFormatException(name, 0, "is a directory, not a trace file");
        if (!Files.exists(path)) throw new TraceFormatException(name, 0, "no such file");
        if (!Files.isReadable(path)) throw new TraceFormatException(name, 0, "permission denied");
    }

    /**
     * Opens {@code path} for block reads of at most {@code maxBlock} bytes each.
     */
    public static BinaryFile open(Path path, long maxBlock) throws IOException {
        String name = path.toString();
        if (Files.isDirectory(path)) throw new TraceFormatException(name, 0, "is a directory, not a trace file");
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new TraceFormatException(name, 0, "no such file");
        } catch (AccessDeniedException e) {
            throw new TraceFormatException(name, 0, "permission denied");
        }
        try {
            return new BinaryFile(name, ch, ch.size(), maxBlock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** What reads a file's metadata into a reader over it. */
    @FunctionalInterface
    public interface MetadataParser<R> {
        R parse(BinaryFile file) throws IOException;
    }

    /**
     * Opens {@code path} and reads its metadata with {@code parser}, which returns the reader.
     * When that fails the file is closed, and a parse problem becomes the one-line error that
     * {@link #parseError} makes of it: a reader that could not be opened holds no file.
     */
    public static <R> R openParsed(Path path, long maxBlock, MetadataParser<R> parser) throws IOException {
        BinaryFile file = open(path, maxBlock);
        try {
            return parser.parse(file);
        } catch (RuntimeException e) {
            file.close();
            throw file.parseError(e);
        } catch (IOException e) {
            file.close();
            throw e;
        }
    }

    /** The file's name as given, for error messages. */
    public String name() { return name; }

    public FileChannel channel() { return channel; }

    public long size() { return size; }

    /** The byte order of the blocks read from now on (the file says which in its header). */
    public void order(ByteOrder order) { this.order = order; }

    /** Offset of the structure being parsed: the last block read, or what {@link #at} said. */
    public long lastOffset() { return lastOffset; }

    /** Marks {@code offset} as the structure being parsed (an error found in it later names this offset). */
    public void at(long offset) { lastOffset = offset; }

    /**
     * The {@code n} bytes at {@code off}, in the file's byte order; {@code what} names them in
     * the error when the file ends before them or they exceed the limit.
     */
    public ByteBuffer read(long off, long n, String what) throws IOException {
        lastOffset = off;
        if (off < 0 || n < 0 || off > size || n > size - off) {
            throw new TraceFormatException(name, Math.min(Math.max(off, 0), size),
                    "file ends inside " + what + " (needs " + n + " bytes, file has " + size + ")");
        }
        if (n > maxBlock) throw new TraceFormatException(name, off, what + " claims " + n + " bytes");
        ByteBuffer b = ByteBuffer.allocate((int) n).order(order);
        readFully(b, off, what);
        b.flip();
        return b;
    }

    /**
     * Fills {@code b} (from its position to its limit) with the bytes at {@code off}: the
     * allocation-free read of a caller that keeps its buffer (a CPU's pages). The caller has
     * checked the range; a file that shrank since is named in the error.
     */
    public void readFully(ByteBuffer b, long off, String what) throws IOException {
        long start = off - b.position();
        while (b.hasRemaining()) {
            int k = channel.read(b, start + b.position());
            if (k < 0) throw new TraceFormatException(name, start + b.position(), "unexpected end of file in " + what);
        }
    }

    /** The NUL-terminated string at {@code off} (at most 4 KiB, ISO-8859-1). */
    public String stringAt(long off, String what) throws IOException {
        ByteBuffer b = read(off, Math.max(0, Math.min(4096, size - off)), what);
        for (int i = 0; i < b.limit(); i++) {
            if (b.get(i) == 0) return new String(b.array(), b.arrayOffset(), i, StandardCharsets.ISO_8859_1);
        }
        throw new TraceFormatException(name, off, what + " is not NUL-terminated");
    }

    /** Throws when {@code size} bytes at {@code off}, which the field at {@code where} declares, are not all in the file. */
    public void checkRange(long off, long size, long where, String what) {
        if (off < 0 || size < 0 || off > this.size || size > this.size - off) {
            throw new TraceFormatException(name, where, what + " (offset " + off + ", " + size + " bytes) lies beyond the end of the file (" + this.size + " bytes)");
        }
    }

    /**
     * What a reader throws for a problem met while parsing the metadata: an event format that
     * does not parse, or a block that ends before a field in it, becomes a one-line error at the
     * structure being parsed; anything else is returned as it is.
     */
    public RuntimeException parseError(RuntimeException e) {
        if (e instanceof FormatParser.FormatException fe) return new TraceFormatException(name, lastOffset, TraceFormatException.quote(fe.getMessage()));
        if (e instanceof BufferUnderflowException) return new TraceFormatException(name, lastOffset, "block ends early");
        return e;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

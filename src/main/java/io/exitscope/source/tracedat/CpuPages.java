package io.exitscope.source.tracedat;

import io.exitscope.source.BinaryFile;
import io.exitscope.source.TraceFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The pages of one CPU of one buffer, read block by block (uncompressed) or chunk by chunk
 * (compressed v7 flyrecord). Holds at most one block or chunk in memory.
 *
 * <p>Everything happens on the reading thread. Decompressing the next chunk on the other core
 * was tried and measured slower: trace-cmd writes chunks of 10 pages (≈ 3 KB compressed), and
 * handing each to another thread cost more than decompressing it (8.4 M events, 5685 chunks:
 * 0.68 s against 0.36 s warm, 1.13 s against 1.07 s for the whole process). Tried again in
 * batches (each CPU's chunks queued up to 16 MB ahead by one or two inflater threads, the reader
 * woken every 8 chunks; 8.8 M events, 6570 chunks): 318 ms against 348 ms warm, and no gain for
 * the whole process (1.13 s against 1.10 s): in a fresh JVM aircompressor's zstd takes 620 ms of
 * CPU for this file (210 ms warm) while the JIT compiles it, and on two cores the JIT, the
 * inflater and the reader share what there is. Not worth a thread. Tried a third time with
 * zstd-jni (native, nothing for the JIT to compile): one thread reading and decompressing each
 * CPU's chunks up to 8 ahead in a ring, volatile counters, parking only when idle. The main
 * thread's zstd and pread (40 % of its CPU in dump --count) went, but walking the pages it had
 * not decompressed itself took as much longer (their bytes now come from the other core's cache):
 * dump --count of the 8.8 M-event file 0.71 s against 0.68 s on one thread, 1.04 against 0.91 CPU-s
 * (7 interleaved runs, load 0.8).
 */
abstract class CpuPages {
    final String file;
    final BinaryFile source;
    final int pageSize;
    /** Page bytes live here; the current page is {@code buf[pageStart, pageStart+available)}. */
    byte[] buf = new byte[0];
    int pageStart;
    int available;

    CpuPages(BinaryFile source, int pageSize) {
        this.file = source.name();
        this.source = source;
        this.pageSize = pageSize;
    }

    /** Moves to the next page; false when the CPU's data is exhausted. */
    abstract boolean nextPage() throws IOException;

    /** Describes a byte inside the current page for error messages: the file offset where possible. */
    abstract long fileOffset(int offsetInPage);

    abstract String where(int offsetInPage);

    /** Bytes of the CPU's data consumed so far (for progress). */
    abstract long consumed();

    /** Bytes of the CPU's data in the file, as {@link #consumed()} counts them at the end. */
    abstract long totalBytes();

    void readFully(ByteBuffer b, long pos) throws IOException {
        source.readFully(b, pos, "CPU data");
    }

    /**
     * Robustness: whether {@code csize} compressed bytes can possibly hold {@code usize} bytes,
     * checked before {@code usize} bytes are allocated (a damaged size field used to allocate up
     * to 256 MB per CPU). deflate cannot expand more than 1032:1; zstd at most 32768:1 (an RLE
     * block: 4 bytes for 128 KB). Real data compresses 3-10:1, so valid files never come close.
     *
     * @return the problem, or null when the sizes are plausible
     */
    static String implausibleSize(Compression c, long csize, long usize) {
        long max = switch (c) {
            case NONE -> csize;
            case ZLIB -> csize * 1032 + 1024;
            case ZSTD -> csize * 32768 + 1024;
        };
        return usize > max ? csize + " " + c.fileName + " bytes cannot hold the " + usize + " bytes claimed uncompressed" : null;
    }

    /**
     * Robustness: when a zstd frame states its content size (aircompressor writes it; trace-cmd's
     * streaming compressor does not) and it differs from the size in the chunk or section header,
     * the data is damaged. Checked before any buffer of the claimed size exists.
     *
     * @return the problem, or null
     */
    static String zstdFrameMismatch(Compression c, byte[] in, int len, long usize) {
        if (c != Compression.ZSTD) return null;
        long n;
        try {
            n = io.airlift.compress.zstd.ZstdDecompressor.getDecompressedSize(in, 0, len);
        } catch (RuntimeException e) {
            return "bad zstd frame header: " + TraceDatReader.q(String.valueOf(e.getMessage()));
        }
        return n >= 0 && n != usize ? "zstd frame holds " + n + " bytes, header says " + usize : null;
    }

    /** First output buffer for {@link #decompress}: real data compresses 3-10:1, so 64:1 always fits. */
    static int firstCapacity(long csize, long usize) {
        return (int) Math.min(usize, Math.max(1 << 20, csize * 64));
    }

    /**
     * Robustness: decompresses {@code usize} bytes into {@code reuse} (when large enough) or a new
     * array, growing the output by doubling from {@link #firstCapacity} up to {@code usize}, so
     * the memory taken follows what the data really holds, not what a (possibly damaged) size
     * field claims. trace-cmd's zstd frames carry no content size, so the claim cannot be
     * checked up front. Valid data decompresses in one pass into the same bytes as before.
     *
     * @return the array holding the {@code usize} bytes at offset 0
     * @throws IllegalArgumentException when the data is corrupt or holds another size
     */
    static byte[] decompress(Compression c, byte[] in, int len, int usize, byte[] reuse) {
        int cap = firstCapacity(len, usize);
        while (true) {
            byte[] out = reuse != null && reuse.length >= cap ? reuse : new byte[cap];
            if (cap == usize) {
                c.decompress(in, 0, len, out, 0, usize);
                return out;
            }
            // a trial with a smaller buffer: data that fits is exactly the data there is; corrupt
            // data fails here already (IllegalArgumentException), before any larger buffer exists
            int n = trial(c, in, len, out, cap);
            if (n >= 0 && n < cap) {
                throw new IllegalArgumentException(c.fileName + " data gave " + n + " bytes, expected " + usize);
            }
            cap = (int) Math.min(usize, cap * 2L);
        }
    }

    /**
     * Decompresses into {@code out[0, cap)}; returns the size, or -1 when the output did not fit.
     *
     * @throws IllegalArgumentException when the data is corrupt
     */
    private static int trial(Compression c, byte[] in, int len, byte[] out, int cap) {
        switch (c) {
            case ZSTD -> {
                return Compression.decompressZstd(in, 0, len, out, 0, cap);
            }
            case ZLIB -> {
                java.util.zip.Inflater inf = new java.util.zip.Inflater();
                try {
                    inf.setInput(in, 0, len);
                    int n = 0;
                    while (n < cap && !inf.finished()) {
                        int k = inf.inflate(out, n, cap - n);
                        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                        n += k;
                    }
                    return n == cap && !inf.finished() ? -1 : n;
                } catch (java.util.zip.DataFormatException e) {
                    throw new IllegalArgumentException("bad zlib data: " + e.getMessage());
                } finally {
                    inf.end();
                }
            }
            default -> {
                return len <= cap ? len : -1;
            }
        }
    }

    /** Raw pages straight from the file, read a block of pages at a time. */
    static final class Plain extends CpuPages {
        static final int BLOCK_PAGES = 32;
        private final long start, end;
        private long blockOffset;     // file offset of buf[0]
        private int blockLength;
        private long next;            // file offset of the next page

        Plain(BinaryFile source, int pageSize, long start, long size) {
            super(source, pageSize);
            this.start = start;
            this.end = start + size;
            this.next = start;
            // robustness: never more than the CPU's data (bounded by the file size); a damaged page
            // size times BLOCK_PAGES used to be allocated up front for every CPU (OutOfMemoryError)
            this.buf = new byte[(int) Math.min((long) pageSize * BLOCK_PAGES, size)];
            this.blockOffset = start;
            this.blockLength = 0;
        }

        @Override
        boolean nextPage() throws IOException {
            if (next >= end) return false;
            if (next + Math.min(pageSize, end - next) > blockOffset + blockLength) {
                int n = (int) Math.min(buf.length, end - next);
                ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                readFully(b, next);
                blockOffset = next;
                blockLength = n;
            }
            pageStart = (int) (next - blockOffset);
            available = (int) Math.min(pageSize, end - next);
            next += pageSize;
            return true;
        }

        @Override
        long fileOffset(int offsetInPage) {
            return blockOffset + pageStart + offsetInPage;
        }

        @Override
        String where(int offsetInPage) {
            return "";
        }

        @Override
        long consumed() {
            return Math.min(next, end) - start;
        }

        @Override
        long totalBytes() {
            return end - start;
        }
    }

    /** Compressed chunks: u32 count, then per chunk u32 compressed size, u32 size, data. */
    static final class Chunked extends CpuPages {
        private final Compression compression;
        private final long start, end;
        private long pos;            // file offset of the next chunk header
        private long chunksLeft = -1;
        private long chunkOffset;    // file offset of the current chunk's data
        private int chunkLength;     // decompressed bytes in buf
        private int nextInChunk;
        private byte[] compressed = new byte[0];

        Chunked(BinaryFile source, int pageSize, Compression compression, ByteOrder order, long start, long size) {
            super(source, pageSize);
            this.compression = compression;
            this.start = start;
            // trace-cmd's recorded size counts the chunks but not the leading u32 chunk count
            this.end = start + 4 + size;
            this.pos = start;
            this.order = order;
        }

        private final ByteOrder order;

        @Override
        boolean nextPage() throws IOException {
            while (nextInChunk >= chunkLength) {
                if (!loadChunk()) return false;
            }
            pageStart = nextInChunk;
            available = Math.min(pageSize, chunkLength - nextInChunk);
            nextInChunk += pageSize;
            return true;
        }

        /** One decompressed chunk and where the next one starts. */
        private record Chunk(byte[] data, int length, long offset, long next) {}

        private boolean loadChunk() throws IOException {
            if (chunksLeft < 0) {
                if (end - pos < 4) throw new TraceFormatException(file, pos, "CPU data too short for its chunk count");
                ByteBuffer b = ByteBuffer.allocate(4).order(order);
                readFully(b, pos);
                chunksLeft = b.getInt(0) & 0xffffffffL;
                pos += 4;
                // robustness: every chunk has an 8-byte header; a damaged count is reported at the
                // count itself instead of where the data ran out
                if (chunksLeft > (end - pos) / 8) {
                    throw new TraceFormatException(file, pos - 4, "chunk count " + chunksLeft + " cannot fit in the CPU's " + (end - pos) + " bytes of data");
                }
            }
            if (chunksLeft == 0) return false;
            if (compressed.length == 0) compressed = new byte[pageSize];
            Chunk c = readChunk(pos, buf.length >= pageSize ? buf : null);
            buf = c.data;
            chunkOffset = c.offset;
            chunkLength = c.length;
            nextInChunk = 0;
            pos = c.next;
            chunksLeft--;
            return true;
        }

        /** Reads and decompresses the chunk whose header is at {@code at}, into {@code reuse} when it is large enough. */
        private Chunk readChunk(long at, byte[] reuse) throws IOException {
            if (end - at < 8) throw new TraceFormatException(file, at, "file ends inside a compressed chunk header");
            ByteBuffer h = ByteBuffer.allocate(8).order(order);
            readFully(h, at);
            long csize = h.getInt(0) & 0xffffffffL;
            long usize = h.getInt(4) & 0xffffffffL;
            if (csize > end - at - 8) throw new TraceFormatException(file, at, "compressed chunk of " + csize + " bytes runs past the CPU's data");
            if (usize > TraceDatReader.MAX_BLOCK || usize == 0 && csize != 0) {
                throw new TraceFormatException(file, at, "compressed chunk claims " + usize + " bytes uncompressed");
            }
            String implausible = implausibleSize(compression, csize, usize);
            if (implausible != null) throw new TraceFormatException(file, at, "compressed chunk: " + implausible);
            if (compressed.length < csize) compressed = new byte[(int) csize];
            byte[] in = compressed;
            readFully(ByteBuffer.wrap(in, 0, (int) csize), at + 8);
            String frame = zstdFrameMismatch(compression, in, (int) csize, usize);
            if (frame != null) throw new TraceFormatException(file, at + 8, "bad compressed chunk: " + frame);
            byte[] out;
            try {
                // robustness: the buffer grows with the data, not with the claimed size
                out = decompress(compression, in, (int) csize, (int) usize, reuse);
            } catch (IllegalArgumentException e) {
                throw new TraceFormatException(file, at + 8, "bad compressed chunk: " + TraceDatReader.q(e.getMessage()));
            }
            return new Chunk(out, (int) usize, at, at + 8 + csize);
        }

        @Override
        long fileOffset(int offsetInPage) {
            return chunkOffset;
        }

        @Override
        String where(int offsetInPage) {
            return " (byte " + (pageStart + offsetInPage) + " of the decompressed chunk)";
        }

        @Override
        long consumed() {
            return pos - start;
        }

        @Override
        long totalBytes() {
            return end - start - 4;
        }
    }
}

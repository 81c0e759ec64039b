package io.exitscope.source.tracedat;

import io.exitscope.source.TraceFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The pages of one CPU of one buffer, read block by block (uncompressed) or chunk by chunk
 * (compressed v7 flyrecord). Holds at most one block or chunk in memory.
 */
abstract class CpuPages {
    final String file;
    final FileChannel channel;
    final int pageSize;
    /** Page bytes live here; the current page is {@code buf[pageStart, pageStart+available)}. */
    byte[] buf = new byte[0];
    int pageStart;
    int available;

    CpuPages(String file, FileChannel channel, int pageSize) {
        this.file = file;
        this.channel = channel;
        this.pageSize = pageSize;
    }

    /** Moves to the next page; false when the CPU's data is exhausted. */
    abstract boolean nextPage() throws IOException;

    /** Describes a byte inside the current page for error messages: the file offset where possible. */
    abstract long fileOffset(int offsetInPage);

    abstract String where(int offsetInPage);

    /** Bytes of the CPU's data consumed so far (for progress). */
    abstract long consumed();

    void readFully(ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int k = channel.read(b, pos + b.position());
            if (k < 0) throw new TraceFormatException(file, pos + b.position(), "unexpected end of file in CPU data");
        }
    }

    /** Raw pages straight from the file, read a block of pages at a time. */
    static final class Plain extends CpuPages {
        static final int BLOCK_PAGES = 32;
        private final long start, end;
        private long blockOffset;     // file offset of buf[0]
        private int blockLength;
        private long next;            // file offset of the next page

        Plain(String file, FileChannel ch, int pageSize, long start, long size) {
            super(file, ch, pageSize);
            this.start = start;
            this.end = start + size;
            this.next = start;
            this.buf = new byte[pageSize * BLOCK_PAGES];
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

        Chunked(String file, FileChannel ch, int pageSize, Compression compression, ByteOrder order, long start, long size) {
            super(file, ch, pageSize);
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

        private boolean loadChunk() throws IOException {
            if (chunksLeft < 0) {
                if (end - pos < 4) throw new TraceFormatException(file, pos, "CPU data too short for its chunk count");
                ByteBuffer b = ByteBuffer.allocate(4).order(order);
                readFully(b, pos);
                chunksLeft = b.getInt(0) & 0xffffffffL;
                pos += 4;
            }
            if (chunksLeft == 0) return false;
            if (end - pos < 8) throw new TraceFormatException(file, pos, "file ends inside a compressed chunk header (" + chunksLeft + " chunks left)");
            ByteBuffer h = ByteBuffer.allocate(8).order(order);
            readFully(h, pos);
            long csize = h.getInt(0) & 0xffffffffL;
            long usize = h.getInt(4) & 0xffffffffL;
            if (csize > end - pos - 8) throw new TraceFormatException(file, pos, "compressed chunk of " + csize + " bytes runs past the CPU's data");
            if (usize > TraceDatReader.MAX_BLOCK || usize == 0 && csize != 0) {
                throw new TraceFormatException(file, pos, "compressed chunk claims " + usize + " bytes uncompressed");
            }
            if (compressed.length < csize) compressed = new byte[(int) csize];
            readFully(ByteBuffer.wrap(compressed, 0, (int) csize), pos + 8);
            if (buf.length < usize) buf = new byte[(int) Math.max(usize, pageSize)];
            try {
                compression.decompress(compressed, 0, (int) csize, buf, 0, (int) usize);
            } catch (IllegalArgumentException e) {
                throw new TraceFormatException(file, pos + 8, "bad compressed chunk: " + e.getMessage());
            }
            chunkOffset = pos;
            chunkLength = (int) usize;
            nextInChunk = 0;
            pos += 8 + csize;
            chunksLeft--;
            return true;
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
    }
}

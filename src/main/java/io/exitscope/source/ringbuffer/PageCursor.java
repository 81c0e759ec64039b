package io.exitscope.source.ringbuffer;

import io.exitscope.event.HeaderPage;


/**
 * Walks the records of one ring-buffer sub-buffer ("page"): the bytes a read of
 * {@code trace_pipe_raw} returns and what trace.dat stores per CPU.
 *
 * <p>Record kinds (kernel {@code ring_buffer.c}, libtraceevent {@code kbuffer-parse.c}): type_len
 * 1..28 data of type_len*4 bytes; 0 data whose length word precedes it; 29 padding (null padding
 * ends the page, otherwise a discarded event whose delta still counts); 30 time extend; 31
 * absolute time stamp (59 bits, the top 5 kept from the running time).
 *
 * <p>Hot path: one call to {@link #next()} per record, no allocation. Problems are reported as
 * {@link PageException} with the offset inside the page so callers can name the file offset.
 */
public final class PageCursor {

    static final int COMMIT_MASK = (1 << 27) - 1;
    static final long MISSED_EVENTS = 1L << 31;
    static final long MISSED_STORED = 1L << 30;
    static final long TS_MSB = 0xf8L << 56;

    /** A malformed page. {@code pageOffset} is relative to the start of the page. */
    public static final class PageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int pageOffset;
        public PageException(int pageOffset, String msg) {
            super(msg);
            this.pageOffset = pageOffset;
        }
    }

    private final boolean bigEndian;
    private final HeaderPage header;
    private final int dataOffset;

    private byte[] buf;
    private int pageStart;
    private int pos;       // absolute offset of the next record header
    private int end;       // absolute end of committed data
    private long ts;       // running timestamp (raw clock)
    private long missed;   // events lost before this page: 0 none, -1 unknown count, n

    /** Current data record: absolute payload offset and length, and its raw timestamp. */
    public int payload;
    public int payloadLength;
    public long timestamp;

    public PageCursor(HeaderPage header, boolean bigEndian) {
        this.header = header;
        this.bigEndian = bigEndian;
        this.dataOffset = header.dataOffset();
    }

    /**
     * Starts on the page at {@code buf[pageStart .. pageStart+available)}.
     *
     * @param available bytes of the page present in {@code buf} (a page read live may be short)
     */
    public void reset(byte[] buf, int pageStart, int available) {
        this.buf = buf;
        this.pageStart = pageStart;
        if (available < dataOffset) throw new PageException(0, "page of " + available + " bytes is shorter than its header (" + dataOffset + ")");
        ts = int64(pageStart + header.timestampOffset());
        long commitWord = header.commitSize() == 8 ? int64(pageStart + header.commitOffset())
                : int32(pageStart + header.commitOffset()) & 0xffffffffL;
        int commit = (int) (commitWord & COMMIT_MASK);
        int capacity = Math.min(available, pageStart + header.subBufferSize() - pageStart) - dataOffset;
        if (commit > capacity) {
            throw new PageException(header.commitOffset(), "page commit " + commit + " runs past the page's " + capacity + " data bytes");
        }
        pos = pageStart + dataOffset;
        end = pos + commit;
        if ((commitWord & MISSED_EVENTS) != 0) {
            missed = -1;
            if ((commitWord & MISSED_STORED) != 0) {
                int at = end;
                int ls = header.commitSize();
                if (at - pageStart + ls <= available) {
                    missed = ls == 8 ? int64(at) : int32(at) & 0xffffffffL;
                }
            }
        } else {
            missed = 0;
        }
    }

    /** Events lost before this page: 0 none, -1 lost but count unknown, else the count. */
    public long missedEvents() { return missed; }

    /** Raw timestamp in the page header. */
    public long pageTimestamp() { return int64(pageStart + header.timestampOffset()); }

    /** Offset of the current/next record relative to the page start (for error messages). */
    public int offsetInPage() { return pos - pageStart; }

    /**
     * Advances to the next data record. Returns false at the end of the page.
     */
    public boolean next() {
        while (pos < end) {
            int at = pos;
            if (end - at < 4) throw new PageException(at - pageStart, "truncated event header");
            int w = int32(at);
            int typeLen, delta;
            if (bigEndian) {
                typeLen = w >>> 27;
                delta = w & 0x7ffffff;
            } else {
                typeLen = w & 0x1f;
                delta = w >>> 5;
            }
            if (typeLen >= 1 && typeLen <= 28) {
                int len = typeLen << 2;
                if (at + 4 + len > end) throw new PageException(at - pageStart, "event of " + len + " bytes runs past the page commit");
                ts += delta;
                payload = at + 4;
                payloadLength = len;
                timestamp = ts;
                pos = at + 4 + len;
                return true;
            }
            if (end - at < 8) throw new PageException(at - pageStart, "truncated extended event header (type " + typeLen + ")");
            int a0 = int32(at + 4);
            switch (typeLen) {
                case 0 -> {
                    // length word counts itself; payload follows it
                    if (a0 < 4 || (long) at + 4 + a0 > end) {
                        throw new PageException(at - pageStart, "event length " + Integer.toUnsignedString(a0) + " runs past the page commit");
                    }
                    ts += delta;
                    payload = at + 8;
                    payloadLength = a0 - 4;
                    timestamp = ts;
                    pos = at + 4 + ((a0 + 3) & ~3);
                    return true;
                }
                case 29 -> {
                    if (delta == 0) { pos = end; return false; } // null padding: rest of page unused
                    if (a0 < 4 || (long) at + 4 + a0 > end) {
                        throw new PageException(at - pageStart, "padding length " + Integer.toUnsignedString(a0) + " runs past the page commit");
                    }
                    ts += delta;
                    pos = at + 4 + ((a0 + 3) & ~3);
                }
                case 30 -> {
                    ts += ((a0 & 0xffffffffL) << 27) + delta;
                    pos = at + 8;
                }
                case 31 -> {
                    long abs = ((a0 & 0xffffffffL) << 27) | delta;
                    ts = abs | (ts & TS_MSB);
                    pos = at + 8;
                }
                default -> throw new PageException(at - pageStart, "impossible type_len " + typeLen);
            }
        }
        return false;
    }

    private int int32(int at) {
        return io.exitscope.util.Bytes.i32(buf, at, bigEndian);
    }

    private long int64(int at) {
        return io.exitscope.util.Bytes.i64(buf, at, bigEndian);
    }
}

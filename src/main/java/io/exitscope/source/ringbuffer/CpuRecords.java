package io.exitscope.source.ringbuffer;

import io.exitscope.event.EventFormat;
import io.exitscope.event.EventFormats;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import io.exitscope.util.Bytes;

/**
 * One CPU's ring-buffer records, page after page: the walk that replaying a trace.dat and reading
 * {@code trace_pipe_raw} live both do. The caller hands in each page ({@link #load}) and takes
 * its records ({@link #next}) until the page is used up; each record comes decoded into the
 * {@link RawEvent} given, pointed at its payload, with its format and the raw timestamp.
 *
 * <p>What to do about a malformed page, an unknown event id or lost events is the caller's: a
 * trace file stops with an error naming the file offset, live counts and skips. So problems come
 * back as a {@link PageCursor.PageException} (offset inside the page) or {@link #UNKNOWN_EVENT}.
 *
 * <p>Hot path: one {@link #next()} per record, no allocation.
 */
public final class CpuRecords {
    /** {@link #next()}: the event holds the next record. */
    public static final int RECORD = 0;
    /** {@link #next()}: no page is loaded, or its records are used up. */
    public static final int PAGE_END = 1;
    /** {@link #next()}: a record whose event id has no format ({@link #unknownId()}, {@link #recordOffset()}). */
    public static final int UNKNOWN_EVENT = 2;

    private final int cpu;
    private final PageCursor cursor;
    private final RawEvent event;
    private final EventFormats formats;
    private final boolean bigEndian;
    private byte[] page;     // null: no page loaded, or used up
    private int pageStart;
    private int unknownId;

    public CpuRecords(int cpu, HeaderPage header, boolean bigEndian, RawEvent event, EventFormats formats) {
        this.cpu = cpu;
        this.cursor = new PageCursor(header, bigEndian);
        this.event = event;
        this.formats = formats;
        this.bigEndian = bigEndian;
    }

    /**
     * Starts on the page at {@code buf[pageStart .. pageStart+available)} (a page read live may be
     * short). Returns the events lost before it: 0 none, -1 lost but count unknown, else the count.
     *
     * @throws PageCursor.PageException when the page header is malformed (no page is loaded then)
     */
    public long load(byte[] buf, int pageStart, int available) {
        page = null;
        cursor.reset(buf, pageStart, available);
        page = buf;
        this.pageStart = pageStart;
        return cursor.missedEvents();
    }

    /** Drops the rest of the loaded page (a caller that skips a malformed page goes on with the next). */
    public void dropPage() {
        page = null;
    }

    /**
     * Moves to the next record of the loaded page.
     *
     * @return {@link #RECORD}, {@link #PAGE_END} or {@link #UNKNOWN_EVENT}
     * @throws PageCursor.PageException when the record is malformed or shorter than the common header
     */
    public int next() {
        byte[] data = page;
        if (data == null) return PAGE_END;
        if (!cursor.next()) {
            page = null;
            return PAGE_END;
        }
        int p = cursor.payload, n = cursor.payloadLength;
        // the common header (type, flags, preempt count, pid) is 8 bytes: anything shorter is damage
        if (n < 8) throw new PageCursor.PageException(p - pageStart, "event of " + n + " bytes is too short");
        int id = Bytes.u16(data, p, bigEndian);
        EventFormat f = formats.byId(id);
        // a format parsed on first use by another decoding thread may not be visible to this
        // one's unsynchronized look-up yet: ask again under the formats' lock
        if (f == null) {
            synchronized (formats) {
                f = formats.byId(id);
            }
        }
        if (f == null) {
            unknownId = id;
            return UNKNOWN_EVENT;
        }
        event.set(data, p, n, cursor.timestamp, cpu, f);
        return RECORD;
    }

    /** The raw (unconverted) timestamp of the current record. */
    public long timestamp() {
        return cursor.timestamp;
    }

    /** The raw timestamp in the loaded page's header. */
    public long pageTimestamp() {
        return cursor.pageTimestamp();
    }

    /** The id of the record {@link #next()} found no format for. */
    public int unknownId() {
        return unknownId;
    }

    /** Offset of the current record's payload from the start of its page (for error messages). */
    public int recordOffset() {
        return cursor.payload - pageStart;
    }
}

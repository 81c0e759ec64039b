package io.exitscope.source.ringbuffer;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.HeaderPage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Encodes events into ring-buffer sub-buffers ("pages") laid out exactly as the kernel's
 * {@code ring_buffer.c} does, so that what we write reads back like {@code trace_pipe_raw}
 * output: a page header (u64 time stamp, kernel-long {@code commit}), then event records.
 *
 * <p>Rules followed (kernel {@code rb_calculate_event_length}, {@code rb_update_event},
 * {@code rb_add_time_stamp}, {@code ring_buffer_read_page}):
 * <ul>
 * <li>the first event of a page has delta 0: the page header carries its full time stamp;</li>
 * <li>payloads of up to 112 bytes use type_len 1..28 (length rounded up to 4, an empty payload
 *     counts as 1 byte); larger ones use type_len 0 with a length word that counts itself;</li>
 * <li>a delta that does not fit 27 bits is preceded by a TIME_EXTEND (type 30) and the event
 *     gets delta 0; a time going backwards, or a caller's request, gives an absolute TIME_STAMP
 *     (type 31, 59 bits) instead;</li>
 * <li>missed events set commit bit 31, and bit 30 with the count stored as a kernel long right
 *     after the data; the rest of the page is zero.</li>
 * </ul>
 *
 * <p>Not thread-safe: one builder per CPU.
 */
public final class PageBuilder {
    /** {@code events/header_event} as every kernel since 2.6.3x prints it. */
    public static final String HEADER_EVENT = "# compressed entry header\n"
            + "\ttype_len    :    5 bits\n"
            + "\ttime_delta  :   27 bits\n"
            + "\tarray       :   32 bits\n"
            + "\n"
            + "\tpadding     : type == 29\n"
            + "\ttime_extend : type == 30\n"
            + "\ttime_stamp : type == 31\n"
            + "\tdata max type_len  == 28\n";

    static final int TYPE_PADDING = 29, TYPE_TIME_EXTEND = 30, TYPE_TIME_STAMP = 31;
    static final int MAX_SMALL_DATA = 28 * 4;
    static final int TS_BITS = 27;
    static final long TS_MASK = (1L << TS_BITS) - 1;
    /** Bits an extended delta or absolute stamp can hold (27 + 32). */
    static final int TS_EXT_BITS = 59;

    private final HeaderPage header;
    private final boolean bigEndian;
    private final int pageSize;
    private final int capacity;       // data bytes a page can hold
    private final int longSize;
    private byte[] page;
    private ByteBuffer buf;           // view of page in the file's byte order
    private int used;                 // data bytes written
    private boolean empty = true;
    private long running;             // what a reader's running time is after the last record
    private long missed;              // 0 none, -1 unknown count, n > 0 stored count

    /**
     * @param header   the sub-buffer layout (commit size 4 or 8 puts data at 12 or 16)
     * @param pageSize bytes per page as stored; at least the header's sub-buffer size
     */
    public PageBuilder(HeaderPage header, boolean bigEndian, int pageSize) {
        if (header.subBufferSize() > pageSize) {
            throw new IllegalArgumentException("header_page describes " + header.subBufferSize() + "-byte sub-buffers, larger than the page size " + pageSize);
        }
        if (header.dataOffset() < header.commitOffset() + header.commitSize()) throw new IllegalArgumentException("header_page data overlaps commit");
        this.header = header;
        this.bigEndian = bigEndian;
        this.pageSize = pageSize;
        this.capacity = header.dataSize();
        this.longSize = header.commitSize();
        newPage();
    }

    /**
     * The {@code events/header_page} text a kernel with this long size and sub-buffer size prints
     * ({@code ring_buffer_print_page_header}); parse it with {@code FormatParser.parseHeaderPage}.
     */
    public static String headerPageText(int kernelLongSize, int subBufferSize) {
        if (kernelLongSize != 4 && kernelLongSize != 8) throw new IllegalArgumentException("kernel long size must be 4 or 8");
        int data = 8 + kernelLongSize;
        return "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
                + "\tfield: local_t commit;\toffset:8;\tsize:" + kernelLongSize + ";\tsigned:1;\n"
                + "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
                + "\tfield: char data;\toffset:" + data + ";\tsize:" + (subBufferSize - data) + ";\tsigned:0;\n";
    }

    public int pageSize() { return pageSize; }

    /** True when no record has been added to the current page. */
    public boolean isEmpty() { return empty; }

    /** Data bytes used in the current page. */
    public int bytesUsed() { return used; }

    /**
     * Adds an event at {@code timestamp} (raw clock units).
     *
     * @return false when the event does not fit in the current page (full, or a time jump of
     *         2^59 units or more that only a new page header can carry): take the page with
     *         {@link #finishPage()} and add the event again. A new page always accepts an
     *         event that fits in an empty page.
     * @throws IllegalArgumentException if the payload can never fit in a page
     */
    public boolean add(long timestamp, byte[] payload, int off, int len) {
        return add(timestamp, payload, off, len, false);
    }

    /**
     * Adds an event; with {@code absolute} it is preceded by an absolute TIME_STAMP record, as
     * the kernel writes when an event interrupted another one's reservation.
     */
    public boolean add(long timestamp, byte[] payload, int off, int len, boolean absolute) {
        if (len < 0 || off < 0 || off + len > payload.length) throw new IndexOutOfBoundsException();
        int body = len == 0 ? 4 : (len + 3) & ~3;   // kernel: zero length counts as 1 byte
        boolean small = len <= MAX_SMALL_DATA;
        int size = small ? 4 + body : 8 + body;
        if (size + (missed > 0 ? longSize : 0) > capacity) {
            throw new IllegalArgumentException("event of " + len + " bytes does not fit in a " + pageSize + "-byte page");
        }
        int at = reserve(timestamp, size, absolute);
        if (at < 0) return false;
        int delta = (int) (timestamp - running);
        if (small) {
            putHeader(at, body >> 2, delta);
            System.arraycopy(payload, off, page, header.dataOffset() + at + 4, len);
        } else {
            putHeader(at, 0, delta);
            buf.putInt(header.dataOffset() + at + 4, body + 4);
            System.arraycopy(payload, off, page, header.dataOffset() + at + 8, len);
        }
        used = at + size;
        running = timestamp;
        return true;
    }

    /**
     * Adds a discarded event (a PADDING record with a non-zero delta) that occupies the space an
     * event of {@code len} payload bytes would. As in the kernel ({@code rb_event_discard}) a
     * zero delta becomes 1, so readers' running time advances to {@code max(timestamp, last + 1)}.
     *
     * @return false when it does not fit (see {@link #add(long, byte[], int, int)})
     */
    public boolean addDiscarded(long timestamp, int len) {
        int body = len == 0 ? 4 : (len + 3) & ~3;
        int size = len <= MAX_SMALL_DATA ? 4 + body : 8 + body;
        if (size + (missed > 0 ? longSize : 0) > capacity) throw new IllegalArgumentException("discarded event does not fit in a page");
        int at = reserve(timestamp, size, false);
        if (at < 0) return false;
        long delta = Math.max(1, timestamp - running);   // reserve() left it within 27 bits
        putHeader(at, TYPE_PADDING, (int) delta);
        buf.putInt(header.dataOffset() + at + 4, size - 4);
        used = at + size;
        running += delta;
        return true;
    }

    /**
     * Finds room for a record of {@code size} bytes at {@code timestamp}, writing the TIME_EXTEND
     * or TIME_STAMP it needs first. Afterwards {@code timestamp - running} fits the 27-bit delta.
     * Returns the data offset for the record, or -1 when it must go to a new page.
     */
    private int reserve(long timestamp, int size, boolean absolute) {
        int reserved = missed > 0 ? longSize : 0;
        if (empty) {
            // The page header carries the full time; a forced stamp is still written, as the
            // kernel does, unless only the event itself fits (an empty page takes any event).
            if (absolute && 8 + size + reserved > capacity) absolute = false;
            buf.putLong(header.timestampOffset(), timestamp);
            running = timestamp;
            empty = false;
            if (absolute) {
                putTimeRecord(0, TYPE_TIME_STAMP, timestamp);
                return 8;
            }
            return 0;
        }
        long delta = timestamp - running;
        boolean backwards = Long.compareUnsigned(timestamp, running) < 0;
        int type = -1;
        long value = 0;
        if (absolute || backwards) {
            // 59 bits stored; readers take the top 5 bits from the running time
            if ((timestamp >>> TS_EXT_BITS) != (running >>> TS_EXT_BITS)) return -1;
            type = TYPE_TIME_STAMP;
            value = timestamp;
        } else if (Long.compareUnsigned(delta, TS_MASK) > 0) {
            if ((delta >>> TS_EXT_BITS) != 0) return -1;
            type = TYPE_TIME_EXTEND;
            value = delta;
        }
        int need = (type < 0 ? 0 : 8) + size;
        if (used + need + reserved > capacity) return -1;
        int at = used;
        if (type >= 0) {
            putTimeRecord(at, type, value);
            running = timestamp;
            at += 8;
        }
        return at;
    }

    private void putTimeRecord(int at, int type, long value) {
        putHeader(at, type, (int) (value & TS_MASK));
        buf.putInt(header.dataOffset() + at + 4, (int) (value >>> TS_BITS));
    }

    /** The 32-bit record header: {@code type_len:5, time_delta:27} in the file's bit order. */
    private void putHeader(int at, int typeLen, int delta) {
        int w = bigEndian ? (typeLen << TS_BITS) | delta : (delta << 5) | typeLen;
        buf.putInt(header.dataOffset() + at, w);
    }

    /**
     * Marks the current page as following lost events. A positive count is stored after the
     * data (commit bits 31 and 30) and room for it is kept from now on; a count below zero
     * means "lost, count unknown" (bit 31 only). Call it before adding the page's events so the
     * count is sure to fit; later, it is stored only if room is left (as the kernel does).
     */
    public void setMissedEvents(long count) {
        if (count == 0) {
            missed = 0;
            return;
        }
        missed = count > 0 && used + longSize <= capacity ? count : -1;
        if (longSize == 4 && count > 0xffffffffL) missed = -1;
    }

    /**
     * Returns the current page, {@link #pageSize()} bytes, zero after the committed data, and
     * starts a new, empty page. An empty page (no records) comes back with commit 0.
     */
    public byte[] finishPage() {
        long commit = used;
        if (missed != 0) {
            commit |= 1L << 31;
            if (missed > 0) {
                commit |= 1L << 30;
                int at = header.dataOffset() + used;
                if (longSize == 8) buf.putLong(at, missed);
                else buf.putInt(at, (int) missed);
            }
        }
        if (longSize == 8) buf.putLong(header.commitOffset(), commit);
        else buf.putInt(header.commitOffset(), (int) commit);
        byte[] out = page;
        newPage();
        return out;
    }

    private void newPage() {
        page = new byte[pageSize];
        buf = ByteBuffer.wrap(page).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        used = 0;
        empty = true;
        missed = 0;
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Builds event payloads from an {@link EventFormat}: the common fields, then fields by name,
     * in the trace's byte order. Dynamic arrays ({@code __data_loc}, {@code __rel_loc}) get their
     * data appended after the fixed fields, in field order, as the kernel's
     * {@code trace_event_get_offsets} places it; strings get their terminating NUL.
     *
     * <p>Values: {@link Number} for scalars, {@link String} (Latin-1) or {@code byte[]} for char
     * and byte arrays, {@code long[]} for other arrays (one element per entry), {@code byte[]}
     * for a trailing flexible array ({@code char buf[]; size:0}).
     */
    public static final class EventEncoder {
        private final EventFormat format;
        private final ByteOrder order;
        private final int fixedSize;
        private final FieldFormat type, flags, preempt, pid;

        public EventEncoder(EventFormat format, boolean bigEndian) {
            this.format = format;
            this.order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            int end = 0;
            for (FieldFormat f : format.fields) end = Math.max(end, f.offset + f.size);
            this.fixedSize = end;
            this.type = format.field("common_type");
            this.flags = format.field("common_flags");
            this.preempt = format.field("common_preempt_count");
            this.pid = format.field("common_pid");
        }

        public EventFormat format() { return format; }

        /**
         * @param commonFlags   irqs-off/need-resched/hardirq/softirq bits ({@code common_flags})
         * @param preemptCount  {@code common_preempt_count}
         * @param values        field name to value; fields left out are zero
         * @throws IllegalArgumentException for an unknown field or a value of the wrong kind
         */
        public byte[] encode(int commonFlags, int preemptCount, int commonPid, Map<String, ?> values) {
            int dynamic = 0;
            for (Map.Entry<String, ?> e : values.entrySet()) {
                FieldFormat f = field(e.getKey());
                if (f.isDynamic() || (f.isArray() && f.size == 0)) dynamic += bytes(f, e.getValue()).length;
            }
            byte[] out = new byte[fixedSize + dynamic];
            ByteBuffer b = ByteBuffer.wrap(out).order(order);
            if (type != null) putScalar(b, type, format.id);
            if (flags != null) putScalar(b, flags, commonFlags);
            if (preempt != null) putScalar(b, preempt, preemptCount);
            if (pid != null) putScalar(b, pid, commonPid);
            int tail = fixedSize;
            for (FieldFormat f : format.fields) {
                if (!values.containsKey(f.name) || f.isCommon()) continue;
                Object v = values.get(f.name);
                if (f.isDynamic()) {
                    byte[] data = bytes(f, v);
                    if (tail > 0xffff || data.length > 0xffff) throw new IllegalArgumentException("dynamic field " + f.name + " too large");
                    System.arraycopy(data, 0, out, tail, data.length);
                    int off = f.isRelative() ? tail - (f.offset + f.size) : tail;
                    if (f.size == 2) b.putShort(f.offset, (short) off);
                    else b.putInt(f.offset, (data.length << 16) | off);
                    tail += data.length;
                } else if (f.isArray() && f.size == 0) {
                    byte[] data = bytes(f, v);
                    if (f.offset != tail) throw new IllegalArgumentException("flexible array " + f.name + " must be the last field");
                    System.arraycopy(data, 0, out, tail, data.length);
                    tail += data.length;
                } else if (f.isArray()) {
                    putArray(b, f, v);
                } else {
                    if (!(v instanceof Number n)) throw new IllegalArgumentException("field " + f.name + " needs a number, got " + kind(v));
                    putScalar(b, f, n.longValue());
                }
            }
            return out;
        }

        private FieldFormat field(String name) {
            FieldFormat f = format.field(name);
            if (f == null) throw new IllegalArgumentException("event " + format.name + " has no field '" + name + "'");
            return f;
        }

        private static byte[] bytes(FieldFormat f, Object v) {
            if (v instanceof byte[] b) return b;
            if (v instanceof String s) {
                byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
                return Arrays.copyOf(raw, raw.length + 1);   // with its NUL, as __assign_str stores it
            }
            throw new IllegalArgumentException("field " + f.name + " needs a String or byte[], got " + kind(v));
        }

        private static void putArray(ByteBuffer b, FieldFormat f, Object v) {
            if (v instanceof long[] vals) {
                int n = f.arrayLength > 0 ? f.arrayLength : vals.length;
                int elem = f.size / Math.max(1, n);
                if (vals.length > n || elem * n != f.size || !(elem == 1 || elem == 2 || elem == 4 || elem == 8)) {
                    throw new IllegalArgumentException("field " + f.name + " holds " + n + " elements of " + elem + " bytes; got " + vals.length + " values");
                }
                for (int i = 0; i < vals.length; i++) put(b, f.offset + i * elem, elem, vals[i]);
                return;
            }
            byte[] data = bytes(f, v);
            if (v instanceof String && data.length > f.size) data = Arrays.copyOf(data, f.size);   // truncated like strncpy
            if (data.length > f.size) throw new IllegalArgumentException("field " + f.name + " holds " + f.size + " bytes, got " + data.length);
            b.put(f.offset, data);
        }

        private static void putScalar(ByteBuffer b, FieldFormat f, long v) {
            put(b, f.offset, f.size, v);
        }

        private static void put(ByteBuffer b, int at, int size, long v) {
            switch (size) {
                case 1 -> b.put(at, (byte) v);
                case 2 -> b.putShort(at, (short) v);
                case 4 -> b.putInt(at, (int) v);
                case 8 -> b.putLong(at, v);
                default -> throw new IllegalArgumentException("scalar of " + size + " bytes");
            }
        }

        private static String kind(Object v) {
            return v == null ? "null" : v.getClass().getSimpleName();
        }
    }
}

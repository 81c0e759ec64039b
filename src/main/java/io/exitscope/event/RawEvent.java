package io.exitscope.event;

import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * A flyweight over one binary event record inside a ring-buffer page. No field is decoded until
 * asked for; the same instance is re-pointed at the next record as the stream advances.
 */
public final class RawEvent implements Event {

    private final boolean bigEndian;
    private final String buffer;
    private final IntFunction<String> comms;
    private byte[] data;
    private int start;
    private int length;
    private long timestamp;
    private int cpu;
    private EventFormat format;

    public RawEvent(boolean bigEndian, String buffer, IntFunction<String> comms) {
        this.bigEndian = bigEndian;
        this.buffer = buffer;
        this.comms = comms;
    }

    /** Points this flyweight at a record. */
    public void set(byte[] data, int start, int length, long timestamp, int cpu, EventFormat format) {
        this.data = data;
        this.start = start;
        this.length = length;
        this.timestamp = timestamp;
        this.cpu = cpu;
        this.format = format;
    }

    /** Changes the timestamp of the record it points at (to the converted one: TSC2NSEC, offsets). */
    public void retime(long timestamp) {
        this.timestamp = timestamp;
    }

    @Override public Kind kind() { return Kind.EVENT; }
    @Override public long timestamp() { return timestamp; }
    @Override public int cpu() { return cpu; }
    @Override public String buffer() { return buffer; }
    @Override public long lostCount() { return 0; }
    @Override public EventFormat format() { return format; }

    /** Offset of the record's payload in {@link #data()}. */
    public int start() { return start; }
    public int length() { return length; }
    public byte[] data() { return data; }

    @Override
    public int pid() {
        return int32(start + 4);
    }

    @Override
    public String comm() {
        return comms.apply(pid());
    }

    @Override
    public boolean has(FieldFormat f) {
        // robustness: long arithmetic; offset + size from a damaged format overflowed int and
        // passed the check, then the read went outside the record (ArrayIndexOutOfBoundsException)
        return (long) f.offset + f.size <= length || (f.isArray() && f.size == 0 && f.offset <= length);
    }

    public int uint16(int at) {
        return io.exitscope.util.Bytes.u16(data, at, bigEndian);
    }

    public int int32(int at) {
        return io.exitscope.util.Bytes.i32(data, at, bigEndian);
    }

    public long int64(int at) {
        return io.exitscope.util.Bytes.i64(data, at, bigEndian);
    }

    /** Unsigned bits of a scalar field, as stored (no sign extension). */
    public long rawBits(FieldFormat f) {
        if (!has(f)) return 0;
        int at = start + f.offset;
        return switch (f.size) {
            case 1 -> data[at] & 0xffL;
            case 2 -> uint16(at);
            case 4 -> int32(at) & 0xffffffffL;
            case 8 -> int64(at);
            default -> 0;
        };
    }

    @Override
    public long getLong(FieldFormat f) {
        if (!has(f)) return 0;
        int at = start + f.offset;
        boolean s = f.isSigned();
        return switch (f.size) {
            case 1 -> s ? data[at] : data[at] & 0xffL;
            case 2 -> s ? (short) uint16(at) : uint16(at);
            case 4 -> s ? int32(at) : int32(at) & 0xffffffffL;
            case 8 -> int64(at);
            default -> 0;
        };
    }

    /** Offset (absolute, in {@link #data()}) and length of an array field's bytes, packed as (offset << 32 | length). */
    public long arrayLocation(FieldFormat f) {
        int off, len;
        if (f.isDynamic()) {
            if (f.size == 2) {
                off = uint16(start + f.offset);
                len = length - off;
            } else {
                int v = int32(start + f.offset);
                off = v & 0xffff;
                len = v >>> 16;
                if (f.isRelative()) off += f.offset + f.size;
            }
        } else {
            off = f.offset;
            len = f.size == 0 ? length - f.offset : f.size;
        }
        if (off < 0 || off > length) { off = length; len = 0; }
        // robustness: long arithmetic; a huge fixed array size overflowed off + len and was kept
        if (len < 0 || (long) off + len > length) len = Math.max(0, length - off);
        return ((long) (start + off) << 32) | (len & 0xffffffffL);
    }

    @Override
    public String getString(FieldFormat f) {
        if (!f.isArray()) return Long.toString(getLong(f));
        long loc = arrayLocation(f);
        return cString(data, (int) (loc >>> 32), (int) loc);
    }

    @Override
    public byte[] getBytes(FieldFormat f) {
        long loc = arrayLocation(f);
        int off = (int) (loc >>> 32), len = (int) loc;
        byte[] out = new byte[len];
        System.arraycopy(data, off, out, 0, len);
        return out;
    }

    /** The bytes up to the first NUL, as Latin-1 (kernel strings are bytes). */
    public static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.ISO_8859_1);
    }

    @Override
    public Event copy() {
        return SimpleEvent.of(this);
    }
}

package io.exitscope.event;

import java.util.Arrays;

/**
 * An immutable event holding decoded values, indexed by {@link FieldFormat#index}.
 * Used for copies of flyweights, text events and synthetic events.
 */
public final class SimpleEvent implements Event {
    private final Kind kind;
    private final long timestamp;
    private final int cpu;
    private final int pid;
    private final String comm;
    private final String buffer;
    private final long lost;
    private final EventFormat format;
    private final long[] longs;
    private final Object[] objects; // String or byte[] per field, null when absent/numeric
    private final boolean[] present;

    public SimpleEvent(Kind kind, long timestamp, int cpu, int pid, String comm, String buffer, long lost,
                       EventFormat format, long[] longs, Object[] objects, boolean[] present) {
        this.kind = kind;
        this.timestamp = timestamp;
        this.cpu = cpu;
        this.pid = pid;
        this.comm = comm;
        this.buffer = buffer;
        this.lost = lost;
        this.format = format;
        this.longs = longs;
        this.objects = objects;
        this.present = present;
    }

    public static SimpleEvent lost(long timestamp, int cpu, String buffer, long count) {
        return new SimpleEvent(Kind.LOST, timestamp, cpu, -1, "<...>", buffer, count, null,
                new long[0], new Object[0], new boolean[0]);
    }

    /** Copies any event into an immutable one. */
    public static SimpleEvent of(Event e) {
        if (e instanceof SimpleEvent s) return s;
        EventFormat f = e.format();
        int n = f == null ? 0 : f.fields.size();
        long[] longs = new long[n];
        Object[] objs = new Object[n];
        boolean[] present = new boolean[n];
        for (int i = 0; i < n; i++) {
            FieldFormat ff = f.fields.get(i);
            if (!e.has(ff)) continue;
            present[i] = true;
            if (ff.isArray()) {
                objs[i] = ff.isString() ? (Object) new StringAndBytes(e.getString(ff), e.getBytes(ff)) : e.getBytes(ff);
            } else {
                longs[i] = e.getLong(ff);
            }
        }
        return new SimpleEvent(e.kind(), e.timestamp(), e.cpu(), e.pid(), e.comm(), e.buffer(), e.lostCount(), f,
                longs, objs, present);
    }

    private record StringAndBytes(String s, byte[] b) {}

    @Override public Kind kind() { return kind; }
    @Override public long timestamp() { return timestamp; }
    @Override public int cpu() { return cpu; }
    @Override public int pid() { return pid; }
    @Override public String comm() { return comm; }
    @Override public String buffer() { return buffer; }
    @Override public long lostCount() { return lost; }
    @Override public EventFormat format() { return format; }

    @Override
    public boolean has(FieldFormat f) {
        return f.index < present.length && present[f.index] && format != null && format.fields.get(f.index) == f;
    }

    @Override
    public long getLong(FieldFormat f) {
        return has(f) ? longs[f.index] : 0;
    }

    @Override
    public String getString(FieldFormat f) {
        if (!has(f)) return null;
        Object o = objects[f.index];
        if (o instanceof StringAndBytes sb) return sb.s;
        if (o instanceof String s) return s;
        if (o instanceof byte[] b) return RawEvent.cString(b, 0, b.length);
        return Long.toString(longs[f.index]);
    }

    @Override
    public byte[] getBytes(FieldFormat f) {
        if (!has(f)) return new byte[0];
        Object o = objects[f.index];
        if (o instanceof StringAndBytes sb) return sb.b.clone();
        if (o instanceof byte[] b) return b.clone();
        if (o instanceof String s) return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return new byte[0];
    }

    @Override public Event copy() { return this; }

    @Override
    public String toString() {
        return kind == Kind.LOST ? "LOST(cpu " + cpu + ", " + lost + ")"
                : timestamp + " [" + cpu + "] " + pid + " " + (format == null ? "?" : format.name) + Arrays.toString(longs);
    }
}

package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.SimpleEvent;

import java.util.Arrays;

/**
 * The field values of the line being parsed, collected by name and turned into an immutable
 * {@link SimpleEvent}. One instance is reused for every line of a stream.
 *
 * <p>Numbers keep their source text too ({@link io.exitscope.event.Event#getString} returns it),
 * so {@code 0x500} stays {@code 0x500} while {@code getLong} gives 1280.
 */
final class FieldValues {
    private EventType type;
    private long[] longs = new long[16];
    private Object[] objects = new Object[16];
    private boolean[] present = new boolean[16];
    private int used; // slots [0, used) may hold values of the current line

    void begin(EventType t) {
        Arrays.fill(present, 0, used, false);
        Arrays.fill(objects, 0, used, null);
        type = t;
        used = 0;
    }

    EventType type() {
        return type;
    }

    /** A number; {@code text} is how the line wrote it (null when the value was implied by a word). */
    void num(String field, int kind, long value, String text) {
        int i = slot(type.field(field, kind));
        longs[i] = value;
        objects[i] = text;
    }

    void str(String field, String value) {
        int i = slot(type.field(field, EventType.STR));
        longs[i] = 0;
        objects[i] = value;
    }

    void bytes(String field, byte[] value) {
        int i = slot(type.field(field, EventType.BYTES));
        longs[i] = 0;
        objects[i] = value;
    }

    boolean has(String field) {
        FieldFormat f = type.find(field);
        return f != null && f.index < used && present[f.index];
    }

    long get(String field) {
        FieldFormat f = type.find(field);
        return f != null && f.index < used && present[f.index] ? longs[f.index] : 0;
    }

    private int slot(FieldFormat f) {
        int i = f.index;
        if (i >= longs.length) {
            int n = Math.max(i + 1, longs.length * 2);
            longs = Arrays.copyOf(longs, n);
            objects = Arrays.copyOf(objects, n);
            present = Arrays.copyOf(present, n);
        }
        present[i] = true;
        if (i >= used) used = i + 1;
        return i;
    }

    SimpleEvent build(long timestamp, int cpu, int pid, String comm, String buffer) {
        int n = type.format().fields.size();
        return new SimpleEvent(Event.Kind.EVENT, timestamp, cpu, pid, comm, buffer, 0, type.format(),
                Arrays.copyOf(longs, n), Arrays.copyOf(objects, n), Arrays.copyOf(present, n));
    }
}

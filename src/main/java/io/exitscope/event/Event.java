package io.exitscope.event;

/**
 * One record of a trace: a tracepoint hit, or a marker that events were lost on a CPU.
 *
 * <p>Sources hand out {@code Event}s that may be flyweights over their buffers: valid until the
 * stream advances. Call {@link #copy()} to keep one.
 */
public interface Event {

    enum Kind { EVENT, LOST }

    Kind kind();

    /** Nanoseconds (after the file's clock conversion), or raw counter ticks for counter clocks. */
    long timestamp();

    int cpu();

    /** {@code common_pid}: the thread id that hit the tracepoint. */
    int pid();

    /** Command name of {@link #pid()}, {@code "<...>"} when unknown. */
    String comm();

    /** Instance (buffer) name; empty for the top-level buffer. */
    String buffer();

    /** For {@link Kind#LOST}: events lost on this CPU just before this point, -1 if unknown. */
    long lostCount();

    /** The event's format; null for {@link Kind#LOST}. */
    EventFormat format();

    default String name() {
        EventFormat f = format();
        return f == null ? "" : f.name;
    }

    /** Whether this event carries a value for {@code f} (text events may not). */
    boolean has(FieldFormat f);

    /** Integer value of a scalar field, sign-extended when the field is signed. */
    long getLong(FieldFormat f);

    /** The field as a string: C string for char arrays and dynamic strings. */
    String getString(FieldFormat f);

    /** Raw bytes of an array field. */
    byte[] getBytes(FieldFormat f);

    /** An immutable copy, detached from any buffer. */
    Event copy();

    /** Convenience lookup by name; prefer cached {@link FieldFormat}s on hot paths. */
    default long getLong(String field, long otherwise) {
        EventFormat fmt = format();
        FieldFormat f = fmt == null ? null : fmt.field(field);
        return f != null && has(f) ? getLong(f) : otherwise;
    }

    default String getString(String field) {
        EventFormat fmt = format();
        FieldFormat f = fmt == null ? null : fmt.field(field);
        return f != null && has(f) ? getString(f) : null;
    }
}

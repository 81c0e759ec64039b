package io.exitscope.event;

import java.io.Closeable;
import java.io.IOException;

/**
 * A pull stream of events in timestamp order. The event returned by {@link #current()} is valid
 * until the next call to {@link #advance()}.
 */
public interface EventStream extends Closeable {
    /** Moves to the next record; false at the end of the stream. */
    boolean advance() throws IOException;

    Event current();

    /** Where the stream stands, for progress lines: bytes consumed of {@link #totalBytes()}. */
    default long position() { return -1; }

    default long totalBytes() { return -1; }

    /** Lines of a text trace that were cut short and could not be read as an event (none in binary formats). */
    default long damagedLines() { return 0; }

    /** The 1-based line number of the first of {@link #damagedLines()}, -1 if none. */
    default long firstDamagedLine() { return -1; }

    @Override
    void close() throws IOException;
}

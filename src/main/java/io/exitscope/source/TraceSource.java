package io.exitscope.source;

import io.exitscope.event.EventStream;
import io.exitscope.source.tracedat.Kallsyms;

import java.io.Closeable;
import java.io.IOException;

/** Something that yields a trace's events: a trace.dat or perf.data file, a text trace, a live tracefs instance. */
public interface TraceSource extends Closeable {
    TraceInfo info();

    /** A new stream over the events from the start (files) or from now (live). */
    EventStream events() throws IOException;

    /** The kernel symbols the trace carries (trace.dat, perf.data tracing data), summarized; null if none. */
    default Kallsyms kallsyms() throws IOException {
        return null;
    }
}

package io.exitscope.source.tracedat;

import io.exitscope.event.EventStream;
import io.exitscope.source.KvmBuild;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;

import java.io.IOException;
import java.nio.file.Path;

/** A trace.dat file as a {@link TraceSource}. */
public final class TraceDatSource implements TraceSource {
    private final TraceDatReader reader;
    private final TraceInfo info;

    private final int decodeThreads;

    public TraceDatSource(Path path) throws IOException {
        this(path, 1);
    }

    /** @param decodeThreads see {@link TraceDatReader#events(int)} */
    public TraceDatSource(Path path, int decodeThreads) throws IOException {
        this.reader = TraceDatReader.open(path);
        this.info = reader.info();
        this.decodeThreads = decodeThreads;
    }

    public TraceDatReader reader() {
        return reader;
    }

    @Override
    public TraceInfo info() {
        return info;
    }

    @Override
    public EventStream events() {
        return reader.events(decodeThreads);
    }

    @Override
    public KvmBuild kvmBuild() throws IOException {
        return Kallsyms.kvmBuildOf(reader.kallsyms());
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

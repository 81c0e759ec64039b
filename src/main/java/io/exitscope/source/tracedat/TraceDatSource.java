package io.exitscope.source.tracedat;

import io.exitscope.event.EventStream;
import io.exitscope.source.KvmBuild;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.UserspaceExitEvidence;

import java.io.IOException;
import java.nio.file.Path;

/** A trace.dat file as a {@link TraceSource}. */
public final class TraceDatSource implements TraceSource {
    private final TraceDatReader reader;
    private final TraceInfo info;

    private final int decodeThreads;
    private Boolean recordsUserspaceExits;

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

    /**
     * No format, not recorded; files exitscope wrote hold the format only where they recorded the
     * event; in other files (trace-cmd may save every format) the event must occur
     * ({@link UserspaceExitEvidence}). Read once.
     */
    @Override
    public boolean recordsUserspaceExits() throws IOException {
        if (recordsUserspaceExits == null) {
            if (reader.formats().byName("kvm:" + UserspaceExitEvidence.EVENT) == null) recordsUserspaceExits = false;
            else if (reader.tracerVersion != null && reader.tracerVersion.startsWith("exitscope")) recordsUserspaceExits = true;
            else recordsUserspaceExits = UserspaceExitEvidence.occursIn(this);
        }
        return recordsUserspaceExits;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

package io.exitscope.source.perfdata;

import io.exitscope.event.EventStream;
import io.exitscope.source.KvmBuild;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.tracedat.Kallsyms;

import java.io.IOException;
import java.nio.file.Path;

/** A perf.data file as a {@link TraceSource}. */
public final class PerfDataSource implements TraceSource {
    private final PerfDataReader reader;
    private final TraceInfo info;

    public PerfDataSource(Path path) throws IOException {
        this.reader = PerfDataReader.open(path);
        this.info = reader.info();
    }

    public PerfDataReader reader() {
        return reader;
    }

    @Override
    public TraceInfo info() {
        return info;
    }

    @Override
    public EventStream events() {
        return reader.events();
    }

    /** perf writes an empty kallsyms into its tracing data (see {@link PerfDataReader#kallsyms()}): usually unknown. */
    @Override
    public KvmBuild kvmBuild() throws IOException {
        return Kallsyms.kvmBuildOf(reader.kallsyms());
    }

    /** perf's tracing data holds the formats of the events it recorded, and only those ({@link io.exitscope.source.UserspaceExitEvidence}). */
    @Override
    public boolean recordsUserspaceExits() {
        return reader.formats().byName("kvm:" + io.exitscope.source.UserspaceExitEvidence.EVENT) != null;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

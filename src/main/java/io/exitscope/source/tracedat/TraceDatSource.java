package io.exitscope.source.tracedat;

import io.exitscope.event.EventStream;
import io.exitscope.source.KvmBuild;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.source.UserspaceExitEvidence;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
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

    /** The kallsyms scan started by {@link #prepareKvmBuild()}, or null. */
    private FutureTask<KvmBuild> kvmBuild;

    /**
     * Scans kallsyms on a thread of its own while the caller reads the events: megabytes of text
     * (5.4 MB, 122 133 symbols in the bundled trace) that one loop walks before the JIT has
     * compiled it took 30 ms of a fresh JVM's main thread, 10 % of it for `report` of the bundled
     * trace; the loop's shape changed nothing (measured: a cold loop is a cold loop).
     */
    @Override
    public synchronized void prepareKvmBuild() {
        if (kvmBuild != null) return;
        kvmBuild = new FutureTask<>(() -> Kallsyms.kvmBuildOf(reader.kallsyms()));
        Thread t = new Thread(kvmBuild, "exitscope-kallsyms");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public KvmBuild kvmBuild() throws IOException {
        FutureTask<KvmBuild> f;
        synchronized (this) {
            f = kvmBuild;
        }
        if (f == null) return Kallsyms.kvmBuildOf(reader.kallsyms());
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading kallsyms");
        } catch (ExecutionException e) {
            // the scan's own exception, as the caller's thread would have met it
            Throwable c = e.getCause();
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new IOException(c);
        }
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

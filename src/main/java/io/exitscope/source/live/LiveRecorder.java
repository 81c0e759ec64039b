package io.exitscope.source.live;

import io.exitscope.source.ringbuffer.PageCursor;
import io.exitscope.source.tracedat.Compression;
import io.exitscope.source.tracedat.TraceDatWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes what a {@link LiveSource} reads to a trace.dat that trace-cmd and KernelShark open: the raw
 * pages as they come (copied, never re-encoded), with the host's header page, the kvm and ftrace
 * event formats, kallsyms, printk formats, the clock, uname, and at the end the command names of
 * the threads seen and each CPU's statistics.
 */
public final class LiveRecorder implements AutoCloseable {
    private final LiveSource source;
    private final TraceDatWriter writer;
    private final Set<Integer> cpusSeen = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong eventsDropped = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.function.BiConsumer<Integer, byte[]> listener = this::page;

    private LiveRecorder(LiveSource source, TraceDatWriter writer) {
        this.source = source;
        this.writer = writer;
    }

    private void page(int cpu, byte[] page) {
        cpusSeen.add(cpu);
        if (!writer.addPage(0, cpu, page)) eventsDropped.addAndGet(events(page));
    }

    /** Events in a page as read (a page not written is counted as lost by its events). */
    private long events(byte[] page) {
        PageCursor c = new PageCursor(source.headerPage(), source.info().bigEndian());
        long n = 0;
        try {
            c.reset(page, 0, page.length);
            while (c.next()) n++;
        } catch (PageCursor.PageException e) {
            // count what was readable
        }
        return n;
    }

    /** Why pages could no longer be written (e.g. No space left on device), or null. */
    public IOException failure() {
        return writer.failure();
    }

    /** Events in the pages that were read but not written (after {@link #failure()}). */
    public long eventsDropped() {
        return eventsDropped.get();
    }

    /** Starts recording; call before {@link LiveSource#events()}. */
    public static LiveRecorder attach(LiveSource src, Path out, int fileVersion, Compression compression) throws IOException {
        TracefsInstance inst = src.instance();
        Path tracefs = inst.tracefs();
        TraceDatWriter.Builder b = TraceDatWriter.builder()
                .version(fileVersion)
                .compression(fileVersion == 6 ? Compression.NONE : compression)
                .bigEndian(src.info().bigEndian())
                .userLongSize(8)
                .pageSize(src.pageSize())
                .headerPage(TracefsFiles.read(tracefs.resolve("events/header_page")))
                .headerEvent(TracefsFiles.read(tracefs.resolve("events/header_event")))
                .traceClock(TracefsFiles.read(inst.dir().resolve("trace_clock")))
                .uname(uname())
                .tracerVersion("exitscope record")
                .cpuCount(src.cpus().size())
                .buffer("", inst.clock());
        formats(b, tracefs.resolve("events/ftrace"), null);
        formats(b, tracefs.resolve("events/kvm"), "kvm");
        java.util.Set<String> other = new java.util.TreeSet<>();
        for (String ev : inst.enabledEvents()) other.add(ev.substring(0, ev.indexOf('/')));
        other.remove("kvm");
        for (String sys : other) formats(b, tracefs.resolve("events").resolve(sys), sys);
        try {
            b.kallsyms(TracefsFiles.read(Path.of("/proc/kallsyms")));
        } catch (IOException ignored) {
            // without kallsyms, readers cannot tell KVM module from built in; the trace is still fine
        }
        Path printk = tracefs.resolve("printk_formats");
        if (Files.isReadable(printk)) b.printk(TracefsFiles.read(printk));
        TraceDatWriter w = b.open(out);
        LiveRecorder r = new LiveRecorder(src, w);
        src.addPageListener(r.listener);
        return r;
    }

    private static void formats(TraceDatWriter.Builder b, Path system, String name) throws IOException {
        if (!Files.isDirectory(system)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(system)) {
            for (Path ev : ds) {
                Path f = ev.resolve("format");
                if (!Files.isRegularFile(f)) continue;
                String text = TracefsFiles.read(f);
                if (name == null) b.ftraceFormat(text);
                else b.eventFormat(name, text);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String uname() {
        String sys = read("/proc/sys/kernel/ostype"), host = read("/proc/sys/kernel/hostname"), rel = read("/proc/sys/kernel/osrelease");
        return (sys.isEmpty() ? "Linux" : sys) + " " + host + " " + rel + " " + System.getProperty("os.arch");
    }

    private static String read(String p) {
        try {
            return TracefsFiles.read(Path.of(p)).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Record the command name of a thread (call for every thread the analysis saw). */
    public void comm(int pid, String comm) {
        writer.addCmdline(pid, comm);
    }

    /**
     * Finishes the file: CPU statistics, then the file is assembled and renamed into place, also
     * after {@link #failure()} (then with the pages written until it).
     */
    @Override
    public void close() throws IOException {
        source.removePageListener(listener);
        for (int cpu : source.cpus()) {
            String stats = source.instance().cpuStats(cpu);
            if (!stats.isEmpty()) writer.addCpuStat("CPU: " + cpu + "\n" + stats);
        }
        writer.close();
    }

    /** Drops the recording (e.g. on an error before anything useful was written). */
    public void abort() {
        source.removePageListener(listener);
        writer.abort();
    }

}

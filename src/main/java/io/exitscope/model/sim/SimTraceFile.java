package io.exitscope.model.sim;

import io.exitscope.event.EventFormat;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;
import io.exitscope.source.ringbuffer.PageBuilder;
import io.exitscope.source.tracedat.Compression;
import io.exitscope.source.tracedat.TraceDatWriter;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A simulated s390 trace being written: trace.dat v7 (zstd unless told otherwise), big endian,
 * 64-bit, 4 KiB pages with the 8-byte-commit header page of a 64-bit kernel, s390 KVM formats,
 * an s390 UNAME, and the exitscope SYNTHETIC option; every marker says "simulated". Events of
 * one CPU must come in time order; CPUs are independent.
 */
final class SimTraceFile implements Closeable {
    static final int PAGE_SIZE = 4096;

    private final TraceDatWriter writer;
    private final HeaderPage header;
    private final Map<Integer, PageBuilder> pages = new HashMap<>();
    private final Map<String, PageBuilder.EventEncoder> encoders = new HashMap<>();
    private final Map<Integer, Long> lastTs = new HashMap<>();
    private long events;

    SimTraceFile(Path out, Metadata meta) throws IOException {
        String headerPage = PageBuilder.headerPageText(8, PAGE_SIZE);
        this.header = FormatParser.parseHeaderPage(headerPage);
        TraceDatWriter.Builder b = TraceDatWriter.builder()
                .version(meta.fileVersion())
                .compression(meta.compression())
                .bigEndian(true)
                .userLongSize(8)
                .pageSize(PAGE_SIZE)
                .headerPage(headerPage)
                .uname(meta.uname())
                .tracerVersion(meta.tracerVersion())
                .synthetic(meta.description())
                .traceClock("[local] global counter uptime perf mono mono_raw boot tai")
                .cpuCount(meta.cpus())
                .kallsyms(meta.kallsyms())
                .buffer("", "local");
        for (String t : S390Formats.texts()) b.eventFormat(S390Formats.SYSTEM, t);
        for (Map.Entry<Integer, String> c : meta.comms().entrySet()) b.cmdline(c.getKey(), c.getValue());
        this.writer = b.open(out);
        for (Map.Entry<String, EventFormat> e : S390Formats.parsed().entrySet()) {
            encoders.put(e.getKey(), new PageBuilder.EventEncoder(e.getValue(), true));
        }
    }

    /** What the file says about itself. */
    record Metadata(int fileVersion, Compression compression, String uname, String tracerVersion, String description, int cpus,
                    String kallsyms, Map<Integer, String> comms) {}

    /** Writes one event. */
    void event(int cpu, long ts, int pid, String name, Map<String, ?> fields) throws IOException {
        Long last = lastTs.get(cpu);
        if (last != null && ts < last) throw new IllegalStateException("CPU " + cpu + ": event " + name + " at " + ts + " before " + last);
        lastTs.put(cpu, ts);
        byte[] payload = encoders.get(name).encode(0, 0, pid, fields);
        PageBuilder pb = pages.computeIfAbsent(cpu, c -> new PageBuilder(header, true, PAGE_SIZE));
        if (!pb.add(ts, payload, 0, payload.length)) {
            writer.addPage(0, cpu, pb.finishPage());
            if (!pb.add(ts, payload, 0, payload.length)) throw new IllegalStateException("event does not fit an empty page");
        }
        events++;
    }

    long events() {
        return events;
    }

    @Override
    public void close() throws IOException {
        for (Map.Entry<Integer, PageBuilder> e : new java.util.TreeMap<>(pages).entrySet()) {
            if (!e.getValue().isEmpty()) writer.addPage(0, e.getKey(), e.getValue().finishPage());
        }
        writer.close();
    }

    void abort() {
        writer.abort();
    }
}

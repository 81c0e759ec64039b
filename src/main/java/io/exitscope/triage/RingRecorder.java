package io.exitscope.triage;

import io.exitscope.source.live.LiveSource;
import io.exitscope.source.live.TracefsInstance;
import io.exitscope.source.tracedat.Compression;
import io.exitscope.source.tracedat.TraceDatWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes the pages of a {@link PageRing} as a trace.dat that trace-cmd reads. */
public final class RingRecorder {
    private RingRecorder() {}

    /** What a trace.dat needs besides the pages; read from the live instance once, at start. */
    public record Meta(int pageSize, String headerPage, String headerEvent, List<String[]> eventFormats, String clock,
                       String traceClockText, int cpuCount, String cmdlines, String uname) {

        public static Meta of(LiveSource src) throws IOException {
            TracefsInstance inst = src.instance();
            Path events = inst.tracefs().resolve("events");
            String headerPage = read(events.resolve("header_page"));
            String headerEvent = readOr(events.resolve("header_event"), null);
            List<String[]> formats = new ArrayList<>();
            for (String ev : inst.enabledEvents()) {
                String sys = ev.substring(0, ev.indexOf('/'));
                formats.add(new String[]{sys, read(inst.dir().resolve("events").resolve(ev).resolve("format"))});
            }
            String traceClock = readOr(inst.dir().resolve("trace_clock"), "[" + inst.clock() + "]").strip();
            int cpus = 0;
            for (int c : src.cpus()) cpus = Math.max(cpus, c + 1);
            return new Meta(src.pageSize(), headerPage, headerEvent, formats, inst.clock(), traceClock, cpus, null,
                    readOr(Path.of("/proc/version"), null));
        }

        private static String readOr(Path p, String dflt) {
            try {
                return read(p);
            } catch (IOException e) {
                return dflt;
            }
        }

        /** tracefs files report size 0: read to the end, bytes as Latin-1. */
        static String read(Path p) throws IOException {
            try (java.io.InputStream in = Files.newInputStream(p)) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
        }
    }

    /**
     * Writes {@code pages} to {@code out} (v7, zstd).
     *
     * @param cmdlines "pid comm" lines for the threads in the pages, may be null
     * @return the number of pages written
     */
    public static int write(Meta m, List<PageRing.Page> pages, Path out, String cmdlines) throws IOException {
        TraceDatWriter.Builder b = TraceDatWriter.builder().version(7).compression(Compression.ZSTD).pageSize(m.pageSize())
                .headerPage(m.headerPage()).buffer("", m.clock()).traceClock(m.traceClockText()).cpuCount(m.cpuCount());
        if (m.headerEvent() != null) b.headerEvent(m.headerEvent());
        for (String[] f : m.eventFormats()) b.eventFormat(f[0], f[1]);
        if (m.uname() != null) b.uname(m.uname().strip());
        if (cmdlines != null) b.cmdlines(cmdlines);
        TraceDatWriter w = b.open(out);
        try {
            for (PageRing.Page p : pages) {
                int len = Math.min(p.data().length, m.pageSize());
                w.addPage(0, p.cpu(), p.data(), 0, len);
            }
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        w.close();
        if (w.failure() != null) {
            // the file holds the pages written before the failure
            throw new IOException(out + " holds " + (pages.size() - w.pagesDropped()) + " of " + pages.size() + " pages: "
                    + w.failure().getMessage(), w.failure());
        }
        return pages.size();
    }
}

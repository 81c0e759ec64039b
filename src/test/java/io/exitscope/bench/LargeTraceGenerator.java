package io.exitscope.bench;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.event.RawEvent;
import io.exitscope.source.ringbuffer.PageBuilder;
import io.exitscope.source.tracedat.Compression;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.source.tracedat.TraceDatWriter;
import io.exitscope.testutil.TraceDatLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a large benchmark trace.dat from a real recording when no KVM guest can be run to record
 * one (bench/make-large-trace.sh): the recording's events, payload bytes unchanged, repeated
 * {@code N} times one after the other (each repetition shifted by the recording's span plus 1 µs),
 * re-encoded into ring-buffer pages per CPU and written with the recording's metadata (formats,
 * kallsyms, cmdlines, clock, uname) as trace.dat v7 (zstd unless told otherwise). The event mix, field values, sizes and
 * per-CPU layout are the real ones, so decode cost per event is that of a real trace; trace-cmd
 * reads the result.
 *
 * <p>Usage: {@code LargeTraceGenerator IN.dat OUT.dat REPETITIONS [zstd|zlib|none]}. Single-buffer
 * little-endian recordings only.
 */
public final class LargeTraceGenerator {

    private record Ev(long ts, int cpu, byte[] payload) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3 || args.length > 4 || (args.length == 4 && Compression.byName(args[3]) == null)) {
            System.err.println("usage: LargeTraceGenerator IN.dat OUT.dat REPETITIONS [zstd|zlib|none]");
            System.exit(64);
        }
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        int reps = Integer.parseInt(args[2]);
        Compression compression = args.length == 4 ? Compression.byName(args[3]) : Compression.ZSTD;

        List<Ev> events = new ArrayList<>();
        String buffer = null;
        io.exitscope.event.HeaderPage header;
        try (TraceDatReader r = TraceDatReader.open(in); EventStream s = r.events()) {
            // TraceDatLayout, which copies the metadata, reads little-endian files only
            if (r.bigEndian()) throw new IOException(in + ": big-endian recordings are not supported");
            header = r.headerPage();
            while (s.advance()) {
                Event e = s.current();
                if (e.kind() != Event.Kind.EVENT || !(e instanceof RawEvent raw)) {
                    throw new IOException(in + ": only complete recordings of raw events can be repeated (found " + e.kind() + ")");
                }
                if (buffer == null) buffer = e.buffer();
                else if (!buffer.equals(e.buffer())) throw new IOException(in + ": more than one buffer");
                byte[] p = new byte[raw.length()];
                System.arraycopy(raw.data(), raw.start(), p, 0, p.length);
                events.add(new Ev(e.timestamp(), e.cpu(), p));
            }
        }
        if (events.isEmpty()) throw new IOException(in + ": no events");
        long first = events.get(0).ts, span = events.get(events.size() - 1).ts - first + 1_000;

        TraceDatLayout l = TraceDatLayout.parse(Files.readAllBytes(in));
        // CPUSTAT, DATE and the like describe the original, not the copy: left out
        TraceDatWriter.Builder b = l.writerBuilder(7, compression, false);
        b.buffer(buffer, l.buffers.size() == 1 && l.buffers.get(0).clock != null ? l.buffers.get(0).clock : l.selectedClock());

        long written = 0;
        try (TraceDatWriter w = b.open(out)) {
            Map<Integer, PageBuilder> pages = new HashMap<>();
            for (int rep = 0; rep < reps; rep++) {
                long shift = rep * span;
                for (Ev e : events) {
                    PageBuilder pb = pages.computeIfAbsent(e.cpu, c -> new PageBuilder(header, false, l.pageSize));
                    while (!pb.add(e.ts + shift, e.payload, 0, e.payload.length)) w.addPage(0, e.cpu, pb.finishPage());
                    written++;
                }
            }
            for (Map.Entry<Integer, PageBuilder> p : pages.entrySet()) {
                if (!p.getValue().isEmpty()) w.addPage(0, p.getKey(), p.getValue().finishPage());
            }
        }
        System.out.printf("%s: %d events (%d x %d from %s), %d bytes%n", out, written, reps, events.size(), in, Files.size(out));
    }

    private LargeTraceGenerator() {}
}

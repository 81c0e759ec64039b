package io.exitscope.source.live;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import io.exitscope.source.ringbuffer.PageBuilder;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.stats.GroupBy;
import io.exitscope.view.report.JsonReport;
import io.exitscope.view.report.ReportData;
import io.exitscope.view.report.ReportOptions;

import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live path costs in CPU from a cold start, without a KVM guest: recorded ring-buffer
 * pages go through {@link LiveSource}'s readers (blocking reads of one sub-buffer from a
 * {@code trace_pipe_raw}, here a FIFO), its merge, {@link LiveAnalysis} and a JSON interval report
 * per second, as {@code exitscope live --batch --format json} does, at a paced event rate. Not a
 * test and not a live mode: a benchmark harness (bench/live-overhead.sh --harness).
 *
 * <pre>
 * prepare TRACE.dat TRACEFS_FORMATS_DIR OUT_DIR
 *     keeps the events `exitscope live` enables (TracefsInstance.KVM_EVENTS), re-pages them per
 *     CPU as the kernel writes sub-buffers, and copies the kernel's format files of those events
 *     (their ids must be the trace's); run it in another JVM than `run`, which must start cold
 * run OUT_DIR EVENTS_PER_SECOND SECONDS
 *     a fresh JVM: the pages, repeated as needed, written into per-CPU FIFOs at the rate by a
 *     pacer thread; prints events, lost, and CPU seconds: whole process from JVM start without
 *     the pacer, compiler threads, per million events
 * </pre>
 */
public final class LiveCostHarness {
    private LiveCostHarness() {}

    public static void main(String[] args) throws Exception {
        if ((args.length == 4 || args.length == 5) && args[0].equals("prepare")) {
            prepare(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), args.length == 5 ? Integer.parseInt(args[4]) * 1024 : 0);
        }
        else if (args.length == 4 && args[0].equals("run")) run(Path.of(args[1]), Long.parseLong(args[2]), Double.parseDouble(args[3]));
        else {
            System.err.println("usage: LiveCostHarness prepare TRACE.dat TRACEFS_FORMATS_DIR OUT_DIR [SUBBUF_KB] | run OUT_DIR EVENTS_PER_SECOND SECONDS");
            System.exit(64);
        }
    }

    // ------------------------------------------------------------------ prepare

    /** Pages of {@code subBufferBytes} (0: the header page's size, as a kernel before 6.8 writes them). */
    static void prepare(Path trace, Path formatsDir, Path out, int subBufferBytes) throws IOException {
        String headerText = Files.readString(formatsDir.resolve("header_page"));
        HeaderPage header = FormatParser.parseHeaderPage(headerText);
        int subBuffer = subBufferBytes > 0 ? subBufferBytes : header.subBufferSize();
        if (subBuffer != header.subBufferSize()) {
            // an instance's header_page describes its own sub-buffers (Linux 6.8+)
            headerText = PageBuilder.headerPageText(header.kernelLongSize(), subBuffer);
            header = FormatParser.parseHeaderPage(headerText);
        }
        HeaderPage layout = header;
        Map<Integer, PageBuilder> builders = new TreeMap<>();
        Map<Integer, DataOutputStream> files = new TreeMap<>();
        Map<String, Long> kept = new TreeMap<>();
        Map<Integer, int[]> counts = new TreeMap<>();
        Files.createDirectories(out.resolve("pages"));
        List<String> enabled = new ArrayList<>();
        try (TraceDatReader r = TraceDatReader.open(trace); EventStream s = r.events()) {
            if (r.bigEndian() != (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN)) throw new IOException(trace + ": not this machine's byte order");
            for (String ev : TracefsInstance.KVM_EVENTS) {
                String name = ev.substring(ev.indexOf('/') + 1);
                EventFormat f = r.formats().byName(name);
                Path kernel = formatsDir.resolve("kvm").resolve(name + ".format");
                if (f == null || !Files.exists(kernel)) continue;
                EventFormat k = FormatParser.parseEvent("kvm", Files.readString(kernel));
                if (k.id != f.id) throw new IOException(name + ": id " + f.id + " in " + trace + ", " + k.id + " in " + kernel);
                Path dir = out.resolve("events").resolve(ev);
                Files.createDirectories(dir);
                Files.copy(kernel, dir.resolve("format"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                enabled.add(ev);
            }
            Files.writeString(out.resolve("events").resolve("header_page"), headerText);
            Files.write(out.resolve("enabled"), enabled);
            Files.writeString(out.resolve("subbuf_size"), Integer.toString(subBuffer));
            while (s.advance()) {
                Event e = s.current();
                if (!(e instanceof RawEvent raw) || !enabled.contains("kvm/" + e.name())) continue;
                kept.merge(e.name(), 1L, Long::sum);
                int cpu = e.cpu();
                PageBuilder pb = builders.computeIfAbsent(cpu, c -> new PageBuilder(layout, r.bigEndian(), subBuffer));
                DataOutputStream o = files.computeIfAbsent(cpu, c -> open(out.resolve("pages").resolve("cpu" + c)));
                int[] n = counts.computeIfAbsent(cpu, c -> new int[1]);
                while (!pb.add(e.timestamp(), raw.data(), raw.start(), raw.length())) {
                    writePage(o, pb, n[0]);
                    n[0] = 0;
                }
                n[0]++;
            }
            for (Map.Entry<Integer, PageBuilder> b : builders.entrySet()) {
                if (!b.getValue().isEmpty()) writePage(files.get(b.getKey()), b.getValue(), counts.get(b.getKey())[0]);
                files.get(b.getKey()).close();
            }
        }
        System.out.println(out + ": " + kept + " on CPUs " + builders.keySet() + ", sub-buffers of " + subBuffer + " bytes");
    }

    private static DataOutputStream open(Path p) {
        try {
            return new DataOutputStream(new java.io.BufferedOutputStream(new FileOutputStream(p.toFile())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Each page as: u32 number of events in it, then the sub-buffer. */
    private static void writePage(DataOutputStream o, PageBuilder pb, int events) throws IOException {
        o.writeInt(events);
        o.write(pb.finishPage());
    }

    // ------------------------------------------------------------------ run

    /** One CPU's recorded pages and the events in each. */
    record CpuPages(int cpu, List<byte[]> pages, int[] events, long firstTs, long lastTs) {}

    static void run(Path prepared, long rate, double seconds) throws Exception {
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        // the pages, read as bytes: nothing of exitscope's decoding runs before the measured path
        List<CpuPages> cpus = loadAll(prepared);
        long span = span(cpus);
        Path root = Files.createTempDirectory("exitscope-livecost");
        TracefsInstance instance = fifoInstance(prepared, cpus, root);
        Path inst = instance.dir();

        long total = (long) (rate * seconds);
        Pacer pacer = new Pacer(cpus, inst, rate, total, span);
        LiveSource src = new LiveSource(instance, LiveSource.DEFAULT_SLACK_NS);
        LiveAnalysis la = new LiveAnalysis(src.info(), AnalysisOptions.ALL, null, "harness", src.recordsUserspaceExits());
        ReportOptions ropt = new ReportOptions(GroupBy.parse("reason,class"), false, 0);
        pacer.start(); // opening a FIFO waits for the other end: the pacer opens the CPUs in the readers' order
        LiveSource.LiveStream s = src.events();
        long[] reports = {0};
        long[] ivStart = {System.nanoTime()};
        long start = ivStart[0];
        // the live loop of `live --batch`: an interval report per second; tracing stops once the pacer is done
        LivePump pump = new LivePump(src, 1_000_000_000L, Long.MAX_VALUE, 100_000_000L);
        pump.run(s, new LivePump.Handler() {
            @Override
            public void event(Event e) {
                la.accept(e);
            }

            @Override
            public void check(long now) {
                if (!pacer.isAlive()) pump.stopTracing();
            }

            @Override
            public void interval(long now) throws IOException {
                reports[0] += report(la, ropt, ivStart[0], now).length();
                ivStart[0] = now;
            }
        });
        la.finish();
        reports[0] += report(la, ropt, ivStart[0], System.nanoTime()).length();
        long events = pump.events();
        double wall = (System.nanoTime() - start) / 1e9;
        // CPU of the process from its start, the pacer's taken out (the kernel's work, not exitscope's)
        double process = ticks(Path.of("/proc/self/stat"));
        double jit = 0, pacerCpu = -1;
        try (var ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : ds) {
                String comm = Files.readString(t.resolve("comm")).strip();
                double c = ticks(t.resolve("stat"));
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) jit += c;
                if (comm.equals("harness-pacer")) pacerCpu = c;
                if (c > 0 && System.getProperty("harness.threads") != null) System.out.printf("  thread %-20s %.2f s%n", comm, c);
            }
        }
        if (pacerCpu < 0) pacerCpu = pacer.exitedCpu;
        double cpu = process - pacerCpu;
        long lost = la.cumulative().lostEvents();
        System.out.printf("events %d paced %d rate %d lost %d wall_s %.2f session_s %.2f report_bytes %d%n",
                la.cumulative().events(), pacer.written, rate, lost, wall, (System.currentTimeMillis() - jvmStart) / 1e3, reports[0]);
        System.out.printf("cpu_s %.3f  jit_s %.3f  pacer_s %.3f  cpu_s_per_M %.3f  nojit_s_per_M %.3f%n",
                cpu, jit, pacerCpu, cpu / events * 1e6, (cpu - jit) / events * 1e6);
        src.close();
        try (var w = Files.walk(root)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String report(LiveAnalysis la, ReportOptions ropt, long startWall, long endWall) throws IOException {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(sw)) {
            g.writeStartObject();
            Map<String, Long> extra = new java.util.LinkedHashMap<>();
            extra.put("interval_start_ns", startWall);
            extra.put("interval_end_ns", endWall);
            long endTs = la.lastTimestamp() == Long.MIN_VALUE ? endWall : Math.max(la.lastTimestamp(), endWall);
            JsonReport.writeBody(new ReportData(la.takeInterval(endTs), ropt), g, extra);
            g.writeObjectFieldStart("cumulative");
            JsonReport.writeBody(new ReportData(la.cumulative(), ropt), g, null);
            g.writeEndObject();
            g.writeEndObject();
        }
        return sw.toString();
    }

    /** The prepared CPUs' pages, by CPU. */
    static List<CpuPages> loadAll(Path prepared) throws IOException {
        List<CpuPages> cpus = new ArrayList<>();
        int pageSize = subBufferSize(prepared);
        try (var ds = Files.newDirectoryStream(prepared.resolve("pages"))) {
            for (Path p : ds) cpus.add(load(p, pageSize));
        }
        cpus.sort((a, b) -> Integer.compare(a.cpu, b.cpu));
        return cpus;
    }

    /** The sub-buffer size the prepared pages have, in bytes (written by {@link #prepare}). */
    static int subBufferSize(Path prepared) throws IOException {
        return Integer.parseInt(Files.readString(prepared.resolve("subbuf_size")).strip());
    }

    /** What the pacer adds to the timestamps of each repetition of the recording. */
    static long span(List<CpuPages> cpus) {
        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (CpuPages c : cpus) {
            first = Math.min(first, c.firstTs);
            last = Math.max(last, c.lastTs);
        }
        return last - first + 1_000;
    }

    /**
     * A directory under {@code root} laid out as tracefs has an instance, with the prepared events'
     * formats and a FIFO as each CPU's {@code trace_pipe_raw} (for a {@link Pacer} to write into).
     * A read returns one whole sub-buffer, as from tracefs, for sub-buffers up to the pipe's 64 KiB:
     * the pacer writes each in one {@code write}, which holds the pipe's lock while it copies and
     * wakes the reader only when done or when the pipe is full, i.e. holds whole sub-buffers only.
     */
    static TracefsInstance fifoInstance(Path prepared, List<CpuPages> cpus, Path root) throws IOException, InterruptedException {
        Path inst = root.resolve("instances").resolve(TracefsInstance.PREFIX + ProcessHandle.current().pid());
        Files.createDirectories(inst);
        Files.createSymbolicLink(root.resolve("events"), prepared.toAbsolutePath().resolve("events"));
        Files.createSymbolicLink(inst.resolve("events"), prepared.toAbsolutePath().resolve("events"));
        Files.writeString(inst.resolve("tracing_on"), "1");
        // as a kernel of 6.8 or later says its sub-buffer size
        Files.writeString(inst.resolve("buffer_subbuf_size_kb"), subBufferSize(prepared) / 1024 + "\n");
        for (CpuPages c : cpus) {
            Path d = inst.resolve("per_cpu").resolve("cpu" + c.cpu);
            Files.createDirectories(d);
            Files.writeString(d.resolve("stats"), "entries: 0\noverrun: 0\ndropped events: 0\n");
            Process mk = new ProcessBuilder("mkfifo", d.resolve("trace_pipe_raw").toString()).inheritIO().start();
            if (mk.waitFor() != 0) throw new IOException("mkfifo failed");
        }
        return new TracefsInstance(root, inst, "global", Files.readAllLines(prepared.resolve("enabled")));
    }

    /** utime + stime of a /proc stat file, in seconds. */
    static double ticks(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14 and 15; USER_HZ is 100 on Linux
    }

    static CpuPages load(Path p, int pageSize) throws IOException {
        int cpu = Integer.parseInt(p.getFileName().toString().substring(3));
        byte[] all = Files.readAllBytes(p);
        ByteBuffer b = ByteBuffer.wrap(all);
        List<byte[]> pages = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        while (b.hasRemaining()) {
            int n = b.getInt();
            byte[] page = new byte[pageSize];
            b.get(page);
            pages.add(page);
            counts.add(n);
        }
        int[] ev = counts.stream().mapToInt(Integer::intValue).toArray();
        ByteOrder o = ByteOrder.nativeOrder();
        long firstTs = ByteBuffer.wrap(pages.get(0)).order(o).getLong(0);
        long lastTs = ByteBuffer.wrap(pages.get(pages.size() - 1)).order(o).getLong(0);
        return new CpuPages(cpu, pages, ev, firstTs, lastTs);
    }

    /**
     * Writes the CPUs' pages into their FIFOs in timestamp order, at {@code rate} events per
     * second, repeating the recording (timestamps shifted by its span) until {@code total} events.
     */
    static final class Pacer extends Thread {
        final List<CpuPages> cpus;
        final Path inst;
        final long rate, total, span;
        volatile long written;
        volatile double exitedCpu;

        Pacer(List<CpuPages> cpus, Path inst, long rate, long total, long span) {
            super("harness-pacer");
            setDaemon(true);
            this.cpus = cpus;
            this.inst = inst;
            this.rate = rate;
            this.total = total;
            this.span = span;
        }

        @Override
        public void run() {
            OutputStream[] out = new OutputStream[cpus.size()];
            try {
                for (int i = 0; i < out.length; i++) {
                    out[i] = new FileOutputStream(inst.resolve("per_cpu").resolve("cpu" + cpus.get(i).cpu).resolve("trace_pipe_raw").toFile());
                }
                int[] next = new int[cpus.size()];
                long rep = 0, n = 0, start = System.nanoTime();
                ByteOrder o = ByteOrder.nativeOrder();
                while (n < total) {
                    // the CPU whose next page starts first
                    int best = -1;
                    long bestTs = Long.MAX_VALUE;
                    for (int i = 0; i < next.length; i++) {
                        if (next[i] >= cpus.get(i).pages.size()) continue;
                        long t = ByteBuffer.wrap(cpus.get(i).pages.get(next[i])).order(o).getLong(0);
                        if (t < bestTs) {
                            bestTs = t;
                            best = i;
                        }
                    }
                    if (best < 0) {
                        java.util.Arrays.fill(next, 0);
                        rep++;
                        continue;
                    }
                    CpuPages c = cpus.get(best);
                    byte[] page = c.pages.get(next[best]).clone();
                    ByteBuffer.wrap(page).order(o).putLong(0, bestTs + rep * span);
                    long due = start + n * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 200_000) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    out[best].write(page);
                    n += c.events[next[best]];
                    next[best]++;
                    written = n;
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("pacer: " + e);
            } finally {
                exitedCpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9;
                for (OutputStream s : out) {
                    try {
                        if (s != null) s.close();
                    } catch (IOException ignored) {
                        // the reader is gone
                    }
                }
            }
        }
    }
}

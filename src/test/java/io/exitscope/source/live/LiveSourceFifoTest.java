package io.exitscope.source.live;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.event.FieldFormat;
import io.exitscope.source.tracedat.TraceDatReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live path without a KVM guest: the bundled trace's kvm events, re-paged per CPU as the
 * kernel writes sub-buffers and written three times over into FIFOs standing in for
 * {@code trace_pipe_raw}, come out of {@link LiveSource} (its per-CPU readers, their hand-over,
 * the merge under the watermark, the page decoding) exactly as the trace.dat reader gives them:
 * every event once, none lost, each CPU's in order, every field equal. A page handed over twice,
 * dropped, or read into a buffer still being decoded shows as a missing, extra or changed event.
 * Twice: with the page-sized sub-buffers of the recording's kernel, and with the 64 KiB ones an
 * instance has after {@code echo 64 > buffer_subbuf_size_kb} (Linux 6.8+), which the source
 * reads from that file.
 */
class LiveSourceFifoTest {
    static final Path TRACE = Path.of("traces/pvm-ioeventfd-ab.dat");
    /** The format files of the kernel that recorded it (their ids are the trace's). */
    static final Path FORMATS = Path.of("../shared/traces/external/tracefs-formats-linux-6.18");
    static final int PASSES = 3;

    @ParameterizedTest(name = "sub-buffers of {0} KiB (0: the header page's)")
    @ValueSource(ints = {0, 64})
    void everyEventComesOutOnceAndInOrderPerCpu(int subBufferKb, @TempDir Path tmp) throws Exception {
        assumeTrue(Files.isDirectory(FORMATS), "kernel format files " + FORMATS + " not present (../shared is provided beside the checkout in CI)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mkfifo")) || Files.isExecutable(Path.of("/bin/mkfifo")), "no mkfifo");
        Path prepared = tmp.resolve("prepared");
        LiveCostHarness.prepare(TRACE, FORMATS, prepared, subBufferKb * 1024);
        List<String> enabled = Files.readAllLines(prepared.resolve("enabled"));
        List<LiveCostHarness.CpuPages> cpus = LiveCostHarness.loadAll(prepared);
        long span = LiveCostHarness.span(cpus);

        // what the trace.dat reader gives, per CPU, repeated as the pacer repeats the pages
        Map<Integer, List<Event>> once = new TreeMap<>();
        try (TraceDatReader r = TraceDatReader.open(TRACE); EventStream s = r.events()) {
            while (s.advance()) {
                Event e = s.current();
                if (e.kind() == Event.Kind.EVENT && enabled.contains("kvm/" + e.name())) once.computeIfAbsent(e.cpu(), c -> new ArrayList<>()).add(e.copy());
            }
        }
        Map<Integer, List<String>> expected = new TreeMap<>();
        long total = 0;
        for (Map.Entry<Integer, List<Event>> c : once.entrySet()) {
            List<String> l = expected.computeIfAbsent(c.getKey(), k -> new ArrayList<>());
            for (int pass = 0; pass < PASSES; pass++) {
                for (Event e : c.getValue()) l.add(describe(e, pass * span));
            }
            total += l.size();
        }

        TracefsInstance instance = LiveCostHarness.fifoInstance(prepared, cpus, tmp.resolve("tracefs"));
        LiveCostHarness.Pacer pacer = new LiveCostHarness.Pacer(cpus, instance.dir(), 1_000_000_000L, total, span);
        Map<Integer, List<String>> actual = new TreeMap<>();
        long lost = 0, seen = 0;
        try (LiveSource src = new LiveSource(instance, LiveSource.DEFAULT_SLACK_NS)) {
            assertEquals(subBufferKb == 0 ? 4096 : subBufferKb * 1024, src.pageSize(), "sub-buffer size");
            pacer.start();
            LiveSource.LiveStream s = src.events();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (seen < total && System.nanoTime() < deadline) {
                int r = s.advance(100_000_000L);
                if (r == LiveSource.LiveStream.END) break;
                if (r != LiveSource.LiveStream.EVENT) continue;
                Event e = s.current();
                if (e.kind() == Event.Kind.LOST) {
                    lost += e.lostCount();
                    continue;
                }
                actual.computeIfAbsent(e.cpu(), c -> new ArrayList<>()).add(describe(e, 0));
                seen++;
            }
        }
        pacer.join(10_000);
        assertEquals(0, lost, "lost events");
        assertEquals(total, seen, "events");
        assertEquals(expected.keySet(), actual.keySet(), "CPUs");
        for (int cpu : expected.keySet()) {
            List<String> want = expected.get(cpu), got = actual.get(cpu);
            assertEquals(want.size(), got.size(), "events on CPU " + cpu);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i), got.get(i), "CPU " + cpu + ", event " + i);
            }
        }
    }

    /**
     * Full sub-buffers followed by silence reach the consumer. A reader that kept full
     * sub-buffers back to hand them over in batches held this one while it blocked in the next
     * read, which returns only when the CPU writes again: the events of the last sub-buffer of a
     * burst could wait indefinitely (TuiLiveTmuxTest saw 19 956 of 20 000 exits, one sub-buffer
     * short, and stuck there). Here the FIFO stays open, as a quiet CPU's trace_pipe_raw does.
     */
    @org.junit.jupiter.api.Test
    void aFullSubBufferBeforeSilenceIsDelivered(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isDirectory(FORMATS), "kernel format files " + FORMATS + " not present (../shared is provided beside the checkout in CI)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mkfifo")) || Files.isExecutable(Path.of("/bin/mkfifo")), "no mkfifo");
        Path prepared = tmp.resolve("prepared");
        LiveCostHarness.prepare(TRACE, FORMATS, prepared, 0);
        List<LiveCostHarness.CpuPages> cpus = LiveCostHarness.loadAll(prepared);
        // two full sub-buffers of one CPU (data size: the low bits of the header's commit word),
        // written at once: the reader takes the second right after the first, within one period
        // of its stats check (which also hands pages over), and then finds the CPU silent
        java.nio.ByteOrder o = java.nio.ByteOrder.nativeOrder();
        LiveCostHarness.CpuPages on = null;
        List<Integer> full = new ArrayList<>();
        for (LiveCostHarness.CpuPages c : cpus) {
            full.clear();
            for (int i = 0; i < c.pages().size() && full.size() < 2; i++) {
                long commit = java.nio.ByteBuffer.wrap(c.pages().get(i)).order(o).getLong(8) & 0xfffffL;
                if (commit >= 4096 - 16 - 512) full.add(i);
            }
            if (full.size() == 2) {
                on = c;
                break;
            }
        }
        assumeTrue(on != null, "no CPU with two full sub-buffers in the recording");
        long want = on.events()[full.get(0)] + on.events()[full.get(1)];
        java.io.ByteArrayOutputStream two = new java.io.ByteArrayOutputStream();
        two.write(on.pages().get(full.get(0)));
        two.write(on.pages().get(full.get(1)));

        TracefsInstance instance = LiveCostHarness.fifoInstance(prepared, cpus, tmp.resolve("tracefs"));
        List<java.io.FileOutputStream> writers = java.util.Collections.synchronizedList(new ArrayList<>());
        long seen = 0;
        try (LiveSource src = new LiveSource(instance, LiveSource.DEFAULT_SLACK_NS)) {
            // a FIFO opens when both ends do: the writers on another thread, in the readers' order
            java.util.concurrent.CompletableFuture<Void> opened = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    for (LiveCostHarness.CpuPages c : cpus) {
                        writers.add(new java.io.FileOutputStream(instance.dir().resolve("per_cpu").resolve("cpu" + c.cpu()).resolve("trace_pipe_raw").toFile()));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            LiveSource.LiveStream s = src.events();
            try {
                opened.get(10, java.util.concurrent.TimeUnit.SECONDS);
                writers.get(cpus.indexOf(on)).write(two.toByteArray());
                long deadline = System.nanoTime() + 3_000_000_000L;
                while (seen < want && System.nanoTime() < deadline) {
                    int r = s.advance(100_000_000L);
                    if (r == LiveSource.LiveStream.END) break;
                    if (r == LiveSource.LiveStream.EVENT && s.current().kind() == Event.Kind.EVENT) seen++;
                }
            } finally {
                // before the source closes: its readers end at the FIFOs' end of file
                for (java.io.FileOutputStream w : writers) w.close();
            }
        }
        assertEquals(want, seen, "events of two full sub-buffers within 3 s, the CPU silent after them");
    }

    /** Time (shifted by {@code shift}), thread, name and every field of the event's format. */
    static String describe(Event e, long shift) {
        StringBuilder b = new StringBuilder().append(e.timestamp() + shift).append(' ').append(e.pid()).append(' ').append(e.name());
        for (FieldFormat f : e.format().fields) {
            b.append(' ').append(f.name).append('=');
            if (f.isString() || f.isArray()) b.append(e.getString(f));
            else b.append(e.getLong(f));
        }
        return b.toString();
    }
}

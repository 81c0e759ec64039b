package io.exitscope.source.tracedat;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.RawEvent;
import io.exitscope.source.ringbuffer.PageBuilder;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.testutil.TraceDatLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoding a trace.dat's CPUs on worker threads ({@link ParallelEventStream}) yields what the
 * single-threaded {@link MergedEventStream} yields, record by record: kind, timestamp, CPU,
 * buffer, format, payload bytes, lost count, and, on a damaged file, the same records up to the
 * same error. With one worker for all CPUs, one per CPU, and more threads than CPUs.
 */
class ParallelDecodeTest {

    /** Workers: one for every CPU stream (1), one per CPU (2 on these files), more than CPUs. */
    static final int[] WORKERS = {1, 2, 3, 8};

    static final String[] BUNDLED = {"traces/pvm-ioeventfd-ab.dat", "traces/sim-s390-diag500-ioeventfd-off.dat",
            "traces/sim-s390-diag500-ioeventfd-on.dat", "traces/sim-s390-hypercall-kernel-4.4.dat"};

    /** One record in comparable form. */
    static String describe(Event e) {
        StringBuilder b = new StringBuilder().append(e.kind()).append(' ').append(Long.toUnsignedString(e.timestamp()))
                .append(" cpu").append(e.cpu()).append(" [").append(e.buffer()).append("] ");
        if (e.kind() == Event.Kind.LOST) return b.append("lost ").append(e.lostCount()).toString();
        RawEvent r = (RawEvent) e;
        b.append(e.format().id).append(':').append(e.format().name).append(" pid ").append(e.pid()).append(' ');
        return b.append(Arrays.toString(Arrays.copyOfRange(r.data(), r.start(), r.start() + r.length()))).toString();
    }

    /** Moves a stream on: null when it has a record, else how it ended ("end", or the exception's class and message). */
    static String step(EventStream s) {
        try {
            return s.advance() ? null : "end";
        } catch (IOException | RuntimeException e) {
            return "failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    static boolean same(Event a, Event b) {
        if (a.kind() != b.kind() || a.timestamp() != b.timestamp() || a.cpu() != b.cpu() || !a.buffer().equals(b.buffer())) return false;
        if (a.kind() == Event.Kind.LOST) return a.lostCount() == b.lostCount();
        RawEvent x = (RawEvent) a, y = (RawEvent) b;
        // formats come from different readers of the file: the same id and name
        return x.format().id == y.format().id && x.format().name.equals(y.format().name) && Arrays.equals(x.data(), x.start(), x.start() + x.length(), y.data(), y.start(), y.start() + y.length());
    }

    /**
     * Reads both streams in lockstep, each over its own reader of the file: the same records, then the same end or error. Returns how they ended.
     */
    static String assertSameRecords(Path file, Function<TraceDatReader, EventStream> expected, Function<TraceDatReader, EventStream> actual, String what)
            throws IOException {
        try (TraceDatReader ra = TraceDatReader.open(file); TraceDatReader rb = TraceDatReader.open(file);
             EventStream a = expected.apply(ra); EventStream b = actual.apply(rb)) {
            for (long i = 0; ; i++) {
                String ea = step(a), eb = step(b);
                assertEquals(ea, eb, what + ": after record " + i);
                if (ea != null) return ea;
                Event x = a.current(), y = b.current();
                if (!same(x, y)) assertEquals(describe(x), describe(y), what + ": record " + i + " differs");
            }
        }
    }

    static Function<TraceDatReader, EventStream> workers(int n) {
        return r -> new ParallelEventStream(r, r.converter(), n);
    }

    static void assertSameRecords(Path file) throws IOException {
        for (int n : WORKERS) {
            String end = assertSameRecords(file, TraceDatReader::events, workers(n), file + " with " + n + " workers");
            assertEquals("end", end, file.toString());
        }
        // the public entry point, with 1 (the single-threaded stream) and several threads
        assertSameRecords(file, TraceDatReader::events, r -> r.events(1), file + " events(1)");
        assertSameRecords(file, TraceDatReader::events, r -> r.events(4), file + " events(4)");
    }

    @Test
    void bundledTracesDecodeTheSameOnEveryThreadCount() throws IOException {
        for (String f : BUNDLED) assertSameRecords(Path.of(f));
    }

    @Test
    void sharedTracesDecodeTheSameOnEveryThreadCount(@TempDir Path tmp) throws IOException {
        assertSameRecords(SharedTraces.require("x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat"));
        assertSameRecords(SharedTraces.require("x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat"));
        assertSameRecords(SharedTraces.require("x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat"));
        assertSameRecords(SharedTraces.gunzip("x86-vmx-linux-6.5/host-kvm-x86tsc.v6-uncompressed.dat.gz", tmp));
    }

    /**
     * Five CPUs (more than the workers of most runs), equal timestamps across CPUs (ties go to the
     * lower CPU), lost-event pages with a count, without one, and at the very end of a CPU with
     * nothing after them; uncompressed and zstd.
     */
    @Test
    void lostEventsTiesAndManyCpus(@TempDir Path tmp) throws IOException {
        for (String compression : new String[] {"none", "zstd"}) {
            Path f = tmp.resolve("lost-" + compression + ".dat");
            writeLostAndTies(f, Compression.byName(compression));
            long lost = 0, unknown = 0;
            try (TraceDatReader r = TraceDatReader.open(f); EventStream s = r.events()) {
                while (s.advance()) {
                    if (s.current().kind() == Event.Kind.LOST && s.current().lostCount() < 0) unknown++;
                    else if (s.current().kind() == Event.Kind.LOST) lost++;
                }
            }
            assertTrue(lost >= 5 && unknown >= 5, "lost markers with a count: " + lost + ", without: " + unknown);
            assertSameRecords(f);
        }
    }

    /** The bundled recording's payloads dealt to 5 CPUs in pages, some pages after lost events. */
    static void writeLostAndTies(Path out, Compression compression) throws IOException {
        Path in = Path.of("traces/pvm-ioeventfd-ab.dat");
        List<byte[]> payloads = new ArrayList<>();
        List<Long> stamps = new ArrayList<>();
        HeaderPage header;
        try (TraceDatReader r = TraceDatReader.open(in); EventStream s = r.events()) {
            header = r.headerPage();
            while (s.advance() && payloads.size() < 20_000) {
                RawEvent e = (RawEvent) s.current();
                payloads.add(Arrays.copyOfRange(e.data(), e.start(), e.start() + e.length()));
                stamps.add(e.timestamp());
            }
        }
        TraceDatLayout l = TraceDatLayout.parse(Files.readAllBytes(in));
        TraceDatWriter.Builder b = l.writerBuilder(7, compression, false);
        b.buffer("parallel", l.selectedClock());
        SplittableRandom rnd = new SplittableRandom(13);
        try (TraceDatWriter w = b.open(out)) {
            PageBuilder[] pages = new PageBuilder[5];
            for (int c = 0; c < pages.length; c++) pages[c] = new PageBuilder(header, false, l.pageSize);
            for (int i = 0; i < payloads.size(); i++) {
                // every 7th record shares its timestamp with the one before, on another CPU
                long ts = i % 7 == 1 ? stamps.get(i - 1) : stamps.get(i);
                int cpu = i % 7 == 1 ? (int) ((i / 7) % 5) : rnd.nextInt(5);
                PageBuilder p = pages[cpu];
                while (!p.add(ts, payloads.get(i), 0, payloads.get(i).length)) {
                    w.addPage(0, cpu, p.finishPage());
                    int roll = rnd.nextInt(12);
                    if (roll == 0) p.setMissedEvents(1 + rnd.nextInt(1000));
                    else if (roll == 1) p.setMissedEvents(-1);
                }
            }
            for (int c = 0; c < pages.length; c++) {
                if (!pages[c].isEmpty()) w.addPage(0, c, pages[c].finishPage());
            }
            // CPU 4 ends with a page that only says events were lost
            pages[4].setMissedEvents(77);
            w.addPage(0, 4, pages[4].finishPage());
        }
    }

    /**
     * Damaged files: bytes changed at random offsets in the CPU data; the parallel stream yields
     * the same records and then the same error (or the same end) as the single-threaded one.
     */
    @Test
    void damagedFilesFailAtTheSameRecordWithTheSameMessage(@TempDir Path tmp) throws IOException {
        for (String name : new String[] {"traces/sim-s390-hypercall-kernel-4.4.dat", "traces/pvm-ioeventfd-ab.dat"}) {
            byte[] good = Files.readAllBytes(Path.of(name));
            long dataStart;
            try (TraceDatReader r = TraceDatReader.open(Path.of(name))) {
                dataStart = r.buffers.stream().flatMap(bf -> bf.cpus().stream()).mapToLong(c -> c.offset()).min().orElseThrow();
            }
            SplittableRandom rnd = new SplittableRandom(name.length());
            int failures = 0;
            // opening the recording (2 323 formats) is most of the cost: fewer of its mutations
            int mutations = name.contains("pvm") ? 5 : 12;
            for (int k = 0; k < mutations; k++) {
                byte[] bad = good.clone();
                for (int j = 0; j < 1 + rnd.nextInt(4); j++) {
                    int at = (int) (dataStart + rnd.nextLong(good.length - dataStart));
                    bad[at] = (byte) rnd.nextInt(256);
                }
                Path f = tmp.resolve("bad-" + k + ".dat");
                Files.write(f, bad);
                for (int n : new int[] {1, 3}) {
                    String end = assertSameRecords(f, TraceDatReader::events, workers(n), name + " mutation " + k + ", " + n + " workers");
                    if (n == 1 && !end.equals("end")) failures++;
                }
            }
            assertTrue(failures > 0, name + ": no mutation made the decoder fail; the comparison of errors checked nothing");
        }
    }

    /**
     * Bounded memory: while nobody takes events, the workers stop after a few batches per CPU
     * instead of decoding the file into the heap.
     */
    @Test
    void workersWaitForTheMerge(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("big.dat");
        io.exitscope.bench.LargeTraceGenerator.main(new String[] {"traces/pvm-ioeventfd-ab.dat", f.toString(), "5", "none"});
        try (TraceDatReader r = TraceDatReader.open(f)) {
            ParallelEventStream s = new ParallelEventStream(r, r.converter(), 2);
            assertTrue(s.advance());
            Thread.sleep(300);
            for (ParallelEventStream.Lane l : s.lanes()) {
                long done = l.source.pages.consumed(), total = l.source.pages.totalBytes();
                assertTrue(total > 4L * ParallelEventStream.MAX_BATCH_BYTES * 2, "CPU data of " + total + " bytes is too small for this test");
                // 4 batches of 256 KiB payload, plus the ring-buffer headers and one block of pages read ahead
                assertTrue(done < 2L << 20, "CPU " + l.source.cpu + ": " + done + " of " + total + " bytes decoded ahead of the merge");
                assertTrue(l.allocatedBatches() <= ParallelEventStream.BATCHES_PER_CPU);
            }
            long n = 1;
            while (s.advance()) n++;
            assertEquals(5 * 43_998, n);
            s.close();
        }
    }

    @Test
    void dumpPrintsTheSameWithAnyThreadCount() {
        String file = "traces/pvm-ioeventfd-ab.dat";
        Cli one = Cli.run("dump", "--threads", "1", file);
        assertEquals(0, one.code, one::toString);
        for (String t : new String[] {"2", "7"}) {
            Cli many = Cli.run("dump", "--threads", t, file);
            assertTrue(Objects.equals(one.out, many.out), "dump --threads " + t + " differs from --threads 1");
        }
        Cli zero = Cli.run("dump", "--threads", "0", file);
        assertEquals(64, zero.code, zero::toString);
        assertTrue(zero.err.contains("--threads must be at least 1"), zero.err);
    }
}

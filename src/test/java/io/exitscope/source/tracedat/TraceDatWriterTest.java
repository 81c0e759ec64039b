package io.exitscope.source.tracedat;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.event.FormatParser;
import io.exitscope.event.HeaderPage;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.ringbuffer.PageBuilder;
import io.exitscope.testutil.TraceCmd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file structure {@link TraceDatWriter} produces, its staging, atomicity and thread safety. */
class TraceDatWriterTest {

    static final String FMT = "name: tick\nID: 300\nformat:\n"
            + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
            + "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
            + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
            + "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
            + "\tfield:u64 seq;\toffset:8;\tsize:8;\tsigned:0;\n\n"
            + "print fmt: \"seq=%llu\", REC->seq\n";

    /** Pages of "tick" events (seq = cpu * 1e6 + i), time stamps interleaved across CPUs. */
    static List<byte[]> pages(int cpu, int n, boolean be, int pageSize) {
        EventFormat f = FormatParser.parseEvent("test", FMT);
        HeaderPage hp = FormatParser.parseHeaderPage(PageBuilder.headerPageText(8, pageSize));
        PageBuilder pb = new PageBuilder(hp, be, pageSize);
        PageBuilder.EventEncoder enc = new PageBuilder.EventEncoder(f, be);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = enc.encode(0, 0, 100 + cpu, Map.of("seq", cpu * 1_000_000L + i));
            long ts = 1_000_000L + i * 100L + cpu;
            if (!pb.add(ts, p, 0, p.length)) {
                out.add(pb.finishPage());
                assertTrue(pb.add(ts, p, 0, p.length));
            }
        }
        if (!pb.isEmpty()) out.add(pb.finishPage());
        return out;
    }

    static TraceDatWriter.Builder builder(int version, Compression c, boolean be) {
        return TraceDatWriter.builder().version(version).compression(c).bigEndian(be).eventFormat("test", FMT).cmdline(100, "ticker");
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(Path::getFileName).sorted().toList();
        }
    }

    /**
     * trace-cmd finds the strings section by walking the sections from the end of the file
     * header to the end of the file (trace-input.c read_metadata_strings), so they must be back
     * to back; every description id must name a string.
     */
    @ParameterizedTest(name = "{0} big endian {1}")
    @CsvSource({"NONE, false", "ZSTD, false", "ZLIB, true", "NONE, true"})
    void v7SectionsAreContiguousAndNamed(Compression c, boolean be, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("s.dat");
        try (TraceDatWriter w = builder(7, c, be).buffer("", "local").buffer("inst", "local").open(file)) {
            for (byte[] p : pages(0, 3000, be, 4096)) w.addPage(0, 0, p);
            for (byte[] p : pages(2, 500, be, 4096)) w.addPage(1, 2, p);
        }
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(file)).order(be ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int pos = 10 + 2 + 2 + 4;                                // magic, "7\0", endian, long size, page size
        while (f.get(pos) != 0) pos++;                           // compression name
        pos++;
        while (f.get(pos) != 0) pos++;                           // compression version
        pos += 1 + 8;                                            // first options offset
        List<int[]> sections = new ArrayList<>();
        while (pos < f.limit()) {
            int id = f.getShort(pos) & 0xffff, flags = f.getShort(pos + 2), desc = f.getInt(pos + 4);
            long size = f.getLong(pos + 8);
            sections.add(new int[]{id, flags, desc});
            pos += 16 + (int) size;
        }
        assertEquals(f.limit(), pos, "sections end exactly at the end of the file");
        int[] strings = sections.get(sections.size() - 1);
        assertEquals(TraceDatReader.OPT_STRINGS, strings[0], "strings section last");
        List<Integer> ids = sections.stream().map(s -> s[0]).toList();
        assertEquals(List.of(16, 17, 18, 19, 20, 21, 0, 3, 0, 3, 0, 15), ids);
        for (int[] s : sections) assertEquals(c != Compression.NONE && s[0] != 0 ? 1 : 0, s[1], "section " + s[0] + " flags");

        try (TraceDatReader r = TraceDatReader.open(file)) {
            TraceInfo info = r.info();
            assertEquals(2, ((io.exitscope.source.TraceInfo.TraceDat) info.details()).buffers().size());
            for (TraceInfo.Buffer b : ((io.exitscope.source.TraceInfo.TraceDat) info.details()).buffers()) {
                for (TraceInfo.CpuData d : b.cpus()) assertEquals(0, d.offset() % 4096, "CPU data page aligned");
            }
            if (c != Compression.NONE) {
                // chunks of CHUNK_PAGES pages, the last one shorter
                TraceInfo.CpuData d = ((io.exitscope.source.TraceInfo.TraceDat) info.details()).buffers().get(0).cpus().get(0);
                int chunks = f.getInt((int) d.offset());
                int p = (int) d.offset() + 4;
                for (int i = 0; i < chunks; i++) {
                    int usize = f.getInt(p + 4);
                    if (i < chunks - 1) assertEquals(TraceDatWriter.CHUNK_PAGES * 4096, usize);
                    p += 8 + f.getInt(p);
                }
                assertEquals(d.offset() + d.size(), p, "recorded size = count + chunks, as trace-cmd >= 3.2 writes");
                assertTrue(chunks > 1);
            }
        }
    }

    @Test
    void stagesBigCpusInThePartialDirectoryAndRenamesAtClose(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.dat");
        TraceDatWriter w = builder(7, Compression.ZSTD, false).open(file);
        List<byte[]> p0 = pages(0, 3000, false, 4096);
        assertTrue(p0.size() > TraceDatWriter.CHUNK_PAGES);
        for (byte[] p : p0) w.addPage(0, 0, p);
        for (byte[] p : pages(1, 10, false, 4096)) w.addPage(0, 1, p);
        List<Path> during = list(dir);
        assertFalse(during.contains(file.getFileName()), "nothing at the output path before close");
        assertEquals(List.of(Path.of("big.dat.partial")), during);
        assertEquals(List.of(Path.of("b0.cpu0"), Path.of("head"), Path.of("reserve"), Path.of("state")), list(dir.resolve("big.dat.partial")),
                "one staging file: only the CPU beyond one chunk spills");
        w.close();
        assertEquals(List.of(file.getFileName()), list(dir));
        assertEquals(3000 + 10, countEvents(file));
        w.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> w.addPage(0, 0, p0.get(0)));
    }

    @Test
    void abortLeavesNothing(@TempDir Path dir) throws IOException {
        TraceDatWriter w = builder(7, Compression.ZLIB, false).open(dir.resolve("a.dat"));
        for (byte[] p : pages(0, 3000, false, 4096)) w.addPage(0, 0, p);
        w.abort();
        w.close();
        assertEquals(List.of(), list(dir));
    }

    /** A close that cannot put the file in place says where the finished file is, and leaves it there. */
    @Test
    void aFailedCloseLeavesTheFinishedFileInItsPartialDirectory(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.dat");
        Files.createDirectories(file.resolve("occupied"));   // a non-empty directory where the file should go
        TraceDatWriter w = builder(6, null, false).open(file);
        for (byte[] p : pages(0, 3000, false, 4096)) w.addPage(0, 0, p);
        IOException e = assertThrows(IOException.class, w::close);
        assertTrue(e.getMessage().contains("x.dat.partial"), e.getMessage());
        assertEquals(3000, countEvents(dir.resolve("x.dat.partial/head")), "the finished file, under its working name");
    }

    /**
     * A page that cannot be staged (here: a directory stands where CPU 0's staging file goes) stops
     * staging for good; the file still holds everything staged and the chunk in memory, and the
     * pages after the failure are counted as dropped.
     */
    @Test
    void aStagingFailureKeepsWhatWasStaged(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("f.dat");
        TraceDatWriter w = builder(7, Compression.ZSTD, false).open(file);
        List<byte[]> cpu1 = pages(1, 3000, false, 4096);
        for (byte[] p : cpu1) assertTrue(w.addPage(0, 1, p));
        Files.createDirectories(TraceDatWriter.partialDir(file).resolve("b0.cpu0/blocked"));
        List<byte[]> cpu0 = pages(0, 3000, false, 4096);
        int kept = 0;
        for (byte[] p : cpu0) if (w.addPage(0, 0, p)) kept++;
        assertTrue(w.failure() != null, "the staging failure is reported");
        assertEquals(TraceDatWriter.CHUNK_PAGES, kept, "the first chunk stays in memory, then pages are dropped");
        assertEquals(cpu0.size() - kept, w.pagesDropped());
        Files.delete(TraceDatWriter.partialDir(file).resolve("b0.cpu0/blocked"));
        w.close();
        int expected = 0;
        for (byte[] p : cpu1) expected += eventsIn(p);
        for (int i = 0; i < kept; i++) expected += eventsIn(cpu0.get(i));
        assertEquals(expected, countEvents(file), "CPU 1 whole and CPU 0's first chunk");
        assertFalse(Files.exists(TraceDatWriter.partialDir(file)), "no working directory left");
    }

    /**
     * A recording killed before close() leaves OUT.partial: inspect() counts the whole chunks, and
     * recover() writes a file with exactly those pages (a torn chunk at the end is dropped).
     */
    @Test
    void aKilledRecordingIsRecovered(@TempDir Path dir) throws IOException {
        for (int version : new int[]{6, 7}) {
            Path file = dir.resolve("k" + version + ".dat");
            TraceDatWriter w = builder(version, version == 6 ? null : Compression.ZSTD, false).cpuCount(2).open(file);
            List<byte[]> ps = pages(0, 3000, false, 4096);
            for (byte[] p : ps) w.addPage(0, 0, p);
            // no close(): the state of a process killed now (its last pages are still in memory)
            Path staged = TraceDatWriter.partialDir(file).resolve("b0.cpu0");
            Files.write(staged, new byte[]{1, 2, 3}, java.nio.file.StandardOpenOption.APPEND); // a torn write
            int whole = ps.size() / TraceDatWriter.CHUNK_PAGES * TraceDatWriter.CHUNK_PAGES;
            TraceDatWriter.Partial part = TraceDatWriter.inspect(file);
            assertEquals(whole, part.pages(), "v" + version + ": whole chunks only");
            Path out = dir.resolve("rec" + version + ".dat");
            TraceDatWriter.recover(file, out);
            assertFalse(Files.exists(TraceDatWriter.partialDir(file)), "OUT.partial removed");
            int events = countEvents(out);
            int expected = 0;
            for (int i = 0; i < whole; i++) expected += eventsIn(ps.get(i));
            assertEquals(expected, events, "v" + version + ": the events of the staged pages");
        }
    }

    static int eventsIn(byte[] page) {
        io.exitscope.source.ringbuffer.PageCursor c = new io.exitscope.source.ringbuffer.PageCursor(
                FormatParser.parseHeaderPage(PageBuilder.headerPageText(8, 4096)), false);
        c.reset(page, 0, page.length);
        int n = 0;
        while (c.next()) n++;
        return n;
    }

    /** Recording threads add pages of their own CPU concurrently; each CPU keeps its order. */
    @Test
    void concurrentCpus(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("mt.dat");
        int cpus = 8;
        TraceDatWriter w = builder(7, Compression.ZSTD, true).cpuCount(cpus).open(file);
        ExecutorService ex = Executors.newFixedThreadPool(cpus);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < cpus; c++) {
                int cpu = c;
                List<byte[]> ps = pages(cpu, 1500, true, 4096);
                fs.add(ex.submit(() -> {
                    for (byte[] p : ps) w.addPage(0, cpu, p);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            ex.shutdown();
        }
        w.close();
        Map<Integer, Long> next = new HashMap<>();
        try (TraceDatReader r = TraceDatReader.open(file); EventStream s = r.events()) {
            assertEquals(cpus, r.info().cpus());
            while (s.advance()) {
                Event e = s.current();
                long seq = e.getLong("seq", -1);
                long want = next.getOrDefault(e.cpu(), e.cpu() * 1_000_000L);
                assertEquals(want, seq, "CPU " + e.cpu() + " in order");
                next.put(e.cpu(), want + 1);
            }
        }
        for (int c = 0; c < cpus; c++) assertEquals(c * 1_000_000L + 1500, next.get(c));
    }

    /** trace-cmd 3.1.6 skips exitscope's unknown option silently; our reader flags the file. */
    @ParameterizedTest(name = "v{0}")
    @CsvSource({"6", "7"})
    void syntheticMarkerIsIgnoredByTraceCmd(int version, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("syn.dat");
        try (TraceDatWriter w = builder(version, null, false).synthetic("exitscope-simulator s390 diag500").open(file)) {
            for (byte[] p : pages(0, 50, false, 4096)) w.addPage(0, 0, p);
        }
        try (TraceDatReader r = TraceDatReader.open(file)) {
            assertTrue(r.info().synthetic());
            assertTrue(r.info().options().stream().anyMatch(o -> o.id() == TraceDatReader.OPT_EXITSCOPE_SYNTHETIC
                    && o.summary().equals("exitscope-simulator s390 diag500")));
        }
        TraceCmd.Result res = TraceCmd.run("report", "-t", "-R", "-i", file.toString());
        assertEquals(0, res.exitCode(), res.stderr());
        assertEquals("", res.stderr(), "no complaint about the unknown option");
        assertEquals(51, res.stdout().size());
        TraceCmd.Result v = TraceCmd.run("dump", "-v", "-i", file.toString());
        assertEquals(0, v.exitCode(), v.stderr());
        assertTrue(String.join("\n", v.stdout()).contains("valid trace-cmd file"), v.stdout().toString());
    }

    @Test
    void emptyTraceIsValid(@TempDir Path dir) throws IOException {
        for (int version : new int[]{6, 7}) {
            Path file = dir.resolve("empty" + version + ".dat");
            builder(version, null, false).cpuCount(2).open(file).close();
            assertEquals(0, countEvents(file));
            try (TraceDatReader r = TraceDatReader.open(file)) {
                assertEquals(2, r.info().cpus());
            }
            if (TraceCmd.available()) {
                TraceCmd.Result res = TraceCmd.run("report", "-i", file.toString());
                assertEquals(0, res.exitCode(), "v" + version + ": " + res.stderr());
            }
        }
    }

    @Test
    void rejectsBadConfiguration(@TempDir Path dir) throws IOException {
        assertThrows(IllegalArgumentException.class, () -> builder(6, Compression.ZSTD, false).open(dir.resolve("a")));
        assertThrows(IllegalArgumentException.class, () -> TraceDatWriter.builder().pageSize(3000));
        assertThrows(IllegalArgumentException.class, () -> TraceDatWriter.builder().version(5));
        assertThrows(IllegalArgumentException.class, () -> TraceDatWriter.builder().buffer("a", "local").buffer("a", "local"));
        assertThrows(IOException.class, () -> builder(7, null, false).open(dir.resolve("missing/dir/x.dat")));
        try (TraceDatWriter w = builder(7, null, false).open(dir.resolve("b.dat"))) {
            assertThrows(IllegalArgumentException.class, () -> w.addPage(0, 0, new byte[8192]));
            assertThrows(IndexOutOfBoundsException.class, () -> w.addPage(3, 0, new byte[4096]));
        }
    }

    /** Only an instance declared: the top buffer is added after it, so indexes stay as declared. */
    @Test
    void instanceOnlyKeepsDeclaredIndexes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("inst.dat");
        try (TraceDatWriter w = builder(7, null, false).buffer("guest", "mono").open(file)) {
            assertEquals(2, w.bufferCount());
            for (byte[] p : pages(1, 20, false, 4096)) w.addPage(0, 1, p);
        }
        try (TraceDatReader r = TraceDatReader.open(file); EventStream s = r.events()) {
            assertEquals(List.of("", "guest"), ((io.exitscope.source.TraceInfo.TraceDat) r.info().details()).buffers().stream().map(TraceInfo.Buffer::name).toList());
            assertTrue(s.advance());
            assertEquals("guest", s.current().buffer());
        }
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("[mono]"), "TRACECLOCK names the declared clock");
    }

    static int countEvents(Path file) throws IOException {
        int n = 0;
        try (TraceDatReader r = TraceDatReader.open(file); EventStream s = r.events()) {
            while (s.advance()) n++;
        }
        return n;
    }
}

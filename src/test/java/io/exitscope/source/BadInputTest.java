package io.exitscope.source;

import io.exitscope.cli.Main;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.testutil.FuzzSeeds;
import io.exitscope.testutil.MiniTraceDat;
import io.exitscope.testutil.SharedTraces;
import io.exitscope.testutil.TraceDatLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged and wrong input through the CLI ({@code dump}, {@code dump --count}, {@code info}):
 * exit code 65 (EXIT_BAD_INPUT), exactly one line on stderr naming the file and {@code at byte N}
 * with N the offset of the damage or the start of the damaged structure, no stack trace; stdout
 * may hold the events decoded before the damage (checked to be a prefix of the clean dump).
 *
 * <p>Exit codes: every case here is 65, including a missing file and a directory (the tool
 * reports them through the same TraceFormatException path; 64 is for wrong usage, 1 for
 * internal errors, neither applies). {@code info} reads only the metadata (and kallsyms), so
 * damage confined to CPU data does not fail it: those cases expect 0 from {@code info}.
 *
 * <p>Damage offsets are derived from the reader's own {@code info()} (CPU data offsets) and from
 * an independent walk of the file ({@link TraceDatLayout}), never from magic numbers. The real
 * traces live in {@code ../shared/traces/external}; without them the cases built from them are
 * skipped (SharedTraces.require); the others (empty, directory, missing, garbage, text) always run.
 */
class BadInputTest {

    @TempDir
    static Path tmp;

    static final String PVM = FuzzSeeds.PVM, TSC2NSEC = FuzzSeeds.TSC2NSEC, ZSTD = FuzzSeeds.ZSTD;
    static Path v6;             // gunzipped uncompressed v6 file, shared by the v6 cases

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static final Pattern AT_BYTE = Pattern.compile(": at byte (\\d+): ");

    /** The three commands on a bad file: 65 (info: {@code infoCode}), one line, the path, at byte {@code offset}. */
    static Run assertBad(Path file, long offset, int infoCode, String problemPart) {
        Run dump = null;
        for (String[] args : new String[][]{{"dump", file.toString()}, {"dump", "--count", file.toString()}, {"info", file.toString()}}) {
            Run r = run(args);
            String cmd = String.join(" ", Arrays.copyOf(args, args.length - 1));
            int expected = args[0].equals("info") ? infoCode : Main.EXIT_BAD_INPUT;
            assertEquals(expected, r.code, cmd + ": exit code; stderr: " + r.err);
            if (expected == 0) {
                assertEquals("", r.err, cmd + ": stderr");
                continue;
            }
            assertOneLineError(r, file, cmd);
            Matcher m = AT_BYTE.matcher(r.err);
            assertTrue(m.find(), cmd + ": no 'at byte N': " + r.err);
            assertEquals(offset, Long.parseLong(m.group(1)), cmd + ": offset in " + r.err);
            if (problemPart != null) assertTrue(r.err.contains(problemPart), cmd + ": expected '" + problemPart + "' in " + r.err);
            if (args.length == 2 && args[0].equals("dump")) dump = r;
        }
        return dump;
    }

    static void assertOneLineError(Run r, Path file, String cmd) {
        assertTrue(r.err.endsWith("\n"), cmd + ": stderr not a full line: " + r.err);
        assertEquals(1, r.err.lines().count(), cmd + ": stderr must be one line: " + r.err);
        assertTrue(r.err.contains(file.toString()), cmd + ": stderr does not name the file: " + r.err);
        assertFalse(r.err.contains("at io.exitscope") || r.err.contains("Exception") || r.err.contains("internal error"),
                cmd + ": stack trace or internal error: " + r.err);
    }

    /** The events printed before the damage are a prefix of the clean file's dump. */
    static void assertPrefixOfClean(Run damaged, Path clean, int atLeast) {
        List<String> good = run("dump", clean.toString()).out.lines().toList();
        List<String> bad = damaged.out.lines().toList();
        assertTrue(bad.size() >= atLeast, "expected at least " + atLeast + " lines before the damage, got " + bad.size());
        assertTrue(bad.size() < good.size(), "the damaged dump is not shorter than the clean one");
        for (int i = 0; i < bad.size(); i++) assertEquals(good.get(i), bad.get(i), "line " + (i + 1) + " before the damage");
    }

    // ------------------------------------------------------------------ file helpers

    static byte[] shared(String rel) throws IOException {
        return Files.readAllBytes(SharedTraces.require(rel));
    }

    static Path write(String name, byte[] data) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, data);
        return p;
    }

    static Path v6() throws IOException {
        if (v6 == null) v6 = SharedTraces.gunzip(FuzzSeeds.V6_GZ, tmp);
        return v6;
    }

    static void putU16(byte[] d, long at, int v) { ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putShort((int) at, (short) v); }
    static void putU32(byte[] d, long at, long v) { ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putInt((int) at, (int) v); }
    static void putU64(byte[] d, long at, long v) { ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).putLong((int) at, v); }
    static long u32(byte[] d, long at) { return ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).getInt((int) at) & 0xffffffffL; }

    /** CPU data of the file's buffers, as the reader itself reports them. */
    static List<TraceInfo.CpuData> cpuData(Path file) throws IOException {
        try (TraceDatReader r = TraceDatReader.open(file)) {
            return ((io.exitscope.source.TraceInfo.TraceDat) r.info().details()).buffers().stream().flatMap(b -> b.cpus().stream()).toList();
        }
    }

    /** One ring-buffer record: offset in the page of its header, type_len, payload offset and length. */
    record Rec(int at, int typeLen, int payload, int length) {}

    /** The data records of a little-endian page with an 8-byte commit (kbuffer's walk, §1.3). */
    static List<Rec> records(byte[] d, long page) {
        ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
        int commit = (int) (b.getLong((int) page + 8) & ((1 << 27) - 1));
        int p = 16, end = 16 + commit;
        List<Rec> out = new java.util.ArrayList<>();
        while (p < end) {
            int w = b.getInt((int) page + p);
            int type = w & 0x1f;
            if (type >= 1 && type <= 28) {
                out.add(new Rec(p, type, p + 4, type * 4));
                p += 4 + type * 4;
            } else if (type == 0) {
                int len = b.getInt((int) page + p + 4);
                out.add(new Rec(p, 0, p + 8, len - 4));
                p += 4 + ((len + 3) & ~3);
            } else if (type == 29) {
                if ((w >>> 5) == 0) break;
                p += 4 + ((b.getInt((int) page + p + 4) + 3) & ~3);
            } else {
                p += 8;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ not trace files

    @Test
    void emptyFile() throws IOException {
        assertBad(write("empty.dat", new byte[0]), 0, Main.EXIT_BAD_INPUT, "empty file");
    }

    @Test
    void directory() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("a-directory.dat"));
        assertBad(d, 0, Main.EXIT_BAD_INPUT, "directory");
    }

    @Test
    void missingFile() {
        assertBad(tmp.resolve("does-not-exist.dat"), 0, Main.EXIT_BAD_INPUT, "no such file");
    }

    @Test
    void binaryGarbage() throws IOException {
        byte[] g = new byte[5000];
        new Random(42).nextBytes(g);
        g[0] = (byte) 0x90; // not the trace.dat magic: goes to the text readers, which must refuse it
        Path p = write("garbage.bin", g);
        for (String[] args : new String[][]{{"dump", p.toString()}, {"dump", "--count", p.toString()}, {"info", p.toString()}}) {
            Run r = run(args);
            assertEquals(Main.EXIT_BAD_INPUT, r.code, "exit code; stderr: " + r.err);
            assertOneLineError(r, p, args[0]);
            Matcher m = AT_BYTE.matcher(r.err);
            assertTrue(m.find(), r.err);
            long n = Long.parseLong(m.group(1));
            assertTrue(n >= 0 && n < g.length, "offset inside the file: " + r.err);
        }
    }

    @Test
    void garbageAfterTraceDatMagicPrefix() throws IOException {
        // the first 3 magic bytes make it a (damaged) trace.dat: the reader names the first bad byte
        byte[] g = new byte[300];
        new Random(7).nextBytes(g);
        g[0] = 0x17;
        g[1] = 0x08;
        g[2] = 0x44;
        g[3] = 'x';
        assertBad(write("bad-magic.dat", g), 3, Main.EXIT_BAD_INPUT, "bad magic");
    }

    @Test
    void textFileThatIsNotATrace() throws IOException {
        String text = "Dear diary,\nthis is not a kernel trace.\nIt has no events at all, just words.\n";
        Path p = write("diary.txt", text.getBytes(StandardCharsets.UTF_8));
        for (String[] args : new String[][]{{"dump", p.toString()}, {"dump", "--count", p.toString()}, {"info", p.toString()}}) {
            Run r = run(args);
            assertEquals(Main.EXIT_BAD_INPUT, r.code, "exit code; stderr: " + r.err);
            assertOneLineError(r, p, args[0]);
            Matcher m = AT_BYTE.matcher(r.err);
            assertTrue(m.find(), r.err);
            long n = Long.parseLong(m.group(1));
            // the start of a line of the file (whichever line the text reader gives up on)
            assertTrue(n == 0 || n <= text.length() && text.charAt((int) n - 1) == '\n', "offset at a line start: " + r.err);
        }
    }

    // ------------------------------------------------------------------ truncation

    @Test
    void truncatedInsideFileHeader() throws IOException {
        byte[] d = shared(PVM);
        TraceDatLayout l = TraceDatLayout.parse(d);
        long endian = l.field("endian").offset();
        // cut inside the page size: the fixed part after the version string is incomplete
        Path p = write("cut-header.dat", Arrays.copyOf(d, (int) endian + 4));
        assertBad(p, endian, Main.EXIT_BAD_INPUT, "file header");
        // cut inside the magic
        assertBad(write("cut-magic.dat", Arrays.copyOf(d, 6)), 6, Main.EXIT_BAD_INPUT, "bad magic");
    }

    @Test
    void truncatedInsideV6EventFormats() throws IOException {
        byte[] d = Files.readAllBytes(v6());
        TraceDatLayout l = TraceDatLayout.parse(d);
        List<TraceDatLayout.Field> sizes = l.fields.stream().filter(f -> f.name().equals("event.format.size")).toList();
        TraceDatLayout.Field f = sizes.get(sizes.size() / 2);
        // cut 10 bytes into a format text: the error names the start of that text
        Path p = write("v6-cut-formats.dat", Arrays.copyOf(d, (int) f.offset() + 8 + 10));
        assertBad(p, f.offset() + 8, Main.EXIT_BAD_INPUT, "file ends inside event format");
    }

    @Test
    void truncatedInsideV7Metadata() throws IOException {
        byte[] d = shared(PVM);
        TraceDatLayout l = TraceDatLayout.parse(d);
        TraceDatLayout.Section events = l.section(18);
        // cut inside the compressed event formats: the header's options offset now points past the
        // end; the reader says the file ends where it looked for the options section
        int cut = (int) (events.dataOffset() + events.csize() / 2);
        Path p = write("v7-cut-metadata.dat", Arrays.copyOf(d, cut));
        assertBad(p, cut, Main.EXIT_BAD_INPUT, "file ends inside options section header");
    }

    @Test
    void truncatedInsideV6CpuData() throws IOException {
        Path src = v6();
        List<TraceInfo.CpuData> cpus = cpuData(src);
        TraceInfo.CpuData second = cpus.get(1);
        byte[] d = Files.readAllBytes(src);
        TraceDatLayout l = TraceDatLayout.parse(d);
        // cut in the middle of CPU data: at open, the CPU table entry claiming bytes past the end
        Path p = write("v6-cut-cpu-data.dat", Arrays.copyOf(d, (int) (second.offset() + second.size() / 2)));
        long entry = l.fields.stream().filter(f -> f.name().equals("flyrecord.cpu.offset")).toList().get(second.cpu()).offset();
        assertBad(p, entry, Main.EXIT_BAD_INPUT, "lies beyond the end of the file");
    }

    @Test
    void truncatedInsideV7CpuData() throws IOException {
        byte[] d = shared(ZSTD);
        TraceInfo.CpuData c = cpuData(SharedTraces.require(ZSTD)).get(0);
        int cut = (int) (c.offset() + c.size() / 2);
        // the options section with the BUFFER option comes after the data, so it is gone too
        assertBad(write("v7-cut-cpu-data.dat", Arrays.copyOf(d, cut)), cut, Main.EXIT_BAD_INPUT, "file ends inside options section header");
    }

    // ------------------------------------------------------------------ v7 sections

    @Test
    void v7OptionsSectionWithWrongId() throws IOException {
        byte[] d = shared(PVM);
        TraceDatLayout l = TraceDatLayout.parse(d);
        long opts = l.optionsSections.get(0);
        putU16(d, opts, 5);
        assertBad(write("v7-options-id.dat", d), opts, Main.EXIT_BAD_INPUT, "expected an options section, found section id 5");
    }

    @Test
    void v7SectionSizeTooSmallForItsCompressedData() throws IOException {
        byte[] d = shared(PVM);
        TraceDatLayout.Section h = TraceDatLayout.parse(d).section(16);
        putU64(d, h.offset() + 8, 4);
        assertBad(write("v7-section-size.dat", d), h.offset() + 16, Main.EXIT_BAD_INPUT, "exceeds section size 4");
    }

    @Test
    void v7OptionsSectionSizePastEndOfFile() throws IOException {
        byte[] d = shared(TSC2NSEC);
        long opts = TraceDatLayout.parse(d).optionsSections.get(0);
        putU64(d, opts + 8, 0xffffffffL);
        assertBad(write("v7-options-size.dat", d), opts + 16, Main.EXIT_BAD_INPUT, "file ends inside options section");
    }

    @Test
    void v7SectionUncompressedSizeAbsurd() throws IOException {
        byte[] d = shared(PVM);
        TraceDatLayout.Section ev = TraceDatLayout.parse(d).section(18);
        putU32(d, ev.offset() + 20, 0xfffffff0L);
        assertBad(write("v7-section-usize.dat", d), ev.offset() + 16, Main.EXIT_BAD_INPUT, "too large");
        // regression: below MAX_BLOCK and plausible for the compressed size (trace-cmd's zstd frames
        // state no content size); used to be allocated whole before decompressing (200 MB from a
        // 4-byte change); now the output grows with the data and the mismatch is found at 2 MB
        putU32(d, ev.offset() + 20, 200L << 20);
        assertBad(write("v7-section-usize2.dat", d), ev.dataOffset(), Main.EXIT_BAD_INPUT, "zstd data gave " + ev.usize() + " bytes, expected " + (200L << 20));
    }

    /** Bytes this thread allocated while running {@code r}. */
    static long allocatedBy(Runnable r) {
        com.sun.management.ThreadMXBean b = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long t = Thread.currentThread().getId();
        long a0 = b.getThreadAllocatedBytes(t);
        r.run();
        return b.getThreadAllocatedBytes(t) - a0;
    }

    @Test
    void corruptCompressedDataWithLargeClaimedSizeAllocatesLittle() throws IOException {
        // regression: corrupt data plus a large (but plausible for the ratio) uncompressed size:
        // the growing buffer must give up at the first trial, not double up to the claim
        byte[] d = shared(PVM);
        TraceDatLayout.Section ev = TraceDatLayout.parse(d).section(18);
        putU32(d, ev.offset() + 20, 200L << 20);
        corruptFirstZstdBlock(d, ev.dataOffset());
        Path p = write("v7-section-corrupt-large.dat", d);
        long bytes = allocatedBy(() -> assertBad(p, ev.dataOffset(), Main.EXIT_BAD_INPUT, "bad zstd data"));
        assertTrue(bytes < (100L << 20) * 3, "three commands allocated " + (bytes >> 20) + " MB");
        // the same for a flyrecord chunk
        byte[] z = shared(ZSTD);
        TraceDatLayout.Chunk ch = TraceDatLayout.parse(z).allCpus().get(0).chunks.get(0);
        putU32(z, ch.offset() + 4, 200L << 20);
        corruptFirstZstdBlock(z, ch.offset() + 8);
        Path q = write("chunk-corrupt-large.dat", z);
        bytes = allocatedBy(() -> assertBad(q, ch.offset() + 8, 0, "bad zstd data"));
        assertTrue(bytes < (100L << 20) * 3, "three commands allocated " + (bytes >> 20) + " MB");
    }

    @Test
    void v7OptionsChainLoop() throws IOException {
        byte[] d = shared(PVM);
        TraceDatLayout l = TraceDatLayout.parse(d);
        TraceDatLayout.Field next = l.fields.stream().filter(f -> f.name().equals("option.done.next")).toList().get(1);
        long first = l.optionsSections.get(0);
        putU64(d, next.offset(), first); // the second options section points back at the first
        assertBad(write("v7-options-loop.dat", d), first, Main.EXIT_BAD_INPUT, "loop");
    }

    // ------------------------------------------------------------------ compressed chunks

    /**
     * Makes the first block of the zstd frame at {@code frame} one of the reserved type (RFC 8878
     * 3.1.1.2), which every decoder rejects. Bytes overwritten inside a block's literals or
     * sequences are not always detectable: trace-cmd's frames carry no checksum, and the zstd
     * library decodes some such damage into other bytes of the right size (the pages then fail
     * to parse: still a one-line error, at the chunk).
     */
    static void corruptFirstZstdBlock(byte[] d, long frame) {
        int fhd = d[(int) frame + 4] & 0xff;
        int fcsFlag = fhd >>> 6, singleSegment = (fhd >>> 5) & 1, dictFlag = fhd & 3;
        int fcsSize = fcsFlag == 0 ? singleSegment : 1 << fcsFlag;
        int header = 4 + 1 + (singleSegment == 0 ? 1 : 0) + (dictFlag == 0 ? 0 : 1 << (dictFlag - 1)) + fcsSize;
        int block = (int) frame + header;
        d[block] = (byte) (d[block] | 0b110); // block type 3: reserved
    }

    @Test
    void zstdChunkBytesCorrupted() throws IOException {
        byte[] d = shared(ZSTD);
        TraceDatLayout.Chunk ch = TraceDatLayout.parse(d).allCpus().get(0).chunks.get(0);
        long data = ch.offset() + 8;
        corruptFirstZstdBlock(d, data);
        Run r = assertBad(write("zstd-chunk-corrupt.dat", d), data, 0, "bad compressed chunk");
        assertTrue(r.err.contains("bad zstd data"), r.err);
    }

    @Test
    void zlibChunkBytesCorrupted() throws IOException {
        byte[] d = shared(TSC2NSEC);
        TraceDatLayout.Chunk ch = TraceDatLayout.parse(d).allCpus().get(0).chunks.get(0);
        long data = ch.offset() + 8;
        Arrays.fill(d, (int) (data + 2), (int) (data + 40), (byte) 0xff);
        assertBad(write("zlib-chunk-corrupt.dat", d), data, 0, "bad compressed chunk");
    }

    @Test
    void chunkSizeFieldsAbsurd() throws IOException {
        byte[] clean = shared(ZSTD);
        TraceDatLayout.Chunk ch = TraceDatLayout.parse(clean).allCpus().get(0).chunks.get(0);
        byte[] d = clean.clone();
        putU32(d, ch.offset(), 0x7fffffffL);
        assertBad(write("chunk-csize.dat", d), ch.offset(), 0, "runs past the CPU's data");
        d = clean.clone();
        putU32(d, ch.offset() + 4, 0xfffffff0L);
        assertBad(write("chunk-usize.dat", d), ch.offset(), 0, "uncompressed");
        // regression: a plausible-looking 100 MB is still far more than the compressed bytes can
        // hold; it used to be allocated (per CPU) before decompression failed
        d = clean.clone();
        long claim = ch.csize() * 33_000;    // beyond zstd's 32768:1, still under MAX_BLOCK
        assertTrue(claim < 256 << 20);
        putU32(d, ch.offset() + 4, claim);
        assertBad(write("chunk-usize-ratio.dat", d), ch.offset(), 0, "cannot hold");
        // a usize a little off: found by decompressing (trace-cmd's frames state no content size)
        d = clean.clone();
        putU32(d, ch.offset() + 4, ch.usize() + 4096);
        assertBad(write("chunk-usize-off.dat", d), ch.offset() + 8, 0, "zstd data gave " + ch.usize() + " bytes, expected " + (ch.usize() + 4096));
        // regression: frames that do state their content size (aircompressor's) are checked
        // against the header before anything is allocated
        TraceDatLayout l = TraceDatLayout.parse(clean);
        byte[] mini = MiniTraceDat.write(l, new MiniTraceDat.Spec().compression("zstd").pages(12));
        TraceDatLayout.Chunk mc = TraceDatLayout.parse(mini).allCpus().get(0).chunks.get(0);
        putU32(mini, mc.offset() + 4, mc.usize() + 4096);
        assertBad(write("chunk-usize-frame.dat", mini), mc.offset() + 8, 0, "zstd frame holds " + mc.usize() + " bytes, header says " + (mc.usize() + 4096));
    }

    @Test
    void chunkCountAbsurd() throws IOException {
        byte[] d = shared(ZSTD);
        TraceDatLayout.Cpu cpu = TraceDatLayout.parse(d).allCpus().get(0);
        putU32(d, cpu.offset, 0xffffffffL);
        // regression: used to read chunk after chunk until the data ran out; now the count is
        // checked against the CPU's data size at the count itself
        assertBad(write("chunk-count.dat", d), cpu.offset, 0, "chunk count");
    }

    // ------------------------------------------------------------------ pages and events (v6)

    @Test
    void unknownEventId() throws IOException {
        Path src = v6();
        TraceInfo.CpuData c = cpuData(src).get(1);
        byte[] d = Files.readAllBytes(src);
        long page = c.offset() + 4096L * 2;   // third page of the second CPU with data
        Rec rec = records(d, page).get(3);
        long payload = page + rec.payload();
        putU16(d, payload, 0xfffe);          // common_type of the 4th event
        Path p = write("v6-unknown-event.dat", d);
        Run r = assertBad(p, payload, 0, "unknown event id 65534");
        assertPrefixOfClean(r, src, 10);
    }

    @Test
    void pageCommitPastItsEnd() throws IOException {
        Path src = v6();
        TraceInfo.CpuData c = cpuData(src).get(0);
        byte[] d = Files.readAllBytes(src);
        long page = c.offset() + 4096L;       // second page of the first CPU
        putU64(d, page + 8, 4096 - 16 + 1);  // one byte more than the page's data area
        Run r = assertBad(write("v6-commit.dat", d), page + 8, 0, "runs past the page");
        assertPrefixOfClean(r, src, 1);
    }

    @Test
    void eventLengthPastTheCommit() throws IOException {
        Path src = v6();
        TraceInfo.CpuData c = cpuData(src).get(0);
        byte[] d = Files.readAllBytes(src);
        long page = c.offset();
        List<Rec> recs = records(d, page);
        Rec last = recs.get(recs.size() - 1);
        long hdr = page + last.at();
        // make the last event claim 28*4 = 112 bytes: more than is left before the commit
        long w = u32(d, hdr);
        putU32(d, hdr, (w & ~0x1fL) | 28);
        Run r = assertBad(write("v6-event-length.dat", d), hdr, 0, "runs past the page commit");
        assertPrefixOfClean(r, src, 1);
        // the same with a length word (type_len 0) far too large
        d = Files.readAllBytes(src);
        putU32(d, hdr, (w & ~0x1fL));
        putU32(d, hdr + 4, 0x10000);
        assertBad(write("v6-event-length0.dat", d), hdr, 0, "event length 65536 runs past the page commit");
    }

    @Test
    void pageCommitPastItsEndInsideCompressedChunk() throws IOException {
        // through the chunked path: the offset is the chunk header, plus where in the decompressed chunk
        byte[] clean = shared(ZSTD);
        TraceDatLayout l = TraceDatLayout.parse(clean);
        TraceDatLayout.Cpu cpu = l.allCpus().get(0);
        byte[] page = cpu.pages.get(1);
        putU64(page, 8, 4096 - 16 + 1);
        byte[] mini = MiniTraceDat.write(l, new MiniTraceDat.Spec().compression("zstd").pages(4));
        TraceDatLayout.Chunk ch = TraceDatLayout.parse(mini).allCpus().get(0).chunks.get(0);
        Run r = assertBad(write("zstd-mini-commit.dat", mini), ch.offset(), 0, "(byte " + (4096 + 8) + " of the decompressed chunk)");
        assertTrue(r.err.contains("runs past the page"), r.err);
    }

    // ------------------------------------------------------------------ regressions from the fuzzer

    /** A small v7 file without compression: option fields are plain bytes at known offsets. */
    static TraceDatLayout miniNone(String name, byte[][] out) throws IOException {
        TraceDatLayout l = TraceDatLayout.parse(Files.readAllBytes(v6()));
        byte[] d = MiniTraceDat.write(l, new MiniTraceDat.Spec().compression("none").pages(2));
        out[0] = d;
        write(name, d);
        return TraceDatLayout.parse(d);
    }

    @Test
    void optionTooShortForItsSectionOffset() throws IOException {
        // fuzz: option.size of a section pointer (16..21) set to 1 → BufferUnderflowException
        byte[][] d = new byte[1][];
        TraceDatLayout l = miniNone("short-option.dat", d);
        TraceDatLayout.Field size = l.fields.stream().filter(f -> f.name().equals("option.size")).toList().get(0);
        putU32(d[0], size.offset(), 1);
        assertBad(write("short-option.dat", d[0]), size.offset() - 2, Main.EXIT_BAD_INPUT, "HEADER_INFO is too short (1 bytes)");
    }

    @Test
    void bufferOptionTooShort() throws IOException {
        // fuzz: BUFFER option cut right after its name → BufferUnderflowException
        byte[][] d = new byte[1][];
        TraceDatLayout l = miniNone("short-buffer.dat", d);
        TraceDatLayout.Field off = l.field("buffer.offset");
        long optStart = off.offset() - 6;
        putU32(d[0], optStart + 2, 8 + 1);  // offset + an empty name, nothing else
        assertBad(write("short-buffer.dat", d[0]), optStart, Main.EXIT_BAD_INPUT, "BUFFER option is too short");
    }

    @Test
    void v6BufferOptionTooShort() throws IOException {
        // fuzz: v6 BUFFER option (instance buffer) with size 3 → BufferUnderflowException
        TraceDatLayout pvm = TraceDatLayout.parse(shared(PVM));
        byte[] d = MiniTraceDat.write(pvm, new MiniTraceDat.Spec().version(6).pages(2));
        long optStart = TraceDatLayout.parse(d).field("v6.buffer.offset").offset() - 6;
        putU32(d, optStart + 2, 3);
        assertBad(write("v6-short-buffer.dat", d), optStart, Main.EXIT_BAD_INPUT, "BUFFER option is too short (3 bytes)");
    }

    @Test
    void bufferOptionPageSizeNotAPowerOfTwo() throws IOException {
        // fuzz: buffer.page_size with bit 22 flipped (4 MB + 4 KB) → every CPU allocated 32 such pages: OutOfMemoryError
        byte[][] d = new byte[1][];
        TraceDatLayout l = miniNone("buffer-page-size.dat", d);
        TraceDatLayout.Field ps = l.field("buffer.page_size");
        putU32(d[0], ps.offset(), (4 << 20) + 4096);
        assertBad(write("buffer-page-size.dat", d[0]), l.field("buffer.offset").offset() - 6, Main.EXIT_BAD_INPUT, "bad page size");
    }

    @Test
    void overlappingCpuData() throws IOException {
        // a BUFFER option listing the same bytes for two CPUs: every CPU's reader holds up to 32
        // pages of its data, so thousands of such entries could exhaust the heap; refused at open
        byte[][] d = new byte[1][];
        TraceDatLayout l = miniNone("overlap.dat", d);
        List<TraceDatLayout.Field> offs = l.fields.stream().filter(f -> f.name().equals("buffer.cpu.offset")).toList();
        List<TraceDatLayout.Field> sizes = l.fields.stream().filter(f -> f.name().equals("buffer.cpu.size")).toList();
        long first = ByteBuffer.wrap(d[0]).order(ByteOrder.LITTLE_ENDIAN).getLong((int) offs.get(0).offset());
        long firstSize = ByteBuffer.wrap(d[0]).order(ByteOrder.LITTLE_ENDIAN).getLong((int) sizes.get(0).offset());
        putU64(d[0], offs.get(1).offset(), first + 4096);
        putU64(d[0], sizes.get(1).offset(), firstSize - 4096);
        assertBad(write("overlap.dat", d[0]), first + 4096, Main.EXIT_BAD_INPUT, "overlaps that of buffer '' CPU ");
    }

    @Test
    void bufferOptionNegativeCpuId() throws IOException {
        // fuzz: buffer.cpu.id - 4096 on a file with TIME_SHIFT → ArrayIndexOutOfBoundsException in the time shift
        byte[][] d = new byte[1][];
        TraceDatLayout l = miniNone("cpu-id.dat", d);
        TraceDatLayout.Field id = l.field("buffer.cpu.id");
        putU32(d[0], id.offset(), -4091);
        assertBad(write("cpu-id.dat", d[0]), l.field("buffer.offset").offset() - 6, Main.EXIT_BAD_INPUT, "bad CPU id 4294963205");
    }

    @Test
    void damagedTagTextStaysOnOneLine() throws IOException {
        // fuzz: header_page.size + N made the header_event tag read start inside the header_event
        // text; the message quoted file text with a newline in it (two-line error)
        byte[] d = Files.readAllBytes(v6());
        TraceDatLayout l = TraceDatLayout.parse(d);
        TraceDatLayout.Field size = l.field("header_page.size");
        long n = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).getLong((int) size.offset());
        long eventTag = size.offset() + 8 + n;
        d[(int) eventTag] = '\n';
        d[(int) eventTag + 1] = 0x1b; // and a terminal escape
        Run r = assertBad(write("tag-newline.dat", d), eventTag, Main.EXIT_BAD_INPUT, "expected 'header_event', found '\\n\\x1b");
        assertFalse(r.err.contains("\u001b"), "raw escape character in the message");
    }

    // ------------------------------------------------------------------ damaged event formats

    /** A small v6 (or v7) file from the x86 trace with the kvm_exit format text changed by {@code edit}. */
    static byte[] withKvmExitFormat(java.util.function.UnaryOperator<String> edit, int version, String compression) throws IOException {
        return withFormat("kvm_exit", edit, version, compression);
    }

    static byte[] withFormat(String event, java.util.function.UnaryOperator<String> edit, int version, String compression) throws IOException {
        TraceDatLayout l = TraceDatLayout.parse(Files.readAllBytes(v6())).copyTexts();
        MiniTraceDat.Spec spec = new MiniTraceDat.Spec().version(version).compression(compression).pages(4);
        FuzzSeeds.mini(l, spec, tmp); // sets spec.events to the events the pages hold
        java.util.Set<String> keep = new java.util.HashSet<>(spec.events);
        keep.add("kvm:" + event);     // the format is written even if no event uses it
        spec.events(keep);
        List<String> kvm = l.systems.get("kvm");
        boolean found = false;
        for (int i = 0; i < kvm.size(); i++) {
            if (kvm.get(i).startsWith("name: " + event + "\n")) {
                String changed = edit.apply(kvm.get(i));
                assertFalse(changed.equals(kvm.get(i)), "the edit changed nothing");
                kvm.set(i, changed);
                found = true;
            }
        }
        assertTrue(found);
        return MiniTraceDat.write(l, spec);
    }

    static String printFmt(String f, String newFmt) {
        return f.replaceFirst("(?m)^print fmt: .*$", java.util.regex.Matcher.quoteReplacement("print fmt: " + newFmt));
    }

    /** Dump of a file whose damage is survivable: exit 0, kvm_exit lines present, in bounded time. */
    static Run assertDumpsFine(Path p) {
        Run r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> run("dump", p.toString()));
        assertEquals(0, r.code, "exit code; stderr: " + r.err);
        assertTrue(r.out.contains(" kvm_exit: "), "no kvm_exit line");
        return r;
    }

    @Test
    void printFormatWithHugeWidthOrPrecision() throws IOException {
        // fuzz/review: "%999999999u" built a gigabyte of padding per field (OutOfMemoryError);
        // "%.100000000u" padded in a quadratic loop (hang). Such a format now counts as failed:
        // the fields print raw, as for any print format exitscope cannot follow
        Path w = write("pf-width.dat", withKvmExitFormat(f -> printFmt(f, "\"vcpu %999999999u\", REC->vcpu_id"), 6, "none"));
        assertTrue(assertDumpsFine(w).out.contains(" vcpu_id=0"));
        Path pr = write("pf-precision.dat", withKvmExitFormat(f -> printFmt(f, "\"vcpu %.100000000u\", REC->vcpu_id"), 6, "none"));
        assertTrue(assertDumpsFine(pr).out.contains(" vcpu_id=0"));
    }

    @Test
    void printFormatWithThousandsOfCasts() throws IOException {
        // fuzz/review: the direct-field regex recursed once per cast: StackOverflowError
        String casts = "(int)".repeat(20_000);
        Path p = write("pf-casts.dat", withKvmExitFormat(f -> printFmt(f, "\"vcpu %u\", " + casts + "REC->vcpu_id"), 6, "none"));
        assertTrue(assertDumpsFine(p).out.contains(" vcpu_id=0"));
    }

    @Test
    void fieldOffsetNearIntMax() throws IOException {
        // review: offset + size overflowed int in RawEvent.has, the read went outside the record
        Path p = write("field-offset.dat", withKvmExitFormat(f -> f.replace("offset:56;\tsize:4;", "offset:2147483647;\tsize:4;"), 6, "none"));
        Run r = assertDumpsFine(p);
        String exitLine = r.out.lines().filter(l -> l.contains(" kvm_exit: ")).findFirst().orElseThrow();
        assertFalse(exitLine.contains("vcpu_id="), "a field outside the record is not printed: " + exitLine);
    }

    @Test
    void fieldWithoutAType() throws IOException {
        // review: "field:vcpu_id[4];" made FormatParser call substring(0, -1) (internal error)
        byte[] d = withKvmExitFormat(f -> f.replace("field:unsigned int vcpu_id;", "field:vcpu_id[4];"), 6, "none");
        long text = new String(d, StandardCharsets.ISO_8859_1).indexOf("name: kvm_exit\n");
        assertBad(write("field-no-type.dat", d), text, Main.EXIT_BAD_INPUT, "field without a type");
    }

    @Test
    void damagedFormatOfAnEventTheDataNeverUses() throws IOException {
        // formats are parsed when an event first needs one: a damaged format of an event type
        // absent from the data does not stop dump or report (trace-cmd reads such files too);
        // info, which vouches for every format, names it
        byte[] clean = withFormat("kvm_xen_hypercall", f -> f + " ", 6, "none");
        byte[] d = withFormat("kvm_xen_hypercall", f -> f.replaceFirst("offset:8;", "offset:x;"), 6, "none");
        Path p = write("unused-format.dat", d);
        Run dump = run("dump", p.toString());
        assertEquals(0, dump.code, dump.err);
        assertEquals(run("dump", write("unused-format-clean.dat", clean).toString()).out, dump.out);
        long text = new String(d, StandardCharsets.ISO_8859_1).indexOf("name: kvm_xen_hypercall\n");
        Run info = run("info", p.toString());
        assertEquals(Main.EXIT_BAD_INPUT, info.code, info.err);
        assertOneLineError(info, p, "info");
        assertTrue(info.err.contains("at byte " + text + ": ") && info.err.contains("bad number 'x'"), info.err);
        assertEquals("", info.out);
    }

    @Test
    void badFormatInsideCompressedSectionPointsAtTheSection() throws IOException {
        // regression: offsets of errors inside a compressed section were "section start + position
        // in the decompressed data", past the end of a small file; now the compressed data's start
        // plus where in the decompressed section
        byte[] d = withKvmExitFormat(f -> f.replaceFirst("ID: \\d+", "ID: x"), 7, "zstd");
        TraceDatLayout.Section ev = TraceDatLayout.parse(d).section(18);
        Run r = assertBad(write("format-in-zstd.dat", d), ev.dataOffset(), Main.EXIT_BAD_INPUT, "bad event ID 'x'");
        assertTrue(r.err.contains(" of the decompressed section)"), r.err);
    }

    // ------------------------------------------------------------------ v7 sections too short

    @Test
    void v7SectionsTooShortForTheirOwnSizeFields() throws IOException {
        byte[][] d = new byte[1][];
        TraceDatLayout l = miniNone("short-sections.dat", d);
        byte[] clean = d[0];
        // kallsyms section of 2 bytes: only info reads kallsyms (was BufferUnderflowException)
        byte[] k = clean.clone();
        TraceDatLayout.Section ks = l.section(19);
        putU64(k, ks.offset() + 8, 2);
        Path kp = write("short-kallsyms.dat", k);
        Run info = run("info", kp.toString());
        assertEquals(Main.EXIT_BAD_INPUT, info.code, info.err);
        assertOneLineError(info, kp, "info");
        assertTrue(info.err.contains("at byte " + (ks.offset() + 16) + ": kallsyms section of 2 bytes has no size"), info.err);
        assertEquals(0, run("dump", "--count", kp.toString()).code);
        // cmdlines section of 4 bytes (was BufferUnderflowException)
        byte[] c = clean.clone();
        TraceDatLayout.Section cs = l.section(21);
        putU64(c, cs.offset() + 8, 4);
        assertBad(write("short-cmdlines.dat", c), cs.offset() + 16, Main.EXIT_BAD_INPUT, "cmdlines section of 4 bytes has no size");
        // a negative cmdlines size (was IndexOutOfBoundsException from ByteBuffer.slice)
        c = clean.clone();
        putU64(c, cs.offset() + 16, -1);
        assertBad(write("negative-cmdlines.dat", c), cs.offset() + 16, Main.EXIT_BAD_INPUT, "cmdlines size -1 exceeds its section");
        // header info section ending right after "header_page\0" (was BufferUnderflowException)
        byte[] h = clean.clone();
        TraceDatLayout.Section hs = l.section(16);
        putU64(h, hs.offset() + 8, 12);
        assertBad(write("short-header-info.dat", h), hs.offset() + 16 + 12, Main.EXIT_BAD_INPUT, "ends inside the header_page size");
        // a negative header_page size (was IllegalArgumentException from ByteBuffer.slice)
        h = clean.clone();
        putU64(h, hs.offset() + 16 + 12, -1);
        assertBad(write("negative-header-page.dat", h), hs.offset() + 16 + 12, Main.EXIT_BAD_INPUT, "header_page size -1 exceeds its section");
    }

    @Test
    void headerPageFieldsOutsideThePageHeader() throws IOException {
        // the timestamp field placed after the data start: the page cursor read outside the page
        byte[] d = Files.readAllBytes(v6());
        TraceDatLayout l = TraceDatLayout.parse(d);
        long text = l.field("header_page.size").offset() + 8;
        String hp = new String(d, (int) text, l.headerPage.length(), StandardCharsets.ISO_8859_1);
        String bad = hp.replace("offset:0;", "offset:9;"); // same length: timestamp at 9, data at 16
        assertFalse(bad.equals(hp));
        System.arraycopy(bad.getBytes(StandardCharsets.ISO_8859_1), 0, d, (int) text, bad.length());
        assertBad(write("header-page-fields.dat", d), text, Main.EXIT_BAD_INPUT, "bad header_page");
    }
}

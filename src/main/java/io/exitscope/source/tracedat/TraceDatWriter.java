package io.exitscope.source.tracedat;

import io.exitscope.source.ringbuffer.PageBuilder;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes trace-cmd {@code trace.dat} files, version 7 (compression none, zlib or zstd) or
 * version 6, in the layout trace-cmd itself writes (lib/trace-cmd/trace-output.c) so that
 * trace-cmd, KernelShark and our {@link TraceDatReader} read them.
 *
 * <p>Usage: configure with {@link #builder()}, {@link Builder#open open} an output path, stream
 * ring-buffer pages in with {@link #addPage}, then {@link #close()}. Pages are staged per CPU
 * (in memory up to {@value #CHUNK_PAGES} pages, then in a temporary file beside the output,
 * compressed chunk by chunk as they arrive), so memory stays bounded whatever the recording
 * length. {@code close()} assembles {@code OUT.tmp} with {@link FileChannel#transferTo} and
 * renames it to {@code OUT}; on failure, and on {@link #abort()}, temporary files are deleted.
 *
 * <p>Threads: {@code addPage} may be called concurrently from several threads (live recording
 * reads each CPU in its own thread); pages of one (buffer, CPU) are stored in call order, so
 * calls for the same CPU should come from one thread. All {@code addPage} calls must have
 * returned before {@code close()} or {@code abort()}. If staging a page fails (disk full), the
 * writer keeps failing and {@code close()} only removes its temporary files.
 *
 * <p>Layout written (v7): header, compression header, the metadata sections (header info,
 * ftrace formats, event formats, kallsyms, printk, cmdlines; compressed when the file is), the
 * first options section, then per buffer a BUFFER section holding the page-aligned CPU data
 * followed by an options section with its BUFFER option, and finally the strings section.
 * Sections follow each other without gaps: trace-cmd finds the strings by walking them.
 */
public final class TraceDatWriter implements Closeable {
    /** Pages per compressed chunk (trace-cmd's {@code PAGES_IN_CHUNK}). */
    public static final int CHUNK_PAGES = 10;

    private final Builder cfg;
    private final Path out;
    private final Path dir;
    private final ByteOrder order;
    private final List<BufferStage> buffers = new ArrayList<>();
    private volatile boolean closed;
    private volatile IOException failure;   // a page that could not be staged spoils the file

    private TraceDatWriter(Builder cfg, Path out) {
        this.cfg = cfg;
        this.out = out.toAbsolutePath();
        this.dir = this.out.getParent();
        this.order = cfg.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        for (String[] b : cfg.buffers) buffers.add(new BufferStage(b[0], b[1]));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of buffers; indexes for {@link #addPage} run from 0 in declaration order. */
    public int bufferCount() {
        return buffers.size();
    }

    /**
     * Appends one ring-buffer page (as read from {@code trace_pipe_raw}) to a CPU of a buffer.
     * A page shorter than the page size is zero-padded.
     */
    public void addPage(int bufferIndex, int cpu, byte[] page, int off, int len) throws IOException {
        if (closed) throw new IllegalStateException("writer is closed");
        if (len > cfg.pageSize || len < 0) throw new IllegalArgumentException("page of " + len + " bytes (page size " + cfg.pageSize + ")");
        if (cpu < 0 || cpu > 0xffff) throw new IllegalArgumentException("bad CPU " + cpu);
        if (failure != null) throw new IOException("an earlier page could not be staged", failure);
        try {
            buffers.get(bufferIndex).cpu(cpu).add(page, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    /**
     * Metadata known only at the end of a recording (the threads seen, the CPU statistics):
     * callable until {@link #close()}, which writes it.
     */
    public synchronized void addCmdline(int pid, String comm) {
        if (closed) throw new IllegalStateException("writer is closed");
        cfg.cmdlines.append(pid).append(' ').append(comm).append('\n');
    }

    /** See {@link #addCmdline}: one {@code per_cpu/cpuN/stats} text per call. */
    public synchronized void addCpuStat(String text) {
        if (closed) throw new IllegalStateException("writer is closed");
        cfg.cpuStats.add(text);
    }

    /** Convenience for a whole page. */
    public void addPage(int bufferIndex, int cpu, byte[] page) throws IOException {
        addPage(bufferIndex, cpu, page, 0, page.length);
    }

    /** Drops everything: no output is written and temporary files are deleted. */
    public void abort() {
        closed = true;
        for (BufferStage b : buffers) for (CpuStage c : b.cpus.values()) c.discard();
    }

    /** Writes the file; after a staging failure, only cleans up and reports it. */
    @Override
    public void close() throws IOException {
        if (closed) return;
        if (failure != null) {
            abort();
            throw new IOException("not writing " + out + ": a page could not be staged", failure);
        }
        closed = true;
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        boolean ok = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                Out o = new Out(ch, order);
                if (cfg.version == 6) writeV6(o);
                else writeV7(o);
                ch.force(false);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
            ok = true;
        } finally {
            for (BufferStage b : buffers) for (CpuStage c : b.cpus.values()) c.discard();
            if (!ok) Files.deleteIfExists(tmp);
        }
    }

    // ---------------------------------------------------------------- staging

    private final class BufferStage {
        final String name;
        final String clock;
        final Map<Integer, CpuStage> cpus = new ConcurrentHashMap<>();

        BufferStage(String name, String clock) {
            this.name = name;
            this.clock = clock;
        }

        CpuStage cpu(int cpu) {
            return cpus.computeIfAbsent(cpu, CpuStage::new);
        }

        /** CPUs with data, in CPU order. */
        List<CpuStage> sorted() {
            List<CpuStage> l = new ArrayList<>(new TreeMap<>(cpus).values());
            l.removeIf(c -> c.pages == 0);
            return l;
        }
    }

    /**
     * One CPU's pages: up to a chunk of pages in memory, complete chunks (compressed if the
     * file is) in a staging file that holds exactly the bytes the output will hold.
     */
    private final class CpuStage {
        final int cpu;
        byte[] chunk;
        int chunkLen;
        Path path;
        FileChannel file;
        long fileBytes;
        long pages;
        int chunks;

        CpuStage(int cpu) {
            this.cpu = cpu;
        }

        synchronized void add(byte[] p, int off, int len) throws IOException {
            if (chunk == null) chunk = new byte[CHUNK_PAGES * cfg.pageSize];
            System.arraycopy(p, off, chunk, chunkLen, len);
            Arrays.fill(chunk, chunkLen + len, chunkLen + cfg.pageSize, (byte) 0);
            chunkLen += cfg.pageSize;
            pages++;
            if (chunkLen == chunk.length) {
                if (file == null) {
                    path = Files.createTempFile(dir, "." + out.getFileName() + ".", ".cpu" + cpu + ".tmp");
                    file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
                ByteBuffer b = ByteBuffer.wrap(encodeChunk());
                while (b.hasRemaining()) fileBytes += file.write(b, fileBytes);
                chunkLen = 0;
            }
        }

        /** The pending pages as stored in the file: raw, or one compressed chunk with its sizes. */
        byte[] encodeChunk() {
            if (!compressed()) return Arrays.copyOf(chunk, chunkLen);
            byte[] c = cfg.compression.compress(chunk, 0, chunkLen);
            chunks++;
            return new Bytes(order).u32(c.length).u32(chunkLen).raw(c).toArray();
        }

        /** Copies this CPU's data to the output; returns the size to record for it. */
        synchronized long transferTo(Out o) throws IOException {
            byte[] tail = chunkLen > 0 ? encodeChunk() : new byte[0];
            chunkLen = 0;
            long start = o.pos;
            if (compressed()) o.write(new Bytes(order).u32(chunks).toArray());
            if (file != null) {
                long done = 0;
                while (done < fileBytes) done += file.transferTo(done, fileBytes - done, o.ch.position(o.pos + done));
                o.pos += fileBytes;
            }
            o.write(tail);
            // The size includes the leading chunk count, as trace-cmd >= 3.2 records it (commit
            // 4b921329); 3.1.6 left those 4 bytes out. Readers go by the chunk count, not the size.
            return o.pos - start;
        }

        synchronized void discard() {
            try {
                if (file != null) file.close();
                if (path != null) Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // best effort: a leftover hidden temp file is not worth failing for
            }
            file = null;
            path = null;
            chunk = null;
        }
    }

    private boolean compressed() {
        return cfg.compression != Compression.NONE;
    }

    // ---------------------------------------------------------------- v7

    private void writeV7(Out o) throws IOException {
        Strings strings = new Strings();
        o.write(initialHeader(7).text(cfg.compression.fileName).u8(0).text(compressionVersion()).u8(0).toArray());
        long firstOptionsPtr = o.pos;
        o.write(new Bytes(order).u64(0).toArray());

        long headers = section(o, strings, TraceDatReader.OPT_HEADER_INFO, "headers", headerInfo().toArray());
        long ftrace = section(o, strings, TraceDatReader.OPT_FTRACE_EVENTS, "ftrace events", ftraceFormats().toArray());
        long events = section(o, strings, TraceDatReader.OPT_EVENT_FORMATS, "events format", eventFormats().toArray());
        long kallsyms = section(o, strings, TraceDatReader.OPT_KALLSYMS, "kallsyms", sized4(cfg.kallsyms).toArray());
        long printk = section(o, strings, TraceDatReader.OPT_PRINTK, "printk", sized4(cfg.printk).toArray());
        long cmdlines = section(o, strings, TraceDatReader.OPT_CMDLINES, "command lines", sized8(cmdlinesText()).toArray());

        Bytes opts = new Bytes(order);
        option(opts, TraceDatReader.OPT_HEADER_INFO, new Bytes(order).u64(headers));
        option(opts, TraceDatReader.OPT_FTRACE_EVENTS, new Bytes(order).u64(ftrace));
        option(opts, TraceDatReader.OPT_EVENT_FORMATS, new Bytes(order).u64(events));
        option(opts, TraceDatReader.OPT_KALLSYMS, new Bytes(order).u64(kallsyms));
        option(opts, TraceDatReader.OPT_PRINTK, new Bytes(order).u64(printk));
        commonOptions(opts);
        option(opts, TraceDatReader.OPT_CMDLINES, new Bytes(order).u64(cmdlines));
        option(opts, TraceDatReader.OPT_CPUCOUNT, new Bytes(order).u32(cpus()));
        o.patchU64(firstOptionsPtr, o.pos);
        long donePtr = optionsSection(o, strings, opts);

        for (BufferStage b : writeOrder()) {
            long sectionAt = o.pos;
            int flags = compressed() ? 1 : 0;
            o.write(new Bytes(order).u16(TraceDatReader.OPT_BUFFER).u16(flags).u32(strings.id("buffer flyrecord " + b.name)).u64(0).toArray());
            Bytes opt = new Bytes(order).u64(sectionAt).cstr(b.name).cstr(b.clock).u32(cfg.pageSize);
            List<CpuStage> cpus = b.sorted();
            opt.u32(cpus.size());
            for (CpuStage c : cpus) {
                o.zeroTo(align(o.pos));
                long at = o.pos;
                long size = c.transferTo(o);
                opt.u32(c.cpu).u64(at).u64(size);
            }
            o.patchU64(sectionAt + 8, o.pos - sectionAt - 16);
            o.patchU64(donePtr, o.pos);
            Bytes bo = new Bytes(order);
            option(bo, TraceDatReader.OPT_BUFFER, opt);
            donePtr = optionsSection(o, strings, bo);
        }
        // the strings section names itself, so register that name before writing the table
        int self = strings.id("strings");
        byte[] table = strings.toArray();
        rawSection(o, TraceDatReader.OPT_STRINGS, self, table);
    }

    /** An options section (never compressed, as trace-cmd writes them); returns where its DONE pointer is. */
    private long optionsSection(Out o, Strings strings, Bytes options) throws IOException {
        byte[] body = options.u16(TraceDatReader.OPT_DONE).u32(8).u64(0).toArray();
        o.write(new Bytes(order).u16(TraceDatReader.OPT_DONE).u16(0).u32(strings.id("options")).u64(body.length).toArray());
        o.write(body);
        return o.pos - 8;
    }

    private long section(Out o, Strings strings, int id, String description, byte[] content) throws IOException {
        return rawSection(o, id, strings.id(description), content);
    }

    private long rawSection(Out o, int id, int description, byte[] content) throws IOException {
        long at = o.pos;
        Bytes h = new Bytes(order).u16(id).u16(compressed() ? 1 : 0).u32(description);
        if (compressed()) {
            byte[] c = cfg.compression.compress(content, 0, content.length);
            o.write(h.u64(8L + c.length).u32(c.length).u32(content.length).toArray());
            o.write(c);
        } else {
            o.write(h.u64(content.length).toArray());
            o.write(content);
        }
        return at;
    }

    private String compressionVersion() {
        return switch (cfg.compression) {
            case NONE -> "";
            // trace-cmd checks only the name (zstd) or that the major version is not newer than its own (zlib)
            case ZLIB -> "1.2.11";
            case ZSTD -> "1.5.4";
        };
    }

    // ---------------------------------------------------------------- v6

    private void writeV6(Out o) throws IOException {
        o.write(initialHeader(6).toArray());
        o.write(headerInfo().toArray());
        o.write(ftraceFormats().toArray());
        o.write(eventFormats().toArray());
        o.write(sized4(cfg.kallsyms).toArray());
        o.write(sized4(cfg.printk).toArray());
        o.write(sized8(cmdlinesText()).toArray());
        int cpus = cpus();
        o.write(new Bytes(order).u32(cpus).toArray());

        Bytes opts = new Bytes(order).raw(tag("options  "));
        commonOptions(opts);
        // v6 BUFFER options (instances only) hold the offset of the instance's flyrecord block
        Map<BufferStage, Integer> bufferPtr = new LinkedHashMap<>();
        for (BufferStage b : buffers) {
            if (b.name.isEmpty()) continue;
            opts.u16(TraceDatReader.OPT_BUFFER).u32(8 + b.name.length() + 1);
            bufferPtr.put(b, opts.size());
            opts.u64(0).cstr(b.name);
        }
        option(opts, TraceDatReader.OPT_CPUCOUNT, new Bytes(order).u32(cpus));
        opts.u16(TraceDatReader.OPT_DONE);   // v6: a bare id, no size
        long optsAt = o.pos;
        o.write(opts.toArray());

        flyrecordV6(o, top(), cpus);
        for (Map.Entry<BufferStage, Integer> e : bufferPtr.entrySet()) {
            o.patchU64(optsAt + e.getValue(), o.pos);
            flyrecordV6(o, e.getKey(), cpus);
        }
    }

    /** "flyrecord", a (offset, size) pair for every CPU, the clock, then page-aligned data. */
    private void flyrecordV6(Out o, BufferStage b, int cpus) throws IOException {
        o.write(tag("flyrecord"));
        long table = o.pos;
        o.write(new byte[16 * cpus]);
        String clock = "[" + b.clock + "]";
        o.write(new Bytes(order).u64(clock.length()).text(clock).toArray());
        for (CpuStage c : b.sorted()) {
            o.zeroTo(align(o.pos));
            long at = o.pos;
            long size = c.transferTo(o);
            o.patchU64(table + 16L * c.cpu, at);
            o.patchU64(table + 16L * c.cpu + 8, size);
        }
    }

    /** The 10-byte v6 block tags: "options  \0", "flyrecord\0". */
    private static byte[] tag(String s) {
        return Arrays.copyOf(s.getBytes(StandardCharsets.ISO_8859_1), 10);
    }

    private BufferStage top() {
        return buffers.stream().filter(b -> b.name.isEmpty()).findFirst().orElseThrow();
    }

    /** The top buffer first, as trace-cmd writes it, then the instances in declaration order. */
    private List<BufferStage> writeOrder() {
        List<BufferStage> l = new ArrayList<>(buffers);
        l.remove(top());
        l.add(0, top());
        return l;
    }

    // ---------------------------------------------------------------- shared content

    private Bytes initialHeader(int version) {
        return new Bytes(order).raw(TraceDatReader.MAGIC).cstr(Integer.toString(version))
                .u8(cfg.bigEndian ? 1 : 0).u8(cfg.userLongSize).u32(cfg.pageSize);
    }

    private Bytes headerInfo() {
        return new Bytes(order).cstr("header_page").u64(len(cfg.headerPage)).text(cfg.headerPage)
                .cstr("header_event").u64(len(cfg.headerEvent)).text(cfg.headerEvent);
    }

    private Bytes ftraceFormats() {
        Bytes b = new Bytes(order).u32(cfg.ftraceFormats.size());
        for (String f : cfg.ftraceFormats) b.u64(len(f)).text(f);
        return b;
    }

    private Bytes eventFormats() {
        Bytes b = new Bytes(order).u32(cfg.eventFormats.size());
        for (Map.Entry<String, List<String>> s : cfg.eventFormats.entrySet()) {
            b.cstr(s.getKey()).u32(s.getValue().size());
            for (String f : s.getValue()) b.u64(len(f)).text(f);
        }
        return b;
    }

    private Bytes sized4(String s) {
        return new Bytes(order).u32(len(s)).text(s);
    }

    private Bytes sized8(String s) {
        return new Bytes(order).u64(len(s)).text(s);
    }

    private String cmdlinesText() {
        return cfg.cmdlines.toString();
    }

    /** Options common to v6 and v7, in the order trace-cmd records them. */
    private void commonOptions(Bytes o) {
        if (cfg.date != null) option(o, TraceDatReader.OPT_DATE, new Bytes(order).cstr(cfg.date));
        if (cfg.offset != null) option(o, TraceDatReader.OPT_OFFSET, new Bytes(order).cstr(Long.toString(cfg.offset)));
        option(o, TraceDatReader.OPT_TRACECLOCK, new Bytes(order).cstr(traceClockText()));
        if (cfg.uname != null) option(o, TraceDatReader.OPT_UNAME, new Bytes(order).cstr(cfg.uname));
        option(o, TraceDatReader.OPT_VERSION, new Bytes(order).cstr(cfg.tracerVersion));
        if (cfg.traceId != null) option(o, TraceDatReader.OPT_TRACEID, new Bytes(order).u64(cfg.traceId));
        for (String s : cfg.cpuStats) option(o, TraceDatReader.OPT_CPUSTAT, new Bytes(order).cstr(s));
        for (Guest g : cfg.guests) {
            Bytes b = new Bytes(order).cstr(g.name).u64(g.traceId).u32(g.vcpuToPid.size());
            for (Map.Entry<Integer, Integer> e : g.vcpuToPid.entrySet()) b.u32(e.getKey()).u32(e.getValue());
            option(o, TraceDatReader.OPT_GUEST, b);
        }
        if (cfg.tsc2nsec != null) {
            option(o, TraceDatReader.OPT_TSC2NSEC, new Bytes(order).u32(cfg.tsc2nsec[0]).u32(cfg.tsc2nsec[1]).u64(cfg.tsc2nsec[2]));
        }
        if (cfg.synthetic != null) option(o, TraceDatReader.OPT_EXITSCOPE_SYNTHETIC, new Bytes(order).cstr(cfg.synthetic));
        for (Map.Entry<Integer, byte[]> e : cfg.rawOptions) option(o, e.getKey(), new Bytes(order).raw(e.getValue()));
    }

    private String traceClockText() {
        if (cfg.traceClock != null) return cfg.traceClock;
        // like the tracefs file: the available clocks with the selected one in brackets
        return "[" + top().clock + "]";
    }

    private void option(Bytes o, int id, Bytes data) {
        o.u16(id).u32(data.size()).raw(data.toArray());
    }

    /** CPUs in the system: as configured, and at least every CPU that has data. */
    private int cpus() {
        int n = cfg.cpuCount;
        for (BufferStage b : buffers) for (CpuStage c : b.sorted()) n = Math.max(n, c.cpu + 1);
        return n;
    }

    private long align(long pos) {
        long p = cfg.pageSize;
        return (pos + p - 1) / p * p;
    }

    private static int len(String s) {
        return s.length();   // Latin-1: one byte per char
    }

    // ---------------------------------------------------------------- configuration

    /** A guest traced with the host (GUEST option). */
    public record Guest(String name, long traceId, Map<Integer, Integer> vcpuToPid) {}

    /**
     * Everything but the trace data. Defaults: v7, zstd (none for v6), little endian, 8-byte
     * longs, 4096-byte pages, the header_page of a 64-bit kernel, one top buffer with the
     * {@code local} clock, VERSION "exitscope VERSION".
     */
    public static final class Builder {
        private int version = 7;
        private Compression compression;
        private boolean bigEndian;
        private int userLongSize = 8;
        private int pageSize = 4096;
        private String headerPage;
        private String headerEvent = PageBuilder.HEADER_EVENT;
        private final List<String> ftraceFormats = new ArrayList<>();
        private final Map<String, List<String>> eventFormats = new LinkedHashMap<>();
        private String kallsyms = "";
        private String printk = "";
        private final StringBuilder cmdlines = new StringBuilder();
        private String traceClock;
        private String uname;
        private String tracerVersion = defaultVersion();
        private Long traceId;
        private int cpuCount;
        private final List<String> cpuStats = new ArrayList<>();
        private String date;
        private Long offset;
        private long[] tsc2nsec;
        private final List<Guest> guests = new ArrayList<>();
        private String synthetic;
        private final List<Map.Entry<Integer, byte[]>> rawOptions = new ArrayList<>();
        private final List<String[]> buffers = new ArrayList<>();

        private Builder() {}

        private static String defaultVersion() {
            return "exitscope " + io.exitscope.util.BuildInfo.version();
        }

        /** 6 or 7. */
        public Builder version(int v) {
            if (v != 6 && v != 7) throw new IllegalArgumentException("trace.dat version must be 6 or 7");
            version = v;
            return this;
        }

        /** v7 only; v6 files are never compressed. */
        public Builder compression(Compression c) { compression = c; return this; }
        public Builder bigEndian(boolean b) { bigEndian = b; return this; }

        /** The traced machine's user-space long size (trace.dat header byte), 4 or 8. */
        public Builder userLongSize(int n) {
            if (n != 4 && n != 8) throw new IllegalArgumentException("long size must be 4 or 8");
            userLongSize = n;
            return this;
        }

        /**
         * Page (sub-buffer) size of every buffer: a power of two. Note: trace-cmd 3.1.6 mmaps
         * uncompressed pages one by one and cannot read pages smaller than the host's 4 KiB.
         */
        public Builder pageSize(int n) {
            if (n < 64 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("page size must be a power of two >= 64");
            pageSize = n;
            return this;
        }

        /** {@code events/header_page} text; its commit size is the kernel's long size. */
        public Builder headerPage(String text) { headerPage = text; return this; }
        public Builder headerEvent(String text) { headerEvent = text; return this; }
        public Builder ftraceFormat(String text) { ftraceFormats.add(text); return this; }

        /** An {@code events/SYSTEM/EVENT/format} text; systems keep the order of first mention. */
        public Builder eventFormat(String system, String text) {
            eventFormats.computeIfAbsent(system, s -> new ArrayList<>()).add(text);
            return this;
        }

        public Builder kallsyms(String text) { kallsyms = text; return this; }
        public Builder printk(String text) { printk = text; return this; }

        /** Appends {@code saved_cmdlines} text ("pid comm" lines). */
        public Builder cmdlines(String text) { cmdlines.append(text); return this; }
        public Builder cmdline(int pid, String comm) { cmdlines.append(pid).append(' ').append(comm).append('\n'); return this; }

        /** The {@code trace_clock} file text, selected clock in brackets; default "[clock of the first buffer]". */
        public Builder traceClock(String text) { traceClock = text; return this; }
        public Builder uname(String text) { uname = text; return this; }
        public Builder tracerVersion(String text) { tracerVersion = text; return this; }
        public Builder traceId(long id) { traceId = id; return this; }

        /** CPUs in the system (CPUCOUNT); raised to cover every CPU that has data. */
        public Builder cpuCount(int n) { cpuCount = n; return this; }

        /** One CPUSTAT option ({@code per_cpu/cpuN/stats} text); add one per CPU, in order. */
        public Builder cpuStat(String text) { cpuStats.add(text); return this; }

        /** DATE: microseconds, as text (trace-cmd writes hex "0x..."), added to every time stamp ×1000. */
        public Builder date(String text) { date = text; return this; }

        /** OFFSET: nanoseconds added to every time stamp. */
        public Builder offset(long ns) { offset = ns; return this; }
        public Builder tsc2nsec(long mult, int shift, long offset) { tsc2nsec = new long[]{mult, shift, offset}; return this; }
        public Builder guest(Guest g) { guests.add(g); return this; }

        /** Labels the file as simulated data (exitscope's own option), with a description. */
        public Builder synthetic(String description) { synthetic = description; return this; }

        /** Any option, written as given (its data in the file's byte order). */
        public Builder option(int id, byte[] data) { rawOptions.add(Map.entry(id, data.clone())); return this; }

        /**
         * Declares a buffer ("" = top, else an instance) with its clock. Buffer indexes for
         * {@link TraceDatWriter#addPage} follow declaration order. When no top buffer is declared
         * one is added after the declared ones (index = their count), without data, as trace-cmd
         * files always have one; with no declaration at all, buffer 0 is the top buffer with the
         * {@code local} clock.
         */
        public Builder buffer(String name, String clock) {
            for (String[] b : buffers) if (b[0].equals(name)) throw new IllegalArgumentException("buffer '" + name + "' declared twice");
            buffers.add(new String[]{name, clock});
            return this;
        }

        /** Checks the configuration and starts a file; nothing is written to {@code out} before close(). */
        public TraceDatWriter open(Path out) throws IOException {
            Builder c = copy();
            if (c.compression == null) c.compression = c.version == 6 ? Compression.NONE : Compression.ZSTD;
            if (c.version == 6 && c.compression != Compression.NONE) throw new IllegalArgumentException("trace.dat v6 cannot be compressed");
            if (c.headerPage == null) c.headerPage = PageBuilder.headerPageText(8, c.pageSize);
            if (c.buffers.isEmpty()) c.buffers.add(new String[]{"", "local"});
            if (c.buffers.stream().noneMatch(b -> b[0].isEmpty())) c.buffers.add(new String[]{"", c.buffers.get(0)[1]});
            Path dir = out.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) throw new IOException("no such directory for " + out);
            return new TraceDatWriter(c, out);
        }

        private Builder copy() {
            Builder c = new Builder();
            c.version = version; c.compression = compression; c.bigEndian = bigEndian; c.userLongSize = userLongSize;
            c.pageSize = pageSize; c.headerPage = headerPage; c.headerEvent = headerEvent;
            c.ftraceFormats.addAll(ftraceFormats);
            eventFormats.forEach((k, v) -> c.eventFormats.put(k, new ArrayList<>(v)));
            c.kallsyms = kallsyms; c.printk = printk; c.cmdlines.append(cmdlines);
            c.traceClock = traceClock; c.uname = uname; c.tracerVersion = tracerVersion; c.traceId = traceId;
            c.cpuCount = cpuCount; c.cpuStats.addAll(cpuStats); c.date = date; c.offset = offset;
            c.tsc2nsec = tsc2nsec; c.guests.addAll(guests); c.synthetic = synthetic; c.rawOptions.addAll(rawOptions);
            for (String[] b : buffers) c.buffers.add(b.clone());
            return c;
        }
    }

    // ---------------------------------------------------------------- encoding helpers

    /** Description strings of sections; a string's id is its offset in the strings section. */
    private static final class Strings {
        private final Bytes table = new Bytes(ByteOrder.LITTLE_ENDIAN);

        int id(String s) {
            int at = table.size();
            table.cstr(s);
            return at;
        }

        byte[] toArray() {
            return table.toArray();
        }
    }

    /** A growable byte array with numbers in the file's byte order. */
    static final class Bytes {
        private final ByteBuffer scratch;
        private byte[] a = new byte[64];
        private int n;

        Bytes(ByteOrder order) {
            scratch = ByteBuffer.allocate(8).order(order);
        }

        private void room(int k) {
            if (n + k > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + k));
        }

        Bytes u8(int v) {
            room(1);
            a[n++] = (byte) v;
            return this;
        }

        Bytes u16(int v) {
            scratch.putShort(0, (short) v);
            return raw(scratch.array(), 2);
        }

        Bytes u32(long v) {
            scratch.putInt(0, (int) v);
            return raw(scratch.array(), 4);
        }

        Bytes u64(long v) {
            scratch.putLong(0, v);
            return raw(scratch.array(), 8);
        }

        Bytes raw(byte[] b) {
            return raw(b, b.length);
        }

        private Bytes raw(byte[] b, int len) {
            room(len);
            System.arraycopy(b, 0, a, n, len);
            n += len;
            return this;
        }

        Bytes text(String s) {
            return raw(s.getBytes(StandardCharsets.ISO_8859_1));
        }

        Bytes cstr(String s) {
            return text(s).u8(0);
        }

        int size() {
            return n;
        }

        byte[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /** Sequential output with back-patching. */
    private static final class Out {
        final FileChannel ch;
        final ByteOrder order;
        long pos;

        Out(FileChannel ch, ByteOrder order) {
            this.ch = ch;
            this.order = order;
        }

        void write(byte[] b) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b);
            while (bb.hasRemaining()) pos += ch.write(bb, pos);
        }

        void zeroTo(long target) throws IOException {
            if (target > pos) write(new byte[(int) (target - pos)]);
        }

        void patchU64(long at, long v) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(8).order(order).putLong(0, v);
            while (b.hasRemaining()) ch.write(b, at + b.position());
        }
    }
}

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
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes trace-cmd {@code trace.dat} files, version 7 (compression none, zlib or zstd) or
 * version 6, in the layout trace-cmd itself writes (lib/trace-cmd/trace-output.c) so that
 * trace-cmd, KernelShark and our {@link TraceDatReader} read them.
 *
 * <p>Usage: configure with {@link #builder()}, {@link Builder#open open} an output path, stream
 * ring-buffer pages in with {@link #addPage}, then {@link #close()}. Everything lives in a
 * directory {@code OUT.partial} beside the output until {@code close()}: {@code head} (the file
 * up to the CPU data, written at {@code open}: header, formats, kallsyms, printk), {@code state}
 * (what {@link #recover} needs to finish it), {@code reserve} (room for the end of the file and
 * the pages still in memory, released at close), and one staging file per CPU ({@code bN.cpuM}:
 * complete chunks of {@value #CHUNK_PAGES} pages, compressed if the file is, exactly as the
 * output holds them), so memory stays bounded whatever the recording length. {@code close()}
 * moves the staged chunks into {@code head} from the last piece back, cutting each piece off its
 * staging file, so the disk never holds a page twice, writes the end of the file and renames
 * {@code head} to {@code OUT}. A process killed before that leaves {@code OUT.partial}, which
 * {@link #recover} turns into {@code OUT}.
 *
 * <p>When staging fails (disk full) the writer keeps what it staged: later pages are dropped and
 * counted ({@link #pagesDropped()}), the cause is kept ({@link #failure()}), and {@code close()}
 * still writes the file, in the room the reserve held.
 *
 * <p>Threads: {@code addPage} may be called concurrently from several threads (live recording
 * reads each CPU in its own thread); pages of one (buffer, CPU) are stored in call order, so
 * calls for the same CPU should come from one thread. All {@code addPage} calls must have
 * returned before {@code close()} or {@code abort()}.
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

    /** Bytes moved at a time from a staging file into the output at close (the extra room it needs). */
    static final int MOVE_PIECE = 64 << 10;
    /** Room kept for the end of the file (cmdlines, options, strings) besides the pages in memory. */
    static final int RESERVE_BASE = 256 << 10;
    /** Sections of the head, in file order (their descriptions' ids in the strings section follow this order). */
    private static final String[] HEAD_SECTIONS = {"headers", "ftrace events", "events format", "kallsyms", "printk"};

    private final Builder cfg;
    private final Path out;
    private final Path stage;
    private final ByteOrder order;
    private final List<BufferStage> buffers = new ArrayList<>();
    private volatile boolean closed;
    private volatile IOException failure;   // staging failed (disk full): later pages are dropped
    private final java.util.concurrent.atomic.AtomicLong pagesDropped = new java.util.concurrent.atomic.AtomicLong();
    private FileChannel head;
    private long headLength;
    private long firstOptionsPtr;
    private final long[] headSections = new long[HEAD_SECTIONS.length];
    private final Strings strings = new Strings();

    private TraceDatWriter(Builder cfg, Path out, Path stage) {
        this.cfg = cfg;
        this.out = out.toAbsolutePath();
        this.stage = stage.toAbsolutePath();
        this.order = cfg.bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        for (String[] b : cfg.buffers) buffers.add(new BufferStage(buffers.size(), b[0], b[1]));
    }

    /** Where the recording of {@code out} is kept until it is finished: {@code OUT.partial}. */
    public static Path partialDir(Path out) {
        Path a = out.toAbsolutePath();
        return a.resolveSibling(a.getFileName() + ".partial");
    }

    /** Creates {@code OUT.partial} with the head, the state and the reserve. */
    private void start() throws IOException {
        try {
            Files.createDirectory(stage);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException(stage + " holds an unfinished recording: recover it with 'exitscope recover " + out
                    + "' or remove it");
        }
        try {
            head = FileChannel.open(stage.resolve("head"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Out o = new Out(head, order);
            if (cfg.version == 6) writeHeadV6(o);
            else writeHeadV7(o);
            headLength = o.pos;
            writeState();
            Files.write(stage.resolve("reserve"), new byte[reserveBytes()]);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** What {@link #recover} needs besides the head and the staging files; written last at open. */
    private void writeState() throws IOException {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("version", Integer.toString(cfg.version));
        p.setProperty("compression", cfg.compression.name());
        p.setProperty("bigEndian", Boolean.toString(cfg.bigEndian));
        p.setProperty("userLongSize", Integer.toString(cfg.userLongSize));
        p.setProperty("pageSize", Integer.toString(cfg.pageSize));
        p.setProperty("cpuCount", Integer.toString(cfg.cpuCount));
        p.setProperty("tracerVersion", cfg.tracerVersion);
        if (cfg.traceClock != null) p.setProperty("traceClock", cfg.traceClock);
        if (cfg.uname != null) p.setProperty("uname", cfg.uname);
        if (cfg.date != null) p.setProperty("date", cfg.date);
        if (cfg.offset != null) p.setProperty("offset", Long.toString(cfg.offset));
        if (cfg.traceId != null) p.setProperty("traceId", Long.toString(cfg.traceId));
        if (cfg.synthetic != null) p.setProperty("synthetic", cfg.synthetic);
        if (cfg.tsc2nsec != null) p.setProperty("tsc2nsec", cfg.tsc2nsec[0] + "," + cfg.tsc2nsec[1] + "," + cfg.tsc2nsec[2]);
        for (int i = 0; i < cfg.buffers.size(); i++) {
            p.setProperty("buffer." + i + ".name", cfg.buffers.get(i)[0]);
            p.setProperty("buffer." + i + ".clock", cfg.buffers.get(i)[1]);
        }
        p.setProperty("headLength", Long.toString(headLength));
        p.setProperty("firstOptionsPtr", Long.toString(firstOptionsPtr));
        for (int i = 0; i < HEAD_SECTIONS.length; i++) p.setProperty("section." + i, Long.toString(headSections[i]));
        Path tmp = stage.resolve("state.tmp");
        try (var w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "exitscope recording of " + out + "; finish it with: exitscope recover " + out);
        }
        Files.move(tmp, stage.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
    }

    /** What an unfinished recording ({@code OUT.partial}) holds. */
    public record Partial(Path dir, long pages, int cpus, long bytes, boolean complete) {
        /** One line for info and recover. */
        public String describe() {
            if (!complete) return dir + " is an unfinished recording killed while it started: nothing to recover";
            return dir + " holds an unfinished recording (the process was killed): " + pages + " pages of " + cpus
                    + " CPUs (" + bytes + " bytes) are recoverable";
        }
    }

    /** The unfinished recording of {@code out}, or null when there is none. Reads only. */
    public static Partial inspect(Path out) throws IOException {
        Path dir = partialDir(out);
        if (!Files.isDirectory(dir)) return null;
        if (!Files.isRegularFile(dir.resolve("state"))) return new Partial(dir, 0, 0, 0, false);
        TraceDatWriter w = resume(out, out, false);
        long pages = 0, bytes = 0;
        int cpus = 0;
        for (BufferStage b : w.buffers) {
            for (CpuStage c : b.cpus.values()) {
                pages += c.pages;
                bytes += c.fileBytes;
                if (c.pages > 0) cpus++;
                c.file.close();
            }
        }
        w.head.close();
        return new Partial(dir, pages, cpus, bytes, true);
    }

    /**
     * Finishes the recording a killed process left in {@code OUT.partial}: the complete chunks
     * of every CPU (a chunk cut short by the kill is dropped), without the command names and CPU
     * statistics that are written only at the end. Writes {@code dest} and removes {@code OUT.partial}.
     */
    public static Partial recover(Path out, Path dest) throws IOException {
        Partial p = inspect(out);
        if (p == null) throw new IOException("no unfinished recording of " + out + " (no " + partialDir(out) + ")");
        if (!p.complete()) throw new IOException(p.describe());
        TraceDatWriter w = resume(out, dest, true);
        w.close();
        return p;
    }

    /** A writer on an existing {@code OUT.partial}; {@code write}: may cut torn chunks off the staging files. */
    private static TraceDatWriter resume(Path out, Path dest, boolean write) throws IOException {
        Path dir = partialDir(out);
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(dir.resolve("state"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Builder b = builder();
        try {
            b.version(Integer.parseInt(p.getProperty("version")));
            b.compression(Compression.valueOf(p.getProperty("compression")));
            b.bigEndian(Boolean.parseBoolean(p.getProperty("bigEndian")));
            b.userLongSize(Integer.parseInt(p.getProperty("userLongSize")));
            b.pageSize(Integer.parseInt(p.getProperty("pageSize")));
            b.cpuCount(Integer.parseInt(p.getProperty("cpuCount")));
            b.tracerVersion(p.getProperty("tracerVersion"));
            b.traceClock = p.getProperty("traceClock");
            b.uname = p.getProperty("uname");
            b.date = p.getProperty("date");
            if (p.getProperty("offset") != null) b.offset(Long.parseLong(p.getProperty("offset")));
            if (p.getProperty("traceId") != null) b.traceId(Long.parseLong(p.getProperty("traceId")));
            b.synthetic = p.getProperty("synthetic");
            if (p.getProperty("tsc2nsec") != null) {
                String[] t = p.getProperty("tsc2nsec").split(",");
                b.tsc2nsec(Long.parseLong(t[0]), Integer.parseInt(t[1]), Long.parseLong(t[2]));
            }
            for (int i = 0; p.getProperty("buffer." + i + ".name") != null; i++) {
                b.buffers.add(new String[]{p.getProperty("buffer." + i + ".name"), p.getProperty("buffer." + i + ".clock")});
            }
        } catch (RuntimeException e) {
            throw new IOException(dir.resolve("state") + ": not an exitscope recording state (" + e.getMessage() + ")");
        }
        TraceDatWriter w = new TraceDatWriter(b, dest, dir);
        w.headLength = Long.parseLong(p.getProperty("headLength"));
        w.firstOptionsPtr = Long.parseLong(p.getProperty("firstOptionsPtr"));
        for (int i = 0; i < HEAD_SECTIONS.length; i++) w.headSections[i] = Long.parseLong(p.getProperty("section." + i));
        if (b.version != 6) for (String name : HEAD_SECTIONS) w.strings.id(name); // the head's section names, same ids
        w.head = FileChannel.open(dir.resolve("head"), StandardOpenOption.READ, StandardOpenOption.WRITE);
        try (var ds = Files.newDirectoryStream(dir, "b*.cpu*")) {
            for (Path f : ds) {
                String[] parts = f.getFileName().toString().substring(1).split("\\.cpu");
                int bi, cpu;
                try {
                    bi = Integer.parseInt(parts[0]);
                    cpu = Integer.parseInt(parts[1]);
                } catch (RuntimeException e) {
                    continue; // not a staging file
                }
                if (bi >= w.buffers.size()) continue;
                CpuStage c = w.buffers.get(bi).cpu(cpu);
                c.file = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                w.scanStaged(c, write);
            }
        }
        return w;
    }

    /** Counts the whole chunks of a staging file left by a killed process; {@code cut}: truncates a torn last one. */
    private void scanStaged(CpuStage c, boolean cut) throws IOException {
        long size = c.file.size();
        long valid;
        if (!compressed()) {
            valid = size - size % cfg.pageSize;
            c.pages = valid / cfg.pageSize;
        } else {
            ByteBuffer h = ByteBuffer.allocate(8).order(order);
            long at = 0;
            while (at + 8 <= size) {
                h.clear();
                while (h.hasRemaining() && c.file.read(h, at + h.position()) > 0) {
                    // read the chunk's two sizes
                }
                long csize = h.getInt(0) & 0xffffffffL, usize = h.getInt(4) & 0xffffffffL;
                if (usize == 0 || usize % cfg.pageSize != 0 || usize > (long) CHUNK_PAGES * cfg.pageSize || at + 8 + csize > size) break;
                c.chunks++;
                c.pages += usize / cfg.pageSize;
                at += 8 + csize;
            }
            valid = at;
        }
        c.fileBytes = valid;
        if (cut && valid < size) c.file.truncate(valid);
    }

    /** Room for the pages each CPU may still hold in memory, their alignment, and the end of the file. */
    private int reserveBytes() {
        long n = RESERVE_BASE + MOVE_PIECE + (long) (CHUNK_PAGES + 1) * cfg.pageSize * Math.max(1, cfg.cpuCount) * buffers.size();
        return (int) Math.min(n, 64L << 20);
    }

    /** The cause of the first staging failure (e.g. No space left on device), or null. */
    public IOException failure() {
        return failure;
    }

    /** Pages dropped because staging had failed. */
    public long pagesDropped() {
        return pagesDropped.get();
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
    public boolean addPage(int bufferIndex, int cpu, byte[] page, int off, int len) {
        if (closed) throw new IllegalStateException("writer is closed");
        if (len > cfg.pageSize || len < 0) throw new IllegalArgumentException("page of " + len + " bytes (page size " + cfg.pageSize + ")");
        if (cpu < 0 || cpu > 0xffff) throw new IllegalArgumentException("bad CPU " + cpu);
        if (failure != null) {
            pagesDropped.incrementAndGet();
            return false;
        }
        try {
            buffers.get(bufferIndex).cpu(cpu).add(page, off, len);
        } catch (IOException e) {
            // the page is in the CPU's chunk in memory, which close() writes into the reserve's room
            if (failure == null) failure = e;
        }
        return true;
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

    /**
     * Convenience for a whole page; false when it was dropped (staging failed earlier, see
     * {@link #failure()}).
     */
    public boolean addPage(int bufferIndex, int cpu, byte[] page) {
        return addPage(bufferIndex, cpu, page, 0, page.length);
    }

    /** Drops everything: no output is written and {@code OUT.partial} is removed. */
    public void abort() {
        if (closed) return; // closed, or a close that failed: its pieces stay where its message said
        closed = true;
        for (BufferStage b : buffers) for (CpuStage c : b.cpus.values()) c.discard();
        try {
            if (head != null) head.close();
        } catch (IOException ignored) {
            // removed below
        }
        deleteStage();
    }

    private void deleteStage() {
        try (var ds = Files.newDirectoryStream(stage)) {
            for (Path p : ds) Files.deleteIfExists(p);
            Files.deleteIfExists(stage);
        } catch (IOException ignored) {
            // best effort: what is left is named OUT.partial and says what it is
        }
    }

    /**
     * Writes the file: the end after the head, the staged data moved in, then renamed to
     * {@code OUT}; also after a staging failure (with what was staged). If this fails,
     * {@code OUT.partial} is left for a look, and the exception says so.
     */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            Files.deleteIfExists(stage.resolve("reserve"));
            head.truncate(headLength);
            Out o = new Out(head, order);
            o.pos = headLength;
            if (cfg.version == 6) writeRestV6(o);
            else writeRestV7(o);
            head.force(false);
            head.close();
            try {
                Files.move(stage.resolve("head"), out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(stage.resolve("head"), out, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            for (BufferStage b : buffers) for (CpuStage c : b.cpus.values()) c.discard();
            throw new IOException("could not finish " + out + ": " + Objects.toString(e.getMessage(), e.toString()) + " (the pieces are in " + stage + ")", e);
        }
        for (BufferStage b : buffers) for (CpuStage c : b.cpus.values()) c.discard();
        deleteStage();
    }

    // ---------------------------------------------------------------- staging

    private final class BufferStage {
        final int index;
        final String name;
        final String clock;
        final Map<Integer, CpuStage> cpus = new ConcurrentHashMap<>();

        BufferStage(int index, String name, String clock) {
            this.index = index;
            this.name = name;
            this.clock = clock;
        }

        CpuStage cpu(int cpu) {
            return cpus.computeIfAbsent(cpu, c -> new CpuStage(stage.resolve("b" + index + ".cpu" + c), c));
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

        CpuStage(Path path, int cpu) {
            this.path = path;
            this.cpu = cpu;
        }

        synchronized void add(byte[] p, int off, int len) throws IOException {
            if (chunk == null) chunk = new byte[CHUNK_PAGES * cfg.pageSize];
            System.arraycopy(p, off, chunk, chunkLen, len);
            Arrays.fill(chunk, chunkLen + len, chunkLen + cfg.pageSize, (byte) 0);
            chunkLen += cfg.pageSize;
            pages++;
            if (chunkLen == chunk.length) {
                if (file == null) file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                int chunksBefore = chunks;
                ByteBuffer b = ByteBuffer.wrap(encodeChunk());
                long at = fileBytes;
                try {
                    while (b.hasRemaining()) at += file.write(b, at);
                } catch (IOException e) {
                    // keep the file a whole number of chunks; the chunk stays in memory for close()
                    chunks = chunksBefore;
                    try {
                        file.truncate(fileBytes);
                    } catch (IOException ignored) {
                        // close() writes only fileBytes of it
                    }
                    throw e;
                }
                fileBytes = at;
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

        /**
         * Moves this CPU's data into the output at its position; returns the size to record for
         * it. The pages still in memory go first, at the end; then the staged chunks from the
         * last piece back, each piece cut off the staging file once written, so that the disk
         * holds every page once (plus one piece) even when it is full.
         */
        synchronized long transferTo(Out o) throws IOException {
            byte[] tail = chunkLen > 0 ? encodeChunk() : new byte[0];
            chunkLen = 0;
            long start = o.pos;
            long dataAt = start + (compressed() ? 4 : 0);
            o.writeAt(dataAt + fileBytes, tail);
            if (file != null) {
                ByteBuffer piece = ByteBuffer.allocateDirect((int) Math.min(MOVE_PIECE, Math.max(1, fileBytes)));
                for (long end = fileBytes; end > 0; ) {
                    long from = Math.max(0, end - piece.capacity());
                    piece.clear().limit((int) (end - from));
                    while (piece.hasRemaining()) {
                        if (file.read(piece, from + piece.position()) < 0) throw new IOException("staging file " + path + " is shorter than written");
                    }
                    piece.flip();
                    while (piece.hasRemaining()) o.ch.write(piece, dataAt + from + piece.position());
                    file.truncate(from);
                    end = from;
                }
            }
            if (compressed()) o.writeAt(start, new Bytes(order).u32(chunks).toArray());
            o.pos = dataAt + fileBytes + tail.length;
            // The size includes the leading chunk count, as trace-cmd >= 3.2 records it (commit
            // 4b921329); 3.1.6 left those 4 bytes out. Readers go by the chunk count, not the size.
            return o.pos - start;
        }

        synchronized void discard() {
            try {
                if (file != null) file.close();
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // best effort: what is left is in OUT.partial
            }
            file = null;
            chunk = null;
        }
    }

    private boolean compressed() {
        return cfg.compression != Compression.NONE;
    }

    // ---------------------------------------------------------------- v7

    /** The v7 file up to the command lines: written at open. */
    private void writeHeadV7(Out o) throws IOException {
        o.write(initialHeader(7).text(cfg.compression.fileName).u8(0).text(compressionVersion()).u8(0).toArray());
        firstOptionsPtr = o.pos;
        o.write(new Bytes(order).u64(0).toArray());
        int[] ids = {TraceDatReader.OPT_HEADER_INFO, TraceDatReader.OPT_FTRACE_EVENTS, TraceDatReader.OPT_EVENT_FORMATS,
                TraceDatReader.OPT_KALLSYMS, TraceDatReader.OPT_PRINTK};
        byte[][] content = {headerInfo().toArray(), ftraceFormats().toArray(), eventFormats().toArray(),
                sized4(cfg.kallsyms).toArray(), sized4(cfg.printk).toArray()};
        for (int i = 0; i < HEAD_SECTIONS.length; i++) headSections[i] = section(o, strings, ids[i], HEAD_SECTIONS[i], content[i]);
    }

    /** The rest of a v7 file, after the head. */
    private void writeRestV7(Out o) throws IOException {
        long headers = headSections[0], ftrace = headSections[1], events = headSections[2], kallsyms = headSections[3], printk = headSections[4];
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

    /** The v6 file up to the command lines: written at open. */
    private void writeHeadV6(Out o) throws IOException {
        o.write(initialHeader(6).toArray());
        o.write(headerInfo().toArray());
        o.write(ftraceFormats().toArray());
        o.write(eventFormats().toArray());
        o.write(sized4(cfg.kallsyms).toArray());
        o.write(sized4(cfg.printk).toArray());
    }

    /** The rest of a v6 file, after the head. */
    private void writeRestV6(Out o) throws IOException {
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

        /**
         * Checks the configuration and starts a file in {@code OUT.partial} (which must not exist);
         * nothing is written to {@code out} before close().
         */
        public TraceDatWriter open(Path out) throws IOException {
            Builder c = copy();
            if (c.compression == null) c.compression = c.version == 6 ? Compression.NONE : Compression.ZSTD;
            if (c.version == 6 && c.compression != Compression.NONE) throw new IllegalArgumentException("trace.dat v6 cannot be compressed");
            if (c.headerPage == null) c.headerPage = PageBuilder.headerPageText(8, c.pageSize);
            if (c.buffers.isEmpty()) c.buffers.add(new String[]{"", "local"});
            if (c.buffers.stream().noneMatch(b -> b[0].isEmpty())) c.buffers.add(new String[]{"", c.buffers.get(0)[1]});
            Path dir = out.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) throw new IOException("no such directory for " + out);
            TraceDatWriter w = new TraceDatWriter(c, out, partialDir(out));
            w.start();
            return w;
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

        void writeAt(long at, byte[] b) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b);
            while (bb.hasRemaining()) ch.write(bb, at + bb.position());
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

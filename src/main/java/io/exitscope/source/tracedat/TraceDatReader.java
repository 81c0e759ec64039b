package io.exitscope.source.tracedat;

import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.event.HeaderPage;
import io.exitscope.event.EventFormats;
import io.exitscope.source.BinaryFile;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceInfo;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads trace-cmd {@code trace.dat} files, versions 6 and 7 (see {@code trace-cmd.dat.v6(5)},
 * {@code trace-cmd.dat.v7(5)}): metadata at open, events streamed page by page on demand.
 *
 * <p>Memory stays bounded by the metadata and one block of pages (or one compressed chunk) per
 * CPU, whatever the file size. Every structural problem becomes a {@link TraceFormatException}
 * naming the file and byte offset.
 */
public final class TraceDatReader implements Closeable {
    static final byte[] MAGIC = TracingData.MAGIC;

    /** Sanity limit for any single metadata block or decompressed chunk. */
    static final int MAX_BLOCK = 256 << 20;

    public static final int OPT_DONE = 0, OPT_DATE = 1, OPT_CPUSTAT = 2, OPT_BUFFER = 3, OPT_TRACECLOCK = 4,
            OPT_UNAME = 5, OPT_HOOK = 6, OPT_OFFSET = 7, OPT_CPUCOUNT = 8, OPT_VERSION = 9, OPT_PROCMAPS = 10,
            OPT_TRACEID = 11, OPT_TIME_SHIFT = 12, OPT_GUEST = 13, OPT_TSC2NSEC = 14, OPT_STRINGS = 15,
            OPT_HEADER_INFO = 16, OPT_FTRACE_EVENTS = 17, OPT_EVENT_FORMATS = 18, OPT_KALLSYMS = 19,
            OPT_PRINTK = 20, OPT_CMDLINES = 21, OPT_BUFFER_TEXT = 22, OPT_BTF_FILE = 23, OPT_LAST_BOOT_INFO = 24,
            OPT_MODULES_FILE = 25;
    /** exitscope's own option: the file holds simulated (synthetic) data. trace-cmd ignores unknown ids. */
    public static final int OPT_EXITSCOPE_SYNTHETIC = 0x7e51;

    static final String[] OPTION_NAMES = {"DONE", "DATE", "CPUSTAT", "BUFFER", "TRACECLOCK", "UNAME", "HOOK",
            "OFFSET", "CPUCOUNT", "VERSION", "PROCMAPS", "TRACEID", "TIME_SHIFT", "GUEST", "TSC2NSEC", "STRINGS",
            "HEADER_INFO", "FTRACE_EVENTS", "EVENT_FORMATS", "KALLSYMS", "PRINTK", "CMDLINES", "BUFFER_TEXT",
            "BTF_FILE", "LAST_BOOT_INFO", "MODULES_FILE"};

    final Path path;
    final String name;
    final BinaryFile file;
    final long fileSize;
    boolean bigEndian;
    ByteOrder order;
    int version;
    int userLongSize;
    int pageSize;
    Compression compression = Compression.NONE;
    String compressionVersion = "";
    final EventFormats formats = new EventFormats();
    final Map<Integer, String> cmdlines = new HashMap<>();
    /** Header page, formats, kallsyms and cmdlines: the parts perf.data's tracing data shares. */
    final TracingData tracing;
    int cpus;
    int cpuCount;
    String traceClockText;
    String uname;
    String tracerVersion;
    long offsetNs;
    TimestampConverter.TimeShift timeShift;
    TraceInfo.Tsc2Nsec tsc2nsec;
    final List<TraceInfo.Guest> guests = new ArrayList<>();
    final List<String> cpuStats = new ArrayList<>();
    final List<TraceInfo.Option> options = new ArrayList<>();
    final List<TraceInfo.Buffer> buffers = new ArrayList<>();
    /** Per buffer: true when its flyrecord data is compressed in chunks. */
    final List<Boolean> bufferCompressed = new ArrayList<>();
    long kallsymsOffset = -1;
    boolean kallsymsInSection;
    /** The EXITSCOPE_SYNTHETIC option's text: null for real data. */
    String syntheticNote;
    private boolean latencyOnly;

    private TraceDatReader(Path path, BinaryFile file) {
        this.path = path;
        this.name = file.name();
        this.file = file;
        this.fileSize = file.size();
        this.tracing = new TracingData(file, formats, cmdlines);
    }

    /** Opens and parses the metadata of a trace.dat file. */
    public static TraceDatReader open(Path path) throws IOException {
        return BinaryFile.openParsed(path, MAX_BLOCK, file -> {
            TraceDatReader r = new TraceDatReader(path, file);
            r.parse();
            return r;
        });
    }

    /** True when {@code head} starts like a trace.dat file. */
    public static boolean looksLikeTraceDat(byte[] head, int n) {
        if (n < MAGIC.length) return false;
        for (int i = 0; i < MAGIC.length; i++) if (head[i] != MAGIC[i]) return false;
        return true;
    }

    // ---------------------------------------------------------------- low-level reads

    ByteBuffer read(long off, long n, String what) throws IOException {
        return file.read(off, n, what);
    }

    static String cstring(ByteBuffer b) {
        return TracingData.cstring(b);
    }

    static String q(String s) {
        return TracingData.q(s);
    }

    static String text(ByteBuffer b) {
        return TracingData.text(b);
    }


    // ---------------------------------------------------------------- parsing

    private void parse() throws IOException {
        if (fileSize == 0) throw new TraceFormatException(name, 0, "empty file");
        ByteBuffer head = read(0, Math.min(fileSize, 64), "file header");
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= head.limit() || head.get(i) != MAGIC[i]) {
                throw new TraceFormatException(name, i, "not a trace.dat file (bad magic)");
            }
        }
        head.position(MAGIC.length);
        String v = cstring(head);
        try {
            version = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new TraceFormatException(name, MAGIC.length, "unknown trace.dat version '" + q(v) + "'");
        }
        if (version != 6 && version != 7) throw new TraceFormatException(name, MAGIC.length, "unsupported trace.dat version " + version + " (6 and 7 are supported)");
        long pos = head.position();
        if (head.remaining() < 6) throw new TraceFormatException(name, pos, "file ends inside the file header");
        int endian = head.get();
        if (endian != 0 && endian != 1) throw new TraceFormatException(name, pos, "bad endianness byte " + endian);
        bigEndian = endian == 1;
        order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        file.order(order);
        head.order(order);
        userLongSize = head.get();
        if (userLongSize != 4 && userLongSize != 8) throw new TraceFormatException(name, pos + 1, "bad long size " + userLongSize);
        pageSize = head.getInt();
        if (pageSize < 64 || pageSize > (1 << 24) || Integer.bitCount(pageSize) != 1) {
            throw new TraceFormatException(name, pos + 2, "bad page size " + pageSize);
        }
        pos = head.position();
        if (version == 6) parseV6(pos);
        else parseV7(pos);
        if (tracing.headerPage() == null) throw new TraceFormatException(name, 0, "no header_page in file");
        checkCpuDataOverlap();
        if (latencyOnly && buffers.isEmpty()) {
            throw new TraceFormatException(name, 0, "latency (text) trace.dat files are not supported; only flyrecord data");
        }
    }

    // ---- v6: sequential layout

    private void parseV6(long pos) throws IOException {
        pos = tracing.readBody(pos, true);
        kallsymsOffset = tracing.kallsymsOffset();
        ByteBuffer b = read(pos, 4, "CPU count");
        cpus = b.getInt();
        if (cpus < 0 || cpus > 65536) throw new TraceFormatException(name, pos, "bad CPU count " + cpus);
        cpuCount = cpus;
        pos += 4;
        while (true) {
            String tag = text(read(pos, 10, "section tag")).trim();
            long tagOff = pos;
            pos += 10;
            switch (tag) {
                case "options" -> pos = readOptionsV6(pos);
                case "latency" -> {
                    latencyOnly = true;
                    return;
                }
                case "flyrecord" -> {
                    List<TraceInfo.CpuData> list = readFlyrecordV6(pos);
                    buffers.add(0, new TraceInfo.Buffer("", selectedClock(), pageSize, list));
                    bufferCompressed.add(0, false);
                    return;
                }
                default -> throw new TraceFormatException(name, tagOff, "unknown section '" + q(tag) + "'");
            }
        }
    }

    private List<TraceInfo.CpuData> readFlyrecordV6(long pos) throws IOException {
        ByteBuffer b = read(pos, 16L * cpus, "flyrecord CPU table");
        List<TraceInfo.CpuData> list = new ArrayList<>();
        for (int c = 0; c < cpus; c++) {
            long off = b.getLong();
            long size = b.getLong();
            checkRange(off, size, pos + 16L * c, "CPU " + c + " data");
            if (size > 0) list.add(new TraceInfo.CpuData(c, off, size));
        }
        return list;
    }

    /**
     * Robustness: CPU data regions must not overlap (trace-cmd never writes that). Every CPU's
     * reader holds up to 32 pages (or a chunk) of its region at once; a damaged CPU table or
     * BUFFER option listing the same bytes for thousands of CPUs multiplied that past any heap.
     * With disjoint regions, what the readers hold together is bounded by the file size.
     */
    private void checkCpuDataOverlap() {
        List<Object[]> all = new ArrayList<>();
        for (TraceInfo.Buffer b : buffers) for (TraceInfo.CpuData c : b.cpus()) all.add(new Object[]{c, b.name()});
        all.sort((x, y) -> Long.compare(((TraceInfo.CpuData) x[0]).offset(), ((TraceInfo.CpuData) y[0]).offset()));
        for (int i = 1; i < all.size(); i++) {
            TraceInfo.CpuData p = (TraceInfo.CpuData) all.get(i - 1)[0], c = (TraceInfo.CpuData) all.get(i)[0];
            if (c.offset() < p.offset() + p.size()) {
                throw new TraceFormatException(name, c.offset(), "data of buffer '" + q((String) all.get(i)[1]) + "' CPU " + c.cpu()
                        + " overlaps that of buffer '" + q((String) all.get(i - 1)[1]) + "' CPU " + p.cpu() + " (at " + p.offset() + ", " + p.size() + " bytes)");
            }
        }
    }

    private void checkRange(long off, long size, long where, String what) {
        file.checkRange(off, size, where, what);
    }

    private long readOptionsV6(long pos) throws IOException {
        List<long[]> bufferOpts = new ArrayList<>();
        List<String> bufferNames = new ArrayList<>();
        while (true) {
            ByteBuffer b = read(pos, 2, "option id");
            int id = b.getShort() & 0xffff;
            pos += 2;
            if (id == OPT_DONE) break;
            b = read(pos, 4, "option size");
            long size = b.getInt() & 0xffffffffL;
            pos += 4;
            ByteBuffer data = read(pos, size, "option " + optionName(id));
            if (id == OPT_BUFFER) {
                // robustness: a short option used to escape as BufferUnderflowException
                if (size < 8) throw new TraceFormatException(name, pos - 6, "BUFFER option is too short (" + size + " bytes)");
                long off = data.getLong();
                String bn = cstring(data);
                bufferOpts.add(new long[]{off, pos});
                bufferNames.add(bn);
                options.add(new TraceInfo.Option(id, "BUFFER", (int) size, "\"" + bn + "\" @" + off));
            } else {
                handleOption(id, data, pos, (int) size);
            }
            pos += size;
        }
        for (int i = 0; i < bufferOpts.size(); i++) {
            long off = bufferOpts.get(i)[0];
            String tag = text(read(off, 10, "buffer section tag")).trim();
            if (!tag.equals("flyrecord")) {
                throw new TraceFormatException(name, off, "buffer '" + q(bufferNames.get(i)) + "' has section '" + q(tag) + "', expected flyrecord");
            }
            buffers.add(new TraceInfo.Buffer(bufferNames.get(i), selectedClock(), pageSize, readFlyrecordV6(off + 10)));
            bufferCompressed.add(false);
        }
        return pos;
    }

    /** Indexes a format found at {@code where} (see {@link TracingData#addFormat}). */
    private void addFormat(String system, String text, long where, String sectionWhere) {
        file.at(where);
        tracing.addFormat(system, text, where, sectionWhere);
    }

    private void readCmdlines(ByteBuffer b) {
        tracing.readCmdlines(b);
    }

    // ---- v7: sections

    /** A section's decompressed content and where it started. */
    private record Section(int id, int flags, ByteBuffer data, long offset) {
        /**
         * File offset for byte {@code pos} of the section's data. Inside compressed data there
         * is no file offset for a byte: errors there point at the compressed data's start.
         */
        long at(int pos) {
            return (flags & 1) != 0 ? offset : offset + pos;
        }

        /** " (byte N of the decompressed section)" for compressed sections, else "". */
        String where(int pos) {
            return (flags & 1) != 0 ? " (byte " + pos + " of the decompressed section)" : "";
        }
    }

    private Section readSection(long off, String what) throws IOException {
        ByteBuffer h = read(off, 16, what + " section header");
        int id = h.getShort() & 0xffff;
        int flags = h.getShort() & 0xffff;
        h.getInt(); // description string id
        long size = h.getLong();
        long dataOff = off + 16;
        if ((flags & 1) != 0) {
            if (compression == Compression.NONE) throw new TraceFormatException(name, off, what + " section is marked compressed in an uncompressed file");
            ByteBuffer c = read(dataOff, 8, what + " compression header");
            long csize = c.getInt() & 0xffffffffL;
            long usize = c.getInt() & 0xffffffffL;
            if (csize + 8 > size) throw new TraceFormatException(name, dataOff, what + ": compressed size " + csize + " exceeds section size " + size);
            if (usize > MAX_BLOCK) throw new TraceFormatException(name, dataOff, what + ": uncompressed size " + usize + " too large");
            // robustness: check the claimed size against the compressed data before allocating it
            String implausible = CpuPages.implausibleSize(compression, csize, usize);
            if (implausible != null) throw new TraceFormatException(name, dataOff, what + " section: " + implausible);
            ByteBuffer comp = read(dataOff + 8, csize, what + " compressed data");
            String frame = CpuPages.zstdFrameMismatch(compression, comp.array(), (int) csize, usize);
            if (frame != null) throw new TraceFormatException(name, dataOff + 8, what + " section: " + frame);
            byte[] out;
            try {
                // robustness: grows with the data instead of allocating the claimed size up front
                out = CpuPages.decompress(compression, comp.array(), (int) csize, (int) usize, null);
            } catch (IllegalArgumentException e) {
                throw new TraceFormatException(name, dataOff + 8, what + ": " + q(e.getMessage()));
            }
            return new Section(id, flags, ByteBuffer.wrap(out, 0, (int) usize).slice().order(order), dataOff + 8);
        }
        return new Section(id, flags, read(dataOff, size, what + " section"), dataOff);
    }

    private void parseV7(long pos) throws IOException {
        String cname = file.stringAt(pos, "compression name");
        pos += cname.length() + 1;
        String cver = file.stringAt(pos, "compression version");
        pos += cver.length() + 1;
        compression = Compression.byName(cname);
        if (compression == null) throw new TraceFormatException(name, pos - cver.length() - cname.length() - 2, "unknown compression '" + q(cname) + "'");
        compressionVersion = cver;
        long optionsOff = read(pos, 8, "first options offset").getLong();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<long[]> bufferOpts = new ArrayList<>();
        List<String[]> bufferMeta = new ArrayList<>();
        List<List<TraceInfo.CpuData>> bufferCpus = new ArrayList<>();
        while (optionsOff != 0) {
            if (!seen.add(optionsOff)) throw new TraceFormatException(name, optionsOff, "options sections form a loop");
            Section s = readSection(optionsOff, "options");
            if (s.id != 0) throw new TraceFormatException(name, optionsOff, "expected an options section, found section id " + s.id);
            ByteBuffer b = s.data;
            long next = 0;
            boolean done = false;
            while (b.remaining() >= 6) {
                int optPos = b.position();
                int id = b.getShort() & 0xffff;
                long size = b.getInt() & 0xffffffffL;
                if (size > b.remaining()) throw new TraceFormatException(name, s.offset + optPos, "option " + optionName(id) + " of " + size + " bytes runs past its section");
                ByteBuffer data = b.slice(b.position(), (int) size).order(order);
                b.position(b.position() + (int) size);
                long where = s.offset + optPos;
                file.at(where);
                if (id == OPT_DONE) {
                    next = size >= 8 ? data.getLong() : 0;
                    done = true;
                    break;
                }
                switch (id) {
                    case OPT_HEADER_INFO -> {
                        Section h = readSection(pointer(data, id, where), "header info");
                        long base = h.offset;
                        parseHeaderInfoBuffer(h);
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, "@" + h.offset));
                    }
                    case OPT_FTRACE_EVENTS -> {
                        Section f = readSection(pointer(data, id, where), "ftrace events");
                        parseFormatBuffer(f, "ftrace", true);
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, "@" + f.offset));
                    }
                    case OPT_EVENT_FORMATS -> {
                        Section f = readSection(pointer(data, id, where), "event formats");
                        parseFormatBuffer(f, null, false);
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, "@" + f.offset));
                    }
                    case OPT_KALLSYMS -> {
                        kallsymsOffset = pointer(data, id, where);
                        kallsymsInSection = true;
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, "@" + kallsymsOffset));
                    }
                    case OPT_CMDLINES -> {
                        Section c = readSection(pointer(data, id, where), "cmdlines");
                        ByteBuffer cb = c.data;
                        // robustness: a cmdlines section shorter than its own size field
                        if (cb.remaining() < 8) throw new TraceFormatException(name, c.offset, "cmdlines section of " + cb.remaining() + " bytes has no size");
                        long n = cb.getLong();
                        // robustness: n < 0 too (a negative size reached ByteBuffer.slice)
                        if (n < 0 || n > cb.remaining()) throw new TraceFormatException(name, c.offset, "cmdlines size " + n + " exceeds its section");
                        readCmdlines(cb.slice(cb.position(), (int) n));
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, cmdlines.size() + " commands"));
                    }
                    case OPT_BUFFER -> {
                        // robustness: every fixed-size field is checked against the option's size
                        // (a short option used to escape as BufferUnderflowException)
                        if (data.remaining() < 8) throw new TraceFormatException(name, where, "BUFFER option is too short (" + size + " bytes)");
                        long off = data.getLong();
                        String bn = cstring(data);
                        String clock = cstring(data);
                        if (data.remaining() < 8) throw new TraceFormatException(name, where, "BUFFER option is too short (" + size + " bytes)");
                        int psize = data.getInt();
                        int n = data.getInt();
                        if (n < 0 || n > 65536 || (long) n * 20 > data.remaining()) {
                            throw new TraceFormatException(name, where, "BUFFER option with bad CPU count " + n);
                        }
                        // robustness: a power of two like the file header's page size; an odd size
                        // such as 4 MB + 4 KB made every CPU allocate 32 such pages (OutOfMemoryError)
                        if (psize < 64 || psize > (1 << 24) || Integer.bitCount(psize) != 1) {
                            throw new TraceFormatException(name, where, "BUFFER option with bad page size " + psize);
                        }
                        List<TraceInfo.CpuData> list = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            int cpu = data.getInt();
                            long coff = data.getLong();
                            long csize = data.getLong();
                            // robustness: a u32 CPU id >= 2^31 became a negative index further on
                            if (cpu < 0) throw new TraceFormatException(name, where, "buffer '" + q(bn) + "' has bad CPU id " + Integer.toUnsignedString(cpu));
                            checkRange(coff, csize, where, "buffer '" + q(bn) + "' CPU " + cpu + " data");
                            if (csize > 0) list.add(new TraceInfo.CpuData(cpu, coff, csize));
                        }
                        bufferOpts.add(new long[]{off, psize, where});
                        bufferMeta.add(new String[]{bn, clock});
                        bufferCpus.add(list);
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, "\"" + bn + "\" clock " + clock + ", " + n + " CPUs"));
                    }
                    case OPT_BUFFER_TEXT -> {
                        latencyOnly = true;
                        options.add(new TraceInfo.Option(id, optionName(id), (int) size, "latency text buffer (not read)"));
                    }
                    case OPT_PRINTK, OPT_BTF_FILE, OPT_MODULES_FILE, OPT_STRINGS ->
                            options.add(new TraceInfo.Option(id, optionName(id), (int) size, size >= 8 ? "@" + data.getLong(0) : ""));
                    default -> handleOption(id, data, where, (int) size);
                }
            }
            if (!done) throw new TraceFormatException(name, s.offset + b.position(), "options section without DONE");
            optionsOff = next;
        }
        for (int i = 0; i < bufferOpts.size(); i++) {
            long off = bufferOpts.get(i)[0];
            boolean compressed = false;
            if (!bufferCpus.get(i).isEmpty()) {
                ByteBuffer h = read(off, 16, "buffer section header");
                int id = h.getShort() & 0xffff;
                int flags = h.getShort() & 0xffff;
                if (id != OPT_BUFFER) throw new TraceFormatException(name, off, "buffer '" + q(bufferMeta.get(i)[0]) + "' points at section id " + id + ", expected 3");
                compressed = (flags & 1) != 0;
                if (compressed && compression == Compression.NONE) throw new TraceFormatException(name, off, "compressed buffer in an uncompressed file");
            }
            buffers.add(new TraceInfo.Buffer(bufferMeta.get(i)[0], bufferMeta.get(i)[1], (int) bufferOpts.get(i)[1], bufferCpus.get(i)));
            bufferCompressed.add(compressed);
        }
        if (cpus == 0) cpus = cpuCount;
    }

    /** The u64 section offset an option (16-21) carries. */
    private long pointer(ByteBuffer data, int id, long where) {
        // robustness: a short option used to escape as BufferUnderflowException
        if (data.remaining() < 8) throw new TraceFormatException(name, where, "option " + optionName(id) + " is too short (" + data.remaining() + " bytes)");
        return data.getLong();
    }

    // robustness (both methods below): error offsets come from Section.at, so an error inside a
    // compressed section points at its compressed data instead of past the end of the file, and
    // every size read from the section is checked before use (negative sizes, early ends).
    private void parseHeaderInfoBuffer(Section sec) {
        ByteBuffer b = sec.data;
        int p0 = b.position();
        String tag = cstring(b);
        if (!tag.equals("header_page")) throw new TraceFormatException(name, sec.at(p0), "expected 'header_page', found '" + q(tag) + "'" + sec.where(p0));
        if (b.remaining() < 8) throw new TraceFormatException(name, sec.at(b.position()), "header info section ends inside the header_page size" + sec.where(b.position()));
        long size = b.getLong();
        if (size < 0 || size > b.remaining()) throw new TraceFormatException(name, sec.at(b.position() - 8), "header_page size " + size + " exceeds its section" + sec.where(b.position() - 8));
        String hp = text(b.slice(b.position(), (int) size));
        int hpPos = b.position();
        b.position(b.position() + (int) size);
        tracing.headerPage(hp, sec.at(hpPos), sec.where(hpPos));
    }

    private void parseFormatBuffer(Section sec, String system, boolean ftrace) {
        ByteBuffer b = sec.data;
        try {
            int systems = 1;
            if (!ftrace) {
                systems = b.getInt();
                if (systems < 0 || systems > 100_000) throw new TraceFormatException(name, sec.at(0), "bad event system count " + systems);
            }
            for (int s = 0; s < systems; s++) {
                String sys = system;
                if (!ftrace) sys = cstring(b);
                int n = b.getInt();
                int np = b.position() - 4;
                if (n < 0 || n > 1_000_000) throw new TraceFormatException(name, sec.at(np), "bad event count " + n + sec.where(np));
                for (int i = 0; i < n; i++) {
                    long size = b.getLong();
                    int sp = b.position() - 8;
                    if (size < 0 || size > b.remaining()) {
                        throw new TraceFormatException(name, sec.at(sp), "event format size " + size + " exceeds its section" + sec.where(sp));
                    }
                    String t = text(b.slice(b.position(), (int) size));
                    int fp = b.position();
                    try {
                        addFormat(sys, t, sec.at(fp), (sec.flags & 1) == 0 ? "" : sec.where(fp));
                    } catch (TraceFormatException e) {
                        if ((sec.flags & 1) == 0) throw e;
                        throw new TraceFormatException(name, e.offset(), e.problem() + sec.where(fp));
                    }
                    b.position(b.position() + (int) size);
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new TraceFormatException(name, sec.at(b.position()), "event formats section ends early" + sec.where(b.position()));
        }
    }

    private void handleOption(int id, ByteBuffer data, long where, int size) {
        String summary = "";
        try {
            switch (id) {
                case OPT_DATE -> {
                    String s = text(data).trim();
                    offsetNs += parseCLong(s) * 1000;
                    summary = s;
                }
                case OPT_OFFSET -> {
                    String s = text(data).trim();
                    offsetNs += parseCLong(s);
                    summary = s;
                }
                case OPT_CPUSTAT -> {
                    String s = text(data);
                    cpuStats.add(s);
                    summary = s.lines().findFirst().orElse("");
                }
                case OPT_TRACECLOCK -> {
                    traceClockText = text(data).trim();
                    summary = traceClockText;
                }
                case OPT_UNAME -> summary = uname = text(data).trim();
                case OPT_VERSION -> summary = tracerVersion = text(data).trim();
                case OPT_CPUCOUNT -> {
                    cpuCount = data.getInt();
                    summary = Integer.toString(cpuCount);
                }
                case OPT_TRACEID -> summary = "0x" + Long.toHexString(data.getLong()).toUpperCase();
                case OPT_TSC2NSEC -> {
                    long mult = data.getInt() & 0xffffffffL;
                    int shift = data.getInt();
                    long off = data.getLong();
                    tsc2nsec = new TraceInfo.Tsc2Nsec(mult, shift, off);
                    summary = "mult " + mult + ", shift " + shift + ", offset " + off;
                }
                case OPT_GUEST -> {
                    String g = cstring(data);
                    long tid = data.getLong();
                    int n = data.getInt();
                    Map<Integer, Integer> m = new LinkedHashMap<>();
                    for (int i = 0; i < n && data.remaining() >= 8; i++) m.put(data.getInt(), data.getInt());
                    guests.add(new TraceInfo.Guest(g, tid, Collections.unmodifiableMap(m)));
                    summary = g + ": vcpu->pid " + m;
                }
                case OPT_TIME_SHIFT -> {
                    data.getLong(); // peer trace id
                    int flags = data.getInt();
                    int n = data.getInt();
                    if (n < 0 || n > 65536) throw new TraceFormatException(name, where, "TIME_SHIFT with bad CPU count " + n);
                    long[][] t = new long[n][], o = new long[n][], sc = new long[n][], fr = new long[n][];
                    for (int c = 0; c < n; c++) {
                        int k = data.getInt();
                        if (k < 0 || (long) k * 24 > data.remaining()) throw new TraceFormatException(name, where, "TIME_SHIFT with bad sample count " + k);
                        t[c] = new long[k]; o[c] = new long[k]; sc[c] = new long[k]; fr[c] = new long[k];
                        for (int i = 0; i < k; i++) t[c][i] = data.getLong();
                        for (int i = 0; i < k; i++) o[c][i] = data.getLong();
                        for (int i = 0; i < k; i++) sc[c][i] = data.getLong();
                    }
                    boolean hasFrac = data.remaining() > 0;
                    if (hasFrac) for (int c = 0; c < n; c++) for (int i = 0; i < t[c].length; i++) fr[c][i] = data.getLong();
                    sortSamples(t, o, sc, fr);
                    timeShift = new TimestampConverter.TimeShift((flags & 1) != 0, t, o, sc, hasFrac ? fr : null);
                    summary = n + " CPUs" + ((flags & 1) != 0 ? ", interpolated" : "");
                }
                case OPT_EXITSCOPE_SYNTHETIC -> {
                    summary = syntheticNote = text(data);
                }
                case OPT_HOOK, OPT_PROCMAPS, OPT_LAST_BOOT_INFO -> summary = text(data).lines().findFirst().orElse("");
                default -> summary = "(" + size + " bytes)";
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new TraceFormatException(name, where, "option " + optionName(id) + " is too short (" + size + " bytes)");
        }
        options.add(new TraceInfo.Option(id, optionName(id), size, summary));
    }

    private static void sortSamples(long[][] t, long[][] o, long[][] sc, long[][] fr) {
        for (int c = 0; c < t.length; c++) {
            int n = t[c].length;
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            final long[] tc = t[c];
            java.util.Arrays.sort(idx, (a, b) -> Long.compare(tc[a], tc[b]));
            long[] t2 = new long[n], o2 = new long[n], s2 = new long[n], f2 = new long[n];
            int j = 0;
            for (int k = 0; k < n; k++) {
                int i = idx[k];
                if (j > 0 && t2[j - 1] == tc[i]) continue;
                t2[j] = tc[i]; o2[j] = o[c][i]; s2[j] = sc[c][i]; f2[j] = fr[c][i];
                j++;
            }
            t[c] = java.util.Arrays.copyOf(t2, j);
            o[c] = java.util.Arrays.copyOf(o2, j);
            sc[c] = java.util.Arrays.copyOf(s2, j);
            fr[c] = java.util.Arrays.copyOf(f2, j);
        }
    }

    /** strtoll(s, NULL, 0): decimal, 0x hex or leading-0 octal, stopping at the first bad char. */
    static long parseCLong(String s) {
        s = s.trim();
        boolean neg = false;
        int i = 0;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) neg = s.charAt(i++) == '-';
        int radix = 10;
        if (s.startsWith("0x", i) || s.startsWith("0X", i)) { radix = 16; i += 2; }
        else if (s.startsWith("0", i) && s.length() > i + 1) { radix = 8; i += 1; }
        long v = 0;
        for (; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0) break;
            v = v * radix + d;
        }
        return neg ? -v : v;
    }

    static String optionName(int id) {
        if (id >= 0 && id < OPTION_NAMES.length) return OPTION_NAMES[id];
        if (id == OPT_EXITSCOPE_SYNTHETIC) return "EXITSCOPE_SYNTHETIC";
        return "UNKNOWN(" + id + ")";
    }

    private String selectedClock() {
        if (traceClockText == null) return null;
        int a = traceClockText.indexOf('['), b = traceClockText.indexOf(']');
        if (a >= 0 && b > a) return traceClockText.substring(a + 1, b);
        return null;
    }

    // ---------------------------------------------------------------- public API

    public TraceInfo info() {
        String clock = selectedClock();
        if (clock == null && !buffers.isEmpty()) clock = buffers.get(buffers.size() - 1).clock();
        for (TraceInfo.Buffer b : buffers) if (!b.cpus().isEmpty() && b.clock() != null) { clock = b.clock(); break; }
        List<String> clocks = new ArrayList<>();
        if (traceClockText != null) for (String c : traceClockText.split("\\s+")) if (!c.isBlank()) clocks.add(c.replace("[", "").replace("]", ""));
        TraceInfo.Layout layout = new TraceInfo.Layout(userLongSize, tracing.headerPage().kernelLongSize(), pageSize);
        return new TraceInfo(name, "trace.dat", version, version == 7 ? compression.fileName + (compressionVersion.isEmpty() ? "" : " " + compressionVersion) : "none",
                bigEndian, clock, cpus, cpuCount, uname, tracerVersion == null ? null : "trace-cmd " + tracerVersion,
                Collections.unmodifiableMap(new HashMap<>(cmdlines)), List.copyOf(guests), formats.size(), syntheticNote,
                new TraceInfo.TraceDat(layout, List.copyOf(clocks), List.copyOf(buffers), tsc2nsec, offsetNs, timeShift != null,
                        List.copyOf(cpuStats), List.copyOf(options)));
    }

    public EventFormats formats() {
        return formats;
    }

    public HeaderPage headerPage() {
        return tracing.headerPage();
    }

    public boolean bigEndian() {
        return bigEndian;
    }

    /** The command name for a pid as trace-cmd shows it. */
    public String comm(int pid) {
        if (pid == 0) return "<idle>";
        String c = cmdlines.get(pid);
        return c == null ? "<...>" : c;
    }

    TimestampConverter converter() {
        long mult = tsc2nsec == null ? 0 : tsc2nsec.mult();
        int shift = tsc2nsec == null ? 0 : tsc2nsec.shift();
        return new TimestampConverter(mult, shift, offsetNs, timeShift);
    }

    /** All events of all buffers, merged in timestamp order, decoded on the calling thread. */
    public EventStream events() {
        return new MergedEventStream(this, converter());
    }

    /**
     * The same events in the same order, the CPUs decoded on up to {@code threads} threads
     * besides the caller's (which merges); 1: {@link #events()}. With one CPU's data, one thread
     * decodes while the caller merges and consumes.
     */
    public EventStream events(int threads) {
        if (threads <= 1) return events();
        return new ParallelEventStream(this, converter(), threads);
    }

    /**
     * Summarizes the kallsyms text, read from the file (v6 and uncompressed v7) or from the
     * decompressed section (compressed v7); the text is dropped after the scan. Returns null when
     * the file has none.
     */
    public Kallsyms kallsyms() throws IOException {
        if (kallsymsOffset < 0) return null;
        ByteBuffer body;
        long base;
        if (kallsymsInSection) {
            Section s = readSection(kallsymsOffset, "kallsyms");
            body = s.data;
            base = s.offset;
        } else {
            return TracingData.kallsymsAt(file, kallsymsOffset);
        }
        // robustness: a section too short for its own size field used to underflow
        if (body.remaining() < 4) throw new TraceFormatException(name, base, "kallsyms section of " + body.remaining() + " bytes has no size");
        long n = body.getInt() & 0xffffffffL;
        if (n > body.remaining()) throw new TraceFormatException(name, base, "kallsyms size " + n + " exceeds its section");
        return Kallsyms.parse(body.slice(body.position(), (int) n), base);
    }

    boolean bufferCompressed(int i) {
        return bufferCompressed.get(i);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}

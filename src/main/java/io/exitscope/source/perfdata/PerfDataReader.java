package io.exitscope.source.perfdata;

import io.exitscope.event.EventFormats;
import io.exitscope.event.EventStream;
import io.exitscope.source.BinaryFile;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.tracedat.Kallsyms;
import io.exitscope.source.tracedat.TracingData;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code perf.data} files {@code perf record} and {@code perf kvm stat record} write
 * (tools/perf/Documentation/perf.data-file-format.txt): the file header, the attributes and their
 * sample ids, the feature sections (tracing data, host, CPUs, command line, event names) at
 * open; the records streamed on demand by {@link PerfEventStream}. Both byte orders, the file
 * layout and the pipe layout ({@code perf record -o -}), whose metadata travels as records at the
 * start of the stream.
 *
 * <p>The tracing data is trace-cmd's layout (see {@link TracingData}): the same event formats,
 * kallsyms and cmdlines as a trace.dat. Every structural problem becomes a
 * {@link TraceFormatException} naming the file and byte offset.
 */
public final class PerfDataReader implements Closeable {
    /** "PERFILE2" read as a little-endian u64. */
    static final long MAGIC = 0x32454c4946524550L;
    static final int FILE_HEADER_SIZE = 104, PIPE_HEADER_SIZE = 16;
    /**
     * Sanity limit for one block read whole (a feature section, the attribute table, kallsyms):
     * a quarter of the default heap, five times the largest kallsyms seen (13 MB, 336 206
     * symbols, in the shared VMX trace; perf itself writes an empty one).
     */
    static final long MAX_BLOCK = 64L << 20;

    // record types (include/uapi/linux/perf_event.h, tools/lib/perf/include/perf/event.h)
    static final int RECORD_LOST = 2, RECORD_COMM = 3, RECORD_EXIT = 4, RECORD_FORK = 7, RECORD_SAMPLE = 9,
            RECORD_LOST_SAMPLES = 13, RECORD_KERNEL_MAX = 21,
            RECORD_HEADER_ATTR = 64, RECORD_HEADER_EVENT_TYPE = 65, RECORD_HEADER_TRACING_DATA = 66,
            RECORD_HEADER_BUILD_ID = 67, RECORD_FINISHED_ROUND = 68, RECORD_AUXTRACE = 71,
            RECORD_EVENT_UPDATE = 78, RECORD_HEADER_FEATURE = 80, RECORD_COMPRESSED = 81, RECORD_USER_MAX = 82;

    // feature bits (tools/perf/util/header.h, enum HEADER_*)
    static final int FEAT_TRACING_DATA = 1, FEAT_HOSTNAME = 3, FEAT_OSRELEASE = 4, FEAT_VERSION = 5, FEAT_ARCH = 6,
            FEAT_NRCPUS = 7, FEAT_CPUDESC = 8, FEAT_CPUID = 9, FEAT_TOTAL_MEM = 10, FEAT_CMDLINE = 11,
            FEAT_EVENT_DESC = 12, FEAT_CLOCKID = 23, FEAT_COMPRESSED = 27, FEAT_CLOCK_DATA = 29;
    static final String[] FEATURE_NAMES = {"RESERVED", "TRACING_DATA", "BUILD_ID", "HOSTNAME", "OSRELEASE", "VERSION",
            "ARCH", "NRCPUS", "CPUDESC", "CPUID", "TOTAL_MEM", "CMDLINE", "EVENT_DESC", "CPU_TOPOLOGY",
            "NUMA_TOPOLOGY", "BRANCH_STACK", "PMU_MAPPINGS", "GROUP_DESC", "AUXTRACE", "STAT", "CACHE",
            "SAMPLE_TIME", "MEM_TOPOLOGY", "CLOCKID", "DIR_FORMAT", "BPF_PROG_INFO", "BPF_BTF", "COMPRESSED",
            "CPU_PMU_CAPS", "CLOCK_DATA", "HYBRID_TOPOLOGY", "PMU_CAPS"};

    final Path path;
    final String name;
    final BinaryFile file;
    final FileChannel channel;
    final long fileSize;
    boolean bigEndian;
    ByteOrder order;
    boolean pipe;
    long dataOffset, dataEnd;
    final List<PerfAttr> attrs = new ArrayList<>();
    final EventFormats formats = new EventFormats();
    final Map<Integer, String> cmdlines = new HashMap<>();
    final TracingData tracing;
    boolean hasTracingData;
    int tracingLongSize;
    int tracingPageSize;
    String hostname, osRelease, arch, perfVersion, cpuDesc, cpuId, commandLine;
    int cpusAvailable = -1, cpusOnline = -1;
    long totalMemKb = -1;
    String compressionText = "none";
    final List<TraceInfo.Option> features = new ArrayList<>();
    /** Offset of the first record of the event stream (after a pipe file's leading metadata). */
    long streamStart;

    private PerfDataReader(Path path, BinaryFile file) {
        this.path = path;
        this.name = file.name();
        this.file = file;
        this.channel = file.channel();
        this.fileSize = file.size();
        this.tracing = new TracingData(file, formats, cmdlines);
    }

    /** Opens a perf.data file and reads its metadata. */
    public static PerfDataReader open(Path path) throws IOException {
        return BinaryFile.openParsed(path, MAX_BLOCK, file -> {
            PerfDataReader r = new PerfDataReader(path, file);
            r.parse();
            return r;
        });
    }

    /** True when {@code head} starts with perf.data's magic in either byte order. */
    public static boolean looksLikePerfData(byte[] head, int n) {
        if (n < 8) return false;
        long le = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return le == MAGIC || Long.reverseBytes(le) == MAGIC;
    }

    ByteBuffer read(long off, long n, String what) throws IOException {
        return file.read(off, n, what);
    }

    // ---------------------------------------------------------------- header

    private void parse() throws IOException {
        if (fileSize == 0) throw new TraceFormatException(name, 0, "empty file");
        ByteBuffer h = read(0, Math.min(fileSize, FILE_HEADER_SIZE), "file header");
        if (h.limit() < 16) throw new TraceFormatException(name, 0, "file ends inside the perf.data header (" + fileSize + " bytes)");
        long magic = h.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (magic == MAGIC) bigEndian = false;
        else if (Long.reverseBytes(magic) == MAGIC) bigEndian = true;
        else throw new TraceFormatException(name, 0, "not a perf.data file (bad magic; only PERFILE2, perf 2.6.35 and later, is read)");
        order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        file.order(order);
        h.order(order);
        long headerSize = h.getLong(8);
        if (headerSize == PIPE_HEADER_SIZE) {
            pipe = true;
            dataOffset = PIPE_HEADER_SIZE;
            dataEnd = fileSize;
            readPipeMetadata();
        } else if (headerSize == FILE_HEADER_SIZE) {
            if (h.limit() < FILE_HEADER_SIZE) throw new TraceFormatException(name, h.limit(), "file ends inside the perf.data header (" + fileSize + " bytes)");
            readFileHeader(h);
        } else {
            throw new TraceFormatException(name, 8, "bad header size " + headerSize + " (104 for a file, 16 for a pipe)");
        }
        if (attrs.isEmpty()) throw new TraceFormatException(name, pipe ? PIPE_HEADER_SIZE : 24, "no event attributes in the file");
        checkSampleIds();
    }

    private void readFileHeader(ByteBuffer h) throws IOException {
        long attrSize = h.getLong(16);
        long attrsOff = h.getLong(24), attrsSize = h.getLong(32);
        dataOffset = h.getLong(40);
        long dataSize = h.getLong(48);
        checkRange(dataOffset, dataSize, 40, "data section");
        dataEnd = dataOffset + dataSize;
        checkRange(attrsOff, attrsSize, 24, "attribute section");
        // an entry is a perf_event_attr (size 64 for the first ABI up to 136 today) then its ids' file section
        if (attrSize < 64 + 16 || attrSize > 4096) throw new TraceFormatException(name, 16, "bad attribute entry size " + attrSize);
        if (attrsSize % attrSize != 0) {
            throw new TraceFormatException(name, 32, "attribute section of " + attrsSize + " bytes is not a multiple of the entry size " + attrSize);
        }
        ByteBuffer a = read(attrsOff, attrsSize, "attribute section");
        for (long i = 0; i < attrsSize / attrSize; i++) {
            int at = (int) (i * attrSize);
            long where = attrsOff + at;
            int attrBytes = (int) attrSize - 16;
            int declared = a.getInt(at + 4);
            if (declared != attrBytes && declared != 0) {
                throw new TraceFormatException(name, where + 4, "attribute size " + declared + " differs from the entry size " + attrSize + " minus 16");
            }
            long idsOff = a.getLong(at + attrBytes), idsSize = a.getLong(at + attrBytes + 8);
            checkRange(idsOff, idsSize, where + attrBytes, "sample ids of attribute " + i);
            if (idsSize % 8 != 0) throw new TraceFormatException(name, where + attrBytes + 8, "sample id list of " + idsSize + " bytes");
            ByteBuffer ids = read(idsOff, idsSize, "sample ids");
            long[] list = new long[(int) (idsSize / 8)];
            for (int k = 0; k < list.length; k++) list[k] = ids.getLong();
            attrs.add(attr(a, at, attrBytes, list, where));
        }
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) bitmap[i] = h.getLong(72 + 8 * i);
        readFeatureSections(bitmap);
        streamStart = dataOffset;
    }

    private void checkRange(long off, long size, long where, String what) {
        file.checkRange(off, size, where, what);
    }

    /** A perf_event_attr at {@code at} in {@code b}, {@code size} bytes long. */
    private PerfAttr attr(ByteBuffer b, int at, int size, long[] ids, long where) {
        if (size < 64) throw new TraceFormatException(name, where, "attribute of " + size + " bytes is too short");
        int type = b.getInt(at);
        long config = b.getLong(at + 8);
        long sampleType = b.getLong(at + 24);
        long readFormat = b.getLong(at + 32);
        long flags = b.getLong(at + 40);
        // C bitfields fill a big-endian word from its top bit: flip so bit n is the nth flag
        if (bigEndian) flags = Long.reverse(flags);
        int clockid = size >= 96 ? b.getInt(at + 92) : 0;
        if ((sampleType & ~((1L << 25) - 1)) != 0) {
            throw new TraceFormatException(name, where + 24, "unknown sample_type bits 0x" + Long.toHexString(sampleType));
        }
        return new PerfAttr(type, size, config, sampleType, readFormat, flags, clockid, ids);
    }

    /**
     * Samples name their attribute by id; perf requires the id at one position for all of them
     * (evlist__valid_sample_type). Checked here so the stream can rely on it.
     */
    private void checkSampleIds() {
        if (attrs.size() < 2) return;
        int pos = attrs.get(0).sampleIdPos(), tpos = attrs.get(0).trailerIdPos();
        for (PerfAttr a : attrs) {
            if (a.sampleIdPos() != pos || a.sampleIdPos() < 0 || (a.sampleIdAll() && a.trailerIdPos() != tpos)) {
                throw new TraceFormatException(name, pipe ? PIPE_HEADER_SIZE : 24,
                        "events carry their ids at different places (sample_type " + PerfAttr.sampleTypeText(a.sampleType) + ")");
            }
        }
    }

    // ---------------------------------------------------------------- features

    private void readFeatureSections(long[] bitmap) throws IOException {
        long tableOff = dataEnd;
        int n = 0;
        for (int bit = 0; bit < 256; bit++) if ((bitmap[bit / 64] & (1L << (bit % 64))) != 0) n++;
        if (n == 0) return;
        ByteBuffer t = read(tableOff, 16L * n, "feature section table");
        for (int bit = 0; bit < 256; bit++) {
            if ((bitmap[bit / 64] & (1L << (bit % 64))) == 0) continue;
            long where = tableOff + t.position();
            long off = t.getLong(), size = t.getLong();
            checkRange(off, size, where, "feature " + featureName(bit));
            if (bit == FEAT_TRACING_DATA) {
                readTracingData(off, size);
                features.add(new TraceInfo.Option(bit, featureName(bit), (int) Math.min(Integer.MAX_VALUE, size),
                        formats.size() + " event formats, " + cmdlines.size() + " cmdlines"));
                continue;
            }
            if (!parsedFeature(bit)) {
                features.add(new TraceInfo.Option(bit, featureName(bit), (int) Math.min(Integer.MAX_VALUE, size), ""));
                continue;
            }
            feature(bit, read(off, size, "feature " + featureName(bit)), off);
        }
    }

    private static boolean parsedFeature(int bit) {
        return switch (bit) {
            case FEAT_HOSTNAME, FEAT_OSRELEASE, FEAT_VERSION, FEAT_ARCH, FEAT_NRCPUS, FEAT_CPUDESC, FEAT_CPUID,
                 FEAT_TOTAL_MEM, FEAT_CMDLINE, FEAT_EVENT_DESC, FEAT_CLOCKID, FEAT_COMPRESSED, FEAT_CLOCK_DATA -> true;
            default -> false;
        };
    }

    static String featureName(int bit) {
        return bit >= 0 && bit < FEATURE_NAMES.length ? FEATURE_NAMES[bit] : "UNKNOWN(" + bit + ")";
    }

    /** One feature's content (tools/perf/util/header.c, process_*), {@code base} its file offset. */
    private void feature(int bit, ByteBuffer b, long base) {
        String summary;
        try {
            switch (bit) {
                case FEAT_HOSTNAME -> summary = hostname = string(b, base);
                case FEAT_OSRELEASE -> summary = osRelease = string(b, base);
                case FEAT_VERSION -> summary = perfVersion = string(b, base);
                case FEAT_ARCH -> summary = arch = string(b, base);
                case FEAT_CPUDESC -> summary = cpuDesc = string(b, base);
                case FEAT_CPUID -> summary = cpuId = string(b, base);
                case FEAT_NRCPUS -> {
                    cpusAvailable = b.getInt();
                    cpusOnline = b.getInt();
                    summary = cpusOnline + " online, " + cpusAvailable + " available";
                }
                case FEAT_TOTAL_MEM -> summary = (totalMemKb = b.getLong()) + " kB";
                case FEAT_CMDLINE -> {
                    int n = b.getInt();
                    if (n < 0 || n > 100_000) throw new TraceFormatException(name, base, "command line of " + n + " words");
                    List<String> words = new ArrayList<>();
                    for (int i = 0; i < n; i++) words.add(string(b, base));
                    summary = commandLine = String.join(" ", words);
                }
                case FEAT_EVENT_DESC -> summary = eventDesc(b, base);
                case FEAT_CLOCKID -> summary = "resolution " + b.getLong() + " ns";
                case FEAT_COMPRESSED -> {
                    int version = b.getInt(), type = b.getInt(), level = b.getInt(), ratio = b.getInt();
                    compressionText = (type == 1 ? "zstd" : "type " + type) + " level " + level;
                    summary = compressionText + ", ratio " + ratio + " (version " + version + ")";
                }
                case FEAT_CLOCK_DATA -> {
                    b.getInt();
                    int clockid = b.getInt();
                    long tod = b.getLong(), clk = b.getLong();
                    summary = "clockid " + clockid + ": " + tod + " ns of day at " + clk + " ns";
                }
                default -> summary = "";
            }
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new TraceFormatException(name, base, "feature " + featureName(bit) + " of " + b.limit() + " bytes ends early");
        }
        features.add(new TraceInfo.Option(bit, featureName(bit), b.limit(), summary));
    }

    /** perf's do_read_string: u32 length (NUL padding included), then the bytes. */
    private String string(ByteBuffer b, long base) {
        int at = b.position();
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) throw new TraceFormatException(name, base + at, "string of " + len + " bytes runs past its feature");
        String s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    /** Event names by id: u32 count, u32 attr size, then per event attr, u32 id count, name, ids. */
    private String eventDesc(ByteBuffer b, long base) {
        int n = b.getInt(), attrSize = b.getInt();
        if (n < 0 || n > 100_000 || attrSize < 64 || attrSize > 4096) {
            throw new TraceFormatException(name, base, "EVENT_DESC with " + n + " events of " + attrSize + " bytes");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (attrSize > b.remaining()) throw new TraceFormatException(name, base + b.position(), "EVENT_DESC ends inside event " + i);
            b.position(b.position() + attrSize);
            int ids = b.getInt();
            if (ids < 0 || (long) ids * 8 > b.remaining()) throw new TraceFormatException(name, base + b.position() - 4, "EVENT_DESC with " + ids + " ids");
            String ev = string(b, base);
            names.add(ev);
            for (int k = 0; k < ids; k++) {
                long id = b.getLong();
                for (PerfAttr a : attrs) for (long x : a.ids) if (x == id && a.name == null) a.name = ev;
            }
        }
        return names.size() <= 4 ? String.join(", ", names) : names.size() + " events: " + String.join(", ", names.subList(0, 4)) + ", ...";
    }

    /** The tracing data at {@code off}: magic, version "0.5"/"0.6", endianness, long size, page size, then {@link TracingData}. */
    private void readTracingData(long off, long size) throws IOException {
        ByteBuffer h = read(off, Math.min(size, 64), "tracing data header");
        byte[] magic = TracingData.MAGIC;
        for (int i = 0; i < magic.length; i++) {
            if (i >= h.limit() || h.get(i) != magic[i]) throw new TraceFormatException(name, off + i, "tracing data has a bad magic");
        }
        h.position(magic.length);
        int start = h.position();
        while (h.hasRemaining() && h.get() != 0) { /* version string */ }
        String version = new String(h.array(), start, Math.max(0, h.position() - start - 1), StandardCharsets.ISO_8859_1);
        if (!version.equals("0.5") && !version.equals("0.6")) {
            throw new TraceFormatException(name, off + start, "unsupported tracing data version '" + TracingData.q(version) + "' (0.5 and 0.6 are read)");
        }
        if (h.remaining() < 6) throw new TraceFormatException(name, off + h.position(), "tracing data ends inside its header");
        int endian = h.get();
        if (endian != 0 && endian != 1) throw new TraceFormatException(name, off + h.position() - 1, "bad endianness byte " + endian);
        if ((endian == 1) != bigEndian) {
            throw new TraceFormatException(name, off + h.position() - 1, "tracing data is " + (endian == 1 ? "big" : "little") + " endian in a "
                    + (bigEndian ? "big" : "little") + " endian file");
        }
        tracingLongSize = h.get();
        if (tracingLongSize != 4 && tracingLongSize != 8) throw new TraceFormatException(name, off + h.position() - 1, "bad long size " + tracingLongSize);
        tracingPageSize = h.order(order).getInt();
        long end = tracing.readBody(off + h.position(), version.equals("0.6"));
        if (end > off + size) throw new TraceFormatException(name, off, "tracing data runs " + (end - off - size) + " bytes past its section");
        if (tracing.headerPage() == null) throw new TraceFormatException(name, off, "tracing data without header_page");
        hasTracingData = true;
    }

    // ---------------------------------------------------------------- pipe mode

    /**
     * A pipe file has no sections: attributes, features and tracing data come as records before
     * the first event (perf's synthesize_* in builtin-record.c). Reads them up to the first other record.
     */
    private void readPipeMetadata() throws IOException {
        long pos = PIPE_HEADER_SIZE;
        while (pos + 8 <= fileSize) {
            ByteBuffer h = read(pos, 8, "record header");
            int type = h.getInt(0);
            int size = h.getShort(6) & 0xffff;
            if (size < 8) throw new TraceFormatException(name, pos, "record of " + size + " bytes (type " + type + ")");
            switch (type) {
                case RECORD_HEADER_ATTR -> {
                    ByteBuffer r = read(pos, size, "HEADER_ATTR record");
                    if (size < 8 + 64) throw new TraceFormatException(name, pos, "HEADER_ATTR record of " + size + " bytes");
                    int attrSize = r.getInt(8 + 4);
                    if (attrSize < 64 || attrSize > size - 8) throw new TraceFormatException(name, pos + 12, "attribute size " + attrSize + " in a record of " + size + " bytes");
                    long[] ids = new long[(size - 8 - attrSize) / 8];
                    for (int k = 0; k < ids.length; k++) ids[k] = r.getLong(8 + attrSize + 8 * k);
                    attrs.add(attr(r, 8, attrSize, ids, pos + 8));
                    pos += size;
                }
                case RECORD_HEADER_FEATURE -> {
                    ByteBuffer r = read(pos, size, "HEADER_FEATURE record");
                    if (size < 16) throw new TraceFormatException(name, pos, "HEADER_FEATURE record of " + size + " bytes");
                    long bit = r.getLong(8);
                    ByteBuffer body = r.slice(16, size - 16).order(order);
                    if (bit >= 0 && bit < 256 && parsedFeature((int) bit)) feature((int) bit, body, pos + 16);
                    else features.add(new TraceInfo.Option((int) bit, featureName((int) bit), size - 16, ""));
                    pos += size;
                }
                case RECORD_HEADER_TRACING_DATA -> {
                    if (size < 12) throw new TraceFormatException(name, pos, "HEADER_TRACING_DATA record of " + size + " bytes");
                    long len = read(pos + 8, 4, "tracing data size").getInt() & 0xffffffffL;
                    readTracingData(pos + size, len);
                    features.add(new TraceInfo.Option(FEAT_TRACING_DATA, "TRACING_DATA", (int) len,
                            formats.size() + " event formats, " + cmdlines.size() + " cmdlines"));
                    pos += size + len;
                }
                case RECORD_HEADER_EVENT_TYPE, RECORD_HEADER_BUILD_ID, RECORD_EVENT_UPDATE, 69, 73, 74, 75, 79 -> pos += size;
                default -> {
                    streamStart = pos;
                    return;
                }
            }
        }
        streamStart = pos;
    }

    // ---------------------------------------------------------------- public API

    public boolean bigEndian() {
        return bigEndian;
    }

    public EventFormats formats() {
        return formats;
    }

    public boolean pipe() {
        return pipe;
    }

    /** What the file says about itself; the clock is the first tracepoint's (perf's local clock by default). */
    public TraceInfo info() {
        String clock = "perf";
        for (PerfAttr a : attrs) if (a.type == PerfAttr.TYPE_TRACEPOINT) { clock = a.clockName(); break; }
        String uname = osRelease == null ? null : "Linux " + (hostname == null ? "" : hostname + " ") + osRelease + (arch == null ? "" : " " + arch);
        List<TraceInfo.Option> options = new ArrayList<>(features);
        for (PerfAttr a : attrs) {
            options.add(new TraceInfo.Option(-1, "EVENT", a.size, (a.name != null ? a.name : "type " + a.type + " config " + a.config)
                    + ": sample_type " + PerfAttr.sampleTypeText(a.sampleType) + (a.sampleIdAll() ? ", sample_id_all" : "") + ", " + a.ids.length + " ids"));
        }
        int cpus = cpusOnline > 0 ? cpusOnline : 0;
        TraceInfo.Layout layout = new TraceInfo.Layout(tracingLongSize,
                tracing.headerPage() == null ? 0 : tracing.headerPage().kernelLongSize(), tracingPageSize);
        return new TraceInfo(name, pipe ? "perf.data (pipe)" : "perf.data", 2, compressionText, bigEndian, clock,
                cpus, cpusAvailable > 0 ? cpusAvailable : cpus, uname, perfVersion == null ? null : "perf " + perfVersion,
                Collections.unmodifiableMap(new HashMap<>(cmdlines)), List.of(), formats.size(), null,
                new TraceInfo.PerfData(layout, List.copyOf(options)));
    }

    /**
     * The kallsyms of the tracing data, summarized; null when the file has none, which is usual:
     * perf since 3.x writes an empty one (trace-event-info.c, record_proc_kallsyms).
     */
    public Kallsyms kallsyms() throws IOException {
        long off = tracing.kallsymsOffset();
        if (off < 0 || (read(off, 4, "kallsyms size").getInt() == 0)) return null;
        return TracingData.kallsymsAt(file, off);
    }

    /** All tracepoint samples and lost-event records, in the order perf script delivers them. */
    public EventStream events() {
        return new PerfEventStream(this);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}

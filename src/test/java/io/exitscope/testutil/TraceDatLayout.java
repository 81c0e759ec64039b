package io.exitscope.testutil;

import io.exitscope.source.tracedat.Compression;
import io.exitscope.source.tracedat.TraceDatReader;
import io.exitscope.source.tracedat.TraceDatWriter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-side, independent walk over a <em>valid</em> little-endian trace.dat (v6 or v7): its
 * parts (texts, options, per-CPU pages) and the file offset of every structural field it
 * passed. The fuzzer mutates at those offsets; BadInputTest derives damage offsets from
 * them; MiniTraceDat rebuilds small files from the parts.
 *
 * <p>Deliberately not the production reader: a bug shared by both would hide itself. Throws
 * {@link IllegalStateException} on anything unexpected (it is only run on known-good files).
 */
public final class TraceDatLayout {

    /** A structural field: where it is, how wide, what it is ("v7.section.size", "page.commit" ...). */
    public record Field(long offset, int width, String name) {}

    /** A v7 section as found: header offset, id, compressed flag, declared size, compressed sizes. */
    public record Section(long offset, int id, boolean compressed, long size, long csize, long usize) {
        /** Offset of the section's payload (after the 16-byte header and, if compressed, the 8-byte sizes). */
        public long dataOffset() { return offset + 16 + (compressed ? 8 : 0); }
    }

    /** One chunk of compressed CPU data: header offset, sizes. */
    public record Chunk(long offset, long csize, long usize) {}

    /** One CPU's data of one buffer. */
    public static final class Cpu {
        public int cpu;
        public long offset, size;
        public final List<byte[]> pages = new ArrayList<>();
        /** File offsets of the pages when stored uncompressed, else empty. */
        public final List<Long> pageOffsets = new ArrayList<>();
        public final List<Chunk> chunks = new ArrayList<>();
    }

    public static final class Buffer {
        public String name = "", clock;
        public int pageSize;
        public boolean compressed;
        public long sectionOffset = -1;
        public final List<Cpu> cpus = new ArrayList<>();
    }

    /** An option other than DONE, BUFFER and the v7 section pointers (16-21). */
    public record Option(int id, byte[] data) {}

    public int version;
    public int longSize;
    public int pageSize;
    public String compression = "none", compressionVersion = "";
    public String headerPage, headerEvent;
    public final List<String> ftraceFormats = new ArrayList<>();
    /** system name → format texts, in file order. */
    public final Map<String, List<String>> systems = new LinkedHashMap<>();
    public byte[] kallsyms = new byte[0], printk = new byte[0], cmdlines = new byte[0];
    public int cpus;
    public final List<Option> options = new ArrayList<>();
    public final List<Buffer> buffers = new ArrayList<>();
    public final List<Field> fields = new ArrayList<>();
    public final List<Section> sections = new ArrayList<>();
    /** File offsets of the v7 options sections, in chain order. */
    public final List<Long> optionsSections = new ArrayList<>();
    /** Offsets of notable v6 structures (v6 only): "header_page", "ftrace", "systems", "kallsyms", "printk", "cmdlines", "cpus", "options", "flyrecord". */
    public final Map<String, Long> v6Offsets = new LinkedHashMap<>();
    public long fileSize;

    private final byte[] f;
    private Compression comp = Compression.NONE;

    private TraceDatLayout(byte[] file) {
        this.f = file;
        this.fileSize = file.length;
    }

    /**
     * A writer for a copy of this file in another version or compression: its header page, event
     * formats, kallsyms, printk formats, cmdlines and options (trace clock, uname, version, CPU
     * count; the others as they are, unless {@code allOptions} is false). Buffers are not declared:
     * the caller declares them, with {@link #selectedClock()} where a buffer names no clock.
     */
    public TraceDatWriter.Builder writerBuilder(int version, Compression compression, boolean allOptions) {
        TraceDatWriter.Builder b = TraceDatWriter.builder().version(version).compression(compression)
                .userLongSize(longSize).pageSize(pageSize)
                .headerPage(headerPage).headerEvent(headerEvent)
                .kallsyms(latin1(kallsyms)).printk(latin1(printk)).cmdlines(latin1(cmdlines));
        ftraceFormats.forEach(b::ftraceFormat);
        systems.forEach((sys, formats) -> formats.forEach(f -> b.eventFormat(sys, f)));
        for (Option o : options) {
            String text = cstring(o.data());
            switch (o.id()) {
                case TraceDatReader.OPT_TRACECLOCK -> b.traceClock(text);
                case TraceDatReader.OPT_UNAME -> b.uname(text);
                case TraceDatReader.OPT_VERSION -> b.tracerVersion(text);
                case TraceDatReader.OPT_CPUCOUNT -> b.cpuCount(ByteBuffer.wrap(o.data()).order(ByteOrder.LITTLE_ENDIAN).getInt());
                default -> {
                    if (allOptions) b.option(o.id(), o.data());
                }
            }
        }
        return b;
    }

    /** The clock the TRACECLOCK option marks as selected ({@code [global]}), else {@code local}. */
    public String selectedClock() {
        for (Option o : options) {
            if (o.id() != TraceDatReader.OPT_TRACECLOCK) continue;
            String text = cstring(o.data());
            int a = text.indexOf('['), z = text.indexOf(']');
            if (a >= 0 && z > a) return text.substring(a + 1, z);
        }
        return "local";
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String cstring(byte[] b) {
        String s = latin1(b);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    public static TraceDatLayout parse(byte[] file) {
        TraceDatLayout l = new TraceDatLayout(file);
        l.run();
        return l;
    }

    /** A copy whose texts (header_page, formats) can be changed without touching this one. */
    public TraceDatLayout copyTexts() {
        TraceDatLayout c = new TraceDatLayout(f);
        c.version = version;
        c.longSize = longSize;
        c.pageSize = pageSize;
        c.compression = compression;
        c.compressionVersion = compressionVersion;
        c.headerPage = headerPage;
        c.headerEvent = headerEvent;
        c.ftraceFormats.addAll(ftraceFormats);
        systems.forEach((k, v) -> c.systems.put(k, new ArrayList<>(v)));
        c.kallsyms = kallsyms;
        c.printk = printk;
        c.cmdlines = cmdlines;
        c.cpus = cpus;
        c.options.addAll(options);
        c.buffers.addAll(buffers);
        return c;
    }

    /** The first field whose name is {@code name}; fails when absent. */
    public Field field(String name) {
        for (Field x : fields) if (x.name.equals(name)) return x;
        throw new IllegalStateException("no field " + name);
    }

    /** The first section with this id; fails when absent. */
    public Section section(int id) {
        for (Section s : sections) if (s.id == id) return s;
        throw new IllegalStateException("no section " + id);
    }

    /** All CPUs with data, over all buffers. */
    public List<Cpu> allCpus() {
        List<Cpu> out = new ArrayList<>();
        for (Buffer b : buffers) out.addAll(b.cpus);
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private ByteBuffer at(long off) {
        return ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).position(Math.toIntExact(off));
    }

    private int u16(long off, String name) {
        fields.add(new Field(off, 2, name));
        return at(off).getShort() & 0xffff;
    }

    private long u32(long off, String name) {
        fields.add(new Field(off, 4, name));
        return at(off).getInt() & 0xffffffffL;
    }

    private long u64(long off, String name) {
        fields.add(new Field(off, 8, name));
        return at(off).getLong();
    }

    private String cstr(long off) {
        int e = Math.toIntExact(off);
        while (f[e] != 0) e++;
        return new String(f, (int) off, e - (int) off, StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(long off, long n) {
        if (off < 0 || n < 0 || off + n > f.length) throw new IllegalStateException("range " + off + "+" + n + " outside the file");
        byte[] b = new byte[Math.toIntExact(n)];
        System.arraycopy(f, (int) off, b, 0, b.length);
        return b;
    }

    private static String text(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    // ------------------------------------------------------------------ parse

    private void run() {
        if (f.length < 20 || f[0] != 0x17 || f[1] != 0x08 || f[2] != 0x44) throw new IllegalStateException("not a trace.dat");
        fields.add(new Field(0, 10, "magic"));
        String v = cstr(10);
        version = Integer.parseInt(v);
        long p = 10 + v.length() + 1;
        fields.add(new Field(10, v.length() + 1, "version"));
        fields.add(new Field(p, 1, "endian"));
        if (f[(int) p] != 0) throw new IllegalStateException("big-endian files not supported by the test layout");
        fields.add(new Field(p + 1, 1, "long_size"));
        longSize = f[(int) p + 1];
        pageSize = (int) u32(p + 2, "page_size");
        p += 6;
        if (version == 6) v6(p);
        else if (version == 7) v7(p);
        else throw new IllegalStateException("version " + version);
    }

    private long headerInfo(long p, String prefix) {
        fields.add(new Field(p, 12, prefix + "header_page.tag"));
        long n = u64(p + 12, prefix + "header_page.size");
        headerPage = text(bytes(p + 20, n));
        p += 20 + n;
        fields.add(new Field(p, 13, prefix + "header_event.tag"));
        long m = u64(p + 13, prefix + "header_event.size");
        headerEvent = text(bytes(p + 21, m));
        return p + 21 + m;
    }

    private void v6(long p) {
        v6Offsets.put("header_page", p);
        p = headerInfo(p, "");
        v6Offsets.put("ftrace", p);
        long n = u32(p, "ftrace.count");
        p += 4;
        for (int i = 0; i < n; i++) {
            long s = u64(p, "ftrace.format.size");
            ftraceFormats.add(text(bytes(p + 8, s)));
            p += 8 + s;
        }
        v6Offsets.put("systems", p);
        long ns = u32(p, "systems.count");
        p += 4;
        for (int i = 0; i < ns; i++) {
            String sys = cstr(p);
            p += sys.length() + 1;
            long ne = u32(p, "system.event_count");
            p += 4;
            List<String> list = systems.computeIfAbsent(sys, k -> new ArrayList<>());
            for (int e = 0; e < ne; e++) {
                long s = u64(p, "event.format.size");
                list.add(text(bytes(p + 8, s)));
                p += 8 + s;
            }
        }
        v6Offsets.put("kallsyms", p);
        long ks = u32(p, "kallsyms.size");
        kallsyms = bytes(p + 4, ks);
        p += 4 + ks;
        v6Offsets.put("printk", p);
        long ps = u32(p, "printk.size");
        printk = bytes(p + 4, ps);
        p += 4 + ps;
        v6Offsets.put("cmdlines", p);
        long cs = u64(p, "cmdlines.size");
        cmdlines = bytes(p + 8, cs);
        p += 8 + cs;
        v6Offsets.put("cpus", p);
        cpus = (int) u32(p, "cpus");
        p += 4;
        List<long[]> bufferOpts = new ArrayList<>();
        List<String> bufferNames = new ArrayList<>();
        while (true) {
            fields.add(new Field(p, 10, "v6.tag"));
            String tag = cstr(p).trim();
            long tagOff = p;
            p += 10;
            if (tag.equals("options")) {
                v6Offsets.put("options", tagOff);
                while (true) {
                    int id = u16(p, "option.id");
                    p += 2;
                    if (id == 0) break;
                    long size = u32(p, "option.size");
                    p += 4;
                    byte[] data = bytes(p, size);
                    if (id == 3) {
                        bufferOpts.add(new long[]{u64(p, "v6.buffer.offset")});
                        bufferNames.add(cstr(p + 8));
                    } else {
                        options.add(new Option(id, data));
                    }
                    p += size;
                }
            } else if (tag.equals("flyrecord")) {
                v6Offsets.put("flyrecord", tagOff);
                Buffer top = new Buffer();
                top.pageSize = pageSize;
                flyV6(p, top);
                buffers.add(top);
                for (int i = 0; i < bufferOpts.size(); i++) {
                    long off = bufferOpts.get(i)[0];
                    fields.add(new Field(off, 10, "v6.buffer.tag"));
                    Buffer b = new Buffer();
                    b.name = bufferNames.get(i);
                    b.pageSize = pageSize;
                    b.sectionOffset = off;
                    flyV6(off + 10, b);
                    buffers.add(b);
                }
                return;
            } else {
                throw new IllegalStateException("v6 tag '" + tag + "'");
            }
        }
    }

    private void flyV6(long p, Buffer b) {
        for (int c = 0; c < cpus; c++) {
            long off = u64(p + 16L * c, "flyrecord.cpu.offset");
            long size = u64(p + 16L * c + 8, "flyrecord.cpu.size");
            if (size == 0) continue;
            Cpu cpu = new Cpu();
            cpu.cpu = c;
            cpu.offset = off;
            cpu.size = size;
            plainPages(cpu, b.pageSize);
            b.cpus.add(cpu);
        }
    }

    private void plainPages(Cpu cpu, int ps) {
        for (long q = cpu.offset; q < cpu.offset + cpu.size; q += ps) {
            int n = (int) Math.min(ps, cpu.offset + cpu.size - q);
            cpu.pages.add(bytes(q, n));
            cpu.pageOffsets.add(q);
            fields.add(new Field(q, 8, "page.timestamp"));
            fields.add(new Field(q + 8, 8, "page.commit"));
            fields.add(new Field(q + 16, 4, "page.first_event"));
        }
    }

    private Section section(long off, String what) {
        int id = u16(off, "section.id");
        int flags = u16(off + 2, "section.flags");
        u32(off + 4, "section.description");
        long size = u64(off + 8, "section.size");
        Section s;
        if ((flags & 1) != 0 && id != 3) { // flyrecord: compressed in per-CPU chunks, no sizes here
            long cs = u32(off + 16, "section.csize");
            long us = u32(off + 20, "section.usize");
            s = new Section(off, id, true, size, cs, us);
        } else {
            s = new Section(off, id, false, size, size, size);
        }
        sections.add(s);
        return s;
    }

    private ByteBuffer sectionData(Section s) {
        byte[] out;
        if (s.compressed) {
            out = new byte[(int) s.usize];
            comp.decompress(f, (int) s.dataOffset(), (int) s.csize, out, 0, out.length);
        } else {
            out = bytes(s.dataOffset(), s.size);
        }
        return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String cstr(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        for (byte c = b.get(); c != 0; c = b.get()) sb.append((char) (c & 0xff));
        return sb.toString();
    }

    private static String sized(ByteBuffer b, long n) {
        byte[] t = new byte[(int) n];
        b.get(t);
        return text(t);
    }

    private void v7(long p) {
        compression = cstr(p);
        p += compression.length() + 1;
        compressionVersion = cstr(p);
        p += compressionVersion.length() + 1;
        comp = Compression.byName(compression);
        long opt = u64(p, "first_options_offset");
        while (opt != 0) {
            optionsSections.add(opt);
            Section s = section(opt, "options");
            ByteBuffer b = sectionData(s);
            long next = 0;
            while (b.remaining() >= 6) {
                int op = b.position();
                long fo = s.compressed ? -1 : s.dataOffset() + op;
                if (fo >= 0) {
                    fields.add(new Field(fo, 2, "option.id"));
                    fields.add(new Field(fo + 2, 4, "option.size"));
                }
                int id = b.getShort() & 0xffff;
                int size = b.getInt();
                ByteBuffer d = b.slice(b.position(), size).order(ByteOrder.LITTLE_ENDIAN);
                b.position(b.position() + size);
                if (id == 0) {
                    next = d.getLong();
                    if (fo >= 0) fields.add(new Field(fo + 6, 8, "option.done.next"));
                    break;
                }
                switch (id) {
                    case 16 -> {
                        Section h = section(d.getLong(), "header info");
                        ByteBuffer hb = sectionData(h);
                        cstr(hb);
                        headerPage = sized(hb, hb.getLong());
                        cstr(hb);
                        headerEvent = sized(hb, hb.getLong());
                    }
                    case 17 -> {
                        ByteBuffer fb = sectionData(section(d.getLong(), "ftrace"));
                        int n = fb.getInt();
                        for (int i = 0; i < n; i++) ftraceFormats.add(sized(fb, fb.getLong()));
                    }
                    case 18 -> {
                        ByteBuffer eb = sectionData(section(d.getLong(), "events"));
                        int ns = eb.getInt();
                        for (int i = 0; i < ns; i++) {
                            String sys = cstr(eb);
                            int n = eb.getInt();
                            List<String> list = systems.computeIfAbsent(sys, k -> new ArrayList<>());
                            for (int e = 0; e < n; e++) list.add(sized(eb, eb.getLong()));
                        }
                    }
                    case 19 -> {
                        ByteBuffer kb = sectionData(section(d.getLong(), "kallsyms"));
                        kallsyms = new byte[kb.getInt()];
                        kb.get(kallsyms);
                    }
                    case 20 -> {
                        ByteBuffer pb = sectionData(section(d.getLong(), "printk"));
                        printk = new byte[pb.getInt()];
                        pb.get(printk);
                    }
                    case 21 -> {
                        ByteBuffer cb = sectionData(section(d.getLong(), "cmdlines"));
                        cmdlines = new byte[(int) cb.getLong()];
                        cb.get(cmdlines);
                    }
                    case 3 -> {
                        Buffer buf = new Buffer();
                        buf.sectionOffset = d.getLong();
                        buf.name = cstr(d);
                        buf.clock = cstr(d);
                        buf.pageSize = d.getInt();
                        int n = d.getInt();
                        if (fo >= 0) {
                            fields.add(new Field(fo + 6, 8, "buffer.offset"));
                            long q = fo + 6 + 8 + buf.name.length() + 1 + buf.clock.length() + 1;
                            fields.add(new Field(q, 4, "buffer.page_size"));
                            fields.add(new Field(q + 4, 4, "buffer.cpu_count"));
                            for (int i = 0; i < n; i++) {
                                fields.add(new Field(q + 8 + 20L * i, 4, "buffer.cpu.id"));
                                fields.add(new Field(q + 12 + 20L * i, 8, "buffer.cpu.offset"));
                                fields.add(new Field(q + 20 + 20L * i, 8, "buffer.cpu.size"));
                            }
                        }
                        List<long[]> list = new ArrayList<>();
                        for (int i = 0; i < n; i++) list.add(new long[]{d.getInt(), d.getLong(), d.getLong()});
                        if (list.stream().anyMatch(x -> x[2] > 0)) {
                            section(buf.sectionOffset, "flyrecord");
                            buf.compressed = (f[(int) buf.sectionOffset + 2] & 1) != 0;
                        }
                        for (long[] x : list) {
                            if (x[2] == 0) continue;
                            Cpu c = new Cpu();
                            c.cpu = (int) x[0];
                            c.offset = x[1];
                            c.size = x[2];
                            if (buf.compressed) chunkedPages(c, buf.pageSize);
                            else plainPages(c, buf.pageSize);
                            buf.cpus.add(c);
                        }
                        buffers.add(buf);
                    }
                    case 15, 22, 23, 24, 25 -> { /* not carried over */ }
                    default -> {
                        byte[] data = new byte[size];
                        d.get(0, data);
                        options.add(new Option(id, data));
                    }
                }
            }
            opt = next;
        }
        for (Option o : options) if (o.id == 8) cpus = ByteBuffer.wrap(o.data).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private void chunkedPages(Cpu c, int ps) {
        long p = c.offset;
        long n = u32(p, "chunks.count");
        p += 4;
        for (int i = 0; i < n; i++) {
            long cs = u32(p, "chunk.csize");
            long us = u32(p + 4, "chunk.usize");
            c.chunks.add(new Chunk(p, cs, us));
            byte[] out = new byte[(int) us];
            comp.decompress(f, (int) p + 8, (int) cs, out, 0, out.length);
            for (int q = 0; q < us; q += ps) {
                byte[] page = new byte[Math.min(ps, (int) us - q)];
                System.arraycopy(out, q, page, 0, page.length);
                c.pages.add(page);
            }
            p += 8 + cs;
        }
    }
}

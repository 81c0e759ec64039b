package io.exitscope.testutil;

import io.exitscope.source.tracedat.Compression;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes small trace.dat files (v6, or v7 with none/zlib/zstd compression) from the parts of a
 * real one ({@link TraceDatLayout}): the first few pages per CPU, only the event formats asked
 * for, a few lines of kallsyms. Used as fuzz seeds: a mutation of a 30 KB file is read in
 * microseconds, and every structure (section headers, options, chunks, pages) is still there.
 *
 * <p>Layout mirrors trace-cmd: v7 metadata sections first, then per buffer a flyrecord section
 * with page-aligned CPU data (chunks of up to 10 pages when compressed; the recorded CPU size
 * excludes the leading chunk count, as trace-cmd writes it), then two chained options sections
 * (the one with the BUFFER options is reached through the first one's DONE).
 */
public final class MiniTraceDat {
    private MiniTraceDat() {}

    /** What to write. */
    public static final class Spec {
        public int version = 7;
        public String compression = "zstd";
        public int maxPagesPerCpu = 3;
        /** Event names ("system:name") to keep formats for; null keeps all. */
        public Set<String> events;
        public int kallsymsLines = 20;
        /** Options added after the copied ones (id, data). */
        public final List<TraceDatLayout.Option> extraOptions = new ArrayList<>();

        public Spec version(int v) { version = v; return this; }
        public Spec compression(String c) { compression = c; return this; }
        public Spec pages(int n) { maxPagesPerCpu = n; return this; }
        public Spec events(Set<String> e) { events = e; return this; }
        public Spec option(int id, byte[] data) { extraOptions.add(new TraceDatLayout.Option(id, data)); return this; }
    }

    private static final Pattern NAME = Pattern.compile("(?m)^name:\\s*(\\S+)");

    static String eventName(String format) {
        Matcher m = NAME.matcher(format);
        return m.find() ? m.group(1) : "";
    }

    /** The kallsyms text {@link #write} keeps for {@code spec}: a few dozen lines. */
    public static byte[] trimmedKallsyms(TraceDatLayout src, Spec spec) {
        return new W(src, spec).kallsyms();
    }

    public static byte[] write(TraceDatLayout src, Spec spec) {
        return spec.version == 6 ? new W(src, spec).v6() : new W(src, spec).v7();
    }

    /** Little-endian byte sink with patchable positions. */
    static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        int pos() { return b.size(); }
        Out u8(int v) { b.write(v); return this; }
        Out u16(int v) { u8(v & 0xff); return u8((v >>> 8) & 0xff); }
        Out u32(long v) { u16((int) v); return u16((int) (v >>> 16)); }
        Out u64(long v) { u32(v); return u32(v >>> 32); }
        Out bytes(byte[] x) { b.writeBytes(x); return this; }
        Out str(String s) { return bytes(s.getBytes(StandardCharsets.ISO_8859_1)); }
        Out cstr(String s) { return str(s).u8(0); }
        Out align(int a) { while (pos() % a != 0) u8(0); return this; }
        byte[] toBytes() { return b.toByteArray(); }
    }

    static void patch64(byte[] a, int at, long v) {
        ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
    }

    private static final class W {
        final TraceDatLayout src;
        final Spec spec;
        final Compression comp;

        W(TraceDatLayout src, Spec spec) {
            this.src = src;
            this.spec = spec;
            this.comp = Compression.byName(spec.compression);
        }

        Map<String, List<String>> systems() {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (Map.Entry<String, List<String>> e : src.systems.entrySet()) {
                List<String> keep = new ArrayList<>();
                for (String fmt : e.getValue()) {
                    if (spec.events == null || spec.events.contains(e.getKey() + ":" + eventName(fmt))) keep.add(fmt);
                }
                if (!keep.isEmpty()) out.put(e.getKey(), keep);
            }
            return out;
        }

        byte[] kallsyms() {
            StringBuilder sb = new StringBuilder();
            int n = 0;
            // lazily: real kallsyms are megabytes, only the first few dozen lines are kept
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                    new java.io.ByteArrayInputStream(src.kallsyms), StandardCharsets.ISO_8859_1));
            for (String l : (Iterable<String>) lines.lines()::iterator) {
                // the first lines, plus a few KVM lines so the module/built-in detection has input
                boolean kvm = l.endsWith(" kvm_vcpu_ioctl") || l.contains("[kvm]") && n < spec.kallsymsLines * 2;
                if (n < spec.kallsymsLines || kvm) {
                    sb.append(l).append('\n');
                    n++;
                }
                if (n > spec.kallsymsLines * 3) break;
            }
            return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        List<byte[]> pages(TraceDatLayout.Cpu c) {
            return c.pages.subList(0, Math.min(spec.maxPagesPerCpu, c.pages.size()));
        }

        int cpuSlots() {
            int n = src.cpus;
            for (TraceDatLayout.Cpu c : src.allCpus()) n = Math.max(n, c.cpu + 1);
            return n;
        }

        void formats(Out o, boolean v6) {
            o.u32(src.ftraceFormats.size());
            for (String fmt : src.ftraceFormats) o.u64(fmt.length()).str(fmt);
            Map<String, List<String>> sys = systems();
            o.u32(sys.size());
            for (Map.Entry<String, List<String>> e : sys.entrySet()) {
                o.cstr(e.getKey()).u32(e.getValue().size());
                for (String fmt : e.getValue()) o.u64(fmt.length()).str(fmt);
            }
        }

        void headerInfo(Out o) {
            o.cstr("header_page").u64(src.headerPage.length()).str(src.headerPage);
            o.cstr("header_event").u64(src.headerEvent.length()).str(src.headerEvent);
        }

        void initialHeader(Out o, int version) {
            o.bytes(new byte[]{0x17, 0x08, 0x44}).str("tracing").cstr(Integer.toString(version)).u8(0).u8(src.longSize).u32(src.pageSize);
        }

        // ---------------------------------------------------------------- v6

        byte[] v6() {
            Out o = new Out();
            initialHeader(o, 6);
            headerInfo(o);
            formats(o, true);
            byte[] k = kallsyms();
            o.u32(k.length).bytes(k);
            o.u32(src.printk.length).bytes(src.printk);
            o.u64(src.cmdlines.length).bytes(src.cmdlines);
            int slots = cpuSlots();
            o.u32(slots);
            o.str("options  ").u8(0);
            for (TraceDatLayout.Option op : src.options) o.u16(op.id()).u32(op.data().length).bytes(op.data());
            for (TraceDatLayout.Option op : spec.extraOptions) o.u16(op.id()).u32(op.data().length).bytes(op.data());
            List<TraceDatLayout.Buffer> named = new ArrayList<>();
            TraceDatLayout.Buffer top = null;
            for (TraceDatLayout.Buffer b : src.buffers) {
                if (b.name.isEmpty() && top == null) top = b;
                else named.add(b);
            }
            List<Integer> bufferOffsetAt = new ArrayList<>();
            for (TraceDatLayout.Buffer b : named) {
                o.u16(3).u32(8 + b.name.length() + 1);
                bufferOffsetAt.add(o.pos());
                o.u64(0).cstr(b.name);
            }
            o.u16(0);
            // top flyrecord, then one flyrecord per named buffer; all tables first, data after
            List<TraceDatLayout.Buffer> order = new ArrayList<>();
            order.add(top);
            order.addAll(named);
            List<Integer> tableAt = new ArrayList<>();
            List<Integer> tagAt = new ArrayList<>();
            for (TraceDatLayout.Buffer b : order) {
                tagAt.add(o.pos());
                o.str("flyrecord").u8(0);
                tableAt.add(o.pos());
                for (int c = 0; c < slots; c++) o.u64(0).u64(0);
            }
            List<long[]> patches = new ArrayList<>();   // table position, offset, size
            for (int bi = 0; bi < order.size(); bi++) {
                TraceDatLayout.Buffer b = order.get(bi);
                if (b == null) continue;
                for (TraceDatLayout.Cpu c : b.cpus) {
                    o.align(src.pageSize);
                    int start = o.pos();
                    for (byte[] pg : pages(c)) o.bytes(pg);
                    patches.add(new long[]{tableAt.get(bi) + 16L * c.cpu, start, o.pos() - start});
                }
            }
            byte[] a = o.toBytes();
            for (long[] p : patches) {
                patch64(a, (int) p[0], p[1]);
                patch64(a, (int) p[0] + 8, p[2]);
            }
            for (int i = 0; i < named.size(); i++) patch64(a, bufferOffsetAt.get(i), tagAt.get(i + 1));
            return a;
        }

        // ---------------------------------------------------------------- v7

        long section(Out o, int id, byte[] payload, boolean compressible) {
            long at = o.pos();
            boolean c = compressible && comp != Compression.NONE;
            o.u16(id).u16(c ? 1 : 0).u32(0);
            if (c) {
                byte[] z = comp.compress(payload, 0, payload.length);
                o.u64(8 + z.length).u32(z.length).u32(payload.length).bytes(z);
            } else {
                o.u64(payload.length).bytes(payload);
            }
            return at;
        }

        byte[] v7() {
            Out o = new Out();
            initialHeader(o, 7);
            o.cstr(spec.compression).cstr(spec.compression.equals("none") ? "" : src.compressionVersion.isEmpty() ? "1" : src.compressionVersion);
            int firstOptionsAt = o.pos();
            o.u64(0);
            Out p = new Out();
            headerInfo(p);
            long hdr = section(o, 16, p.toBytes(), true);
            p = new Out();
            p.u32(src.ftraceFormats.size());
            for (String fmt : src.ftraceFormats) p.u64(fmt.length()).str(fmt);
            long ftrace = section(o, 17, p.toBytes(), true);
            p = new Out();
            Map<String, List<String>> sys = systems();
            p.u32(sys.size());
            for (Map.Entry<String, List<String>> e : sys.entrySet()) {
                p.cstr(e.getKey()).u32(e.getValue().size());
                for (String fmt : e.getValue()) p.u64(fmt.length()).str(fmt);
            }
            long events = section(o, 18, p.toBytes(), true);
            byte[] k = kallsyms();
            long ks = section(o, 19, new Out().u32(k.length).bytes(k).toBytes(), true);
            long pk = section(o, 20, new Out().u32(src.printk.length).bytes(src.printk).toBytes(), true);
            long cl = section(o, 21, new Out().u64(src.cmdlines.length).bytes(src.cmdlines).toBytes(), true);

            // flyrecord data per buffer
            Out bufferOpts = new Out();
            for (TraceDatLayout.Buffer b : src.buffers) {
                List<long[]> entries = new ArrayList<>();
                long secAt = -1;
                if (!b.cpus.isEmpty()) {
                    secAt = o.pos();
                    boolean c = comp != Compression.NONE;
                    o.u16(3).u16(c ? 1 : 0).u32(0);
                    int sizeAt = o.pos();
                    o.u64(0);
                    int dataStart = o.pos();
                    for (TraceDatLayout.Cpu cpu : b.cpus) {
                        o.align(b.pageSize);
                        int start = o.pos();
                        List<byte[]> pages = pages(cpu);
                        if (c) {
                            int chunks = (pages.size() + 9) / 10;
                            o.u32(chunks);
                            for (int i = 0; i < pages.size(); i += 10) {
                                Out raw = new Out();
                                for (byte[] pg : pages.subList(i, Math.min(i + 10, pages.size()))) raw.bytes(pg);
                                byte[] r = raw.toBytes();
                                byte[] z = comp.compress(r, 0, r.length);
                                o.u32(z.length).u32(r.length).bytes(z);
                            }
                            entries.add(new long[]{cpu.cpu, start, o.pos() - start - 4});
                        } else {
                            for (byte[] pg : pages) o.bytes(pg);
                            entries.add(new long[]{cpu.cpu, start, o.pos() - start});
                        }
                    }
                    long total = o.pos() - dataStart;
                    byte[] cur = o.toBytes();
                    // size field patched through a rewrite of the sink (ByteArrayOutputStream has no seek)
                    patch64(cur, sizeAt, total);
                    o = new Out();
                    o.bytes(cur);
                }
                Out opt = new Out();
                opt.u64(secAt < 0 ? 0 : secAt).cstr(b.name).cstr(b.clock == null ? "local" : b.clock).u32(b.pageSize).u32(entries.size());
                for (long[] e : entries) opt.u32(e[0]).u64(e[1]).u64(e[2]);
                byte[] ob = opt.toBytes();
                bufferOpts.u16(3).u32(ob.length).bytes(ob);
            }
            bufferOpts.u16(0).u32(8).u64(0);
            long opts2 = section(o, 0, bufferOpts.toBytes(), false); // trace-cmd does not compress options

            Out opts = new Out();
            opts.u16(16).u32(8).u64(hdr);
            opts.u16(17).u32(8).u64(ftrace);
            opts.u16(18).u32(8).u64(events);
            opts.u16(19).u32(8).u64(ks);
            opts.u16(20).u32(8).u64(pk);
            for (TraceDatLayout.Option op : src.options) opts.u16(op.id()).u32(op.data().length).bytes(op.data());
            for (TraceDatLayout.Option op : spec.extraOptions) opts.u16(op.id()).u32(op.data().length).bytes(op.data());
            opts.u16(21).u32(8).u64(cl);
            opts.u16(0).u32(8).u64(opts2);
            long opts1 = section(o, 0, opts.toBytes(), false);
            byte[] a = o.toBytes();
            patch64(a, firstOptionsAt, opts1);
            return a;
        }
    }
}

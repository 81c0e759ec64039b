package io.exitscope.testutil;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.source.tracedat.TraceDatReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * Fuzz seeds built from the real traces in {@code ../shared/traces/external}: the real files
 * themselves (low weight: they are megabytes, mostly kallsyms) and small files written by
 * {@link MiniTraceDat} from their parts in every container variant (v6, v7 none/zlib/zstd),
 * plus variants carrying the rarer options (TIME_SHIFT, OFFSET, DATE, instance buffers in v6).
 */
public final class FuzzSeeds {
    private FuzzSeeds() {}

    public static final String PVM = "x86-pvm-linux-6.18/pvm-ioeventfd-ab.dat";
    public static final String TSC2NSEC = "x86-vmx-linux-6.5/host-kvm-tsc2nsec.dat";
    public static final String ZSTD = "x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat";
    public static final String V6_GZ = "x86-vmx-linux-6.5/host-kvm-x86tsc.v6-uncompressed.dat.gz";

    /** True when the shared real traces are present beside the checkout. */
    public static boolean available() {
        return Files.isRegularFile(SharedTraces.ROOT.resolve(PVM)) && Files.isRegularFile(SharedTraces.ROOT.resolve(TSC2NSEC))
                && Files.isRegularFile(SharedTraces.ROOT.resolve(ZSTD)) && Files.isRegularFile(SharedTraces.ROOT.resolve(V6_GZ));
    }

    static byte[] readShared(String rel) {
        Path p = SharedTraces.ROOT.resolve(rel);
        try (InputStream raw = Files.newInputStream(p); InputStream in = rel.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The system:name of every event in a trace.dat, read with the production reader. */
    static Set<String> usedEvents(byte[] file, Path work) {
        Path p = work.resolve("used-events.dat");
        Set<String> out = new TreeSet<>();
        try {
            Files.write(p, file);
            try (TraceDatReader r = TraceDatReader.open(p); EventStream s = r.events()) {
                while (s.advance()) {
                    Event e = s.current();
                    if (e.format() != null) out.add(e.format().system + ":" + e.format().name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static final java.util.Map<TraceDatLayout, Set<String>> USED = new java.util.IdentityHashMap<>();

    /**
     * A small file from {@code l}: few pages, only the formats its events use (found once per
     * layout by reading an all-formats version with 12 pages per CPU, the most any seed keeps).
     */
    public static byte[] mini(TraceDatLayout l, MiniTraceDat.Spec spec, Path work) {
        Set<String> used = USED.get(l);
        if (used == null) {
            MiniTraceDat.Spec all = new MiniTraceDat.Spec().version(6).pages(12);
            used = usedEvents(MiniTraceDat.write(l, all), work);
            USED.put(l, used);
        }
        spec.events(used);
        return MiniTraceDat.write(l, spec);
    }

    /**
     * A seed whose inputs are written anew from {@code l} with 1-3 of its texts mutated: the
     * event formats the spec keeps (fields, offsets, sizes, print fmt) and header_page. Reaches
     * FormatParser, PrintFormat and the field accessors behind valid containers.
     */
    static Mutator.Seed formatSeed(String name, TraceDatLayout l, MiniTraceDat.Spec spec, int weight) {
        byte[] clean = MiniTraceDat.write(l, spec);
        List<String[]> targets = new ArrayList<>();
        l.systems.forEach((sys, list) -> {
            for (int i = 0; i < list.size(); i++) {
                if (spec.events == null || spec.events.contains(sys + ":" + MiniTraceDat.eventName(list.get(i)))) targets.add(new String[]{sys, Integer.toString(i)});
            }
        });
        TraceDatLayout base = l.copyTexts();
        base.kallsyms = MiniTraceDat.trimmedKallsyms(l, spec); // once: trimming megabytes each time is slow
        Mutator.Regen regen = (r, log) -> {
            TraceDatLayout c = base.copyTexts();
            int k = 1 + r.nextInt(3);
            for (int j = 0; j < k; j++) {
                int before = log.size();
                String what;
                if (r.nextInt(10) == 0) {
                    c.headerPage = new String(TextMutations.one(r, c.headerPage.getBytes(StandardCharsets.ISO_8859_1), log), StandardCharsets.ISO_8859_1);
                    what = "header_page";
                } else {
                    String[] t = targets.get(r.nextInt(targets.size()));
                    List<String> list = c.systems.get(t[0]);
                    int i = Integer.parseInt(t[1]);
                    what = "format " + t[0] + ":" + MiniTraceDat.eventName(list.get(i));
                    list.set(i, new String(TextMutations.one(r, list.get(i).getBytes(StandardCharsets.ISO_8859_1), log), StandardCharsets.ISO_8859_1));
                }
                for (int x = before; x < log.size(); x++) log.set(x, what + ": " + log.get(x));
            }
            return MiniTraceDat.write(c, spec);
        };
        return new Mutator.Seed(name, clean, TraceDatLayout.parse(clean).fields, weight, false, regen);
    }

    static Mutator.Seed seed(String name, byte[] data, int weight) {
        return new Mutator.Seed(name, data, TraceDatLayout.parse(data).fields, weight);
    }

    /** The first {@code n} lines of a shared text file (gunzipped when .gz). */
    static byte[] head(String rel, int n) {
        String s = new String(readShared(rel), StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        s.lines().limit(n).forEach(l -> sb.append(l).append('\n'));
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** True when the shared text traces are present. */
    public static boolean textAvailable() {
        return Files.isRegularFile(SharedTraces.ROOT.resolve("x86-pvm-linux-6.18/pvm-ioeventfd-ab.trace.txt.gz"));
    }

    /**
     * Text seeds: heads of the real ftrace text and trace-cmd report outputs (several trace-cmd
     * versions and options), the pasted QEMU trace, and a perf-script rendering of ftrace lines.
     */
    public static List<Mutator.Seed> text() {
        List<Mutator.Seed> seeds = new ArrayList<>();
        String[][] files = {
                {"ftrace-pvm", "x86-pvm-linux-6.18/pvm-ioeventfd-ab.trace.txt.gz", "300"},
                {"report-vapic", "text/kvm_exit_vapic.report-filtered.txt", "300"},
                {"report-tc316-plugins", "x86-vmx-linux-6.5/reference/host-kvm-tsc2nsec.report.tc316-plugins.txt.gz", "200"},
                {"report-tc333-noplugins", "x86-vmx-linux-6.5/reference/host-kvm-tsc2nsec.report.tc333-noplugins.txt.gz", "200"},
                {"report-tc316-raw-fields", "x86-vmx-linux-6.5/reference/host-kvm-x86tsc.report.tc316-raw-fields-fullts.txt.gz", "200"},
                {"report-tc316-rawts", "x86-vmx-linux-6.5/reference/host-kvm-tsc2nsec.report.tc316-rawts.txt.gz", "200"},
                {"report-pvm", "x86-pvm-linux-6.18/reference/pvm-ioeventfd-ab.report.txt.gz", "200"},
                {"pasted-qemu", "pasted/qemu-pckbd-commit-trace.txt", "1000"},
        };
        for (String[] f : files) {
            if (Files.isRegularFile(SharedTraces.ROOT.resolve(f[1]))) seeds.add(Mutator.Seed.text(f[0], head(f[1], Integer.parseInt(f[2])), 10));
        }
        // perf script: "comm pid [cpu] secs.usecs: system:event: text", made from the ftrace lines
        java.util.regex.Pattern ftrace = java.util.regex.Pattern.compile("^\\s*(.+)-(\\d+)\\s+\\[(\\d+)\\]\\s+\\S+\\s+([0-9.]+): (\\w+): (.*)$");
        StringBuilder perf = new StringBuilder();
        if (Files.isRegularFile(SharedTraces.ROOT.resolve(files[0][1]))) {
            for (String l : new String(head(files[0][1], 300), StandardCharsets.ISO_8859_1).lines().toList()) {
                java.util.regex.Matcher m = ftrace.matcher(l);
                if (m.matches()) {
                    perf.append(String.format("%16s %6s [%s] %s: kvm:%s: %s%n", m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6)));
                }
            }
            seeds.add(Mutator.Seed.text("perf-script-from-ftrace", perf.toString().getBytes(StandardCharsets.ISO_8859_1), 10));
        }
        // every architecture's print forms of every era (test resources: arm64 4.x/5.10+, riscv, x86 4.x/2009/SVM EXIT_*)
        for (String f : new String[]{"arm64-linux-5.10-6.x", "arm64-linux-4.x", "riscv-linux-6.13", "x86-old-names", "x86-starts-mid-exit",
                "x86-cut-lines-no-userspace-exit"}) {
            try (java.io.InputStream in = FuzzSeeds.class.getResourceAsStream("/io/exitscope/arch/" + f + ".trace.txt")) {
                seeds.add(Mutator.Seed.text("forms-" + f, in.readAllBytes(), 10));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return seeds;
    }

    /** TIME_SHIFT option data: {@code cpus} CPUs with three samples each around the page timestamps. */
    static byte[] timeShift(TraceDatLayout l) {
        int cpus = 0;
        long t0 = Long.MAX_VALUE;
        for (TraceDatLayout.Cpu c : l.allCpus()) {
            cpus = Math.max(cpus, c.cpu + 1);
            if (!c.pages.isEmpty()) t0 = Math.min(t0, ByteBuffer.wrap(c.pages.get(0)).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        }
        if (t0 == Long.MAX_VALUE) t0 = 0;
        int k = 3;
        ByteBuffer b = ByteBuffer.allocate(16 + cpus * (4 + 4 * 8 * k)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x1234).putInt(1).putInt(cpus);
        for (int c = 0; c < cpus; c++) {
            b.putInt(k);
            for (int i = 0; i < k; i++) b.putLong(t0 + (2 - i) * 1_000_000L); // unsorted on purpose
            for (int i = 0; i < k; i++) b.putLong(1000L * (i + 1));
            for (int i = 0; i < k; i++) b.putLong(1);
        }
        for (int c = 0; c < cpus; c++) for (int i = 0; i < k; i++) b.putLong(0);
        return b.array();
    }

    static byte[] ascii(String s) {
        return (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * All trace.dat seeds. Real files get weight 1, small ones 10: most of the time goes to
     * inputs that are read in well under a millisecond.
     */
    public static List<Mutator.Seed> traceDat(Path work, boolean includeRealFiles) {
        List<Mutator.Seed> seeds = new ArrayList<>();
        String[] real = {PVM, TSC2NSEC, ZSTD, V6_GZ};
        String[] shortName = {"pvm-v7-zstd", "tsc2nsec-v7-zlib", "x86tsc-v7-zstd", "x86tsc-v6"};
        for (int i = 0; i < real.length; i++) {
            byte[] data = readShared(real[i]);
            TraceDatLayout l = TraceDatLayout.parse(data);
            if (includeRealFiles) seeds.add(new Mutator.Seed(shortName[i], data, l.fields, 1));
            if (i == 2) continue; // same kernel and events as the v6 file: its minis add nothing
            String base = shortName[i].replaceFirst("-v[67].*", "");
            seeds.add(seed(base + "-mini-v6", mini(l, new MiniTraceDat.Spec().version(6), work), 10));
            seeds.add(seed(base + "-mini-v7-none", mini(l, new MiniTraceDat.Spec().compression("none"), work), 10));
            seeds.add(seed(base + "-mini-v7-zlib", mini(l, new MiniTraceDat.Spec().compression("zlib"), work), 10));
            seeds.add(seed(base + "-mini-v7-zstd", mini(l, new MiniTraceDat.Spec().compression("zstd").pages(12), work), 10));
            MiniTraceDat.Spec fs = new MiniTraceDat.Spec().version(i == 3 ? 6 : 7).compression(i == 3 ? "none" : "zstd").pages(6);
            mini(l, fs, work);
            seeds.add(formatSeed(base + "-formats-" + (i == 3 ? "v6" : "v7-zstd"), l, fs, 15));
            if (i == 3) {
                MiniTraceDat.Spec s = new MiniTraceDat.Spec().compression("none")
                        .option(12, timeShift(l)).option(7, ascii("100")).option(1, ascii("0x10"));
                seeds.add(seed(base + "-mini-v7-timeshift", mini(l, s, work), 10));
            }
        }
        return seeds;
    }

    /** True when the shared perf.data files are present. */
    public static boolean perfDataAvailable() {
        return Files.isRegularFile(SharedTraces.ROOT.resolve("x86-pvm-linux-6.18/perf/kvm-all.perf.data"));
    }

    /**
     * perf.data seeds: a small file made from the real recording (300 samples over 3 CPUs in
     * rounds), the real -z file, and the head of the real pipe-mode file (its metadata records and
     * first events); fields are the header, attribute, feature-table and record-header words.
     */
    public static List<Mutator.Seed> perfData(Path work) throws java.io.IOException {
        List<Mutator.Seed> seeds = new ArrayList<>();
        Path small = work.resolve("seed-small.perf.data");
        io.exitscope.bench.PerfDataGenerator.generate(SharedTraces.ROOT.resolve("x86-pvm-linux-6.18/perf/kvm-all.perf.data"), small, 300, 3, 40);
        byte[] d = Files.readAllBytes(small);
        seeds.add(new Mutator.Seed("perf-small-3cpu", d, perfFields(d), 10));
        byte[] z = readShared("x86-pvm-linux-6.18/perf/kvm-all-zstd.perf.data");
        seeds.add(new Mutator.Seed("perf-zstd", z, perfFields(z), 3));
        byte[] pipe = readShared("x86-pvm-linux-6.18/perf/kvm-all-pipe.perf.data");
        int cut = 16;
        for (int samples = 0; samples < 300 && cut + 8 <= pipe.length; ) {
            if (pipe[cut] == 9) samples++;
            int size = (pipe[cut + 6] & 0xff) | (pipe[cut + 7] & 0xff) << 8;
            long skip = size;
            if (pipe[cut] == 66) skip += (pipe[cut + 8] & 0xffL) | (pipe[cut + 9] & 0xffL) << 8 | (pipe[cut + 10] & 0xffL) << 16 | (pipe[cut + 11] & 0xffL) << 24;
            cut += (int) skip;
        }
        byte[] head = java.util.Arrays.copyOf(pipe, Math.min(cut, pipe.length));
        seeds.add(new Mutator.Seed("perf-pipe-head", head, perfFields(head), 5));
        return seeds;
    }

    /** The structural words of a little-endian perf.data (file or pipe layout). */
    static List<TraceDatLayout.Field> perfFields(byte[] d) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<TraceDatLayout.Field> f = new ArrayList<>();
        boolean pipe = b.getLong(8) == 16;
        long pos;
        if (pipe) {
            f.add(new TraceDatLayout.Field(8, 8, "header size"));
            pos = 16;
        } else {
            String[] names = {"magic", "header size", "attr size", "attrs offset", "attrs size", "data offset", "data size",
                    "event types offset", "event types size", "features 0", "features 1", "features 2", "features 3"};
            for (int i = 0; i < names.length; i++) f.add(new TraceDatLayout.Field(8L * i, 8, names[i]));
            long attrSize = b.getLong(16), attrs = b.getLong(24), n = b.getLong(32) / Math.max(1, attrSize);
            for (long a = 0; a < Math.min(n, 8); a++) {
                long at = attrs + a * attrSize;
                f.add(new TraceDatLayout.Field(at, 4, "attr type"));
                f.add(new TraceDatLayout.Field(at + 4, 4, "attr size"));
                f.add(new TraceDatLayout.Field(at + 8, 8, "attr config"));
                f.add(new TraceDatLayout.Field(at + 24, 8, "attr sample_type"));
                f.add(new TraceDatLayout.Field(at + 32, 8, "attr read_format"));
                f.add(new TraceDatLayout.Field(at + 40, 8, "attr flags"));
                f.add(new TraceDatLayout.Field(at + attrSize - 16, 8, "attr ids offset"));
                f.add(new TraceDatLayout.Field(at + attrSize - 8, 8, "attr ids size"));
            }
            long table = b.getLong(40) + b.getLong(48);
            for (int k = 0; k < 16 && table + 16L * k + 16 <= d.length; k++) {
                f.add(new TraceDatLayout.Field(table + 16L * k, 8, "feature offset"));
                f.add(new TraceDatLayout.Field(table + 16L * k + 8, 8, "feature size"));
            }
            pos = b.getLong(40);
        }
        for (int k = 0; k < 2000 && pos + 8 <= d.length; k++) {
            int type = b.getInt((int) pos), size = b.getShort((int) pos + 6) & 0xffff;
            f.add(new TraceDatLayout.Field(pos, 4, "record type"));
            f.add(new TraceDatLayout.Field(pos + 6, 2, "record size"));
            if (type == 9 && pos + 56 <= d.length) {
                f.add(new TraceDatLayout.Field(pos + 32, 8, "sample time"));
                f.add(new TraceDatLayout.Field(pos + 40, 4, "sample cpu"));
                f.add(new TraceDatLayout.Field(pos + 56, 4, "sample raw size"));
            }
            if (size < 8) break;
            long skip = size;
            if (type == 66 && pos + 12 <= d.length) skip += b.getInt((int) pos + 8) & 0xffffffffL;
            pos += skip;
        }
        return f;
    }
}

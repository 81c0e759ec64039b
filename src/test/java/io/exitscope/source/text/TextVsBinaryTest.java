package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.event.FieldFormat;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceSource;
import io.exitscope.source.tracedat.TraceDatSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The key truth: for one recording, the text readers give the same events as the binary reader
 * (count, and per event timestamp to the precision printed, CPU, pid, comm, name and every numeric
 * field the text carries). Uses the real traces in {@code ../shared/traces/external}; skips when absent.
 */
public class TextVsBinaryTest {
    static final Path SHARED = Path.of("..", "shared", "traces", "external").toAbsolutePath().normalize();
    static final String PVM = "x86-pvm-linux-6.18/", VMX = "x86-vmx-linux-6.5/";

    /** How a text prints timestamps, relative to the binary reader's. */
    public enum Ts { NS, US, NONE }

    static Path shared(String relative) {
        Path p = SHARED.resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(p),
                "shared trace " + p + " not present (../shared/traces/external is provided beside the checkout in CI)");
        return p;
    }

    public static List<Event> events(TraceSource src) throws IOException {
        List<Event> out = new ArrayList<>();
        try (src; EventStream s = src.events()) {
            while (s.advance()) out.add(s.current().copy());
        }
        return out;
    }

    static List<Event> binary(String relative) throws IOException {
        return events(new TraceDatSource(shared(relative)));
    }

    static List<Event> text(String relative) throws IOException {
        return events(TextTraceSource.open(shared(relative), InputFormat.AUTO));
    }

    /**
     * Fields whose text is not the value: {@code trace-cmd report -R} prints a field with the print
     * fmt's first direct conversion of it, and kvm_ioapic_set_irq prints {@code (u8)REC->e}.
     */
    static final Set<String> LOSSY = Set.of("kvm_ioapic_set_irq:e");

    /**
     * Compares event by event. {@code required}: fields the text must carry for an event name
     * (proves the print-form parsers, not just that what was parsed agrees). Returns how many
     * values were compared per event:field.
     */
    public static Map<String, Integer> assertSame(List<Event> bin, List<Event> txt, Ts ts, boolean buffer, String what,
                                           Map<String, Set<String>> required) {
        assertEquals(bin.size(), txt.size(), what + ": event count");
        Map<String, Integer> compared = new TreeMap<>();
        for (int i = 0; i < bin.size(); i++) {
            Event b = bin.get(i), t = txt.get(i);
            String at = what + ": event " + (i + 1) + " (" + b.name() + " @" + b.timestamp() + ")";
            assertEquals(b.kind(), t.kind(), at + ": kind");
            if (ts == Ts.NS) assertEquals(b.timestamp(), t.timestamp(), at + ": timestamp");
            if (ts == Ts.US) assertEquals((b.timestamp() + 500) / 1000 * 1000, t.timestamp(), at + ": timestamp (µs)");
            assertEquals(b.cpu(), t.cpu(), at + ": cpu");
            if (b.kind() == Event.Kind.LOST) continue;
            assertEquals(b.pid(), t.pid(), at + ": pid");
            assertEquals(b.comm(), t.comm(), at + ": comm");
            assertEquals(b.name(), t.name(), at + ": name");
            assertEquals(b.format().system, t.format().system, at + ": system");
            if (buffer) assertEquals(b.buffer(), t.buffer(), at + ": buffer");
            for (FieldFormat tf : t.format().fields) {
                if (!t.has(tf)) continue;
                FieldFormat bf = b.format().field(tf.name);
                if (bf == null || tf.isString()) continue;                 // text-only fields (exit_reason_name, text)
                if (LOSSY.contains(b.name() + ":" + tf.name)) continue;
                if (tf.isArray()) {                                        // kvm_emulate_insn prints only insn[0..len)
                    byte[] tb = t.getBytes(tf), bb = b.getBytes(bf);
                    assertTrue(tb.length <= bb.length && Arrays.equals(tb, Arrays.copyOf(bb, tb.length)),
                            at + ": " + tf.name + " " + Arrays.toString(tb) + " vs binary " + Arrays.toString(bb));
                } else {
                    assertEquals(b.getLong(bf), t.getLong(tf), at + ": field " + tf.name + " (text '" + t.getString(tf) + "')");
                }
                compared.merge(b.name() + ":" + tf.name, 1, Integer::sum);
            }
            for (String f : required.getOrDefault(b.name(), Set.of())) {
                assertTrue(t.getString(f) != null, at + ": text lacks field " + f);
            }
        }
        return compared;
    }

    static final Map<String, Set<String>> PVM_FIELDS = Map.of(
            "kvm_pio", Set.of("rw", "port", "size", "count", "val"),
            "kvm_userspace_exit", Set.of("reason", "errno"),
            "kvm_fpu", Set.of("load"),
            "kvm_emulate_insn", Set.of("rip", "csbase", "len", "insn", "failed"));

    @Test
    void pvmTraceTextMatchesBinary() throws IOException {
        List<Event> bin = binary(PVM + "pvm-ioeventfd-ab.dat");
        assertSame(bin, text(PVM + "pvm-ioeventfd-ab.trace.txt.gz"), Ts.US, false, "trace text", PVM_FIELDS);
    }

    @Test
    void pvmReportRawMatchesBinary() throws IOException {
        List<Event> bin = binary(PVM + "pvm-ioeventfd-ab.dat");
        Map<String, Set<String>> all = Map.of(
                "kvm_pio", Set.of("rw", "port", "size", "count", "val"),
                "kvm_userspace_exit", Set.of("reason", "errno"),
                "kvm_fpu", Set.of("load"),
                "kvm_emulate_insn", Set.of("rip", "csbase", "len", "insn", "flags", "failed"));
        Map<String, Integer> n = assertSame(bin, text(PVM + "reference/pvm-ioeventfd-ab.report-raw-fields-fullts.txt.gz"),
                Ts.NS, true, "report -t -R", all);
        assertEquals(10000, n.get("kvm_pio:port"));
    }

    @Test
    void pvmReportMatchesBinary() throws IOException {
        List<Event> bin = binary(PVM + "pvm-ioeventfd-ab.dat");
        assertSame(bin, text(PVM + "reference/pvm-ioeventfd-ab.report.txt.gz"), Ts.US, true, "report", PVM_FIELDS);
    }

    /** The PVM recording's point: which ports reach userspace, as seen from the text alone. */
    @Test
    void pvmTextShowsIoeventfdEffect() throws IOException {
        List<Event> txt = text(PVM + "pvm-ioeventfd-ab.trace.txt.gz");
        Map<String, Integer> pioByCpuPort = new TreeMap<>();
        int exitsIo = 0;
        for (Event e : txt) {
            if (e.name().equals("kvm_pio")) {
                pioByCpuPort.merge(e.cpu() + ":" + Long.toHexString(e.getLong("port", -1)), 1, Integer::sum);
            }
            if (e.name().equals("kvm_userspace_exit") && e.getLong("reason", -1) == 2) exitsIo++;
        }
        assertEquals(Set.of("0:500", "0:3f8", "1:500", "1:3f8"), pioByCpuPort.keySet());
        assertEquals(6000, exitsIo);
    }

    static final Map<String, Set<String>> VMX_KERNEL = Map.of(
            "kvm_exit", Set.of("exit_reason", "isa", "guest_rip", "vcpu_id", "info1", "info2", "intr_info", "error_code", "exit_reason_name"),
            "kvm_entry", Set.of("vcpu_id", "rip"),
            "kvm_mmio", Set.of("type", "len", "gpa", "val"),
            "kvm_userspace_exit", Set.of("reason", "errno"),
            "kvm_fpu", Set.of("load"),
            "kvm_apic", Set.of("rw", "reg", "val"),
            "vcpu_match_mmio", Set.of("gva", "gpa", "write", "gpa_match"),
            "kvm_emulate_insn", Set.of("rip", "csbase", "len", "insn", "flags", "failed"));
    static final Map<String, Set<String>> VMX_PLUGIN = Map.of(
            "kvm_exit", Set.of("exit_reason", "isa", "guest_rip", "info1", "info2", "exit_reason_name"),
            "kvm_entry", Set.of("vcpu_id", "rip"),
            "kvm_mmio", Set.of("type", "len", "gpa", "val"),
            "kvm_userspace_exit", Set.of("reason", "errno"),
            "kvm_fpu", Set.of("load"),
            "kvm_emulate_insn", Set.of("rip", "csbase", "len", "insn", "failed"));
    static final Map<String, Set<String>> RAW_EXIT = Map.of(
            "kvm_exit", Set.of("exit_reason", "isa", "guest_rip", "vcpu_id", "exit_reason_name"),
            "kvm_entry", Set.of("vcpu_id", "rip"));

    @Test
    void vmxTsc2nsecReportsMatchBinary() throws IOException {
        List<Event> bin = binary(VMX + "host-kvm-tsc2nsec.dat");
        String ref = VMX + "reference/host-kvm-tsc2nsec.report.";
        assertSame(bin, text(ref + "tc316-raw-fields-fullts.txt.gz"), Ts.NS, true, "tc316 -t -R", RAW_EXIT);
        assertSame(bin, text(ref + "tc316-plugins.txt.gz"), Ts.US, true, "tc316 plugins", VMX_PLUGIN);
        assertSame(bin, text(ref + "tc333-noplugins.txt.gz"), Ts.US, true, "tc333 no plugins", VMX_KERNEL);
        assertSame(bin, text(ref + "tc316-rawts.txt.gz"), Ts.NONE, true, "tc316 raw ts", VMX_PLUGIN);
    }

    @Test
    void vmxX86TscReportsMatchBinary() throws IOException {
        List<Event> bin = binary(VMX + "host-kvm-x86tsc.v7-zstd.dat");
        String ref = VMX + "reference/host-kvm-x86tsc.report.";
        Map<String, Integer> raw = assertSame(bin, text(ref + "tc316-raw-fields-fullts.txt.gz"), Ts.NS, true, "tc316 -t -R", RAW_EXIT);
        Map<String, Integer> plugins = assertSame(bin, text(ref + "tc316-plugins.txt.gz"), Ts.NS, true, "tc316 plugins", VMX_PLUGIN);
        Map<String, Integer> kernel = assertSame(bin, text(ref + "tc333-noplugins.txt.gz"), Ts.NS, true, "tc333 no plugins", VMX_KERNEL);
        assertEquals(1558, plugins.get("kvm_exit:exit_reason"));
        assertEquals(1558, kernel.get("kvm_exit:vcpu_id"));
        assertEquals(14, kernel.get("kvm_mmio:gpa"));
        assertEquals(1558, raw.get("kvm_exit:info1"));
    }

    /** The three report flavours of one file agree with each other on what kvm_exit means. */
    @Test
    void vmxReportFlavoursAgreeOnExitReasons() throws IOException {
        String ref = VMX + "reference/host-kvm-tsc2nsec.report.";
        List<List<Event>> all = List.of(text(ref + "tc316-raw-fields-fullts.txt.gz"), text(ref + "tc316-plugins.txt.gz"),
                text(ref + "tc333-noplugins.txt.gz"));
        Map<String, Integer> byName = new TreeMap<>();
        for (int i = 0; i < all.get(0).size(); i++) {
            Event raw = all.get(0).get(i);
            if (!raw.name().equals("kvm_exit")) continue;
            for (List<Event> other : all.subList(1, 3)) {
                Event o = other.get(i);
                assertEquals(raw.getLong("exit_reason", -1), o.getLong("exit_reason", -2), "exit_reason of event " + (i + 1));
                assertEquals(raw.getLong("guest_rip", -1), o.getLong("guest_rip", -2), "guest_rip of event " + (i + 1));
                assertEquals(raw.getString("exit_reason_name"), o.getString("exit_reason_name"), "name of event " + (i + 1));
            }
            byName.merge(raw.getString("exit_reason_name"), 1, Integer::sum);
        }
        assertEquals(5860, byName.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(byName.containsKey("EPT_MISCONFIG") && byName.containsKey("HLT"), byName.toString());
    }

    /** More layouts from trace-cmd itself, when installed: kernel print fmts (-N), ns (-t), --ts-diff. */
    @Test
    void traceCmdVariantsMatchBinary(@TempDir Path tmp) throws Exception {
        Path pvm = shared(PVM + "pvm-ioeventfd-ab.dat"), tsc = shared(VMX + "host-kvm-x86tsc.v7-zstd.dat");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/trace-cmd")), "trace-cmd not installed (apt-get install trace-cmd)");
        List<Event> pvmBin = events(new TraceDatSource(pvm)), tscBin = events(new TraceDatSource(tsc));
        assertSame(pvmBin, events(TextTraceSource.open(report(tmp, pvm, "-N"), InputFormat.AUTO)), Ts.US, true, "report -N", PVM_FIELDS);
        assertSame(pvmBin, events(TextTraceSource.open(report(tmp, pvm, "-t"), InputFormat.AUTO)), Ts.NS, true, "report -t", PVM_FIELDS);
        assertSame(pvmBin, events(TextTraceSource.open(report(tmp, pvm, "--ts-diff"), InputFormat.AUTO)), Ts.US, true, "report --ts-diff", PVM_FIELDS);
        assertSame(tscBin, events(TextTraceSource.open(report(tmp, tsc, "-N"), InputFormat.AUTO)), Ts.NS, true, "report -N", VMX_KERNEL);
        assertSame(tscBin, events(TextTraceSource.open(report(tmp, tsc, "-R"), InputFormat.AUTO)), Ts.NS, true, "report -R", RAW_EXIT);
    }

    static Path report(Path dir, Path dat, String option) throws Exception {
        Path out = dir.resolve(dat.getFileName() + option + ".txt");
        Process p = new ProcessBuilder("trace-cmd", "report", option, dat.toString())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "trace-cmd report " + option + " timed out");
        assertEquals(0, p.exitValue(), "trace-cmd report " + option + " " + dat);
        return out;
    }

    @Test
    void vapicReportFilteredParsesEveryLine() throws IOException {
        Path p = shared("text/kvm_exit_vapic.report-filtered.txt");
        TraceSource src = TextTraceSource.open(p, InputFormat.AUTO);
        assertEquals(TextTraceSource.REPORT, src.info().format());
        List<Event> txt = events(src);
        assertEquals(1333, txt.size());
        Map<Long, Integer> byCode = new TreeMap<>();
        for (Event e : txt) {
            assertEquals("kvm_exit", e.name());
            assertEquals(1, e.getLong("isa", -1));
            assertTrue(e.getLong("guest_rip", 0) != 0);
            byCode.merge(e.getLong("exit_reason", -1), 1, Integer::sum);
        }
        // EXTERNAL_INTERRUPT 1, HLT 12, MSR_READ 31, MSR_WRITE 32, EPT_MISCONFIG 49, PREEMPTION_TIMER 52
        assertEquals(Map.of(1L, 28, 12L, 337, 31L, 1, 32L, 820, 49L, 108, 52L, 39), byCode);
    }
}

package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.EventStream;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceFormatException;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-written lines for each text layout the readers accept (shapes from formats.md §1.7–1.9 and §3). */
class TextTraceSourceTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.ISO_8859_1);
        return p;
    }

    private Path writeGz(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        return p;
    }

    static List<Event> read(TraceSource src) throws IOException {
        List<Event> out = new ArrayList<>();
        try (src; EventStream s = src.events()) {
            while (s.advance()) out.add(s.current());
        }
        return out;
    }

    private List<Event> read(Path p) throws IOException {
        return read(TraceFiles.open(p, InputFormat.AUTO));
    }

    /** The events of one ftrace line each (no header). */
    private List<Event> lines(String... lines) throws IOException {
        return read(write("t.txt", lines));
    }

    private static String fmt(Event e) {
        return e.comm() + "|" + e.pid() + "|" + e.cpu() + "|" + e.timestamp() + "|" + e.name();
    }

    // ---------------------------------------------------------------------------------------
    // ftrace trace / trace_pipe

    @Test
    void ftraceHeaderAndNewFlags() throws IOException {
        Path p = write("trace", "# tracer: nop", "#", "# entries-in-buffer/entries-written: 3/5   #P:32", "#",
                "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION", "#              | |         |   |||||     |         |",
                "  qemu-system-x86-18971   [015] d.... 95922.997133: kvm_entry: vcpu 0, rip 0xf7d6b",
                "    kworker/23:1-333     [023] d..1.   428.789473: ata_qc_issue: ata_port=2 ata_dev=0 tag=5",
                "          <idle>-0       [000] dNh2.     1.000001: kvm_fpu: unload");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        TraceInfo info = src.info();
        assertEquals("ftrace text", info.format());
        assertEquals(32, info.cpus());
        assertEquals("local", info.clock());
        assertTrue(info.nanosecondClock());
        assertEquals("3/5 #P:32 (2 events overwritten)", info.options().get(0).summary());
        List<Event> ev = read(src);
        assertEquals(3, ev.size());
        assertEquals("qemu-system-x86|18971|15|95922997133000|kvm_entry", fmt(ev.get(0)));
        assertEquals(0xf7d6bL, ev.get(0).getLong("rip", -1));
        assertEquals("kworker/23:1|333|23|428789473000|ata_qc_issue", fmt(ev.get(1)));
        assertEquals("", ev.get(1).format().system);
        assertEquals(5, ev.get(1).getLong("tag", -1));
        assertEquals("<idle>|0|0|1000001000|kvm_fpu", fmt(ev.get(2)));
        assertEquals(0, ev.get(2).getLong("load", -1));
        assertEquals("", ev.get(0).buffer());
    }

    /** 5.x kernels: 4 flag characters, pid %-5d (real lines of a QEMU commit message, re-joined). */
    @Test
    void entriesHeaderCutAfterItsColon() throws IOException {
        // fuzz (CI, seed 0x178a1b58e893dfbb): a header line ending right after
        // "entries-in-buffer/entries-written:" made the scan read one character past the line
        Path p = write("trace", "# tracer: nop", "# entries-in-buffer/entries-written:",
                "  g2-1 [000] .....   5.000001: kvm_fpu: load");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        assertEquals("ftrace text", src.info().format());
        assertEquals(1, read(src).size());
    }

    @Test
    void ftraceOldFourCharFlags() throws IOException {
        Path p = write("pipe", "qemu-system-x86-5665  [000] d..1   280.971122: kvm_entry: vcpu 0, rip 0x22da",
                "qemu-system-x86-5665  [000] ....   280.971126: kvm_exit: reason IO_INSTRUCTION rip 0x110c8c info 640008 0",
                "qemu-system-x86-5659  [007] ....   280.971231: tracing_mark_write: pckbd_kbd_update_irq kbd=1 aux=0",
                "       challenge-24797 [003] .... 83184.290337: kvm_exit: reason IO_INSTRUCTION rip 0xff info e90008 0");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        assertEquals("ftrace text", src.info().format());
        List<Event> ev = read(src);
        assertEquals("qemu-system-x86|5665|0|280971122000|kvm_entry", fmt(ev.get(0)));
        assertEquals(0x22da, ev.get(0).getLong("rip", -1));
        Event exit = ev.get(1);
        assertEquals(30, exit.getLong("exit_reason", -1));
        assertEquals(1, exit.getLong("isa", -1));
        assertEquals(0x110c8c, exit.getLong("guest_rip", -1));
        assertEquals(0x640008, exit.getLong("info1", -1));
        assertEquals(0, exit.getLong("info2", -1));
        assertEquals("IO_INSTRUCTION", exit.getString("exit_reason_name"));
        assertFalse(exit.has(exit.format().field("vcpu_id")), "4.x/5.x kvm_exit prints no vcpu");
        Event mark = ev.get(2);
        assertEquals(1, mark.getLong("kbd", -1));
        assertEquals(0, mark.getLong("aux", -1));
        assertEquals("pckbd_kbd_update_irq kbd=1 aux=0", mark.getString("text"));
        assertEquals("challenge|24797|3|83184290337000|kvm_exit", fmt(ev.get(3)));
    }

    @Test
    void ftraceWithoutIrqInfoAndWithTgid() throws IOException {
        List<Event> ev = lines("            bash-1234    (   1230) [002] d..1.   100.000001: kvm_fpu: load",
                "            bash-1235    (-------) [002] .....   100.000002: kvm_fpu: unload",
                "            bash-1236    (   1230) [003]   100.000003: kvm_fpu: load",
                "            bash-1237  [004]   100.000004: kvm_fpu: load");
        assertEquals("bash|1234|2|100000001000|kvm_fpu", fmt(ev.get(0)));
        assertEquals("bash|1235|2|100000002000|kvm_fpu", fmt(ev.get(1)));
        assertEquals("bash|1236|3|100000003000|kvm_fpu", fmt(ev.get(2)));
        assertEquals("bash|1237|4|100000004000|kvm_fpu", fmt(ev.get(3)));
    }

    @Test
    void commWithSpacesDashesAndBrackets() throws IOException {
        List<Event> ev = lines("     Web Content-5678    [001] .....   10.500000: kvm_fpu: load",
                " my-odd-comm-2-42      [003] .....   10.500001: kvm_fpu: load",
                "   gdbus [x] 1-77      [005] .....   10.500002: kvm_fpu: load",
                "      CPU 0/KVM-9001   [006] .....   10.500003: kvm_fpu: load");
        assertEquals("Web Content|5678|1", fmt(ev.get(0)).substring(0, 18));
        assertEquals("my-odd-comm-2|42|3|10500001000|kvm_fpu", fmt(ev.get(1)));
        assertEquals("gdbus [x] 1|77|5|10500002000|kvm_fpu", fmt(ev.get(2)));
        assertEquals("CPU 0/KVM|9001|6|10500003000|kvm_fpu", fmt(ev.get(3)));
    }

    @Test
    void nanosecondAndCounterTimestamps() throws IOException {
        List<Event> ev = lines("  g2-1 [000] ..... 12.000000001: kvm_fpu: load",
                "  g2-1 [000] .....   12.5: kvm_fpu: load",
                "  g2-1 [000] ..... 12345678901234: kvm_fpu: load");
        assertEquals(12_000_000_001L, ev.get(0).timestamp());
        assertEquals(12_500_000_000L, ev.get(1).timestamp());
        assertEquals(12345678901234L, ev.get(2).timestamp());
        TraceSource counter = TraceFiles.open(write("c.txt", "  g2-1 [000] ..... 12345678901234: kvm_fpu: load"), InputFormat.AUTO);
        assertEquals("counter", counter.info().clock());
        assertFalse(counter.info().nanosecondClock());
    }

    @Test
    void lostEventsMarkers() throws IOException {
        List<Event> ev = lines("  g2-1 [000] .....   5.000001: kvm_fpu: load",
                "CPU:2 [LOST 17 EVENTS]",
                "  g2-1 [002] .....   5.000002: kvm_fpu: unload");
        assertEquals(3, ev.size());
        Event lost = ev.get(1);
        assertEquals(Event.Kind.LOST, lost.kind());
        assertEquals(2, lost.cpu());
        assertEquals(17, lost.lostCount());
        assertEquals(5_000_001_000L, lost.timestamp(), "a marker takes the time of the line before");
        assertNull(lost.format());
    }

    // ---------------------------------------------------------------------------------------
    // trace-cmd report

    @Test
    void reportDroppedMarkersAndBuffers() throws IOException {
        Path p = write("r.txt", "cpus=4",
                "ref:               g2-21516 [000]  1389.590582983: kvm_fpu:               load=1",
                "CPU:1 [5 EVENTS DROPPED]",
                "                   g2-21517 [001]  1389.590583000: kvm_fpu:               load=0",
                "ref: CPU:3 [EVENTS DROPPED]",
                "               g2-21518 [003]  1389.590584000: kvm_fpu:               load=0",
                "CPU:2 [SUBBUFFER START]",
                "   long: CPU 1 is empty");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        assertEquals("trace-cmd report", src.info().format());
        assertEquals(4, src.info().cpus());
        List<Event> ev = read(src);
        assertEquals(5, ev.size());
        assertEquals("ref", ev.get(0).buffer());
        assertEquals(1389_590_582_983L, ev.get(0).timestamp());
        assertEquals(Event.Kind.LOST, ev.get(1).kind());
        assertEquals(5, ev.get(1).lostCount());
        assertEquals(1, ev.get(1).cpu());
        assertEquals("", ev.get(2).buffer());
        assertEquals(-1, ev.get(3).lostCount());
        assertEquals("ref", ev.get(3).buffer());
        assertEquals("ref", ev.get(4).buffer(), "trace-cmd prints the event after a marker without the prefix");
    }

    @Test
    void reportFlagColumnAndRawTicks() throws IOException {
        Path p = write("r.txt", "cpus=20",
                " qemu-system-x86-533825 [005]303280081900681: kvm_fpu:              unload",
                " qemu-system-x86-533825 [005] .....303280081909057: kvm_fpu:              load",
                " qemu-system-x86-533825 [005] d..1. 22149.949610: kvm_exit:             vcpu 0 reason EPT_MISCONFIG rip 0xffffffffa0632f49 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000",
                " qemu-system-x86-533825 [005]303280081909058: (+1)     kvm_fpu:              load");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        assertEquals("counter", src.info().clock());
        List<Event> ev = read(src);
        assertEquals(303280081900681L, ev.get(0).timestamp());
        assertEquals(303280081909057L, ev.get(1).timestamp());
        assertEquals(1, ev.get(1).getLong("load", -1));
        assertEquals(22149_949_610_000L, ev.get(2).timestamp());
        assertEquals(49, ev.get(2).getLong("exit_reason", -1));
        assertEquals(0xffffffffa0632f49L, ev.get(2).getLong("guest_rip", -1));
        assertEquals(303280081909058L, ev.get(3).timestamp());
    }

    // ---------------------------------------------------------------------------------------
    // perf script

    @Test
    void perfScript() throws IOException {
        Path p = write("perf.txt",
                " qemu-system-x86 27637 [006] 622048.897809: kvm:kvm_entry: vcpu 0",
                "       fc_vcpu 1  599500 [039] 1377662.550600: kvm:kvm_entry:  vcpu 1 rip 0xffffffff81036706",
                " qemu-system-x86  4242/4250  [001]  1000.123456789:   kvm:kvm_exit: reason EPT_MISCONFIG rip 0xffffffff81000000 info 0 0",
                "            perf 18915 [000]   742.247721: sched:sched_switch: prev_comm=perf prev_pid=18915 prev_prio=120 prev_state=R+ ==> next_comm=swapper/0 next_pid=0 next_prio=120",
                "        qemu-kvm  4250  1000.123457000: kvm:kvm_pio: pio_read at 0x3f8 size 1 count 1 val 0x31 ");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        assertEquals("perf script", src.info().format());
        assertEquals("perf", src.info().clock());
        List<Event> ev = read(src);
        assertEquals("qemu-system-x86|27637|6|622048897809000|kvm_entry", fmt(ev.get(0)));
        assertEquals("kvm", ev.get(0).format().system);
        assertEquals(0, ev.get(0).getLong("vcpu_id", -1));
        assertEquals("fc_vcpu 1|599500|39|1377662550600000|kvm_entry", fmt(ev.get(1)));
        assertEquals(1, ev.get(1).getLong("vcpu_id", -1));
        assertEquals(0xffffffff81036706L, ev.get(1).getLong("rip", -1));
        assertEquals("qemu-system-x86|4250|1|1000123456789|kvm_exit", fmt(ev.get(2)));
        assertEquals(49, ev.get(2).getLong("exit_reason", -1));
        assertEquals("sched", ev.get(3).format().system);
        assertEquals(18915, ev.get(3).getLong("prev_pid", -1));
        assertEquals("swapper/0", ev.get(3).getString("next_comm"));
        assertEquals(0, ev.get(3).getLong("next_pid", -1));
        assertEquals("qemu-kvm|4250|-1|1000123457000|kvm_pio", fmt(ev.get(4)), "perf without a CPU column");
        assertEquals(0, ev.get(4).getLong("rw", -1));
        assertEquals(0x3f8, ev.get(4).getLong("port", -1));
        assertEquals(0x31, ev.get(4).getLong("val", -1));
    }

    // ---------------------------------------------------------------------------------------
    // Model: formats grow, are shared, and keep both text and value

    @Test
    void formatsAreSharedAndGrow() throws IOException {
        List<Event> ev = lines("  a-1 [000] ..... 1.000001: my_event: x=1",
                "  a-1 [000] ..... 1.000002: my_event: x=2 y=0x10",
                "  a-1 [000] ..... 1.000003: my_event: x=3",
                "  a-1 [000] ..... 1.000004: kvm_pio: pio_write at 0x500 size 1 count 1 val 0x0 ",
                "  a-1 [000] ..... 1.000005: kvm_pio: pio_read at 0x3f8 size 2 count 4 val 0x1 (...)");
        EventFormat v1 = ev.get(0).format(), v2 = ev.get(1).format();
        assertSame(v2, ev.get(2).format(), "one format object per name once its fields are known");
        assertEquals(v1.id, v2.id);
        assertSame(v1.field("x"), v2.field("x"), "field objects are shared between versions");
        assertNull(v1.field("y"));
        assertFalse(ev.get(0).has(v2.field("y")));
        assertFalse(ev.get(2).has(v2.field("y")));
        assertEquals(16, ev.get(1).getLong("y", -1));
        assertEquals("0x10", ev.get(1).getString("y"), "the source text is kept beside the value");
        assertSame(ev.get(3).format(), ev.get(4).format());
        assertEquals(0x3f8, ev.get(4).getLong(ev.get(3).format().field("port")));
        assertEquals(4, ev.get(4).getLong("count", -1));
        assertEquals("kvm", ev.get(3).format().system);
    }

    // ---------------------------------------------------------------------------------------
    // gzip, detection, forced formats, errors

    @Test
    void gzipIsReadTransparently() throws IOException {
        Path p = writeGz("trace.gz", "# tracer: nop", "  g2-1 [000] .....   5.000001: kvm_fpu: load");
        TraceSource src = TraceFiles.open(p, InputFormat.AUTO);
        assertEquals("gzip", src.info().compression());
        assertEquals(1, read(src).size());
    }

    @Test
    void forcedFormat() throws IOException {
        Path report = write("r.txt", "cpus=2", "  g2-1 [000]  5.000001: kvm_fpu:              load");
        assertEquals("ftrace text", TraceFiles.open(report, InputFormat.FTRACE).info().format());
        assertEquals(1, read(TraceFiles.open(report, InputFormat.FTRACE)).size());
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> read(TraceFiles.open(report, InputFormat.PERF_SCRIPT)));
        assertEquals(7, e.offset());
        assertTrue(e.problem().startsWith("line 2: cannot parse"), e.problem());
    }

    @Test
    void malformedLineNamesItsByteOffset() throws IOException {
        String l1 = "# tracer: nop", l2 = "  g2-1 [000] .....   5.000001: kvm_fpu: load", l3 = "  this is not an event line";
        Path p = write("bad.txt", l1, l2, l3);
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> read(p));
        assertEquals(l1.length() + 1 + l2.length() + 1, e.offset());
        assertEquals(p.toString(), e.file());
        assertTrue(e.problem().startsWith("line 3: cannot parse"), e.problem());
        assertTrue(e.getMessage().contains("at byte " + e.offset()), e.getMessage());

        Path gz = writeGz("bad.gz", l1, l2, l3);
        TraceFormatException g = assertThrows(TraceFormatException.class, () -> read(gz));
        assertEquals(e.offset(), g.offset());
        assertTrue(g.problem().contains("decompressed"), g.problem());

        Path crlf = dir.resolve("crlf.txt");
        Files.writeString(crlf, l1 + "\r\n" + l2 + "\r\n" + "  g2-1 [000] .....   5.000002:\r\n");
        TraceFormatException c = assertThrows(TraceFormatException.class, () -> read(crlf));
        assertEquals(l1.length() + 2 + l2.length() + 2, c.offset());
    }

    @Test
    void detectionFailuresAreOneClearError() throws IOException {
        Path garbage = dir.resolve("garbage.bin");
        Files.write(garbage, new byte[]{1, 2, 3, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> TraceFiles.open(garbage, InputFormat.AUTO));
        assertEquals(0, e.offset());
        assertTrue(e.problem().contains("binary"), e.problem());

        Path prose = write("prose.txt", "Dear diary,", "today I traced KVM.");
        TraceFormatException t = assertThrows(TraceFormatException.class, () -> TraceFiles.open(prose, InputFormat.AUTO));
        assertEquals(0, t.offset());
        assertTrue(t.problem().startsWith("not a text trace"), t.problem());

        Path blank = write("blank.txt", "", "   ", "");
        assertThrows(TraceFormatException.class, () -> TraceFiles.open(blank, InputFormat.AUTO));

        Path datGz = dir.resolve("trace.dat.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(datGz))) {
            out.write(new byte[]{0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0});
        }
        TraceFormatException d = assertThrows(TraceFormatException.class, () -> TraceFiles.open(datGz, InputFormat.AUTO));
        assertTrue(d.problem().contains("gzip-compressed trace.dat"), d.problem());
    }

    @Test
    void skippedLines() throws IOException {
        List<Event> ev = lines("", "# comment", "  g2-1 [000] .....   5.000001: kernel_stack: <stack trace>",
                " => __schedule", " => schedule", "\t", "  g2-1 [000] .....   5.000002: kvm_fpu: load");
        assertEquals(2, ev.size());
        assertEquals("<stack trace>", ev.get(0).getString("text"));
    }

    @Test
    void functionTracerLines() throws IOException {
        List<Event> ev = lines("            bash-1977    [000] .....  17284.993652: sys_close <-system_call_fastpath");
        assertEquals("function", ev.get(0).name());
        assertEquals("sys_close <-system_call_fastpath", ev.get(0).getString("text"));
    }

    @Test
    void rawArraysAndStrings() throws IOException {
        List<Event> ev = lines("ref:               g2-21516 [000]  1389.590673477: kvm_emulate_insn:      rip=1000 csbase=0 len=3 insn=ARRAY[ba, 00, 05, ee] flags=0 failed=0",
                "ref:               g2-21516 [000]  1389.590673478: sched_switch:          prev_comm=Web Content prev_pid=12 prev_state=S next_comm=ls next_pid=13");
        Event insn = ev.get(0);
        assertEquals(0x1000, insn.getLong("rip", -1), "kvm_emulate_insn prints rip with a bare %llx");
        assertArrayEquals(new byte[]{(byte) 0xba, 0, 5, (byte) 0xee}, insn.getBytes(insn.format().field("insn")));
        assertTrue(insn.format().field("insn").isArray());
        Event sw = ev.get(1);
        assertEquals("Web Content", sw.getString("prev_comm"));
        assertEquals(12, sw.getLong("prev_pid", -1));
        assertEquals("S", sw.getString("prev_state"));
        assertTrue(sw.format().field("prev_comm").isString());
    }
}

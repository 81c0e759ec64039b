package io.exitscope.exit;

import io.exitscope.event.Event;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.FormatParser;
import io.exitscope.event.RawEvent;
import io.exitscope.event.SimpleEvent;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per assembler rule, on hand-built events. */
class ExitAssemblerTest {

    static final String COMMON = """
            \tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
            \tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
            \tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
            \tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

            """;

    static EventFormat fmt(int id, String name, String fields) {
        return FormatParser.parseEvent("kvm", "name: " + name + "\nID: " + id + "\nformat:\n" + COMMON + fields + "\nprint fmt: \"\"\n");
    }

    static final EventFormat EXIT = fmt(1, "kvm_exit", """
            \tfield:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;
            \tfield:unsigned long guest_rip;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:u32 isa;\toffset:24;\tsize:4;\tsigned:0;
            \tfield:unsigned int vcpu_id;\toffset:28;\tsize:4;\tsigned:0;
            \tfield:u64 requests;\toffset:32;\tsize:8;\tsigned:0;
            """);
    static final EventFormat ENTRY = fmt(2, "kvm_entry", "\tfield:unsigned int vcpu_id;\toffset:8;\tsize:4;\tsigned:0;\n");
    static final EventFormat PIO = fmt(3, "kvm_pio", """
            \tfield:unsigned int rw;\toffset:8;\tsize:4;\tsigned:0;
            \tfield:unsigned int port;\toffset:12;\tsize:4;\tsigned:0;
            """);
    static final EventFormat USER = fmt(4, "kvm_userspace_exit", """
            \tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;
            \tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;
            """);
    static final EventFormat FPU = fmt(5, "kvm_fpu", "\tfield:u32 load;\toffset:8;\tsize:4;\tsigned:0;\n");
    static final EventFormat MMIO = fmt(6, "kvm_mmio", """
            \tfield:u32 type;\toffset:8;\tsize:4;\tsigned:0;
            \tfield:u32 len;\toffset:12;\tsize:4;\tsigned:0;
            \tfield:u64 gpa;\toffset:16;\tsize:8;\tsigned:0;
            """);
    // s390 (field layout as on a 64-bit s390 kernel)
    static final EventFormat SIE_ENTER = fmt(10, "kvm_s390_sie_enter", """
            \tfield:int id;\toffset:8;\tsize:4;\tsigned:1;
            \tfield:unsigned long pswmask;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned long pswaddr;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:int cpuflags;\toffset:32;\tsize:4;\tsigned:1;
            """);
    static final EventFormat SIE_EXIT = fmt(11, "kvm_s390_sie_exit", """
            \tfield:int id;\toffset:8;\tsize:4;\tsigned:1;
            \tfield:unsigned long pswmask;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned long pswaddr;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:u8 icptcode;\toffset:32;\tsize:1;\tsigned:0;
            """);
    static final EventFormat INSN = fmt(12, "kvm_s390_intercept_instruction", """
            \tfield:int id;\toffset:8;\tsize:4;\tsigned:1;
            \tfield:unsigned long pswmask;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned long pswaddr;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:__u64 instruction;\toffset:32;\tsize:8;\tsigned:0;
            """);
    static final EventFormat DIAG = fmt(13, "kvm_s390_handle_diag", """
            \tfield:int id;\toffset:8;\tsize:4;\tsigned:1;
            \tfield:unsigned long pswmask;\toffset:16;\tsize:8;\tsigned:0;
            \tfield:unsigned long pswaddr;\toffset:24;\tsize:8;\tsigned:0;
            \tfield:__u16 code;\toffset:32;\tsize:2;\tsigned:0;
            """);

    /** An event with named values; unnamed fields are 0. */
    static Event ev(EventFormat f, long ts, int cpu, int pid, Object... kv) {
        int n = f.fields.size();
        long[] longs = new long[n];
        boolean[] present = new boolean[n];
        java.util.Arrays.fill(present, true);
        for (int i = 0; i < kv.length; i += 2) longs[f.field((String) kv[i]).index] = ((Number) kv[i + 1]).longValue();
        longs[f.field("common_pid").index] = pid;
        return new SimpleEvent(Event.Kind.EVENT, ts, cpu, pid, "qemu", "", 0, f, longs, new Object[n], present);
    }

    final List<ExitRecord> out = new ArrayList<>();
    final ExitAssembler asm = new ExitAssembler(out::add, Event::comm, true);

    void feed(Event... events) {
        for (Event e : events) asm.accept(e);
    }

    @Test
    void pairsExitWithNextEntryOfTheSameThread() {
        feed(ev(EXIT, 1000, 0, 7, "exit_reason", 49, "isa", 1, "vcpu_id", 2),
                ev(EXIT, 1100, 1, 8, "exit_reason", 1, "isa", 1),   // another thread in between
                ev(ENTRY, 1500, 0, 7, "vcpu_id", 2),
                ev(ENTRY, 1700, 1, 8));
        asm.finish();
        assertEquals(2, out.size());
        ExitRecord r = out.get(0);
        assertEquals("EPT_MISCONFIG", r.reason());
        assertEquals(49, r.reasonCode());
        assertEquals(500, r.latencyNs());
        assertEquals(ExitClass.KERNEL, r.exitClass());
        assertEquals(2, r.vcpu());
        assertEquals(Measure.EXIT_TO_ENTRY, r.measure());
        assertEquals("EXTERNAL_INTERRUPT", out.get(1).reason());
        assertEquals(600, out.get(1).latencyNs());
    }

    @Test
    void migrationBetweenCpusStillPairs() {
        feed(ev(EXIT, 100, 0, 7, "exit_reason", 30, "isa", 1), ev(PIO, 110, 0, 7, "rw", 1, "port", 0x500),
                ev(ENTRY, 400, 3, 7));
        asm.finish();
        assertEquals(1, out.size());
        assertEquals(300, out.get(0).latencyNs());
        assertEquals("port 0x500 out", out.get(0).subkey());
        assertEquals(0, asm.incomplete());
    }

    @Test
    void lostEventsOnTheThreadsCpuDropTheOpenExit() {
        feed(ev(EXIT, 100, 2, 7, "exit_reason", 30, "isa", 1),
                SimpleEvent.lost(200, 2, "", 15),
                ev(ENTRY, 300, 2, 7),                                   // might belong to a lost exit: not paired
                ev(EXIT, 400, 2, 7, "exit_reason", 12, "isa", 1), ev(ENTRY, 450, 2, 7));
        asm.finish();
        assertEquals(1, out.size());
        assertEquals("HLT", out.get(0).reason());
        assertTrue(out.get(0).blocking());
        assertEquals(1, asm.incomplete(ExitAssembler.Incomplete.LOST_EVENTS));
        assertEquals(java.util.Map.of("IO_INSTRUCTION", 1L), asm.incompleteByReason());
        assertEquals(15, asm.lostEvents());
        assertEquals(1, asm.orphanEntries());
    }

    @Test
    void lostEventsOnAnotherCpuDoNotTouchTheExit() {
        feed(ev(EXIT, 100, 2, 7, "exit_reason", 30, "isa", 1), SimpleEvent.lost(200, 5, "", -1), ev(ENTRY, 300, 2, 7));
        asm.finish();
        assertEquals(1, out.size());
        assertEquals(1, asm.lostUnknownPages());
    }

    @Test
    void nestedChildrenRefineAndUserspaceLegIsTimed() {
        feed(ev(EXIT, 1000, 0, 7, "exit_reason", 30, "isa", 1),
                ev(PIO, 1010, 0, 7, "rw", 0, "port", 0x3f8),
                ev(FPU, 1020, 0, 7, "load", 0),
                ev(USER, 1030, 0, 7, "reason", 2),
                ev(FPU, 5030, 0, 7, "load", 1),                         // back in KVM_RUN
                ev(ENTRY, 5100, 0, 7));
        asm.finish();
        ExitRecord r = out.get(0);
        assertEquals(ExitClass.USERSPACE, r.exitClass());
        assertEquals("port 0x3f8 in", r.subkey());
        assertEquals(4100, r.latencyNs());
        assertEquals(4000, r.userspaceNs());
        assertEquals(100, r.kernelNs());
        assertEquals(2, r.userspaceReason());
    }

    @Test
    void exitWithoutEntryAtTraceEndIsIncomplete() {
        feed(ev(EXIT, 100, 0, 7, "exit_reason", 30, "isa", 1));
        asm.finish();
        assertEquals(0, out.size());
        assertEquals(1, asm.incomplete(ExitAssembler.Incomplete.TRACE_END));
        assertEquals(java.util.Map.of("IO_INSTRUCTION", 1L), asm.incompleteByReason());
    }

    @Test
    void twoExitsWithoutEntryMakeTheFirstIncomplete() {
        feed(ev(EXIT, 100, 0, 7, "exit_reason", 30, "isa", 1), ev(EXIT, 200, 0, 7, "exit_reason", 1, "isa", 1), ev(ENTRY, 250, 0, 7));
        asm.finish();
        assertEquals(1, out.size());
        assertEquals(50, out.get(0).latencyNs());
        assertEquals(1, asm.incomplete(ExitAssembler.Incomplete.NO_ENTRY));
        assertEquals(java.util.Map.of("IO_INSTRUCTION", 1L), asm.incompleteByReason());
    }

    @Test
    void entryWithoutExitAtTraceStartIsIgnored() {
        feed(ev(ENTRY, 50, 0, 7), ev(EXIT, 100, 0, 7, "exit_reason", 10, "isa", 1), ev(ENTRY, 180, 0, 7));
        asm.finish();
        assertEquals(1, out.size());
        assertEquals("CPUID", out.get(0).reason());
        assertEquals(1, asm.orphanEntries());
    }

    @Test
    void unknownReasonsAreShownNotDropped() {
        feed(ev(EXIT, 100, 0, 7, "exit_reason", 0x7777, "isa", 1), ev(ENTRY, 110, 0, 7),
                ev(EXIT, 200, 0, 7, "exit_reason", 0x999, "isa", 2), ev(ENTRY, 230, 0, 7),
                ev(EXIT, 300, 0, 7, "exit_reason", 0x80000021L, "isa", 1), ev(ENTRY, 330, 0, 7));
        asm.finish();
        assertEquals("UNKNOWN(0x7777)", out.get(0).reason());
        assertEquals(Arch.X86_SVM, out.get(1).arch());
        assertEquals("UNKNOWN(0x999)", out.get(1).reason());
        assertEquals("INVALID_STATE|FAILED_VMENTRY", out.get(2).reason());
        assertEquals(0x21, out.get(2).reasonCode());
    }

    @Test
    void requestsPendingAtExitAreCarried() {
        feed(ev(EXIT, 100, 0, 7, "exit_reason", 1, "isa", 1, "requests", 0x40), ev(ENTRY, 110, 0, 7));
        asm.finish();
        assertEquals(0x40, out.get(0).requests());
    }

    @Test
    void childEventModeWithoutExitEventsCountsExitsAndTimesUserspaceRoundTrips() {
        // the shape of KVM on PVM: no kvm_exit/kvm_entry; pio to 0x500 stays in the kernel (ioeventfd), 0x3f8 goes out
        feed(ev(FPU, 0, 1, 9, "load", 1),
                ev(PIO, 10, 1, 9, "rw", 1, "port", 0x500),
                ev(PIO, 20, 1, 9, "rw", 1, "port", 0x500),
                ev(PIO, 30, 1, 9, "rw", 1, "port", 0x3f8),
                ev(FPU, 40, 1, 9, "load", 0),
                ev(USER, 45, 1, 9, "reason", 2),
                ev(FPU, 1045, 1, 9, "load", 1),
                ev(MMIO, 1100, 1, 9, "type", 2, "len", 4, "gpa", 0xd0000),
                ev(USER, 1110, 1, 9, "reason", 6),
                ev(FPU, 3110, 1, 9, "load", 1));
        asm.finish();
        assertEquals(4, out.size());
        assertEquals(ExitClass.KERNEL, out.get(0).exitClass());
        assertEquals(Measure.COUNT_ONLY, out.get(0).measure());
        assertEquals(-1, out.get(0).latencyNs());
        assertEquals("port 0x500 out", out.get(1).subkey());
        ExitRecord pio = out.get(2);
        assertEquals("port 0x3f8 out", pio.subkey());
        assertEquals(ExitClass.USERSPACE, pio.exitClass());
        assertEquals(Measure.USERSPACE_ROUND_TRIP, pio.measure());
        assertEquals(1000, pio.latencyNs());
        ExitRecord mmio = out.get(3);
        assertEquals("gpa 0xd0000 write", mmio.subkey());
        assertEquals(2000, mmio.latencyNs());
        assertEquals(2, asm.fpuLoads() - 1);
    }

    @Test
    void aSignalReturnDoesNotMakeTheKernelHandledExitBeforeItUserspace() {
        // child-event mode: an ioeventfd-handled pio, then KVM_RUN returns for a timer signal (EINTR)
        feed(ev(FPU, 0, 1, 9, "load", 1),
                ev(PIO, 10, 1, 9, "rw", 1, "port", 0x500),
                ev(FPU, 20, 1, 9, "load", 0),
                ev(USER, 25, 1, 9, "reason", 10, "errno", -4),
                ev(FPU, 525, 1, 9, "load", 1));
        asm.finish();
        assertEquals(2, out.size());
        assertEquals("port 0x500 out", out.get(0).subkey());
        assertEquals(ExitClass.KERNEL, out.get(0).exitClass());
        assertEquals("KVM_EXIT_INTR", out.get(1).reason());
        assertEquals(ExitClass.USERSPACE, out.get(1).exitClass());
        assertEquals(500, out.get(1).latencyNs());
    }

    @Test
    void bigEndianS390EventsDecodeAndPair() {
        // raw s390 records in big-endian byte order, read through the binary flyweight
        List<Event> evs = List.of(
                s390(SIE_EXIT, 1_000, 3, b -> b.put(32, (byte) 0x04)),
                s390(INSN, 1_050, 3, b -> b.putLong(32, 0x8300_0000_0000_0000L)),  // DIAG
                s390(DIAG, 1_100, 3, b -> b.putShort(32, (short) 0x500)),
                s390(SIE_ENTER, 1_410, 3, b -> { }),
                s390(SIE_EXIT, 2_000, 3, b -> b.put(32, (byte) 0x1c)),           // wait state
                s390(SIE_ENTER, 9_000, 3, b -> { }),
                s390(SIE_EXIT, 10_000, 3, b -> b.put(32, (byte) 0x66)),          // not in any table
                s390(SIE_ENTER, 10_100, 3, b -> { }));
        for (Event e : evs) asm.accept(e);
        asm.finish();
        assertEquals(3, out.size());
        ExitRecord diag = out.get(0);
        assertEquals(Arch.S390, diag.arch());
        assertEquals("Instruction", diag.reason());
        assertEquals("DIAG (0x500) KVM virtio functions", diag.subkey());
        assertEquals(410, diag.latencyNs());
        assertEquals(5, diag.vcpu());
        assertEquals("Wait state", out.get(1).reason());
        assertTrue(out.get(1).blocking());
        assertEquals("UNKNOWN(0x66)", out.get(2).reason());
    }

    interface Fill { void fill(ByteBuffer b); }

    static Event s390(EventFormat f, long ts, int cpu, Fill fill) {
        ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.BIG_ENDIAN);
        b.putShort(0, (short) f.id);
        b.putInt(4, 4242);
        b.putInt(8, 5); // vcpu id
        fill.fill(b);
        RawEvent e = new RawEvent(true, "", pid -> "qemu");
        e.set(b.array(), 0, 48, ts, cpu, f);
        return e.copy();
    }

    @Test
    void ignoresUnrelatedEventsAndKeepsState() {
        EventFormat other = fmt(99, "sched_switch", "\tfield:int prev_pid;\toffset:8;\tsize:4;\tsigned:1;\n");
        feed(ev(EXIT, 100, 0, 7, "exit_reason", 1, "isa", 1), ev(other, 120, 0, 7), ev(ENTRY, 130, 0, 7));
        asm.finish();
        assertEquals(1, out.size());
        assertNull(out.get(0).subkey());
    }

    @Test
    void fieldLayoutComesFromTheFormat() {
        FieldFormat f = EXIT.field("requests");
        assertEquals(32, f.offset);
    }
}

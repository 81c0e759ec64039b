package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.source.InputFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The print forms of the KVM events, parsed back into the binary field names and values. Lines
 * follow the kernel print fmts (tracefs-formats-linux-6.18, reference/s390.md) and libtraceevent's
 * kvm plugin.
 */
class PrintFormsTest {
    @TempDir
    Path dir;

    /** Parses the event text {@code text} of event {@code name} as one ftrace line. */
    private Event parse(String name, String text) throws IOException {
        return parseAll(name + ": " + text).get(0);
    }

    private List<Event> parseAll(String... bodies) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String b : bodies) sb.append("  qemu-system-x86-100     [001] d..1.  5.000001: ").append(b).append('\n');
        Path p = dir.resolve("t" + System.nanoTime() + ".txt");
        Files.writeString(p, sb, StandardCharsets.ISO_8859_1);
        return TextTraceSourceTest.read(TextTraceSource.open(p, InputFormat.AUTO));
    }

    private static long v(Event e, String field) {
        return e.getLong(field, Long.MIN_VALUE);
    }

    @Test
    void kvmExitKernel618() throws IOException {
        Event e = parse("kvm_exit", "vcpu 3 reason HLT rip 0xffffffff8220b4ef info1 0x0000000000000000 info2 0x0000000000000000 "
                + "intr_info 0x00000000 error_code 0x00000000 requests 0x0000000000000100");
        assertEquals(12, v(e, "exit_reason"));
        assertEquals(1, v(e, "isa"));
        assertEquals(3, v(e, "vcpu_id"));
        assertEquals(0xffffffff8220b4efL, v(e, "guest_rip"));
        assertEquals(0x100, v(e, "requests"));
        assertEquals("HLT", e.getString("exit_reason_name"));
        assertEquals("0xffffffff8220b4ef", e.getString("guest_rip"));
    }

    @Test
    void kvmExitSvmAndOddReasons() throws IOException {
        List<Event> ev = parseAll(
                "kvm_exit: vcpu 0 reason npf rip 0xffffffff81000000 info1 0x0000000100000014 info2 0x00000000fee00300 intr_info 0x00000000 error_code 0x00000000",
                "kvm_exit: vcpu 0 reason DE excp rip 0x10 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0",
                "kvm_exit: reason EXIT_NPF rip 0x0 info 1680000007 1729a1000",   // plugin, AMD (formats.md §1.9)
                "kvm_exit: reason EXTERNAL_INTERRUPT rip 0xffffffffba200cf0 info 0 0",
                "kvm_exit: reason EPT_MISCONFIG rip 0xffffffffa0632f49 info 0 0",
                "kvm_exit: reason UNKNOWN (99) rip 0x1000 info 0 0",
                "kvm_exit: vcpu 1 reason INVALID_STATE FAILED_VMENTRY rip 0xfff0 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0",
                "kvm_exit: vcpu 1 reason 0x63 rip 0xfff0 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0",
                "kvm_exit: vcpu 0 reason idle-halt rip 0x1 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0",
                "kvm_exit: reason PENDING_INTERRUPT rip 0x1 info 0 0");
        assertEquals(0x400, v(ev.get(0), "exit_reason"));
        assertEquals(2, v(ev.get(0), "isa"));
        assertEquals(0x100000014L, v(ev.get(0), "info1"));
        assertEquals(0x40, v(ev.get(1), "exit_reason"));
        assertEquals("DE excp", ev.get(1).getString("exit_reason_name"));
        assertEquals(0x400, v(ev.get(2), "exit_reason"));
        assertEquals(2, v(ev.get(2), "isa"));
        assertEquals(0x1680000007L, v(ev.get(2), "info1"));
        assertEquals(0x1729a1000L, v(ev.get(2), "info2"));
        assertEquals(1, v(ev.get(3), "exit_reason"));
        assertEquals(49, v(ev.get(4), "exit_reason"));
        assertEquals(99, v(ev.get(5), "exit_reason"));
        assertFalse(ev.get(5).has(ev.get(5).format().field("isa")));
        assertEquals(0x80000021L, v(ev.get(6), "exit_reason"));
        assertEquals(1, v(ev.get(6), "isa"));
        assertEquals(0x63, v(ev.get(7), "exit_reason"));
        assertEquals(0xa6, v(ev.get(8), "exit_reason"));
        assertEquals(7, v(ev.get(9), "exit_reason"));
    }

    @Test
    void kvmEntryForms() throws IOException {
        List<Event> ev = parseAll("kvm_entry: vcpu 0",                                              // 4.x
                "kvm_entry: vcpu 0, rip 0x22da",                                                        // 5.x
                "kvm_entry:  vcpu 1 rip 0xffffffff81036706",                                            // plugin
                "kvm_entry: vcpu 2, rip 0xffffffff81036706 intr_info 0x00000000 error_code 0x00000000", // 6.18
                "kvm_entry: vcpu 2, rip 0x10 intr_info 0x80000b0e error_code 0x00000004[immediate exit]");
        assertEquals(0, v(ev.get(0), "vcpu_id"));
        assertFalse(ev.get(0).has(ev.get(0).format().field("rip")));
        assertEquals(0x22da, v(ev.get(1), "rip"));
        assertEquals(1, v(ev.get(2), "vcpu_id"));
        assertEquals(0xffffffff81036706L, v(ev.get(2), "rip"));
        assertEquals(0, v(ev.get(3), "immediate_exit"));
        assertEquals(1, v(ev.get(4), "immediate_exit"));
        assertEquals(0x80000b0eL, v(ev.get(4), "intr_info"));
        assertEquals(4, v(ev.get(4), "error_code"));
    }

    @Test
    void pioMmioMsrHypercall() throws IOException {
        List<Event> ev = parseAll("kvm_pio: pio_write at 0x500 size 1 count 1 val 0x0 ",
                "kvm_pio: pio_read at 0xe9 size 1 count 1 val 0x31",
                "kvm_mmio: mmio write len 4 gpa 0xfec00000 val 0x26",
                "kvm_mmio: mmio unsatisfied-read len 8 gpa 0xfee000b0 val 0x0",
                "kvm_mmio: mmio read len 4 gpa 0xfec00010 val 0x1c82b",
                "kvm_msr: msr_read 10 = 0x0",
                "kvm_msr: msr_write 6e0 = 0x2f5f0a4e3c2 (#GP)",
                "kvm_hypercall: nr 0xb a0 0x1 a1 0x2 a2 0x0 a3 0xffffffffffffffff",
                "kvm_fast_mmio: fast mmio at gpa 0xfe003000",
                "kvm_cr: cr_write 4 = 0x3506f0",
                "kvm_apic: apic_write APIC_TMICT = 0x6094b");
        Event pio = ev.get(0);
        assertEquals(1, v(pio, "rw"));
        assertEquals(0x500, v(pio, "port"));
        assertEquals(1, v(pio, "size"));
        assertEquals(1, v(pio, "count"));
        assertEquals(0, v(pio, "val"));
        assertEquals(0, v(ev.get(1), "rw"));
        assertEquals(0x31, v(ev.get(1), "val"));
        assertEquals(2, v(ev.get(2), "type"));
        assertEquals(4, v(ev.get(2), "len"));
        assertEquals(0xfec00000L, v(ev.get(2), "gpa"));
        assertEquals(0x26, v(ev.get(2), "val"));
        assertEquals(0, v(ev.get(3), "type"));
        assertEquals(1, v(ev.get(4), "type"));
        assertEquals(0, v(ev.get(5), "write"));
        assertEquals(0x10, v(ev.get(5), "ecx"));
        assertEquals(0, v(ev.get(5), "data"));
        assertEquals(0, v(ev.get(5), "exception"));
        assertEquals(1, v(ev.get(6), "write"));
        assertEquals(0x6e0, v(ev.get(6), "ecx"));
        assertEquals(0x2f5f0a4e3c2L, v(ev.get(6), "data"));
        assertEquals(1, v(ev.get(6), "exception"));
        assertEquals(0xb, v(ev.get(7), "nr"));
        assertEquals(-1, v(ev.get(7), "a3"));
        assertEquals(0xfe003000L, v(ev.get(8), "gpa"));
        assertEquals(1, v(ev.get(9), "rw"));
        assertEquals(4, v(ev.get(9), "cr"));
        assertEquals(0x3506f0, v(ev.get(9), "val"));
        assertEquals(0x380, v(ev.get(10), "reg"));
        assertEquals(0x6094b, v(ev.get(10), "val"));
    }

    @Test
    void userspaceExitAndFpu() throws IOException {
        List<Event> ev = parseAll("kvm_userspace_exit: reason KVM_EXIT_IO (2)",
                "kvm_userspace_exit: reason KVM_EXIT_MMIO (6)",
                "kvm_userspace_exit: reason restart (4)",
                "kvm_userspace_exit: reason error (14)",
                "kvm_fpu: load", "kvm_fpu: unload");
        assertEquals(2, v(ev.get(0), "reason"));
        assertEquals(0, v(ev.get(0), "errno"));
        assertEquals(6, v(ev.get(1), "reason"));
        assertEquals(-4, v(ev.get(2), "errno"));
        assertFalse(ev.get(2).has(ev.get(2).format().field("reason")));
        assertEquals(-14, v(ev.get(3), "errno"));
        assertEquals(1, v(ev.get(4), "load"));
        assertEquals(0, v(ev.get(5), "load"));
    }

    @Test
    void emulateInsn() throws IOException {
        List<Event> ev = parseAll("kvm_emulate_insn: 0:1000:ba 00 05 (real)",               // kernel
                "kvm_emulate_insn: 0:ffffffffb90da2d5:89 38 (prot64) failed",
                "kvm_emulate_insn: 0:ffffffffb90da2d5: 89 38",                                    // plugin
                "kvm_emulate_insn: f000:fff0: ea 5b e0 00 f0 FAIL",
                "kvm_emulate_insn: 0:ffffffffb90da2d5: mov %edi,(%rax)");                       // plugin + udis86
        Event k = ev.get(0);
        assertEquals(0x1000, v(k, "rip"));
        assertEquals(0, v(k, "csbase"));
        assertEquals(3, v(k, "len"));
        assertArrayEquals(new byte[]{(byte) 0xba, 0, 5}, k.getBytes(k.format().field("insn")));
        assertEquals(0, v(k, "flags"));
        assertEquals(0, v(k, "failed"));
        assertEquals(9, v(ev.get(1), "flags"));
        assertEquals(1, v(ev.get(1), "failed"));
        assertEquals(2, v(ev.get(2), "len"));
        assertFalse(ev.get(2).has(ev.get(2).format().field("flags")));
        assertEquals(0xf000, v(ev.get(3), "csbase"));
        assertEquals(1, v(ev.get(3), "failed"));
        assertEquals(5, v(ev.get(3), "len"));
        assertFalse(ev.get(4).has(ev.get(4).format().field("insn")));
        assertEquals(0xffffffffb90da2d5L, v(ev.get(4), "rip"));
    }

    @Test
    void s390Events() throws IOException {
        List<Event> ev = parseAll(
                "kvm_s390_sie_enter: 01[0704c00180000000-00000000001b1b3a]: entering sie flags 10000000",
                "kvm_s390_sie_exit: 01[0704c00180000000-00000000001b1b3c]: exit sie icptcode 4 (Instruction)",
                "kvm_s390_intercept_instruction: 01[0704c00180000000-00000000001b1b3c]: intercepted instruction 8300050000000000 (diag)",
                "kvm_s390_handle_diag: 01[0704c00180000000-00000000001b1b3c]: handle diagnose call 0500 (KVM virtio functions)",
                "kvm_s390_handle_sigp: 00[0704c00180000000-0000000000012345]: handle sigp order 0e (external call), cpu address 0001, parameter 00000000",
                "kvm_s390_intercept_prog: 02[0704c00180000000-0000000000012345]: intercepted program interruption 0011 (PGM_PAGE_TRANSLATION)",
                "kvm_s390_sie_exit: 01[0704c00180000000-00000000001b1b3c]: exit sie icptcode 28 (Wait state)",
                "kvm_s390_sie_exit:      id=01 pswmask=0704c00180000000 pswaddr=00000000001b1b3c icptcode=4",
                "kvm_s390_handle_diag:   id=01 pswmask=0704c00180000000 pswaddr=00000000001b1b3c code=0500");
        Event enter = ev.get(0);
        assertEquals("kvm", enter.format().system);
        assertEquals(1, v(enter, "id"));
        assertEquals(0x0704c00180000000L, v(enter, "pswmask"));
        assertEquals(0x1b1b3a, v(enter, "pswaddr"));
        assertEquals(0x10000000, v(enter, "cpuflags"));
        assertEquals(4, v(ev.get(1), "icptcode"));
        assertEquals(0x8300050000000000L, v(ev.get(2), "instruction"));
        assertEquals(0x500, v(ev.get(3), "code"));
        Event sigp = ev.get(4);
        assertEquals(0, v(sigp, "id"));
        assertEquals(0x0e, v(sigp, "order_code"));
        assertEquals(1, v(sigp, "cpu_addr"));
        assertEquals(0, v(sigp, "parameter"));
        assertEquals(0x11, v(ev.get(5), "code"));
        assertEquals(28, v(ev.get(6), "icptcode"));
        assertEquals(4, v(ev.get(7), "icptcode"));                        // -R: %d
        assertEquals(0x1b1b3c, v(ev.get(7), "pswaddr"));                  // -R: bare %016lx
        assertEquals(0x500, v(ev.get(8), "code"));                        // -R: bare %04x
        assertEquals(1, v(ev.get(8), "id"));
    }

    @Test
    void rawExitGetsItsName() throws IOException {
        List<Event> ev = parseAll("kvm_exit: exit_reason=49 guest_rip=0xffffffffa0632f49 isa=1 info1=0x0000000000000000 info2=0x0 intr_info=0x00000000 error_code=0x00000000 vcpu_id=0",
                "kvm_exit: exit_reason=1024 guest_rip=0x0 isa=2 info1=0x0 info2=0x0 intr_info=0x0 error_code=0x0 vcpu_id=3",
                "kvm_exit: exit_reason=4242 guest_rip=0x0 isa=1 info1=0x0 info2=0x0 intr_info=0x0 error_code=0x0 vcpu_id=3");
        assertEquals("EPT_MISCONFIG", ev.get(0).getString("exit_reason_name"));
        assertEquals("npf", ev.get(1).getString("exit_reason_name"));
        assertNull(ev.get(2).getString("exit_reason_name"));
        assertEquals(4242, v(ev.get(2), "exit_reason"));
    }

    @Test
    void arm64ExitAndEntry() throws IOException {
        List<Event> ev = parseAll("kvm_exit: TRAP: HSR_EC: 0x0016 (HVC64), PC: 0xffff800008f6c5d0",
                "kvm_entry: PC: 0xffff800008f6c5d4");
        assertEquals(0x16, v(ev.get(0), "esr_ec"));
        assertEquals(0xffff800008f6c5d0L, v(ev.get(0), "vcpu_pc"));
        assertFalse(ev.get(0).has(ev.get(0).format().field("exit_reason")));
        assertEquals(0xffff800008f6c5d4L, v(ev.get(1), "vcpu_pc"));
    }
}

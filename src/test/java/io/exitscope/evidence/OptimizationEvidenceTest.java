package io.exitscope.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.testutil.Cli;
import io.exitscope.testutil.SharedTraces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No ioeventfd claimed without evidence: writes KVM emulates in the kernel (local APIC, IOAPIC,
 * PIC, PIT) are never ioeventfd, and the ioeventfd verdict names its evidence (kvm_fast_mmio, the
 * same address reaching userspace in another run, s390 DIAG 0x500). Checked through
 * {@code report}, on text traces in trace-cmd report's form and on real trace.dat files.
 */
class OptimizationEvidenceTest {

    /** One exit of the vCPU thread 4242 at {@code t} us: exit, children, entry (trace-cmd report's kvm plugin form). */
    static List<String> exit(int t, String reason, String... children) {
        List<String> l = new ArrayList<>();
        l.add(String.format(" qemu-system-x86-4242  [001]  1000.%06d: kvm_exit:             reason %s rip 0xffffffff81050c4a info 0 0", t, reason));
        for (String c : children) l.add(String.format(" qemu-system-x86-4242  [001]  1000.%06d: %s", t + 1, c));
        l.add(String.format(" qemu-system-x86-4242  [001]  1000.%06d: kvm_entry:            vcpu 0", t + 3));
        return l;
    }

    static JsonNode notifications(Path dir, List<String> lines) throws Exception {
        Path f = dir.resolve("trace.txt");
        List<String> all = new ArrayList<>(lines);
        // another thread's exit to userspace: the trace records kvm_userspace_exit, so writes not seen there stayed in the kernel
        all.add(" qemu-system-x86-4243  [002]  1000.000000: kvm_exit:             reason EXTERNAL_INTERRUPT rip 0xffffffff81050c4a info 0 0");
        all.add(" qemu-system-x86-4243  [002]  1000.000001: kvm_userspace_exit:   reason KVM_EXIT_INTR (10)");
        all.add(" qemu-system-x86-4243  [002]  1000.000003: kvm_entry:            vcpu 1");
        Files.write(f, all);
        Cli r = Cli.run("report", "--format", "json", f.toString());
        assertEquals(0, r.code, r.toString());
        return new ObjectMapper().readTree(r.out).get("evidence").get("notifications");
    }

    static JsonNode at(JsonNode notes, String address) {
        for (JsonNode n : notes) if (n.get("address").asText().equals(address)) return n;
        throw new AssertionError("no evidence for " + address + " in " + notes);
    }

    @Test
    void aLocalApicEoiWriteWithKvmApicBesideItIsNotIoeventfd(@TempDir Path dir) throws Exception {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            t.addAll(exit(100 + i * 10, "APIC_ACCESS", "kvm_mmio:             mmio write len 4 gpa 0xfee000b0 val 0x0",
                    "kvm_apic:             apic_write APIC_EOI = 0x0"));
        }
        JsonNode n = at(notifications(dir, t), "gpa 0xfee000b0 write");
        assertEquals("kernel", n.get("verdict").asText());
        assertFalse(n.get("ioeventfd").asBoolean(), n.toString());
        assertEquals("local APIC: its trace events beside 5 of the writes", n.get("basis").asText());

        Path f = dir.resolve("trace.txt");
        Cli table = Cli.run("report", f.toString());
        assertTrue(table.out.contains("gpa 0xfee000b0 write on tid 4242 (qemu-system-x86): stays in the kernel: emulated by KVM, not ioeventfd"
                + " (local APIC: its trace events beside 5 of the writes)"), table.out);
        assertFalse(table.out.contains("stays in the kernel: ioeventfd"), table.out);
    }

    @Test
    void inKernelDeviceRangesAreNotIoeventfdEvenWithoutTheirEvents(@TempDir Path dir) throws Exception {
        List<String> t = new ArrayList<>();
        t.addAll(exit(100, "EPT_MISCONFIG", "kvm_mmio:             mmio write len 4 gpa 0xfee000b0 val 0x0"));
        t.addAll(exit(110, "EPT_MISCONFIG", "kvm_mmio:             mmio write len 4 gpa 0xfec00010 val 0x1882b"));
        t.addAll(exit(120, "IO_INSTRUCTION", "kvm_pio:              pio_write at 0x20 size 1 count 1 val 0x20 "));
        t.addAll(exit(130, "IO_INSTRUCTION", "kvm_pio:              pio_write at 0x43 size 1 count 1 val 0x34 "));
        JsonNode notes = notifications(dir, t);
        for (String[] x : new String[][]{{"gpa 0xfee000b0 write", "local APIC"}, {"gpa 0xfec00010 write", "IOAPIC"},
                {"port 0x20 out", "PIC"}, {"port 0x43 out", "PIT"}}) {
            JsonNode n = at(notes, x[0]);
            assertFalse(n.get("ioeventfd").asBoolean(), n.toString());
            assertEquals(x[1] + ": its address range", n.get("basis").asText());
        }
    }

    @Test
    void aKernelHandledWriteIsIoeventfdOnlyWithEvidence(@TempDir Path dir) throws Exception {
        List<String> t = new ArrayList<>();
        // the fast MMIO bus holds only ioeventfds
        t.addAll(exit(100, "EPT_MISCONFIG", "kvm_fast_mmio:        fast mmio at gpa 0xfe003000"));
        // a doorbell that no event explains, in one run only: no claim
        t.addAll(exit(110, "EPT_MISCONFIG", "kvm_mmio:             mmio write len 2 gpa 0xfe004000 val 0x0"));
        // an x86 port write kept in the kernel, not at the PIC's or PIT's ports: KVM's port bus leaves only ioeventfd
        t.addAll(exit(120, "IO_INSTRUCTION", "kvm_pio:              pio_write at 0xc050 size 2 count 1 val 0x0 "));
        // ... but not a read (ioeventfds match writes only), nor a legacy data port (QEMU coalesces the RTC's index port)
        t.addAll(exit(130, "IO_INSTRUCTION", "kvm_pio:              pio_read at 0xc052 size 2 count 1 val 0x0 "));
        t.addAll(exit(140, "IO_INSTRUCTION", "kvm_pio:              pio_write at 0x70 size 1 count 1 val 0x8f "));
        JsonNode notes = notifications(dir, t);
        JsonNode port = at(notes, "port 0xc050 out");
        assertTrue(port.get("ioeventfd").asBoolean(), port.toString());
        assertEquals(OptimizationEvidence.PORT_BUS, port.get("basis").asText());
        for (String a : new String[]{"port 0xc052 in", "port 0x70 out"}) {
            for (JsonNode n : notes) if (n.get("address").asText().equals(a)) assertFalse(n.get("ioeventfd").asBoolean(), n.toString());
        }
        JsonNode fast = at(notes, "gpa 0xfe003000 write");
        assertTrue(fast.get("ioeventfd").asBoolean(), fast.toString());
        assertEquals("kvm_fast_mmio beside 1 of the writes", fast.get("basis").asText());
        JsonNode unproven = at(notes, "gpa 0xfe004000 write");
        assertEquals("kernel", unproven.get("verdict").asText());
        assertFalse(unproven.get("ioeventfd").asBoolean(), unproven.toString());
        assertEquals("no kvm_fast_mmio and no run where it reaches userspace", unproven.get("basis").asText());
    }

    /** The bundled A/B recording: port 0x500 reaches userspace on the first run's thread, so the second run's in-kernel writes are ioeventfd. */
    @Test
    void theSameAddressReachingUserspaceInAnotherRunIsEvidence() throws Exception {
        Cli r = Cli.run("report", "--format", "json", "traces/pvm-ioeventfd-ab.dat");
        assertEquals(0, r.code, r.toString());
        JsonNode notes = new ObjectMapper().readTree(r.out).get("evidence").get("notifications");
        int runA = -1, runB = -1;
        for (JsonNode n : notes) {
            if (!n.get("address").asText().equals("port 0x500 out")) continue;
            if (n.get("in_kernel").asLong() == 0) runA = n.get("tid").asInt();
            else runB = n.get("tid").asInt();
        }
        assertTrue(runA > 0 && runB > 0, notes.toString());
        for (JsonNode n : notes) {
            if (n.get("tid").asInt() != runB || !n.get("address").asText().equals("port 0x500 out")) continue;
            assertTrue(n.get("ioeventfd").asBoolean(), n.toString());
            assertEquals("the same address reaches userspace on tid " + runA, n.get("basis").asText());
        }
        for (JsonNode n : notes) {
            if (!n.get("verdict").asText().equals("userspace")) continue;
            // the serial port's bytes must reach the VMM: no ioeventfd is possible there, and none is missing
            if (n.get("address").asText().equals("port 0x3f8 out")) assertEquals("serial port (UART)", n.get("basis").asText(), n.toString());
            else assertNull(n.get("basis"), n.toString());
        }
    }

    /** A real VMX trace.dat: the guest programs its IOAPIC (0xfec00000/0xfec00010); KVM emulates it, no ioeventfd. */
    @Test
    void realIoapicWritesInATraceDatAreNotIoeventfd() throws Exception {
        Path f = SharedTraces.require("x86-vmx-linux-6.5/host-kvm-x86tsc.v7-zstd.dat");
        Cli r = Cli.run("report", "--format", "json", f.toString());
        assertEquals(0, r.code, r.toString());
        JsonNode notes = new ObjectMapper().readTree(r.out).get("evidence").get("notifications");
        int ioapic = 0;
        for (JsonNode n : notes) {
            if (n.get("address").asText().startsWith("gpa 0xfec000")) {
                ioapic++;
                assertFalse(n.get("ioeventfd").asBoolean(), n.toString());
            }
            // no write of this trace has kvm_fast_mmio beside it, and no address reaches userspace on another thread
            assertFalse(n.get("ioeventfd").asBoolean(), n.toString());
        }
        assertEquals(2, ioapic, notes.toString());
    }

    /** The user's own A/B (the baseline sent the address to userspace) outranks the port-bus inference. */
    @Test
    void aBaselineWhereThePortReachesUserspaceIsTheBasis(@TempDir Path dir) throws Exception {
        List<String> b = new ArrayList<>(exit(100, "IO_INSTRUCTION", "kvm_pio:              pio_write at 0xc050 size 2 count 1 val 0x0 "));
        // another thread's exit to userspace: the trace records kvm_userspace_exit, so the write above stayed in the kernel
        b.add(" qemu-system-x86-4243  [002]  1000.000200: kvm_exit:             reason EXTERNAL_INTERRUPT rip 0xffffffff81050c4a info 0 0");
        b.add(" qemu-system-x86-4243  [002]  1000.000201: kvm_userspace_exit:   reason KVM_EXIT_INTR (10)");
        b.add(" qemu-system-x86-4243  [002]  1000.000203: kvm_entry:            vcpu 1");
        List<String> a = new ArrayList<>(exit(100, "IO_INSTRUCTION", "kvm_pio:              pio_write at 0xc050 size 2 count 1 val 0x0 "));
        a.add(2, " qemu-system-x86-4242  [001]  1000.000102: kvm_userspace_exit:   reason KVM_EXIT_IO (2)");
        OptimizationEvidence runB = evidence(dir.resolve("b.txt"), b), runA = evidence(dir.resolve("a.txt"), a);
        OptimizationEvidence.Notification alone = runB.notifications().get(0);
        assertEquals(OptimizationEvidence.PORT_BUS, alone.basis(), alone.toString());
        OptimizationEvidence.Notification beside = runB.withOtherRun(runA, "the baseline").notifications().get(0);
        assertEquals("the same address reaches userspace in the baseline (tid 4242)", beside.basis(), beside.toString());
        assertEquals(alone.verdict(), beside.verdict());
    }

    private static OptimizationEvidence evidence(Path f, List<String> lines) throws Exception {
        Files.write(f, lines);
        try (TraceSource s = TraceFiles.open(f, InputFormat.AUTO)) {
            return OptimizationEvidence.of(TraceAnalysis.run(List.of(s), AnalysisOptions.ALL));
        }
    }
}

package io.exitscope.source.text;

import io.exitscope.event.Event;
import io.exitscope.event.FieldFormat;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged lines: every mutation of real line shapes either decodes or is refused with a reason
 * (IllegalArgumentException, which the stream turns into a TraceFormatException with the offset);
 * never another exception.
 */
class LineDecoderFuzzTest {
    static final List<String> SEEDS = List.of(
            "  qemu-system-x86-18971   [015] d.... 95922.997133: kvm_entry: vcpu 0, rip 0xf7d6b intr_info 0x00000000 error_code 0x00000000[immediate exit]",
            "qemu-system-x86-5665  [000] ....   280.971126: kvm_exit: reason IO_INSTRUCTION rip 0x110c8c info 640008 0",
            "            bash-1234    (   1230) [002] d..1.   100.000001: kvm_fpu: load",
            "ref:               g2-21516 [000]  1389.590673477: kvm_emulate_insn:      rip=1000 csbase=0 len=3 insn=ARRAY[ba, 00, 05, ee] flags=0 failed=0",
            " qemu-system-x86-533825 [005] .....303280081909057: kvm_exit:             vcpu 0 reason DE excp FAILED_VMENTRY rip 0x0 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0",
            "              g2-21516   [000] .....  1389.590679: kvm_pio: pio_write at 0x500 size 1 count 1 val 0x0 ",
            "  a-1 [000] ..... 1.000001: kvm_emulate_insn: 0:ffffffffb90da2d5:89 38 (prot64) failed",
            "  a-1 [000] ..... 1.000001: kvm_emulate_insn: f000:fff0 func+0x1: ea 5b e0 00 f0 FAIL",
            "  a-1 [000] ..... 1.000001: kvm_s390_handle_sigp: 00[0704c00180000000-0000000000012345]: handle sigp order 0e (external call), cpu address 0001, parameter 00000000",
            "  a-1 [000] ..... 1.000001: kvm_userspace_exit: reason restart (4)",
            "  a-1 [000] ..... 1.000001: kvm_msr: msr_write 6e0 = 0x2f5f0a4e3c2 (#GP)",
            "  a-1 [000] ..... 1.000001: kvm_apic: apic_write APIC_TMICT = 0x6094b",
            "  a-1 [000] ..... 1.000001: kvm_exit: reason UNKNOWN (99) rip 0x1000 info 0 0",
            "  a-1 [000] ..... 1.000001: sched_switch: prev_comm=Web Content prev_pid=12 prev_state=S ==> next_comm=ls next_pid=13",
            "CPU:2 [LOST 17 EVENTS]", "ref: CPU:3 [5 EVENTS DROPPED]", "CPU:0 [EVENTS DROPPED]",
            "            bash-1977    [000] .....  17284.993652: sys_close <-system_call_fastpath");
    static final List<String> PERF_SEEDS = List.of(
            "       fc_vcpu 1  599500 [039] 1377662.550600: kvm:kvm_entry:  vcpu 1 rip 0xffffffff81036706",
            " qemu-system-x86  4242/4250  [001]  1000.123456789:   kvm:kvm_exit: reason EPT_MISCONFIG rip 0xffffffff81000000 info 0 0",
            "        qemu-kvm  4250  1000.123457000: kvm:kvm_pio: pio_read at 0x3f8 size 1 count 1 val 0x31 (...)");
    static final String ALPHABET = " -[]().:=,/x0123456789abcdefABCDEF#<>_\tARRAYvcpureasonripinfo";

    @Test
    void mutatedLinesDecodeOrAreRefused() {
        SplittableRandom rnd = new SplittableRandom(42);
        run(SEEDS, false, rnd);
        run(PERF_SEEDS, true, rnd);
    }

    private static void run(List<String> seeds, boolean perf, SplittableRandom rnd) {
        LineDecoder d = new LineDecoder(perf);
        for (int i = 0; i < 60_000; i++) {
            String line = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
            try {
                Event e = d.decode(line);
                if (e != null && e.format() != null) {
                    for (FieldFormat f : e.format().fields) {
                        if (e.has(f)) { e.getLong(f); e.getString(f); e.getBytes(f); }
                    }
                }
            } catch (IllegalArgumentException refused) {
                if (refused.getMessage() == null) fail("refused without a reason: " + line);
            } catch (RuntimeException ex) {
                throw new AssertionError("line '" + line + "' threw " + ex, ex);
            }
        }
    }

    private static String mutate(String s, SplittableRandom rnd) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + rnd.nextInt(4);
        for (int k = 0; k < edits && b.length() > 0; k++) {
            int at = rnd.nextInt(b.length());
            switch (rnd.nextInt(5)) {
                case 0 -> b.setCharAt(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                case 1 -> b.insert(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                case 2 -> b.deleteCharAt(at);
                case 3 -> b.setLength(at);
                default -> b.delete(at, Math.min(b.length(), at + rnd.nextInt(12)));
            }
        }
        return b.toString();
    }
}

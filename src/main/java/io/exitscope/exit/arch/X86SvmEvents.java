package io.exitscope.exit.arch;

import io.exitscope.event.DecodeTable;
import io.exitscope.event.EventFormat;
import io.exitscope.event.FieldFormat;
import io.exitscope.event.X86ExitReasons;

import java.util.List;

/**
 * AMD SVM exits: {@code kvm_exit} with {@code isa == 2}, the exit code whole (u32, {@code -1} is
 * {@code invalid_guest_state}). Names and spellings (the kernel's lower case {@code npf},
 * {@code msr}, {@code io}, {@code GP excp}; the {@code EXIT_*} of the kvm plugin and older kernels)
 * are data in {@code x86.tables [svm]} ({@code arch/x86/include/uapi/asm/svm.h}). SVM's own events:
 * {@code kvm_avic_unaccelerated_access} names the APIC register of an AVIC exit
 * ({@code arch/x86/kvm/trace.h}). The shared x86 events are in {@link X86Events}.
 */
public final class X86SvmEvents implements ArchEvents {
    public static final int HLT = 0x78, IOIO = 0x7b, MSR = 0x7c, NPF = 0x400;

    public static String name(long exitCode) {
        String n = X86ExitReasons.name(X86ExitReasons.SVM, exitCode);
        return n != null ? n : DecodeTable.unknown(exitCode & 0xffffffffL);
    }

    public static boolean isBlocking(long exitCode) {
        return exitCode == HLT;
    }

    @Override
    public EventDecoder bind(EventFormat f) {
        if (!f.name.equals("kvm_avic_unaccelerated_access")) return null;
        FieldFormat offset = f.field("offset"), write = f.field("write");
        if (offset == null || write == null) return null;
        return (e, to) -> {
            if (!e.has(offset)) return false;
            boolean w = e.getLong(write) != 0;
            to.refine("AVIC", "apic 0x" + Long.toHexString(e.getLong(offset)) + (w ? " write" : " read"), 1, -1, w);
            return true;
        };
    }

    @Override
    public List<String> events() {
        return List.of("kvm_avic_unaccelerated_access");
    }
}

package io.exitscope.exit.arch;

import io.exitscope.event.X86ExitReasons;

/**
 * Intel VMX exits: {@code kvm_exit} with {@code isa == 1}. The basic reason is the low 16 bits;
 * bit 31 is "VM-entry failure" and bits 27-29 carry SMM/enclave/bus-lock flags
 * ({@code arch/x86/include/uapi/asm/vmx.h}). Names and every spelling a trace carries
 * (6.x upper case, {@code PENDING_INTERRUPT} of 4.x, the lower case of 2009) are data in
 * {@code x86.tables [vmx]}. The events themselves are x86's, shared with SVM: {@link X86Events}.
 */
public final class X86VmxEvents {
    public static final int HLT = 12, IO_INSTRUCTION = 30, MSR_READ = 31, MSR_WRITE = 32, EPT_VIOLATION = 48, EPT_MISCONFIG = 49;

    private X86VmxEvents() {}

    /** The code that names the exit: the basic reason, flags stripped. */
    public static long basicReason(long exitReason) {
        return exitReason & 0xffff;
    }

    public static String name(long exitReason) {
        String n = X86ExitReasons.name(X86ExitReasons.VMX, exitReason);
        if (n == null) n = io.exitscope.event.DecodeTable.unknown(exitReason & 0xffff);
        if ((exitReason & X86ExitReasons.FAILED_VMENTRY) != 0) n = n + "|FAILED_VMENTRY";
        return n;
    }

    /** HLT: the guest idles inside the exit. */
    public static boolean isBlocking(long exitReason) {
        return basicReason(exitReason) == HLT;
    }
}

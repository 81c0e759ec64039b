package io.exitscope.exit.decode;

/**
 * x86 exit reasons (VMX and SVM), chosen by {@code kvm_exit.isa}. VMX's basic reason is the low
 * 16 bits; bit 31 is "VM-entry failure" and bits 27-29 carry SMM/enclave/bus-lock flags.
 */
public final class X86Tables {
    public static final int ISA_VMX = 1, ISA_SVM = 2;
    public static final long VMX_FAILED_VMENTRY = 0x80000000L;
    public static final int VMX_HLT = 12, VMX_IO = 30, VMX_EPT_MISCONFIG = 49, VMX_EPT_VIOLATION = 48, VMX_MSR_READ = 31,
            VMX_MSR_WRITE = 32;
    public static final int SVM_HLT = 0x78, SVM_IOIO = 0x7b, SVM_NPF = 0x400;

    private static final DecodeTable TABLE = DecodeTable.load("x86.tables");

    private X86Tables() {}

    /** The basic reason code that names the exit (flags stripped for VMX). */
    public static long basicReason(long exitReason, int isa) {
        return isa == ISA_SVM ? exitReason : exitReason & 0xffff;
    }

    public static String name(long exitReason, int isa) {
        if (isa == ISA_SVM) return TABLE.name("svm", exitReason);
        String n = TABLE.name("vmx", exitReason & 0xffff);
        if ((exitReason & VMX_FAILED_VMENTRY) != 0) n = n + "|FAILED_VMENTRY";
        return n;
    }

    public static boolean isBlocking(long exitReason, int isa) {
        return isa == ISA_SVM ? exitReason == SVM_HLT : (exitReason & 0xffff) == VMX_HLT;
    }

    /** VMX or SVM code for a printed reason name (text traces); -1 when unknown. */
    public static long code(String name, int isa) {
        String n = name.startsWith("EXIT_") && isa == ISA_SVM ? name.substring(5).toLowerCase() : name;
        return TABLE.code(isa == ISA_SVM ? "svm" : "vmx", n);
    }

    public static DecodeTable table() {
        return TABLE;
    }
}

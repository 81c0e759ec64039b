package io.exitscope.event;

/**
 * The x86 {@code kvm_exit} reason tables ({@code x86.tables}): the kernel's names by code for VMX
 * and SVM, and every spelling a trace may carry read back to its code and ISA. Text sources use it
 * to give a printed name the {@code exit_reason}/{@code isa} fields of the binary record; exit
 * assembly uses it to name codes.
 */
public final class X86ExitReasons {
    public static final int VMX = 1, SVM = 2;
    /** Bit 31 of a VMX exit reason, printed as a trailing {@code FAILED_VMENTRY} by the kernel. */
    public static final long FAILED_VMENTRY = 0x80000000L;
    /** {@link #lookup} of a name both ISAs use (lower-case {@code cpuid}: SVM today, VMX in 2009). */
    public static final long AMBIGUOUS = -2;

    private static final DecodeTable TABLE = DecodeTable.load("x86.tables");

    private X86ExitReasons() {}

    /** {@code isa << 32 | code} for a printed reason name, {@link #AMBIGUOUS}, or -1 when no table has it. */
    public static long lookup(String name) {
        long vmx = TABLE.code("vmx", name), svm = TABLE.code("svm", name);
        if (vmx >= 0 && svm >= 0) return AMBIGUOUS;
        if (vmx >= 0) return ((long) VMX << 32) | vmx;
        if (svm >= 0) return ((long) SVM << 32) | (svm & 0xffffffffL);
        return -1;
    }

    /** The code of {@code name} in one ISA's table, or -1. */
    public static long code(int isa, String name) {
        return TABLE.code(isa == SVM ? "svm" : "vmx", name);
    }

    /** The kernel's name for a code, or null; VMX names use the basic reason (low 16 bits). */
    public static String name(int isa, long code) {
        return isa == VMX ? TABLE.lookup("vmx", code & 0xffff) : isa == SVM ? TABLE.lookup("svm", code & 0xffffffffL) : null;
    }

    public static DecodeTable table() {
        return TABLE;
    }
}

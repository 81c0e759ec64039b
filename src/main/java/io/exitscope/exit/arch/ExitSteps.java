package io.exitscope.exit.arch;

import io.exitscope.exit.Arch;
import io.exitscope.exit.KernelHandler;

/**
 * What one event says about the exit of its thread: the steps a binding reports to the per-thread
 * state machine ({@link io.exitscope.exit.ExitAssembler}), which knows no event by name.
 */
public interface ExitSteps {
    /** Requests value of kernels whose exit event has no {@code requests} field. */
    long NO_REQUESTS = -1;
    /** vCPU id of events that do not carry one. */
    int NO_VCPU = -1;

    /** The thread left the guest: an exit begins. */
    void exit(Arch arch, long code, String reason, boolean blocking, int vcpu, long requests);

    /** The thread entered the guest again: the open exit ends. */
    void entry(int vcpu);

    /**
     * An event inside an exit names what it was about; the most specific one ({@code rank}, higher
     * wins) gives the exit its subkey. {@code address} (or -1) and {@code write} feed the
     * notification evidence (ports, MMIO addresses).
     */
    void refine(String reason, String subkey, int rank, long address, boolean write);

    /** As {@link #refine(String, String, int, long, boolean)} with the subkey text built (once) from a kind and a value. */
    void refine(String reason, Subkey kind, long value, int rank, long address, boolean write);

    /** KVM_RUN returned to the VMM ({@code kvm_userspace_exit}); errno below zero for a signal or an error. */
    void userspaceExit(int reason, int errno);

    /** An event that names who handled the open exit in the kernel (the fast MMIO bus, an in-kernel device). */
    void handledBy(KernelHandler handler);

    /** The vCPU thread loaded ({@code true}, back in KVM_RUN) or put ({@code false}) the guest FPU state. */
    void fpu(boolean load);

    /** Subkey texts built from a number: what it is, its value in hex, and the access. */
    enum Subkey {
        PORT_OUT("port", " out"), PORT_IN("port", " in"),
        GPA_WRITE("gpa", " write"), GPA_READ("gpa", " read"), GPA_READ_UNSATISFIED("gpa", " read-unsatisfied"),
        MSR_WRITE("msr", " write"), MSR_READ("msr", " read"),
        HCALL_NR("nr", ""), HVC_IMM("hvc imm", ""), IPA("ipa", "");

        private final String what, access;

        Subkey(String what, String access) {
            this.what = what;
            this.access = access;
        }

        public String text(long value) {
            return what + " 0x" + Long.toHexString(value) + access;
        }
    }
}

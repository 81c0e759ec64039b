package io.exitscope.exit;

/**
 * One completed VM exit: what it was, where, how it was handled and how long it took.
 * Immutable; the assembler hands these to the statistics.
 *
 * @param exitTs       timestamp of the exit (or of the child event that revealed it), ns
 * @param endTs        timestamp of the re-entry (or end of the userspace round trip), ns; -1 if none
 * @param tid          the vCPU thread
 * @param cpu          CPU the exit was seen on
 * @param vcpu         vCPU id from the events, -1 when the events do not carry it
 * @param vm           VM label: guest name, VMM process or thread comm
 * @param reasonCode   architecture code (VMX/SVM reason, s390 icptcode, arm64 EC), or the
 *                     userspace exit code in child-event mode
 * @param reason       decoded reason, {@code UNKNOWN(0x..)} when not in the tables
 * @param subkey       refinement from child events (port, gpa, MSR, mnemonic ...), or null
 * @param address      device address for notification evidence (pio port, mmio gpa, subchannel), -1 if none
 * @param write        whether the access was a write (pio out / mmio write)
 * @param latencyNs    measured latency per {@link #measure}, -1 when not measurable
 * @param userspaceNs  time spent in userspace within the exit, -1 when the exit did not go there
 * @param requests     pending KVM requests at exit ({@code kvm_exit.requests}), -1 unknown
 * @param userspaceReason KVM_EXIT_* code when it went to userspace, else -1
 * @param kernelHandler what the events beside the exit show handled it in the kernel
 */
public record ExitRecord(
        long exitTs,
        long endTs,
        int tid,
        int cpu,
        int vcpu,
        String vm,
        Arch arch,
        long reasonCode,
        String reason,
        String subkey,
        long address,
        boolean write,
        ExitClass exitClass,
        boolean blocking,
        Measure measure,
        long latencyNs,
        long userspaceNs,
        long requests,
        int userspaceReason,
        KernelHandler kernelHandler) {

    /** An exit whose handler no event names. */
    public ExitRecord(long exitTs, long endTs, int tid, int cpu, int vcpu, String vm, Arch arch, long reasonCode, String reason,
                      String subkey, long address, boolean write, ExitClass exitClass, boolean blocking, Measure measure,
                      long latencyNs, long userspaceNs, long requests, int userspaceReason) {
        this(exitTs, endTs, tid, cpu, vcpu, vm, arch, reasonCode, reason, subkey, address, write, exitClass, blocking, measure,
                latencyNs, userspaceNs, requests, userspaceReason, KernelHandler.UNSEEN);
    }

    public boolean hasLatency() {
        return latencyNs >= 0;
    }

    /** Kernel part of the latency (latency minus userspace time), -1 when unknown. */
    public long kernelNs() {
        if (latencyNs < 0 || measure != Measure.EXIT_TO_ENTRY) return -1;
        return userspaceNs > 0 ? Math.max(0, latencyNs - userspaceNs) : latencyNs;
    }
}

package io.exitscope.exit;

/** What an exit's latency measures; the report says which was used. */
public enum Measure {
    /** Exit event to the next entry event of the same vCPU thread: the exit latency. */
    EXIT_TO_ENTRY("exit->entry"),
    /**
     * Without exit/entry events (e.g. KVM on PVM): from {@code kvm_userspace_exit} to the thread's
     * return into KVM_RUN ({@code kvm_fpu} load or the next entry) — the userspace round trip.
     */
    USERSPACE_ROUND_TRIP("userspace round trip"),
    /** Without exit/entry events and without a userspace leg: counted, no latency. */
    COUNT_ONLY("count only");

    public final String label;

    Measure(String label) {
        this.label = label;
    }
}

package io.exitscope.exit;

/** The deepest layer that handled an exit (DESIGN.md "Definitions"). */
public enum ExitClass {
    /** Attributed to the hardware/firmware assist alone (per-arch tables or the exit-path model). */
    HARDWARE("hardware", 'H'),
    /** Handled inside KVM: KVM_RUN did not return to the VMM. */
    KERNEL("kernel", 'K'),
    /** KVM_RUN returned to the VMM ({@code kvm_userspace_exit} seen) before the vCPU re-entered. */
    USERSPACE("userspace", 'U'),
    /**
     * Not seen in userspace, but the trace cannot show userspace: it has no {@code kvm_userspace_exit}
     * events ({@code perf kvm stat record}'s event set, or a recording of a few kvm events). Last,
     * so that the order and labels of the others stay as they were.
     */
    UNKNOWN("unknown", '?');

    /** The event that tells userspace from kernel handling, as a recorder names it. */
    public static final String EVIDENCE_EVENT = "kvm:kvm_userspace_exit";

    /** Why an exit is {@link #UNKNOWN}, and what to add: the words every view uses. */
    public static final String UNKNOWN_WHY = "trace has no kvm_userspace_exit";

    public final String label;
    public final char letter;

    ExitClass(String label, char letter) {
        this.label = label;
        this.letter = letter;
    }

    public static ExitClass parse(String s) {
        for (ExitClass c : values()) if (c.label.equalsIgnoreCase(s) || c.name().equalsIgnoreCase(s) || String.valueOf(c.letter).equalsIgnoreCase(s)) return c;
        throw new IllegalArgumentException("unknown class '" + s + "' (hardware, kernel, userspace, unknown)");
    }
}

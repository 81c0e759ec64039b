package io.exitscope.exit;

/**
 * What the trace shows handled an exit inside the kernel, from the events beside it: the fast
 * MMIO bus (only ioeventfds live there), or one of KVM's in-kernel devices. An exit that stayed
 * in the kernel without such an event says nothing about who handled it.
 */
public enum KernelHandler {
    /** No event beside the exit names its handler. */
    UNSEEN(null),
    /**
     * {@code kvm_fast_mmio}: KVM found the write on its fast MMIO bus, where only ioeventfds
     * registered with length 0 live (arch/x86/kvm/vmx/vmx.c, handle_ept_misconfig).
     */
    FAST_MMIO("kvm_fast_mmio"),
    /** {@code kvm_apic}, {@code kvm_apic_ipi}, {@code kvm_eoi}: KVM's local APIC emulation (arch/x86/kvm/lapic.c). */
    LOCAL_APIC("local APIC"),
    /** {@code kvm_ioapic_set_irq}, {@code kvm_ioapic_delayed_eoi_inj}: KVM's IOAPIC (arch/x86/kvm/ioapic.c). */
    IOAPIC("IOAPIC"),
    /** {@code kvm_pic_set_irq}: KVM's i8259 PIC (arch/x86/kvm/i8259.c). */
    PIC("PIC");

    /** The handler in words, null for {@link #UNSEEN}. */
    public final String label;

    KernelHandler(String label) {
        this.label = label;
    }

    /** The in-kernel device an event names, or null when the event names none. */
    public static KernelHandler ofEvent(String eventName) {
        return switch (eventName) {
            case "kvm_apic", "kvm_apic_ipi", "kvm_eoi" -> LOCAL_APIC;
            case "kvm_ioapic_set_irq", "kvm_ioapic_delayed_eoi_inj" -> IOAPIC;
            case "kvm_pic_set_irq" -> PIC;
            default -> null;
        };
    }

    public boolean device() {
        return this == LOCAL_APIC || this == IOAPIC || this == PIC;
    }
}

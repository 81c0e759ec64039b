package io.exitscope.model;

/**
 * The optimizations the s390 exit-path model can turn on and off. Each names the stages it
 * changes; {@link ExitPathModel} applies them and the numbers live in the config.
 */
public enum Switch {
    IOEVENTFD("ioeventfd",
            "ioeventfd for virtio-ccw notifications (DIAG 0x500): the kernel signals an eventfd instead of returning to QEMU",
            "DIAG 0x500: userspace leg (uexit-kernel-tail .. sync-regs-kernel, vmm-diag500) replaced by eventfd-signal (+ eventfd-wakeup)"),
    REQUEST_EARLY_EXIT("request-early-exit",
            "early return from request handling when no request is pending",
            "pre-run-requests: cost_slow -> cost"),
    IRQ_DISABLE("irq-disable",
            "local_irq_disable/enable around guest entry/exit instead of local_irq_save/restore",
            "irq-toggle: cost x save_restore_factor -> cost"),
    IRQ_TOGGLE_REMOVAL("irq-toggle-removal",
            "one interrupt-disable pair spans SIE instead of one around guest enter and one around exit",
            "irq-toggle: pairs -> pairs_removed"),
    KVM_BUILTIN("kvm-builtin",
            "KVM built into the kernel instead of a loadable module",
            "kvm-module stage dropped"),
    LAZY_FPU("lazy-fpu",
            "lazy FP/vector register switching",
            "fpu-switch (userspace exits): cost_eager -> cost"),
    SYNC_REGS("sync-regs",
            "synchronous registers in kvm_run instead of GET/SET register ioctls",
            "sync-state and put-registers (userspace exits): ioctl_cycles -> cost"),
    C_FASTPATH("c-fastpath",
            "C fast path for the hot exit (model.hot_exit): skip interrupt delivery, request and signal checks",
            "hot exit: pre-run-irq, pre-run-requests, signal-check dropped"),
    SIE64A_SHORTCUT("sie64a-shortcut",
            "re-enter SIE from sie64a for the hot exit (model.hot_exit)",
            "hot exit: sie64a-exit, sie64a-entry: cost -> cost_shortcut"),
    BQL_PUSHDOWN("bql-pushdown",
            "QEMU's big lock pushed down out of the s390 exit handler",
            "bql-wait (userspace exits): cost + per_extra_vcpu x (vCPUs - free_vcpus) -> cost_pushdown"),
    NO_SYNC_STATE("no-sync-state",
            "no kvm_cpu_synchronize_state (and register put-back) on every userspace exit",
            "sync-state and put-registers (userspace exits) dropped");

    /** Name on the command line and in the config. */
    public final String cliName;
    public final String description;
    /** The stages it changes, in words. */
    public final String effect;

    Switch(String cliName, String description, String effect) {
        this.cliName = cliName;
        this.description = description;
        this.effect = effect;
    }

    public static Switch parse(String name) {
        for (Switch s : values()) if (s.cliName.equalsIgnoreCase(name.strip())) return s;
        StringBuilder known = new StringBuilder();
        for (Switch s : values()) known.append(known.length() == 0 ? "" : ", ").append(s.cliName);
        throw new IllegalArgumentException("unknown switch '" + name + "' (" + known + ")");
    }

    @Override
    public String toString() {
        return cliName;
    }
}

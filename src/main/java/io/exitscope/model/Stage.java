package io.exitscope.model;

/**
 * The stages of one s390 exit, from the SIE intercept to the guest running again (s390.md §1.2,
 * S1..S12). The config section of each is {@code [stage ID]}; its numbers, class and position are
 * read from there. Two stages are parts of another's section: {@link #BQL_CONTENTION} (of
 * {@code bql-wait}) and {@link #IO_BUS_SEARCH} (of {@code io-bus-lookup}).
 */
public enum Stage {
    HW_SIE_EXIT("hw-sie-exit", "S1", "hardware SIE exit (intercept)"),
    SIE64A_EXIT("sie64a-exit", "S2", "__sie64a tail"),
    GUEST_TIMING_EXIT("guest-timing-exit", "S3", "guest time accounting on exit"),
    IRQ_TOGGLE("irq-toggle", "S3/S9", "interrupt disable/enable (or save/restore) around guest entry/exit"),
    SRCU("srcu", "S4", "SRCU read lock"),
    POST_RUN("post-run", "S5", "vcpu_post_run bookkeeping (kvm_s390_sie_exit)"),
    KVM_MODULE("kvm-module", "S5-S8", "KVM as a module: module text overhead"),
    DISPATCH("dispatch", "S6", "intercept dispatch"),
    INSN_DECODE("insn-decode", "S7", "instruction handler and operand decode"),
    IO_BUS_LOOKUP("io-bus-lookup", "S7", "KVM I/O bus lookup by cookie"),
    IO_BUS_SEARCH("io-bus-search", "S7", "I/O bus binary search after a cookie miss"),
    EVENTFD_SIGNAL("eventfd-signal", "S7", "ioeventfd: eventfd_signal"),
    EVENTFD_WAKEUP("eventfd-wakeup", "S7", "ioeventfd: waking the sleeping consumer"),
    SIGP_HANDLER("sigp-handler", "S7", "SIGP order handled in the kernel"),
    WAIT_HANDLER("wait-handler", "S7", "wait state: arm timer, block"),
    GUEST_IDLE("guest-idle", "S7", "wait state: the guest's idle time"),
    WAKEUP("wakeup", "S7", "wait state: wake-up until the vCPU runs"),
    PROG_HANDLER("prog-handler", "S7", "program interruption intercept"),
    REQUEST_HANDLER("request-handler", "S7", "external/I/O request intercept"),
    FAULT_HANDLER("fault-handler", "S6'", "host interruption / fault"),
    INSN_HANDLER("insn-handler", "S7", "other in-kernel instruction handler"),
    UEXIT_KERNEL_TAIL("uexit-kernel-tail", "S7u", "leave KVM_RUN: store_regs, vcpu_put"),
    FPU_SWITCH("fpu-switch", "S7u", "FP/vector register switch per KVM_RUN"),
    IOCTL_RETURN("ioctl-return", "S7u", "ioctl return to QEMU"),
    VMM_DISPATCH("vmm-dispatch", "S7u", "QEMU exit dispatch"),
    BQL_WAIT("bql-wait", "S7u", "QEMU big lock acquisition"),
    BQL_CONTENTION("bql-contention", "S7u", "QEMU big lock: waiting for other vCPUs"),
    SYNC_STATE("sync-state", "S7u", "kvm_cpu_synchronize_state"),
    OBJECT_LOOKUP("object-lookup", "S7u", "QOM object lookups"),
    VMM_HANDLER("vmm-handler", "S7u", "QEMU intercept handler"),
    VMM_DIAG500("vmm-diag500", "S7u", "QEMU virtio-ccw notify handler"),
    VMM_SSCH("vmm-ssch", "S7u", "QEMU channel subsystem (SSCH) handler"),
    BQL_RELEASE("bql-release", "S7u", "QEMU big lock release"),
    PUT_REGISTERS("put-registers", "S7u", "kvm_arch_put_registers"),
    IOCTL_ENTRY("ioctl-entry", "S7u", "KVM_RUN ioctl entry, vcpu_load"),
    SYNC_REGS_KERNEL("sync-regs-kernel", "S7u", "sync_regs() in the kernel"),
    PRE_RUN_IRQ("pre-run-irq", "S8a", "pending interrupt delivery"),
    PRE_RUN_REQUESTS("pre-run-requests", "S8b", "request handling"),
    PRE_RUN_TAIL("pre-run-tail", "S8c", "pre-run tail (kvm_s390_sie_enter)"),
    SIGNAL_CHECK("signal-check", "S9", "SRCU unlock, signal/resched check"),
    GUEST_TIMING_ENTER("guest-timing-enter", "S10", "guest time accounting on entry"),
    SIE64A_ENTRY("sie64a-entry", "S11", "__sie64a head"),
    HW_SIE_ENTRY("hw-sie-entry", "S12", "hardware SIE entry");

    /** The name in the config and in output. */
    public final String id;
    /** The stage number in s390.md §1.2. */
    public final String ref;
    public final String what;

    Stage(String id, String ref, String what) {
        this.id = id;
        this.ref = ref;
        this.what = what;
    }

    /** The config section holding this stage's numbers. */
    String section() {
        return switch (this) {
            case BQL_CONTENTION -> "stage.bql-wait";
            case IO_BUS_SEARCH -> "stage.io-bus-lookup";
            default -> "stage." + id;
        };
    }

    @Override
    public String toString() {
        return id;
    }
}

package io.exitscope.model;

import io.exitscope.exit.ExitClass;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The s390 exit-path model: builds an exit's stages under a switch set. This class holds the
 * structure (which stages an exit has and which switch changes which stage, see {@link Switch});
 * every number comes from the {@link ModelConfig}.
 */
public final class ExitPathModel {
    private final ModelConfig config;
    private final Map<Stage, StageCost> base = new EnumMap<>(Stage.class);
    private final ExitKind hotExit;
    private final double cpuGhz;
    private final int freeVcpus;

    public ExitPathModel(ModelConfig config) {
        this.config = config;
        for (Stage s : Stage.values()) base.put(s, read(s));
        this.hotExit = ExitKind.parse(config.string("model.hot_exit", "diag 0x500"));
        this.cpuGhz = config.number("model.cpu_ghz");
        this.freeVcpus = (int) config.number("model.free_vcpus", 4);
    }

    private StageCost read(Stage s) {
        String sec = s.section() + ".";
        ExitClass cls = ExitClass.parse(config.string(sec + "class"));
        Position at = Position.parse(config.string(sec + "at"));
        return switch (s) {
            case BQL_CONTENTION -> new StageCost(s, config.number(sec + "per_extra_vcpu"), config.number(sec + "contention_spread"),
                    1, cls, at, false);
            case IO_BUS_SEARCH -> new StageCost(s, config.number(sec + "per_search_step"), config.number(sec + "spread"),
                    config.number(sec + "cookie_miss_probability"), cls, at, false);
            default -> new StageCost(s, config.number(sec + "cost"), config.number(sec + "spread"), 1, cls, at, s == Stage.GUEST_IDLE);
        };
    }

    public ModelConfig config() {
        return config;
    }

    /** The exit the talk's fast paths were built for ({@code model.hot_exit}). */
    public ExitKind hotExit() {
        return hotExit;
    }

    public int freeVcpus() {
        return freeVcpus;
    }

    /** The stages of an exit in this context under the switch set, in execution order. */
    public ExitPath path(ExitContext c, SwitchSet s) {
        // the fast paths only exist for the hot exit when the kernel handles it
        boolean fast = !c.toUserspace() && c.kind().equals(hotExit);
        List<StageCost> st = new ArrayList<>();

        st.add(base(Stage.HW_SIE_EXIT));
        st.add(fast && s.on(Switch.SIE64A_SHORTCUT) ? alt(Stage.SIE64A_EXIT, "cost_shortcut") : base(Stage.SIE64A_EXIT));
        st.add(base(Stage.GUEST_TIMING_EXIT));
        st.add(irqToggle(s));
        st.add(base(Stage.SRCU));

        st.add(base(Stage.POST_RUN));
        if (!s.on(Switch.KVM_BUILTIN)) st.add(base(Stage.KVM_MODULE));
        st.add(base(Stage.DISPATCH));
        handler(c, s, st);
        if (!(fast && s.on(Switch.C_FASTPATH))) {
            StageCost irq = base(Stage.PRE_RUN_IRQ);
            if (c.deliversInterrupt()) irq = irq.withMedian(irq.medianNs() + number(Stage.PRE_RUN_IRQ, "deliver"));
            st.add(irq);
            st.add(s.on(Switch.REQUEST_EARLY_EXIT) ? base(Stage.PRE_RUN_REQUESTS) : alt(Stage.PRE_RUN_REQUESTS, "cost_slow"));
        }
        st.add(base(Stage.PRE_RUN_TAIL));

        if (!(fast && s.on(Switch.C_FASTPATH))) st.add(base(Stage.SIGNAL_CHECK));
        st.add(base(Stage.GUEST_TIMING_ENTER));
        st.add(fast && s.on(Switch.SIE64A_SHORTCUT) ? alt(Stage.SIE64A_ENTRY, "cost_shortcut") : base(Stage.SIE64A_ENTRY));
        st.add(base(Stage.HW_SIE_ENTRY));
        return new ExitPath(c.kind(), c.toUserspace(), st);
    }

    /** Convenience: the path of an exit kind under a switch set with default circumstances. */
    public ExitPath path(ExitKind kind, boolean toUserspace, SwitchSet s) {
        return path(ExitContext.of(kind, toUserspace), s);
    }

    /**
     * Whether this exit goes to userspace under the switch set: DIAG 0x500 does exactly when
     * there is no ioeventfd; every other kind keeps what the trace showed.
     */
    public static boolean toUserspace(ExitKind kind, boolean observedUserspace, SwitchSet s) {
        if (kind.isDiag(0x500)) return !s.on(Switch.IOEVENTFD);
        return observedUserspace;
    }

    private StageCost irqToggle(SwitchSet s) {
        StageCost t = base(Stage.IRQ_TOGGLE);
        double perPair = t.medianNs() * (s.on(Switch.IRQ_DISABLE) ? 1 : number(Stage.IRQ_TOGGLE, "save_restore_factor"));
        double pairs = number(Stage.IRQ_TOGGLE, s.on(Switch.IRQ_TOGGLE_REMOVAL) ? "pairs_removed" : "pairs");
        return t.withMedian(perPair * pairs);
    }

    private void handler(ExitContext c, SwitchSet s, List<StageCost> st) {
        ExitKind k = c.kind();
        switch (k.family()) {
            case DIAG -> {
                st.add(base(Stage.INSN_DECODE));
                if (k.code() == 0x500) {
                    st.add(base(Stage.IO_BUS_LOOKUP));
                    st.add(ioBusSearch(c));
                    if (c.toUserspace()) {
                        userspaceLeg(c, s, Stage.VMM_DIAG500, st);
                    } else {
                        st.add(base(Stage.EVENTFD_SIGNAL));
                        if (c.wakeProbability() > 0) st.add(base(Stage.EVENTFD_WAKEUP).withProbability(Math.min(1, c.wakeProbability())));
                    }
                } else {
                    kernelOrUserspace(c, s, Stage.INSN_HANDLER, Stage.VMM_HANDLER, st);
                }
            }
            case SIGP -> {
                st.add(base(Stage.INSN_DECODE));
                kernelOrUserspace(c, s, Stage.SIGP_HANDLER, Stage.VMM_HANDLER, st);
            }
            case INSTRUCTION -> {
                st.add(base(Stage.INSN_DECODE));
                kernelOrUserspace(c, s, Stage.INSN_HANDLER, k.code() == 0xb233 ? Stage.VMM_SSCH : Stage.VMM_HANDLER, st);
            }
            case PROGRAM -> kernelOrUserspace(c, s, Stage.PROG_HANDLER, Stage.VMM_HANDLER, st);
            case WAIT -> {
                if (c.toUserspace()) {
                    userspaceLeg(c, s, Stage.VMM_HANDLER, st);   // disabled wait: QEMU stops the CPU
                } else {
                    st.add(base(Stage.WAIT_HANDLER));
                    st.add(base(Stage.GUEST_IDLE).withMedian(c.idleNs()));
                    st.add(base(Stage.WAKEUP));
                }
            }
            case EXTERNAL_REQUEST, IO_REQUEST -> kernelOrUserspace(c, s, Stage.REQUEST_HANDLER, Stage.VMM_HANDLER, st);
            case HOST_INTERRUPTION -> st.add(base(Stage.FAULT_HANDLER));
            case OTHER -> kernelOrUserspace(c, s, Stage.INSN_HANDLER, Stage.VMM_HANDLER, st);
        }
    }

    private void kernelOrUserspace(ExitContext c, SwitchSet s, Stage kernel, Stage vmm, List<StageCost> st) {
        if (c.toUserspace()) userspaceLeg(c, s, vmm, st);
        else st.add(base(kernel));
    }

    /** S7u: from leaving KVM_RUN to being back in it, with the VMM's handler in the middle. */
    private void userspaceLeg(ExitContext c, SwitchSet s, Stage vmmHandler, List<StageCost> st) {
        st.add(base(Stage.UEXIT_KERNEL_TAIL));
        st.add(s.on(Switch.LAZY_FPU) ? base(Stage.FPU_SWITCH) : alt(Stage.FPU_SWITCH, "cost_eager"));
        st.add(base(Stage.IOCTL_RETURN));
        st.add(base(Stage.VMM_DISPATCH));
        if (s.on(Switch.BQL_PUSHDOWN)) {
            st.add(alt(Stage.BQL_WAIT, "cost_pushdown"));
        } else {
            st.add(base(Stage.BQL_WAIT));
            int extra = Math.max(0, c.vcpus() - freeVcpus);
            if (extra > 0) {
                StageCost k = base(Stage.BQL_CONTENTION);
                st.add(k.withMedian(k.medianNs() * extra));
            }
        }
        if (!s.on(Switch.NO_SYNC_STATE)) st.add(registerTransfer(Stage.SYNC_STATE, s));
        StageCost obj = base(Stage.OBJECT_LOOKUP);
        if (config.flag("stage.object-lookup.uncached", false)) obj = obj.withMedian(number(Stage.OBJECT_LOOKUP, "uncached_cycles") / cpuGhz);
        st.add(obj);
        st.add(base(vmmHandler));
        st.add(base(Stage.BQL_RELEASE));
        if (!s.on(Switch.NO_SYNC_STATE)) st.add(registerTransfer(Stage.PUT_REGISTERS, s));
        st.add(base(Stage.IOCTL_ENTRY));
        st.add(base(Stage.SYNC_REGS_KERNEL));
    }

    private StageCost registerTransfer(Stage stage, SwitchSet s) {
        StageCost b = base(stage);
        return s.on(Switch.SYNC_REGS) ? b : b.withMedian(number(stage, "ioctl_cycles") / cpuGhz);
    }

    private StageCost ioBusSearch(ExitContext c) {
        // a stale cookie falls back to a binary search over every device on the bus
        StageCost step = base(Stage.IO_BUS_SEARCH);
        double steps = Math.max(1, Math.ceil(Math.log(Math.max(2, c.devices())) / Math.log(2)));
        return step.withMedian(step.medianNs() * steps);
    }

    private StageCost base(Stage s) {
        return base.get(s);
    }

    private StageCost alt(Stage s, String key) {
        return base(s).withMedian(number(s, key));
    }

    private double number(Stage s, String key) {
        return config.number(s.section() + "." + key);
    }
}

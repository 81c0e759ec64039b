package io.exitscope.evidence;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.source.KvmBuild;
import io.exitscope.stats.NotificationEvidence;

import java.util.ArrayList;
import java.util.List;

/**
 * What a trace says about each optimization, decided once: per device address and vCPU thread,
 * whether guest notifications reach userspace (no ioeventfd) or stay in the kernel and why; KVM
 * requests pending at exit; KVM module or built in (kallsyms); kvm_fpu loads per KVM_RUN; and
 * from these the recorded state of the model's switches. The report, triage, the model and the
 * TUI read this and only lay it out.
 *
 * @param notifications per (address, thread), ordered by thread then by notification count
 * @param notificationWritesLeftOut writes to pairs beyond {@link NotificationEvidence#MAX_ADDRESSES}
 */
public record OptimizationEvidence(List<Notification> notifications, long notificationWritesLeftOut, Requests requests,
                                   KvmBuild kvm, Fpu fpu) {

    public OptimizationEvidence {
        notifications = List.copyOf(notifications);
    }

    /** Where one address's notifications went, and what that says about ioeventfd. */
    public enum Verdict {
        USERSPACE("userspace", "reaches userspace: no ioeventfd", "no ioeventfd", false),
        KERNEL("kernel", "stays in the kernel: ioeventfd / fast mmio", "ioeventfd", true),
        MIXED("mixed", "partly reaches userspace", "partly", false);

        /** The JSON word ({@code evidence.notifications[].verdict}). */
        public final String json;
        /** The verdict as a report line says it. */
        public final String words;
        /** The verdict in a table cell. */
        public final String shortWords;
        /** The verdict claims an ioeventfd. */
        public final boolean ioeventfd;

        Verdict(String json, String words, String shortWords, boolean ioeventfd) {
            this.json = json;
            this.words = words;
            this.shortWords = shortWords;
            this.ioeventfd = ioeventfd;
        }
    }

    /** One address as seen by one thread, with the verdict. */
    public record Notification(NotificationEvidence.Address seen, Verdict verdict) {
        public String address() { return seen.address(); }
        public String reason() { return seen.reason(); }
        public int tid() { return seen.tid(); }
        public String vm() { return seen.vm(); }
        public long toUserspace() { return seen.toUserspace(); }
        public long inKernel() { return seen.inKernel(); }
        public long total() { return seen.total(); }
        public long userspaceTimeNs() { return seen.userspaceTimeNs(); }
        public long userspaceMeasured() { return seen.userspaceMeasured(); }
        public long meanUserspaceNs() { return seen.meanUserspaceNs(); }
    }

    /** {@code kvm_exit.requests}: at how many exits KVM requests were pending (known = exits that carry the field). */
    public record Requests(long known, long pending) {
        public boolean visible() {
            return known > 0;
        }

        public double pendingFraction() {
            return known == 0 ? 0 : (double) pending / known;
        }
    }

    /**
     * {@code kvm_fpu} loads and unloads against exits and returns to userspace: one pair per
     * KVM_RUN is lazy switching; a load at (nearly) every exit is not.
     */
    public record Fpu(long loads, long unloads, long userspaceReturns, long exits) {
        public boolean seen() {
            return loads + unloads > 0;
        }

        public double returnsPerRun() {
            return (double) userspaceReturns / Math.max(1, loads);
        }

        /** The guest's registers are switched at every exit, not once per KVM_RUN. */
        public boolean perExit() {
            return exits > 0 && loads >= exits * 0.9 && loads > userspaceReturns * 1.5;
        }
    }

    /**
     * A switch's recorded state as the trace shows it.
     *
     * @param on     null when the trace does not tell
     * @param detail what the state rests on
     */
    public record SwitchState(Boolean on, String detail) {}

    public static OptimizationEvidence of(AnalysisResult r) {
        return of(r.notifications(), new Requests(r.requestsKnown(), r.requestsPending()), new KvmBuild(r.kvmModule(), r.kvmModuleEvidence()),
                new Fpu(r.fpuLoads(), r.fpuUnloads(), r.userspaceReturns(), r.exits()));
    }

    public static OptimizationEvidence of(NotificationEvidence seen, Requests requests, KvmBuild kvm, Fpu fpu) {
        List<Notification> out = new ArrayList<>();
        for (NotificationEvidence.Address a : seen.addresses()) out.add(new Notification(a, verdict(a)));
        return new OptimizationEvidence(out, seen.writesLeftOut(), requests, kvm, fpu);
    }

    private static Verdict verdict(NotificationEvidence.Address a) {
        if (a.inKernel() == 0) return Verdict.USERSPACE;
        if (a.toUserspace() == 0) return Verdict.KERNEL;
        return Verdict.MIXED;
    }

    /**
     * The recorded ioeventfd switch. s390: on when some DIAG 0x500 stays in the kernel (the model
     * projects the queues without it). Elsewhere: off when any notification write reaches
     * userspace, since turning it on projects those.
     *
     * @param s390 the trace is s390's: DIAG 0x500 notifications count, others do not
     */
    public SwitchState ioeventfdSwitch(boolean s390) {
        long us = 0, kernel = 0;
        for (Notification n : notifications) {
            if (s390 != isDiag500(n.address())) continue;
            us += n.toUserspace();
            kernel += n.inKernel();
        }
        if (us + kernel == 0) return new SwitchState(null, "no notification writes in the trace");
        if (s390) {
            String d = us + " of " + (us + kernel) + " DIAG 0x500 exits reach userspace";
            return new SwitchState(kernel > 0, kernel > 0 && us > 0 ? d + " (mixed: some queues without ioeventfd)" : d);
        }
        return new SwitchState(us == 0, us + " of " + (us + kernel) + " PIO/MMIO notification writes reach userspace");
    }

    /** The recorded kvm-builtin switch: the kallsyms verdict. */
    public SwitchState kvmBuiltinSwitch() {
        return new SwitchState(kvm.module() == null ? null : !kvm.module(), kvm.evidence());
    }

    private static boolean isDiag500(String subkey) {
        return subkey != null && subkey.startsWith("DIAG (0x500)");
    }
}

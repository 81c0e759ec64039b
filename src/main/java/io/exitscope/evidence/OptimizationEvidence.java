package io.exitscope.evidence;

import io.exitscope.exit.ExitClass;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.source.KvmBuild;
import io.exitscope.stats.NotificationEvidence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    /**
     * Where one address's notifications went, and what that says about ioeventfd. Staying in the
     * kernel is not ioeventfd by itself: KVM emulates devices there too (local APIC, IOAPIC, PIC,
     * PIT), and coalesced MMIO stays there as well. ioeventfd is claimed only with evidence of its
     * own, named in {@link Notification#basis()}.
     */
    public enum Verdict {
        USERSPACE("userspace", "reaches userspace: no ioeventfd", "no ioeventfd", false),
        /** A legacy port whose writes carry data (a UART's bytes): the VMM must see them, ioeventfd cannot serve it. */
        DATA_PORT("userspace", "reaches userspace: a data port, no ioeventfd possible", "data port", false),
        IOEVENTFD("kernel", "stays in the kernel: ioeventfd", "ioeventfd", true),
        KERNEL_DEVICE("kernel", "stays in the kernel: emulated by KVM, not ioeventfd", "in-kernel device", false),
        KERNEL_UNPROVEN("kernel", "stays in the kernel: no evidence of ioeventfd", "in kernel", false),
        MIXED("mixed", "partly reaches userspace", "partly", false),
        /** Where the writes went is not in the trace: it has no kvm_userspace_exit (last: the others keep their order). */
        UNKNOWN("unknown", "unknown: " + ExitClass.UNKNOWN_WHY, "unknown", false);

        /** The JSON word ({@code evidence.notifications[].verdict}): where the writes went. */
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

    /**
     * One address as seen by one thread, with the verdict.
     *
     * @param basis what the verdict rests on beyond where the writes went (which evidence of
     *              ioeventfd, which in-kernel device), or null
     */
    public record Notification(NotificationEvidence.Address seen, Verdict verdict, String basis) {
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
        List<NotificationEvidence.Address> all = seen.addresses();
        Map<String, Integer> reachesUserspace = new HashMap<>(); // address -> first thread (in order) whose writes reach userspace
        for (NotificationEvidence.Address a : all) if (a.toUserspace() > 0) reachesUserspace.putIfAbsent(a.address(), a.tid());
        List<Notification> out = new ArrayList<>();
        for (NotificationEvidence.Address a : all) out.add(judge(a, reachesUserspace));
        return new OptimizationEvidence(out, seen.writesLeftOut(), requests, kvm, fpu);
    }

    /**
     * Why an x86 port write that stays in the kernel is ioeventfd: KVM handles it in kernel_pio()
     * through KVM_PIO_BUS, and that bus holds only the i8259 PIC (kvm_pic_init), the i8254 PIT
     * and its speaker port (kvm_create_pit), coalesced PIO zones (virt/kvm/coalesced_mmio.c; QEMU
     * registers one, the RTC's index port 0x70, a data port here) and ioeventfds
     * (virt/kvm/eventfd.c). The PIC's and PIT's ports are judged before this, as in-kernel devices.
     */
    static final String PORT_BUS = "KVM's port bus holds only the PIC, the PIT, the RTC's coalesced port and ioeventfds";

    /**
     * The verdict on one address of one thread. For writes that stayed in the kernel, in order of
     * trust: kvm_fast_mmio beside them (the fast MMIO bus holds only ioeventfds); an in-kernel
     * device's event beside them, or an address KVM emulates in the kernel (never ioeventfd, even
     * if another run sent it to userspace: that run had no in-kernel irqchip); s390 DIAG 0x500
     * (KVM hands it to the virtio-ccw notify bus, which holds only ioeventfds: arch/s390/kvm/diag.c);
     * the same address reaching userspace on another thread of the same input (the A/B of one
     * device with and without KVM_IOEVENTFD); an x86 port write that is no legacy data port
     * ({@link #PORT_BUS}). Without any of these, no ioeventfd is claimed: an MMIO write kept in
     * the kernel without kvm_fast_mmio may be coalesced MMIO or a device KVM emulates.
     */
    private static Notification judge(NotificationEvidence.Address a, Map<String, Integer> reachesUserspace) {
        if (a.unknownClass() > 0) return new Notification(a, Verdict.UNKNOWN, "record " + ExitClass.EVIDENCE_EVENT + " to see where the writes go");
        if (a.inKernel() == 0) {
            String data = DeviceAddresses.dataPort(a.address());
            return data == null ? new Notification(a, Verdict.USERSPACE, null) : new Notification(a, Verdict.DATA_PORT, data);
        }
        if (a.toUserspace() > 0) return new Notification(a, Verdict.MIXED, null);
        if (a.inKernelFastMmio() > 0) {
            return new Notification(a, Verdict.IOEVENTFD, "kvm_fast_mmio beside " + a.inKernelFastMmio() + " of the writes");
        }
        String device = a.inKernelByDevice() > 0 ? a.device().label : DeviceAddresses.kernelDevice(a.address());
        if (device != null) {
            String why = a.inKernelByDevice() > 0 ? "its trace events beside " + a.inKernelByDevice() + " of the writes" : "its address range";
            return new Notification(a, Verdict.KERNEL_DEVICE, device + ": " + why);
        }
        if (isDiag500(a.address())) {
            return new Notification(a, Verdict.IOEVENTFD, "DIAG 0x500 handled in the kernel: only ioeventfds serve it");
        }
        Integer other = reachesUserspace.get(a.address());
        if (other != null) return new Notification(a, Verdict.IOEVENTFD, "the same address reaches userspace on tid " + other);
        if (DeviceAddresses.portWrite(a.address()) && DeviceAddresses.dataPort(a.address()) == null) {
            return new Notification(a, Verdict.IOEVENTFD, PORT_BUS);
        }
        return new Notification(a, Verdict.KERNEL_UNPROVEN, "no kvm_fast_mmio and no run where it reaches userspace");
    }

    /**
     * This evidence with another run's beside it (a baseline, file A of an A/B): a write that stays
     * in the kernel here without evidence is ioeventfd when the same address reaches userspace there.
     * That is also put before the port-bus inference ({@link #PORT_BUS}), as {@link #judge} ranks
     * the same address reaching userspace above it: the A/B is the user's own proof.
     *
     * @param otherName the other run in words, e.g. {@code the baseline}
     */
    public OptimizationEvidence withOtherRun(OptimizationEvidence other, String otherName) {
        Map<String, Integer> reachesUserspace = new HashMap<>();
        for (Notification n : other.notifications) if (n.toUserspace() > 0) reachesUserspace.putIfAbsent(n.address(), n.tid());
        List<Notification> out = new ArrayList<>();
        for (Notification n : notifications) {
            boolean weaker = n.verdict() == Verdict.KERNEL_UNPROVEN || PORT_BUS.equals(n.basis());
            Integer tid = weaker ? reachesUserspace.get(n.address()) : null;
            out.add(tid == null ? n : new Notification(n.seen(), Verdict.IOEVENTFD,
                    "the same address reaches userspace in " + otherName + " (tid " + tid + ")"));
        }
        return new OptimizationEvidence(out, notificationWritesLeftOut, requests, kvm, fpu);
    }

    /** The verdict as a sentence: {@code stays in the kernel: ioeventfd (the same address reaches userspace on tid 7)}. */
    public static String sentence(Notification n) {
        return n.basis() == null ? n.verdict().words : n.verdict().words + " (" + n.basis() + ")";
    }

    /**
     * The recorded ioeventfd switch, over the {@link #doorbell} addresses. s390: on when some DIAG
     * 0x500 stays in the kernel (the model projects the queues without it). Elsewhere: off when any
     * doorbell write reaches userspace, since turning it on projects those.
     *
     * @param s390 the trace is s390's: DIAG 0x500 notifications count, others do not
     */
    public SwitchState ioeventfdSwitch(boolean s390) {
        long us = 0, kernel = 0, unknown = 0;
        for (Notification n : notifications) {
            if (s390 != isDiag500(n.address()) || !doorbell(n)) continue;
            us += n.toUserspace();
            kernel += n.inKernel();
            unknown += n.seen().unknownClass();
        }
        if (us + kernel == 0) {
            return new SwitchState(null, unknown > 0 ? unknown + " notification writes, where they went unknown: " + ExitClass.UNKNOWN_WHY
                    : "no notification writes in the trace");
        }
        if (s390) {
            String d = us + " of " + (us + kernel) + " DIAG 0x500 exits reach userspace";
            return new SwitchState(kernel > 0, kernel > 0 && us > 0 ? d + " (mixed: some queues without ioeventfd)" : d);
        }
        return new SwitchState(us == 0, us + " of " + (us + kernel) + " PIO/MMIO doorbell writes reach userspace");
    }

    /**
     * Whether ioeventfd could serve this address: not a device KVM emulates in the kernel, not a
     * legacy port whose writes carry data (a serial port's bytes need the VMM).
     */
    public static boolean doorbell(Notification n) {
        return n.verdict() != Verdict.KERNEL_DEVICE && n.verdict() != Verdict.DATA_PORT && DeviceAddresses.kernelDevice(n.address()) == null
                && DeviceAddresses.dataPort(n.address()) == null;
    }

    /** The recorded lazy-fpu switch: kvm_fpu loaded once per KVM_RUN (lazy) or at every exit; null without kvm_fpu events. */
    public SwitchState lazyFpuSwitch() {
        if (!fpu.seen()) return new SwitchState(null, "no kvm_fpu events");
        return new SwitchState(!fpu.perExit(), fpu.loads() + " kvm_fpu loads for " + fpu.exits() + " exits and "
                + fpu.userspaceReturns() + " returns to userspace: " + (fpu.perExit() ? "per exit" : "per KVM_RUN"));
    }

    /** The recorded kvm-builtin switch: the kallsyms verdict. */
    public SwitchState kvmBuiltinSwitch() {
        return new SwitchState(kvm.module() == null ? null : !kvm.module(), kvm.evidence());
    }

    private static boolean isDiag500(String subkey) {
        return subkey != null && subkey.startsWith("DIAG (0x500)");
    }
}

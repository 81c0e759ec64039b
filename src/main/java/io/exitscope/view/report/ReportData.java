package io.exitscope.view.report;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.exit.Measure;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Decimals;
import io.exitscope.util.Durations;

import java.util.ArrayList;
import java.util.List;

/**
 * The numbers every report format prints, computed once: groups with their shares, and the
 * optimization evidence as lines. Formats only lay this out.
 */
public final class ReportData {
    public final AnalysisResult result;
    public final StatsSnapshot snapshot;
    public final ReportOptions options;
    public final long overheadNs;
    public final List<StatsSnapshot.Group> groups;
    /** What the trace says about each optimization. */
    public final OptimizationEvidence optimizations;

    public ReportData(AnalysisResult result, ReportOptions options) {
        this.result = result;
        this.options = options;
        this.snapshot = result.stats().snapshot(options.groupBy());
        this.overheadNs = snapshot.overheadNs(options.includeBlocking());
        List<StatsSnapshot.Group> g = new ArrayList<>(snapshot.groups());
        if (options.top() > 0 && g.size() > options.top()) g = g.subList(0, options.top());
        this.groups = List.copyOf(g);
        this.optimizations = OptimizationEvidence.of(result);
    }

    /** Share of measured exit time; blocking exits have no share unless included. */
    public double share(StatsSnapshot.Group g) {
        return StatsSnapshot.share(g, overheadNs, options.includeBlocking());
    }

    public String classLabel(StatsSnapshot.Group g) {
        return g.classLabel();
    }

    /**
     * "H/K/U" split in percent of the group's exits, e.g. {@code 0/20/80}; exits of unknown class
     * (no kvm_userspace_exit in the trace) make it {@code unknown}, or follow as {@code ?N}.
     */
    public static String classSplit(StatsSnapshot.Group g) {
        long h = g.classCounts().getOrDefault(ExitClass.HARDWARE, 0L);
        long k = g.classCounts().getOrDefault(ExitClass.KERNEL, 0L);
        long u = g.classCounts().getOrDefault(ExitClass.USERSPACE, 0L);
        long q = g.classCounts().getOrDefault(ExitClass.UNKNOWN, 0L);
        if (q > 0 && h + k + u == 0) return ExitClass.UNKNOWN.label;
        long n = Math.max(1, h + k + u + q);
        String split = Math.round(100.0 * h / n) + "/" + Math.round(100.0 * k / n) + "/" + Math.round(100.0 * u / n);
        return q > 0 ? split + " ?" + Math.round(100.0 * q / n) : split;
    }

    /**
     * Exits of the shown statistics whose class is unknown: the trace (one of the traces) has no
     * {@code kvm_userspace_exit}, so kernel- and userspace-handled exits cannot be told apart.
     */
    public long unknownClassExits() {
        long n = 0;
        for (StatsSnapshot.Group g : snapshot.groups()) n += g.classCounts().getOrDefault(ExitClass.UNKNOWN, 0L);
        return n;
    }

    /** The line saying why the class is unknown and which event to record, or null when every class is known. */
    public String unknownClassText() {
        long n = unknownClassExits();
        if (n == 0) return null;
        return "unknown for " + n + " exit" + (n == 1 ? "" : "s") + ": " + ExitClass.UNKNOWN_WHY
                + " events, so kernel- and userspace-handled exits look alike; record " + ExitClass.EVIDENCE_EVENT + " too";
    }

    public String measureText() {
        List<String> parts = new ArrayList<>();
        for (Measure m : result.measures()) {
            parts.add(switch (m) {
                case EXIT_TO_ENTRY -> "exit latency (exit event -> next entry event of the vCPU thread)";
                case USERSPACE_ROUND_TRIP -> "userspace round trip (kvm_userspace_exit -> return into KVM_RUN); "
                        + (result.measures().contains(Measure.EXIT_TO_ENTRY) ? "for vCPU threads without exit/entry events"
                        : "no kvm_exit/kvm_entry events in this trace");
                case COUNT_ONLY -> (unknownClassExits() > 0 ? "exits" : "kernel-handled exits")
                        + " without exit/entry events are counted, not timed";
            });
        }
        if (parts.isEmpty()) {
            return result.incompleteExits() > 0
                    ? "none: no exit was followed by an entry event of its thread (a trace of exit events only?); the incomplete exits above are all there is"
                    : "no exits found";
        }
        return String.join("; ", parts);
    }

    /** Optimization evidence, one line per address or optimization, as {@link OptimizationEvidence} decided it. */
    public List<String[]> evidence() {
        OptimizationEvidence ev = optimizations;
        List<String[]> out = new ArrayList<>();
        for (OptimizationEvidence.Notification a : ev.notifications()) {
            String who = "tid " + a.tid() + " (" + a.vm() + ")";
            String detail = a.verdict() == OptimizationEvidence.Verdict.UNKNOWN ? a.total() + " writes"
                    : a.toUserspace() + "/" + a.total() + " to userspace";
            if (a.userspaceMeasured() > 0) detail += ", mean round trip " + Durations.format(a.meanUserspaceNs());
            out.add(new String[]{"ioeventfd", a.address() + " on " + who + ": " + OptimizationEvidence.sentence(a) + " (" + detail + ")"});
        }
        OptimizationEvidence.Requests rq = ev.requests();
        if (rq.visible()) {
            out.add(new String[]{"requests", "KVM requests pending at " + rq.pending() + " of " + rq.known()
                    + " exits (" + Durations.percent(rq.pendingFraction()) + "); an early exit in request handling saves on the others"});
        } else if (result.arches().contains(Arch.X86_VMX) || result.arches().contains(Arch.X86_SVM)) {
            // only x86's kvm_exit has the field, and only from 6.x kernels on: other architectures get no line
            out.add(new String[]{"requests", "not visible: this trace's kvm_exit events have no requests field (newer kernels add it)"});
        } else if (result.arches().isEmpty() || result.arches().equals(java.util.Set.of(Arch.UNKNOWN))) {
            out.add(new String[]{"requests", "not visible: no kvm_exit events in this trace"});
        }
        Boolean module = ev.kvm().module();
        out.add(new String[]{"kvm module", module == null ? "unknown (" + ev.kvm().evidence() + ")"
                : (module ? "KVM is a loadable module" : "KVM is built in") + " (" + ev.kvm().evidence() + ")"});
        OptimizationEvidence.Fpu fpu = ev.fpu();
        if (fpu.seen()) {
            out.add(new String[]{"fpu", fpu.loads() + " kvm_fpu loads, " + fpu.unloads() + " unloads: one pair per KVM_RUN; "
                    + fpu.userspaceReturns() + " returns to userspace (" + Decimals.fixed(fpu.returnsPerRun(), 2) + " per KVM_RUN)"});
        }
        return out;
    }
}

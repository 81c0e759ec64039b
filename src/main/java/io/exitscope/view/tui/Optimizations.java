package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.NotificationEvidence;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The optimizations screen's content: each optimization's detected state with its evidence, the
 * exits it affects and their share of the measured exit time, from one {@link Side}.
 */
public final class Optimizations {
    private Optimizations() {}

    public enum State {
        /** The optimization is in effect. */
        ON("ON"),
        /** Missing: the exits it would change are there to be saved. */
        OFF("OFF"),
        PARTIAL("PARTIAL"),
        UNKNOWN("?"),
        /** A measurement, not an on/off state. */
        INFO("INFO");

        public final String text;

        State(String text) {
            this.text = text;
        }
    }

    /**
     * One optimization as seen in the data.
     *
     * @param id        stable identifier (e.g. {@code ioeventfd}, {@code requests}, {@code kvm-module}, {@code fpu}; models add theirs)
     * @param name      what it is called on screen
     * @param target    what it applies to (an address and thread), or empty
     * @param state     detected state
     * @param stateText the state in words
     * @param evidence  why we think so
     * @param exits     exits it affects
     * @param share     their share of measured exit time (0..1), NaN when not measured
     * @param approx    the share is an estimate
     */
    public record Finding(String id, String name, String target, State state, String stateText, String evidence, long exits,
                          double share, boolean approx) {}

    public static List<Finding> detect(Side s) {
        List<Finding> out = new ArrayList<>();
        long overhead = s.overheadNs();
        List<Finding> io = new ArrayList<>();
        for (NotificationEvidence.Address a : s.notifications) {
            State st = switch (a.verdict()) {
                case USERSPACE -> State.OFF;
                case KERNEL -> State.ON;
                case MIXED -> State.PARTIAL;
            };
            String words = switch (a.verdict()) {
                case USERSPACE -> "no ioeventfd";
                case KERNEL -> "ioeventfd";
                case MIXED -> "partly";
            };
            String ev = "tid " + a.tid() + " (" + a.vm() + "): " + a.toUserspace() + "/" + a.total() + " writes reach userspace";
            if (a.userspaceMeasured() > 0) ev += ", mean round trip " + Durations.format(a.meanUserspaceNs());
            if (a.inKernel() > 0) ev += "; " + a.inKernel() + " stay in the kernel";
            double share = a.userspaceMeasured() > 0 && overhead > 0 ? (double) a.userspaceTimeNs() / overhead : Double.NaN;
            io.add(new Finding("ioeventfd", "ioeventfd", a.address(), st, words, ev,
                    a.total(), share, false));
        }
        io.sort(Comparator.comparingDouble((Finding f) -> Double.isNaN(f.share()) ? -1 : f.share()).reversed()
                .thenComparing(Comparator.comparingLong(Finding::exits).reversed()));
        if (io.isEmpty()) {
            out.add(new Finding("ioeventfd", "ioeventfd", "", State.UNKNOWN, "no evidence",
                    "no device notifications (pio/mmio writes with an address) seen", 0, Double.NaN, false));
        } else {
            out.addAll(io);
        }

        if (s.requestsKnown > 0) {
            double approx = 0;
            for (StatsSnapshot.Group g : s.fine.groups()) {
                if (g.blocking() || g.count() == 0 || g.requestsPending() == 0) continue;
                approx += (double) g.totalNs() * g.requestsPending() / g.count();
            }
            double frac = (double) s.requestsPending / s.requestsKnown;
            out.add(new Finding("requests", "early exit in request handling", "", State.INFO,
                    Durations.percent(frac) + " pending",
                    "KVM requests pending at " + s.requestsPending + " of " + s.requestsKnown
                            + " exits (kvm_exit.requests); an early exit in request handling saves on the others",
                    s.requestsPending, overhead > 0 ? approx / overhead : Double.NaN, true));
        } else {
            out.add(new Finding("requests", "early exit in request handling", "", State.UNKNOWN, "not visible",
                    "kvm_exit.requests is absent (kernels before 6.x) or no kvm_exit events", 0, Double.NaN, false));
        }

        State ms = s.kvmModule == null ? State.UNKNOWN : s.kvmModule ? State.OFF : State.ON;
        String mt = s.kvmModule == null ? "unknown" : s.kvmModule ? "module" : "built in";
        long all = s.fine.exits();
        out.add(new Finding("kvm-module", "KVM built in", "", ms, mt, s.kvmModuleEvidence, s.kvmModule == null ? 0 : all,
                s.kvmModule == null || overhead == 0 ? Double.NaN : 1.0, true));

        if (s.fpuLoads + s.fpuUnloads > 0) {
            long runs = Math.max(1, s.fpuLoads);
            double perRun = (double) s.userspaceReturns / runs;
            long usExits = 0, usTime = 0;
            for (StatsSnapshot.Group g : s.fine.groups()) {
                if (g.key().exitClass() == ExitClass.USERSPACE && !g.blocking()) {
                    usExits += g.count();
                    usTime += g.totalNs();
                }
            }
            boolean perExit = s.exits > 0 && s.fpuLoads >= s.exits * 0.9 && s.fpuLoads > s.userspaceReturns * 1.5;
            out.add(new Finding("fpu", "lazy FPU switching", "", perExit ? State.OFF : State.ON,
                    perExit ? "per exit" : "per KVM_RUN",
                    s.fpuLoads + " kvm_fpu loads, " + s.fpuUnloads + " unloads for " + s.exits + " exits; "
                            + s.userspaceReturns + " returns to userspace (" + String.format("%.2f", perRun) + " per KVM_RUN)",
                    usExits, overhead > 0 ? (double) usTime / overhead : Double.NaN, true));
        }
        return out;
    }
}

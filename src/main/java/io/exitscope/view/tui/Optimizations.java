package io.exitscope.view.tui;

import io.exitscope.view.tui.feed.Side;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The optimizations screen's rows: each optimization's state as {@link OptimizationEvidence}
 * decided it, the exits it affects and their share of the measured exit time in one {@link Side}.
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
     * One optimization as the screen shows it: a row of the table and its evidence line.
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
    public record Row(String id, String name, String target, State state, String stateText, String evidence, long exits,
                      double share, boolean approx) {}

    /** @param baseline the compare screen's baseline, or null: another run whose evidence counts too */
    public static List<Row> detect(Side s, Side baseline) {
        OptimizationEvidence ev = baseline == null ? s.evidence() : s.evidence().withOtherRun(baseline.evidence(), "the baseline");
        List<Row> out = new ArrayList<>();
        long overhead = s.overheadNs();
        List<Row> io = new ArrayList<>();
        for (OptimizationEvidence.Notification a : ev.notifications()) {
            State st = switch (a.verdict()) {
                case USERSPACE -> State.OFF;
                case DATA_PORT -> State.INFO;
                case IOEVENTFD -> State.ON;
                case MIXED -> State.PARTIAL;
                case KERNEL_DEVICE -> State.INFO;
                case KERNEL_UNPROVEN -> State.UNKNOWN;
                case UNKNOWN -> State.UNKNOWN;
            };
            String text = "tid " + a.tid() + " (" + a.vm() + "): " + a.toUserspace() + "/" + a.total() + " writes reach userspace";
            if (a.userspaceMeasured() > 0) text += ", mean round trip " + Durations.format(a.meanUserspaceNs());
            if (a.inKernel() > 0) text += "; " + a.inKernel() + " stay in the kernel";
            if (a.seen().unknownClass() > 0) text = "tid " + a.tid() + " (" + a.vm() + "): " + a.seen().unknownClass() + " writes, "
                    + a.verdict().words;
            if (a.basis() != null) text += "; " + (a.verdict().ioeventfd ? "ioeventfd: " : "") + a.basis();
            double share = a.userspaceMeasured() > 0 && overhead > 0 ? (double) a.userspaceTimeNs() / overhead : Double.NaN;
            io.add(new Row("ioeventfd", "ioeventfd", a.address(), st, a.verdict().shortWords, text,
                    a.total(), share, false));
        }
        io.sort(Comparator.comparingDouble((Row f) -> Double.isNaN(f.share()) ? -1 : f.share()).reversed()
                .thenComparing(Comparator.comparingLong(Row::exits).reversed()));
        if (io.isEmpty()) {
            out.add(new Row("ioeventfd", "ioeventfd", "", State.UNKNOWN, "no evidence",
                    "no device notifications (pio/mmio writes with an address) seen", 0, Double.NaN, false));
        } else {
            out.addAll(io);
        }

        OptimizationEvidence.Requests rq = ev.requests();
        if (rq.visible()) {
            double approx = 0;
            for (StatsSnapshot.Group g : s.fine().groups()) {
                if (g.blocking() || g.count() == 0 || g.requestsPending() == 0) continue;
                approx += (double) g.totalNs() * g.requestsPending() / g.count();
            }
            out.add(new Row("requests", "early exit in request handling", "", State.INFO,
                    Durations.percent(rq.pendingFraction()) + " pending",
                    "KVM requests pending at " + rq.pending() + " of " + rq.known()
                            + " exits (kvm_exit.requests); an early exit in request handling saves on the others",
                    rq.pending(), overhead > 0 ? approx / overhead : Double.NaN, true));
        } else {
            out.add(new Row("requests", "early exit in request handling", "", State.UNKNOWN, "not visible",
                    "kvm_exit.requests is absent (kernels before 6.x) or no kvm_exit events", 0, Double.NaN, false));
        }

        Boolean module = ev.kvm().module();
        State ms = module == null ? State.UNKNOWN : module ? State.OFF : State.ON;
        String mt = module == null ? "unknown" : module ? "module" : "built in";
        long all = s.fine().exits();
        out.add(new Row("kvm-module", "KVM built in", "", ms, mt, ev.kvm().evidence(), module == null ? 0 : all,
                module == null || overhead == 0 ? Double.NaN : 1.0, true));

        OptimizationEvidence.Fpu fpu = ev.fpu();
        if (fpu.seen()) {
            long usExits = 0, usTime = 0;
            for (StatsSnapshot.Group g : s.fine().groups()) {
                if (g.key().exitClass() == ExitClass.USERSPACE && !g.blocking()) {
                    usExits += g.count();
                    usTime += g.totalNs();
                }
            }
            boolean perExit = fpu.perExit();
            out.add(new Row("fpu", "lazy FPU switching", "", perExit ? State.OFF : State.ON,
                    perExit ? "per exit" : "per KVM_RUN",
                    fpu.loads() + " kvm_fpu loads, " + fpu.unloads() + " unloads for " + fpu.exits() + " exits; "
                            + fpu.userspaceReturns() + " returns to userspace (" + String.format("%.2f", fpu.returnsPerRun()) + " per KVM_RUN)",
                    usExits, overhead > 0 ? (double) usTime / overhead : Double.NaN, true));
        }
        return out;
    }
}

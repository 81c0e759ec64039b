package io.exitscope.view.tui;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.Measure;
import io.exitscope.stats.GroupBy;
import io.exitscope.util.EnumSets;
import io.exitscope.stats.StatsSnapshot;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One immutable view of the statistics of a time span (the cumulative window, or the last
 * interval): counters, the finest snapshot (every screen aggregates from it), groupings made
 * ready for {@link io.exitscope.stats.Comparison}, and the optimization evidence. Built on the
 * thread that owns the analysis; read by the UI thread only.
 */
public final class Side {
    /** Every dimension: screens regroup and filter this without going back to the analysis. */

    public final String label;
    public final long events, exits, incomplete, lost, lostPages, orphans, fpuLoads, fpuUnloads, userspaceReturns;
    public final long requestsKnown, requestsPending;
    public final Map<Integer, Long> lostByCpu;
    public final long firstTs, lastTs;
    /** Span of this side in seconds (trace time in replay, wall time live): the rate denominator. */
    public final double seconds;
    public final Set<Measure> measures;
    public final Set<io.exitscope.exit.Arch> arches;
    /** Every key at the finest grain (reason, class, subkey, vCPU, VM): what screens and models regroup. */
    public final StatsSnapshot fine;
    /** What the data says about each optimization: the one verdict the screens, the model and the report share. */
    public final OptimizationEvidence evidence;
    private final Map<String, StatsSnapshot> grouped = new HashMap<>();
    /** Non-null when the result no longer changes: more groupings can be taken on any thread. */
    private final AnalysisResult frozen;

    private Side(String label, AnalysisResult r, double seconds, Collection<GroupBy> wanted, boolean frozen) {
        this.label = label;
        this.events = r.events();
        this.exits = r.exits();
        this.incomplete = r.incompleteExits();
        this.lost = r.lostEvents();
        this.lostPages = r.lostUnknownPages();
        this.orphans = r.orphanEntries();
        this.fpuLoads = r.fpuLoads();
        this.fpuUnloads = r.fpuUnloads();
        this.userspaceReturns = r.userspaceReturns();
        this.requestsKnown = r.requestsKnown();
        this.requestsPending = r.requestsPending();
        this.lostByCpu = java.util.Collections.unmodifiableMap(new TreeMap<>(r.lostByCpu())); // by CPU, as shown
        this.firstTs = r.firstTs();
        this.lastTs = r.lastTs();
        this.seconds = seconds;
        this.measures = EnumSets.frozenCopy(r.measures(), io.exitscope.exit.Measure.class);
        this.arches = EnumSets.frozenCopy(r.arches(), io.exitscope.exit.Arch.class);
        this.fine = r.stats().snapshot(GroupBy.FINE);
        for (GroupBy g : wanted) grouped.put(g.toString(), r.stats().snapshot(g));
        this.evidence = OptimizationEvidence.of(r);
        this.frozen = frozen ? r : null;
    }

    /**
     * Copies what the screens need out of a result. Call on the thread that feeds the result.
     *
     * @param frozen the result will not change any more (an interval that was taken, a finished file)
     */
    public static Side of(String label, AnalysisResult r, double seconds, Collection<GroupBy> wanted, boolean frozen) {
        return new Side(label, r, seconds, wanted, frozen);
    }

    /** The snapshot in a grouping, or null when it was not made ready and cannot be made here. */
    public synchronized StatsSnapshot grouped(GroupBy g) {
        StatsSnapshot s = grouped.get(g.toString());
        if (s == null && frozen != null) {
            s = frozen.stats().snapshot(g);
            grouped.put(g.toString(), s);
        }
        return s;
    }

    public boolean partial() {
        return lost > 0 || lostPages > 0;
    }

    /** Total measured time of non-blocking exits: the %TIME denominator. */
    public long overheadNs() {
        return fine.overheadNs(false);
    }

    /** Exits whose class the trace cannot tell (it has no kvm_userspace_exit). */
    public long unknownClassExits() {
        long n = 0;
        for (StatsSnapshot.Group g : fine.groups()) n += g.classCounts().getOrDefault(io.exitscope.exit.ExitClass.UNKNOWN, 0L);
        return n;
    }

    public String measureShort() {
        if (measures.contains(Measure.EXIT_TO_ENTRY)) return measures.size() > 1 ? "exit->entry+" : "exit->entry";
        if (measures.contains(Measure.USERSPACE_ROUND_TRIP)) return "userspace round trip";
        if (measures.contains(Measure.COUNT_ONLY)) return "counts only";
        return "-";
    }
}

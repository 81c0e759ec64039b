package io.exitscope.view.tui.feed;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.Measure;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The statistics of one time span (the cumulative window, or the last interval) as the screens
 * read them: the analysis' result, a value kept as it is, with its span and what the screens
 * derive from it once: the finest snapshot (every screen aggregates from it), groupings made
 * ready for {@link io.exitscope.stats.Comparison}, and the optimization evidence. Built on the
 * thread that owns the analysis; read by the UI thread.
 */
public final class Side {
    private final String label;
    private final AnalysisResult result;
    private final double seconds;
    private final StatsSnapshot fine;
    private final OptimizationEvidence evidence;
    private final Map<String, StatsSnapshot> grouped = new HashMap<>();
    /** More groupings may be taken on the UI thread (an interval that was taken, a finished file). */
    private final boolean frozen;

    private Side(String label, AnalysisResult r, double seconds, Collection<GroupBy> wanted, boolean frozen) {
        this.label = label;
        this.result = r;
        this.seconds = seconds;
        this.fine = r.stats().snapshot(GroupBy.FINE);
        for (GroupBy g : wanted) grouped.put(g.toString(), r.stats().snapshot(g));
        this.evidence = OptimizationEvidence.of(r);
        this.frozen = frozen;
    }

    /**
     * The screens' view of a result, with the groupings they will want made ready. Call on the
     * thread that feeds the result.
     *
     * @param frozen the span is closed (an interval that was taken, a finished file): other
     *               groupings may be taken later on the UI thread; else the feed makes them ready
     */
    public static Side of(String label, AnalysisResult r, double seconds, Collection<GroupBy> wanted, boolean frozen) {
        return new Side(label, r, seconds, wanted, frozen);
    }

    /** {@code cumulative}, {@code interval} or {@code baseline}. */
    public String label() {
        return label;
    }

    /** The counters and statistics of the span, as the analysis made them. */
    public AnalysisResult result() {
        return result;
    }

    /** Span in seconds (trace time in replay, wall time live): the rate denominator. */
    public double seconds() {
        return seconds;
    }

    /** Every key at the finest grain (reason, class, subkey, vCPU, VM): what screens and models regroup. */
    public StatsSnapshot fine() {
        return fine;
    }

    /** What the data says about each optimization: the one verdict the screens, the model and the report share. */
    public OptimizationEvidence evidence() {
        return evidence;
    }

    public long events() {
        return result.events();
    }

    public long exits() {
        return result.exits();
    }

    /** The snapshot in a grouping, or null when it was not made ready and cannot be made here. */
    public synchronized StatsSnapshot grouped(GroupBy g) {
        StatsSnapshot s = grouped.get(g.toString());
        if (s == null && frozen) {
            s = result.stats().snapshot(g);
            grouped.put(g.toString(), s);
        }
        return s;
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
        Set<Measure> measures = result.measures();
        if (measures.contains(Measure.EXIT_TO_ENTRY)) return measures.size() > 1 ? "exit->entry+" : "exit->entry";
        if (measures.contains(Measure.USERSPACE_ROUND_TRIP)) return "userspace round trip";
        if (measures.contains(Measure.COUNT_ONLY)) return "counts only";
        return "-";
    }
}

package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.ExitClass;
import io.exitscope.stats.GroupBy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which switch moves what most: each switch flipped alone from a base set (normally the recorded
 * one), projected, compared key by key. This is the API the TUI's Optimizations screen uses; the
 * cost is one projection per switch (linear in exits), so cache the result per snapshot.
 */
public final class SwitchShifts {
    private SwitchShifts() {}

    /** Per switch, per key that changes: the shift. */
    public static List<SwitchShift> of(AnalysisResult r, ExitPathModel model, SwitchSet base) {
        return of(r, model, base, GroupBy.parse("subkey"), 1);
    }

    /** As {@link #of(AnalysisResult, ExitPathModel, SwitchSet)}, with the base set detected from the trace. */
    public static List<SwitchShift> of(AnalysisResult r, ExitPathModel model) {
        return of(r, model, new SwitchDetector(model).detect(r, null, List.of(), true).switches());
    }

    public static List<SwitchShift> of(AnalysisResult r, ExitPathModel model, SwitchSet base, GroupBy by, long seed) {
        return of(ModelInput.of(r), model, base, by, seed);
    }

    /** From a snapshot instead of a result (see {@link ModelInput#of(io.exitscope.stats.StatsSnapshot, java.util.Set, io.exitscope.evidence.OptimizationEvidence)}). */
    public static List<SwitchShift> of(ModelInput r, ExitPathModel model, SwitchSet base, GroupBy by, long seed) {
        List<SwitchShift> out = new ArrayList<>();
        for (Switch s : Switch.values()) out.addAll(shifts(Projection.run(r, model, base, base.flip(s), by, seed), s, base));
        return List.copyOf(out);
    }

    /** The shifts of one projection whose target differs from the base in switch {@code s}. */
    static List<SwitchShift> shifts(ProjectionResult p, Switch s, SwitchSet base) {
        List<SwitchShift> out = new ArrayList<>();
        for (KeyProjection k : p.keys()) {
            long rt = k.roundTripDeltaNs();
            boolean timed = k.measured().measured() > 0;
            long mTotal = k.measured().totalNs(), pTotal = timed ? k.projectedTotalNs() : 0;
            // the class mix, not the dominant class: a 4000/4000 group would otherwise "move" on a tie
            boolean classMoved = !nonZero(k.projectedClasses()).equals(nonZero(k.measured().classCounts()));
            if (pTotal == mTotal && rt == 0 && !classMoved) continue;
            out.add(new SwitchShift(s, base.on(s), !base.on(s), k.key(), k.measured().count(), k.measured().dominantClass(),
                    k.measured().mixedClass(), k.projectedClass(), classMoved, k.measured().percentile(50), timed ? k.projectedPercentile(50) : 0, k.measured().percentile(99),
                    timed ? k.projectedPercentile(99) : 0, mTotal, pTotal, rt));
        }
        return out;
    }

    private static Map<ExitClass, Long> nonZero(Map<ExitClass, Long> m) {
        Map<ExitClass, Long> out = new EnumMap<>(ExitClass.class);
        m.forEach((c, n) -> {
            if (n != 0) out.put(c, n);
        });
        return out;
    }

    /** Groups shifts by switch and ranks the switches; blocking keys do not count in the totals. */
    public static List<SwitchRanking> rank(List<SwitchShift> shifts, long measuredOverheadNs) {
        List<SwitchRanking> out = new ArrayList<>();
        for (Switch s : Switch.values()) {
            List<SwitchShift> mine = new ArrayList<>();
            long delta = 0, rt = 0;
            boolean from = false, to = true;
            for (SwitchShift x : shifts) {
                if (x.sw() != s) continue;
                mine.add(x);
                from = x.from();
                to = x.to();
                if (!x.key().blocking()) {
                    delta += x.deltaTotalNs();
                    rt += x.roundTripDeltaNs();
                }
            }
            if (mine.isEmpty()) continue;
            mine.sort(Comparator.comparingLong((SwitchShift x) -> Math.abs(x.deltaTotalNs())).reversed()
                    .thenComparing(Comparator.comparingLong((SwitchShift x) -> Math.abs(x.roundTripDeltaNs())).reversed()));
            out.add(new SwitchRanking(s, from, to, delta, measuredOverheadNs == 0 ? 0 : (double) delta / measuredOverheadNs, rt, List.copyOf(mine)));
        }
        out.sort(Comparator.comparingLong((SwitchRanking x) -> Math.abs(x.deltaTotalNs())).reversed()
                .thenComparing(Comparator.comparingLong((SwitchRanking x) -> Math.abs(x.roundTripDeltaNs())).reversed()));
        return out;
    }
}

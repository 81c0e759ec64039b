package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.stats.GroupBy;

import java.util.List;

/**
 * One {@code exitscope model} run: the trace's analysis, the recorded set found, the target set,
 * the projection onto it and the per-switch ranking. What the report formats print.
 */
public record ModelRun(AnalysisResult analysis, String configOrigin, RecordedSwitches recorded, SwitchSet target, String targetProfile,
                       ProjectionResult projection, List<SwitchRanking> ranking) {

    /** Detects, projects and ranks. */
    public static ModelRun of(AnalysisResult r, ExitPathModel model, RecordedSwitches recorded, SwitchSet target, GroupBy by, long seed) {
        ProjectionResult p = Projection.run(r, model, recorded.switches(), target, by, seed);
        List<SwitchShift> shifts = SwitchShifts.of(r, model, recorded.switches(), by, seed);
        List<SwitchRanking> ranking = SwitchShifts.rank(shifts, p.measuredTotalNs());
        return new ModelRun(r, model.config().origin(), recorded, target, model.config().profileNamed(target), p, ranking);
    }
}

package io.exitscope.model;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.Arch;
import io.exitscope.exit.Measure;
import io.exitscope.exit.decode.S390Tables;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.EnumSets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * What the model reads of an analysis: the finest statistics groups (reason, class, subkey, vCPU,
 * VM) and a few facts. Built from an {@link AnalysisResult}, or from a snapshot a view already
 * holds (the TUI keeps the finest snapshot, not the result).
 *
 * @param evidence     what the trace says about the optimizations (the recorded ioeventfd and kvm-builtin switches)
 * @param fileSwitches the {@code switches=} a simulated file declares, or null
 */
public record ModelInput(List<StatsSnapshot.Group> fine, Set<Arch> arches, Set<Measure> measures, OptimizationEvidence evidence,
                         String fileSwitches) {


    public ModelInput {
        fine = List.copyOf(fine);
        // enum order, not Set.copyOf's per-run order: the JSON lists the measures
        arches = EnumSets.frozenCopy(arches, Arch.class);
        measures = EnumSets.frozenCopy(measures, Measure.class);
    }

    public static ModelInput of(AnalysisResult r) {
        return new ModelInput(new ArrayList<>(r.stats().fineGroups()), r.arches(), r.measures(), OptimizationEvidence.of(r),
                declaredByFile(r.sources()));
    }

    /**
     * From a snapshot grouped by every dimension ({@link GroupBy#FINE}); the architecture is told by the
     * reasons (s390 intercept names).
     */
    public static ModelInput of(StatsSnapshot fineSnapshot, Set<Measure> measures, OptimizationEvidence evidence) {
        boolean s390 = false;
        Collection<String> s390Reasons = S390Tables.table().section("intercept").values();
        for (StatsSnapshot.Group g : fineSnapshot.groups()) if (s390Reasons.contains(g.key().reason())) s390 = true;
        return new ModelInput(fineSnapshot.groups(), s390 ? Set.of(Arch.S390) : Set.of(Arch.UNKNOWN), measures, evidence, null);
    }

    public boolean s390() {
        return arches.contains(Arch.S390);
    }

    /** The {@code switches=...} a simulated file says it was made with, or null. */
    static String declaredByFile(List<TraceInfo> sources) {
        for (TraceInfo i : sources) {
            if (i.syntheticNote() == null) continue;
            for (String word : i.syntheticNote().split("\\s+")) if (word.startsWith("switches=")) return word.substring("switches=".length());
        }
        return null;
    }

    /** The fine groups merged under a grouping, ordered like {@link StatsSnapshot#groups()}. */
    public List<StatsSnapshot.Group> grouped(GroupBy by) {
        return StatsSnapshot.regroup(fine, by, k -> true);
    }
}

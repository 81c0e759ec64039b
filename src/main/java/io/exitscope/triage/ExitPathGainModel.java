package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.KeyProjection;
import io.exitscope.model.Projection;
import io.exitscope.model.ProjectionResult;
import io.exitscope.model.Switch;
import io.exitscope.model.SwitchDetector;
import io.exitscope.model.SwitchSet;
import io.exitscope.stats.GroupBy;

import java.util.List;
import java.util.OptionalLong;

/**
 * The exit-path model's answer to "what would this notification cost in the kernel": the
 * projected p50 of the address's exits with ioeventfd switched on, exactly what {@code exitscope
 * model} shows for that key under the ioeventfd switch (the same recorded set, grouping and seed;
 * the stage model on s390, {@code x86.ioeventfd_kernel} of the config elsewhere). One figure for
 * one question across the two commands. Only that one switch is projected, once per result.
 */
public final class ExitPathGainModel implements GainModel {
    /** What {@code model} groups and seeds by default. */
    private static final GroupBy BY = GroupBy.parse("subkey");
    private static final long SEED = 1;

    private final ExitPathModel model;
    private AnalysisResult projectedFor; // the result the projection below belongs to
    private ProjectionResult projection; // null when ioeventfd was on already

    public ExitPathGainModel(ExitPathModel model) {
        this.model = model;
    }

    @Override
    public OptionalLong kernelNotifyNs(Arch arch, String reason, String address, long measuredNs, AnalysisResult result) {
        if (result != projectedFor) {
            SwitchSet recorded = new SwitchDetector(model).detect(result, null, List.of(), true).switches();
            projection = recorded.on(Switch.IOEVENTFD) ? null
                    : Projection.run(result, model, recorded, recorded.with(Switch.IOEVENTFD, true), BY, SEED);
            projectedFor = result;
        }
        if (projection == null) return OptionalLong.empty();
        for (KeyProjection k : projection.keys()) {
            if (k.projectedClass() == ExitClass.KERNEL && address.equals(k.key().subkey()) && reason.equals(k.key().reason())
                    && k.projectedPercentile(50) > 0) {
                return OptionalLong.of(k.projectedPercentile(50));
            }
        }
        return OptionalLong.empty();
    }
}

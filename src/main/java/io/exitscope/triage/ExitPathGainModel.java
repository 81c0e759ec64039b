package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.Arch;
import io.exitscope.exit.ExitClass;
import io.exitscope.model.ExitPathModel;
import io.exitscope.model.Switch;
import io.exitscope.model.SwitchShift;
import io.exitscope.model.SwitchShifts;

import java.util.List;
import java.util.OptionalLong;

/**
 * The exit-path model's answer to "what would this notification cost in the kernel": the
 * projected p50 of the address's exits with ioeventfd switched on, exactly what {@code exitscope
 * model} shows for that key (the stage model on s390, {@code x86.ioeventfd_kernel} of the config
 * elsewhere). One figure for one question across the two commands.
 */
public final class ExitPathGainModel implements GainModel {
    private final ExitPathModel model;
    private AnalysisResult shiftsOf; // the result the cached shifts belong to
    private List<SwitchShift> shifts;

    public ExitPathGainModel(ExitPathModel model) {
        this.model = model;
    }

    @Override
    public OptionalLong kernelNotifyNs(Arch arch, String reason, String address, long measuredNs, AnalysisResult result) {
        if (result != shiftsOf) {
            shifts = SwitchShifts.of(result, model);
            shiftsOf = result;
        }
        for (SwitchShift s : shifts) {
            if (s.sw() == Switch.IOEVENTFD && !s.from() && s.to() && s.projectedClass() == ExitClass.KERNEL
                    && address.equals(s.key().subkey()) && reason.equals(s.key().reason()) && s.projectedP50Ns() > 0) {
                return OptionalLong.of(s.projectedP50Ns());
            }
        }
        return OptionalLong.empty();
    }
}

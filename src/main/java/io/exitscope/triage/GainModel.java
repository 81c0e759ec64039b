package io.exitscope.triage;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.exit.Arch;

import java.util.OptionalLong;

/**
 * Projects what an optimization would save. Triage asks it for the cost a notification would
 * have if it were handled in the kernel (ioeventfd), when the trace itself does not show that
 * cost. {@code exitscope triage} passes {@link ExitPathGainModel} (the exit-path model, so that
 * triage and {@code exitscope model} give one figure); {@link #MEASURED} has no model.
 */
public interface GainModel {

    /**
     * DIAG 0x500 with ioeventfd on s390, ≈410 ns (KVM Forum 2016, Borntraeger: ≈1400 ns without
     * ioeventfd → ≈410 ns with it). No published x86 figure is in the project's references, so the
     * same number is the default on every architecture; {@code triage --notify-cost} overrides it.
     */
    long DEFAULT_KERNEL_NOTIFY_NS = 410;

    /**
     * The projected latency of one notification to {@code address} if an ioeventfd handled it in
     * the kernel, ns; empty to fall back to the measured figures and then the default.
     *
     * @param arch       the architecture of the exits (UNKNOWN in child-event mode)
     * @param reason     the exit reason of the notifications ({@code IO_INSTRUCTION}, {@code PIO}, {@code DIAG} ...)
     * @param address    the subkey, e.g. {@code port 0x500 out}
     * @param measuredNs mean measured latency of the notifications that reached userspace
     */
    default OptionalLong kernelNotifyNs(Arch arch, String reason, String address, long measuredNs, AnalysisResult result) {
        return OptionalLong.empty();
    }

    /** The projected share of exit time saved by building KVM into the kernel; empty when unknown. */
    default java.util.OptionalDouble builtInSaving(AnalysisResult result) {
        return java.util.OptionalDouble.empty();
    }

    /** No model: measured figures, then {@link #DEFAULT_KERNEL_NOTIFY_NS}. */
    GainModel MEASURED = new GainModel() {};
}

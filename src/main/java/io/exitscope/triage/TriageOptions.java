package io.exitscope.triage;

/**
 * Knobs of the triage rules.
 *
 * @param notifyKernelNs kernel-handled cost of one notification for the ioeventfd projection, ns;
 *                       -1 = measured in the trace where possible, else the model, else the default
 * @param gainModel      projections the trace cannot measure (the s390 exit-path model plugs in here)
 */
public record TriageOptions(long notifyKernelNs, GainModel gainModel) {
    public static final TriageOptions DEFAULT = new TriageOptions(-1, GainModel.MEASURED);
}

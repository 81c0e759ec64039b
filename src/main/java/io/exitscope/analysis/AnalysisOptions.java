package io.exitscope.analysis;

/**
 * Which exits an analysis keeps.
 *
 * @param fromNs window start relative to the first event, ns (or Long.MIN_VALUE)
 * @param toNs   window end relative to the first event, ns (or Long.MAX_VALUE)
 * @param tid    only this vCPU thread (or -1)
 * @param vcpu   only this vCPU id (or -1)
 * @param vm     only this VM label (or null)
 */
public record AnalysisOptions(long fromNs, long toNs, int tid, int vcpu, String vm) {
    public static final AnalysisOptions ALL = new AnalysisOptions(Long.MIN_VALUE, Long.MAX_VALUE, -1, -1, null);

    public AnalysisOptions withTid(int t) {
        return new AnalysisOptions(fromNs, toNs, t, vcpu, vm);
    }
}

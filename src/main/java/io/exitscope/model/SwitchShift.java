package io.exitscope.model;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.util.Durations;

/**
 * What flipping one switch does to one key: measured beside projected. Times in ns.
 *
 * @param measuredClass    the class most measured exits have (of equal counts, the first in
 *                         {@link ExitClass} order)
 * @param measuredMixed    the measured exits are of several classes
 * @param classMoved       the projection changes how many exits are of which class
 * @param roundTripDeltaNs change of the modelled round trip summed over the key's exits (s390;
 *                         0 elsewhere): switches acting on hidden stages show up only here
 */
public record SwitchShift(Switch sw, boolean from, boolean to, ExitKey key, long count, ExitClass measuredClass,
                          boolean measuredMixed, ExitClass projectedClass, boolean classMoved, long measuredP50Ns, long projectedP50Ns, long measuredP99Ns, long projectedP99Ns,
                          long measuredTotalNs, long projectedTotalNs, long roundTripDeltaNs) {

    /** {@code mixed}, or the measured class's label. */
    public String measuredClassLabel() {
        return measuredMixed ? "mixed" : measuredClass == null ? "-" : measuredClass.label;
    }

    public long deltaTotalNs() {
        return projectedTotalNs - measuredTotalNs;
    }

    public long deltaP50Ns() {
        return projectedP50Ns - measuredP50Ns;
    }

    /** One line for a screen, e.g. {@code p50 1.40us->410ns (-71%), userspace->kernel}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (measuredP50Ns > 0 || projectedP50Ns > 0) {
            sb.append("p50 ").append(Durations.format(measuredP50Ns)).append("->").append(Durations.format(projectedP50Ns));
            if (measuredP50Ns > 0) sb.append(String.format(" (%+.0f%%)", 100.0 * deltaP50Ns() / measuredP50Ns));
        }
        if (classMoved && projectedClass != null) {
            sb.append(sb.length() > 0 ? ", " : "").append(measuredClassLabel()).append("->").append(projectedClass.label);
        }
        if (deltaTotalNs() == 0 && roundTripDeltaNs != 0) {
            sb.append(sb.length() > 0 ? ", " : "").append("exit latency unchanged, round trip ")
                    .append(roundTripDeltaNs < 0 ? "-" : "+").append(Durations.format(Math.abs(roundTripDeltaNs) / Math.max(1, count))).append("/exit");
        }
        return sb.toString();
    }
}

package io.exitscope.model;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;

/**
 * What flipping one switch does to one key: measured beside projected. Times in ns.
 *
 * @param roundTripDeltaNs change of the modelled round trip summed over the key's exits (s390;
 *                         0 elsewhere): switches acting on hidden stages show up only here
 */
public record SwitchShift(Switch sw, boolean from, boolean to, ExitKey key, long count, ExitClass measuredClass,
                          ExitClass projectedClass, long measuredP50Ns, long projectedP50Ns, long measuredP99Ns, long projectedP99Ns,
                          long measuredTotalNs, long projectedTotalNs, long roundTripDeltaNs) {

    public long deltaTotalNs() {
        return projectedTotalNs - measuredTotalNs;
    }

    public long deltaP50Ns() {
        return projectedP50Ns - measuredP50Ns;
    }
}

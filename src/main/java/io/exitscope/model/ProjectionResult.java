package io.exitscope.model;

import io.exitscope.stats.GroupBy;

import java.util.List;

/**
 * A whole projection: per key, measured beside projected; what the model projected on this
 * architecture and what it left alone.
 */
public record ProjectionResult(String arch, SwitchSet recorded, SwitchSet target, GroupBy groupBy, List<KeyProjection> keys,
                               List<String> projected, List<String> notProjected) {

    /** Measured time of non-blocking exits. */
    public long measuredTotalNs() {
        long s = 0;
        for (KeyProjection k : keys) if (!k.measured().blocking()) s += k.measured().totalNs();
        return s;
    }

    public long projectedTotalNs() {
        long s = 0;
        for (KeyProjection k : keys) if (!k.measured().blocking()) s += k.projectedTotalNs();
        return s;
    }

    /** Modelled round trip totals (exit latency plus hidden stages), s390 only. */
    public long roundTripDeltaNs() {
        long s = 0;
        for (KeyProjection k : keys) if (!k.measured().blocking()) s += k.roundTripDeltaNs();
        return s;
    }
}

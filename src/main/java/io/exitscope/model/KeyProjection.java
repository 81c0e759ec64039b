package io.exitscope.model;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * One key of a projection: the measured group and where its exits go under the target switch
 * set. Histograms are in ns; the round-trip ones (s390 only, else null) add the model's hidden
 * stages to each exit latency.
 *
 * @param projectedTotalNs the measured total plus the projection's change (so an unchanged key keeps its total exactly)
 * @param roundTripDeltaNs change of the modelled round trip summed over the exits (s390; else 0)
 * @param modelled false when the model left these exits as measured
 */
public record KeyProjection(ExitKey key, StatsSnapshot.Group measured, Histogram projected, long projectedTotalNs,
                            Map<ExitClass, Long> projectedClasses, Histogram measuredRoundTrip, Histogram projectedRoundTrip,
                            long roundTripDeltaNs, List<StageShare> stages, boolean modelled) {

    public long projectedPercentile(double p) {
        return projected.getTotalCount() == 0 ? 0 : projected.getValueAtPercentile(p);
    }

    public long projectedMax() {
        return projected.getTotalCount() == 0 ? 0 : projected.getMaxValue();
    }

    /** {@code mixed} when the projected exits are of several classes, else the class's label. */
    public String projectedClassLabel() {
        long classes = projectedClasses.values().stream().filter(n -> n != 0).count();
        ExitClass c = projectedClass();
        return classes > 1 ? "mixed" : c == null ? "-" : c.label;
    }

    /** The class most projected exits have (of equal counts, the first in {@link ExitClass} order). */
    public ExitClass projectedClass() {
        ExitClass best = null;
        long n = -1;
        for (Map.Entry<ExitClass, Long> e : projectedClasses.entrySet()) {
            if (e.getValue() > n) {
                n = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }
}

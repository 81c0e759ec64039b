package io.exitscope.analysis;

import io.exitscope.exit.Arch;
import io.exitscope.exit.Measure;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.NotificationEvidence;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one analysis of one or more traces produced: statistics, counters, evidence.
 *
 * @param truncatedAtStart threads (and resumptions after a loss) whose trace began inside an exit: counted once, never as exits
 * @param kvmModule true module, false built in, null unknown (no kallsyms / no KVM symbols)
 */
public record AnalysisResult(
        List<TraceInfo> sources,
        ExitStats stats,
        NotificationEvidence notifications,
        long events,
        long exits,
        long incompleteExits,
        Map<String, Long> incompleteByReason,
        long lostEvents,
        long lostUnknownPages,
        Map<Integer, Long> lostByCpu,
        long orphanEntries,
        long truncatedAtStart,
        long fpuLoads,
        long fpuUnloads,
        long userspaceReturns,
        long requestsKnown,
        long requestsPending,
        Set<Measure> measures,
        Set<Arch> arches,
        Boolean kvmModule,
        String kvmModuleEvidence,
        long firstTs,
        long lastTs) {

    public String sourceLabel() {
        StringBuilder sb = new StringBuilder();
        for (TraceInfo i : sources) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(i.path());
        }
        return sb.toString();
    }

    public boolean synthetic() {
        return sources.stream().anyMatch(TraceInfo::synthetic);
    }

    /** Lost events make every figure a lower bound. */
    public boolean partial() {
        return lostEvents > 0 || lostUnknownPages > 0;
    }

    public double durationSeconds() {
        return lastTs > firstTs ? (lastTs - firstTs) / 1e9 : 0;
    }
}

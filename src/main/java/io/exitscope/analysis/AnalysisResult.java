package io.exitscope.analysis;

import io.exitscope.exit.Arch;
import io.exitscope.exit.Measure;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.FrozenStats;
import io.exitscope.stats.NotificationEvidence;
import io.exitscope.util.EnumSets;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one analysis of one or more traces (or one live interval) produced: statistics that
 * no longer change, the counters, the evidence. A value: nothing in it changes after it is made,
 * so views keep it as it is and read it on any thread.
 *
 * @param notifications handed over by the analysis, which records no more into it
 * @param kvmModule     true module, false built in, null unknown (no kallsyms / no KVM symbols)
 */
public record AnalysisResult(
        List<TraceInfo> sources,
        FrozenStats stats,
        NotificationEvidence notifications,
        ExitCounters counters,
        Set<Measure> measures,
        Set<Arch> arches,
        Boolean kvmModule,
        String kvmModuleEvidence,
        long firstTs,
        long lastTs) {

    public AnalysisResult {
        sources = List.copyOf(sources);
        measures = EnumSets.frozenCopy(measures, Measure.class);
        arches = EnumSets.frozenCopy(arches, Arch.class);
    }

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
        return lostEvents() > 0 || lostUnknownPages() > 0;
    }

    public double durationSeconds() {
        return lastTs > firstTs ? (lastTs - firstTs) / 1e9 : 0;
    }

    public long events() {
        return counters.events();
    }

    public long exits() {
        return counters.exits();
    }

    public long incompleteExits() {
        return counters.incompleteExits();
    }

    public Map<String, Long> incompleteByReason() {
        return counters.incompleteByReason();
    }

    public long lostEvents() {
        return counters.lostEvents();
    }

    public long lostUnknownPages() {
        return counters.lostUnknownPages();
    }

    public Map<Integer, Long> lostByCpu() {
        return counters.lostByCpu();
    }

    public long orphanEntries() {
        return counters.orphanEntries();
    }

    /** vCPU threads whose trace (or whose data after a loss) began inside an exit. */
    public long damagedLines() {
        return counters.damagedLines();
    }

    public long firstDamagedLine() {
        return counters.firstDamagedLine();
    }

    public long truncatedAtStart() {
        return counters.truncatedAtStart();
    }

    public long fpuLoads() {
        return counters.fpuLoads();
    }

    public long fpuUnloads() {
        return counters.fpuUnloads();
    }

    public long userspaceReturns() {
        return counters.userspaceReturns();
    }

    public long requestsKnown() {
        return counters.requestsKnown();
    }

    public long requestsPending() {
        return counters.requestsPending();
    }
}

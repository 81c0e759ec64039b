package io.exitscope.analysis;

import io.exitscope.event.Event;
import io.exitscope.exit.ExitAssembler;
import io.exitscope.exit.ExitRecord;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.NotificationEvidence;
import io.exitscope.util.EnumSets;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live pipeline's state: one assembler, the statistics of the current interval, and those
 * of the intervals before it. Each exit is recorded once, into its interval; an interval joins
 * the closed ones when it is taken, and the cumulative view is the two added up (statistics add
 * exactly). Single-threaded: the thread that reads events also takes the snapshots.
 */
public final class LiveAnalysis {
    private final TraceInfo info;
    private final AnalysisOptions opt;
    private final ExitAssembler asm;
    private final ExitStats closed = new ExitStats();
    private final NotificationEvidence closedNotes = new NotificationEvidence();
    private ExitStats interval = new ExitStats();
    private NotificationEvidence intervalNotes = new NotificationEvidence();
    private final Boolean kvmModule;
    private final String kvmModuleEvidence;
    private long reqKnown, reqPending, ivReqKnown, ivReqPending;
    private long ivEvents0, ivExits0, ivIncomplete0, ivLost0, ivFpuL0, ivFpuU0, ivUs0, ivLostPages0, ivOrphans0;
    private long intervalStartTs = Long.MIN_VALUE, lastTs = Long.MIN_VALUE, firstTs = Long.MIN_VALUE;
    private java.util.function.Consumer<ExitRecord> exitListener;

    public LiveAnalysis(TraceInfo info, AnalysisOptions opt, Boolean kvmModule, String kvmModuleEvidence) {
        this.info = info;
        this.opt = opt;
        this.kvmModule = kvmModule;
        this.kvmModuleEvidence = kvmModuleEvidence;
        this.asm = new ExitAssembler(this::onExit, e -> {
            String c = e.comm();
            return c == null || c.equals("<...>") ? "pid " + e.pid() : c;
        });
    }

    private void onExit(ExitRecord r) {
        if (opt.tid() >= 0 && r.tid() != opt.tid()) return;
        if (opt.vcpu() >= 0 && r.vcpu() != opt.vcpu()) return;
        if (opt.vm() != null && !opt.vm().equals(r.vm())) return;
        interval.accept(r);
        intervalNotes.accept(r);
        if (exitListener != null) exitListener.accept(r);
        if (r.requests() >= 0) {
            reqKnown++;
            ivReqKnown++;
            if (r.requests() != 0) {
                reqPending++;
                ivReqPending++;
            }
        }
    }

    public void accept(Event e) {
        asm.accept(e);
        if (e.kind() == Event.Kind.EVENT) {
            long ts = e.timestamp();
            if (firstTs == Long.MIN_VALUE) firstTs = ts;
            if (intervalStartTs == Long.MIN_VALUE) intervalStartTs = ts;
            lastTs = ts;
        }
    }

    /** Also hands every exit kept (after the tid/vCPU/VM options) to {@code l}, e.g. a heatmap. */
    public void exitListener(java.util.function.Consumer<ExitRecord> l) {
        this.exitListener = l;
    }

    /** The trace clock time of the newest event (or MIN_VALUE before the first). */
    public long lastTimestamp() {
        return lastTs;
    }

    /** Everything since the start: a new copy (the closed intervals plus the current one). */
    public AnalysisResult cumulative() {
        ExitStats cumulative = new ExitStats();
        cumulative.add(closed);
        cumulative.add(interval);
        NotificationEvidence cumulativeNotes = new NotificationEvidence();
        cumulativeNotes.add(closedNotes);
        cumulativeNotes.add(intervalNotes);
        return new AnalysisResult(List.of(info), cumulative, cumulativeNotes, asm.events(), asm.exits(), asm.incomplete(),
                asm.incompleteByReason(), asm.lostEvents(), asm.lostUnknownPages(), asm.lostByCpu(), asm.orphanEntries(), asm.fpuLoads(), asm.fpuUnloads(),
                asm.userspaceReturns(), reqKnown, reqPending, EnumSets.copy(asm.measures(), io.exitscope.exit.Measure.class),
                EnumSets.copy(asm.arches(), io.exitscope.exit.Arch.class),
                kvmModule, kvmModuleEvidence, firstTs == Long.MIN_VALUE ? 0 : firstTs, lastTs == Long.MIN_VALUE ? 0 : lastTs);
    }

    /**
     * The interval since the previous call, as a result of its own; starts the next interval.
     *
     * @param endTs trace-clock end of the interval
     */
    public AnalysisResult takeInterval(long endTs) {
        Map<Integer, Long> lostNow = new TreeMap<>(asm.lostByCpu());
        long lost = asm.lostEvents() - ivLost0;
        AnalysisResult r = new AnalysisResult(List.of(info), interval, intervalNotes, asm.events() - ivEvents0, asm.exits() - ivExits0,
                asm.incomplete() - ivIncomplete0, since(asm.incompleteByReason(), ivIncompleteByReason0), lost, asm.lostUnknownPages() - ivLostPages0, lostNow,
                asm.orphanEntries() - ivOrphans0, asm.fpuLoads() - ivFpuL0, asm.fpuUnloads() - ivFpuU0,
                asm.userspaceReturns() - ivUs0, ivReqKnown, ivReqPending, EnumSets.copy(asm.measures(), io.exitscope.exit.Measure.class),
                EnumSets.copy(asm.arches(), io.exitscope.exit.Arch.class),
                kvmModule, kvmModuleEvidence, intervalStartTs == Long.MIN_VALUE ? endTs : intervalStartTs, endTs);
        ivEvents0 = asm.events();
        ivExits0 = asm.exits();
        ivIncomplete0 = asm.incomplete();
        ivIncompleteByReason0 = asm.incompleteByReason();
        ivLost0 = asm.lostEvents();
        ivLostPages0 = asm.lostUnknownPages();
        ivOrphans0 = asm.orphanEntries();
        ivFpuL0 = asm.fpuLoads();
        ivFpuU0 = asm.fpuUnloads();
        ivUs0 = asm.userspaceReturns();
        ivReqKnown = ivReqPending = 0;
        closed.add(interval);
        closedNotes.add(intervalNotes);
        interval = new ExitStats();
        intervalNotes = new NotificationEvidence();
        intervalStartTs = endTs;
        return r;
    }

    private Map<String, Long> ivIncompleteByReason0 = Map.of();

    /** Counts now minus counts at the start of the interval, without the zeros. */
    private static Map<String, Long> since(Map<String, Long> now, Map<String, Long> start) {
        Map<String, Long> d = new TreeMap<>();
        now.forEach((k, n) -> {
            long x = n - start.getOrDefault(k, 0L);
            if (x != 0) d.put(k, x);
        });
        return d;
    }

    /** The end of the trace: open exits become incomplete. */
    public void finish() {
        asm.finish();
    }
}

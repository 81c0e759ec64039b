package io.exitscope.analysis;

import io.exitscope.event.Event;
import io.exitscope.exit.ExitAssembler;
import io.exitscope.exit.VmName;
import io.exitscope.exit.ExitRecord;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.FrozenStats;
import io.exitscope.stats.NotificationEvidence;

import java.util.List;

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
    private long reqKnown, reqPending;
    /** The counters when the current interval began. */
    private ExitCounters intervalStart = ExitCounters.ZERO;
    private long intervalStartTs = Long.MIN_VALUE, lastTs = Long.MIN_VALUE, firstTs = Long.MIN_VALUE;
    private java.util.function.Consumer<ExitRecord> exitListener;

    /** @param userspaceExitsRecorded the source records kvm_userspace_exit ({@code TraceSource.recordsUserspaceExits}) */
    public LiveAnalysis(TraceInfo info, AnalysisOptions opt, Boolean kvmModule, String kvmModuleEvidence, boolean userspaceExitsRecorded) {
        this.info = info;
        this.opt = opt;
        this.kvmModule = kvmModule;
        this.kvmModuleEvidence = kvmModuleEvidence;
        this.asm = new ExitAssembler(this::onExit, VmName::of, userspaceExitsRecorded);
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
            if (r.requests() != 0) reqPending++;
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

    private ExitCounters counters() {
        return ExitCounters.of(asm, reqKnown, reqPending);
    }

    /** Everything since the start: the closed intervals plus the current one. */
    public AnalysisResult cumulative() {
        NotificationEvidence cumulativeNotes = new NotificationEvidence();
        cumulativeNotes.add(closedNotes);
        cumulativeNotes.add(intervalNotes);
        return new AnalysisResult(List.of(info), FrozenStats.of(closed, interval), cumulativeNotes, counters(), asm.measures(), asm.arches(),
                kvmModule, kvmModuleEvidence, firstTs == Long.MIN_VALUE ? 0 : firstTs, lastTs == Long.MIN_VALUE ? 0 : lastTs);
    }

    /**
     * The interval since the previous call, as a result of its own; starts the next interval.
     *
     * @param endTs trace-clock end of the interval
     */
    public AnalysisResult takeInterval(long endTs) {
        ExitCounters now = counters();
        AnalysisResult r = new AnalysisResult(List.of(info), FrozenStats.of(interval), intervalNotes, now.minus(intervalStart),
                asm.measures(), asm.arches(), kvmModule, kvmModuleEvidence, intervalStartTs == Long.MIN_VALUE ? endTs : intervalStartTs, endTs);
        intervalStart = now;
        closed.add(interval);
        closedNotes.add(intervalNotes);
        interval = new ExitStats();
        intervalNotes = new NotificationEvidence();
        intervalStartTs = endTs;
        return r;
    }

    /** The end of the trace: open exits become incomplete. */
    public void finish() {
        asm.finish();
    }
}

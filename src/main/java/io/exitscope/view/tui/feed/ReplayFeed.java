package io.exitscope.view.tui.feed;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.event.Event;
import io.exitscope.event.EventStream;
import io.exitscope.source.KvmBuild;
import io.exitscope.source.TraceInfo;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.GroupBy;
import io.exitscope.util.Durations;
import io.exitscope.view.Heatmap;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Replays a recorded trace through the incremental pipeline ({@link LiveAnalysis}), one event at a
 * time, on a background thread: play/pause, step, speed 1x/10x/100x/max in trace time, seek
 * (backwards by re-reading from the start: the file is streamed, never loaded whole) and jump to
 * an exit. Frames are published at the refresh interval in wall time, after each step and seek.
 *
 * <p>Trace time "now" ({@code clock}) is what the header shows and where intervals end; the
 * cumulative window starts at the trace start, at {@code --from}, or where the last reset or
 * baseline closed the previous window.
 */
public final class ReplayFeed extends CommandFeed {
    /** Opens the trace again from its start (each backwards seek re-reads it). */
    public interface Opener {
        TraceSource open() throws IOException;
    }

    private static final long NONE = Long.MIN_VALUE;
    private static final int[] SPEEDS = {1, 10, 100, 0};

    private final Opener opener;
    private final AnalysisOptions options;
    private final long fromRel, toRel;

    // --- owned by the feed thread
    private TraceSource src;
    private EventStream stream;
    private LiveAnalysis la;
    private Event pending;
    private boolean eof, finished;
    private long firstTs = NONE, pos = NONE, clock = NONE;
    private long windowStartRel, ivStartTs = NONE;
    private boolean playing;
    private int speedIdx;
    private long stepNs;
    private long anchorWall, anchorTrace;
    private long target = NONE, ivCutAt = NONE;
    private boolean pauseAtTarget;
    private long nextFrameWall;
    private Side intervalSide;
    private long seq;
    private String error;
    private Frame.Source facts;
    private KvmBuild kvmBuild = KvmBuild.NO_KALLSYMS;
    /** The trace records kvm_userspace_exit (asked once: a trace-cmd file or text may be read up to its first one). */
    private boolean userspaceExitsRecorded;
    private TraceInfo info;
    /**
     * Exit latency over the trace time played, one column per step (as it was at the start). A
     * backwards seek reads the trace again from its start: the exits of events up to the furthest
     * event read before ({@code heatUpTo}, counted from the start of the file, so the same events
     * every time) are in the heatmap already and are not added again.
     */
    private final Heatmap.Recorder heat;
    private long eventNo, heatUpTo;
    private boolean finishing, heatFinished;

    /**
     * @param fromRel start of the played window relative to the first event (0 for all)
     * @param toRel   end of the played window (Long.MAX_VALUE for all)
     * @param speed   1, 10, 100 or 0 (as fast as possible)
     * @param paused  start paused
     */
    public ReplayFeed(Opener opener, AnalysisOptions options, long fromRel, long toRel, long intervalNs, int speed,
                      long stepNs, boolean paused) {
        super(intervalNs, "exitscope-replay");
        this.opener = opener;
        this.options = options;
        this.fromRel = Math.max(0, fromRel);
        this.toRel = toRel;
        this.windowStartRel = this.fromRel;
        this.stepNs = stepNs;
        this.playing = !paused;
        int idx = SPEEDS.length - 1;
        for (int i = 0; i < SPEEDS.length; i++) if (SPEEDS[i] == speed) idx = i;
        this.speedIdx = idx;
        this.heat = new Heatmap.Recorder(stepNs, HEATMAP_COLUMNS);
    }

    @Override
    public boolean replay() {
        return true;
    }

    @Override
    protected void frameDueBy(long deadline) {
        nextFrameWall = Math.min(nextFrameWall, deadline);
    }

    @Override
    public CompletableFuture<Baseline> takeBaseline() {
        CompletableFuture<Baseline> f = new CompletableFuture<>();
        commands.add(() -> {
            if (la == null) {
                f.completeExceptionally(new IllegalStateException("nothing read yet"));
                return;
            }
            long now = now();
            AnalysisResult r = la.cumulative();
            double secs = Math.max(0, now - windowAbs()) / 1e9;
            String label = Durations.sinceStart(windowStartRel) + ".." + Durations.sinceStart(now - firstTsOr0());
            f.complete(Baseline.of("window " + label, r, secs));
            newWindow();
            publish(true);
        });
        return f;
    }

    @Override
    public void togglePlay() {
        commands.add(() -> {
            if (finished) {
                seekToAbs(firstTsOr0() + windowStartRelAtRestart(), false);
                playing = true;
                reanchor();
                return;
            }
            playing = !playing;
            if (target != NONE) pauseAtTarget = !playing; // a seek under way ends in the state asked for last
            if (playing) {
                reanchor();
                nextFrameWall = System.nanoTime() + intervalNs;
            }
            publishProgressOnly();
        });
    }

    private long windowStartRelAtRestart() {
        windowStartRel = fromRel;
        return fromRel;
    }

    @Override
    public void step() {
        commands.add(() -> {
            if (finished || firstTs == NONE && eof) return;
            playing = false;
            long now = now();
            cutInterval(now);
            target = now + stepNs;
            pauseAtTarget = true;
        });
    }

    @Override
    public void faster() {
        commands.add(() -> {
            speedIdx = Math.min(SPEEDS.length - 1, speedIdx + 1);
            reanchor();
            publishProgressOnly();
        });
    }

    @Override
    public void slower() {
        commands.add(() -> {
            speedIdx = Math.max(0, speedIdx - 1);
            reanchor();
            publishProgressOnly();
        });
    }

    @Override
    public void stepLonger() {
        commands.add(() -> {
            stepNs = Feeds.nextStep(stepNs, 1);
            publishProgressOnly();
        });
    }

    @Override
    public void stepShorter() {
        commands.add(() -> {
            stepNs = Feeds.nextStep(stepNs, -1);
            publishProgressOnly();
        });
    }

    @Override
    public void seekBy(long deltaNs) {
        commands.add(() -> seekToAbs(now() + deltaNs, !playing));
    }

    @Override
    public void seekTo(long relNs) {
        commands.add(() -> seekToAbs(firstTsOr0() + relNs, !playing));
    }

    @Override
    public void jumpTo(long absTs) {
        commands.add(() -> {
            playing = false;
            seekToAbs(absTs + 1, true);
        });
    }

    @Override
    public void showInterval(long startAbs, long endAbs) {
        commands.add(() -> {
            playing = false;
            seekToAbs(endAbs, true, startAbs);
        });
    }

    @Override
    public void close() {
        if (closeThread(() -> {}, 3000)) closeSource();
    }

    // ------------------------------------------------------------------ feed thread

    @Override
    protected void run() {
        try {
            open();
            publish(true);
            nextFrameWall = System.nanoTime() + intervalNs;
            reanchor();
            while (!closed) {
                try {
                    loopOnce();
                } catch (IOException | RuntimeException e) {
                    error = Feeds.describe(e);
                    if (pos != NONE) clock = Math.max(now(), pos); // what was read stays, up to where it was read
                    finished = eof = true;
                    playing = false;
                    target = NONE;
                    publish(true);
                }
            }
        } catch (IOException | RuntimeException e) {
            error = Feeds.describe(e);
            publishEmpty();
            waitForClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeSource();
        }
    }

    private void waitForClose() {
        while (!closed) {
            try {
                commands.take(); // commands need a source; only close matters now
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void loopOnce() throws IOException, InterruptedException {
        Runnable c;
        while ((c = commands.poll()) != null) {
            c.run();
            if (closed) return;
        }
        long nowWall = System.nanoTime();
        if (target != NONE) {
            feedUntil(target, nowWall + intervalNs / 2);
            if (eof || pending != null && pendingTs() > target) {
                if (eof && !finished) finish();
                clock = eof ? Math.max(pos, Math.min(clock, target)) : target;
                target = NONE;
                if (pauseAtTarget) playing = false;
                reanchor();
                publish(true);
                nextFrameWall = System.nanoTime() + intervalNs;
            } else if (System.nanoTime() >= nextFrameWall) {
                publish(false); // progress of a long seek
                nextFrameWall = System.nanoTime() + intervalNs;
            }
            return;
        }
        if (playing && !finished) {
            int speed = SPEEDS[speedIdx];
            long due = speed == 0 ? Long.MAX_VALUE : satAdd(anchorTrace, satMul(nowWall - anchorWall, speed));
            feedUntil(due, nextFrameWall);
            if (eof) {
                finish();
                clock = pos;
                playing = false;
                publish(true);
                return;
            }
            clock = speed == 0 ? Math.max(clock, pos) : Math.max(clock, Math.min(due, pendingTsOr(due)));
            nowWall = System.nanoTime();
            if (nowWall >= nextFrameWall) {
                publish(true);
                nextFrameWall += intervalNs;
                if (nextFrameWall <= nowWall) nextFrameWall = nowWall + intervalNs;
                return;
            }
            if (speed != 0 && pending != null) {
                long dueWall = anchorWall + (pendingTs() - anchorTrace) / speed;
                long wait = Math.min(dueWall, nextFrameWall) - nowWall;
                if (wait > 0) {
                    Runnable x = commands.poll(wait, TimeUnit.NANOSECONDS);
                    if (x != null) x.run();
                }
            }
            return;
        }
        commands.take().run();
    }

    private static long satAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long satMul(long a, long m) {
        if (a <= 0) return 0;
        return a > Long.MAX_VALUE / m ? Long.MAX_VALUE : a * m;
    }

    private long pendingTs() {
        return pending.kind() == Event.Kind.EVENT ? pending.timestamp() : Math.max(pos, clock);
    }

    private long pendingTsOr(long otherwise) {
        return pending == null ? otherwise : pendingTs();
    }

    /** Feeds events up to trace time {@code limit}; returns early at a wall deadline or when a command waits. */
    private void feedUntil(long limit, long wallDeadline) throws IOException {
        int n = 0;
        while (true) {
            if (pending == null) {
                if (eof) return;
                if (!stream.advance()) {
                    eof = true;
                    return;
                }
                pending = stream.current();
                if (firstTs == NONE && pending.kind() == Event.Kind.EVENT) {
                    firstTs = pending.timestamp();
                    heat.origin(firstTs);
                    if (clock == NONE) clock = firstTs;
                    if (ivStartTs == NONE) ivStartTs = windowAbs();
                    anchorTrace = Math.max(anchorTrace, firstTs);
                }
            }
            Event e = pending;
            boolean isEvent = e.kind() == Event.Kind.EVENT;
            long ts = isEvent ? e.timestamp() : Math.max(pos, firstTsOr0());
            if (isEvent && ts > limit) return;
            if (toRel != Long.MAX_VALUE && firstTs != NONE && ts - firstTs > toRel) {
                pending = null;
                eof = true;
                return;
            }
            if (ivCutAt != NONE && ts > ivCutAt) cutInterval(ivCutAt);
            eventNo++;
            if (firstTs == NONE || ts - firstTs >= windowStartRel) la.accept(e);
            heatUpTo = Math.max(heatUpTo, eventNo);
            if (isEvent && (pos == NONE || ts > pos)) pos = ts;
            pending = null;
            if ((++n & 1023) == 0 && (System.nanoTime() >= wallDeadline || !commands.isEmpty())) return;
        }
    }

    /** Ends the interval at {@code ts}: the next frame's interval starts there. */
    private void cutInterval(long ts) {
        if (la != null) la.takeInterval(ts);
        ivStartTs = ts;
        ivCutAt = NONE;
    }

    private void seekToAbs(long t, boolean pause) {
        seekToAbs(t, pause, NONE);
    }

    /** @param from where the interval shown at {@code t} starts; NONE: a step before {@code t} */
    private void seekToAbs(long t, boolean pause, long from) {
        try {
            if (firstTs != NONE) t = Math.max(firstTs, t);
            if (firstTs != NONE && t - firstTs < windowStartRel) windowStartRel = fromRel;
            if (firstTs != NONE && from != NONE && from - firstTs < windowStartRel) windowStartRel = fromRel;
            if (t < now() || finished || from != NONE && from < now()) {
                open();
                clock = firstTs == NONE ? NONE : firstTs;
                ivStartTs = firstTs == NONE ? NONE : windowAbs();
            }
            target = t;
            pauseAtTarget = pause;
            long cut = from != NONE ? from : t - stepNs;
            if (cut > now()) ivCutAt = cut;
            else cutInterval(Math.max(now(), windowAbs()));
        } catch (IOException | RuntimeException e) {
            error = Feeds.describe(e);
            publish(true);
        }
    }

    @Override
    protected void newWindow() {
        long now = now();
        la = newAnalysis();
        windowStartRel = Math.max(0, now - firstTsOr0());
        ivStartTs = now;
    }

    private void finish() {
        finishing = true;
        la.finish();
        finishing = false;
        heatFinished = true;
        finished = true;
        eof = true;
    }

    private void reanchor() {
        anchorWall = System.nanoTime();
        anchorTrace = now();
    }

    private long now() {
        if (clock != NONE) return clock;
        return firstTs == NONE ? 0 : firstTs;
    }

    private long firstTsOr0() {
        return firstTs == NONE ? 0 : firstTs;
    }

    private long windowAbs() {
        return firstTsOr0() + windowStartRel;
    }

    private void open() throws IOException {
        closeSource();
        src = opener.open();
        if (info == null) {
            info = src.info();
            facts = new Frame.Source(info.path(), info.format() + (info.fileVersion() > 0 ? " v" + info.fileVersion() : ""),
                    info.clock() == null ? "?" : info.clock(), info.cpus(), info.synthetic(), false, info.nanosecondClock());
            kvmBuild = src.kvmBuild();
            userspaceExitsRecorded = src.recordsUserspaceExits();
        }
        stream = src.events();
        la = newAnalysis();
        pending = null;
        eof = finished = false;
        pos = NONE;
        eventNo = 0;
        feedUntil(Long.MIN_VALUE + 1, Long.MAX_VALUE); // reads the first event: trace time is known from the start
    }

    private LiveAnalysis newAnalysis() {
        LiveAnalysis a = new LiveAnalysis(info, options, kvmBuild.module(), kvmBuild.evidence(), userspaceExitsRecorded);
        a.exitListener(r -> {
            if (finishing ? !heatFinished : eventNo > heatUpTo) heat.accept(r);
        });
        return a;
    }

    private void closeSource() {
        try {
            if (stream != null) stream.close();
        } catch (IOException ignored) {
            // replay is over
        }
        try {
            if (src != null) src.close();
        } catch (IOException ignored) {
            // replay is over
        }
        stream = null;
        src = null;
    }

    private Frame.Progress progress(boolean seeking) {
        double fr = -1;
        if (stream != null) {
            long p = stream.position(), t = stream.totalBytes();
            if (p >= 0 && t > 0) fr = Math.min(1, (double) p / t);
        }
        if (finished && error == null) fr = 1;
        return new Frame.Progress(Math.max(0, now() - firstTsOr0()), fr, playing && !finished, SPEEDS[speedIdx], stepNs,
                seeking, finished);
    }

    /**
     * Publishes a frame.
     *
     * @param newInterval end the current interval now (else the previous interval is shown again)
     */
    @Override
    protected void publish(boolean newInterval) {
        long now = now();
        List<GroupBy> want = List.of(wanted);
        if (newInterval || intervalSide == null) {
            long start = ivStartTs == NONE ? now : ivStartTs;
            AnalysisResult iv = la.takeInterval(now);
            intervalSide = Side.of("interval", iv, Math.max(0, now - start) / 1e9, want, true);
            ivStartTs = firstTs == NONE ? NONE : now; // before the first event there is no trace time yet
        }
        AnalysisResult cum = la.cumulative();
        Side cs = Side.of("cumulative", cum, Math.max(0, now - windowAbs()) / 1e9, want, false);
        emit(new Frame(++seq, facts, cs, intervalSide, progress(target != NONE), Durations.sinceStart(windowStartRel),
                Math.max(0, now - firstTsOr0()), firstTsOr0(), error, finished, heat.timeline(firstTs == NONE ? Long.MIN_VALUE : now + 1)));
    }

    private void publishProgressOnly() {
        Frame f = latest();
        if (f == null || la == null) {
            publish(false);
            return;
        }
        emit(new Frame(++seq, f.source(), f.cumulative(), f.interval(), progress(target != NONE), Durations.sinceStart(windowStartRel),
                f.elapsedNs(), firstTsOr0(), error, finished, f.timeline()));
    }

    private void publishEmpty() {
        Frame.Source s = facts != null ? facts : new Frame.Source("?", "?", "?", 0, false, false, true);
        emit(new Frame(++seq, s, null, null, new Frame.Progress(0, -1, false, SPEEDS[speedIdx], stepNs, false, true), "t+0", 0, 0, error, true));
    }

    private void emit(Frame f) {
        show(f);
    }
}

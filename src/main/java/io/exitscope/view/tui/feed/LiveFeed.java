package io.exitscope.view.tui.feed;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.LiveAnalysis;
import io.exitscope.source.TraceInfo;
import io.exitscope.event.Event;
import io.exitscope.source.live.LivePump;
import io.exitscope.source.live.LiveSource;
import io.exitscope.stats.GroupBy;
import io.exitscope.view.Heatmap;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Live statistics: a background thread reads the merged tracefs stream into a
 * {@link LiveAnalysis} (the same pipeline as {@code live --batch}) and publishes a frame every
 * refresh interval. The UI never waits for it; closing it stops tracing and removes the
 * instance (the source's own shutdown hook covers signals).
 */
public final class LiveFeed extends CommandFeed {
    private final LiveSource source;
    private final Supplier<LiveAnalysis> analyses;

    // feed thread
    private LiveAnalysis la;
    private long startWall, windowWall, ivStartWall, lastTs = 0, seq, originTs;
    private LivePump pump;
    private Side intervalSide;
    private String error;
    private boolean ended;
    private final Frame.Source facts;
    /** Exit latency over the whole session, one column per refresh interval (as it was at the start). */
    private Heatmap.Recorder heat;

    /** @param analyses makes a fresh analysis (at the start, and for each reset or baseline) */
    public LiveFeed(LiveSource source, Supplier<LiveAnalysis> analyses, long intervalNs) {
        super(intervalNs, "exitscope-live");
        this.source = source;
        this.analyses = analyses;
        TraceInfo i = source.info();
        String dir = source.instance().dir().getFileName().toString();
        this.facts = new Frame.Source("live, tracefs instance " + dir, "live tracefs", i.clock() == null ? "?" : i.clock(),
                i.cpus(), false, true, i.nanosecondClock());
    }

    @Override
    public boolean replay() {
        return false;
    }

    @Override
    protected void frameDueBy(long deadline) {
        pump.intervalDueBy(deadline); // from a command, on the feed thread
    }

    @Override
    public CompletableFuture<Baseline> takeBaseline() {
        CompletableFuture<Baseline> f = new CompletableFuture<>();
        commands.add(() -> {
            long now = System.nanoTime();
            AnalysisResult r = la.cumulative();
            String label = "window " + WallClock.at(windowWall, now) + ".." + WallClock.at(now, now);
            Baseline b = Baseline.of(label, r, (now - windowWall) / 1e9);
            // the new window is in place before anyone learns of the baseline: what the user
            // starts on seeing the compare screen must land in B, not at the end of A
            newWindow();
            publish(true);
            f.complete(b);
        });
        return f;
    }

    @Override
    public void close() {
        closeThread(source::close, 5000); // closing the source stops the readers: the stream ends, the thread leaves
    }

    @Override
    protected void newWindow() {
        la = analyses.get();
        la.exitListener(heat);
        windowWall = ivStartWall = System.nanoTime();
    }

    @Override
    protected void run() {
        startWall = windowWall = ivStartWall = System.nanoTime();
        heat = new Heatmap.Recorder(intervalNs, HEATMAP_COLUMNS);
        la = analyses.get();
        la.exitListener(heat);
        publish(true);
        try {
            // the pump looks at the command queue at least every 50 ms, and the refresh is an interval
            pump = new LivePump(source, intervalNs, Long.MAX_VALUE, 50_000_000L);
            pump.run(source.events(), new LivePump.Handler() {
                @Override
                public void event(Event e) {
                    la.accept(e);
                }

                @Override
                public void check(long now) {
                    Runnable c;
                    while ((c = commands.poll()) != null) c.run();
                    if (closed) pump.leave();
                }

                @Override
                public boolean pending() {
                    return !commands.isEmpty() || closed;
                }

                @Override
                public void interval(long now) {
                    publish(true);
                }
            });
        } catch (IOException | RuntimeException e) {
            error = Feeds.describe(e);
        }
        if (!closed) {
            ended = true;
            la.finish();
            publish(true);
        }
    }

    @Override
    protected void publish(boolean newInterval) {
        long now = System.nanoTime();
        long ts = la.lastTimestamp();
        if (ts != Long.MIN_VALUE) lastTs = Math.max(lastTs, ts);
        List<GroupBy> want = List.of(wanted);
        if (newInterval || intervalSide == null) {
            AnalysisResult iv = la.takeInterval(lastTs);
            intervalSide = Side.of("interval", iv, (now - ivStartWall) / 1e9, want, true);
            ivStartWall = now;
        }
        Side cs = Side.of("cumulative", la.cumulative(), (now - windowWall) / 1e9, want, false);
        if (originTs == 0 && cs.result().firstTs() != 0) originTs = cs.result().firstTs();
        String window = WallClock.at(windowWall, now);
        show(new Frame(++seq, facts, cs, intervalSide, null, window, now - startWall, originTs, error, ended,
                heat.timeline(lastTs == 0 ? Long.MIN_VALUE : lastTs)));
    }
}

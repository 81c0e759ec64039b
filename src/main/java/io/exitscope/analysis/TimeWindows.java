package io.exitscope.analysis;

import io.exitscope.exit.ExitRecord;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.FrozenStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A trace cut into N windows of (about) equal time in one pass, for a run-to-run noise estimate
 * ({@code compare --split N}): exits are kept in time slices whose width doubles (adjacent slices
 * add up exactly) whenever more than 4·N would be needed, so the span need not be known in
 * advance and memory stays at 4·N sets of statistics. At the end the slices are dealt into N
 * windows; their lengths differ by at most one slice (a quarter of a window or less).
 */
public final class TimeWindows implements Consumer<ExitRecord> {
    /** One window: its statistics and its span. */
    public record Window(FrozenStats stats, double seconds) {}

    private final int n;
    private final int cap;
    private final List<ExitStats> slices = new ArrayList<>();
    private long t0 = Long.MIN_VALUE, widthNs = 1_000_000, lastTs = Long.MIN_VALUE;

    public TimeWindows(int n) {
        if (n < 2) throw new IllegalArgumentException("windows: at least 2");
        this.n = n;
        this.cap = 4 * n;
    }

    @Override
    public void accept(ExitRecord r) {
        long ts = r.exitTs();
        if (t0 == Long.MIN_VALUE) t0 = ts;
        long idx = Math.max(0, (ts - t0) / widthNs);
        while (idx >= cap) {
            List<ExitStats> merged = new ArrayList<>();
            for (int i = 0; i < slices.size(); i += 2) {
                ExitStats s = slices.get(i);
                if (i + 1 < slices.size()) s.add(slices.get(i + 1));
                merged.add(s);
            }
            slices.clear();
            slices.addAll(merged);
            widthNs *= 2;
            idx = (ts - t0) / widthNs;
        }
        while (slices.size() <= idx) slices.add(new ExitStats());
        slices.get((int) idx).accept(r);
        lastTs = Math.max(lastTs, ts);
    }

    /** The windows, in time order: N of them, or one per slice when the trace holds fewer than N slices. */
    public List<Window> windows() {
        List<Window> out = new ArrayList<>();
        int m = slices.size();
        if (m == 0) return out;
        int k = Math.min(n, m);
        for (int j = 0; j < k; j++) {
            int from = j * m / k, to = (j + 1) * m / k;
            ExitStats[] parts = slices.subList(from, to).toArray(new ExitStats[0]);
            long start = t0 + from * widthNs, end = Math.min(t0 + to * widthNs, lastTs + 1);
            out.add(new Window(FrozenStats.of(parts), Math.max(1, end - start) / 1e9));
        }
        return out;
    }
}

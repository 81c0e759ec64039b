package io.exitscope.view;

import io.exitscope.exit.ExitRecord;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.StatsSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Exit latency over time: columns of equal trace time, each with the exits that began in it, per
 * fine key (reason, class, subkey, vCPU, VM), counted in {@link LogBuckets}' power-of-two latency
 * buckets. Fine keys let a screen select any row of any grouping and filter afterwards; buckets
 * keep a column to a few hundred bytes whatever the exit count, so a long session fits.
 */
public final class Heatmap {
    private Heatmap() {}

    /** One fine key's exits in one column: counts per bucket ({@link LogBuckets#index}) and the exits that were not timed. */
    public record Cells(long[] counts, long untimed) {
        Cells plus(Cells o) {
            long[] c = counts.clone();
            for (int k = 0; k < c.length; k++) c[k] += o.counts[k];
            return new Cells(c, untimed + o.untimed);
        }
    }

    /** Exits that began in {@code [startTs, endTs)} (trace clock), per fine key. Immutable. */
    public record Column(long startTs, long endTs, Map<ExitKey, Cells> cells) {}

    /**
     * What a recorder held at one moment, immutable: columns in time order (empty ones included,
     * so that column i starts at {@code originTs + i * widthNs}).
     */
    public record Timeline(long originTs, long widthNs, List<Column> columns) {
        public static final Timeline EMPTY = new Timeline(0, 0, List.of());

        /** Counts per column of the fine keys {@code keep} accepts. */
        public Grid grid(Predicate<ExitKey> keep) {
            Map<ExitKey, Boolean> kept = new HashMap<>(); // a regex filter is tested once per key, not per column
            long[][] counts = new long[columns.size()][];
            long[] untimed = new long[columns.size()];
            for (int i = 0; i < columns.size(); i++) {
                long[] c = new long[LogBuckets.COUNT];
                for (Map.Entry<ExitKey, Cells> e : columns.get(i).cells().entrySet()) {
                    if (!kept.computeIfAbsent(e.getKey(), keep::test)) continue;
                    long[] x = e.getValue().counts();
                    for (int k = 0; k < c.length; k++) c[k] += x[k];
                    untimed[i] += e.getValue().untimed();
                }
                counts[i] = c;
            }
            return new Grid(this, counts, untimed);
        }
    }

    /** A timeline narrowed to some keys: exits per column and bucket. */
    public static final class Grid {
        public final Timeline timeline;
        private final long[][] counts;
        private final long[] untimed;
        /** Lowest and highest bucket with exits in any column (-1 when none is timed). */
        public final int lo, hi;
        public final long maxCell, timed, untimedTotal, maxUntimed;

        Grid(Timeline t, long[][] counts, long[] untimed) {
            this.timeline = t;
            this.counts = counts;
            this.untimed = untimed;
            int l = Integer.MAX_VALUE, h = -1;
            long m = 0, n = 0, u = 0, mu = 0;
            for (int i = 0; i < counts.length; i++) {
                u += untimed[i];
                mu = Math.max(mu, untimed[i]);
                for (int k = 0; k < LogBuckets.COUNT; k++) {
                    long c = counts[i][k];
                    if (c == 0) continue;
                    l = Math.min(l, k);
                    h = Math.max(h, k);
                    m = Math.max(m, c);
                    n += c;
                }
            }
            this.lo = h < 0 ? -1 : l;
            this.hi = h;
            this.maxCell = m;
            this.timed = n;
            this.untimedTotal = u;
            this.maxUntimed = mu;
        }

        public int columns() {
            return counts.length;
        }

        public long count(int col, int bucket) {
            return counts[col][bucket];
        }

        /** A copy of one column's counts per bucket. */
        public long[] column(int col) {
            return counts[col].clone();
        }

        public long untimed(int col) {
            return untimed[col];
        }

        public long timed(int col) {
            long n = 0;
            for (long c : counts[col]) n += c;
            return n;
        }

        /** The bucket of the column's {@code p}th percentile, -1 when it has no timed exits. */
        public int percentileBucket(int col, double p) {
            return LogBuckets.percentileIndex(counts[col], p);
        }

        /** Exits in columns [from, to) summed per bucket. */
        public long[] sum(int from, int to) {
            long[] s = new long[LogBuckets.COUNT];
            for (int i = Math.max(0, from); i < Math.min(to, counts.length); i++) for (int k = 0; k < s.length; k++) s[k] += counts[i][k];
            return s;
        }

        /**
         * How dark a cell is: 0 empty, else 1..{@code levels} on a log scale of its count against the
         * fullest cell (one exit stays visible; counts span orders of magnitude).
         */
        public int level(long count, int levels) {
            return level(count, maxCell, levels);
        }

        /** {@link #level(long, int)} against another maximum (the row of untimed exits has its own). */
        public static int level(long count, long max, int levels) {
            if (count <= 0) return 0;
            if (max <= 1) return levels;
            double f = Math.log1p(count) / Math.log1p(max);
            return Math.max(1, Math.min(levels, (int) Math.ceil(f * levels)));
        }
    }

    /**
     * Builds a timeline from exits as they complete, on the thread that feeds it. A column keeps
     * an {@link ExitStats} (the fine keys exactly as the tables make them) while exits may still
     * arrive for it, and is folded into bucket counts after that. When there would be more than
     * {@code maxColumns} columns the width doubles (neighbours merge), so the whole span always fits.
     */
    public static final class Recorder implements Consumer<ExitRecord> {
        private static final long UNSET = Long.MIN_VALUE;
        private final int maxColumns;
        private long widthNs;
        private long originTs = UNSET;
        private final TreeMap<Long, Map<ExitKey, Cells>> folded = new TreeMap<>();
        private final TreeMap<Long, ExitStats> open = new TreeMap<>();
        private long newest = UNSET;
        /** Columns already made immutable for a timeline, until their exits change. */
        private final Map<Long, Column> built = new HashMap<>();

        public Recorder(long widthNs, int maxColumns) {
            if (widthNs <= 0 || maxColumns < 2) throw new IllegalArgumentException("width and columns must be positive");
            this.widthNs = widthNs;
            this.maxColumns = maxColumns;
        }

        /** Column 0 starts here (else at the first exit). Only before the first exit. */
        public void origin(long ts) {
            if (originTs == UNSET) originTs = ts;
        }

        public long widthNs() {
            return widthNs;
        }

        @Override
        public void accept(ExitRecord r) {
            if (originTs == UNSET) originTs = r.exitTs();
            long idx = Math.floorDiv(r.exitTs() - originTs, widthNs);
            open.computeIfAbsent(idx, i -> new ExitStats()).accept(r);
            if (newest == UNSET || idx > newest) {
                newest = idx;
                // exits complete in about their start order: columns two behind the newest are done
                // (a late exit reopens one) and are folded, so at most a few ExitStats live at once
                foldBefore(idx - 1);
            }
            while (span() > maxColumns) doubleWidth();
        }

        private long span() {
            long first = Math.min(folded.isEmpty() ? Long.MAX_VALUE : folded.firstKey(), open.isEmpty() ? Long.MAX_VALUE : open.firstKey());
            long last = Math.max(folded.isEmpty() ? Long.MIN_VALUE : folded.lastKey(), open.isEmpty() ? Long.MIN_VALUE : open.lastKey());
            return first == Long.MAX_VALUE ? 0 : last - first + 1;
        }

        private void foldBefore(long idx) {
            while (!open.isEmpty() && open.firstKey() < idx) {
                Map.Entry<Long, ExitStats> e = open.pollFirstEntry();
                fold(e.getKey(), e.getValue());
            }
        }

        private void fold(long idx, ExitStats s) {
            Map<ExitKey, Cells> into = folded.computeIfAbsent(idx, i -> new LinkedHashMap<>());
            built.remove(idx);
            for (StatsSnapshot.Group g : s.fineGroups()) {
                Cells c = new Cells(LogBuckets.counts(g.histogram()), g.count() - g.measured());
                into.merge(g.key(), c, Cells::plus);
            }
        }

        private void doubleWidth() {
            foldBefore(Long.MAX_VALUE);
            TreeMap<Long, Map<ExitKey, Cells>> merged = new TreeMap<>();
            for (Map.Entry<Long, Map<ExitKey, Cells>> e : folded.entrySet()) {
                Map<ExitKey, Cells> into = merged.computeIfAbsent(Math.floorDiv(e.getKey(), 2), i -> new LinkedHashMap<>());
                e.getValue().forEach((k, c) -> into.merge(k, c, Cells::plus));
            }
            folded.clear();
            folded.putAll(merged);
            built.clear();
            widthNs *= 2;
            newest = newest == UNSET ? UNSET : Math.floorDiv(newest, 2);
        }

        public Timeline timeline() {
            return timeline(UNSET);
        }

        /**
         * The columns so far (open ones folded first), from the first column with exits, or from
         * the origin, to the newest; {@code untilTs}, when later, adds empty columns up to it (the
         * time that passed without exits).
         */
        public Timeline timeline(long untilTs) {
            foldBefore(Long.MAX_VALUE);
            if (originTs == UNSET) return Timeline.EMPTY;
            long first = Math.min(0, folded.isEmpty() ? 0 : folded.firstKey());
            long last = folded.isEmpty() ? 0 : folded.lastKey();
            if (untilTs != UNSET && untilTs > originTs) {
                while (Math.floorDiv(untilTs - 1 - originTs, widthNs) - first + 1 > maxColumns) {
                    doubleWidth(); // a quiet stretch widens the columns as exits would
                    first = Math.min(0, folded.isEmpty() ? 0 : folded.firstKey());
                }
                last = Math.max(folded.isEmpty() ? 0 : folded.lastKey(), Math.floorDiv(untilTs - 1 - originTs, widthNs));
            }
            List<Column> cols = new ArrayList<>((int) (last - first + 1));
            for (long i = first; i <= last; i++) {
                long at = i;
                cols.add(built.computeIfAbsent(i, x -> {
                    Map<ExitKey, Cells> m = folded.get(at);
                    return new Column(originTs + at * widthNs, originTs + (at + 1) * widthNs, m == null ? Map.of() : Map.copyOf(m));
                }));
            }
            return new Timeline(originTs + first * widthNs, widthNs, List.copyOf(cols));
        }
    }
}

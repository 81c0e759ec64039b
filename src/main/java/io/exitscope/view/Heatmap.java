package io.exitscope.view;

import io.exitscope.exit.ExitRecord;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;

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
     * Builds a timeline from exits as they complete, on the thread that feeds it: per column and
     * fine key (named by an {@link ExitStats} as the tables name it), counts per bucket. When there
     * would be more than {@code maxColumns} columns the width doubles (neighbours merge), so the
     * whole span always fits. Memory grows with columns times keys, never with exits.
     */
    public static final class Recorder implements Consumer<ExitRecord> {
        private static final long UNSET = Long.MIN_VALUE;
        /** Index of the untimed count after the buckets in a key's counts. */
        private static final int UNTIMED = LogBuckets.COUNT;
        private final int maxColumns;
        private final ExitStats keys = new ExitStats(); // names fine keys only; records nothing
        private long widthNs;
        private long originTs = UNSET;
        private final TreeMap<Long, Map<ExitKey, long[]>> columns = new TreeMap<>();
        /** Columns already made immutable for a timeline, until their counts change. */
        private final Map<Long, Column> built = new HashMap<>();
        private long lastIdx = UNSET;
        private Map<ExitKey, long[]> lastColumn;

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
            ExitKey key = keys.fineKey(r);
            long idx = Math.floorDiv(r.exitTs() - originTs, widthNs);
            Map<ExitKey, long[]> col;
            if (idx == lastIdx) { // most exits land in the column of the one before
                col = lastColumn;
            } else {
                col = columns.get(idx);
                if (col == null) {
                    col = new HashMap<>();
                    columns.put(idx, col);
                    if (columns.lastKey() - columns.firstKey() + 1 > maxColumns) {
                        while (columns.lastKey() - columns.firstKey() + 1 > maxColumns) doubleWidth();
                        accept(r); // again, into the wider column
                        return;
                    }
                }
                built.remove(idx);
                lastIdx = idx;
                lastColumn = col;
            }
            long[] c = col.get(key);
            if (c == null) {
                c = new long[LogBuckets.COUNT + 1];
                col.put(key, c);
            }
            long lat = r.latencyNs();
            c[lat < 0 ? UNTIMED : LogBuckets.index(lat)]++;
        }

        private void doubleWidth() {
            TreeMap<Long, Map<ExitKey, long[]>> merged = new TreeMap<>();
            for (Map.Entry<Long, Map<ExitKey, long[]>> e : columns.entrySet()) {
                Map<ExitKey, long[]> into = merged.computeIfAbsent(Math.floorDiv(e.getKey(), 2), i -> new HashMap<>());
                e.getValue().forEach((k, c) -> {
                    long[] t = into.get(k);
                    if (t == null) into.put(k, c.clone());
                    else for (int i = 0; i < t.length; i++) t[i] += c[i];
                });
            }
            columns.clear();
            columns.putAll(merged);
            built.clear();
            widthNs *= 2;
            lastIdx = UNSET;
            lastColumn = null;
        }

        public Timeline timeline() {
            return timeline(UNSET);
        }

        /**
         * The columns so far, from the origin (or an earlier column with exits) to the newest;
         * {@code untilTs}, when later, adds empty columns up to it (time that passed without exits).
         */
        public Timeline timeline(long untilTs) {
            if (originTs == UNSET) return Timeline.EMPTY;
            lastIdx = UNSET; // the newest column may change after this: it is rebuilt next time
            long first = Math.min(0, columns.isEmpty() ? 0 : columns.firstKey());
            long last = columns.isEmpty() ? 0 : columns.lastKey();
            if (untilTs != UNSET && untilTs > originTs) {
                while (Math.floorDiv(untilTs - 1 - originTs, widthNs) - first + 1 > maxColumns) {
                    doubleWidth(); // a quiet stretch widens the columns as exits would
                    first = Math.min(0, columns.isEmpty() ? 0 : columns.firstKey());
                }
                last = Math.max(columns.isEmpty() ? 0 : columns.lastKey(), Math.floorDiv(untilTs - 1 - originTs, widthNs));
            }
            List<Column> cols = new ArrayList<>((int) (last - first + 1));
            for (long i = first; i <= last; i++) {
                long at = i;
                cols.add(built.computeIfAbsent(i, x -> column(at)));
            }
            return new Timeline(originTs + first * widthNs, widthNs, List.copyOf(cols));
        }

        private Column column(long idx) {
            Map<ExitKey, long[]> m = columns.get(idx);
            Map<ExitKey, Cells> cells = new LinkedHashMap<>();
            if (m != null) m.forEach((k, c) -> cells.put(k, new Cells(java.util.Arrays.copyOf(c, LogBuckets.COUNT), c[UNTIMED])));
            return new Column(originTs + idx * widthNs, originTs + (idx + 1) * widthNs, java.util.Collections.unmodifiableMap(cells));
        }
    }
}

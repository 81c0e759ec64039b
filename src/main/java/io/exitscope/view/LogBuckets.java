package io.exitscope.view;

import io.exitscope.stats.Percentile;
import io.exitscope.util.Durations;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.ArrayList;
import java.util.List;

/**
 * A latency histogram folded into power-of-two buckets ({@code [2^k, 2^(k+1))} ns) for text bars:
 * the shape of a distribution that spans nanoseconds to seconds fits on one screen.
 */
public final class LogBuckets {
    private LogBuckets() {}

    public record Bucket(long lowNs, long highNs, long count) {}

    /** Number of buckets: bucket k holds {@code [2^k, 2^(k+1))} ns (bucket 0 also holds 0). */
    public static final int COUNT = 63;

    /** The bucket of a latency. */
    public static int index(long ns) {
        return 63 - Long.numberOfLeadingZeros(Math.max(1, ns));
    }

    public static long lowNs(int k) {
        return 1L << k;
    }

    public static long highNs(int k) {
        return k >= 62 ? Long.MAX_VALUE : (1L << (k + 1)) - 1;
    }

    /**
     * A histogram's counts per bucket, indexed by {@link #index}. HdrHistogram's sub-buckets never
     * straddle a power of two (their widths are powers of two, aligned), so this loses nothing at
     * bucket resolution.
     */
    public static long[] counts(Histogram h) {
        long[] counts = new long[COUNT];
        if (h.getTotalCount() == 0) return counts;
        for (HistogramIterationValue v : h.recordedValues()) counts[index(v.getValueIteratedTo())] += v.getCountAddedInThisIterationStep();
        return counts;
    }

    /**
     * The bucket that holds the {@code p}th percentile of {@code counts}, by HdrHistogram's rule
     * ({@code getValueAtPercentile}: the first value whose cumulative count reaches
     * {@code ceil(p/100 * total)}, at least 1), so that it is the bucket of the exact percentile;
     * -1 when empty.
     */
    public static int percentileIndex(long[] counts, double p) {
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) return -1;
        double q = Math.min(Math.max(Math.nextAfter(p, Double.NEGATIVE_INFINITY), 0), 100);
        long at = Math.max(1, (long) Math.ceil(q * total / 100));
        long sum = 0;
        for (int k = 0; k < counts.length; k++) {
            sum += counts[k];
            if (sum >= at) return k;
        }
        return counts.length - 1;
    }

    public static List<Bucket> of(Histogram h) {
        List<Bucket> out = new ArrayList<>();
        if (h.getTotalCount() == 0) return out;
        int lo = index(h.getMinValue());
        int hi = index(h.getMaxValue());
        long[] counts = counts(h);
        for (int k = lo; k <= hi; k++) out.add(new Bucket(lowNs(k), highNs(k), counts[k]));
        return out;
    }

    /** Text bars, one line per bucket, with the percentiles that fall in each bucket marked. */
    public static List<String> bars(Histogram h, int width) {
        List<String> lines = new ArrayList<>();
        List<Bucket> b = of(h);
        long max = 1;
        for (Bucket x : b) max = Math.max(max, x.count());
        double[] ps = Percentile.SHOWN.stream().mapToDouble(p -> p.value).toArray();
        long[] pv = new long[ps.length];
        for (int i = 0; i < ps.length; i++) pv[i] = h.getValueAtPercentile(ps[i]);
        for (Bucket x : b) {
            int n = (int) Math.round((double) x.count() / max * width);
            if (n == 0 && x.count() > 0) n = 1;
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < ps.length; i++) {
                if (pv[i] >= x.lowNs() && pv[i] <= x.highNs()) marks.append(marks.length() > 0 ? "," : " <- ").append(pct(ps[i]));
            }
            lines.add(String.format("%8s %s%s %d%s", Durations.format(x.lowNs()), "#".repeat(n), " ".repeat(width - n), x.count(), marks));
        }
        return lines;
    }

    private static String pct(double p) {
        return p == Math.floor(p) ? "p" + (int) p : "p" + p;
    }
}

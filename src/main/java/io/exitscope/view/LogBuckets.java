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

    public static List<Bucket> of(Histogram h) {
        List<Bucket> out = new ArrayList<>();
        if (h.getTotalCount() == 0) return out;
        int lo = 63 - Long.numberOfLeadingZeros(Math.max(1, h.getMinValue()));
        int hi = 63 - Long.numberOfLeadingZeros(Math.max(1, h.getMaxValue()));
        long[] counts = new long[hi - lo + 1];
        for (HistogramIterationValue v : h.recordedValues()) {
            long value = Math.max(1, v.getValueIteratedTo());
            int k = 63 - Long.numberOfLeadingZeros(value);
            k = Math.min(hi, Math.max(lo, k));
            counts[k - lo] += v.getCountAddedInThisIterationStep();
        }
        for (int k = lo; k <= hi; k++) out.add(new Bucket(1L << k, k >= 62 ? Long.MAX_VALUE : (1L << (k + 1)) - 1, counts[k - lo]));
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

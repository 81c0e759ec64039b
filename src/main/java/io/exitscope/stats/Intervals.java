package io.exitscope.stats;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Confidence intervals of the figures exitscope prints, computed from the HdrHistogram counts.
 *
 * <p><b>Percentiles: distribution-free order-statistic intervals.</b> Of n exits, the number B
 * below the true p-quantile is Binomial(n, p) whatever the latency distribution, so the l-th and
 * u-th smallest exits bracket it with probability P(l ≤ B &lt; u). l and u are the α/2 and 1-α/2
 * quantiles of that binomial: exact (a walk over its mass function from the small tail) while
 * n·min(p, 1-p) &lt; 1000, its normal approximation beyond (error far below one rank there).
 * Chosen over a bootstrap because it needs no resampling (one walk over the histogram for every
 * percentile of a group: a report on 8.8 M exits costs the same with intervals as without),
 * makes no assumption about the shape of heavy-tailed latencies, and is exact rather than
 * asymptotic in the tail where p99.9 of a few thousand exits rests on a handful of ranks. The
 * ranks are read off the histogram and widened to their buckets' edges (3 significant digits:
 * at most 0.1 % each way), and always contain the rank of the printed value.
 *
 * <p><b>Mean: the normal (CLT) interval</b> mean ± z·sd/√n with the histogram's standard deviation.
 * Exit latencies are bounded (the largest is seen), so the variance is finite and the CLT applies
 * at the counts exitscope sees (thousands and up); a bootstrap over the histogram agrees there at
 * B times the cost. With few exits and a heavy tail it is too narrow: mean intervals of groups
 * under 30 exits are not given.
 */
public final class Intervals {
    private Intervals() {}

    /** The level of every interval exitscope prints. */
    public static final double LEVEL = 0.95;

    /** Exact binomial ranks while the smaller tail's mean n·min(p, 1-p) is below this; normal above. */
    static final double EXACT_BELOW = 1000;

    /** Mean intervals need at least this many exits (see the class comment). */
    public static final long MEAN_MIN_COUNT = 30;

    /**
     * The 1-based ranks [l, u] of the order-statistic interval of the {@code p}-th percentile
     * (0..100) of {@code n} values at {@code level}, widened to contain the rank HdrHistogram reads
     * the percentile at. l = 0 or u = n + 1 when too few values lie beyond the percentile to bound
     * it on that side (p99 of 200 exits: in 13 % of samples none exceeds the true p99).
     */
    public static long[] ranks(long n, double p, double level) {
        double q = Math.min(1, Math.max(0, p / 100));
        double a = (1 - level) / 2;
        long l, u;
        if (n * Math.min(q, 1 - q) < EXACT_BELOW) {
            l = Distributions.binomialQuantile(n, q, a);
            u = Distributions.binomialQuantile(n, q, 1 - a) + 1;
        } else {
            double z = Distributions.normalQuantile(1 - a), sd = Math.sqrt(n * q * (1 - q));
            l = (long) Math.floor(n * q - z * sd);
            u = (long) Math.ceil(n * q + z * sd) + 1;
        }
        long at = Math.max(1, (long) (q * n + 0.5)); // HdrHistogram's getValueAtPercentile rank
        l = Math.max(0, Math.min(l, at));
        u = Math.min(n + 1, Math.max(u, at));
        return new long[]{l, u};
    }

    /** The high end of an interval that no observed value bounds. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    /**
     * Intervals [low, high] in ns of the percentiles {@code ps} (0..100) of {@code h}, in one walk
     * over its counts; null entries when {@code h} is empty. An interval open below starts at 0
     * (no latency is shorter); one open above ends at {@link #UNBOUNDED}.
     */
    public static long[][] percentiles(Histogram h, double[] ps, double level) {
        long[][] out = new long[ps.length][];
        long n = h.getTotalCount();
        if (n == 0) return out;
        long[] want = new long[2 * ps.length];
        for (int i = 0; i < ps.length; i++) {
            long[] r = ranks(n, ps[i], level);
            want[2 * i] = r[0];
            want[2 * i + 1] = r[1];
            out[i] = new long[]{0, UNBOUNDED};
        }
        int left = 0;
        for (long w : want) if (w >= 1 && w <= n) left++;
        long cum = 0;
        for (HistogramIterationValue v : h.recordedValues()) {
            long lo = cum + 1;
            cum += v.getCountAddedInThisIterationStep();
            for (int j = 0; j < want.length; j++) {
                if (want[j] >= lo && want[j] <= cum) { // ranks 0 and n + 1 never match: the ends stay open
                    long value = v.getValueIteratedTo();
                    out[j / 2][j % 2] = j % 2 == 0 ? h.lowestEquivalentValue(value) : h.highestEquivalentValue(value);
                    left--;
                }
            }
            if (left == 0) break;
        }
        return out;
    }

    /** One percentile's interval [low, high] in ns, or null when {@code h} is empty. */
    public static long[] percentile(Histogram h, double p, double level) {
        return percentiles(h, new double[]{p}, level)[0];
    }

    /** The mean's interval [low, high] in ns, or null under {@link #MEAN_MIN_COUNT} values. */
    public static double[] mean(Histogram h, double level) {
        long n = h.getTotalCount();
        if (n < MEAN_MIN_COUNT) return null;
        double half = Distributions.normalQuantile(1 - (1 - level) / 2) * h.getStdDeviation() / Math.sqrt(n);
        double m = h.getMean();
        return new double[]{Math.max(0, m - half), m + half};
    }
}

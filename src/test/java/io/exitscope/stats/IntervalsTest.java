package io.exitscope.stats;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The intervals against independent truth: the distribution functions against tabulated values,
 * the exact binomial ranks against a brute-force sum, and the coverage of 95 % percentile and
 * mean intervals on seeded samples from distributions whose quantiles are known in closed form
 * (exponential, lognormal, and a Pareto tail with infinite variance).
 */
class IntervalsTest {

    @Test
    void distributionFunctionsMatchTables() {
        assertEquals(0.9750021, Distributions.normalCdf(1.96), 2e-7);
        assertEquals(0.0013499, Distributions.normalCdf(-3), 2e-7);
        assertEquals(1.959964, Distributions.normalQuantile(0.975), 1e-6);
        assertEquals(-2.326348, Distributions.normalQuantile(0.01), 1e-6);
        assertEquals(3.090232, Distributions.normalQuantile(0.999), 1e-6);
        // Student's t: tables give t(0.975; 10) = 2.228, t(0.975; 3) = 3.182, t(0.95; 30) = 1.697
        assertEquals(0.975, Distributions.tCdf(2.228139, 10), 1e-6);
        assertEquals(0.975, Distributions.tCdf(3.182446, 3), 1e-6);
        assertEquals(1.697261, Distributions.tQuantile(0.95, 30), 1e-5);
        assertEquals(0.5, Distributions.tCdf(0, 4.5), 1e-12);
    }

    @Test
    void binomialQuantileIsTheBruteForceOne() {
        for (long n : new long[]{1, 7, 40, 333, 2000}) {
            for (double p : new double[]{0.001, 0.1, 0.5, 0.9, 0.99, 0.999}) {
                for (double q : new double[]{0.025, 0.5, 0.975}) {
                    assertEquals(bruteQuantile(n, p, q), Distributions.binomialQuantile(n, p, q), n + " " + p + " " + q);
                }
            }
        }
    }

    /** Smallest k with P(B &lt; k) + P(B = k)/2 ≥ q, each term from the binomial coefficient, summed from k = 0. */
    static long bruteQuantile(long n, double p, double q) {
        double below = 0;
        for (long k = 0; k <= n; k++) {
            double lnC = Distributions.lgamma(n + 1.0) - Distributions.lgamma(k + 1.0) - Distributions.lgamma(n - k + 1.0);
            double pmf = Math.exp(lnC + k * Math.log(p) + (n - k) * Math.log1p(-p));
            if (below + pmf / 2 >= q) return k;
            below += pmf;
        }
        return n;
    }

    /** A distribution: its quantile function (the truth) and a sampler. */
    record Dist(String name, DoubleUnaryOperator quantile, java.util.function.ToDoubleFunction<Random> sample) {}

    static final Dist[] DISTS = {
            new Dist("exponential mean 2us", u -> -2000 * Math.log1p(-u), r -> -2000 * Math.log1p(-r.nextDouble())),
            new Dist("lognormal median 5us sigma 0.8", u -> 5000 * Math.exp(0.8 * Distributions.normalQuantile(u)),
                    r -> 5000 * Math.exp(0.8 * r.nextGaussian())),
            new Dist("pareto 1us alpha 1.5", u -> 1000 * Math.pow(1 - u, -1 / 1.5), r -> 1000 * Math.pow(1 - r.nextDouble(), -1 / 1.5)),
    };

    /** 95 % percentile intervals cover the true percentile in 93–97 % of 1000 seeded trials, for each distribution and percentile. */
    @Test
    void percentileIntervalsCoverAtTheirLevel() {
        Random rnd = new Random(20261204);
        double[] ps = Percentile.SHOWN.stream().mapToDouble(p -> p.value).toArray();
        int trials = 1000;
        StringBuilder report = new StringBuilder();
        for (Dist d : DISTS) {
            for (int n : new int[]{200, 2000}) {
                int[] covered = new int[ps.length];
                for (int t = 0; t < trials; t++) {
                    Histogram h = ExitStats.newHistogram();
                    for (int i = 0; i < n; i++) h.recordValue(Math.max(1, Math.round(d.sample.applyAsDouble(rnd))));
                    long[][] ci = Intervals.percentiles(h, ps, Intervals.LEVEL);
                    for (int j = 0; j < ps.length; j++) {
                        double truth = d.quantile.applyAsDouble(ps[j] / 100);
                        if (ci[j][0] <= truth && truth <= ci[j][1]) covered[j]++;
                    }
                }
                report.append(d.name).append(" n=").append(n).append(": ").append(Arrays.toString(covered)).append('\n');
                for (int j = 0; j < ps.length; j++) {
                    // with too few exits beyond a percentile the interval is open above (high = UNBOUNDED) and
                    // covers more: p99 of 200 exits, p99.9 of 200 and 5000; those are checked not to undercover
                    double c = (double) covered[j] / trials;
                    if (Math.pow(ps[j] / 100, n) > (1 - Intervals.LEVEL) / 2) {
                        assertTrue(c >= 0.93, "coverage of open p" + ps[j] + ": " + c + "\n" + report);
                        continue;
                    }
                    assertTrue(c >= 0.93 && c <= 0.97, "coverage of p" + ps[j] + ": " + c + "\n" + report);
                }
            }
        }
        System.out.print(report);
    }

    /** 95 % mean intervals cover the true mean in 93–97 % of trials where the variance is finite. */
    @Test
    void meanIntervalsCoverAtTheirLevel() {
        Random rnd = new Random(7);
        double[] means = {2000, 5000 * Math.exp(0.8 * 0.8 / 2)};
        for (int di = 0; di < 2; di++) {
            int covered = 0, trials = 1000;
            for (int t = 0; t < trials; t++) {
                Histogram h = ExitStats.newHistogram();
                for (int i = 0; i < 500; i++) h.recordValue(Math.max(1, Math.round(DISTS[di].sample.applyAsDouble(rnd))));
                double[] ci = Intervals.mean(h, Intervals.LEVEL);
                if (ci[0] <= means[di] && means[di] <= ci[1]) covered++;
            }
            double c = (double) covered / trials;
            assertTrue(c >= 0.93 && c <= 0.97, DISTS[di].name + " mean coverage " + c);
        }
    }
}

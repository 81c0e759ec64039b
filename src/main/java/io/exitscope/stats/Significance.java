package io.exitscope.stats;

import io.exitscope.exit.ExitClass;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Is a shift between A and B real or noise? One test per key and measure (exit rate, class mix,
 * p50, p99), each with a verdict, an effect size and the smallest effect it could have resolved.
 *
 * <p><b>The noise.</b> With several runs per side ({@code compare A1 A2 -- B1 B2}) or runs split
 * into time windows ({@code --split N}, live intervals), the noise of each side's figure is
 * measured: the spread of the figure across its runs (or windows), and the test is Welch's t on
 * those per-run figures (unequal variances, Welch–Satterthwaite degrees of freedom). Without replicates only sampling noise is known: the
 * test is then a z test on the two figures with their sampling errors. Between-run noise
 * (frequency scaling, placement, other tenants) is usually larger than sampling noise at the
 * counts KVM produces, so two single runs can differ "significantly" with nothing changed: the
 * output names which noise was used.
 *
 * <p><b>The figures.</b> Percentiles are compared on a log scale (heavy-tailed latencies shift
 * by ratios), their sampling error taken from the distribution-free order-statistic interval
 * ({@link Intervals}) as half its width in units of z: no shape is assumed, and it is as tight
 * as the data allows at millions of exits. Rates use the Poisson error of the count; the class
 * mix compares the fraction of the class that moved most (two-proportion z test on the pooled
 * fraction).
 *
 * <p><b>The level.</b> All tests of one comparison form one family: Holm's step-down procedure
 * keeps the chance that <em>any</em> key is flagged when nothing changed at or under
 * {@link #LEVEL} (5 %), however many keys there are. Each test states the effect it could
 * resolve: at the per-test level, with 80 % power.
 */
public final class Significance {
    private Significance() {}

    /** Family-wise false-positive level of a comparison. */
    public static final double LEVEL = 0.05;
    /** Power at which the resolvable effect is stated. */
    static final double POWER = 0.80;
    /** A percentile is tested when each side has this many exits beyond it. */
    static final double MIN_TAIL = 5;

    public enum Measure {
        RATE("rate"), CLASS("class"), P50("p50"), P99("p99");

        public final String label;

        Measure(String label) {
            this.label = label;
        }

        double percentile() {
            return this == P50 ? 50 : 99;
        }

        public static Measure parse(String s) {
            for (Measure m : values()) if (m.label.equalsIgnoreCase(s)) return m;
            if (s.equalsIgnoreCase("count")) return RATE;
            return null;
        }
    }

    public enum Direction { UP, DOWN, NONE }

    /**
     * One test.
     *
     * @param a, b        the figure on each side (ns for percentiles, exits/s for the rate, a fraction for the class)
     * @param effect      relative change B/A - 1 for rate and percentiles; change of the fraction for the class
     * @param effectLow   low end of the effect's interval at the per-test level
     * @param effectHigh  high end
     * @param resolvable  smallest |effect| this test detects with 80 % power
     * @param significant after Holm's adjustment over the whole comparison
     * @param classLabel  the class whose fraction was tested (class mix only)
     * @param basis       the noise used: "sampling", "runs 3 vs 3", "windows 8 vs 8"
     */
    public record Test(Measure measure, double a, double b, double effect, double effectLow, double effectHigh, double pValue,
                       double resolvable, boolean significant, String classLabel, String basis) {

        public Direction direction() {
            if (!significant) return Direction.NONE;
            return effect > 0 ? Direction.UP : Direction.DOWN;
        }

        /** {@code slower}, {@code faster}, {@code more}, {@code fewer}, {@code more userspace}, … or {@code no significant change}. */
        public String verdict() {
            return switch (direction()) {
                case NONE -> "no significant change";
                case UP -> switch (measure) {
                    case P50, P99 -> "slower";
                    case RATE -> "more";
                    case CLASS -> "more " + classLabel;
                };
                case DOWN -> switch (measure) {
                    case P50, P99 -> "faster";
                    case RATE -> "fewer";
                    case CLASS -> "less " + classLabel;
                };
            };
        }

        /** The effect as text: {@code +12.3%} (relative) or {@code +40.0 pts} (class fraction). */
        public String effectText() {
            if (Double.isInfinite(effect)) return "new";
            return measure == Measure.CLASS ? String.format("%+.1f pts", effect * 100) : String.format("%+.1f%%", effect * 100);
        }

        Test holm(boolean sig) {
            return new Test(measure, a, b, effect, effectLow, effectHigh, pValue, resolvable, sig, classLabel, basis);
        }
    }

    /**
     * One side of a comparison: its statistics (pooled over runs) in the compared grouping, its
     * span in seconds (NaN when unknown: no rate test), and optional replicates, the same
     * statistics per run or window.
     */
    public record Sample(StatsSnapshot pooled, double seconds, List<Replicate> replicates, String replicateKind) {
        public static Sample of(StatsSnapshot pooled, double seconds) {
            return new Sample(pooled, seconds, List.of(), null);
        }
    }

    /** One run or window of a side. */
    public record Replicate(StatsSnapshot stats, double seconds) {}

    /** The tests of one key (either group may be null: the key was not seen on that side). */
    static List<Test> test(ExitKey key, StatsSnapshot.Group ga, StatsSnapshot.Group gb, Sample a, Sample b,
                           List<Map<ExitKey, StatsSnapshot.Group>> ra, List<Map<ExitKey, StatsSnapshot.Group>> rb) {
        List<Test> out = new ArrayList<>();
        String basis = a.replicates.size() >= 2 && b.replicates.size() >= 2
                ? a.replicateKind + " " + a.replicates.size() + " vs " + b.replicates.size() : "sampling";
        // rate
        if (a.seconds > 0 && b.seconds > 0) {
            long ca = ga == null ? 0 : ga.count(), cb = gb == null ? 0 : gb.count();
            double xa = ca / a.seconds, xb = cb / b.seconds;
            double sampling = Math.sqrt(ca / (a.seconds * a.seconds) + cb / (b.seconds * b.seconds));
            double[] va = replicateValues(key, ra, a, (g, s) -> (g == null ? 0 : g.count()) / s);
            double[] vb = replicateValues(key, rb, b, (g, s) -> (g == null ? 0 : g.count()) / s);
            Stat st = stat(xb - xa, sampling, va, vb);
            if (st != null) {
                double rel = xa > 0 ? 1 / xa : Double.NaN;
                out.add(new Test(Measure.RATE, xa, xb, xa > 0 ? (xb - xa) / xa : Double.POSITIVE_INFINITY, (st.diff - st.crit * st.se) * rel,
                        (st.diff + st.crit * st.se) * rel, st.p, st.resolvable * rel, false, null, basis));
            }
        }
        if (ga == null || gb == null) return out;
        // class mix: the fraction of the class that moved most
        if (key.exitClass() == null && ga.count() >= 10 && gb.count() >= 10) {
            ExitClass moved = null;
            double best = -1;
            for (ExitClass c : ExitClass.values()) {
                double d = Math.abs(fraction(gb, c) - fraction(ga, c));
                if ((ga.classCounts().getOrDefault(c, 0L) > 0 || gb.classCounts().getOrDefault(c, 0L) > 0) && d > best) {
                    best = d;
                    moved = c;
                }
            }
            ExitClass c = moved;
            if (c != null) {
                double fa = fraction(ga, c), fb = fraction(gb, c);
                double pool = (fa * ga.count() + fb * gb.count()) / (ga.count() + gb.count());
                double sampling = Math.sqrt(pool * (1 - pool) * (1.0 / ga.count() + 1.0 / gb.count()));
                double[] va = replicateValues(key, ra, a, (g, s) -> g == null || g.count() == 0 ? Double.NaN : fraction(g, c));
                double[] vb = replicateValues(key, rb, b, (g, s) -> g == null || g.count() == 0 ? Double.NaN : fraction(g, c));
                Stat st = stat(fb - fa, sampling, va, vb);
                if (st != null) {
                    out.add(new Test(Measure.CLASS, fa, fb, fb - fa, st.diff - st.crit * st.se, st.diff + st.crit * st.se, st.p,
                            st.resolvable, false, c.label, basis));
                }
            }
        }
        // percentiles, on a log scale
        for (Measure m : new Measure[]{Measure.P50, Measure.P99}) {
            double p = m.percentile();
            double sa = logSe(ga, p), sb = logSe(gb, p);
            if (Double.isNaN(sa) || Double.isNaN(sb)) continue;
            double la = Math.log(Math.max(1, ga.percentile(p))), lb = Math.log(Math.max(1, gb.percentile(p)));
            double[] va = replicateValues(key, ra, a, (g, s) -> logPercentile(g, p));
            double[] vb = replicateValues(key, rb, b, (g, s) -> logPercentile(g, p));
            Stat st = stat(lb - la, Math.hypot(sa, sb), va, vb);
            if (st != null) {
                out.add(new Test(m, ga.percentile(p), gb.percentile(p), Math.expm1(lb - la), Math.expm1(st.diff - st.crit * st.se),
                        Math.expm1(st.diff + st.crit * st.se), st.p, Math.expm1(st.resolvable), false, null, basis));
            }
        }
        return out;
    }

    /** Holm's step-down adjustment over every test of a comparison: which are significant at {@link #LEVEL} family-wise. */
    static List<List<Test>> holm(List<List<Test>> perKey) {
        List<double[]> order = new ArrayList<>(); // {p, key index, test index}
        for (int i = 0; i < perKey.size(); i++) {
            for (int j = 0; j < perKey.get(i).size(); j++) order.add(new double[]{perKey.get(i).get(j).pValue(), i, j});
        }
        order.sort(Comparator.comparingDouble(x -> x[0]));
        boolean[][] sig = new boolean[perKey.size()][];
        for (int i = 0; i < perKey.size(); i++) sig[i] = new boolean[perKey.get(i).size()];
        int m = order.size();
        for (int r = 0; r < m; r++) {
            double[] x = order.get(r);
            if (x[0] > LEVEL / (m - r)) break;
            sig[(int) x[1]][(int) x[2]] = true;
        }
        List<List<Test>> out = new ArrayList<>();
        for (int i = 0; i < perKey.size(); i++) {
            List<Test> l = new ArrayList<>();
            for (int j = 0; j < perKey.get(i).size(); j++) l.add(perKey.get(i).get(j).holm(sig[i][j]));
            out.add(List.copyOf(l));
        }
        return out;
    }

    private record Stat(double diff, double se, double crit, double p, double resolvable) {}

    /**
     * The test statistic of a difference: Welch's t on the replicate values when both sides have
     * two or more (their spread holds the sampling noise too), else a z test with the sampling error.
     * Null when there is no noise estimate at all (both figures exact).
     */
    private static Stat stat(double diff, double samplingSe, double[] va, double[] vb) {
        double se = samplingSe, df = Double.POSITIVE_INFINITY;
        if (va.length >= 2 && vb.length >= 2) {
            double qa = variance(va) / va.length, qb = variance(vb) / vb.length;
            double w = Math.sqrt(qa + qb);
            if (w > 0) {
                se = w;
                df = (qa + qb) * (qa + qb) / (qa * qa / (va.length - 1) + qb * qb / (vb.length - 1));
            }
        }
        if (!(se > 0)) {
            if (diff == 0) return new Stat(0, 0, 0, 1, 0);
            return new Stat(diff, 0, 0, 0, 0); // no noise at all and a difference: certain (e.g. all userspace vs all kernel)
        }
        double crit = Distributions.tQuantile(1 - LEVEL / 2, df);
        double p = Distributions.tTwoSided(diff / se, df);
        double resolvable = (crit + Distributions.tQuantile(POWER, df)) * se;
        return new Stat(diff, se, crit, p, resolvable);
    }

    private interface Figure {
        double of(StatsSnapshot.Group g, double seconds);
    }

    private static double[] replicateValues(ExitKey key, List<Map<ExitKey, StatsSnapshot.Group>> idx, Sample s, Figure f) {
        double[] v = new double[idx.size()];
        int n = 0;
        for (int i = 0; i < idx.size(); i++) {
            double x = f.of(idx.get(i).get(key), s.replicates.get(i).seconds());
            if (!Double.isNaN(x) && !Double.isInfinite(x)) v[n++] = x;
        }
        return java.util.Arrays.copyOf(v, n);
    }

    static double fraction(StatsSnapshot.Group g, ExitClass c) {
        return g.count() == 0 ? 0 : (double) g.classCounts().getOrDefault(c, 0L) / g.count();
    }

    /** Sampling standard error of ln(percentile) from its order-statistic interval; NaN when too few exits lie beyond it. */
    static double logSe(StatsSnapshot.Group g, double p) {
        if (g == null || g.measured() == 0 || g.measured() * Math.min(p, 100 - p) / 100 < MIN_TAIL) return Double.NaN;
        long[] ci = g.percentileCi(p);
        if (ci == null || ci[1] == Intervals.UNBOUNDED) return Double.NaN;
        double z = Distributions.normalQuantile(1 - (1 - Intervals.LEVEL) / 2);
        return (Math.log(Math.max(1, ci[1])) - Math.log(Math.max(1, ci[0]))) / (2 * z);
    }

    private static double logPercentile(StatsSnapshot.Group g, double p) {
        if (g == null || g.measured() == 0 || g.measured() * Math.min(p, 100 - p) / 100 < 1) return Double.NaN;
        return Math.log(Math.max(1, g.percentile(p)));
    }

    private static double variance(double[] v) {
        double m = 0;
        for (double x : v) m += x;
        m /= v.length;
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return s / (v.length - 1);
    }
}

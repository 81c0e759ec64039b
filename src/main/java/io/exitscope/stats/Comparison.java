package io.exitscope.stats;

import io.exitscope.exit.ExitClass;
import io.exitscope.util.Durations;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Baseline A versus B per key: count, class and percentile shifts, ranked by how far each key's
 * distribution moved.
 *
 * <p>The score adds three measured movements, each near 0 for "same" and near 1 for "completely
 * different": the class mix distance (half the L1 distance of the H/K/U fractions), the change of
 * the key's share of measured exit time, and the largest |log2| ratio of p50/p90/p99 (divided by
 * 4, capped at 1). A key present on one side only moves by its whole share plus 1.
 *
 * <p>Each key also carries its {@link Significance} tests (rate, class mix, p50, p99), and keys
 * are ranked by significant effect: first the keys with a significant change, by the part of the
 * score those changes make up, then the others by score. A raw shift that is within the noise
 * never outranks a real one.
 */
public final class Comparison {
    private Comparison() {}

    public record Shift(ExitKey key, StatsSnapshot.Group a, StatsSnapshot.Group b, double score, double classDistance,
                        double shareA, double shareB, double percentileLog2, String why, List<Significance.Test> tests) {

        /** Some measure of this key changed beyond the noise (family-wise level {@link Significance#LEVEL}). */
        public boolean significant() {
            for (Significance.Test t : tests) if (t.significant()) return true;
            return false;
        }

        /** The test of a measure, or null when it could not be made (too few exits, key on one side). */
        public Significance.Test test(Significance.Measure m) {
            for (Significance.Test t : tests) if (t.measure() == m) return t;
            return null;
        }

        /** The significant verdicts, e.g. {@code p99 slower +12.0%; rate fewer -3.1%}, or {@code no significant change}. */
        public String verdictText() {
            List<String> l = new ArrayList<>();
            for (Significance.Test t : tests) if (t.significant()) l.add(t.measure().label + " " + t.verdict() + " " + t.effectText());
            return l.isEmpty() ? "no significant change" : String.join("; ", l);
        }

        /** The part of the score that significant changes make up: the ranking key. */
        public double significantScore() {
            double s = 0;
            for (Significance.Test t : tests) {
                if (!t.significant()) continue;
                s += switch (t.measure()) {
                    case CLASS -> Math.abs(t.effect());
                    case RATE, P50, P99 -> Double.isInfinite(t.effect()) || t.effect() <= -1 ? 1
                            : Math.min(1, Math.abs(Math.log1p(t.effect()) / Math.log(2)) / 4);
                };
            }
            return s;
        }
    }

    /** Without spans or replicates: sampling noise only, no rate test. */
    public static List<Shift> compare(StatsSnapshot a, StatsSnapshot b, boolean includeBlocking) {
        return compare(Significance.Sample.of(a, Double.NaN), Significance.Sample.of(b, Double.NaN), includeBlocking);
    }

    /** The percentiles whose shifts are scored and listed. */
    public static final List<Percentile> COMPARED = List.of(Percentile.P50, Percentile.P90, Percentile.P99);

    /** A versus B, each with its span and replicates (runs or windows) when it has them. */
    public static List<Shift> compare(Significance.Sample sa, Significance.Sample sb, boolean includeBlocking) {
        StatsSnapshot a = sa.pooled(), b = sb.pooled();
        Map<ExitKey, StatsSnapshot.Group> ma = index(a), mb = index(b);
        List<Map<ExitKey, StatsSnapshot.Group>> ra = new ArrayList<>(), rb = new ArrayList<>();
        for (Significance.Replicate r : sa.replicates()) ra.add(index(r.stats()));
        for (Significance.Replicate r : sb.replicates()) rb.add(index(r.stats()));
        List<List<Significance.Test>> tests = new ArrayList<>();
        Set<ExitKey> keys = new LinkedHashSet<>(ma.keySet());
        keys.addAll(mb.keySet());
        long ta = a.overheadNs(includeBlocking), tb = b.overheadNs(includeBlocking);
        List<Shift> out = new ArrayList<>();
        for (ExitKey k : keys) {
            StatsSnapshot.Group ga = ma.get(k), gb = mb.get(k);
            double shA = share(ga, ta, includeBlocking), shB = share(gb, tb, includeBlocking);
            double cd = ga == null || gb == null ? 1 : classDistance(ga, gb);
            double pl = 0;
            String pctWhy = null;
            if (ga != null && gb != null && ga.measured() > 0 && gb.measured() > 0) {
                for (Percentile q : COMPARED) {
                    double p = q.value;
                    long va = Math.max(1, ga.percentile(p)), vb = Math.max(1, gb.percentile(p));
                    double l = Math.abs(Math.log((double) vb / va) / Math.log(2));
                    if (l > pl) {
                        pl = l;
                        pctWhy = q.field + " " + Durations.format(ga.percentile(p)) + " -> " + Durations.format(gb.percentile(p))
                                + String.format(" (%+.0f%%)", 100.0 * (vb - va) / va);
                    }
                }
            }
            double score = cd + Math.abs(shB - shA) + Math.min(1, pl / 4);
            List<String> why = new ArrayList<>();
            if (ga == null) why.add("only in B (" + gb.count() + " exits)");
            else if (gb == null) why.add("only in A (" + ga.count() + " exits)");
            else {
                if (cd >= 0.05) why.add("class " + mix(ga) + " -> " + mix(gb));
                if (pctWhy != null && pl >= 0.1) why.add(pctWhy);
                if (ga.measured() > 0 && gb.measured() == 0) why.add("no longer timed (handled without the measured path)");
                if (ga.count() != gb.count()) why.add("count " + ga.count() + " -> " + gb.count());
            }
            if (Math.abs(shB - shA) >= 0.01) why.add("share of exit time " + Durations.percent(shA) + " -> " + Durations.percent(shB));
            if (why.isEmpty()) why.add("unchanged");
            out.add(new Shift(k, ga, gb, score, cd, shA, shB, pl, String.join("; ", why), List.of()));
            tests.add(k.blocking() && !includeBlocking ? List.of() : Significance.test(k, ga, gb, sa, sb, ra, rb));
        }
        List<List<Significance.Test>> judged = Significance.holm(tests);
        for (int i = 0; i < out.size(); i++) {
            Shift s = out.get(i);
            out.set(i, new Shift(s.key(), s.a(), s.b(), s.score(), s.classDistance(), s.shareA(), s.shareB(), s.percentileLog2(), s.why(),
                    judged.get(i)));
        }
        out.sort(Comparator.comparingDouble(Shift::significantScore).reversed().thenComparing(Comparator.comparingDouble(Shift::score).reversed())
                .thenComparing(s -> s.key().label()));
        return out;
    }

    /** A key missing on a side, or a blocking key not counted, has no share: 0 for the score. */
    private static double share(StatsSnapshot.Group g, long overheadNs, boolean includeBlocking) {
        double s = g == null ? 0 : StatsSnapshot.share(g, overheadNs, includeBlocking);
        return Double.isNaN(s) ? 0 : s;
    }

    private static Map<ExitKey, StatsSnapshot.Group> index(StatsSnapshot s) {
        Map<ExitKey, StatsSnapshot.Group> m = new HashMap<>();
        for (StatsSnapshot.Group g : s.groups()) m.put(g.key(), g);
        return m;
    }

    static double classDistance(StatsSnapshot.Group a, StatsSnapshot.Group b) {
        double d = 0;
        for (ExitClass c : ExitClass.values()) d += Math.abs(frac(a, c) - frac(b, c));
        return d / 2;
    }

    static double frac(StatsSnapshot.Group g, ExitClass c) {
        return g.count() == 0 ? 0 : (double) g.classCounts().getOrDefault(c, 0L) / g.count();
    }

    /** e.g. {@code userspace 100%} or {@code kernel 80%/userspace 20%}. */
    static String mix(StatsSnapshot.Group g) {
        StringBuilder sb = new StringBuilder();
        for (ExitClass c : ExitClass.values()) {
            double f = frac(g, c);
            if (f <= 0) continue;
            if (sb.length() > 0) sb.append('/');
            sb.append(c.label).append(' ').append(Math.round(f * 100)).append('%');
        }
        return sb.toString();
    }
}

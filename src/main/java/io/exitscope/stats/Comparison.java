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
 */
public final class Comparison {
    private Comparison() {}

    public record Shift(ExitKey key, StatsSnapshot.Group a, StatsSnapshot.Group b, double score, double classDistance,
                        double shareA, double shareB, double percentileLog2, String why) {}

    /** The percentiles whose shifts are scored and listed. */
    public static final List<Percentile> COMPARED = List.of(Percentile.P50, Percentile.P90, Percentile.P99);

    public static List<Shift> compare(StatsSnapshot a, StatsSnapshot b, boolean includeBlocking) {
        Map<ExitKey, StatsSnapshot.Group> ma = index(a), mb = index(b);
        Set<ExitKey> keys = new LinkedHashSet<>(ma.keySet());
        keys.addAll(mb.keySet());
        long ta = a.overheadNs(includeBlocking), tb = b.overheadNs(includeBlocking);
        List<Shift> out = new ArrayList<>();
        for (ExitKey k : keys) {
            StatsSnapshot.Group ga = ma.get(k), gb = mb.get(k);
            double sa = share(ga, ta, includeBlocking), sb = share(gb, tb, includeBlocking);
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
            double score = cd + Math.abs(sb - sa) + Math.min(1, pl / 4);
            List<String> why = new ArrayList<>();
            if (ga == null) why.add("only in B (" + gb.count() + " exits)");
            else if (gb == null) why.add("only in A (" + ga.count() + " exits)");
            else {
                if (cd >= 0.05) why.add("class " + mix(ga) + " -> " + mix(gb));
                if (pctWhy != null && pl >= 0.1) why.add(pctWhy);
                if (ga.measured() > 0 && gb.measured() == 0) why.add("no longer timed (handled without the measured path)");
                if (ga.count() != gb.count()) why.add("count " + ga.count() + " -> " + gb.count());
            }
            if (Math.abs(sb - sa) >= 0.01) why.add("share of exit time " + Durations.percent(sa) + " -> " + Durations.percent(sb));
            if (why.isEmpty()) why.add("unchanged");
            out.add(new Shift(k, ga, gb, score, cd, sa, sb, pl, String.join("; ", why)));
        }
        out.sort(Comparator.comparingDouble(Shift::score).reversed().thenComparing(s -> s.key().label()));
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

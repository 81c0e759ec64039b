package io.exitscope.stats;

import io.exitscope.exit.ExitClass;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable view of the statistics, grouped one way: what reports, screens and exports read.
 * Views never touch the live histograms; they get copies.
 */
public final class StatsSnapshot {
    private final GroupBy groupBy;
    private final List<Group> groups;

    /**
     * Most total time first, then most exits, then by label: the order of every table. Spelt out,
     * as the orders on a report's path are: Comparator's combinators are lambdas of java.base,
     * which Java 17's start-up archive does not hold, so each was spun at run time with the JDK's
     * class writer (six of them, 0.304 -> 0.308 s of a report on the bundled trace, -Xlog:class+load).
     */
    static final Comparator<Group> ORDER = (a, b) -> {
        int c = Long.compare(b.totalNs(), a.totalNs());
        if (c == 0) c = Long.compare(b.count(), a.count());
        return c != 0 ? c : a.key().label().compareTo(b.key().label());
    };

    StatsSnapshot(GroupBy groupBy, List<Group> groups) {
        this.groupBy = groupBy;
        List<Group> g = new ArrayList<>(groups);
        g.sort(ORDER);
        this.groups = List.copyOf(g);
    }

    /**
     * Fine groups regrouped under {@code by}, after a filter that may cut across the grouping (a
     * vCPU filter on a per-reason table): the same groups {@link ExitStats#snapshot} makes from its
     * cells (histograms add without loss), in the same order.
     */
    public static List<Group> regroup(Collection<Group> fine, GroupBy by, java.util.function.Predicate<ExitKey> keep) {
        Map<ExitKey, List<Group>> parts = new java.util.LinkedHashMap<>();
        for (Group g : fine) {
            if (keep.test(g.key())) parts.computeIfAbsent(g.key().under(by), k -> new ArrayList<>()).add(g);
        }
        List<Group> out = new ArrayList<>(parts.size());
        parts.forEach((k, l) -> out.add(Group.merge(k, l)));
        out.sort(ORDER);
        return out;
    }

    public GroupBy groupBy() {
        return groupBy;
    }

    /** Groups, most total time first. */
    public List<Group> groups() {
        return groups;
    }

    /**
     * Total measured time of non-blocking exits (the "overhead": the denominator of every share of
     * time), or of all exits when blocking (idle) exits are included.
     */
    public long overheadNs(boolean includeBlocking) {
        long s = 0;
        for (Group g : groups) if (includeBlocking || !g.blocking()) s += g.totalNs();
        return s;
    }

    /** {@code g}'s share of this snapshot's {@link #overheadNs overhead}; see {@link #share(Group, long, boolean)}. */
    public double share(Group g, boolean includeBlocking) {
        return share(g, overheadNs(includeBlocking), includeBlocking);
    }

    /**
     * The share of time of a group: its measured time over the overhead; NaN for a blocking group
     * when blocking exits are not counted (idle time is no share of the overhead), 0 when nothing
     * was measured.
     */
    public static double share(Group g, long overheadNs, boolean includeBlocking) {
        if (g.blocking() && !includeBlocking) return Double.NaN;
        return share(g.totalNs(), overheadNs);
    }

    /** {@code ns} as a fraction of {@code overheadNs}; 0 when nothing was measured. */
    public static double share(long ns, long overheadNs) {
        return overheadNs == 0 ? 0 : (double) ns / overheadNs;
    }

    public long exits() {
        long s = 0;
        for (Group g : groups) s += g.count();
        return s;
    }

    /** One group of exits with its latency distribution. */
    public record Group(ExitKey key, long count, long measured, Histogram histogram, long totalNs, long userspaceNs,
                        long kernelNs, Map<ExitClass, Long> classCounts, long requestsKnown, long requestsPending,
                        List<ExitStats.Slow> slowest, boolean blocking, Map<String, Long> subkeyCounts) {

        /** Groups merged into one under {@code key} (they fall under it); one group under its own key is itself. */
        public static Group merge(ExitKey key, List<Group> parts) {
            if (parts.size() == 1 && parts.get(0).key().equals(key)) return parts.get(0);
            Builder b = new Builder(key);
            for (Group g : parts) b.add(g);
            return b.build();
        }

        /** Latency at a percentile (0..100), ns; 0 when nothing was measured. */
        public long percentile(double p) {
            return measured == 0 ? 0 : histogram.getValueAtPercentile(p);
        }

        public long max() {
            return measured == 0 ? 0 : histogram.getMaxValue();
        }

        public long min() {
            return measured == 0 ? 0 : histogram.getMinValue();
        }

        public double mean() {
            return measured == 0 ? 0 : histogram.getMean();
        }

        /** The {@link Intervals#LEVEL} interval [low, high] of a percentile (0..100), ns; null when nothing was measured. */
        public long[] percentileCi(double p) {
            return measured == 0 ? null : Intervals.percentile(histogram, p, Intervals.LEVEL);
        }

        /** The {@link Intervals#LEVEL} interval [low, high] of the mean, ns; null under {@link Intervals#MEAN_MIN_COUNT} exits. */
        public double[] meanCi() {
            return measured == 0 ? null : Intervals.mean(histogram, Intervals.LEVEL);
        }

        /** The class when all exits of the group share one; else null (mixed). */
        public ExitClass dominantClass() {
            if (key.exitClass() != null) return key.exitClass();
            ExitClass best = null;
            long bestN = -1;
            for (Map.Entry<ExitClass, Long> e : classCounts.entrySet()) {
                if (e.getValue() > bestN) {
                    best = e.getKey();
                    bestN = e.getValue();
                }
            }
            return best;
        }

        public boolean mixedClass() {
            return key.exitClass() == null && classCounts.size() > 1;
        }

        /** The class as tables and JSON name it: the key's, {@code mixed}, the only one seen, or {@code -}. */
        public String classLabel() {
            if (key.exitClass() != null) return key.exitClass().label;
            if (mixedClass()) return "mixed";
            ExitClass c = dominantClass();
            return c == null ? "-" : c.label;
        }

        static final class Builder {
            final ExitKey key;
            long count, measured, totalNs, userspaceNs, kernelNs, requestsKnown, requestsPending;
            final Histogram histogram = ExitStats.newHistogram();
            final Map<ExitClass, Long> classCounts = new EnumMap<>(ExitClass.class);
            final List<ExitStats.Slow> slowest = new ArrayList<>();
            final Map<String, Long> subkeys = new TreeMap<>();
            boolean blocking;

            Builder(ExitKey key) {
                this.key = key;
                this.blocking = key.blocking();
            }

            void add(ExitKey f, long count, long measured, Histogram h, long totalNs, long us, long kernel,
                     long reqKnown, long reqPending, Collection<ExitStats.Slow> slow, boolean blocking) {
                this.count += count;
                this.measured += measured;
                this.totalNs += totalNs;
                this.userspaceNs += us;
                this.kernelNs += kernel;
                this.requestsKnown += reqKnown;
                this.requestsPending += reqPending;
                if (h.getTotalCount() > 0) histogram.add(h);
                classCounts.merge(f.exitClass(), count, Long::sum);
                slowest.addAll(slow);
                if (f.subkey() != null) subkeys.merge(f.subkey(), count, Long::sum);
                this.blocking = key.blocking();
            }

            /** A whole group (its class and subkey counts as they are). */
            void add(Group g) {
                count += g.count;
                measured += g.measured;
                totalNs += g.totalNs;
                userspaceNs += g.userspaceNs;
                kernelNs += g.kernelNs;
                requestsKnown += g.requestsKnown;
                requestsPending += g.requestsPending;
                if (g.histogram.getTotalCount() > 0) histogram.add(g.histogram);
                g.classCounts.forEach((c, n) -> {
                    if (n > 0) classCounts.merge(c, n, Long::sum); // not the placeholder of a group without classes
                });
                slowest.addAll(g.slowest);
                g.subkeyCounts.forEach((sk, n) -> subkeys.merge(sk, n, Long::sum));
                blocking = key.blocking();
            }

            Group build() {
                slowest.sort((a, b) -> Long.compare(b.latencyNs(), a.latencyNs()));   // slowest first (see ORDER)
                List<ExitStats.Slow> top = List.copyOf(slowest.subList(0, Math.min(ExitStats.SLOWEST_KEPT, slowest.size())));
                return new Group(key, count, measured, histogram, totalNs, userspaceNs, kernelNs,
                        java.util.Collections.unmodifiableMap(new EnumMap<>(classCounts.isEmpty() ? Map.of(ExitClass.KERNEL, 0L) : classCounts)),
                        requestsKnown, requestsPending, top, blocking, java.util.Collections.unmodifiableMap(subkeys));
            }
        }
    }
}

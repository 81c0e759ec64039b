package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Regroups the finest snapshot into any grouping, exactly as {@link ExitStats#snapshot} would
 * (histograms add without loss), after filters that may cut across the grouping (a vCPU filter
 * on a per-reason table). Runs on the UI thread over immutable data.
 */
final class Agg {
    private Agg() {}

    /** The key a fine key falls under in a grouping (the same projection as ExitStats). */
    static ExitKey project(ExitKey f, GroupBy by) {
        boolean r = by.has(GroupBy.Dim.REASON);
        return new ExitKey(r ? f.reason() : null, r ? f.reasonCode() : -1,
                by.has(GroupBy.Dim.CLASS) ? f.exitClass() : null,
                by.has(GroupBy.Dim.SUBKEY) ? f.subkey() : null,
                by.has(GroupBy.Dim.VCPU) ? f.vcpu() : null,
                by.has(GroupBy.Dim.VM) ? f.vm() : null,
                f.blocking());
    }

    static List<StatsSnapshot.Group> aggregate(Collection<StatsSnapshot.Group> fine, GroupBy by, Predicate<ExitKey> keep) {
        Map<ExitKey, List<StatsSnapshot.Group>> parts = new LinkedHashMap<>();
        for (StatsSnapshot.Group g : fine) {
            if (!keep.test(g.key())) continue;
            parts.computeIfAbsent(project(g.key(), by), k -> new ArrayList<>()).add(g);
        }
        List<StatsSnapshot.Group> out = new ArrayList<>(parts.size());
        parts.forEach((k, v) -> out.add(merge(k, v)));
        out.sort(Comparator.comparingLong(StatsSnapshot.Group::totalNs).reversed()
                .thenComparing(Comparator.comparingLong(StatsSnapshot.Group::count).reversed())
                .thenComparing(x -> x.key().label()));
        return out;
    }

    /** Fine groups that fall under {@code key} in grouping {@code by} and pass {@code keep}. */
    static List<StatsSnapshot.Group> members(Collection<StatsSnapshot.Group> fine, ExitKey key, GroupBy by, Predicate<ExitKey> keep) {
        List<StatsSnapshot.Group> out = new ArrayList<>();
        for (StatsSnapshot.Group g : fine) if (keep.test(g.key()) && project(g.key(), by).equals(key)) out.add(g);
        return out;
    }

    static StatsSnapshot.Group merge(ExitKey key, List<StatsSnapshot.Group> parts) {
        if (parts.size() == 1 && parts.get(0).key().equals(key)) return parts.get(0);
        long count = 0, measured = 0, total = 0, us = 0, kernel = 0, rk = 0, rp = 0;
        Histogram h = ExitStats.newHistogram();
        Map<ExitClass, Long> classes = new EnumMap<>(ExitClass.class);
        List<ExitStats.Slow> slow = new ArrayList<>();
        Map<String, Long> subkeys = new TreeMap<>();
        for (StatsSnapshot.Group g : parts) {
            count += g.count();
            measured += g.measured();
            total += g.totalNs();
            us += g.userspaceNs();
            kernel += g.kernelNs();
            rk += g.requestsKnown();
            rp += g.requestsPending();
            if (g.histogram().getTotalCount() > 0) h.add(g.histogram());
            g.classCounts().forEach((c, n) -> {
                if (n > 0) classes.merge(c, n, Long::sum);
            });
            slow.addAll(g.slowest());
            g.subkeyCounts().forEach((s, n) -> subkeys.merge(s, n, Long::sum));
        }
        slow.sort(Comparator.comparingLong(ExitStats.Slow::latencyNs).reversed());
        List<ExitStats.Slow> top = List.copyOf(slow.subList(0, Math.min(ExitStats.SLOWEST_KEPT, slow.size())));
        if (classes.isEmpty()) classes.put(ExitClass.KERNEL, 0L);
        return new StatsSnapshot.Group(key, count, measured, h, total, us, kernel, Collections.unmodifiableMap(classes), rk, rp, top,
                key.blocking(), Collections.unmodifiableMap(subkeys));
    }

    /** The row text of a key: reason, subkey, VM, vCPU (the class has its own column). */
    static String keyText(ExitKey k) {
        StringBuilder sb = new StringBuilder();
        if (k.reason() != null) sb.append(k.reason());
        if (k.subkey() != null) sb.append(sb.length() > 0 ? " " : "").append(k.subkey());
        if (k.vm() != null) sb.append(sb.length() > 0 ? " " : "").append("vm ").append(k.vm());
        if (k.vcpu() != null) sb.append(sb.length() > 0 ? " " : "").append(k.vcpu().startsWith("tid ") ? "" : "vcpu ").append(k.vcpu());
        if (sb.length() == 0) sb.append("all exits");
        return sb.toString();
    }

    /** Fraction of a group's exits in a class. */
    static double classFraction(StatsSnapshot.Group g, ExitClass c) {
        long n = 0;
        for (long v : g.classCounts().values()) n += v;
        return n == 0 ? 0 : (double) g.classCounts().getOrDefault(c, 0L) / n;
    }

    /** The single class of a group, or null when its exits are of several classes. */
    static ExitClass singleClass(StatsSnapshot.Group g) {
        if (g.key().exitClass() != null) return g.key().exitClass();
        ExitClass only = null;
        for (Map.Entry<ExitClass, Long> e : g.classCounts().entrySet()) {
            if (e.getValue() <= 0) continue;
            if (only != null) return null;
            only = e.getKey();
        }
        return only;
    }
}

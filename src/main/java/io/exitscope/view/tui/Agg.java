package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The table's groupings of the finest snapshot ({@link StatsSnapshot#regroup}) and the texts of
 * their keys. Runs on the UI thread over immutable data.
 */
final class Agg {
    private Agg() {}

    /** Fine groups that fall under {@code key} in grouping {@code by} and pass {@code keep}. */
    static List<StatsSnapshot.Group> members(Collection<StatsSnapshot.Group> fine, ExitKey key, GroupBy by, Predicate<ExitKey> keep) {
        List<StatsSnapshot.Group> out = new ArrayList<>();
        for (StatsSnapshot.Group g : fine) if (keep.test(g.key()) && g.key().under(by).equals(key)) out.add(g);
        return out;
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

package io.exitscope.stats;

import com.fasterxml.jackson.core.JsonGenerator;
import io.exitscope.exit.ExitClass;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The JSON of a group (README "JSON output"), written by report, model and compare alike:
 * {@code reason, reason_code, class, [subkey, vcpu, vm], count, measured, total_ns, share,
 * p50_ns … p999_ns, max_ns, blocking, class_counts, userspace_ns}. Times are integer ns;
 * percentiles are null for a group whose exits could not be timed.
 */
public final class GroupJson {
    private GroupJson() {}

    /**
     * The fields of one group, inside an object the caller opened (so it can add its own after).
     *
     * @param share          the group's share of time, NaN when it has none (written as null)
     * @param nameSoleSubkey a group whose exits all share one subkey names it, whatever the grouping
     */
    public static void fields(JsonGenerator g, StatsSnapshot.Group grp, double share, boolean nameSoleSubkey) throws IOException {
        ExitKey k = grp.key();
        g.writeStringField("reason", k.reason() != null ? k.reason() : "all");
        g.writeNumberField("reason_code", k.reason() != null ? k.reasonCode() : -1);
        g.writeStringField("class", grp.classLabel());
        if (k.subkey() != null) g.writeStringField("subkey", k.subkey());
        else if (nameSoleSubkey && grp.subkeyCounts().size() == 1) g.writeStringField("subkey", grp.subkeyCounts().keySet().iterator().next());
        if (k.vcpu() != null) g.writeStringField("vcpu", k.vcpu());
        if (k.vm() != null) g.writeStringField("vm", k.vm());
        g.writeNumberField("count", grp.count());
        g.writeNumberField("measured", grp.measured());
        g.writeNumberField("total_ns", grp.totalNs());
        share(g, share);
        percentiles(g, "", grp.measured() > 0 ? grp.histogram() : null, Percentile.SHOWN, true, true);
        g.writeBooleanField("blocking", grp.blocking());
        classCounts(g, "", grp.classCounts());
        g.writeNumberField("userspace_ns", grp.userspaceNs());
    }

    /** {@code share} rounded to 6 places, or null when NaN. */
    public static void share(JsonGenerator g, double share) throws IOException {
        if (Double.isNaN(share)) g.writeNullField("share");
        else g.writeNumberField("share", Math.round(share * 1e6) / 1e6);
    }

    /**
     * {@code PREFIXp50_ns} … for each of {@code which} (and {@code PREFIXmax_ns}); all null when
     * {@code h} is null (nothing timed). With {@code ci}, each percentile is followed by its
     * {@link Intervals#LEVEL} interval {@code PREFIXp50_ns_ci: [low, high]} ({@code high} null when
     * too few exits lie above the percentile to bound it).
     */
    public static void percentiles(JsonGenerator g, String prefix, Histogram h, List<Percentile> which, boolean max, boolean ci)
            throws IOException {
        long[][] cis = ci && h != null ? Intervals.percentiles(h, which.stream().mapToDouble(p -> p.value).toArray(), Intervals.LEVEL) : null;
        for (int i = 0; i < which.size(); i++) {
            String name = prefix + which.get(i).nsField();
            if (h != null) g.writeNumberField(name, h.getValueAtPercentile(which.get(i).value));
            else g.writeNullField(name);
            if (ci) interval(g, name + "_ci", cis == null ? null : cis[i]);
        }
        if (max) {
            if (h != null) g.writeNumberField(prefix + "max_ns", h.getMaxValue());
            else g.writeNullField(prefix + "max_ns");
        }
    }

    /** {@code NAME: [low, high]}, high null when unbounded; null without an interval. */
    public static void interval(JsonGenerator g, String name, long[] ci) throws IOException {
        if (ci == null) {
            g.writeNullField(name);
            return;
        }
        g.writeArrayFieldStart(name);
        g.writeNumber(ci[0]);
        if (ci[1] == Intervals.UNBOUNDED) g.writeNull();
        else g.writeNumber(ci[1]);
        g.writeEndArray();
    }

    /** {@code PREFIXclass_counts}: exits per class label. */
    public static void classCounts(JsonGenerator g, String prefix, Map<ExitClass, Long> counts) throws IOException {
        g.writeObjectFieldStart(prefix + "class_counts");
        for (Map.Entry<ExitClass, Long> e : counts.entrySet()) g.writeNumberField(e.getKey().label, e.getValue());
        g.writeEndObject();
    }
}

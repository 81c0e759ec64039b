package io.exitscope.view.report;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.Intervals;
import io.exitscope.stats.Percentile;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The human report: header, one row per group, blocking exits apart, optimization evidence. */
public final class TableReport {
    private TableReport() {}

    /**
     * The reasons of the incomplete exits, most first, as {@code "HLT 300, EPT_MISCONFIG 12"}:
     * at most {@code max} of them and then {@code +N more}; empty when there are none.
     */
    static String incompleteReasons(Map<String, Long> byReason, int max) {
        List<Map.Entry<String, Long>> l = new ArrayList<>(byReason.entrySet());
        l.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < l.size() && i < max; i++) {
            if (i > 0) sb.append(", ");
            sb.append(l.get(i).getKey()).append(' ').append(l.get(i).getValue());
        }
        if (l.size() > max) sb.append(", +").append(l.size() - max).append(" more");
        return sb.toString();
    }

    public static void write(ReportData d, PrintWriter w) {
        write(d, w, false);
    }

    /** @param ci each percentile followed by its 95 % confidence interval (see {@link Intervals}) */
    public static void write(ReportData d, PrintWriter w, boolean ci) {
        AnalysisResult r = d.result;
        for (TraceInfo i : r.sources()) {
            w.printf("source     %s (%s%s, clock %s, %s CPUs)%s%n", i.path(), i.format(),
                    i.fileVersion() > 0 ? " v" + i.fileVersion() + " " + i.compression() : "",
                    i.clock() == null ? "?" : i.clock(), i.cpus() > 0 ? String.valueOf(i.cpus()) : "?", i.synthetic() ? "  ** SIMULATED DATA **" : "");
        }
        w.printf("events     %d   exits %d   incomplete %d   lost events %d%s   span %s%n", r.events(), r.exits(),
                r.incompleteExits(), r.lostEvents(), r.lostUnknownPages() > 0 ? " (+" + r.lostUnknownPages() + " pages, count unknown)" : "",
                Durations.format(r.lastTs() - r.firstTs()));
        if (r.incompleteExits() > 0) {
            w.printf("incomplete %s (no re-entry seen: counted, not timed)%n", incompleteReasons(r.incompleteByReason(), 6));
        }
        if (r.truncatedAtStart() > 0) {
            w.printf("truncated  %d vCPU thread%s began inside an exit (at the trace start or after lost events): counted once, not as exits%n",
                    r.truncatedAtStart(), r.truncatedAtStart() == 1 ? "" : "s");
        }
        if (r.damagedLines() > 0) {
            w.printf("damaged    %d line%s could not be read (first at line %d): cut short, not counted as events%n",
                    r.damagedLines(), r.damagedLines() == 1 ? "" : "s", r.firstDamagedLine());
        }
        if (r.partial()) w.println("PARTIAL    events were lost: counts are lower bounds and exits around the losses were dropped");
        w.printf("measure    %s%n", d.measureText());
        if (d.unknownClassText() != null) w.printf("class      %s%n", d.unknownClassText());
        w.printf("grouping   %s; %%TIME is the share of measured exit time%s%n%s", d.options.groupBy(),
                d.options.includeBlocking() ? " including blocking exits" : ", blocking (idle) exits excluded",
                ci ? String.format("intervals  %.0f%% confidence, distribution-free (order statistics of the histogram)%n%n", Intervals.LEVEL * 100)
                        : String.format("%n"));
        List<StatsSnapshot.Group> main = d.groups.stream().filter(g -> !g.blocking() || d.options.includeBlocking()).toList();
        List<StatsSnapshot.Group> idle = d.groups.stream().filter(g -> g.blocking() && !d.options.includeBlocking()).toList();
        int keyWidth = 12;
        for (StatsSnapshot.Group g : d.groups) keyWidth = Math.max(keyWidth, keyText(g).length());
        keyWidth = Math.min(keyWidth, 48);
        header(w, keyWidth, ci);
        for (StatsSnapshot.Group g : main) row(w, d, g, keyWidth, ci);
        if (main.isEmpty()) w.println("(no exits)");
        if (!idle.isEmpty()) {
            w.printf("%nblocking exits (guest idle; not in %%TIME):%n");
            header(w, keyWidth, ci);
            for (StatsSnapshot.Group g : idle) row(w, d, g, keyWidth, ci);
        }
        w.printf("%noptimizations%n");
        for (String[] e : d.evidence()) w.printf("  %-11s %s%n", e[0], e[1]);
    }

    static String keyText(StatsSnapshot.Group g) {
        StringBuilder sb = new StringBuilder();
        var k = g.key();
        if (k.reason() != null) sb.append(k.reason());
        if (k.subkey() != null) sb.append(sb.length() > 0 ? " " : "").append(k.subkey());
        if (k.vm() != null) sb.append(sb.length() > 0 ? " " : "").append("vm ").append(k.vm());
        if (k.vcpu() != null) sb.append(sb.length() > 0 ? " " : "").append("vcpu ").append(k.vcpu());
        if (sb.length() == 0) sb.append("all");
        return sb.toString();
    }

    /** Width of a percentile's interval in a table with intervals. */
    private static final int CI_WIDTH = 16;
    private static final double[] SHOWN_VALUES = Percentile.SHOWN.stream().mapToDouble(p -> p.value).toArray();

    private static void header(PrintWriter w, int kw, boolean ci) {
        w.printf("%-" + kw + "s %-9s %10s %6s", "KEY", "CLASS", "COUNT", "%TIME");
        for (Percentile p : Percentile.SHOWN) {
            w.printf(" %8s", p.header);
            if (ci) w.printf(" %-" + CI_WIDTH + "s", "(95% CI)");
        }
        w.printf(" %8s%n", "MAX");
    }

    private static void row(PrintWriter w, ReportData d, StatsSnapshot.Group g, int kw, boolean ci) {
        String key = keyText(g);
        if (key.length() > kw) key = key.substring(0, kw - 1) + "~";
        boolean timed = g.measured() > 0;
        w.printf("%-" + kw + "s %-9s %10d %6s", key, d.classLabel(g), g.count(), Durations.percent(d.share(g)));
        long[][] cis = ci && timed ? Intervals.percentiles(g.histogram(), SHOWN_VALUES, Intervals.LEVEL) : null;
        for (int i = 0; i < Percentile.SHOWN.size(); i++) {
            w.printf(" %8s", timed ? Durations.format(g.percentile(Percentile.SHOWN.get(i).value)) : "-");
            if (ci) w.printf(" %-" + CI_WIDTH + "s", cis == null ? "-" : Durations.interval(cis[i]));
        }
        w.printf(" %8s%n", timed ? Durations.format(g.max()) : "-");
    }
}

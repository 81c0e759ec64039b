package io.exitscope.view.report;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.Intervals;
import io.exitscope.stats.Percentile;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Decimals;
import io.exitscope.util.Durations;
import io.exitscope.view.Columns;

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
        l.sort((a, b) -> {   // most first, then by name (spelt out: see StatsSnapshot.ORDER)
            int c = Long.compare(b.getValue(), a.getValue());
            return c != 0 ? c : a.getKey().compareTo(b.getKey());
        });
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

    /**
     * @param ci each percentile followed by its 95 % confidence interval (see {@link Intervals})
     *
     * <p>Lines are appended, not printf'd: the whole report is written without a Formatter (see
     * {@link Columns}). Line ends are {@code \n}, as {@code %n} is on Linux.
     */
    public static void write(ReportData d, PrintWriter w, boolean ci) {
        AnalysisResult r = d.result;
        for (TraceInfo i : r.sources()) {
            w.print("source     " + i.path() + " (" + i.format()
                    + (i.fileVersion() > 0 ? " v" + i.fileVersion() + " " + i.compression() : "")
                    + ", clock " + (i.clock() == null ? "?" : i.clock()) + ", " + (i.cpus() > 0 ? String.valueOf(i.cpus()) : "?") + " CPUs)"
                    + (i.synthetic() ? "  ** SIMULATED DATA **" : "") + "\n");
        }
        w.print("events     " + r.events() + "   exits " + r.exits() + "   incomplete " + r.incompleteExits() + "   lost events " + r.lostEvents()
                + (r.lostUnknownPages() > 0 ? " (+" + r.lostUnknownPages() + " pages, count unknown)" : "")
                + "   span " + Durations.format(r.lastTs() - r.firstTs()) + "\n");
        if (r.incompleteExits() > 0) {
            w.print("incomplete " + incompleteReasons(r.incompleteByReason(), 6) + " (no re-entry seen: counted, not timed)\n");
        }
        if (r.truncatedAtStart() > 0) {
            w.print("truncated  " + r.truncatedAtStart() + " vCPU thread" + (r.truncatedAtStart() == 1 ? "" : "s")
                    + " began inside an exit (at the trace start or after lost events): counted once, not as exits\n");
        }
        if (r.damagedLines() > 0) {
            w.print("damaged    " + r.damagedLines() + " line" + (r.damagedLines() == 1 ? "" : "s") + " could not be read (first at line "
                    + r.firstDamagedLine() + "): cut short, not counted as events\n");
        }
        if (r.partial()) w.print("PARTIAL    events were lost: counts are lower bounds and exits around the losses were dropped\n");
        w.print("measure    " + d.measureText() + "\n");
        if (d.unknownClassText() != null) w.print("class      " + d.unknownClassText() + "\n");
        w.print("grouping   " + d.options.groupBy() + "; %TIME is the share of measured exit time"
                + (d.options.includeBlocking() ? " including blocking exits" : ", blocking (idle) exits excluded") + "\n"
                + (ci ? "intervals  " + Decimals.fixed(Intervals.LEVEL * 100, 0) + "% confidence, distribution-free (order statistics of the histogram)\n\n"
                        : "\n"));
        List<StatsSnapshot.Group> main = d.groups.stream().filter(g -> !g.blocking() || d.options.includeBlocking()).toList();
        List<StatsSnapshot.Group> idle = d.groups.stream().filter(g -> g.blocking() && !d.options.includeBlocking()).toList();
        int keyWidth = 12;
        for (StatsSnapshot.Group g : d.groups) keyWidth = Math.max(keyWidth, keyText(g).length());
        keyWidth = Math.min(keyWidth, 48);
        header(w, keyWidth, ci);
        for (StatsSnapshot.Group g : main) row(w, d, g, keyWidth, ci);
        if (main.isEmpty()) w.print("(no exits)\n");
        if (!idle.isEmpty()) {
            w.print("\nblocking exits (guest idle; not in %TIME):\n");
            header(w, keyWidth, ci);
            for (StatsSnapshot.Group g : idle) row(w, d, g, keyWidth, ci);
        }
        w.print("\noptimizations\n");
        for (String[] e : d.evidence()) w.print(Columns.left(new StringBuilder("  "), e[0], 11).append(' ').append(e[1]).append('\n'));
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
        StringBuilder sb = new StringBuilder(160);
        Columns.left(sb, "KEY", kw).append(' ');
        Columns.left(sb, "CLASS", 9).append(' ');
        Columns.right(sb, "COUNT", 10).append(' ');
        Columns.right(sb, "%TIME", 6);
        for (Percentile p : Percentile.SHOWN) {
            Columns.right(sb.append(' '), p.header, 8);
            if (ci) Columns.left(sb.append(' '), "(95% CI)", CI_WIDTH);
        }
        Columns.right(sb.append(' '), "MAX", 8);
        w.print(sb.append('\n'));
    }

    private static void row(PrintWriter w, ReportData d, StatsSnapshot.Group g, int kw, boolean ci) {
        String key = keyText(g);
        if (key.length() > kw) key = key.substring(0, kw - 1) + "~";
        boolean timed = g.measured() > 0;
        StringBuilder sb = new StringBuilder(160);
        Columns.left(sb, key, kw).append(' ');
        Columns.left(sb, d.classLabel(g), 9).append(' ');
        Columns.right(sb, Long.toString(g.count()), 10).append(' ');
        Columns.right(sb, Durations.percent(d.share(g)), 6);
        long[][] cis = ci && timed ? Intervals.percentiles(g.histogram(), SHOWN_VALUES, Intervals.LEVEL) : null;
        for (int i = 0; i < Percentile.SHOWN.size(); i++) {
            Columns.right(sb.append(' '), timed ? Durations.format(g.percentile(Percentile.SHOWN.get(i).value)) : "-", 8);
            if (ci) Columns.left(sb.append(' '), cis == null ? "-" : Durations.interval(cis[i]), CI_WIDTH);
        }
        Columns.right(sb.append(' '), timed ? Durations.format(g.max()) : "-", 8);
        w.print(sb.append('\n'));
    }
}

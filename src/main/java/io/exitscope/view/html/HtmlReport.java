package io.exitscope.view.html;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.evidence.OptimizationEvidence;
import io.exitscope.exit.Measure;
import io.exitscope.source.TraceInfo;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.triage.Finding;
import io.exitscope.triage.TriageReport;
import io.exitscope.util.Durations;
import io.exitscope.view.Heatmap;
import io.exitscope.view.LogBuckets;
import io.exitscope.view.report.ReportData;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * {@code report --format html} and {@code compare --format html}: one self-contained page
 * (inline CSS and SVG; no script, no fonts, nothing fetched) with the report table, a latency
 * histogram per key, the heatmap of exit latency over time, the optimization evidence, the
 * triage findings, and the source's facts and lost events. Every figure the JSON report has is
 * also in an attribute ({@code data-field} with the JSON name, {@code data-value} with the exact
 * JSON value), so a test can hold the page to the JSON.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** Histograms drawn at most (a grouping by subkey can have hundreds of keys; the table has them all). */
    static final int MAX_HISTOGRAMS = 40;
    static final String[] HEAT = {"#deebf7", "#9ecae1", "#4292c6", "#fdae61", "#f46d43", "#a50026"};

    /** One analysed input: the report's numbers, its heatmap and its triage. */
    public record Part(String title, ReportData data, Heatmap.Timeline heatmap, TriageReport triage) {}

    public static void write(Part p, Writer w) throws IOException {
        Html h = new Html();
        head(h, "exitscope report: " + p.data().result.sourceLabel());
        h.raw("<h1>exitscope report</h1>\n");
        h.raw("<div data-side=\"report\">\n");
        part(h, p, "");
        h.raw("</div>\n");
        foot(h);
        w.write(h.toString());
        w.flush();
    }

    /** Baseline and current side by side, the ranked shifts first. */
    public static void writeCompare(Part a, Part b, List<Comparison.Shift> shifts, String groupBy, Writer w) throws IOException {
        Html h = new Html();
        head(h, "exitscope compare: " + a.data().result.sourceLabel() + " vs " + b.data().result.sourceLabel());
        h.raw("<h1>exitscope compare</h1>\n");
        h.raw("<p>A (baseline): ").text(a.title()).raw("<br>B (current): ").text(b.title()).raw("<br>grouped by ").text(groupBy).raw("</p>\n");
        h.raw("<section><h2>What moved, ranked</h2>\n<table class=\"num\"><thead><tr><th>#</th><th>key</th><th>count A</th><th>count B</th>"
                + "<th>p50 A</th><th>p50 B</th><th>p99 A</th><th>p99 B</th><th>score</th><th>why</th></tr></thead><tbody>\n");
        int rank = 0;
        for (Comparison.Shift s : shifts) {
            h.raw("<tr data-shift=\"" + (++rank) + "\">");
            h.raw("<td>" + rank + "</td>");
            h.el("td", Html.attr("data-field", "key") + " " + Html.attr("data-value", s.key().label()) + " class=\"key\"", s.key().label());
            h.el("td", field("a_count", Long.toString(s.a() == null ? 0 : s.a().count())), count(s.a() == null ? 0 : s.a().count()));
            h.el("td", field("b_count", Long.toString(s.b() == null ? 0 : s.b().count())), count(s.b() == null ? 0 : s.b().count()));
            for (int q : new int[]{50, 99}) {
                for (String side : new String[]{"a", "b"}) {
                    StatsSnapshot.Group g = side.equals("a") ? s.a() : s.b();
                    boolean t = g != null && g.measured() > 0;
                    long v = t ? g.percentile(q) : 0;
                    h.el("td", field(side + "_p" + q + "_ns", t ? Long.toString(v) : "null"), t ? Durations.format(v) : "-");
                }
            }
            double sc = Math.round(s.score() * 1000) / 1000.0;
            h.el("td", field("score", Double.toString(sc)), String.format(java.util.Locale.ROOT, "%.2f", s.score()));
            h.el("td", "class=\"why\"", s.why());
            h.raw("</tr>\n");
        }
        h.raw("</tbody></table></section>\n");
        h.raw("<div class=\"pair\">\n<div class=\"side\" data-side=\"a\">\n<h2 class=\"sidehead\">A (baseline)</h2>\n");
        part(h, a, "a-");
        h.raw("</div>\n<div class=\"side\" data-side=\"b\">\n<h2 class=\"sidehead\">B (current)</h2>\n");
        part(h, b, "b-");
        h.raw("</div>\n</div>\n");
        foot(h);
        w.write(h.toString());
        w.flush();
    }

    private static void head(Html h, String title) {
        h.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").text(title).raw("</title>\n<style>\n");
        h.raw("""
                body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;margin:24px;max-width:1400px}
                h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:22px 0 8px;border-bottom:1px solid #ccd;padding-bottom:3px}
                h3{font-size:14px;margin:10px 0 4px}
                table{border-collapse:collapse;margin:4px 0 10px}th,td{padding:2px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
                th{background:#f0f3f6;font-weight:600}table.num td{text-align:right;font-variant-numeric:tabular-nums}
                table.num td.key,table.num td.why,table.num td.txt{text-align:left}
                .alarm{background:#b00020;color:#fff;font-weight:700;padding:2px 6px}.warn{color:#8a5a00;font-weight:700}
                .muted{color:#5c6670}.pair{display:grid;grid-template-columns:1fr 1fr;gap:24px}.side{min-width:0;overflow-x:auto}
                .hists{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:6px 18px}
                .hist{break-inside:avoid}svg text{font:11px system-ui,sans-serif;fill:#333}
                section{break-inside:auto}figure{margin:0;break-inside:avoid}
                @media print{body{margin:8mm;font-size:11px}.pair{grid-template-columns:1fr 1fr}h2{break-after:avoid}}
                """);
        h.raw("</style>\n</head>\n<body>\n");
    }

    private static void foot(Html h) {
        h.raw("<p class=\"muted\">Written by exitscope. Times are exit latencies (see the measure above), in ns in the attributes, "
                + "rounded to three digits in the text.</p>\n</body>\n</html>\n");
    }

    private static String field(String name, String value) {
        return Html.attr("data-field", name) + " " + Html.attr("data-value", value);
    }

    private static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    private static void part(Html h, Part p, String idPrefix) {
        ReportData d = p.data();
        AnalysisResult r = d.result;
        // source facts and the figures that qualify every other one
        h.raw("<section><h2>Source</h2>\n");
        if (r.synthetic()) h.raw("<p class=\"warn\">SIMULATED DATA: written by exitscope simulate, not recorded on a host</p>\n");
        if (r.partial()) h.raw("<p><span class=\"alarm\">LOST ").text(count(r.lostEvents())).raw(" EVENTS</span> every figure is a lower bound</p>\n");
        h.raw("<table>\n");
        for (TraceInfo i : r.sources()) {
            row(h, "file", i.path());
            row(h, "format", i.format() + (i.fileVersion() > 0 ? " v" + i.fileVersion() : "") + (i.compression() == null || i.compression().isEmpty() ? "" : ", " + i.compression())
                    + (i.bigEndian() ? ", big endian" : ""));
            row(h, "clock", (i.clock() == null ? "?" : i.clock()) + (i.nanosecondClock() ? "" : " (counter ticks, not ns)"));
            row(h, "CPUs", Integer.toString(i.cpus()));
            if (i.uname() != null && !i.uname().isEmpty()) row(h, "host", i.uname());
        }
        fact(h, "events", r.events());
        fact(h, "exits", r.exits());
        fact(h, "incomplete_exits", r.incompleteExits());
        if (!r.incompleteByReason().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            r.incompleteByReason().forEach((k, n) -> sb.append(sb.length() > 0 ? ", " : "").append(k).append(' ').append(n));
            row(h, "incomplete by reason", sb.toString());
        }
        fact(h, "lost_events", r.lostEvents());
        if (!r.lostByCpu().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<Integer, Long> e : r.lostByCpu().entrySet()) sb.append(sb.length() > 0 ? ", " : "").append("cpu ").append(e.getKey()).append(": ").append(e.getValue());
            row(h, "lost by CPU", sb.toString());
        }
        h.raw("<tr><th>partial</th>").el("td", field("partial", Boolean.toString(r.partial())), r.partial() ? "yes: events were lost" : "no").raw("</tr>\n");
        h.raw("<tr><th>measure</th><td>").text(d.measureText()).raw("</td></tr>\n");
        StringBuilder ms = new StringBuilder();
        for (Measure m : r.measures()) ms.append(ms.length() > 0 ? ", " : "").append(m.label);
        h.raw("<tr><th>span</th>").el("td", field("span_ns", Long.toString(r.lastTs() - r.firstTs())),
                Durations.format(r.lastTs() - r.firstTs()) + " (first " + r.firstTs() + ", last " + r.lastTs() + ")").raw("</tr>\n");
        h.raw("<tr><th>grouped by</th>").el("td", field("group_by", d.options.groupBy().toString()), d.options.groupBy().toString()).raw("</tr>\n");
        h.raw("</table></section>\n");

        // the report table, as the JSON's groups
        h.raw("<section><h2>Exits by key</h2>\n<table class=\"num\"><thead><tr><th>key</th><th>class</th><th>count</th><th>timed</th>"
                + "<th>%time</th><th>total</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>\n");
        int gi = 0;
        for (StatsSnapshot.Group g : d.groups) {
            var k = g.key();
            h.raw("<tr data-group=\"" + (gi++) + "\"" + (g.blocking() ? " class=\"muted\"" : "") + ">");
            String reason = k.reason() != null ? k.reason() : "all";
            h.raw("<td class=\"key\"><span " + field("reason", reason) + ">").text(reason).raw("</span>");
            // as in the JSON: a group whose exits all share one subkey names it, whatever the grouping
            String subkey = k.subkey() != null ? k.subkey() : g.subkeyCounts().size() == 1 ? g.subkeyCounts().keySet().iterator().next() : null;
            if (subkey != null) h.raw(" <span " + field("subkey", subkey) + ">").text(subkey).raw("</span>");
            if (k.vm() != null) h.raw(" vm <span " + field("vm", k.vm()) + ">").text(k.vm()).raw("</span>");
            if (k.vcpu() != null) h.raw(" vcpu <span " + field("vcpu", k.vcpu()) + ">").text(k.vcpu()).raw("</span>");
            if (g.blocking()) h.raw(" (blocking)");
            h.raw("</td>");
            h.el("td", "class=\"txt\" " + field("class", d.classLabel(g)), d.classLabel(g));
            h.el("td", field("count", Long.toString(g.count())), count(g.count()));
            h.el("td", field("measured", Long.toString(g.measured())), count(g.measured()));
            double share = d.share(g);
            h.el("td", field("share", Double.isNaN(share) ? "null" : Double.toString(Math.round(share * 1e6) / 1e6)), Durations.percent(share));
            h.el("td", field("total_ns", Long.toString(g.totalNs())), Durations.format(g.totalNs()));
            boolean t = g.measured() > 0;
            time(h, "p50_ns", t, g.percentile(50));
            time(h, "p90_ns", t, g.percentile(90));
            time(h, "p99_ns", t, g.percentile(99));
            time(h, "p999_ns", t, g.percentile(99.9));
            time(h, "max_ns", t, g.max());
            h.raw("</tr>\n");
        }
        h.raw("</tbody></table>\n");
        if (d.groups.size() < d.snapshot.groups().size()) {
            h.raw("<p class=\"muted\">").text((d.snapshot.groups().size() - d.groups.size()) + " more keys left out (--top)").raw("</p>\n");
        }
        h.raw("</section>\n");

        h.raw("<section><h2>Exit latency over time</h2>\n");
        boolean blocking = d.options.includeBlocking();
        heatmap(h, p.heatmap(), r.firstTs(), k -> blocking || !k.blocking(), blocking ? "all exits" : "all exits but blocking ones (HLT, wait state, WFx)");
        h.raw("</section>\n");

        h.raw("<section><h2>Latency histograms</h2>\n<div class=\"hists\">\n");
        int n = 0;
        for (StatsSnapshot.Group g : d.groups) {
            if (g.measured() == 0) continue;
            if (n++ >= MAX_HISTOGRAMS) break;
            histogram(h, g, d.classLabel(g));
        }
        h.raw("</div>\n");
        if (n > MAX_HISTOGRAMS) h.raw("<p class=\"muted\">the first " + MAX_HISTOGRAMS + " timed keys are drawn; the table has them all</p>\n");
        if (n == 0) h.raw("<p class=\"muted\">no timed exits</p>\n");
        h.raw("</section>\n");

        h.raw("<section><h2>Optimization evidence</h2>\n<table>\n");
        for (String[] e : d.evidence()) h.raw("<tr>").el("th", null, e[0]).el("td", null, e[1]).raw("</tr>\n");
        h.raw("</table>\n");
        List<OptimizationEvidence.Notification> notes = d.optimizations.notifications();
        if (!notes.isEmpty()) {
            h.raw("<table class=\"num\"><thead><tr><th>address</th><th>reason</th><th>tid</th><th>VM</th><th>to userspace</th><th>in kernel</th>"
                    + "<th>verdict</th></tr></thead><tbody>\n");
            for (OptimizationEvidence.Notification a : notes) {
                h.raw("<tr data-notification>");
                h.el("td", "class=\"key\" " + field("address", a.address()), a.address());
                h.el("td", "class=\"txt\"", a.reason());
                h.el("td", field("tid", Integer.toString(a.tid())), Integer.toString(a.tid()));
                h.el("td", "class=\"txt\"", a.vm());
                h.el("td", field("to_userspace", Long.toString(a.toUserspace())), count(a.toUserspace()));
                h.el("td", field("in_kernel", Long.toString(a.inKernel())), count(a.inKernel()));
                h.el("td", "class=\"txt\" " + field("verdict", a.verdict().json), OptimizationEvidence.sentence(a));
                h.raw("</tr>\n");
            }
            h.raw("</tbody></table>\n");
        }
        h.raw("</section>\n");

        h.raw("<section><h2>Triage findings</h2>\n");
        if (p.triage() == null || p.triage().findings().isEmpty()) {
            h.raw("<p class=\"muted\">no findings</p>\n");
        } else {
            h.raw("<table class=\"num\"><thead><tr><th>#</th><th>finding</th><th>key</th><th>share</th><th>advice</th></tr></thead><tbody>\n");
            int rank = 0;
            for (Finding f : p.triage().findings()) {
                h.raw("<tr data-finding=\"" + (++rank) + "\"><td>" + rank + "</td><td class=\"txt\"><b " + field("kind", f.kind()) + ">").text(f.kind())
                        .raw("</b> ").text(f.title()).raw("</td>");
                h.el("td", "class=\"key\" " + field("key", f.key() == null ? "null" : f.key()), f.key() == null ? "" : f.key());
                h.el("td", field("share", Double.toString(Math.round(f.share() * 1e6) / 1e6)), Durations.percent(f.share()));
                h.el("td", "class=\"why\"", f.advice());
                h.raw("</tr>\n");
            }
            h.raw("</tbody></table>\n");
        }
        h.raw("</section>\n");
    }

    private static void row(Html h, String name, String value) {
        h.raw("<tr>").el("th", null, name).el("td", null, value).raw("</tr>\n");
    }

    private static void fact(Html h, String jsonName, long v) {
        h.raw("<tr>").el("th", null, jsonName.replace('_', ' ')).el("td", field(jsonName, Long.toString(v)), count(v)).raw("</tr>\n");
    }

    private static void time(Html h, String name, boolean present, long v) {
        h.el("td", field(name, present ? Long.toString(v) : "null"), present ? Durations.format(v) : "-");
    }

    /** The timeline as an SVG: columns across, buckets up, colour by exits (log scale), p50 and p99 as step lines. */
    static void heatmap(Html h, Heatmap.Timeline t, long originTs, java.util.function.Predicate<io.exitscope.stats.ExitKey> keep, String what) {
        Heatmap.Grid g = t.grid(keep);
        if (g.columns() == 0 || g.timed + g.untimedTotal == 0) {
            h.raw("<p class=\"muted\">no exits</p>\n");
            return;
        }
        int n = g.columns();
        int buckets = g.hi < 0 ? 0 : g.hi - g.lo + 1;
        boolean untimed = g.untimedTotal > 0;
        int rows = buckets + (untimed ? 1 : 0);
        int left = 62, top = 8, plotW = 820, cellH = Math.max(10, Math.min(24, 320 / Math.max(1, rows)));
        double cellW = (double) plotW / n;
        int plotH = rows * cellH;
        int width = left + plotW + 12, height = top + plotH + 44;
        h.raw("<figure data-heatmap data-field=\"heatmap_exits\" data-value=\"" + (g.timed + g.untimedTotal) + "\">\n");
        h.raw("<p>").text(what + ": " + count(g.timed + g.untimedTotal) + " exits" + (untimed ? " (" + count(g.untimedTotal) + " not timed)" : "")
                + " in " + n + " columns of " + Durations.format(t.widthNs()) + " by exit time; each row is a power-of-two latency bucket").raw("</p>\n");
        h.raw("<svg role=\"img\" viewBox=\"0 0 " + width + " " + height + "\" style=\"width:100%;max-width:" + width + "px;height:auto\">\n");
        h.raw("<rect x=\"" + left + "\" y=\"" + top + "\" width=\"" + plotW + "\" height=\"" + plotH + "\" fill=\"#fafbfc\" stroke=\"#ccd\"/>\n");
        for (int b = 0; b < buckets; b++) {
            int k = g.hi - b;
            int y = top + b * cellH;
            h.raw("<text x=\"" + (left - 4) + "\" y=\"" + (y + cellH - 3) + "\" text-anchor=\"end\">").text(Durations.format(LogBuckets.lowNs(k))).raw("</text>\n");
            for (int i = 0; i < n; i++) {
                long c = g.count(i, k);
                if (c == 0) continue;
                cell(h, left + i * cellW, y, cellW, cellH, HEAT[g.level(c, HEAT.length) - 1]);
            }
        }
        if (untimed) {
            int y = top + buckets * cellH;
            h.raw("<text x=\"" + (left - 4) + "\" y=\"" + (y + cellH - 3) + "\" text-anchor=\"end\">untimed</text>\n");
            for (int i = 0; i < n; i++) {
                long c = g.untimed(i);
                if (c == 0) continue;
                cell(h, left + i * cellW, y, cellW, cellH, HEAT[Heatmap.Grid.level(c, g.maxUntimed, HEAT.length) - 1]);
            }
        }
        line(h, g, 50, left, top, cellW, cellH, "#111", "");
        line(h, g, 99, left, top, cellW, cellH, "#7b1fa2", " stroke-dasharray=\"5,3\"");
        int ticks = 5;
        for (int j = 0; j <= ticks; j++) {
            int col = (int) Math.round((double) n * j / ticks);
            double x = left + col * cellW;
            long ts = t.originTs() + col * t.widthNs();
            String anchor = j == 0 ? "start" : j == ticks ? "end" : "middle";
            h.raw("<line x1=\"" + fmt(x) + "\" x2=\"" + fmt(x) + "\" y1=\"" + (top + plotH) + "\" y2=\"" + (top + plotH + 4) + "\" stroke=\"#667\"/>");
            h.raw("<text x=\"" + fmt(x) + "\" y=\"" + (top + plotH + 16) + "\" text-anchor=\"" + anchor + "\">").text("t+" + Durations.format(Math.max(0, ts - originTs))).raw("</text>\n");
        }
        int ly = top + plotH + 34, lx = left;
        h.raw("<text x=\"" + lx + "\" y=\"" + ly + "\">exits per cell (log scale, most " + count(g.maxCell) + "):</text>\n");
        lx += 200;
        for (int j = 0; j < HEAT.length; j++) {
            h.raw("<rect x=\"" + (lx + j * 16) + "\" y=\"" + (ly - 10) + "\" width=\"14\" height=\"12\" fill=\"" + HEAT[j] + "\"/>");
        }
        lx += HEAT.length * 16 + 20;
        h.raw("\n<line x1=\"" + lx + "\" x2=\"" + (lx + 22) + "\" y1=\"" + (ly - 4) + "\" y2=\"" + (ly - 4) + "\" stroke=\"#111\" stroke-width=\"2\"/>"
                + "<text x=\"" + (lx + 26) + "\" y=\"" + ly + "\">p50</text>");
        lx += 70;
        h.raw("<line x1=\"" + lx + "\" x2=\"" + (lx + 22) + "\" y1=\"" + (ly - 4) + "\" y2=\"" + (ly - 4) + "\" stroke=\"#7b1fa2\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/>"
                + "<text x=\"" + (lx + 26) + "\" y=\"" + ly + "\">p99 (of each column's timed exits)</text>\n");
        h.raw("</svg>\n</figure>\n");
    }

    private static void cell(Html h, double x, int y, double w, int ht, String fill) {
        h.raw("<rect x=\"" + fmt(x) + "\" y=\"" + y + "\" width=\"" + fmt(w + 0.05) + "\" height=\"" + ht + "\" fill=\"" + fill + "\"/>\n");
    }

    /** A percentile as a step line through the middle of its bucket in each column; broken where a column has no timed exits. */
    private static void line(Html h, Heatmap.Grid g, double p, int left, int top, double cellW, int cellH, String color, String extra) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i <= g.columns(); i++) {
            int b = i < g.columns() ? g.percentileBucket(i, p) : -1;
            if (b < 0) {
                if (pts.length() > 0) {
                    // a white halo keeps the line visible over the darkest cells
                    h.raw("<polyline fill=\"none\" stroke=\"#fff\" stroke-width=\"4\" stroke-opacity=\"0.9\" points=\"" + pts + "\"/>");
                    h.raw("<polyline data-percentile=\"" + (p == 50 ? "p50" : "p99") + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\"" + extra
                            + " points=\"" + pts + "\"/>\n");
                    pts.setLength(0);
                }
                continue;
            }
            double y = top + (g.hi - b) * cellH + cellH / 2.0;
            pts.append(fmt(left + i * cellW)).append(',').append(fmt(y)).append(' ').append(fmt(left + (i + 1) * cellW)).append(',').append(fmt(y)).append(' ');
        }
    }

    /** One key's log-bucket histogram as horizontal bars, with the buckets that hold p50, p90, p99, p99.9 marked. */
    private static void histogram(Html h, StatsSnapshot.Group g, String cls) {
        List<LogBuckets.Bucket> bs = LogBuckets.of(g.histogram());
        long max = 1;
        for (LogBuckets.Bucket b : bs) max = Math.max(max, b.count());
        double[] ps = {50, 90, 99, 99.9};
        long[] pv = new long[ps.length];
        for (int i = 0; i < ps.length; i++) pv[i] = g.percentile(ps[i]);
        int rowH = 14, left = 60, barW = 250;
        int height = bs.size() * rowH + 6;
        h.raw("<figure class=\"hist\"><h3>").text(g.key().label().isEmpty() ? "all" : g.key().label()).raw(" <span class=\"muted\">")
                .text(cls + ", " + count(g.measured()) + " timed, p50 " + Durations.format(pv[0]) + ", p99 " + Durations.format(pv[2])).raw("</span></h3>\n");
        h.raw("<svg role=\"img\" width=\"440\" height=\"" + height + "\" viewBox=\"0 0 440 " + height + "\">\n");
        for (int j = 0; j < bs.size(); j++) {
            LogBuckets.Bucket b = bs.get(bs.size() - 1 - j); // slowest on top, as in the heatmap
            int y = 3 + j * rowH;
            double w = b.count() == 0 ? 0 : Math.max(1, (double) b.count() / max * barW);
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < ps.length; i++) {
                if (pv[i] >= b.lowNs() && pv[i] <= b.highNs()) marks.append(marks.length() > 0 ? "," : " \u25c0 ").append(ps[i] == 99.9 ? "p99.9" : "p" + (int) ps[i]);
            }
            h.raw("<text x=\"" + (left - 4) + "\" y=\"" + (y + 10) + "\" text-anchor=\"end\">").text(Durations.format(b.lowNs())).raw("</text>");
            if (w > 0) h.raw("<rect x=\"" + left + "\" y=\"" + (y + 1) + "\" width=\"" + fmt(w) + "\" height=\"" + (rowH - 3) + "\" fill=\"#4292c6\"/>");
            h.raw("<text x=\"" + fmt(left + w + 4) + "\" y=\"" + (y + 10) + "\">").text(count(b.count()) + marks).raw("</text>\n");
        }
        h.raw("</svg></figure>\n");
    }

    private static String fmt(double v) {
        long r = Math.round(v * 10);
        return r % 10 == 0 ? Long.toString(r / 10) : (r / 10) + "." + Math.abs(r % 10);
    }
}

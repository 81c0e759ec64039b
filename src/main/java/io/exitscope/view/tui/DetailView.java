package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.Intervals;
import io.exitscope.stats.Percentile;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.feed.Side;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One key in depth: its latency histogram as log2 bucket bars with the percentile marks on them,
 * the percentile ladder, per-vCPU / per-subkey / per-VM breakdowns and the slowest exits.
 *
 * <p>Its own state: the key shown, the grouping it was picked in, where the screen returns to, the scroll.
 */
final class DetailView implements View {
    static final double[] LADDER = {50, 90, 99, 99.9, 99.99};

    private ExitKey key;
    private GroupBy by;
    private ViewId back = ViewId.MAIN;
    private int scroll;
    private int pageRows = 10;

    /** Shows {@code key} of grouping {@code by}, from the top; Esc returns to {@code from}. */
    void open(ExitKey key, GroupBy by, ViewId from) {
        this.key = key;
        this.by = by;
        this.back = from;
        this.scroll = 0;
    }

    ExitKey key() {
        return key;
    }

    GroupBy by() {
        return by;
    }

    ViewId back() {
        return back;
    }

    /** Back at the top (the screen is entered again). */
    void top() {
        scroll = 0;
    }

    @Override
    public void move(Action a, Scene s) {
        scroll = View.moved(scroll, View.delta(a, pageRows));
    }

    @Override
    public List<String[]> hints(boolean replay, Glyphs g) {
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"Esc", "back"});
        if (replay) h.add(new String[]{"j", "jump to slowest"});
        h.add(new String[]{"i", "interval"});
        return h;
    }

    @Override
    public void render(Canvas c, Scene scene, int top, int bottom) {
        Lines l = build(c.width, scene, c.glyphs);
        pageRows = Math.max(1, bottom - top);
        scroll = l.render(c, top, bottom, scroll);
    }

    Lines build(int width, Scene scene, Glyphs gl) {
        Frame f = scene.frame();
        Side s = scene.side();
        Filter filter = scene.filter();
        Lines L = new Lines();
        String title = Agg.keyText(key) + (key.exitClass() != null ? " [" + key.exitClass().label + "]" : "")
                + (key.blocking() ? " (blocking)" : "");
        L.line().at(0, Text.fit(title, width, gl), Style.BOLD);
        if (s == null) return L;
        List<StatsSnapshot.Group> members = Agg.members(s.fine().groups(), key, by, filter);
        if (members.isEmpty()) {
            L.line().at(1, Text.fit("(no exits of this key in the " + s.label() + " view" + (filter.active() ? " with filter " + filter.describe() : "")
                    + ")", width - 1, gl), Style.DIM);
            return L;
        }
        StatsSnapshot.Group g = StatsSnapshot.Group.merge(key, members);
        long overhead = s.overheadNs();
        List<Flow.Seg> sum = new ArrayList<>();
        sum.add(new Flow.Seg("count " + g.count(), Style.NORMAL, 0));
        sum.add(new Flow.Seg("timed " + g.measured(), Style.NORMAL, 0));
        sum.add(new Flow.Seg("rate " + (s.seconds() > 0 ? Text.rate(g.count() / s.seconds()) : "-") + "/s", Style.NORMAL, 0));
        sum.add(new Flow.Seg(g.blocking() ? "%time - (idle)" : "%time " + Text.pct(StatsSnapshot.share(g.totalNs(), overhead)), Style.NORMAL, 0));
        sum.add(new Flow.Seg("total " + Text.dur(g.totalNs()), Style.NORMAL, 0));
        if (g.measured() > 0) {
            sum.add(new Flow.Seg("mean " + Text.dur(Math.round(g.mean())), Style.NORMAL, 0));
            sum.add(new Flow.Seg("min " + Text.dur(g.min()), Style.NORMAL, 0));
        }
        StringBuilder cls = new StringBuilder("class");
        for (ExitClass x : ExitClass.values()) cls.append(' ').append(x.letter).append(' ').append(Text.pct(Agg.classFraction(g, x)));
        sum.add(new Flow.Seg(cls.toString(), Style.NORMAL, 0));
        if (g.userspaceNs() > 0) sum.add(new Flow.Seg("in userspace " + Text.dur(g.userspaceNs()) + " of " + Text.dur(g.totalNs()), Style.NORMAL, 0));
        if (g.requestsKnown() > 0) sum.add(new Flow.Seg("requests pending " + g.requestsPending() + "/" + g.requestsKnown(), Style.NORMAL, 0));
        sum.add(new Flow.Seg(s.label() + (scene.lens().interval() ? "" : " since " + f.window()) + ", group " + by, Style.DIM, 0));
        flowInto(L, sum, width, gl);

        if (g.measured() == 0) {
            L.line();
            L.line().at(1, Text.fit("no latency: these exits are counted, not timed (" + s.measureShort() + ")", width - 1, gl), Style.DIM);
        } else {
            histogram(L, g, width, gl);
            intervals(L, g, width, gl);
        }
        breakdown(L, "per vCPU", GroupBy.parse("vcpu"), members, g.count(), width, gl, false);
        breakdown(L, "per subkey", GroupBy.parse("subkey"), members, g.count(), width, gl, true);
        Set<String> vms = new LinkedHashSet<>();
        for (StatsSnapshot.Group m : members) if (m.key().vm() != null) vms.add(m.key().vm());
        if (vms.size() > 1) breakdown(L, "per VM", GroupBy.parse("vm"), members, g.count(), width, gl, false);
        slowest(L, g, f, width, gl);
        return L;
    }

    /** The 95% intervals of the ladder's figures (Intervals: order statistics for percentiles, CLT for the mean). */
    private static void intervals(Lines L, StatsSnapshot.Group g, int width, Glyphs gl) {
        section(L, "95% confidence intervals", width, gl);
        List<Flow.Seg> segs = new ArrayList<>();
        for (double p : LADDER) {
            long[] ci = g.percentileCi(p);
            segs.add(new Flow.Seg(pname(p) + " " + Text.dur(ci[0]) + (ci[1] == Intervals.UNBOUNDED ? "+" : ".." + Text.dur(ci[1])), Style.NORMAL, 0));
        }
        double[] m = g.meanCi();
        if (m != null) segs.add(new Flow.Seg("mean " + Text.dur(Math.round(m[0])) + ".." + Text.dur(Math.round(m[1])), Style.NORMAL, 0));
        flowInto(L, segs, width, gl);
    }

    private static void flowInto(Lines L, List<Flow.Seg> segs, int width, Glyphs gl) {
        List<Flow.Placed> p = Flow.layout(segs, width - 1, 100, gl);
        int line = -1;
        for (Flow.Placed x : p) {
            while (line < x.line()) {
                L.line();
                line++;
            }
            L.at(1 + x.col(), x.seg().text(), x.seg().style());
        }
    }

    private static void section(Lines L, String title, int width, Glyphs gl) {
        L.line();
        String t = gl.hline(2) + " " + title + " ";
        L.line().at(0, t + gl.hline(Math.max(0, width - t.length())), Style.DIM);
    }

    static List<long[]> buckets(Histogram h) {
        List<long[]> out = new ArrayList<>();
        long max = h.getMaxValue();
        long lo = Long.highestOneBit(Math.max(1, h.getMinValue()));
        while (lo <= max && lo > 0) {
            long hi = lo * 2;
            out.add(new long[]{lo, hi, h.getCountBetweenValues(lo, hi - 1)});
            lo = hi;
        }
        return out;
    }

    private static void histogram(Lines L, StatsSnapshot.Group g, int width, Glyphs gl) {
        section(L, "latency histogram: log2 buckets, bar = exits, " + gl.mark + " = percentile in the bucket", width, gl);
        List<long[]> b = buckets(g.histogram());
        boolean side = width >= 100;
        int ladderW = side ? 20 : 0;
        int labelW = 15, countW = 8, markW = 22;
        int barW = Math.max(8, width - 1 - labelW - 1 - 1 - countW - 1 - markW - ladderW);
        long maxCount = 1;
        for (long[] x : b) maxCount = Math.max(maxCount, x[2]);
        List<String[]> ladder = ladder(g);
        int rows = Math.max(b.size(), side ? ladder.size() : 0);
        int firstLine = L.size();
        for (int i = 0; i < rows; i++) {
            L.line();
            if (i < b.size()) {
                long[] x = b.get(i);
                String label = Text.dur(x[0]) + ".." + Text.dur(x[1]);
                L.at(1, String.format("%" + labelW + "s", label), Style.DIM);
                int bx = 1 + labelW + 1;
                L.at(bx, String.valueOf(gl.vline), Style.DIM);
                String bar = x[2] == 0 ? "" : gl.bar((double) x[2] * barW / maxCount, barW);
                L.at(bx + 1, bar, Style.BAR);
                L.at(bx + 1 + barW + 1, String.format("%" + countW + "s", Text.count(x[2])), Style.NORMAL);
                String marks = marks(g, x[0], x[1]);
                if (!marks.isEmpty()) L.at(bx + 1 + barW + 1 + countW + 1, Text.fit(gl.mark + marks, markW, gl), Style.MARK);
            }
            if (side && i < ladder.size()) {
                int lx = width - ladderW + 2;
                L.at(lx, String.format("%-7s", ladder.get(i)[0]), Style.BOLD);
                L.at(lx + 7, String.format("%10s", ladder.get(i)[1]), Style.NORMAL);
            }
        }
        if (!side) {
            List<Flow.Seg> segs = new ArrayList<>();
            for (String[] x : ladder) segs.add(new Flow.Seg(x[0] + " " + x[1], Style.NORMAL, 0));
            L.line();
            flowInto(L, segs, width, gl);
        }
        assert L.size() >= firstLine;
    }

    static List<String[]> ladder(StatsSnapshot.Group g) {
        List<String[]> out = new ArrayList<>();
        out.add(new String[]{"min", Text.dur(g.min())});
        for (double p : LADDER) out.add(new String[]{pname(p), Text.dur(g.percentile(p))});
        out.add(new String[]{"max", Text.dur(g.max())});
        out.add(new String[]{"mean", Text.dur(Math.round(g.mean()))});
        return out;
    }

    static String pname(double p) {
        return p == Math.rint(p) ? "p" + (long) p : "p" + p;
    }

    private static String marks(StatsSnapshot.Group g, long lo, long hi) {
        StringBuilder sb = new StringBuilder();
        for (Percentile p : Percentile.SHOWN) {
            long v = g.percentile(p.value);
            if (v >= lo && v < hi) sb.append(' ').append(pname(p.value));
        }
        long m = g.max();
        if (m >= lo && m < hi) sb.append(" max");
        return sb.toString();
    }

    private static void breakdown(Lines L, String title, GroupBy by, List<StatsSnapshot.Group> members, long total, int width,
                                  Glyphs gl, boolean subkeys) {
        List<StatsSnapshot.Group> rows = StatsSnapshot.regroup(members, by, k -> true);
        if (subkeys && rows.stream().allMatch(r -> r.key().subkey() == null)) return;
        rows = new ArrayList<>(rows);
        rows.sort(Comparator.comparingLong(StatsSnapshot.Group::count).reversed());
        section(L, title + " (" + rows.size() + ")", width, gl);
        int nameW = Math.max(10, Math.min(44, width - 1 - 5 * 8 - 9));
        L.line().at(1, String.format("%-" + nameW + "s %8s %7s %7s %7s %7s", subkeys ? "SUBKEY" : title.substring(4).toUpperCase(),
                "COUNT", "SHARE", "P50", "P99", "MAX"), Style.HEADER);
        for (StatsSnapshot.Group r : rows) {
            String name = subkeys ? (r.key().subkey() == null ? "(none)" : r.key().subkey())
                    : by.has(GroupBy.Dim.VM) ? r.key().vm() : r.key().vcpu();
            if (name == null) name = "-";
            boolean t = r.measured() > 0;
            L.line().at(1, String.format("%-" + nameW + "s %8s %7s %7s %7s %7s", Text.fit(name, nameW, gl), Text.count(r.count()),
                    Text.pct(total == 0 ? 0 : (double) r.count() / total), t ? Text.dur(r.percentile(50)) : "-",
                    t ? Text.dur(r.percentile(99)) : "-", t ? Text.dur(r.max()) : "-"), Style.NORMAL);
        }
    }

    private static void slowest(Lines L, StatsSnapshot.Group g, Frame f, int width, Glyphs gl) {
        List<ExitStats.Slow> slow = g.slowest();
        if (slow.isEmpty()) return;
        section(L, "slowest exits (" + slow.size() + ")", width, gl);
        int subW = Math.max(6, width - 1 - 8 - 1 - 12 - 1 - 4 - 1 - 8 - 1 - 10 - 1);
        L.line().at(1, String.format("%8s %-12s %4s %8s %-10s %s", "LATENCY", "AT", "CPU", "TID", "VCPU", "SUBKEY"), Style.HEADER);
        for (ExitStats.Slow x : slow) {
            L.line().at(1, String.format("%8s %-12s %4d %8d %-10s %s", Text.dur(x.latencyNs()), Text.rel(x.exitTs() - f.originTs()),
                    x.cpu(), x.tid(), Text.fit(x.vcpu() == null ? "-" : x.vcpu(), 10, gl),
                    Text.fit(x.subkey() == null ? "-" : x.subkey(), subW, gl)), Style.NORMAL);
        }
    }
}

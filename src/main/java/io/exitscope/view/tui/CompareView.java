package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.Significance;
import io.exitscope.stats.StatsSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * Baseline versus now per key, ranked by how far each key's distribution moved
 * ({@link Comparison}): count and rate change, percentile shifts with arrows (and colours).
 */
final class CompareView {
    private CompareView() {}

    /** The shifts to show, or null while the feed prepares the grouping. */
    static List<Comparison.Shift> shifts(TuiApp app, Side now) {
        GroupBy by = app.compareGrouping();
        StatsSnapshot b = now.grouped(by);
        if (b == null || app.baseline == null) return null;
        StatsSnapshot a = app.baseline.grouped(by);
        List<Comparison.Shift> out = new ArrayList<>();
        // the verdicts (Shift.significant, verdictText) come from the stats layer; sampling noise only here
        for (Comparison.Shift s : Comparison.compare(Significance.Sample.of(a, app.baseline.side.seconds), Significance.Sample.of(b, now.seconds), false)) {
            if (keep(app.filter, s)) out.add(s);
        }
        return out;
    }

    static boolean keep(Filter f, Comparison.Shift s) {
        ExitKey k = s.key();
        if (f.pattern() != null && !f.pattern().matcher(k.label()).find()) return false;
        if (f.exitClass() != null) {
            if (k.exitClass() != null) {
                if (k.exitClass() != f.exitClass()) return false;
            } else if (!has(s.a(), f.exitClass()) && !has(s.b(), f.exitClass())) {
                return false;
            }
        }
        if (f.vm() != null && (k.vm() == null || !(k.vm().equalsIgnoreCase(f.vm()) || k.vm().equalsIgnoreCase("pid " + f.vm())))) return false;
        return f.vcpu() == null || k.vcpu() != null && (k.vcpu().equals(f.vcpu()) || k.vcpu().equals("tid " + f.vcpu()));
    }

    private static boolean has(StatsSnapshot.Group g, ExitClass c) {
        return g != null && g.classCounts().getOrDefault(c, 0L) > 0;
    }

    static ExitKey selectedKey(TuiApp app) {
        List<Comparison.Shift> l = app.lastShifts;
        if (l.isEmpty()) return null;
        return l.get(Math.max(0, Math.min(app.cmpSel, l.size() - 1))).key();
    }

    static void render(Canvas c, TuiApp app, Frame f, int top, int bottom) {
        Side now = f.side(app.intervalView);
        Glyphs gl = c.glyphs;
        int row = top;
        if (app.baseline == null) {
            app.lastShifts = List.of();
            List<String> text = new ArrayList<>();
            if (app.pendingBaseline != null) text.add("taking the baseline" + gl.ellipsis);
            text.add("No baseline yet. Press b: the statistics so far become the baseline and a new window starts, so this screen"
                    + " shows before vs after (e.g. before and after turning an optimization on).");
            text.add("Replay: 'exitscope replay A B' compares file B with file A; '--baseline FROM..TO' compares with a time window of"
                    + " the trace; or press b during playback to split the trace into two windows.");
            for (String t : text) {
                for (String w : Lines.wrap(t, c.width - 2)) c.text(1, ++row, w, Style.NORMAL);
                row++;
            }
            return;
        }
        if (now == null) return;
        List<Flow.Seg> head = new ArrayList<>();
        head.add(new Flow.Seg("A baseline: " + app.baseline.label + ", " + app.baseline.side.fine.exits() + " exits in "
                + Text.dur(Math.round(app.baseline.side.seconds * 1e9)), Style.NORMAL, 0));
        head.add(new Flow.Seg("B now: " + now.label + (app.intervalView ? "" : " since " + f.window()) + ", " + now.fine.exits() + " exits in "
                + Text.dur(Math.round(now.seconds * 1e9)), Style.NORMAL, 0));
        head.add(new Flow.Seg("group " + app.compareGrouping() + ", ranked by significant effect; * = beyond sampling noise at 5% family-wise",
                Style.DIM, 1));
        row += Flow.draw(c, row, head, 3);
        List<Comparison.Shift> shifts = shifts(app, now);
        if (shifts == null) {
            c.text(1, row + 1, "preparing the " + app.compareGrouping() + " grouping" + gl.ellipsis, Style.DIM);
            return;
        }
        app.lastShifts = shifts;
        // columns
        boolean wide = c.width >= 110;
        double[] pcts = wide ? new double[]{50, 90, 99, 99.9, -1} : new double[]{50, 99};
        int countW = 11, rateW = 7, pw = 13, scoreW = 5;
        int fixed = 1 + countW + 1 + rateW + 1 + pcts.length * (pw + 1) + scoreW + 1;
        int whyW = c.width >= 160 ? Math.max(20, c.width - fixed - 40 - 2) : 0;
        int keyW = Math.max(10, c.width - fixed - (whyW > 0 ? whyW + 1 : 0));
        if (!wide) keyW = Math.max(10, Math.min(keyW, c.width - fixed));
        int x0 = 1, xCount = x0 + keyW + 1, xRate = xCount + countW + 1, xP = xRate + rateW + 1;
        int xScore = xP + pcts.length * (pw + 1), xWhy = xScore + scoreW + 1;
        c.fill(row, Style.HEADER);
        c.left(x0, row, keyW, "KEY", Style.HEADER);
        c.right(xCount, row, countW, "COUNT A" + gl.arrow + "B", Style.HEADER);
        c.right(xRate, row, rateW, "RATE", Style.HEADER);
        for (int i = 0; i < pcts.length; i++) c.right(xP + i * (pw + 1), row, pw, pcts[i] < 0 ? "MAX B" : DetailView.pname(pcts[i]).toUpperCase() + " B", Style.HEADER);
        c.right(xScore, row, scoreW, "SHIFT", Style.HEADER);
        if (whyW > 0) c.left(xWhy, row, whyW, "WHY", Style.HEADER);
        row++;
        if (shifts.isEmpty()) {
            c.text(1, row + 1, "(no keys" + (app.filter.active() ? " match the filter" : "") + ")", Style.DIM);
            return;
        }
        int rows = bottom - row - (whyW > 0 ? 0 : 1);
        app.pageRows = Math.max(1, rows);
        app.cmpSel = Math.max(0, Math.min(app.cmpSel, shifts.size() - 1));
        if (app.cmpSel < app.cmpTop) app.cmpTop = app.cmpSel;
        if (app.cmpSel >= app.cmpTop + rows) app.cmpTop = app.cmpSel - rows + 1;
        app.cmpTop = Math.max(0, Math.min(app.cmpTop, Math.max(0, shifts.size() - rows)));
        for (int r = 0; r < rows && app.cmpTop + r < shifts.size(); r++) {
            int i = app.cmpTop + r;
            Comparison.Shift s = shifts.get(i);
            int y = row + r;
            boolean sel = i == app.cmpSel;
            Style base = sel ? Style.SELECTED : Style.NORMAL;
            if (sel) c.fillRange(0, c.width, y, Style.SELECTED);
            if (s.significant()) c.text(0, y, "*", sel ? Style.SELECTED : Style.WARN);
            else if (sel) c.text(0, y, String.valueOf(gl.sel), Style.SELECTED);
            String key = Agg.keyText(s.key()) + (s.key().exitClass() != null ? " [" + s.key().exitClass().label + "]" : "")
                    + (s.key().blocking() ? " idle" : "");
            c.left(x0, y, keyW, key, base);
            String cnt = count(s.a()) + gl.arrow + count(s.b());
            c.right(xCount, y, countW, cnt.length() <= countW ? cnt : Text.count(s.b() == null ? 0 : s.b().count()), base);
            double ra = rate(s.a(), app.baseline.side.seconds), rb = rate(s.b(), now.seconds);
            c.right(xRate, y, rateW, Double.isNaN(ra) || Double.isNaN(rb) ? "-" : Text.change(ra, rb), base);
            for (int p = 0; p < pcts.length; p++) cell(c, xP + p * (pw + 1), y, pw, s, pcts[p], sel, gl);
            c.right(xScore, y, scoreW, String.format("%.2f", s.score()), base);
            if (whyW > 0) c.left(xWhy, y, whyW, (s.significant() ? s.verdictText() + " | " : "") + s.why(), sel ? base : Style.DIM);
        }
        if (whyW == 0) {
            Comparison.Shift s = shifts.get(app.cmpSel);
            c.text(1, bottom - 1, Text.fit((s.significant() ? s.verdictText() + " | " : "") + "why: " + s.why(), c.width - 2, gl), Style.DIM);
        }
    }

    private static String count(StatsSnapshot.Group g) {
        return g == null ? "0" : Text.count(g.count());
    }

    private static double rate(StatsSnapshot.Group g, double seconds) {
        if (seconds <= 0) return Double.NaN;
        return (g == null ? 0 : g.count()) / seconds;
    }

    /** "B-value arrow change": up (slower) bad, down (faster) good, '=' within 2%. */
    private static void cell(Canvas c, int x, int y, int w, Comparison.Shift s, double p, boolean sel, Glyphs gl) {
        StatsSnapshot.Group a = s.a(), b = s.b();
        boolean ta = a != null && a.measured() > 0, tb = b != null && b.measured() > 0;
        if (!tb) {
            c.right(x, y, w, b == null ? "gone" : "-", sel ? Style.SELECTED : Style.DIM);
            return;
        }
        long vb = p < 0 ? b.max() : b.percentile(p);
        String val = Text.dur(vb);
        if (!ta) {
            c.right(x, y, w, val + " new", sel ? Style.SELECTED : Style.NORMAL);
            return;
        }
        long va = p < 0 ? a.max() : a.percentile(p);
        double ch = va == 0 ? 0 : (double) (vb - va) / va;
        String arrow, chg;
        Style st;
        if (Math.abs(ch) < 0.02) {
            arrow = "=";
            chg = "";
            st = Style.DIM;
        } else {
            arrow = String.valueOf(ch > 0 ? gl.up : gl.down);
            chg = Text.change(va, vb);
            st = ch > 0 ? Style.BAD : Style.GOOD;
        }
        String tail = arrow + chg;
        int tw = Math.min(w, tail.length());
        c.right(x, y, w - tw - 1, val, sel ? Style.SELECTED : Style.NORMAL);
        c.left(x + w - tw, y, tw, tail, sel ? Style.SELECTED : st);
    }
}

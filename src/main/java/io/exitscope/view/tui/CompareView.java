package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.Significance;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.feed.Side;

import java.util.ArrayList;
import java.util.List;

/**
 * Baseline versus now per key, ranked by how far each key's distribution moved
 * ({@link Comparison}): count and rate change, percentile shifts with arrows (and colours).
 *
 * <p>Its own state: the selected row, the first row on screen, and the rows shown last (Enter and
 * m open the selected one).
 */
final class CompareView implements View {
    private int selected, firstShown;
    private int pageRows = 10;
    private List<Comparison.Shift> shown = List.of();

    /** The shifts to show, or null while the feed prepares the grouping. */
    static List<Comparison.Shift> shifts(Scene scene, Side now) {
        GroupBy by = scene.lens().compareGrouping();
        Baseline baseline = scene.baseline();
        StatsSnapshot b = now.grouped(by);
        if (b == null || baseline == null) return null;
        StatsSnapshot a = baseline.grouped(by);
        List<Comparison.Shift> out = new ArrayList<>();
        // the verdicts (Shift.significant, verdictText) come from the stats layer; sampling noise only here
        for (Comparison.Shift s : Comparison.compare(Significance.Sample.of(a, baseline.side.seconds()), Significance.Sample.of(b, now.seconds()), false)) {
            if (keep(scene.filter(), s)) out.add(s);
        }
        return out;
    }

    /** The rows the screen showed last. */
    List<Comparison.Shift> shown() {
        return shown;
    }

    /** Selects the first row (a new baseline). */
    void first() {
        selected = 0;
    }

    @Override
    public void move(Action a, Scene s) {
        selected = View.moved(selected, View.delta(a, pageRows));
    }

    @Override
    public List<String[]> hints(boolean replay, Glyphs g) {
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"Esc", "back"});
        h.add(new String[]{"Enter", "detail"});
        h.add(new String[]{"b", "new baseline"});
        h.add(new String[]{"B", "drop"});
        h.add(new String[]{"k", "group"});
        return h;
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

    /** The key of the selected row, null when none is shown. */
    ExitKey selectedKey() {
        List<Comparison.Shift> l = shown;
        if (l.isEmpty()) return null;
        return l.get(Math.max(0, Math.min(selected, l.size() - 1))).key();
    }

    @Override
    public void render(Canvas c, Scene scene, int top, int bottom) {
        Frame f = scene.frame();
        Side now = scene.side();
        Baseline baseline = scene.baseline();
        Glyphs gl = c.glyphs;
        int row = top;
        if (baseline == null) {
            shown = List.of();
            List<String> text = new ArrayList<>();
            if (scene.baselinePending()) text.add("taking the baseline" + gl.ellipsis);
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
        head.add(new Flow.Seg("A baseline: " + baseline.label + ", " + baseline.side.fine().exits() + " exits in "
                + Text.dur(Math.round(baseline.side.seconds() * 1e9)), Style.NORMAL, 0));
        head.add(new Flow.Seg("B now: " + now.label() + (scene.lens().interval() ? "" : " since " + f.window()) + ", " + now.fine().exits() + " exits in "
                + Text.dur(Math.round(now.seconds() * 1e9)), Style.NORMAL, 0));
        head.add(new Flow.Seg("group " + scene.lens().compareGrouping() + ", ranked by significant effect; * = beyond sampling noise at 5% family-wise",
                Style.DIM, 1));
        row += Flow.draw(c, row, head, 3);
        List<Comparison.Shift> shifts = shifts(scene, now);
        if (shifts == null) {
            c.text(1, row + 1, "preparing the " + scene.lens().compareGrouping() + " grouping" + gl.ellipsis, Style.DIM);
            return;
        }
        shown = shifts;
        Columns col = Columns.lay(c.width, shifts);
        c.fill(row, Style.HEADER);
        c.left(col.xKey, row, col.keyW, "KEY", Style.HEADER);
        c.right(col.xCount, row, COUNT_W, "COUNT A" + gl.arrow + "B", Style.HEADER);
        if (col.rate) c.right(col.xRate, row, RATE_W, "RATE", Style.HEADER);
        for (int i = 0; i < col.pcts.size(); i++) {
            double p = col.pcts.get(i);
            c.right(col.xP + i * (PCT_W + 1), row, PCT_W, p < 0 ? "MAX B" : DetailView.pname(p).toUpperCase() + " B", Style.HEADER);
        }
        c.right(col.xScore, row, SCORE_W, "SHIFT", Style.HEADER);
        c.left(col.xWhy, row, col.whyW, "WHY", Style.HEADER);
        row++;
        if (shifts.isEmpty()) {
            c.text(1, row + 1, "(no keys" + (scene.filter().active() ? " match the filter" : "") + ")", Style.DIM);
            return;
        }
        int lines = bottom - row;
        pageRows = Math.max(1, lines / 2);
        selected = Math.max(0, Math.min(selected, shifts.size() - 1));
        // rows take as many lines as their key and why need: keep the selected one whole on screen
        List<List<String>> keyL = new ArrayList<>(), whyL = new ArrayList<>();
        for (Comparison.Shift s : shifts) {
            keyL.add(Lines.wrap(keyText(s), col.keyW));
            whyL.add(Lines.wrap(whyText(s), col.whyW));
        }
        if (selected < firstShown) firstShown = selected;
        while (firstShown < selected && height(keyL, whyL, firstShown, selected) > lines) firstShown++;
        int y = row;
        for (int i = firstShown; i < shifts.size(); i++) {
            int h = Math.max(keyL.get(i).size(), whyL.get(i).size());
            if (y + h > bottom && i > firstShown) break;
            Comparison.Shift s = shifts.get(i);
            boolean sel = i == selected;
            Style base = sel ? Style.SELECTED : Style.NORMAL;
            for (int k = 0; k < h; k++) if (sel) c.fillRange(0, c.width, y + k, Style.SELECTED);
            if (s.significant()) c.text(0, y, "*", sel ? Style.SELECTED : Style.WARN);
            else if (sel) c.text(0, y, String.valueOf(gl.sel), Style.SELECTED);
            for (int k = 0; k < keyL.get(i).size(); k++) c.text(col.xKey, y + k, keyL.get(i).get(k), base);
            String cnt = count(s.a()) + gl.arrow + count(s.b());
            c.right(col.xCount, y, COUNT_W, cnt.length() <= COUNT_W ? cnt : Text.count(s.b() == null ? 0 : s.b().count()), base);
            if (col.rate) {
                double ra = rate(s.a(), baseline.side.seconds()), rb = rate(s.b(), now.seconds());
                c.right(col.xRate, y, RATE_W, Double.isNaN(ra) || Double.isNaN(rb) ? "-" : Text.change(ra, rb), base);
            }
            for (int p = 0; p < col.pcts.size(); p++) cell(c, col.xP + p * (PCT_W + 1), y, PCT_W, s, col.pcts.get(p), sel, gl);
            c.right(col.xScore, y, SCORE_W, String.format("%.2f", s.score()), base);
            for (int k = 0; k < whyL.get(i).size(); k++) c.text(col.xWhy, y + k, whyL.get(i).get(k), sel ? base : Style.DIM);
            y += h;
        }
    }

    static final int COUNT_W = 11, RATE_W = 7, PCT_W = 13, SCORE_W = 5, WHY_MIN = 30, KEY_MIN = 16, KEY_MAX = 44;

    /**
     * The compare table's columns at one width. What carries the screen's point always stays: the
     * key, the count A->B, the shift and its why (wrapped, never cut); the B percentiles and the
     * rate come in, in this order, as the width allows: p50, p99, rate, p90, p99.9, max.
     */
    record Columns(int xKey, int keyW, int xCount, boolean rate, int xRate, List<Double> pcts, int xP, int xScore, int xWhy, int whyW) {
        static Columns lay(int width, List<Comparison.Shift> shifts) {
            int keyLen = 3;
            for (Comparison.Shift s : shifts) keyLen = Math.max(keyLen, keyText(s).length());
            int keyW = Math.max(KEY_MIN, Math.min(KEY_MAX, keyLen));
            int fixed = 1 + COUNT_W + 1 + SCORE_W + 1;
            if (width - fixed - WHY_MIN - 1 < keyW) keyW = Math.max(KEY_MIN, width - fixed - WHY_MIN - 1);
            int room = width - fixed - keyW - 1 - WHY_MIN;
            boolean rate = false;
            List<Double> pcts = new ArrayList<>();
            double[] order = {50, 99, Double.NaN, 90, 99.9, -1}; // NaN: the rate column
            for (double p : order) {
                int w = Double.isNaN(p) ? RATE_W + 1 : PCT_W + 1;
                if (room < w) break;
                room -= w;
                if (Double.isNaN(p)) rate = true;
                else pcts.add(p);
            }
            pcts.sort(Double::compare);
            if (pcts.remove(-1.0)) pcts.add(-1.0); // max last
            int xKey = 1, xCount = xKey + keyW + 1, xRate = xCount + COUNT_W + 1, xP = xRate + (rate ? RATE_W + 1 : 0);
            int xScore = xP + pcts.size() * (PCT_W + 1), xWhy = xScore + SCORE_W + 1;
            return new Columns(xKey, keyW, xCount, rate, xRate, List.copyOf(pcts), xP, xScore, xWhy, Math.max(WHY_MIN, width - xWhy));
        }
    }

    static String keyText(Comparison.Shift s) {
        return Agg.keyText(s.key()) + (s.key().exitClass() != null ? " [" + s.key().exitClass().label + "]" : "")
                + (s.key().blocking() ? " idle" : "");
    }

    /** The WHY column: the significance verdict of a key that moved beyond noise, then what moved. */
    static String whyText(Comparison.Shift s) {
        return (s.significant() ? s.verdictText() + " | " : "") + s.why();
    }

    private static int height(List<List<String>> keyL, List<List<String>> whyL, int from, int to) {
        int h = 0;
        for (int i = from; i <= to; i++) h += Math.max(keyL.get(i).size(), whyL.get(i).size());
        return h;
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

package io.exitscope.view.tui;

import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;
import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.feed.Side;

import java.util.ArrayList;
import java.util.List;

/**
 * Which optimizations shift the distribution: each one's detected state and evidence, the exits
 * it affects and their share of exit time, and the projected shift where a model can tell.
 *
 * <p>Column priority: STATE, EXITS and PROJECTED carry the screen's point and keep their width;
 * the name column takes what is left and %TIME goes first (into the evidence line) when the
 * terminal is narrow. A cell too long for its column wraps onto the next lines, never cut.
 * Up/Down select a row; Enter opens the detail of the exits it is about.
 *
 * <p>Its own state: the selected row and the scroll that keeps it in view.
 */
final class OptimizationsView implements View {
    private int sel, scroll;
    private int pageRows = 10;

    /** The grouping the detail of an optimization row opens in: its address. */
    static final GroupBy BY_TARGET = GroupBy.parse("subkey");

    /** The rows of a side: the evidence's (with the baseline's, when there is one) and the model's. */
    static List<Optimizations.Row> rows(Side s, Baseline baseline, Projector projector) {
        List<Optimizations.Row> out = new ArrayList<>(Optimizations.detect(s, baseline == null ? null : baseline.side));
        if (projector != null) out.addAll(projector.rows(s));
        return out;
    }

    /** The selected row, null when there is none. */
    Optimizations.Row selected(Scene scene) {
        if (scene.side() == null) return null;
        List<Optimizations.Row> rows = rows(scene.side(), scene.baseline(), scene.projector());
        return rows.isEmpty() ? null : rows.get(Math.max(0, Math.min(sel, rows.size() - 1)));
    }

    /** Back at the top (the screen is entered again); the selection stays. */
    void top() {
        scroll = 0;
    }

    @Override
    public void move(Action a, Scene s) {
        sel = View.moved(sel, View.delta(a, pageRows));
    }

    @Override
    public List<String[]> hints(boolean replay, Glyphs g) {
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"Esc", "back"});
        h.add(new String[]{"Enter", "detail"});
        h.add(new String[]{"i", "interval"});
        return h;
    }

    @Override
    public void render(Canvas c, Scene scene, int top, int bottom) {
        Side s = scene.side();
        if (s == null) return;
        Layout lay = build(c.width, scene, c.glyphs);
        pageRows = Math.max(1, bottom - top);
        sel = Math.max(0, Math.min(sel, lay.rowLine.size() - 1));
        // keep the selected row (all its lines) in view
        if (!lay.rowLine.isEmpty()) {
            int first = lay.rowLine.get(sel), last = sel + 1 < lay.rowLine.size() ? lay.rowLine.get(sel + 1) - 1 : lay.lines.size() - 1;
            int rows = Math.max(1, bottom - top - 1);
            if (first < scroll) scroll = first;
            if (last >= scroll + rows) scroll = Math.min(first, last - rows + 1);
        }
        scroll = lay.lines.render(c, top, bottom, scroll);
    }

    /** The screen's lines and where each row starts (for the selection). */
    record Layout(Lines lines, List<Integer> rowLine, List<Optimizations.Row> rows) {}

    /** The row Enter opens: the key of its address's exits (reason and subkey), or null when it is about no one address. */
    static ExitKey detailKey(Optimizations.Row r, Side s) {
        if (r == null || r.target().isEmpty()) return null;
        for (io.exitscope.stats.StatsSnapshot.Group g : s.fine().groups()) {
            if (r.target().equals(g.key().subkey())) return g.key().under(BY_TARGET);
        }
        return null;
    }

    Layout build(int width, Scene scene, Glyphs gl) {
        Frame f = scene.frame();
        Side s = scene.side();
        Projector projector = scene.projector();
        Lines L = new Lines();
        List<Optimizations.Row> all = rows(s, scene.baseline(), projector);
        String proj = projector == null ? "no exit-path model: projected shifts -" : "projections: " + projector.name();
        L.line().at(0, Text.fit("optimizations " + gl.hline + " " + (scene.lens().interval() ? "last interval" : "cumulative window since " + f.window()),
                width, gl), Style.BOLD);
        for (String w : Lines.wrap(proj + "; EXITS = exits it affects, %TIME = their share of measured exit time (~ estimated);"
                + " Enter = detail of the selected row", width - 2)) {
            L.line().at(1, w, Style.DIM);
        }
        Optimizations.Row best = null;
        for (Optimizations.Row x : all) {
            // a measured opportunity: a missing optimization whose exits' time is known, not an estimate over all exits
            if (x.state() != Optimizations.State.OFF && x.state() != Optimizations.State.PARTIAL || x.approx()) continue;
            if (best == null || share(x) > share(best)) best = x;
        }
        if (best != null) {
            String t = "biggest opportunity: " + best.name() + (best.target().isEmpty() ? "" : " " + best.target()) + " ("
                    + best.stateText() + ")" + (Double.isNaN(best.share()) ? "" : ", " + Text.pct(best.share()) + " of exit time");
            for (String w : Lines.wrap(t, width - 2)) L.line().at(1, w, Style.WARN);
        }

        List<String> projected = new ArrayList<>();
        int stateW = 5, projLen = 9;
        for (Optimizations.Row x : all) {
            String p = projector == null ? null : projector.projectedShift(x, s);
            projected.add(p);
            stateW = Math.max(stateW, stateText(x).length());
            if (p != null) projLen = Math.max(projLen, p.length());
        }
        // what carries the screen's point first: state, exits and the projected value keep their widths
        int exitsW = 7, timeW = 7;
        stateW = Math.min(stateW, 24);
        int projW = Math.min(projLen, Math.max(20, width * 3 / 10));
        boolean showTime = true;
        int nameW = width - 1 - (stateW + 1) - (exitsW + 1) - (timeW + 1) - (projW + 1);
        if (nameW < 12) { // %TIME goes first: its figure moves into the evidence line
            showTime = false;
            nameW += timeW + 1;
        }
        if (nameW < 10) { // then the state text and the projection wrap in narrower columns
            int need = 10 - nameW;
            int fromProj = Math.min(need, Math.max(0, projW - 14));
            projW -= fromProj;
            nameW += fromProj;
            int fromState = Math.min(10 - nameW, Math.max(0, stateW - 10));
            stateW -= fromState;
            nameW += fromState;
        }
        int xs = 1 + nameW + 1, xe = xs + stateW + 1, xt = xe + exitsW + 1, xp = xt + (showTime ? timeW + 1 : 0);
        L.line();
        L.line(Style.HEADER).at(1, "OPTIMIZATION", Style.HEADER).at(xs, "STATE", Style.HEADER)
                .at(xe, String.format("%" + exitsW + "s", "EXITS"), Style.HEADER).at(xp, "PROJECTED", Style.HEADER);
        if (showTime) L.at(xt, String.format("%" + timeW + "s", "%TIME"), Style.HEADER);
        List<Integer> rowLine = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Optimizations.Row x = all.get(i);
            boolean sel = i == this.sel;
            String name = x.name() + (x.target().isEmpty() ? "" : " " + x.target());
            String p = projected.get(i);
            String t = Double.isNaN(x.share()) ? "-" : (x.approx() ? "~" : "") + Text.pct(x.share());
            List<String> nameL = Lines.wrap(name, nameW), stateL = Lines.wrap(stateText(x), stateW), projL = Lines.wrap(p == null ? "-" : p, projW);
            int h = Math.max(nameL.size(), Math.max(stateL.size(), projL.size()));
            rowLine.add(L.size());
            for (int k = 0; k < h; k++) {
                L.line(sel ? Style.SELECTED : null);
                if (sel && k == 0) L.at(0, String.valueOf(gl.sel), Style.SELECTED);
                if (k < nameL.size()) L.at(1, nameL.get(k), sel ? Style.SELECTED : Style.BOLD);
                if (k < stateL.size()) {
                    String st = stateL.get(k);
                    if (k == 0 && st.startsWith(x.state().text)) {
                        L.at(xs, x.state().text, sel ? Style.SELECTED : badge(x.state()));
                        L.at(xs + x.state().text.length(), st.substring(x.state().text.length()), sel ? Style.SELECTED : Style.NORMAL);
                    } else {
                        L.at(xs, st, sel ? Style.SELECTED : Style.NORMAL);
                    }
                }
                if (k == 0) {
                    L.at(xe, String.format("%" + exitsW + "s", x.exits() == 0 && x.state() == Optimizations.State.UNKNOWN ? "-" : Text.count(x.exits())),
                            sel ? Style.SELECTED : Style.NORMAL);
                    if (showTime) L.at(xt, String.format("%" + timeW + "s", t), sel ? Style.SELECTED : Style.NORMAL);
                }
                if (k < projL.size()) L.at(xp, projL.get(k), sel ? Style.SELECTED : p == null ? Style.DIM : Style.NORMAL);
            }
            String ev = x.evidence() + (showTime && !Double.isNaN(x.share()) || Double.isNaN(x.share()) ? "" : "; " + t + " of exit time");
            for (String w : Lines.wrap(ev, width - 6)) L.line().at(5, w, Style.DIM);
        }
        return new Layout(L, rowLine, all);
    }

    /** The state badge and its words, e.g. {@code OFF no ioeventfd}. */
    static String stateText(Optimizations.Row x) {
        return x.state().text + " " + x.stateText();
    }

    private static Style badge(Optimizations.State st) {
        return switch (st) {
            case ON -> Style.ON;
            case OFF -> Style.OFF;
            case PARTIAL -> Style.WARN;
            case UNKNOWN -> Style.DIM;
            case INFO -> Style.NORMAL;
        };
    }

    private static double share(Optimizations.Row x) {
        return Double.isNaN(x.share()) ? -1 : x.share();
    }
}

package io.exitscope.view.tui;

import io.exitscope.stats.ExitKey;
import io.exitscope.stats.GroupBy;

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
 */
final class OptimizationsView {
    private OptimizationsView() {}

    /** The grouping the detail of an optimization row opens in: its address. */
    static final GroupBy BY_TARGET = GroupBy.parse("subkey");

    static List<Optimizations.Row> rows(TuiApp app, Side s) {
        List<Optimizations.Row> out = new ArrayList<>(Optimizations.detect(s, app.baseline == null ? null : app.baseline.side));
        if (app.projector != null) out.addAll(app.projector.rows(s));
        return out;
    }

    static void render(Canvas c, TuiApp app, Frame f, int top, int bottom) {
        Side s = f.side(app.intervalView);
        if (s == null) return;
        Layout lay = build(c.width, app, f, s, c.glyphs);
        app.pageRows = Math.max(1, bottom - top);
        app.optSel = Math.max(0, Math.min(app.optSel, lay.rowLine.size() - 1));
        // keep the selected row (all its lines) in view
        if (!lay.rowLine.isEmpty()) {
            int first = lay.rowLine.get(app.optSel), last = app.optSel + 1 < lay.rowLine.size() ? lay.rowLine.get(app.optSel + 1) - 1 : lay.lines.size() - 1;
            int rows = Math.max(1, bottom - top - 1);
            if (first < app.scroll) app.scroll = first;
            if (last >= app.scroll + rows) app.scroll = Math.min(first, last - rows + 1);
        }
        app.scroll = lay.lines.render(c, top, bottom, app.scroll);
    }

    /** The screen's lines and where each row starts (for the selection). */
    record Layout(Lines lines, List<Integer> rowLine, List<Optimizations.Row> rows) {}

    /** The row Enter opens: the key of its address's exits (reason and subkey), or null when it is about no one address. */
    static ExitKey detailKey(Optimizations.Row r, Side s) {
        if (r == null || r.target().isEmpty()) return null;
        for (io.exitscope.stats.StatsSnapshot.Group g : s.fine.groups()) {
            if (r.target().equals(g.key().subkey())) return g.key().under(BY_TARGET);
        }
        return null;
    }

    static Layout build(int width, TuiApp app, Frame f, Side s, Glyphs gl) {
        Lines L = new Lines();
        List<Optimizations.Row> all = rows(app, s);
        String proj = app.projector == null ? "no exit-path model: projected shifts -" : "projections: " + app.projector.name();
        L.line().at(0, Text.fit("optimizations " + gl.hline + " " + (app.intervalView ? "last interval" : "cumulative window since " + f.window()),
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
            String p = app.projector == null ? null : app.projector.projectedShift(x, s);
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
            boolean sel = app.view == TuiApp.View.OPTIMIZATIONS && i == app.optSel;
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

package io.exitscope.view.tui;

import java.util.ArrayList;
import java.util.List;

/**
 * Which optimizations shift the distribution: each one's detected state and evidence, the exits
 * it affects and their share of exit time, and the projected shift where a model can tell.
 */
final class OptimizationsView {
    private OptimizationsView() {}

    static List<Optimizations.Row> rows(TuiApp app, Side s) {
        List<Optimizations.Row> out = new ArrayList<>(Optimizations.detect(s));
        if (app.projector != null) out.addAll(app.projector.rows(s));
        return out;
    }

    static void render(Canvas c, TuiApp app, Frame f, int top, int bottom) {
        Side s = f.side(app.intervalView);
        if (s == null) return;
        Lines L = build(c.width, app, f, s, c.glyphs);
        app.pageRows = Math.max(1, bottom - top);
        app.scroll = L.render(c, top, bottom, app.scroll);
    }

    static Lines build(int width, TuiApp app, Frame f, Side s, Glyphs gl) {
        Lines L = new Lines();
        List<Optimizations.Row> all = rows(app, s);
        String proj = app.projector == null ? "no exit-path model: projected shifts -" : "projections: " + app.projector.name();
        L.line().at(0, Text.fit("optimizations " + gl.hline + " " + (app.intervalView ? "last interval" : "cumulative window since " + f.window()),
                width, gl), Style.BOLD);
        for (String w : Lines.wrap(proj + "; EXITS = exits it affects, %TIME = their share of measured exit time (~ estimated)", width - 2)) {
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
        boolean wide = width >= 110;
        int stateW = wide ? 24 : 18, exitsW = 7, timeW = 7;
        int projW = wide ? Math.max(14, Math.min(40, width / 5)) : 12;
        int nameW = Math.max(12, width - 1 - stateW - 1 - exitsW - 1 - timeW - 1 - projW - 1);
        int xs = 1 + nameW + 1, xe = xs + stateW + 1, xt = xe + exitsW + 1, xp = xt + timeW + 1;
        L.line();
        L.line(Style.HEADER).at(1, "OPTIMIZATION", Style.HEADER).at(xs, "STATE", Style.HEADER)
                .at(xe, String.format("%" + exitsW + "s", "EXITS"), Style.HEADER).at(xt, String.format("%" + timeW + "s", "%TIME"), Style.HEADER)
                .at(xp, "PROJECTED", Style.HEADER);
        for (Optimizations.Row x : all) {
            String name = x.name() + (x.target().isEmpty() ? "" : " " + x.target());
            L.line().at(1, Text.fit(name, nameW, gl), Style.BOLD);
            Style badge = switch (x.state()) {
                case ON -> Style.ON;
                case OFF -> Style.OFF;
                case PARTIAL -> Style.WARN;
                case UNKNOWN -> Style.DIM;
                case INFO -> Style.NORMAL;
            };
            L.at(xs, x.state().text, badge);
            L.at(xs + x.state().text.length() + 1, Text.fit(x.stateText(), stateW - x.state().text.length() - 1, gl), Style.NORMAL);
            L.at(xe, String.format("%" + exitsW + "s", x.exits() == 0 && x.state() == Optimizations.State.UNKNOWN ? "-" : Text.count(x.exits())), Style.NORMAL);
            String t = Double.isNaN(x.share()) ? "-" : (x.approx() ? "~" : "") + Text.pct(x.share());
            L.at(xt, String.format("%" + timeW + "s", Text.fit(t, timeW, gl)), Style.NORMAL);
            String p = app.projector == null ? null : app.projector.projectedShift(x, s);
            L.at(xp, Text.fit(p == null ? "-" : p, projW, gl), p == null ? Style.DIM : Style.NORMAL);
            for (String w : Lines.wrap(x.evidence(), width - 6)) L.line().at(5, w, Style.DIM);
        }
        return L;
    }

    private static double share(Optimizations.Row x) {
        return Double.isNaN(x.share()) ? -1 : x.share();
    }
}

package io.exitscope.view.tui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The parts every screen shares: the title bar and status lines on top, hints or a prompt at the bottom. */
final class Chrome {
    private Chrome() {}

    static String viewName(TuiApp.View v) {
        return switch (v) {
            case MAIN -> "exits";
            case DETAIL -> "detail";
            case COMPARE -> "compare";
            case OPTIMIZATIONS -> "optimizations";
            case HELP -> "help";
            case HEATMAP -> "heatmap";
        };
    }

    /** Draws the title bar and the status lines; returns the first free row. */
    static int header(Canvas c, TuiApp app, Frame f) {
        c.fill(0, Style.TITLE);
        String mode = f == null ? "" : f.source().live() ? "live" : "replay";
        String left = "exitscope " + mode + " " + c.glyphs.vline + " " + viewName(app.view);
        String right = app.clockText();
        int avail = c.width - left.length() - right.length() - 4;
        String src = f == null ? "" : sourceText(f.source(), avail, c.glyphs);
        c.text(0, 0, left, Style.TITLE);
        if (!src.isEmpty()) c.text(left.length() + 2, 0, src, Style.TITLE);
        if (c.width >= left.length() + right.length() + 1) c.text(c.width - right.length(), 0, right, Style.TITLE);
        if (f == null) return 1;
        int maxLines = (c.height >= 40 ? 4 : c.height >= 20 ? 3 : 2) + (f.error() == null ? 0 : Math.min(3, f.error().length() / c.width + 1));
        int used = Flow.draw(c, 1, status(c, app, f), maxLines);
        return 1 + used;
    }

    private static String sourceText(Frame.Source s, int avail, Glyphs g) {
        String name = s.label();
        if (!s.live()) {
            Path p = Path.of(name).getFileName();
            if (p != null) name = p.toString();
        }
        String[] variants = {
                name + " (" + s.kind() + ", clock " + s.clock() + (s.nsClock() ? "" : " ticks") + ", " + s.cpus() + " CPUs)",
                name + " (clock " + s.clock() + ", " + s.cpus() + " CPUs)",
                name};
        for (String v : variants) if (v.length() <= avail) return v;
        return avail > 3 ? Text.fitLeft(name, avail, g) : "";
    }

    static List<Flow.Seg> status(Canvas c, TuiApp app, Frame f) {
        List<Flow.Seg> segs = new ArrayList<>();
        Glyphs g = c.glyphs;
        if (f.error() != null) { // whole, over as many lines as it takes
            for (String w : Lines.wrap("ERROR: " + f.error(), c.width)) segs.add(new Flow.Seg(w, Style.ALARM, 0));
        }
        if (f.source().synthetic()) segs.add(new Flow.Seg("SIMULATED DATA", Style.WARN, 0));
        Frame.Progress p = f.progress();
        if (p != null) {
            String st = p.ended() ? g.stop + " end" : p.seeking() ? "seeking" + g.ellipsis
                    : p.playing() ? g.play + " " + p.speedLabel() : g.pause + " paused " + p.speedLabel();
            segs.add(new Flow.Seg(st + " " + Text.rel(p.positionNs()), p.ended() || !p.playing() ? Style.WARN : Style.BOLD, 1));
            if (p.fraction() >= 0) {
                int w = 10;
                int full = (int) Math.round(p.fraction() * w);
                String bar = "[" + String.valueOf(g.unicode ? g.full : '#').repeat(full) + (g.unicode ? "\u00b7" : ".").repeat(w - full) + "] "
                        + Math.round(p.fraction() * 100) + "%";
                segs.add(new Flow.Seg(bar, Style.NORMAL, 5));
            }
            segs.add(new Flow.Seg("step " + Text.dur(p.stepNs()), Style.NORMAL, 6));
        } else {
            segs.add(new Flow.Seg("up " + Text.dur(f.elapsedNs()), Style.NORMAL, 3));
            if (app.frozen) segs.add(new Flow.Seg("FROZEN (collecting)", Style.WARN, 1));
        }
        Side cum = f.cumulative(), iv = f.interval();
        if (cum != null) {
            segs.add(new Flow.Seg("events " + Text.count(cum.events) + " " + rate(iv, cum, true) + "/s", Style.NORMAL, 2));
            segs.add(new Flow.Seg("exits " + Text.count(cum.exits) + " " + rate(iv, cum, false) + "/s", Style.NORMAL, 2));
            segs.add(lost(cum, c.palette.color));
            if (cum.incomplete > 0) segs.add(new Flow.Seg("incomplete " + Text.count(cum.incomplete), Style.NORMAL, 8));
        }
        segs.add(new Flow.Seg(app.intervalView ? "view interval " + (iv == null ? "-" : Text.dur(Math.round(iv.seconds * 1e9)))
                : "view cumulative since " + f.window(), Style.NORMAL, 3));
        segs.add(new Flow.Seg("group " + app.grouping(), Style.NORMAL, 3));
        segs.add(new Flow.Seg("sort " + app.sort.title + (app.sort.descending != app.invert ? g.sortDesc : g.sortAsc), Style.NORMAL, 4));
        segs.add(new Flow.Seg("filter " + app.filter.describe(), app.filter.active() ? Style.WARN : Style.NORMAL, app.filter.active() ? 2 : 6));
        String sw = app.projector == null ? null : app.projector.switchSet(app.side());
        segs.add(new Flow.Seg("switches " + (sw == null ? "-" : sw), Style.NORMAL, 7));
        Side s = app.side();
        if (s != null) segs.add(new Flow.Seg("measure " + s.measureShort(), Style.NORMAL, 7));
        if (s != null && s.unknownClassExits() > 0) {
            segs.add(new Flow.Seg("class unknown: " + io.exitscope.exit.ExitClass.UNKNOWN_WHY, Style.WARN, 5));
        }
        if (app.baseline != null) segs.add(new Flow.Seg("baseline " + app.baseline.label, Style.NORMAL, 9));
        return segs;
    }

    private static String rate(Side iv, Side cum, boolean events) {
        Side s = iv != null && iv.seconds > 0 ? iv : cum;
        if (s == null || s.seconds <= 0) return "-";
        return Text.rate((events ? s.events : s.exits) / s.seconds);
    }

    private static Flow.Seg lost(Side cum, boolean color) {
        if (cum.lost == 0 && cum.lostPages == 0) return new Flow.Seg("lost 0", Style.NORMAL, 0);
        String t = "LOST " + Text.count(cum.lost) + " EVENTS" + (cum.lostPages > 0 ? " (+" + cum.lostPages + " pages)" : "");
        return new Flow.Seg(color ? " " + t + " " : "!! " + t + " !!", Style.ALARM, 0);
    }

    /** The bottom line: a prompt, a message, or the keys that matter here. */
    static void footer(Canvas c, TuiApp app, int row) {
        if (app.prompt != null) {
            c.fill(row, Style.PROMPT);
            String t = app.prompt.label + app.prompt.text;
            c.text(0, row, t.length() <= c.width ? t : Text.fitLeft(t, c.width, c.glyphs), Style.PROMPT);
            return;
        }
        if (app.message != null) {
            c.text(0, row, Text.fit(app.message, c.width, c.glyphs), app.messageAlarm ? Style.ALARM : Style.BOLD);
            return;
        }
        boolean replay = app.feed.replay();
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"?", "help"});
        h.add(new String[]{"q", "quit"});
        switch (app.view) {
            case MAIN -> {
                h.add(new String[]{"Enter", "detail"});
                h.add(new String[]{"m", "heatmap"});
                h.add(new String[]{"<>", "sort"});
                h.add(new String[]{"f", "filter"});
                h.add(new String[]{"k", "group"});
                if (replay) h.add(new String[]{"space", "pause"});
                h.add(new String[]{"b", "baseline"});
                h.add(new String[]{"x", "subkeys"});
                h.add(new String[]{"i", "interval"});
                h.add(new String[]{"O", "optimizations"});
                if (replay) {
                    h.add(new String[]{".", "step"});
                    h.add(new String[]{"+-", "speed"});
                    h.add(new String[]{"j", "slowest"});
                } else {
                    h.add(new String[]{"space", "freeze"});
                }
            }
            case DETAIL -> {
                h.add(new String[]{"Esc", "back"});
                if (replay) h.add(new String[]{"j", "jump to slowest"});
                h.add(new String[]{"i", "interval"});
            }
            case COMPARE -> {
                h.add(new String[]{"Esc", "back"});
                h.add(new String[]{"Enter", "detail"});
                h.add(new String[]{"b", "new baseline"});
                h.add(new String[]{"B", "drop"});
                h.add(new String[]{"k", "group"});
            }
            case OPTIMIZATIONS -> {
                h.add(new String[]{"Esc", "back"});
                h.add(new String[]{"Enter", "detail"});
                h.add(new String[]{"i", "interval"});
            }
            case HELP -> h.add(new String[]{"Esc", "back"});
            case HEATMAP -> {
                h.add(new String[]{"Esc", "back"});
                h.add(new String[]{c.glyphs.unicode ? "\u2190\u2192" : "<- ->", "cursor"});
                h.add(new String[]{"Enter", "its table"});
                h.add(new String[]{"m", app.heatmap.key == null ? "selected key" : "whole view"});
                h.add(new String[]{"i", "interval"});
            }
        }
        int col = 0;
        String full = app.view == TuiApp.View.MAIN ? app.truncatedSelection : null;
        if (full != null) { // the selected key did not fit its column: say it whole here
            String t = c.glyphs.sel + " " + full;
            c.text(0, row, Text.fit(t, c.width, c.glyphs), Style.BOLD);
            col = Math.min(c.width, t.length() + 3);
            h = h.subList(0, 2);
        }
        for (String[] x : h) {
            int need = x[0].length() + 1 + x[1].length();
            if (col + need > c.width) break;
            c.text(col, row, x[0], Style.KEY);
            c.text(col + x[0].length() + 1, row, x[1], Style.NORMAL);
            col += need + 2;
        }
    }
}

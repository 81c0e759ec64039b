package io.exitscope.view.tui;

import io.exitscope.view.tui.feed.Frame;
import io.exitscope.view.tui.feed.Side;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The parts every screen shares: the title bar and status lines on top, hints or a prompt at the bottom. */
final class Chrome {
    private Chrome() {}

    /**
     * What the bars show besides the frame, made by the app for each draw.
     *
     * @param side          the side on show (the measure), null if none
     * @param sort          the main table's sort, e.g. {@code %TIME▼}
     * @param switches      the switch set the model reads from the side, null if none
     * @param baseline      the baseline's label, null if none
     * @param prompt        the line being typed (label and text), null if none
     * @param message       the last message, null if none
     * @param hints         the screen's keys (after {@code ?} and {@code q})
     * @param fullSelection the selected key whole when its column cut it, else null
     */
    record Bar(ViewId screen, String clock, Side side, Lens lens, String sort, boolean frozen, String switches, String baseline,
               String prompt, String message, boolean alarm, List<String[]> hints, String fullSelection) {}

    /** Draws the title bar and the status lines; returns the first free row. */
    static int header(Canvas c, Bar bar, Frame f) {
        c.fill(0, Style.TITLE);
        String mode = f == null ? "" : f.source().live() ? "live" : "replay";
        String left = "exitscope " + mode + " " + c.glyphs.vline + " " + bar.screen().title;
        String right = bar.clock();
        int avail = c.width - left.length() - right.length() - 4;
        String src = f == null ? "" : sourceText(f.source(), avail, c.glyphs);
        c.text(0, 0, left, Style.TITLE);
        if (!src.isEmpty()) c.text(left.length() + 2, 0, src, Style.TITLE);
        if (c.width >= left.length() + right.length() + 1) c.text(c.width - right.length(), 0, right, Style.TITLE);
        if (f == null) return 1;
        int maxLines = (c.height >= 40 ? 4 : c.height >= 20 ? 3 : 2) + (f.error() == null ? 0 : Math.min(3, f.error().length() / c.width + 1));
        int used = Flow.draw(c, 1, status(c, bar, f), maxLines);
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

    static List<Flow.Seg> status(Canvas c, Bar bar, Frame f) {
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
                String gauge = "[" + String.valueOf(g.unicode ? g.full : '#').repeat(full) + (g.unicode ? "\u00b7" : ".").repeat(w - full) + "] "
                        + Math.round(p.fraction() * 100) + "%";
                segs.add(new Flow.Seg(gauge, Style.NORMAL, 5));
            }
            segs.add(new Flow.Seg("step " + Text.dur(p.stepNs()), Style.NORMAL, 6));
        } else {
            segs.add(new Flow.Seg("up " + Text.dur(f.elapsedNs()), Style.NORMAL, 3));
            if (bar.frozen()) segs.add(new Flow.Seg("FROZEN (collecting)", Style.WARN, 1));
        }
        Side cum = f.cumulative(), iv = f.interval();
        if (cum != null) {
            segs.add(new Flow.Seg("events " + Text.count(cum.events()) + " " + rate(iv, cum, true) + "/s", Style.NORMAL, 2));
            segs.add(new Flow.Seg("exits " + Text.count(cum.exits()) + " " + rate(iv, cum, false) + "/s", Style.NORMAL, 2));
            segs.add(lost(cum, c.palette.color));
            if (cum.result().incompleteExits() > 0) segs.add(new Flow.Seg("incomplete " + Text.count(cum.result().incompleteExits()), Style.NORMAL, 8));
        }
        Lens lens = bar.lens();
        segs.add(new Flow.Seg(lens.interval() ? "view interval " + (iv == null ? "-" : Text.dur(Math.round(iv.seconds() * 1e9)))
                : "view cumulative since " + f.window(), Style.NORMAL, 3));
        segs.add(new Flow.Seg("group " + lens.grouping(), Style.NORMAL, 3));
        segs.add(new Flow.Seg("sort " + bar.sort(), Style.NORMAL, 4));
        Filter filter = lens.filter();
        segs.add(new Flow.Seg("filter " + filter.describe(), filter.active() ? Style.WARN : Style.NORMAL, filter.active() ? 2 : 6));
        String sw = bar.switches();
        segs.add(new Flow.Seg("switches " + (sw == null ? "-" : sw), Style.NORMAL, 7));
        Side s = bar.side();
        if (s != null) segs.add(new Flow.Seg("measure " + s.measureShort(), Style.NORMAL, 7));
        if (s != null && s.unknownClassExits() > 0) {
            segs.add(new Flow.Seg("class unknown: " + io.exitscope.exit.ExitClass.UNKNOWN_WHY, Style.WARN, 5));
        }
        if (bar.baseline() != null) segs.add(new Flow.Seg("baseline " + bar.baseline(), Style.NORMAL, 9));
        return segs;
    }

    private static String rate(Side iv, Side cum, boolean events) {
        Side s = iv != null && iv.seconds() > 0 ? iv : cum;
        if (s == null || s.seconds() <= 0) return "-";
        return Text.rate((events ? s.events() : s.exits()) / s.seconds());
    }

    private static Flow.Seg lost(Side cum, boolean color) {
        if (cum.result().lostEvents() == 0 && cum.result().lostUnknownPages() == 0) return new Flow.Seg("lost 0", Style.NORMAL, 0);
        String t = "LOST " + Text.count(cum.result().lostEvents()) + " EVENTS" + (cum.result().lostUnknownPages() > 0 ? " (+" + cum.result().lostUnknownPages() + " pages)" : "");
        return new Flow.Seg(color ? " " + t + " " : "!! " + t + " !!", Style.ALARM, 0);
    }

    /** The bottom line: a prompt, a message, or the keys that matter here. */
    static void footer(Canvas c, Bar bar, int row) {
        if (bar.prompt() != null) {
            c.fill(row, Style.PROMPT);
            String t = bar.prompt();
            c.text(0, row, t.length() <= c.width ? t : Text.fitLeft(t, c.width, c.glyphs), Style.PROMPT);
            return;
        }
        if (bar.message() != null) {
            c.text(0, row, Text.fit(bar.message(), c.width, c.glyphs), bar.alarm() ? Style.ALARM : Style.BOLD);
            return;
        }
        List<String[]> h = new ArrayList<>();
        h.add(new String[]{"?", "help"});
        h.add(new String[]{"q", "quit"});
        h.addAll(bar.hints());
        int col = 0;
        String full = bar.fullSelection();
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

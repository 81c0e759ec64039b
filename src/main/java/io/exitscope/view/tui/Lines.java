package io.exitscope.view.tui;

import java.util.ArrayList;
import java.util.List;

/** A scrollable list of styled lines for the detail, optimizations and help screens. */
final class Lines {
    record Span(int col, String text, Style style) {}

    record Line(List<Span> spans, Style fill) {}

    final List<Line> lines = new ArrayList<>();
    private List<Span> cur;

    Lines line() {
        return line(null);
    }

    /** Starts a line; {@code fill} paints the whole row first (section bars). */
    Lines line(Style fill) {
        cur = new ArrayList<>();
        lines.add(new Line(cur, fill));
        return this;
    }

    Lines at(int col, String text, Style s) {
        if (cur == null) line();
        cur.add(new Span(col, text, s));
        return this;
    }

    int size() {
        return lines.size();
    }

    /** Draws lines [scroll, ...) into rows [top, bottom); returns the scroll actually used. */
    int render(Canvas c, int top, int bottom, int scroll) {
        int rows = Math.max(0, bottom - top);
        boolean scrolls = lines.size() > rows;
        if (scrolls) rows = Math.max(1, rows - 1); // the last row says where we are
        int max = Math.max(0, lines.size() - rows);
        scroll = Math.max(0, Math.min(scroll, max));
        for (int i = 0; i < rows && scroll + i < lines.size(); i++) {
            Line l = lines.get(scroll + i);
            if (l.fill() != null) c.fill(top + i, l.fill());
            for (Span s : l.spans()) c.text(s.col(), top + i, s.text(), s.style());
        }
        if (scrolls) {
            String more = (scroll + rows < lines.size() ? c.glyphs.down + " more below  " : "") + (scroll > 0 ? c.glyphs.up + " more above  " : "")
                    + "lines " + (scroll + 1) + "-" + Math.min(lines.size(), scroll + rows) + " of " + lines.size() + " (Up/Down/PgDn)";
            c.text(1, top + rows, Text.fit(more, c.width - 2, c.glyphs), Style.DIM);
        }
        return scroll;
    }

    /** Word-wraps {@code text} into lines of at most {@code w} columns (long words are cut). */
    static List<String> wrap(String text, int w) {
        List<String> out = new ArrayList<>();
        if (w <= 0) return out;
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            while (word.length() > w) {
                if (line.length() > 0) {
                    out.add(line.toString());
                    line.setLength(0);
                }
                out.add(word.substring(0, w));
                word = word.substring(w);
            }
            if (line.length() > 0 && line.length() + 1 + word.length() > w) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0 || out.isEmpty()) out.add(line.toString());
        return out;
    }
}

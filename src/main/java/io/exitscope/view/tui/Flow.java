package io.exitscope.view.tui;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out header segments left to right, wrapping to the next line, never cutting one in two.
 * When they need more lines than allowed, the least important segments are left out.
 */
final class Flow {
    private Flow() {}

    /** A piece of the header; lower {@code prio} is more important. */
    record Seg(String text, Style style, int prio) {}

    record Placed(Seg seg, int col, int line) {}

    static List<Placed> layout(List<Seg> segs, int width, int maxLines, Glyphs g) {
        List<Seg> keep = new ArrayList<>();
        for (Seg s : segs) keep.add(s.text().length() > width ? new Seg(Text.fit(s.text(), width, g), s.style(), s.prio()) : s);
        while (true) {
            List<Placed> out = new ArrayList<>();
            int line = 0, col = 0;
            for (Seg s : keep) {
                int need = s.text().length();
                if (col > 0 && col + 2 + need > width) {
                    line++;
                    col = 0;
                }
                if (col > 0) col += 2;
                out.add(new Placed(s, col, line));
                col += need;
            }
            if (line < maxLines || keep.size() <= 1) return out;
            Seg worst = null;
            for (Seg s : keep) if (worst == null || s.prio() >= worst.prio()) worst = s;
            keep.remove(worst);
        }
    }

    /** Draws segments from {@code row}; returns the number of lines used. */
    static int draw(Canvas c, int row, List<Seg> segs, int maxLines) {
        List<Placed> p = layout(segs, c.width, maxLines, c.glyphs);
        int lines = 0;
        for (Placed x : p) {
            c.text(x.col(), row + x.line(), x.seg().text(), x.seg().style());
            lines = Math.max(lines, x.line() + 1);
        }
        return lines;
    }
}

package io.exitscope.view.tui;

import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;

/**
 * The characters the screens draw with: Unicode block bars and arrows where the terminal's
 * charset can carry them, plain ASCII otherwise (LANG=C over SSH, serial consoles).
 */
public final class Glyphs {
    public final boolean unicode;
    public final char full, up, down, sortDesc, sortAsc, vline, hline, mark, ellipsis, play, pause, stop, sel;
    public final String arrow;
    /** Heatmap cells from few to most exits, and the percentile lines drawn over them (both: one cell holds p50 and p99). */
    public final char[] shades;
    public final char p50Line, p99Line, bothLines;
    private final char[] partial;

    private Glyphs(boolean unicode) {
        this.unicode = unicode;
        if (unicode) {
            full = '\u2588';
            partial = new char[]{' ', '\u258f', '\u258e', '\u258d', '\u258c', '\u258b', '\u258a', '\u2589'};
            up = '\u2191';
            down = '\u2193';
            sortDesc = '\u25bc';
            sortAsc = '\u25b2';
            vline = '\u2502';
            hline = '\u2500';
            mark = '\u25c4';
            ellipsis = '\u2026';
            play = '\u25b6';
            pause = '\u2016';
            stop = '\u25a0';
            sel = '\u25b8';
            arrow = "\u2192";
            shades = new char[]{'\u2591', '\u2592', '\u2593', '\u2588'};
            p50Line = '\u2500';
            p99Line = '\u2550';
            bothLines = '\u2261';
        } else {
            full = '#';
            partial = new char[]{' ', ' ', ' ', ' ', '+', '+', '+', '+'};
            up = '^';
            down = 'v';
            sortDesc = 'v';
            sortAsc = '^';
            vline = '|';
            hline = '-';
            mark = '<';
            ellipsis = '~';
            play = '>';
            pause = '"';
            stop = '#';
            sel = '>';
            arrow = "->";
            shades = new char[]{'.', ':', '+', '#'};
            p50Line = '-';
            p99Line = '=';
            bothLines = '*';
        }
    }

    public static final Glyphs UNICODE = new Glyphs(true);
    public static final Glyphs ASCII = new Glyphs(false);

    /** Unicode when the charset can encode every glyph used, else ASCII. */
    public static Glyphs forCharset(Charset cs) {
        CharsetEncoder enc = cs.newEncoder();
        return enc.canEncode("\u2591\u2592\u2593\u2550\u2261\u2588\u258f\u2191\u2193\u25bc\u25b2\u2502\u2500\u25c4\u2026\u25b6\u2016\u25a0\u25b8\u2192") ? UNICODE : ASCII;
    }

    /** A horizontal bar of {@code cells} (fractional) character cells. */
    public String bar(double cells, int max) {
        if (!(cells > 0)) return "";
        cells = Math.min(cells, max);
        int whole = (int) cells;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < whole; i++) sb.append(full);
        int eighths = (int) Math.round((cells - whole) * 8);
        if (eighths >= 8) sb.append(full);
        else if (eighths > 0 && partial[eighths] != ' ') sb.append(partial[eighths]);
        if (sb.length() == 0) sb.append(unicode ? partial[1] : '.'); // non-zero counts stay visible
        return sb.toString();
    }

    public String hline(int n) {
        return String.valueOf(hline).repeat(Math.max(0, n));
    }
}

package io.exitscope.view.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.screen.Screen;

import java.util.EnumMap;
import java.util.Map;

/**
 * Draws styled text into a Lanterna {@link Screen}'s back buffer. Text is clipped at the right
 * edge and never wraps; callers lay out so nothing needs clipping. Rows outside the screen are
 * ignored, so a view can draw without checking the height on every line.
 */
final class Canvas {
    final Screen screen;
    final int width, height;
    final Palette palette;
    final Glyphs glyphs;
    private final Map<Style, TextCharacter> templates = new EnumMap<>(Style.class);

    Canvas(Screen screen, Palette palette, Glyphs glyphs) {
        this.screen = screen;
        var size = screen.getTerminalSize();
        this.width = size.getColumns();
        this.height = size.getRows();
        this.palette = palette;
        this.glyphs = glyphs;
    }

    /** Writes {@code s} at (col,row); returns the column after it. */
    int text(int col, int row, String s, Style style) {
        if (row < 0 || row >= height || s == null) return col;
        TextCharacter t = template(style);
        for (int i = 0; i < s.length(); i++) {
            int c = col + i;
            if (c >= width) break;
            if (c < 0) continue;
            char ch = s.charAt(i);
            if (ch < ' ') ch = ' ';
            screen.setCharacter(c, row, t.withCharacter(ch));
        }
        return col + s.length();
    }

    /** Paints a whole row in a style (background bars, selection). */
    void fill(int row, Style style) {
        fillRange(0, width, row, style);
    }

    void fillRange(int from, int to, int row, Style style) {
        if (row < 0 || row >= height) return;
        TextCharacter t = template(style);
        for (int c = Math.max(0, from); c < Math.min(to, width); c++) screen.setCharacter(c, row, t);
    }

    void clear() {
        TextCharacter blank = TextCharacter.DEFAULT_CHARACTER;
        for (int r = 0; r < height; r++) for (int c = 0; c < width; c++) screen.setCharacter(c, r, blank);
    }

    private TextCharacter template(Style style) {
        return templates.computeIfAbsent(style, st -> {
            Palette.Look l = palette.look(st);
            return TextCharacter.fromCharacter(' ', l.fg(), l.bg(), l.sgr().toArray(new SGR[0]))[0];
        });
    }

    /** Right-aligns {@code s} in a cell of {@code w} columns at {@code col}. */
    void right(int col, int row, int w, String s, Style style) {
        String t = Text.fit(s, w, glyphs);
        text(col + w - t.length(), row, t, style);
    }

    void left(int col, int row, int w, String s, Style style) {
        text(col, row, Text.fit(s, w, glyphs), style);
    }
}

package io.exitscope.view.tui;

/**
 * How the full-screen UI looks and behaves.
 *
 * @param color     colours (false with NO_COLOR or --no-color)
 * @param glyphs    Unicode or ASCII drawing characters
 * @param projector the exit-path model hook for projected shifts, may be null
 */
public record TuiOptions(boolean color, Glyphs glyphs, Projector projector) {
    public static TuiOptions defaults(boolean noColorFlag) {
        boolean color = !noColorFlag && !Palette.noColorRequested();
        return new TuiOptions(color, Glyphs.forCharset(Tui.terminalCharset()), Projector.discover());
    }
}

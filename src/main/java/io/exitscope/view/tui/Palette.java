package io.exitscope.view.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TextColor;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;

/**
 * Colours and attributes per {@link Style}. Only the 8 ANSI colours (they work on every
 * terminal). Without colour ({@code NO_COLOR}, {@code --no-color}) styles map to bold, underline
 * and reverse video only, and every meaning that colour carries is also written as text.
 */
public final class Palette {
    public record Look(TextColor fg, TextColor bg, EnumSet<SGR> sgr) {}

    private final Map<Style, Look> looks = new EnumMap<>(Style.class);
    public final boolean color;

    private Palette(boolean color) {
        this.color = color;
        TextColor d = TextColor.ANSI.DEFAULT;
        for (Style s : Style.values()) looks.put(s, new Look(d, d, EnumSet.noneOf(SGR.class)));
        if (color) {
            put(Style.DIM, TextColor.ANSI.BLACK_BRIGHT, d);
            put(Style.BOLD, d, d, SGR.BOLD);
            put(Style.TITLE, TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.BLUE, SGR.BOLD);
            put(Style.HEADER, TextColor.ANSI.BLACK, TextColor.ANSI.CYAN);
            put(Style.SELECTED, TextColor.ANSI.BLACK, TextColor.ANSI.YELLOW_BRIGHT);
            put(Style.ALARM, TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.RED, SGR.BOLD);
            put(Style.WARN, TextColor.ANSI.YELLOW, d, SGR.BOLD);
            put(Style.GOOD, TextColor.ANSI.GREEN, d);
            put(Style.BAD, TextColor.ANSI.RED, d, SGR.BOLD);
            put(Style.CLASS_H, TextColor.ANSI.MAGENTA, d);
            put(Style.CLASS_K, TextColor.ANSI.CYAN, d);
            put(Style.CLASS_U, TextColor.ANSI.YELLOW, d);
            put(Style.BAR, TextColor.ANSI.GREEN, d);
            put(Style.MARK, TextColor.ANSI.MAGENTA, d, SGR.BOLD);
            put(Style.KEY, TextColor.ANSI.CYAN, d, SGR.BOLD);
            put(Style.PROMPT, TextColor.ANSI.WHITE_BRIGHT, TextColor.ANSI.BLUE);
            put(Style.ON, TextColor.ANSI.GREEN, d, SGR.BOLD);
            put(Style.OFF, TextColor.ANSI.RED, d, SGR.BOLD);
            put(Style.HEAT_1, TextColor.ANSI.BLUE, d);
            put(Style.HEAT_2, TextColor.ANSI.CYAN, d);
            put(Style.HEAT_3, TextColor.ANSI.YELLOW, d);
            put(Style.HEAT_4, TextColor.ANSI.RED_BRIGHT, d, SGR.BOLD);
        } else {
            put(Style.BOLD, d, d, SGR.BOLD);
            put(Style.TITLE, d, d, SGR.REVERSE);
            put(Style.HEADER, d, d, SGR.BOLD, SGR.UNDERLINE);
            put(Style.SELECTED, d, d, SGR.REVERSE);
            put(Style.ALARM, d, d, SGR.REVERSE, SGR.BOLD);
            put(Style.WARN, d, d, SGR.BOLD);
            put(Style.BAD, d, d, SGR.BOLD);
            put(Style.MARK, d, d, SGR.BOLD);
            put(Style.KEY, d, d, SGR.BOLD);
            put(Style.PROMPT, d, d, SGR.REVERSE);
            put(Style.ON, d, d, SGR.BOLD);
            put(Style.OFF, d, d, SGR.BOLD);
        }
    }

    private void put(Style s, TextColor fg, TextColor bg, SGR... sgr) {
        EnumSet<SGR> set = EnumSet.noneOf(SGR.class);
        for (SGR x : sgr) set.add(x);
        looks.put(s, new Look(fg, bg, set));
    }

    public Look look(Style s) {
        return looks.get(s);
    }

    public static final Palette COLOR = new Palette(true);
    public static final Palette NO_COLOR = new Palette(false);

    /** The NO_COLOR convention: set and not empty disables colour. */
    public static boolean noColorRequested() {
        String v = System.getenv("NO_COLOR");
        return v != null && !v.isEmpty();
    }
}

package io.exitscope.view.tui;

/** What a piece of text means; {@link Palette} decides how that looks (with or without colour). */
public enum Style {
    NORMAL, DIM, BOLD, TITLE, HEADER, SELECTED, ALARM, WARN, GOOD, BAD, CLASS_H, CLASS_K, CLASS_U, BAR, MARK, KEY, PROMPT, ON, OFF,
    /** Heatmap cells, from few exits to the most. */
    HEAT_1, HEAT_2, HEAT_3, HEAT_4
}

package io.exitscope.view.tui;

import java.util.List;

/**
 * One screen of the UI: it draws a {@link Scene} and keeps its own small state (selection,
 * scroll, what it shows); the app only picks which screen is on and hands it the scene.
 */
interface View {
    void render(Canvas c, Scene s, int top, int bottom);

    /** Up, Down, PgUp, PgDn, Home, End. */
    void move(Action a, Scene s);

    /** The keys that matter on this screen, for the footer (after {@code ?} and {@code q}). */
    List<String[]> hints(boolean replay, Glyphs g);

    /** How far a movement key goes with {@code pageRows} on screen. */
    static int delta(Action a, int pageRows) {
        int page = Math.max(1, pageRows - 1);
        return switch (a) {
            case UP -> -1;
            case DOWN -> 1;
            case PAGE_UP -> -page;
            case PAGE_DOWN -> page;
            case HOME -> Integer.MIN_VALUE / 2;
            default -> Integer.MAX_VALUE / 2;
        };
    }

    /** A scroll position or selection moved by {@code delta}: never negative; the render clamps the end. */
    static int moved(int at, int delta) {
        return (int) Math.max(0, Math.min((long) at + delta, Integer.MAX_VALUE / 4));
    }
}

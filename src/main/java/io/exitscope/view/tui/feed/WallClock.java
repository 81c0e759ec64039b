package io.exitscope.view.tui.feed;

import java.time.LocalTime;

/**
 * The wall clock as the full-screen view shows it: {@code HH:MM:SS}, seconds always there.
 * ({@link LocalTime#toString()} leaves them out at a whole minute: a baseline taken at 05:01:00
 * was labelled "window 05:01..05:01".)
 */
public final class WallClock {
    private WallClock() {}

    /** {@code t} as {@code HH:MM:SS}, its fraction of a second dropped. */
    public static String of(LocalTime t) {
        char[] c = {digit(t.getHour() / 10), digit(t.getHour() % 10), ':', digit(t.getMinute() / 10), digit(t.getMinute() % 10), ':',
                digit(t.getSecond() / 10), digit(t.getSecond() % 10)};
        return new String(c);
    }

    /** Now, as {@code HH:MM:SS}. */
    public static String now() {
        return of(LocalTime.now());
    }

    /** The wall clock at {@link System#nanoTime()} {@code t}, given that {@code now} is that clock now. */
    public static String at(long t, long now) {
        return of(LocalTime.now().minusNanos(now - t));
    }

    private static char digit(int d) {
        return (char) ('0' + d);
    }
}

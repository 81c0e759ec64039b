package io.exitscope.view.tui.feed;

import org.junit.jupiter.api.Test;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WallClockTest {
    /** CI at 5fda139: a baseline taken at 05:01:00 showed "window 05:01..05:01" (LocalTime.toString). */
    @Test
    void aWholeMinuteKeepsItsSeconds() {
        assertEquals("05:01:00", WallClock.of(LocalTime.of(5, 1, 0)));
        assertEquals("00:00:00", WallClock.of(LocalTime.MIDNIGHT));
        assertEquals("23:59:59", WallClock.of(LocalTime.MAX));
    }

    @Test
    void asJavaTimeFormatsHhMmSs() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("HH:mm:ss");
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < 100_000; i++) {
            LocalTime t = LocalTime.ofNanoOfDay(r.nextLong(LocalTime.MAX.toNanoOfDay() + 1));
            assertEquals(t.format(f), WallClock.of(t), t.toString());
        }
    }
}

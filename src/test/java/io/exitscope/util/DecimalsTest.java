package io.exitscope.util;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Decimals writes what {@code String.format(Locale.US, "%.Nf", v)} writes, which it replaces. */
class DecimalsTest {

    private static String printf(double v, int places) {
        return String.format(Locale.US, "%." + places + "f", v);
    }

    @Test
    void fixedIsPrintfOnEdgesAndHalves() {
        double[] edges = {0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1.005, 1.045, 2.675, 9.995, 99.95, 99.995, 1e-9, -1e-9,
                12.34, 100, 1e15, 123456789.125, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1 + 0.2, 1.0 / 3, 2.0 / 3};
        for (double v : edges) {
            for (int p = 0; p <= 6; p++) assertEquals(printf(v, p), Decimals.fixed(v, p), v + " with " + p + " places");
        }
    }

    @Test
    void fixedIsPrintfOnRandomDoubles() {
        SplittableRandom r = new SplittableRandom(20261206);
        for (int i = 0; i < 200_000; i++) {
            // shares and rates: [0, 1), [0, 100), and a few magnitudes either side
            double v = switch (i % 4) {
                case 0 -> r.nextDouble();
                case 1 -> r.nextDouble() * 100;
                case 2 -> r.nextLong(0, 100_000) / 1000.0;   // three decimals, so ties at half occur
                default -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-6, 12));
            };
            int p = r.nextInt(0, 7);
            assertEquals(printf(v, p), Decimals.fixed(v, p), v + " with " + p + " places");
        }
    }

    @Test
    void quotientIsPrintfOfTheDoubleQuotient() {
        SplittableRandom r = new SplittableRandom(7);
        long[] divisors = {1_000, 1_000_000, 1_000_000_000};
        for (int i = 0; i < 200_000; i++) {
            long d = divisors[i % 3];
            long n = i % 5 == 0 ? r.nextLong(0, 1_000L * d) : r.nextLong(0, 1L << r.nextInt(1, 50));
            if (i % 7 == 0) n = n / (d / 1000) * (d / 1000) + d / 2000;   // a tie at the third decimal
            int p = r.nextInt(0, 3);
            assertEquals(printf(n / (double) d, p), Decimals.quotient(n, d, p), n + " / " + d + " with " + p + " places");
        }
        assertEquals("100.0", Decimals.quotient(99_995, 1_000, 1));
        assertEquals("0.01", Decimals.quotient(5, 1_000, 2));
        assertEquals("9223372037", Decimals.quotient(Long.MAX_VALUE, 1_000_000_000, 0));
    }

    @Test
    void durationsAreWhatTheyWereWithPrintf() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 100_000; i++) {
            long ns = r.nextLong(0, 1L << r.nextInt(1, 45));
            assertEquals(oldFormat(ns), Durations.format(ns), Long.toString(ns));
            double share = i % 2 == 0 ? r.nextDouble() : r.nextInt(0, 100_001) / 100_000.0;
            assertEquals(oldPercent(share), Durations.percent(share), Double.toString(share));
        }
    }

    /** Durations.format as it was, with String.format: the oracle. */
    private static String oldFormat(long ns) {
        if (ns < 0) return "-";
        if (ns < 1_000) return ns + "ns";
        if (ns < 1_000_000) return oldThree(ns / 1e3) + "us";
        if (ns < 1_000_000_000) return oldThree(ns / 1e6) + "ms";
        return oldThree(ns / 1e9) + "s";
    }

    private static String oldThree(double v) {
        if (v >= 100) return String.format(Locale.US, "%.0f", v);
        if (v >= 10) return String.format(Locale.US, "%.1f", v);
        return String.format(Locale.US, "%.2f", v);
    }

    private static String oldPercent(double fraction) {
        if (Double.isNaN(fraction)) return "-";
        double p = fraction * 100;
        if (p > 0 && p < 0.1) return "<0.1%";
        return String.format(Locale.US, "%.1f%%", p);
    }
}

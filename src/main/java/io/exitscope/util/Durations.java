package io.exitscope.util;

/** Human formatting and parsing of nanosecond durations: {@code 812ns 9.31us 1.20ms 2.50s}. */
public final class Durations {
    private Durations() {}

    public static String format(long ns) {
        if (ns < 0) return "-";
        if (ns < 1_000) return ns + "ns";
        if (ns < 1_000_000) return three(ns, 1_000) + "us";
        if (ns < 1_000_000_000) return three(ns, 1_000_000) + "ms";
        return three(ns, 1_000_000_000) + "s";
    }

    /** Trace time after the first event, as the replay screens and commands show it: {@code t+0}, {@code t+45.2ms}. */
    public static String sinceStart(long ns) {
        return "t+" + (ns <= 0 ? "0" : format(ns));
    }

    /** A confidence interval {@code [low, high]} in ns as {@code 1.19us-1.21us}; a high end of Long.MAX_VALUE is open: {@code >=1.19us}. */
    public static String interval(long[] ci) {
        if (ci == null) return "-";
        return ci[1] == Long.MAX_VALUE ? ">=" + format(ci[0]) : format(ci[0]) + "-" + format(ci[1]);
    }

    /** {@code ns / unit} to three significant digits, like the histograms ({@code 9.31}, {@code 45.2}, {@code 812}). */
    private static String three(long ns, long unit) {
        return Decimals.quotient(ns, unit, ns >= 100 * unit ? 0 : ns >= 10 * unit ? 1 : 2);
    }

    /**
     * Parses {@code 1.5}, {@code 1.5s}, {@code 200ms}, {@code 20us}, {@code 300ns} (seconds when no
     * unit) into ns.
     */
    public static long parse(String s) {
        String t = s.strip().toLowerCase();
        double mult = 1e9;
        String num = t;
        if (t.endsWith("ns")) { mult = 1; num = t.substring(0, t.length() - 2); }
        else if (t.endsWith("us") || t.endsWith("µs")) { mult = 1e3; num = t.substring(0, t.length() - 2); }
        else if (t.endsWith("ms")) { mult = 1e6; num = t.substring(0, t.length() - 2); }
        else if (t.endsWith("s")) { num = t.substring(0, t.length() - 1); }
        else if (t.endsWith("m")) { mult = 60e9; num = t.substring(0, t.length() - 1); }
        try {
            double v = Double.parseDouble(num.strip());
            if (Double.isNaN(v) || Double.isInfinite(v)) throw new NumberFormatException();
            return Math.round(v * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration '" + s + "' (e.g. 1.5s, 200ms, 20us, 300ns)");
        }
    }

    public static String percent(double fraction) {
        if (Double.isNaN(fraction)) return "-";
        double p = fraction * 100;
        if (p > 0 && p < 0.1) return "<0.1%";
        return Decimals.fixed(p, 1) + "%";
    }
}

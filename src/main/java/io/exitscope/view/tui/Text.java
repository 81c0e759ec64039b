package io.exitscope.view.tui;

import io.exitscope.util.Durations;

/** Number and text formatting for narrow table cells. */
final class Text {
    private Text() {}

    /** Cuts {@code s} to {@code w} columns, marking the cut with an ellipsis. */
    static String fit(String s, int w, Glyphs g) {
        if (s == null) return "";
        if (w <= 0) return "";
        if (s.length() <= w) return s;
        if (w == 1) return String.valueOf(g.ellipsis);
        return s.substring(0, w - 1) + g.ellipsis;
    }

    /** Cuts from the left (paths: the file name matters most). */
    static String fitLeft(String s, int w, Glyphs g) {
        if (s.length() <= w) return s;
        if (w <= 1) return w == 1 ? String.valueOf(g.ellipsis) : "";
        return g.ellipsis + s.substring(s.length() - (w - 1));
    }

    /** A count in at most 6 columns: 999999, 1.23M, 12.3M, 123M, 1.23G. */
    static String count(long n) {
        if (n < 1_000_000) return Long.toString(n);
        return three(n, "");
    }

    /** A rate per second in at most 6 columns: 0.5, 12, 950, 45.7k, 1.23M. */
    static String rate(double perSec) {
        if (Double.isNaN(perSec) || Double.isInfinite(perSec)) return "-";
        if (perSec == 0) return "0";
        if (perSec < 10) return String.format("%.1f", perSec);
        if (perSec < 1000) return String.format("%.0f", perSec);
        return three(perSec, "");
    }

    private static String three(double v, String suffix) {
        String[] units = {"", "k", "M", "G", "T"};
        int u = 0;
        while (v >= 999.5 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String num = v >= 99.95 ? String.format("%.0f", v) : v >= 9.995 ? String.format("%.1f", v) : String.format("%.2f", v);
        return num + units[u] + suffix;
    }

    static String dur(long ns) {
        return Durations.format(ns);
    }

    static String pct(double f) {
        return Durations.percent(f);
    }

    /** Signed percent change, e.g. {@code +12%}, {@code -3.4%}, {@code +>999%}. */
    static String change(double from, double to) {
        if (from == 0) return to == 0 ? "0%" : "new";
        double p = 100.0 * (to - from) / from;
        if (Math.abs(p) < 0.05) return "0%";
        if (p > 999) return "+>999%";
        if (Math.abs(p) < 10) return String.format("%+.1f%%", p);
        return String.format("%+.0f%%", p);
    }

    /** Trace time relative to the start, e.g. {@code t+45.2ms}. */
    static String rel(long ns) {
        return Durations.sinceStart(ns);
    }
}

package io.exitscope.util;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers with a fixed count of decimals, as {@code String.format("%.Nf", v)} writes them in
 * {@link java.util.Locale#US}: the double's shortest decimal digits rounded half up, {@code -}
 * for a set sign bit (also {@code -0.00}), {@code NaN} and {@code Infinity} spelt out. Without a
 * {@link java.util.Formatter}, whose first use a short run pays in the interpreter (the format's
 * regular expression, its parser, the conversion classes); the table report avoids it entirely.
 */
public final class Decimals {
    private Decimals() {}

    /** {@code v} with {@code places} decimals (0 to 18). */
    public static String fixed(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        boolean negative = Double.doubleToRawLongBits(v) < 0;
        String digits = BigDecimal.valueOf(Math.abs(v)).setScale(places, RoundingMode.HALF_UP).toPlainString();
        return negative ? "-" + digits : digits;
    }

    /**
     * The exact quotient {@code n / divisor} with {@code places} decimals, rounded half up
     * ({@code n >= 0}, {@code divisor} a multiple of {@code 10^places}): what {@code %.Nf} writes
     * for {@code n / (double) divisor} while the quotient has at most 15 significant digits.
     */
    public static String quotient(long n, long divisor, int places) {
        long step = divisor;
        for (int i = 0; i < places; i++) step /= 10;
        long q = n / step + (n % step >= step - n % step ? 1 : 0);
        if (places == 0) return Long.toString(q);
        long scale = divisor / step;
        String frac = Long.toString(q % scale);
        StringBuilder sb = new StringBuilder(24).append(q / scale).append('.');
        for (int i = frac.length(); i < places; i++) sb.append('0');
        return sb.append(frac).toString();
    }
}

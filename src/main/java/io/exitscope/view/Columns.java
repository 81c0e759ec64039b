package io.exitscope.view;

/**
 * Fixed-width text columns for the plain views: a value padded with spaces to a width, as
 * {@code %Ns} ({@link #right}) and {@code %-Ns} ({@link #left}) pad it; a longer value is kept
 * whole, as printf keeps it. Appending, not formatting: the views write a row a value at a time,
 * and a report on a small trace is over before a {@link java.util.Formatter} would be compiled.
 */
public final class Columns {
    private Columns() {}

    /** Appends {@code v} right-aligned in {@code width} columns. */
    public static StringBuilder right(StringBuilder sb, String v, int width) {
        for (int i = v.length(); i < width; i++) sb.append(' ');
        return sb.append(v);
    }

    /** Appends {@code v} left-aligned in {@code width} columns. */
    public static StringBuilder left(StringBuilder sb, String v, int width) {
        sb.append(v);
        for (int i = v.length(); i < width; i++) sb.append(' ');
        return sb;
    }
}

package io.exitscope.stats;

import java.util.List;

/**
 * The percentiles exitscope shows of a latency distribution (DESIGN.md "Statistics": p50, p90,
 * p99, p99.9), each with the names it goes by: the table header and the JSON/CSV field. Every
 * table, screen and JSON writer iterates {@link #SHOWN} instead of spelling the list out.
 */
public enum Percentile {
    P50(50, "P50", "p50"),
    P90(90, "P90", "p90"),
    P99(99, "P99", "p99"),
    P999(99.9, "P99.9", "p999");

    /** The percentile, 0..100. */
    public final double value;
    /** Column header in tables, e.g. {@code P99.9}. */
    public final String header;
    /** Field stem in JSON and CSV, e.g. {@code p999} for {@code p999_ns}. */
    public final String field;

    Percentile(double value, String header, String field) {
        this.value = value;
        this.header = header;
        this.field = field;
    }

    /** JSON/CSV field of the value in ns, e.g. {@code p999_ns}. */
    public String nsField() {
        return field + "_ns";
    }

    /** Every percentile shown, in table order. */
    public static final List<Percentile> SHOWN = List.of(values());
}

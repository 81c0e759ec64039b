package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;
import io.exitscope.stats.Percentile;

import java.util.Comparator;

/** The main table's columns; every one can be the sort key. */
enum Column {
    KEY("KEY", false),
    CLASS("H/K/U", true),
    COUNT("COUNT", true),
    RATE("RATE/s", true),
    TIME("%TIME", true),
    P50(Percentile.P50),
    P90(Percentile.P90),
    P99(Percentile.P99),
    P999(Percentile.P999),
    MAX("MAX", true);

    final String title;
    /** Natural order is largest first (a key column sorts A to Z). */
    final boolean descending;
    /** The percentile a percentile column shows, else null. */
    final Percentile percentile;

    Column(String title, boolean descending) {
        this.title = title;
        this.descending = descending;
        this.percentile = null;
    }

    Column(Percentile p) {
        this.title = p.header;
        this.descending = true;
        this.percentile = p;
    }

    Comparator<TableModel.Row> comparator() {
        return switch (this) {
            case KEY -> Comparator.comparing(r -> Agg.keyText(r.g().key()).toLowerCase());
            case CLASS -> Comparator.<TableModel.Row>comparingDouble(r -> Agg.classFraction(r.g(), ExitClass.USERSPACE))
                    .thenComparingDouble(r -> Agg.classFraction(r.g(), ExitClass.KERNEL));
            case COUNT -> Comparator.comparingLong(r -> r.g().count());
            case RATE -> Comparator.comparingDouble(TableModel.Row::rate);
            case TIME -> Comparator.<TableModel.Row>comparingLong(r -> r.g().totalNs()).thenComparingLong(r -> r.g().count());
            case P50, P90, P99, P999 -> Comparator.comparingLong(r -> r.g().percentile(percentile.value));
            case MAX -> Comparator.comparingLong(r -> r.g().max());
        };
    }
}

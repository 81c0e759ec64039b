package io.exitscope.view.tui;

import io.exitscope.exit.ExitClass;

import java.util.Comparator;

/** The main table's columns; every one can be the sort key. */
enum Column {
    KEY("KEY", false),
    CLASS("H/K/U", true),
    COUNT("COUNT", true),
    RATE("RATE/s", true),
    TIME("%TIME", true),
    P50("P50", true),
    P90("P90", true),
    P99("P99", true),
    P999("P99.9", true),
    MAX("MAX", true);

    final String title;
    /** Natural order is largest first (a key column sorts A to Z). */
    final boolean descending;

    Column(String title, boolean descending) {
        this.title = title;
        this.descending = descending;
    }

    Comparator<TableModel.Row> comparator() {
        return switch (this) {
            case KEY -> Comparator.comparing(r -> Agg.keyText(r.g().key()).toLowerCase());
            case CLASS -> Comparator.<TableModel.Row>comparingDouble(r -> Agg.classFraction(r.g(), ExitClass.USERSPACE))
                    .thenComparingDouble(r -> Agg.classFraction(r.g(), ExitClass.KERNEL));
            case COUNT -> Comparator.comparingLong(r -> r.g().count());
            case RATE -> Comparator.comparingDouble(TableModel.Row::rate);
            case TIME -> Comparator.<TableModel.Row>comparingLong(r -> r.g().totalNs()).thenComparingLong(r -> r.g().count());
            case P50 -> Comparator.comparingLong(r -> r.g().percentile(50));
            case P90 -> Comparator.comparingLong(r -> r.g().percentile(90));
            case P99 -> Comparator.comparingLong(r -> r.g().percentile(99));
            case P999 -> Comparator.comparingLong(r -> r.g().percentile(99.9));
            case MAX -> Comparator.comparingLong(r -> r.g().max());
        };
    }
}

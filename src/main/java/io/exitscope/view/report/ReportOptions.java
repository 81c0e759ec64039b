package io.exitscope.view.report;

import io.exitscope.stats.GroupBy;

/** How a report is cut: grouping, and whether blocking (idle) exits count in time shares. */
public record ReportOptions(GroupBy groupBy, boolean includeBlocking, int top) {
    public static final ReportOptions DEFAULT = new ReportOptions(GroupBy.REASON_CLASS, false, 0);
}

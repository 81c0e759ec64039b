package io.exitscope.view.tui;

import io.exitscope.stats.GroupBy;

/**
 * How every screen looks at the data, set by keys anywhere and shown in the status line: the
 * cumulative window or the last interval, the grouping, the filter. A value: a key makes a new one.
 *
 * @param interval           the last interval, not the cumulative window
 * @param groupIdx           index into {@link #GROUPINGS}
 * @param groupBeforeSubkeys the grouping {@code x} returns to, -1 none
 */
record Lens(boolean interval, int groupIdx, int groupBeforeSubkeys, Filter filter) {
    static final String[] GROUPINGS = {"reason", "reason,class", "subkey", "vcpu", "vm"};
    private static final int SUBKEYS = 2;

    static final Lens START = new Lens(false, 1, -1, Filter.NONE);

    GroupBy grouping() {
        return GroupBy.parse(GROUPINGS[groupIdx]);
    }

    /** The grouping comparisons use: the table's, plus the VM/vCPU the filter cuts by. */
    GroupBy compareGrouping() {
        String g = GROUPINGS[groupIdx];
        if (filter.vm() != null && !g.contains("vm")) g += ",vm";
        if (filter.vcpu() != null && !g.contains("vcpu")) g += ",vcpu";
        return GroupBy.parse(g);
    }

    /** What the main table's cache depends on besides the sort. */
    String spec() {
        return GROUPINGS[groupIdx] + "|" + filter;
    }

    Lens withInterval(boolean iv) {
        return new Lens(iv, groupIdx, groupBeforeSubkeys, filter);
    }

    Lens withFilter(Filter f) {
        return new Lens(interval, groupIdx, groupBeforeSubkeys, f);
    }

    /** The next grouping in {@link #GROUPINGS}; forgets where {@code x} would return to. */
    Lens nextGrouping() {
        return new Lens(interval, (groupIdx + 1) % GROUPINGS.length, -1, filter);
    }

    /** Subkeys on (remembering the grouping) or off (back to it, else reason and class). */
    Lens toggleSubkeys() {
        if (groupIdx == SUBKEYS) return new Lens(interval, groupBeforeSubkeys >= 0 ? groupBeforeSubkeys : 1, -1, filter);
        return new Lens(interval, SUBKEYS, groupIdx, filter);
    }
}

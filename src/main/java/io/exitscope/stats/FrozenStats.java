package io.exitscope.stats;

import java.util.Collection;

/**
 * Exit statistics that no longer change: what an analysis result carries. Made by adding up
 * {@link ExitStats} into a private copy (histograms add exactly, in first-seen key order, so
 * every snapshot equals the one the originals would have given), so whoever recorded them may
 * go on recording; any grouping can be taken from it on any thread.
 */
public final class FrozenStats {
    private final ExitStats stats = new ExitStats();

    private FrozenStats(ExitStats... parts) {
        for (ExitStats p : parts) stats.add(p);
    }

    /** The statistics of {@code parts} added up, in that order. */
    public static FrozenStats of(ExitStats... parts) {
        return new FrozenStats(parts);
    }

    /** Several frozen statistics added up, in that order (runs of one side of a comparison). */
    public static FrozenStats sum(java.util.List<FrozenStats> parts) {
        return new FrozenStats(parts.stream().map(f -> f.stats).toArray(ExitStats[]::new));
    }

    /** Aggregated into groups. */
    public StatsSnapshot snapshot(GroupBy by) {
        return stats.snapshot(by);
    }

    /** Every fine cell as a group, for exports and models that want the finest grain. */
    public Collection<StatsSnapshot.Group> fineGroups() {
        return stats.fineGroups();
    }

    public long exits() {
        return stats.exits();
    }

    public long measured() {
        return stats.measured();
    }
}

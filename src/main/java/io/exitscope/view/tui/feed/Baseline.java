package io.exitscope.view.tui.feed;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;

/**
 * The "before" side of the compare screen: statistics that no longer change (a closed window,
 * another file, a time window of the file), so any grouping can be taken from them at any time.
 */
public final class Baseline {
    public final String label;
    public final Side side;

    private Baseline(String label, Side side) {
        this.label = label;
        this.side = side;
    }

    /**
     * @param result  statistics that no longer change
     * @param seconds their span, for rates
     */
    public static Baseline of(String label, AnalysisResult result, double seconds) {
        return new Baseline(label, Side.of("baseline", result, seconds, java.util.List.of(), true));
    }

    public StatsSnapshot grouped(GroupBy g) {
        return side.grouped(g);
    }
}

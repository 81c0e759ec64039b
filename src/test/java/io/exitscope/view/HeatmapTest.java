package io.exitscope.view;

import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorder's columns against report's own time windows: a column of width w starting at
 * origin + i*w holds the exits that {@code --from/--to} of that span selects, bucket by bucket, and
 * widening (neighbours merging when the span outgrows the columns) loses none.
 */
class HeatmapTest {
    static final Path SIM = Path.of("traces", "sim-s390-diag500-ioeventfd-off.dat");

    @Test
    void columnsHoldTheExitsOfTheirTimeWindowsAndWideningLosesNone() throws Exception {
        Heatmap.Recorder rec = new Heatmap.Recorder(1_000L, 8); // starts at 1us: doubles many times over the trace
        AnalysisResult all = TraceAnalysis.run(List.of(TraceFiles.open(SIM, InputFormat.AUTO)), AnalysisOptions.ALL, rec);
        Heatmap.Timeline t = rec.timeline();
        assertTrue(t.widthNs() > 1_000L && Long.bitCount(t.widthNs() / 1_000L) == 1, "the width doubled: " + t.widthNs());
        assertTrue(t.columns().size() <= 8 && t.columns().size() > 4, "columns " + t.columns().size());
        Heatmap.Grid g = t.grid(k -> true);
        assertEquals(all.exits(), g.timed + g.untimedTotal, "every exit is in a column");
        for (int i = 0; i < g.columns(); i++) {
            Heatmap.Column c = t.columns().get(i);
            AnalysisResult w = TraceAnalysis.run(List.of(TraceFiles.open(SIM, InputFormat.AUTO)),
                    new AnalysisOptions(c.startTs() - all.firstTs(), c.endTs() - 1 - all.firstTs(), -1, -1, null));
            Histogram h = ExitStats.newHistogram();
            long n = 0;
            for (StatsSnapshot.Group x : w.stats().snapshot(GroupBy.parse("reason")).groups()) {
                h.add(x.histogram());
                n += x.count();
            }
            assertEquals(n, g.timed(i) + g.untimed(i), "exits of column " + i);
            long[] want = new long[LogBuckets.COUNT];
            h.recordedValues().forEach(v -> want[63 - Long.numberOfLeadingZeros(Math.max(1, v.getValueIteratedTo()))] += v.getCountAddedInThisIterationStep());
            assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(g.column(i)), "buckets of column " + i);
            if (h.getTotalCount() > 0) {
                for (double p : new double[]{50, 99, 99.9, 100}) {
                    assertEquals(63 - Long.numberOfLeadingZeros(Math.max(1, h.getValueAtPercentile(p))), g.percentileBucket(i, p), "p" + p + " of column " + i);
                }
            }
        }
    }
}

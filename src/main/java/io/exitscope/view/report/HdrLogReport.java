package io.exitscope.view.report;

import io.exitscope.stats.StatsSnapshot;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * {@code report --format hdr}: an HdrHistogram log with one tagged histogram per group, readable by
 * HdrHistogram's {@code HistogramLogReader} and mergeable across hosts. Tags are the group labels
 * with characters the log format reserves (commas, whitespace) replaced.
 */
public final class HdrLogReport {
    private HdrLogReport() {}

    public static void write(ReportData d, OutputStream out) {
        PrintStream ps = new PrintStream(out, false, java.nio.charset.StandardCharsets.UTF_8);
        HistogramLogWriter w = new HistogramLogWriter(ps);
        long startMs = d.result.firstTs() / 1_000_000;
        w.outputComment("exitscope exit latency histograms (ns) from " + d.result.sourceLabel().replace('\n', ' '));
        w.outputComment("one tagged histogram per " + d.options.groupBy() + " group; tag = group label");
        w.outputLogFormatVersion();
        w.outputStartTime(startMs);
        w.setBaseTime(startMs);
        w.outputLegend();
        for (StatsSnapshot.Group g : d.groups) {
            if (g.measured() == 0) continue;
            Histogram h = g.histogram().copy();
            h.setTag(tag(g));
            h.setStartTimeStamp(startMs);
            h.setEndTimeStamp(Math.max(startMs, d.result.lastTs() / 1_000_000));
            w.outputIntervalHistogram(h);
        }
        ps.flush();
    }

    public static String tag(StatsSnapshot.Group g) {
        String label = TableReport.keyText(g) + (g.key().exitClass() != null ? " [" + g.key().exitClass().label + "]" : "");
        return label.replaceAll("[,\\s]+", "_");
    }
}

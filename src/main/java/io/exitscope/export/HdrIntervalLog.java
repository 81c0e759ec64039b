package io.exitscope.export;

import io.exitscope.analysis.AnalysisResult;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.view.report.HdrLogReport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --hdr-log FILE}: an HdrHistogram interval log, one tagged histogram (ns) per
 * (reason, class) key and interval, readable by HdrHistogram's {@code HistogramLogReader} and
 * {@code HistogramLogProcessor -tag TAG}. Tags are those of {@code report --format hdr}.
 *
 * <p>Timestamps are absolute (epoch seconds, base time 0), so logs of many hosts can simply be
 * concatenated and read as one: every interval histogram stays tagged and additive.
 */
public final class HdrIntervalLog implements AutoCloseable {
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private long intervals;

    public HdrIntervalLog(Path file, String sourceLabel, long startMillis) throws IOException {
        this(Files.newOutputStream(file), sourceLabel, startMillis);
    }

    public HdrIntervalLog(OutputStream os, String sourceLabel, long startMillis) {
        this.out = new PrintStream(os, false, StandardCharsets.UTF_8);
        this.writer = new HistogramLogWriter(out);
        writer.outputComment("exitscope exit latency interval histograms (ns) from " + sourceLabel.replace('\n', ' ')
                + " on " + hostName());
        writer.outputComment("one tagged histogram per reason,class key and interval; tag = key label as in report --format hdr");
        writer.outputLogFormatVersion();
        writer.outputStartTime(startMillis);
        writer.setBaseTime(0);
        writer.outputBaseTime(0);
        writer.outputLegend();
        out.flush();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Writes one interval: every (reason, class) key with timed exits in {@code interval}.
     *
     * @param startMillis wall-clock start of the interval (epoch ms)
     * @param endMillis   wall-clock end of the interval (epoch ms)
     */
    public void writeInterval(AnalysisResult interval, long startMillis, long endMillis) {
        StatsSnapshot s = interval.stats().snapshot(GroupBy.REASON_CLASS);
        for (StatsSnapshot.Group g : s.groups()) {
            if (g.measured() == 0) continue;
            Histogram h = g.histogram().copy();
            h.setTag(HdrLogReport.tag(g));
            h.setStartTimeStamp(startMillis);
            h.setEndTimeStamp(Math.max(startMillis, endMillis));
            writer.outputIntervalHistogram(h);
        }
        intervals++;
        out.flush();
    }

    public long intervals() {
        return intervals;
    }

    @Override
    public void close() {
        out.flush();
        out.close();
    }
}

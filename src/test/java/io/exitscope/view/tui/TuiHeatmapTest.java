package io.exitscope.view.tui;

import com.googlecode.lanterna.input.KeyType;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.stats.ExitStats;
import io.exitscope.stats.GroupBy;
import io.exitscope.stats.StatsSnapshot;
import io.exitscope.util.Durations;
import io.exitscope.view.tui.feed.Frame;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heatmap screen on Lanterna's virtual terminal over the bundled trace, held to an
 * independent count: for every column (10 ms of trace time, the replay's step), {@code report}'s
 * analysis of that time window (--from/--to) gives the exits and the exact p50/p99; the screen's
 * cursor line must show that many exits, and the p50/p99 marks in the column must sit on the rows
 * labelled with the power-of-two buckets that hold those percentiles. The columns add up to the
 * exits of the view.
 */
class TuiHeatmapTest {
    static final Path PVM = Path.of("traces", "pvm-ioeventfd-ab.dat");
    static final long STEP = 10_000_000L;
    static final Pattern CURSOR = Pattern.compile(" cursor t\\+(\\S+)\\.\\.t\\+(\\S+): (\\d+) exits(?:, p50 (\\S+)-\\S+, p99 (\\S+)-\\S+)?\\s*");

    /** Exits of a window of the trace by report's analysis: count (blocking ones left out) and the merged histogram. */
    record Window(long exits, Histogram timed) {}

    static Window window(long fromRel, long toRel) throws Exception {
        AnalysisResult r = TraceAnalysis.run(List.of(TraceFiles.open(PVM, InputFormat.AUTO)), new AnalysisOptions(fromRel, toRel, -1, -1, null));
        Histogram h = ExitStats.newHistogram();
        long n = 0;
        for (StatsSnapshot.Group g : r.stats().snapshot(GroupBy.parse("reason,class")).groups()) {
            if (g.blocking()) continue;
            n += g.count();
            h.add(g.histogram());
        }
        return new Window(n, h);
    }

    static String bucketLabel(long ns) {
        int k = 63 - Long.numberOfLeadingZeros(Math.max(1, ns));
        return Durations.format(1L << k);
    }

    @Test
    void everyColumnShowsItsWindowsExitsAndPercentileRows() throws Exception {
        Glyphs g = Glyphs.UNICODE;
        try (TuiHarness h = TuiHarness.replay(PVM, 100, 40, true, g, false)) {
            Frame f = h.awaitEnd();
            h.key('m'); // the selected row (PIO userspace) ...
            assertTrue(h.text().contains("HEATMAP PIO [userspace]"), h.text());
            h.key('m'); // ... then the whole view
            List<String> lines = h.lines();
            String all = String.join("\n", lines);
            assertTrue(all.contains("HEATMAP all exits but blocking ones"), all);
            long viewExits = 0;
            for (StatsSnapshot.Group x : f.cumulative().fine().groups()) if (!x.blocking()) viewExits += x.count();
            assertTrue(all.contains(" " + viewExits + " exits (4000 not timed), 14 columns of 10.0ms"), all);

            h.key(KeyType.Home);
            long sum = 0;
            for (int col = 0; col < 14; col++) {
                if (col > 0) h.key(KeyType.ArrowRight);
                lines = h.lines();
                String screen = String.join("\n", lines);
                Matcher m = lines.stream().map(CURSOR::matcher).filter(Matcher::matches).findFirst()
                        .orElseThrow(() -> new AssertionError("no cursor line\n" + screen));
                assertEquals(Text.rel(col * STEP), "t+" + m.group(1), "column start\n" + screen);
                Window w = window(col * STEP, (col + 1) * STEP - 1);
                long shown = Long.parseLong(m.group(3));
                assertEquals(w.exits(), shown, "exits of column " + col + "\n" + screen);
                sum += shown;
                // the cursor's column on the screen: under it, the axis carries the cursor mark
                int axis = -1, x = -1;
                for (int r = 0; r < lines.size() && axis < 0; r++) {
                    int at = lines.get(r).indexOf(g.up);
                    if (at > 8 && lines.get(r).charAt(8) == g.hline) {
                        axis = r;
                        x = at;
                    }
                }
                assertTrue(axis > 0, "axis row\n" + screen);
                if (w.timed().getTotalCount() == 0) {
                    assertEquals(null, m.group(4), "no percentiles without timed exits\n" + screen);
                    continue;
                }
                String want50 = bucketLabel(w.timed().getValueAtPercentile(50)), want99 = bucketLabel(w.timed().getValueAtPercentile(99));
                assertEquals(want50, m.group(4), "p50 bucket of column " + col);
                assertEquals(want99, m.group(5), "p99 bucket of column " + col);
                String row50 = null, row99 = null;
                for (int r = 0; r < axis; r++) {
                    char c = lines.get(r).charAt(x);
                    String label = lines.get(r).substring(0, 8).strip();
                    if (c == g.p50Line || c == g.bothLines) row50 = label;
                    if (c == g.p99Line || c == g.bothLines) row99 = label;
                }
                assertEquals(want50, row50, "row of the p50 mark in column " + col + "\n" + screen);
                assertEquals(want99, row99, "row of the p99 mark in column " + col + "\n" + screen);
            }
            assertEquals(viewExits, sum, "the columns add up to the exits of the view");
            assertEquals(f.cumulative().exits(), sum, "no blocking exits in this trace: every exit is in a column");

            h.key(KeyType.Home);
            h.key(KeyType.Enter); // the first column's table: the replay seeks to it
            Frame iv = h.await(x -> x.progress() != null && !x.progress().seeking() && x.progress().positionNs() == STEP && !x.progress().playing());
            String table = h.text();
            assertTrue(table.contains("view interval 10.0ms"), table);
            assertTrue(iv.interval().exits() > 0 && iv.interval().exits() <= window(0, STEP).exits() + 1, "the interval of the column");
        }
    }

    /** A backwards seek reads the trace again from its start: the heatmap keeps what it had and counts nothing twice. */
    @Test
    void seekingBackAndPlayingAgainCountsNothingTwice() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 100, 40)) {
            Frame end = h.awaitEnd();
            long before = total(end);
            assertEquals(end.cumulative().exits(), before);
            h.feed.seekTo(30_000_000L);
            h.await(x -> !x.ended() && x.progress() != null && !x.progress().seeking() && x.progress().positionNs() == 30_000_000L);
            assertEquals(before, total(h.feed.latest()), "after the seek back");
            h.feed.togglePlay();
            Frame again = h.await(x -> x.ended() && x.seq() > end.seq());
            assertEquals(before, total(again), "after playing to the end again");
            assertEquals(end.timeline().columns().size(), again.timeline().columns().size());
        }
    }

    static long total(Frame f) {
        io.exitscope.view.Heatmap.Grid grid = f.timeline().grid(k -> true);
        return grid.timed + grid.untimedTotal;
    }

    @Test
    void asciiUnderLangCAndNoColourFitsEightyByTwentyFour() throws Exception {
        try (TuiHarness h = TuiHarness.replay(PVM, 80, 24, false, Glyphs.ASCII, false)) {
            h.awaitEnd();
            h.key('m');
            List<String> lines = h.lines();
            String s = String.join("\n", lines);
            assertEquals(24, lines.size());
            for (String l : lines) for (char c : l.toCharArray()) assertTrue(c < 128, "ASCII only: '" + c + "' in\n" + s);
            assertTrue(s.contains(".:+# exits per cell"), s);
            assertTrue(s.matches("(?s).*\n +4\\.10us\\|[-=*.:+# ]*[-*].*"), "a p50 mark on the 4.10us row\n" + s);
            assertTrue(lines.get(23).contains("Esc back"), s);
        }
    }
}

package io.exitscope.view.tui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exitscope.analysis.AnalysisOptions;
import io.exitscope.analysis.AnalysisResult;
import io.exitscope.analysis.TraceAnalysis;
import io.exitscope.source.InputFormat;
import io.exitscope.source.TraceFiles;
import io.exitscope.source.TraceSource;
import io.exitscope.stats.Comparison;
import io.exitscope.stats.GroupBy;
import io.exitscope.testutil.Cli;
import io.exitscope.view.tui.feed.Baseline;
import io.exitscope.view.tui.feed.ReplayFeed;
import io.exitscope.view.tui.feed.Side;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Column priority at the sizes people use (80x24, 100x30, 160x50), on Lanterna's virtual terminal
 * with the bundled A/B recording: run A (port 0x500 without ioeventfd) is the baseline, run B is
 * replayed. The columns that carry each screen's point are there and whole: compare shows the
 * key, the count A->B, the shift and its why; optimizations show the state, the exits and the
 * projected value; long text wraps onto more lines instead of being cut.
 */
class TuiLayoutTest {
    static final Path PVM = Path.of("traces", "pvm-ioeventfd-ab.dat");
    static final int[][] SIZES = {{80, 24}, {100, 30}, {160, 50}};

    /** The two runs' vCPU threads, from the report (run A's port 0x500 writes reach userspace, run B's do not). */
    static int[] runs() throws Exception {
        Cli r = Cli.run("report", "--format", "json", PVM.toString());
        JsonNode notes = new ObjectMapper().readTree(r.out).get("evidence").get("notifications");
        int a = -1, b = -1;
        for (JsonNode n : notes) {
            if (!n.get("address").asText().equals("port 0x500 out")) continue;
            if (n.get("in_kernel").asLong() == 0) a = n.get("tid").asInt();
            else b = n.get("tid").asInt();
        }
        assertTrue(a > 0 && b > 0, notes.toString());
        return new int[]{a, b};
    }

    /** Run B replayed with run A as the baseline, the model projecting. */
    static TuiHarness abHarness(int cols, int rows) throws Exception {
        int[] run = runs();
        AnalysisResult a;
        try (TraceSource src = TraceFiles.open(PVM, InputFormat.AUTO)) {
            a = TraceAnalysis.run(List.of(src), AnalysisOptions.ALL.withTid(run[0]));
        }
        ReplayFeed f = new ReplayFeed(() -> TraceFiles.open(PVM, InputFormat.AUTO), AnalysisOptions.ALL.withTid(run[1]), 0, Long.MAX_VALUE,
                200_000_000L, 0, 10_000_000L, false);
        TuiHarness h = new TuiHarness(f, cols, rows, new TuiOptions(false, Glyphs.UNICODE, new ModelProjector()));
        h.app.useBaseline(Baseline.of("run A (tid " + run[0] + ")", a, a.durationSeconds()));
        return h;
    }

    static int header(List<String> lines, String... words) {
        for (int i = 0; i < lines.size(); i++) {
            boolean all = true;
            for (String w : words) all &= lines.get(i).contains(w);
            if (all) return i;
        }
        throw new AssertionError("no header with " + List.of(words) + " in\n" + String.join("\n", lines));
    }

    static boolean isEvidence(String line) {
        return line.length() > 5 && line.substring(0, 5).isBlank() && line.charAt(5) != ' ';
    }

    static String cut(String line, int from, int to) {
        return line.substring(Math.min(from, line.length()), Math.min(to, line.length()));
    }

    @Test
    void compareKeepsKeyCountShiftAndWhyWhole() throws Exception {
        for (int[] size : SIZES) {
            try (TuiHarness h = abHarness(size[0], size[1])) {
                h.awaitEnd();
                h.key('x'); // by port
                h.key('d');
                h.await(f -> f.cumulative().grouped(GroupBy.parse("subkey")) != null); // the feed prepares the grouping
                List<String> lines = h.lines();
                String screen = size[0] + "x" + size[1] + "\n" + String.join("\n", lines);
                int hd = header(lines, "KEY", "COUNT A\u2192B", "SHIFT", "WHY");
                int xWhy = lines.get(hd).indexOf("WHY"), xShift = lines.get(hd).indexOf("SHIFT");
                assertFalse(String.join("\n", lines.subList(hd, lines.size())).contains("\u2026"), "nothing cut at " + screen);
                Comparison.Shift port500 = h.app.compareScreen().shown().stream().filter(s -> "port 0x500 out".equals(s.key().subkey())).findFirst().orElseThrow();
                // the row, then the lines its why wrapped onto
                int r = -1;
                for (int i = hd + 1; i < lines.size(); i++) if (lines.get(i).contains("PIO port 0x500 out")) r = i;
                assertTrue(r > 0, screen);
                assertTrue(lines.get(r).matches(".PIO port 0x500 out +4000\u21924000 .*"), "count A->B at " + screen);
                StringBuilder why = new StringBuilder(cut(lines.get(r), xWhy, size[0]).strip());
                for (int i = r + 1; i < lines.size() && cut(lines.get(i), 0, xShift).isBlank() && !cut(lines.get(i), xWhy, size[0]).isBlank(); i++) {
                    why.append(' ').append(cut(lines.get(i), xWhy, size[0]).strip());
                }
                assertEquals(CompareView.whyText(port500), why.toString(), "the why whole at " + screen);
                assertTrue(port500.significant() && port500.why().startsWith("class userspace 100% -> kernel 100%"), port500.why());
                if (size[0] >= 100) assertTrue(lines.get(hd).contains("P50 B") && lines.get(hd).contains("P99 B"), "percentiles when there is room: " + screen);
                if (size[0] >= 160) assertTrue(lines.get(hd).contains("MAX B") && lines.get(hd).contains("RATE"), screen);
            }
        }
    }

    /** The whole trace: run A's port 0x500 reaches userspace and the model projects it with ioeventfd on. */
    @Test
    void optimizationsKeepStateExitsAndProjectionWhole() throws Exception {
        for (int[] size : SIZES) {
            ReplayFeed feed = new ReplayFeed(() -> TraceFiles.open(PVM, InputFormat.AUTO), AnalysisOptions.ALL, 0, Long.MAX_VALUE,
                    200_000_000L, 0, 10_000_000L, false);
            try (TuiHarness h = new TuiHarness(feed, size[0], size[1], new TuiOptions(false, Glyphs.UNICODE, new ModelProjector()))) {
                h.awaitEnd();
                h.key('O');
                List<String> lines = h.lines();
                int hd = header(lines, "OPTIMIZATION", "STATE", "EXITS", "PROJECTED");
                String screen = size[0] + "x" + size[1] + "\n" + String.join("\n", lines);
                assertFalse(String.join("\n", lines).contains("\u2026"), "nothing cut at " + screen);
                int xp = lines.get(hd).indexOf("PROJECTED");
                Side side = h.feed.latest().cumulative();
                Optimizations.Row row = OptimizationsView.rows(side, null, h.app.projector()).stream()
                        .filter(x -> x.id().equals("ioeventfd") && x.target().equals("port 0x500 out") && x.state() == Optimizations.State.OFF)
                        .findFirst().orElseThrow();
                String expected = h.app.projector().projectedShift(row, side);
                assertNotNull(expected);
                int r = -1;
                for (int i = hd + 1; i < lines.size() && r < 0; i++) if (lines.get(i).matches(". ?ioeventfd.* OFF no ioeventfd +4000 .*")) r = i;
                assertTrue(r > 0, "run A's port 0x500: state and exits at " + screen);
                assertTrue(expected.startsWith("p50 ") && expected.contains("->"), expected);
                StringBuilder proj = new StringBuilder(cut(lines.get(r), xp, size[0]).strip());
                // the row's next lines: the name's and the projection's wrapped parts, up to the evidence line (at column 5)
                for (int i = r + 1; i < lines.size() && !isEvidence(lines.get(i)) && !cut(lines.get(i), xp, size[0]).isBlank(); i++) {
                    proj.append(' ').append(cut(lines.get(i), xp, size[0]).strip());
                }
                assertEquals(expected, proj.toString(), "the projected value whole at " + screen);
            }
        }
    }

    /**
     * One truth about a recorded switch: the header, the optimizations screen, {@code model} and
     * the report JSON say the same about KVM built in and ioeventfd for the whole A/B trace.
     */
    @Test
    void theRecordedSwitchesAreTheSameEverywhere() throws Exception {
        JsonNode model = new ObjectMapper().readTree(Cli.run("model", "--format", "json", PVM.toString()).out).get("recorded").get("switches");
        JsonNode report = new ObjectMapper().readTree(Cli.run("report", "--format", "json", PVM.toString()).out).get("evidence");
        boolean builtIn = !report.get("kvm_module").asBoolean();
        assertTrue(builtIn, "the bundled trace's kallsyms: " + report.get("kvm_module_evidence"));
        assertEquals("on", model.get("kvm-builtin").get("value").asText());
        assertEquals("seen_not_modelled", model.get("kvm-builtin").get("how").asText());
        assertEquals("off", model.get("ioeventfd").get("value").asText());
        assertEquals("evidence", model.get("ioeventfd").get("how").asText());
        ReplayFeed f = new ReplayFeed(() -> TraceFiles.open(PVM, InputFormat.AUTO), AnalysisOptions.ALL, 0, Long.MAX_VALUE,
                200_000_000L, 0, 10_000_000L, false);
        try (TuiHarness h = new TuiHarness(f, 200, 50, new TuiOptions(false, Glyphs.UNICODE, new ModelProjector()))) {
            h.awaitEnd();
            String head = String.join("\n", h.lines().subList(0, 6));
            assertTrue(head.contains("switches ioeventfd=off; not modelled here: kvm-builtin=on lazy-fpu=on"), head);
            h.key('O');
            String opt = h.text();
            assertTrue(opt.matches("(?s).*KVM built in +ON built in .*not modelled on this arch.*"), opt);
            assertFalse(opt.contains("kvm-builtin=off"), opt);
        }
    }
}

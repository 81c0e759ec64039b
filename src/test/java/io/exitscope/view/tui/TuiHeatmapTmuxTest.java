package io.exitscope.view.tui;

import io.exitscope.testutil.Tmux;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heatmap screen in a real terminal (tmux) at 80x24 and at 160x50: opened with m from the
 * table, it fits, uses the width (the 14 columns of the bundled trace widen to fill it), shows
 * the p50 line and the legend, switches to the whole view, moves its cursor, and q leaves.
 */
class TuiHeatmapTmuxTest {
    @BeforeAll
    static void needTmux() {
        Tmux.assumeAvailable();
    }

    @Test
    void heatmapAtEightyByTwentyFourAndOneSixtyByFifty(@TempDir Path dir) throws Exception {
        Path sh = Tmux.launcher(dir);
        for (int[] size : new int[][]{{80, 24}, {160, 50}}) {
            int w = size[0], h = size[1];
            try (Tmux t = new Tmux(w, h, dir)) {
                t.line("sh " + sh + " replay traces/pvm-ioeventfd-ab.dat; echo EXIT=$?");
                t.waitFor("the replay to end", x -> x.matches(TuiTmuxTest.END), 60);
                t.keys("m");
                String s = t.waitFor("the heatmap of the selected key", 
                        x -> x.contains("HEATMAP PIO [userspace]") && x.contains("exits per cell") && x.contains("Esc back"), 10); // the whole frame drawn
                List<String> lines = s.lines().toList();
                assertTrue(lines.size() <= h, s);
                for (String l : lines) assertTrue(l.length() <= w, "fits " + w + ": " + l + "\n" + s);
                assertTrue(lines.get(0).matches("exitscope replay . heatmap .*\\d\\d:\\d\\d:\\d\\d"), s);
                assertTrue(s.contains("5998 exits, 14 columns of 10.0ms"), s);
                // rows are labelled with bucket bounds; the p50 of this key is in the 4.10us bucket
                assertTrue(s.matches("(?s).*\n +4\\.10us[\u2502|][^\n]*[\u2500\u2261*-][^\n]*\n.*"), "the p50 line on the 4.10us row\n" + s);
                String axis = lines.stream().filter(l -> l.matches(" {8}[\u2500-]+[\u2191^]+[\u2500-]*")).findFirst().orElseThrow(() -> new AssertionError("axis\n" + s));
                int cellWidth = (w - 10) / 14;
                assertEquals(9 + 14 * cellWidth, axis.length(), "the 14 columns fill the width: each " + cellWidth + " wide\n" + s);
                assertTrue(lines.get(lines.size() - 1).contains("Esc back") || lines.get(h - 1).contains("Esc back"), s);
                t.keys("m");
                String all = t.waitFor("the whole view", 
                        x -> x.contains("HEATMAP all exits but blocking ones") && x.contains("untimed") && x.contains("selected key"), 10);
                assertTrue(all.contains("9998 exits (4000 not timed)"), all);
                t.keys("Home");
                t.waitFor("the cursor on the first column", x -> x.contains("cursor t+0..t+10.0ms: 1164 exits"), 10);
                t.keys("Escape");
                t.waitFor("back on the table", x -> x.matches("(?s)exitscope replay . exits.*"), 10);
                t.keys("q");
                t.waitFor("EXIT=0", 20);
            }
        }
    }
}

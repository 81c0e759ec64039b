package io.exitscope.view.tui;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.exitscope.testutil.Tmux;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end in a real terminal: {@code exitscope replay} on the bundled trace inside tmux, used
 * as a person would (open, sort, detail, baseline, resize, quit), and the terminal is back in its
 * normal mode afterwards ({@code stty -a} unchanged) after q, Ctrl-C, SIGTERM, SIGINT and SIGHUP.
 * Runs the classes under test (the test class path), so it works in {@code mvn test} before the
 * jar is packaged.
 */
class TuiTmuxTest {
    @BeforeAll
    static void needTmux() {
        Tmux.assumeAvailable();
    }

    static final String END = "(?s).*(\u25a0|#) end t\\+131ms.*";

    @Test
    void replayAsAPersonWouldThenQuitLeavesTheTerminalAsItWas(@TempDir Path dir) throws Exception {
        Path sh = Tmux.launcher(dir);
        try (Tmux t = new Tmux(120, 40, dir)) {
            String before = t.stty("stty-before");
            t.line("sh " + sh + " replay traces/pvm-ioeventfd-ab.dat; echo EXIT=$?");
            // the figures of 'report' for this file
            t.waitMatch("the replay to end with the report's figures", "exitscope replay . exits +pvm-ioeventfd-ab\\.dat.*(\u25a0|#) end t\\+131ms.*"
                    + "PIO +0/0/100 +5998 .*5\\.11us +5\\.45us +7\\.67us +29\\.2us +71\\.7us.*PIO +0/100/0 +4000 .*", 60);
            String s;

            t.keys(">"); // sort by the next column: P50
            t.waitFor("sort P50", 10);
            t.resize(80, 24); // the screen follows the terminal: narrow layout, nothing cut or overlapping
            // until the redraw: right after the resize tmux shows the old screen cropped
            s = t.waitFor("a readable redraw at 80x24", x -> {
                try {
                    checkNarrow(x, 80);
                    return true;
                } catch (AssertionError notYet) {
                    return false;
                }
            }, 10);
            checkNarrow(s, 80);
            t.resize(200, 60);
            t.waitMatch("a redraw at 200x60", "exitscope replay . exits .{120,}\\d\\d:\\d\\d:\\d\\d\n.*PIO +0/0/100 +5998 .*", 10);
            t.resize(120, 40);
            t.waitFor("a redraw at 120x40", x -> x.lines().findFirst().orElse("").matches("exitscope replay . exits .{60,100} \\d\\d:\\d\\d:\\d\\d"), 10);
            t.keys("Enter"); // detail of the selected key
            s = t.waitFor("the detail screen", x -> x.contains("latency histogram") && x.contains("per vCPU"), 10);
            t.keys("Escape");
            t.waitFor("back on the table", x -> x.matches("(?s).*exitscope replay . exits.*"), 10);
            t.keys("b"); // baseline: opens compare
            t.waitMatch("the compare screen", ".*A baseline: window t\\+0\\.\\.t\\+131ms.*B now: cumulative since t\\+131ms.*", 10);


            t.keys("q");
            s = t.waitFor("EXIT=0", 20);
            assertFalse(s.contains("latency histogram") || s.contains("exitscope replay"), "the alternate screen is gone\n" + s);
            assertEquals(before, t.stty("stty-after"), "stty -a after q");
        }
    }

    /** At 80 columns: the header lines are whole, every line fits. */
    static void checkNarrow(String s, int width) {
        List<String> lines = s.lines().toList();
        for (String l : lines) assertTrue(l.length() <= width, "fits " + width + ": " + l);
        assertTrue(lines.get(0).matches("exitscope replay . exits +pvm-ioeventfd-ab\\.dat.* \\d\\d:\\d\\d:\\d\\d"), lines.get(0));
        String header = String.join("\n", lines.subList(0, 4));
        assertFalse(header.contains("\u2026"), header);
        assertTrue(header.contains("lost 0") && header.contains("events 43998") && header.contains("exits 9998"), header);
        assertTrue(s.matches("(?s).*\n KEY +HKU +COUNT +RATE +%TIME +P50. +P90 +P99 +P99\\.9 +MAX\n.*"), s);
    }

    @Test
    void signalsAndCtrlCRestoreTheTerminal(@TempDir Path dir) throws Exception {
        Path sh = Tmux.launcher(dir);
        try (Tmux t = new Tmux(120, 40, dir)) {
            String before = t.stty("stty-before");
            int n = 0;
            for (String how : new String[]{"TERM", "INT", "HUP", "C-c"}) {
                Files.deleteIfExists(dir.resolve("pid"));
                t.line("clear; sh " + sh + " replay --paused traces/pvm-ioeventfd-ab.dat; echo EXIT-" + how + "=$?");
                t.waitFor("the paused replay (" + how + ")", x -> x.contains("paused max t+0"), 60);
                if (how.startsWith("C-")) {
                    t.keys(how);
                } else {
                    Process k = new ProcessBuilder("kill", "-" + how, Long.toString(Tmux.launchedPid(dir))).inheritIO().start();
                    assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + how);
                }
                String s = t.waitMatch("the exit status (" + how + ")", "(?s).*EXIT-" + how + "=\\d+.*", 20); // not the typed echo
                String code = s.replaceAll("(?s).*EXIT-" + how + "=(\\d+).*", "$1");
                assertEquals(switch (how) {
                    case "TERM" -> "143";
                    case "INT" -> "130";
                    case "HUP" -> "129";
                    default -> "0";
                }, code, how + "\n" + s);
                assertFalse(s.contains("exitscope replay"), "the alternate screen is gone after " + how + "\n" + s);
                assertTrue(s.replaceAll("\\s", "").matches("EXIT-" + how + "=\\d+\\$?"), "nothing drawn on the shell screen after " + how + "\n" + s);
                assertEquals(before, t.stty("stty-after-" + (++n)), "stty -a after " + how);
            }
        }
    }

    @Test
    void twoFilesAndATimeWindowAsBaselineAndNoColor(@TempDir Path dir) throws Exception {
        Path sh = Tmux.launcher(dir);
        try (Tmux t = new Tmux(120, 40, dir)) {
            // A B: the same file twice, so nothing moved
            t.line("sh " + sh + " replay traces/pvm-ioeventfd-ab.dat traces/pvm-ioeventfd-ab.dat; echo EXIT=$?");
            t.waitFor("the replay to end", x -> x.matches(END), 60);
            t.keys("d");
            t.waitMatch("file A vs B", ".*A baseline: file A pvm-ioeventfd-ab.dat, 9998 exits.*PIO \\[userspace] +5998.5998 +0% +5\\.11us = .*", 30);
            t.keys("q");
            t.waitFor("EXIT=0", 20);
            // a window of the same trace: run A (first 50ms) against the whole replay
            t.line("clear; NO_COLOR=1 sh " + sh + " replay --baseline 0..50ms traces/pvm-ioeventfd-ab.dat; echo EXIT2=$?");
            t.waitFor("the replay to end", x -> x.matches(END), 60);
            t.keys("d");
            t.waitMatch("window vs all", ".*A baseline: window t\\+0\\.\\.t\\+50\\.0ms, 4999 exits.*\\*PIO \\[kernel] +0.4000 .*", 30);
            String esc = t.run("capture-pane", "-p", "-e", "-t", "e2e");
            assertFalse(esc.matches("(?s).*\u001b\\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;|48;)[0-9;]*m.*"), "no colour with NO_COLOR:\n" + esc);
            assertTrue(esc.contains("\u001b[7m"), "reverse video marks the title and selection instead");
            t.keys("q");
            t.waitFor("EXIT2=0", 20);
        }
    }
}

package io.exitscope.view.tui;

import io.exitscope.testutil.Tmux;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walk a new user takes over SSH at 80x24 on the bundled A/B recording (run A writes port
 * 0x500 without ioeventfd, run B with it): main, subkeys ({@code x}), seek between the runs and
 * take a baseline ({@code b}), play run B, the compare screen, the optimizations ({@code O}) and
 * the detail of the selected optimization. Each screen must show its point, whole.
 */
class TuiWalkTmuxTest {

    @BeforeAll
    static void needTmux() {
        Tmux.assumeAvailable();
    }

    @Test
    void mainSubkeysBaselineCompareOptimizationsDetailAt80x24(@TempDir Path dir) throws Exception {
        Path sh = Tmux.launcher(dir);
        try (Tmux t = new Tmux(80, 24, dir)) {
            t.line("sh " + sh + " replay traces/pvm-ioeventfd-ab.dat; echo EXIT=$?");
            // main: the two runs' port writes by class, the userspace ones timed
            t.waitMatch("main at the end of the replay", TuiTmuxTest.END + "PIO +user +5998 .*PIO +kern +4000 .*", 60);

            t.keys("x"); // subkeys: the ports
            t.waitMatch("the ports", "(?s).*group subkey.*PIO port 0x500 out .* 8000 .*PIO port 0x3f8 out .* 1998 .*", 10);

            // between the runs (run A ends at t+43ms, run B starts at t+116ms): seek there and take the baseline
            t.keys("t");
            t.waitFor("seek to", 10);
            t.run("send-keys", "-t", "e2e", "-l", "80ms");
            t.keys("Enter");
            t.waitMatch("paused between the runs", "(?s).*paused .*t\\+80\\.0ms.*", 30);
            t.keys("b");
            t.waitFor("baseline: window t+0..t+80.0ms", 20);
            t.keys("Space");
            // its point: port 0x500 moved from userspace to the kernel, said whole (wrapped, not cut)
            String cmp = t.waitMatch("compare after run B", TuiTmuxTest.END + "A baseline: window t\\+0\\.\\.t\\+80\\.0ms.*"
                    + "KEY +COUNT A.B +SHIFT WHY.*\\*PIO port 0x500 out +4000.4000 +\\d\\.\\d\\d .*userspace 100% -> kernel 100%;.*"
                    + "PIO port 0x3f8 out +999.999 .*", 30);
            assertFalse(cmp.substring(cmp.indexOf(" KEY ")).contains("\u2026"), "nothing cut:\n" + cmp);

            t.keys("O");
            String opt = t.waitMatch("optimizations", "(?s).*OPTIMIZATION +STATE +EXITS +%TIME PROJECTED.*KVM built in +ON built in.*", 10);
            // run B's port 0x500 stays in the kernel; the baseline (run A) sent it to userspace: that is the ioeventfd evidence
            assertTrue(opt.matches("(?s).*ioeventfd port 0x500 +ON ioeventfd +4000 .*the same address reaches userspace in the.*baseline.*"), opt);
            assertTrue(opt.matches("(?s).*ioeventfd port 0x3f8 +INFO data port +999 .*serial port \\(UART\\).*"), opt);
            assertFalse(opt.contains("\u2026"), "nothing cut:\n" + opt);

            t.keys("Enter"); // the detail of the selected row: its address's exits
            String det = t.waitMatch("the detail of the selected optimization", "(?s).*\u2502 detail .*PIO port 0x3f8 out\n.*count 999 .*", 10);
            assertFalse(det.contains("no exits of this key"), det);
            t.keys("Escape");
            t.waitMatch("back on the optimizations", "(?s).*\u2502 optimizations .*", 10);
            t.keys("Down");
            t.keys("Enter");
            det = t.waitMatch("the detail of port 0x500", "(?s).*\u2502 detail .*PIO port 0x500 out\n.*count 4000 .*class H 0.0% K 100.0% U 0.0%.*", 10);
            t.keys("q");
            t.waitFor("EXIT=0", 20);
        }
    }
}
